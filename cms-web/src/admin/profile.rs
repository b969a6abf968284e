//! One's own profile and password (any logged-in user).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use cms_core::users::{self, ProfileInput};
use cms_core::{sessions, settings, throttle, CoreError, FieldErrors};
use diesel::Connection;

use crate::auth::{self, session_cookie, Authed};
use crate::error::{WebError, WebResult};
use crate::forms::FormData;
use crate::layout::{AdminLayout, AdminNav};
use crate::render;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/admin/profile")
            .route(web::get().to(show))
            .route(web::post().to(update)),
    )
    .route("/admin/profile/password", web::post().to(change_password));
}

const PROFILE: &str = "/admin/profile";

/// Keeps the browser logged in after a password change, which ends every
/// session of the user (`users::set_password`), with a session made for it.
pub(super) fn add_session_cookie(
    resp: &mut HttpResponse,
    token: &str,
    secure: bool,
    ttl: chrono::Duration,
) -> WebResult<()> {
    resp.add_cookie(&session_cookie(token, secure, ttl))
        .map_err(|e| WebError::Internal(e.to_string()))
}

#[derive(Template)]
#[template(path = "admin/profile.html")]
struct ProfilePage {
    layout: AdminLayout,
    display_name: String,
    email: String,
    slug: String,
    bio: String,
    /// The saved URL name, for the link to the author page.
    saved_slug: String,
    errors: FieldErrors,
}

impl ProfilePage {
    fn err(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

async fn page(
    state: &AppState,
    req: &HttpRequest,
    authed: &Authed,
    typed: Option<ProfileInput>,
    errors: FieldErrors,
) -> WebResult<ProfilePage> {
    let u = &authed.user;
    let p = typed.unwrap_or_else(|| ProfileInput {
        email: u.email.clone(),
        display_name: u.display_name.clone(),
        slug: u.slug.clone(),
        bio: u.bio.clone(),
    });
    Ok(ProfilePage {
        layout: AdminLayout::load(state, req, authed, AdminNav::Profile, "Your profile").await?,
        display_name: p.display_name,
        email: p.email,
        slug: p.slug,
        bio: p.bio,
        saved_slug: u.slug.clone(),
        errors,
    })
}

async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
) -> WebResult<HttpResponse> {
    let page = page(&state, &req, &authed, None, FieldErrors::default()).await?;
    render::admin(&req, &page)
}

async fn update(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    form: FormData,
) -> WebResult<HttpResponse> {
    authed.check_csrf(&form)?;
    let input = ProfileInput {
        email: form.get("email").to_owned(),
        display_name: form.get("display_name").to_owned(),
        slug: form.get("slug").to_owned(),
        bio: form.get("bio").to_owned(),
    };
    let (id, to_save) = (authed.user.id, input.clone());
    match state
        .db(move |conn| users::update_profile(conn, id, to_save))
        .await
    {
        Ok(_) => Ok(render::redirect_flash(
            PROFILE,
            "success",
            "Your profile has been saved.",
        )),
        Err(WebError::Core(CoreError::Validation(errors))) => {
            let page = page(&state, &req, &authed, Some(input), errors).await?;
            render::admin_status(&req, &page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e),
    }
}

async fn change_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    form: FormData,
) -> WebResult<HttpResponse> {
    authed.check_csrf(&form)?;
    let current = form.get("current_password").to_owned();
    let new = form.get("new_password").to_owned();
    let confirm = form.get("password_confirm").to_owned();
    let user = authed.user.clone();
    let client = auth::client_addr(&req, state.config.trust_proxy_headers);
    let ttl = state.session_ttl();
    let result = state
        .db(move |conn| {
            // Guessing the current password from a hijacked session is
            // throttled like guessing it at the login form.
            throttle::check(conn, &user.email, &client)?;
            if new != confirm {
                // Report every problem at once and change nothing.
                let mut errors = FieldErrors::default();
                let current_ok = user
                    .password_hash
                    .as_deref()
                    .is_some_and(|h| users::verify_password(&current, h));
                if !current_ok {
                    throttle::record_failure(conn, &user.email, &client)?;
                    errors.add("current_password", "The current password is not correct.");
                }
                users::validate_password("new_password", &new, &mut errors);
                errors.add("password_confirm", "The two new passwords do not match.");
                return Err(CoreError::Validation(errors));
            }
            let changed = conn.transaction(|conn| {
                users::change_own_password(conn, &user, &current, &new)?;
                sessions::create(conn, user.id, ttl)
            });
            match changed {
                Ok(fresh) => {
                    throttle::clear_account(conn, &user.email)?;
                    Ok((fresh, settings::load(conn)?.is_https()))
                }
                Err(CoreError::Validation(e)) => {
                    if e.get("current_password").is_some() {
                        throttle::record_failure(conn, &user.email, &client)?;
                    }
                    Err(CoreError::Validation(e))
                }
                Err(e) => Err(e),
            }
        })
        .await;
    let (errors, status) = match result {
        Ok((fresh, secure)) => {
            tracing::info!(user = authed.user.id, "password changed");
            let mut resp = render::redirect_flash(
                PROFILE,
                "success",
                "Your password has been changed. Your other sessions have been logged out.",
            );
            add_session_cookie(&mut resp, &fresh.token, secure, ttl)?;
            return Ok(resp);
        }
        Err(WebError::Core(CoreError::Validation(errors))) => {
            (errors, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(WebError::Core(CoreError::Throttled(m))) => {
            let mut errors = FieldErrors::default();
            errors.add("current_password", m);
            (errors, StatusCode::TOO_MANY_REQUESTS)
        }
        Err(e) => return Err(e),
    };
    let page = page(&state, &req, &authed, None, errors).await?;
    render::admin_status(&req, &page, status)
}
