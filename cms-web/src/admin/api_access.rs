//! `/admin/api`: Admin API tokens (shown once, revocable) and the Content API
//! key, key requirement and CORS origins.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use cms_core::api_tokens;
use cms_core::{roles, settings, CoreError, FieldErrors};

use crate::auth::Authed;
use crate::error::{WebError, WebResult};
use crate::forms::FormData;
use crate::layout::{AdminLayout, AdminNav};
use crate::render;
use crate::state::AppState;
use crate::util;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/api", web::get().to(page))
        .route("/admin/api/tokens", web::post().to(create_token))
        .route(
            "/admin/api/tokens/{id}/revoke",
            web::post().to(revoke_token),
        )
        .route("/admin/api/content", web::post().to(save_content_settings));
}

struct TokenRow {
    id: i32,
    name: String,
    owner: String,
    prefix: String,
    scope: String,
    created: String,
    last_used: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "admin/api.html")]
struct ApiPage {
    layout: AdminLayout,
    tokens: Vec<TokenRow>,
    /// A token just created: shown this once.
    new_secret: String,
    token_name: String,
    token_scope: String,
    is_admin: bool,
    content_key: String,
    key_required: bool,
    cors_origins: String,
    base_url: String,
    errors: FieldErrors,
}

impl ApiPage {
    fn err(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

async fn build(state: &AppState, req: &HttpRequest, authed: &Authed) -> WebResult<ApiPage> {
    let user = authed.user.clone();
    let (site, tokens, api) = state
        .db(move |conn| {
            Ok((
                settings::load(conn)?,
                api_tokens::list(conn, &user)?,
                settings::api_settings(conn)?,
            ))
        })
        .await?;
    let tz = site.tz();
    Ok(ApiPage {
        layout: AdminLayout::with_site(&site.title, req, authed, AdminNav::Api, "API"),
        tokens: tokens
            .into_iter()
            .map(|(t, owner)| TokenRow {
                id: t.id,
                name: t.name.clone(),
                owner,
                prefix: t.token_prefix.clone(),
                scope: t.scope().as_str().into(),
                created: util::date_time(t.created_at, tz),
                last_used: t
                    .last_used_at
                    .map(|u| util::date_time(u, tz))
                    .unwrap_or_else(|| "never".into()),
                revoked: t.revoked_at.is_some(),
            })
            .collect(),
        new_secret: String::new(),
        token_name: String::new(),
        token_scope: "read".into(),
        is_admin: roles::can_manage_settings(&authed.user),
        content_key: api.content_key,
        key_required: api.key_required,
        cors_origins: api.cors_origins.join("\n"),
        base_url: site.base_url,
        errors: FieldErrors::default(),
    })
}

async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
) -> WebResult<HttpResponse> {
    let p = build(&state, &req, &authed).await?;
    render::admin(&req, &p)
}

async fn create_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    form: FormData,
) -> WebResult<HttpResponse> {
    // Nothing a visitor sees: the public cache stays.
    crate::cache::declare(crate::cache::Change::Nothing);
    authed.check_csrf(&form)?;
    let (name, scope) = (form.get("name").to_owned(), form.get("scope").to_owned());
    let user = authed.user.clone();
    let (n, s) = (name.clone(), scope.clone());
    let result = state
        .db(move |conn| api_tokens::create(conn, &user, &n, &s))
        .await;
    let mut p = build(&state, &req, &authed).await?;
    match result {
        Ok(created) => {
            tracing::info!(
                token = created.token.id,
                user = authed.user.id,
                "API token created"
            );
            p.new_secret = created.secret;
            render::admin(&req, &p)
        }
        Err(WebError::Core(CoreError::Validation(errors))) => {
            p.errors = errors;
            p.token_name = name;
            p.token_scope = scope;
            render::admin_status(&req, &p, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e),
    }
}

async fn revoke_token(
    state: web::Data<AppState>,
    authed: Authed,
    path: web::Path<i32>,
    form: FormData,
) -> WebResult<HttpResponse> {
    // Nothing a visitor sees: the public cache stays.
    crate::cache::declare(crate::cache::Change::Nothing);
    authed.check_csrf(&form)?;
    let (id, user) = (path.into_inner(), authed.user.clone());
    state
        .db(move |conn| api_tokens::revoke(conn, &user, id))
        .await?;
    Ok(render::redirect_flash(
        "/admin/api",
        "success",
        "Token revoked. Integrations using it can no longer connect.",
    ))
}

async fn save_content_settings(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    form: FormData,
) -> WebResult<HttpResponse> {
    authed.check_csrf(&form)?;
    authed.require(roles::can_manage_settings(&authed.user))?;
    let required = form.get("key_required") == "on";
    let origins = form.get("cors_origins").to_owned();
    let regenerate = form.get("action") == "regenerate";
    let o = origins.clone();
    match state
        .db(move |conn| settings::save_api_settings(conn, required, &o, regenerate))
        .await
    {
        Ok(_) => Ok(render::redirect_flash(
            "/admin/api",
            "success",
            if regenerate {
                "New Content API key generated; update your frontends."
            } else {
                "Content API settings saved."
            },
        )),
        Err(WebError::Core(CoreError::Validation(errors))) => {
            let mut p = build(&state, &req, &authed).await?;
            p.errors = errors;
            p.key_required = required;
            p.cors_origins = origins;
            render::admin_status(&req, &p, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e),
    }
}
