//! The one error type of the web layer and its mapping to responses.
//!
//! Status codes are chosen here, by `match`, and nowhere else. HTML routes get a
//! styled error page; (later) `/api` routes get `application/problem+json`.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;
use cms_core::media::MediaError;
use cms_core::CoreError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    /// Not logged in: send the browser to the login page, then back.
    #[error("login required")]
    LoginRequired { next: String },
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// A state-changing request without a valid CSRF token.
    #[error("invalid CSRF token")]
    Csrf,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("{0}")]
    Core(#[from] CoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: &'a str,
}

impl WebError {
    fn title_and_message(&self) -> (&'static str, String) {
        match self {
            WebError::NotFound | WebError::Core(CoreError::NotFound) => {
                ("Page not found", "We could not find that page. It may have moved or never existed.".into())
            }
            WebError::Forbidden(_) | WebError::Core(CoreError::Forbidden(_)) => {
                ("Not allowed", "Your account is not allowed to do that. Ask an administrator if you need access.".into())
            }
            WebError::Csrf => (
                "Form expired",
                "This form was not accepted because its security token was missing or out of date. Go back, reload the page and try again; nothing was changed.".into(),
            ),
            WebError::BadRequest(m) => ("Bad request", m.clone()),
            WebError::PayloadTooLarge => ("Too large", "What you sent is larger than this site accepts. Nothing was saved.".into()),
            WebError::UnsupportedMediaType => ("Unsupported form", "The request was not sent as a web form.".into()),
            WebError::Core(CoreError::Throttled(m)) => ("Too many attempts", m.clone()),
            WebError::Core(CoreError::Validation(errs)) => ("Invalid input", errs.to_string()),
            WebError::Core(CoreError::Conflict(m)) => ("Conflict", m.clone()),
            WebError::Core(CoreError::Media(
                m @ (MediaError::TooLarge(_) | MediaError::Unsupported(_) | MediaError::Invalid(_)),
            )) => ("Upload refused", m.to_string()),
            WebError::LoginRequired { .. } => ("Login required", "Please log in.".into()),
            WebError::Core(_) | WebError::Internal(_) => {
                ("Something went wrong", "The server could not complete this request. It has been logged; please try again.".into())
            }
        }
    }
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        match self {
            WebError::NotFound | WebError::Core(CoreError::NotFound) => StatusCode::NOT_FOUND,
            WebError::LoginRequired { .. } => StatusCode::SEE_OTHER,
            WebError::Forbidden(_) | WebError::Csrf | WebError::Core(CoreError::Forbidden(_)) => {
                StatusCode::FORBIDDEN
            }
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            WebError::Core(CoreError::Validation(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::Core(CoreError::Conflict(_)) => StatusCode::CONFLICT,
            WebError::Core(CoreError::Throttled(_)) => StatusCode::TOO_MANY_REQUESTS,
            WebError::Core(CoreError::Media(MediaError::TooLarge(_))) => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            WebError::Core(CoreError::Media(MediaError::Unsupported(_))) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            WebError::Core(CoreError::Media(MediaError::Invalid(_))) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            WebError::Core(_) | WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let WebError::LoginRequired { next } = self {
            let target = format!("/admin/login?next={}", crate::util::urlencode(next));
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, target))
                .finish();
        }
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        } else {
            tracing::debug!(error = %self, status = status.as_u16(), "request refused");
        }
        let (title, message) = self.title_and_message();
        let body = ErrorPage {
            status: status.as_u16(),
            title,
            message: &message,
        }
        .render()
        .unwrap_or_else(|_| format!("{} {}", status.as_u16(), title));
        HttpResponse::build(status)
            .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(body)
    }
}

pub type WebResult<T> = Result<T, WebError>;
