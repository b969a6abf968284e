//! First-run setup, login and logout.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use cms_core::users::{self, NewUserInput};
use cms_core::{sessions, settings, throttle, CoreError, FieldErrors};
use diesel::Connection;
use serde::Deserialize;

use crate::auth::{self, check_anon_csrf, session_cookie, MaybeAuthed, SESSION_COOKIE};
use crate::error::{WebError, WebResult};
use crate::forms::FormData;
use crate::layout::BareLayout;
use crate::render;
use crate::state::AppState;
use crate::util::safe_next;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/admin/setup")
            .route(web::get().to(setup_form))
            .route(web::post().to(setup_submit)),
    )
    .service(
        web::resource("/admin/login")
            .route(web::get().to(login_form))
            .route(web::post().to(login_submit)),
    )
    .route("/admin/logout", web::post().to(logout));
}

#[derive(Template)]
#[template(path = "admin/setup.html")]
struct SetupPage {
    layout: BareLayout,
    csrf: String,
    site_title: String,
    name: String,
    email: String,
    errors: FieldErrors,
}

impl SetupPage {
    fn err(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

async fn setup_open(state: &AppState) -> WebResult<bool> {
    Ok(state.db(users::count_login_capable).await? == 0)
}

async fn setup_form(state: web::Data<AppState>, req: HttpRequest) -> WebResult<HttpResponse> {
    if !setup_open(&state).await? {
        return Err(WebError::NotFound);
    }
    let site = state.db(settings::load).await?;
    let (csrf, cookie) = auth::anon_csrf(&req, site.is_https());
    let page = SetupPage {
        layout: BareLayout::new(&site.title, &req, "Set up Gazette"),
        csrf,
        site_title: site.title.clone(),
        name: String::new(),
        email: String::new(),
        errors: FieldErrors::default(),
    };
    let mut resp = render::admin(&req, &page)?;
    if let Some(c) = cookie {
        resp.add_cookie(&c)
            .map_err(|e| WebError::Internal(e.to_string()))?;
    }
    Ok(resp)
}

async fn setup_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: FormData,
) -> WebResult<HttpResponse> {
    if !setup_open(&state).await? {
        return Err(WebError::NotFound);
    }
    check_anon_csrf(&req, &form)?;
    let name = form.get("name").to_owned();
    let email = form.get("email").to_owned();
    let site_title = form.get("site_title").trim().to_owned();
    let password = form.get("password").to_owned();
    let confirm = form.get("password_confirm").to_owned();
    let ttl = state.session_ttl();
    let input = NewUserInput {
        email: email.clone(),
        display_name: name.clone(),
        role: "administrator".into(),
        password: Some(password.clone()),
        ..Default::default()
    };
    let title_for_db = site_title.clone();
    let result = state
        .db(move |conn| {
            conn.transaction(|conn| {
                let mut errors = FieldErrors::default();
                if password != confirm {
                    errors.add("password_confirm", "The two passwords do not match.");
                }
                if title_for_db.is_empty() || title_for_db.chars().count() > 120 {
                    errors.add(
                        "site_title",
                        "Enter the site's title (up to 120 characters).",
                    );
                }
                // Re-checked inside the transaction: two racing setup forms must
                // not both create an administrator.
                if users::count_login_capable(conn)? > 0 {
                    return Err(CoreError::NotFound);
                }
                // Any error rolls the whole transaction back: no half-made admin.
                let user = match users::create(conn, input) {
                    Ok(u) => u,
                    Err(CoreError::Validation(mut e)) => {
                        e.0.extend(errors.0);
                        return Err(CoreError::Validation(e));
                    }
                    Err(e) => return Err(e),
                };
                errors.into_result()?;
                settings::set_value(conn, "site.title", &title_for_db)?;
                sessions::create(conn, user.id, ttl)
            })
        })
        .await;
    match result {
        Ok(new) => {
            let secure = state.db(settings::load).await?.is_https();
            let mut resp = render::redirect_flash(
                "/admin",
                "success",
                "Welcome to Gazette. Your administrator account is ready.",
            );
            resp.add_cookie(&session_cookie(&new.token, secure, ttl))
                .map_err(|e| WebError::Internal(e.to_string()))?;
            Ok(resp)
        }
        Err(WebError::Core(CoreError::Validation(errors))) => {
            let site = state.db(settings::load).await?;
            let (csrf, _) = auth::anon_csrf(&req, site.is_https());
            let page = SetupPage {
                layout: BareLayout::new(&site.title, &req, "Set up Gazette"),
                csrf,
                site_title,
                name,
                email,
                errors,
            };
            render::admin_status(&req, &page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "admin/login.html")]
struct LoginPage {
    layout: BareLayout,
    csrf: String,
    email: String,
    next: String,
    error: String,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<NextQuery>,
    who: MaybeAuthed,
) -> WebResult<HttpResponse> {
    let next = safe_next(q.next.as_deref().unwrap_or("/admin"));
    if who.0.is_some() {
        return Ok(render::redirect(&next));
    }
    if setup_open(&state).await? {
        return Ok(render::redirect("/admin/setup"));
    }
    let site = state.db(settings::load).await?;
    let (csrf, cookie) = auth::anon_csrf(&req, site.is_https());
    let page = LoginPage {
        layout: BareLayout::new(&site.title, &req, "Log in"),
        csrf,
        email: String::new(),
        next,
        error: String::new(),
    };
    let mut resp = render::admin(&req, &page)?;
    if let Some(c) = cookie {
        resp.add_cookie(&c)
            .map_err(|e| WebError::Internal(e.to_string()))?;
    }
    Ok(resp)
}

async fn login_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: FormData,
) -> WebResult<HttpResponse> {
    // Nothing a visitor sees: the public cache stays.
    crate::cache::declare(crate::cache::Change::Nothing);
    check_anon_csrf(&req, &form)?;
    let email = form.get("email").trim().to_owned();
    let password = form.get("password").to_owned();
    let next = safe_next(form.get("next"));
    let client = auth::client_addr(&req, state.config.trust_proxy_headers);
    let ttl = state.session_ttl();
    let old_token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
    let (email_db, client_db) = (email.clone(), client.clone());
    let outcome = state
        .db(move |conn| {
            throttle::check(conn, &email_db, &client_db)?;
            let user = users::find_by_email(conn, &email_db)?;
            let ok = match user.as_ref().and_then(|u| u.password_hash.as_deref()) {
                Some(hash) => users::verify_password(&password, hash),
                None => {
                    users::burn_verification(&password);
                    false
                }
            };
            match user {
                Some(u) if ok => {
                    throttle::clear_account(conn, &email_db)?;
                    // Rotate: whatever session the browser held before is ended.
                    if let Some(old) = old_token {
                        sessions::destroy(conn, &old)?;
                    }
                    Ok(Some(sessions::create(conn, u.id, ttl)?))
                }
                _ => {
                    throttle::record_failure(conn, &email_db, &client_db)?;
                    Ok(None)
                }
            }
        })
        .await;
    let error = match outcome {
        Ok(Some(new)) => {
            tracing::info!(email = %email, "login");
            let secure = state.db(settings::load).await?.is_https();
            let mut resp = render::redirect(&next);
            resp.add_cookie(&session_cookie(&new.token, secure, ttl))
                .map_err(|e| WebError::Internal(e.to_string()))?;
            return Ok(resp);
        }
        Ok(None) => {
            tracing::warn!(email = %email, client = %client, "failed login");
            "That email and password do not match an account.".to_owned()
        }
        Err(WebError::Core(CoreError::Throttled(m))) => {
            tracing::warn!(email = %email, client = %client, "login throttled");
            m
        }
        Err(e) => return Err(e),
    };
    let site = state.db(settings::load).await?;
    let (csrf, _) = auth::anon_csrf(&req, site.is_https());
    let status = if error.starts_with("Too many") {
        StatusCode::TOO_MANY_REQUESTS
    } else {
        StatusCode::UNAUTHORIZED
    };
    let page = LoginPage {
        layout: BareLayout::new(&site.title, &req, "Log in"),
        csrf,
        email,
        next,
        error,
    };
    render::admin_status(&req, &page, status)
}

async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: MaybeAuthed,
    form: FormData,
) -> WebResult<HttpResponse> {
    // Nothing a visitor sees: the public cache stays.
    crate::cache::declare(crate::cache::Change::Nothing);
    if let Some(a) = who.0 {
        a.check_csrf(&form)?;
        if let Some(c) = req.cookie(SESSION_COOKIE) {
            let token = c.value().to_owned();
            state
                .db(move |conn| sessions::destroy(conn, &token))
                .await?;
        }
    }
    let mut resp = render::redirect_flash("/admin/login", "success", "You have been logged out.");
    resp.add_cookie(&auth::clear_cookie(SESSION_COOKIE, "/"))
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(resp)
}
