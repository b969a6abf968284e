//! Admin API authentication: a bearer token (for integrations) or the admin
//! panel's session (for the panel's own scripts, with an `X-CSRF-Token` header
//! on every write).

use actix_web::http::{header, Method};
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use cms_core::api_tokens::{self, Scope};
use cms_core::tokens::constant_time_eq;
use cms_core::users::User;
use futures_util::future::LocalBoxFuture;

use super::problem::ApiError;
use crate::auth::MaybeAuthed;
use crate::state::AppState;

/// The user an Admin API request acts as, and what it may do.
pub struct ApiUser {
    pub user: User,
    pub scope: Scope,
}

impl ApiUser {
    /// Read-only tokens may not write.
    pub fn require_write(&self) -> Result<(), ApiError> {
        match self.scope {
            Scope::Write => Ok(()),
            Scope::Read => Err(ApiError::Forbidden("this token is read-only".into())),
        }
    }
}

fn is_write(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

impl FromRequest for ApiUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let session = MaybeAuthed::from_request(&req, payload);
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| ApiError::Internal("application state missing".into()))?
                .clone();
            let bearer = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| {
                    v.strip_prefix("Bearer ")
                        .or_else(|| v.strip_prefix("bearer "))
                })
                .map(|t| t.trim().to_owned());
            if let Some(token) = bearer {
                let found = state
                    .db(move |conn| api_tokens::authenticate(conn, &token))
                    .await?;
                let (tok, user) = found.ok_or_else(|| {
                    ApiError::Unauthorized("the bearer token is not valid or was revoked".into())
                })?;
                if !user.can_log_in() {
                    return Err(ApiError::Unauthorized(
                        "the token's user can no longer log in".into(),
                    ));
                }
                let scope = tok.scope();
                if scope == Scope::Read && is_write(req.method()) {
                    return Err(ApiError::Forbidden("this token is read-only".into()));
                }
                return Ok(ApiUser { user, scope });
            }
            let MaybeAuthed(authed) = session.await.map_err(ApiError::from)?;
            let authed = authed.ok_or_else(|| {
                ApiError::Unauthorized(
                    "send `Authorization: Bearer <token>` (create one under Admin → API)".into(),
                )
            })?;
            if is_write(req.method()) {
                let sent = req
                    .headers()
                    .get("X-CSRF-Token")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                if !constant_time_eq(sent, authed.csrf()) {
                    return Err(ApiError::Forbidden(
                        "a session-authenticated write needs the X-CSRF-Token header".into(),
                    ));
                }
            }
            Ok(ApiUser {
                user: authed.user,
                scope: Scope::Write,
            })
        })
    }
}
