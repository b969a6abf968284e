//! Turning templates into responses: admin pages are never cached; public
//! pages carry an `ETag` and `Last-Modified` and answer 304 when unchanged.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

use crate::auth::{clear_cookie, FLASH_COOKIE};
use crate::error::{WebError, WebResult};

pub fn render_string(t: &impl Template) -> WebResult<String> {
    t.render()
        .map_err(|e| WebError::Internal(format!("template: {e}")))
}

/// An admin page: `no-store`, and the flash message (if one was shown) cleared.
pub fn admin(req: &HttpRequest, t: &impl Template) -> WebResult<HttpResponse> {
    admin_status(req, t, StatusCode::OK)
}

/// As [`admin`], with a status (422 for a form with errors, 409 for a conflict).
pub fn admin_status(
    req: &HttpRequest,
    t: &impl Template,
    status: StatusCode,
) -> WebResult<HttpResponse> {
    let body = render_string(t)?;
    let mut resp = HttpResponse::build(status);
    resp.insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    if req.cookie(FLASH_COOKIE).is_some() {
        resp.cookie(clear_cookie(FLASH_COOKIE, "/admin"));
    }
    Ok(resp.body(body))
}

/// A public page with validators: `If-None-Match` → 304; otherwise the body
/// with `ETag`, `Last-Modified` and `Cache-Control`.
pub fn public(
    req: &HttpRequest,
    t: &impl Template,
    last_modified: Option<NaiveDateTime>,
) -> WebResult<HttpResponse> {
    let body = render_string(t)?;
    Ok(public_body(req, body, last_modified, StatusCode::OK))
}

pub fn public_body(
    req: &HttpRequest,
    body: String,
    last_modified: Option<NaiveDateTime>,
    status: StatusCode,
) -> HttpResponse {
    public_body_typed(req, body, last_modified, status, "text/html; charset=utf-8")
}

/// As [`public_body`], for a body of another type (feeds, sitemaps, `robots.txt`).
pub fn public_body_typed(
    req: &HttpRequest,
    body: String,
    last_modified: Option<NaiveDateTime>,
    status: StatusCode,
    content_type: &'static str,
) -> HttpResponse {
    let etag = format!(
        "\"{}\"",
        hex::encode(&Sha256::digest(body.as_bytes())[..12])
    );
    let not_modified = status == StatusCode::OK && crate::util::etag_matches(req.headers(), &etag);
    let mut resp = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::build(status)
    };
    resp.insert_header((header::ETAG, etag.clone()))
        // Revalidate every time: edits must show at once, and a 304 is cheap.
        .insert_header((header::CACHE_CONTROL, "public, max-age=0, must-revalidate"));
    if status == StatusCode::OK {
        // Public pages are the same for everyone: the render cache may keep them.
        resp.insert_header((crate::cache::CACHEABLE, "-"));
    }
    if let Some(lm) = last_modified {
        resp.insert_header((
            header::LAST_MODIFIED,
            lm.and_utc().format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
        ));
    }
    if not_modified {
        return resp.finish();
    }
    resp.insert_header((header::CONTENT_TYPE, content_type))
        .body(body)
}

/// 303 See Other to `location`.
pub fn redirect(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_owned()))
        .finish()
}

/// 303 with a flash message for the next page.
pub fn redirect_flash(location: &str, kind: &str, message: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_owned()))
        .cookie(crate::auth::flash_cookie(kind, message))
        .finish()
}
