//! The JSON APIs under `/api`: the read-only Content API for frontends, the
//! Admin API for integrations, the OpenAPI document and the API reference.
//! Every error here is `application/problem+json`.

pub mod admin;
pub mod auth;
pub mod content;
pub mod docs;
pub mod dto;
pub mod media;
pub mod problem;

use actix_web::http::{header, StatusCode};
use actix_web::{guard, web, HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

use self::problem::{ApiError, ApiResult};
use crate::state::AppState;

/// Largest JSON body the Admin API accepts.
pub const MAX_JSON_BYTES: usize = 2 * 1024 * 1024;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api")
            .app_data(
                web::JsonConfig::default()
                    .limit(MAX_JSON_BYTES)
                    .error_handler(problem::json_error),
            )
            .app_data(web::QueryConfig::default().error_handler(problem::query_error))
            .app_data(web::PathConfig::default().error_handler(problem::path_error))
            .route("/openapi.json", web::get().to(docs::openapi_json))
            .route("/docs", web::get().to(docs::reference))
            .service(admin::scope())
            .service(
                web::scope("/v1")
                    .route(
                        "/{tail:.*}",
                        web::route().guard(guard::Options()).to(preflight),
                    )
                    .service(get_only("/articles", content::list_articles))
                    .service(get_only("/articles/slug/{slug}", content::article_by_slug))
                    .service(get_only("/articles/{id}", content::article_by_id))
                    .service(get_only("/categories", content::list_categories))
                    .service(get_only("/categories/{slug}", content::category))
                    .service(get_only("/authors", content::list_authors))
                    .service(get_only("/authors/{slug}", content::author))
                    .default_service(web::to(problem::not_found)),
            )
            .default_service(web::to(problem::not_found)),
    );
}

/// A read-only resource: other methods get 405 with a problem body.
fn get_only<F, Args>(path: &str, handler: F) -> actix_web::Resource
where
    F: actix_web::Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    web::resource(path)
        .route(web::get().to(handler))
        .default_service(web::to(problem::method_not_allowed))
}

/// How a Content API response may be cached and shared.
pub struct Access {
    /// Responses are per-key: not for shared caches.
    pub private: bool,
    /// The request's origin, when it is allowed by the CORS setting.
    pub cors_origin: Option<String>,
}

fn allowed_origin(req: &HttpRequest, origins: &[String]) -> Option<String> {
    let origin = req.headers().get(header::ORIGIN)?.to_str().ok()?;
    if origins.iter().any(|o| o == "*") {
        return Some("*".into());
    }
    origins
        .iter()
        .any(|o| o.eq_ignore_ascii_case(origin))
        .then(|| origin.to_owned())
}

/// Checks the Content API key when the site requires one.
pub async fn content_access(
    state: &AppState,
    req: &HttpRequest,
    query_key: Option<&str>,
) -> ApiResult<Access> {
    let api = state.db(cms_core::settings::api_settings).await?;
    if api.key_required {
        let sent = query_key.map(str::to_owned).or_else(|| {
            req.headers()
                .get("X-Gazette-Key")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        });
        match sent {
            Some(k)
                if !api.content_key.is_empty()
                    && cms_core::tokens::constant_time_eq(&k, &api.content_key) => {}
            Some(_) => {
                return Err(ApiError::Unauthorized(
                    "the Content API key is not valid".into(),
                ))
            }
            None => {
                return Err(ApiError::Unauthorized(
                    "this site's Content API needs a key: send ?key= or X-Gazette-Key".into(),
                ))
            }
        }
    }
    Ok(Access {
        private: api.key_required,
        cors_origin: allowed_origin(req, &api.cors_origins),
    })
}

/// JSON with an `ETag`; answers 304 to a matching `If-None-Match`.
pub fn json_response<T: Serialize>(
    req: &HttpRequest,
    value: &T,
    access: &Access,
) -> ApiResult<HttpResponse> {
    let body = serde_json::to_vec(value).map_err(|e| ApiError::Internal(e.to_string()))?;
    let etag = format!("\"{}\"", hex::encode(&Sha256::digest(&body)[..12]));
    let matches = crate::util::etag_matches(req.headers(), &etag);
    let mut resp = if matches {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    resp.insert_header((header::ETAG, etag))
        .insert_header((
            header::CACHE_CONTROL,
            if access.private {
                "private, max-age=0, must-revalidate"
            } else {
                "public, max-age=0, must-revalidate"
            },
        ))
        .insert_header((header::VARY, "Origin"))
        // Published content only; the cache key includes Origin and the key header.
        .insert_header((crate::cache::CACHEABLE, "-"));
    if let Some(o) = &access.cors_origin {
        resp.insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, o.as_str()))
            .insert_header((header::ACCESS_CONTROL_EXPOSE_HEADERS, "ETag"));
    }
    if matches {
        return Ok(resp.finish());
    }
    Ok(resp.content_type("application/json").body(body))
}

/// CORS preflight for the Content API.
async fn preflight(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let api = state.db(cms_core::settings::api_settings).await?;
    let mut resp = HttpResponse::build(StatusCode::NO_CONTENT);
    if let Some(o) = allowed_origin(&req, &api.cors_origins) {
        resp.insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, o))
            .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, "GET, OPTIONS"))
            .insert_header((
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                "X-Gazette-Key, If-None-Match",
            ))
            .insert_header((header::ACCESS_CONTROL_MAX_AGE, "600"));
    }
    Ok(resp.insert_header((header::VARY, "Origin")).finish())
}
