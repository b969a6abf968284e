//! RFC 9457 `application/problem+json` errors for everything under `/api`.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use cms_core::media::MediaError;
use cms_core::{CoreError, FieldError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::WebError;

/// A problem detail (RFC 9457).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (relative to the API docs).
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Field-level validation errors, when the input was invalid.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<FieldErrorDoc>)]
    pub errors: Vec<FieldError>,
}

/// One invalid field.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldErrorDoc {
    /// The field's path, e.g. `title` or `sections[2].body`.
    pub field: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("not found")]
    NotFound,
    #[error("authentication required: {0}")]
    Unauthorized(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("conflict: {0}")]
    Conflict(String),
    /// `If-Match` named a version that is no longer current.
    #[error("precondition failed: {0}")]
    PreconditionFailed(String),
    /// A write without a version (neither body `version` nor `If-Match`).
    #[error("precondition required")]
    PreconditionRequired,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("unprocessable: {0}")]
    Unprocessable(String),
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    #[error("too many requests: {0}")]
    Throttled(String),
    /// A refused upload: 413, 415 or 422 by kind (see `cms_core::media`).
    #[error("upload refused: {0}")]
    Media(MediaError),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::NotFound => ApiError::NotFound,
            CoreError::Conflict(m) => ApiError::Conflict(m),
            CoreError::Validation(errs) => ApiError::Validation(errs.0),
            CoreError::Forbidden(m) => ApiError::Forbidden(m),
            CoreError::Throttled(m) => ApiError::Throttled(m),
            CoreError::Media(
                m @ (MediaError::TooLarge(_) | MediaError::Unsupported(_) | MediaError::Invalid(_)),
            ) => ApiError::Media(m),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<WebError> for ApiError {
    fn from(e: WebError) -> Self {
        match e {
            WebError::Core(c) => c.into(),
            WebError::NotFound => ApiError::NotFound,
            WebError::LoginRequired { .. } => {
                ApiError::Unauthorized("log in or send a bearer token".into())
            }
            WebError::Forbidden(m) => ApiError::Forbidden(m),
            WebError::Csrf => ApiError::Forbidden("missing or invalid X-CSRF-Token header".into()),
            WebError::BadRequest(m) => ApiError::BadRequest(m),
            WebError::PayloadTooLarge => ApiError::PayloadTooLarge,
            WebError::UnsupportedMediaType => ApiError::UnsupportedMediaType,
            WebError::Internal(m) => ApiError::Internal(m),
        }
    }
}

impl ApiError {
    fn parts(&self) -> (&'static str, &'static str, String) {
        match self {
            ApiError::NotFound => ("not-found", "Not found", "No such resource.".into()),
            ApiError::Unauthorized(m) => ("unauthorized", "Authentication required", m.clone()),
            ApiError::Forbidden(m) => ("forbidden", "Forbidden", m.clone()),
            ApiError::BadRequest(m) => ("bad-request", "Bad request", m.clone()),
            ApiError::MethodNotAllowed => ("method-not-allowed", "Method not allowed", "This resource does not support that method.".into()),
            ApiError::Conflict(m) => ("conflict", "Conflict", m.clone()),
            ApiError::PreconditionFailed(m) => ("precondition-failed", "Precondition failed", m.clone()),
            ApiError::PreconditionRequired => (
                "precondition-required",
                "Version required",
                "Send the version you read, as `version` in the body or as `If-Match: \"<version>\"`.".into(),
            ),
            ApiError::PayloadTooLarge => ("payload-too-large", "Payload too large", "The request body exceeds the limit.".into()),
            ApiError::UnsupportedMediaType => {
                ("unsupported-media-type", "Unsupported media type", "Send the body as application/json.".into())
            }
            ApiError::Unprocessable(m) => ("unprocessable", "Unprocessable content", m.clone()),
            ApiError::Validation(_) => ("validation", "Invalid input", "One or more fields are invalid.".into()),
            ApiError::Throttled(m) => ("too-many-requests", "Too many requests", m.clone()),
            ApiError::Media(m) => match m {
                MediaError::TooLarge(_) => ("payload-too-large", "Payload too large", m.to_string()),
                MediaError::Unsupported(_) => ("unsupported-media-type", "Unsupported media type", m.to_string()),
                _ => ("unprocessable", "Unprocessable content", m.to_string()),
            },
            ApiError::Internal(_) => ("internal", "Internal error", "The server could not complete the request; it has been logged.".into()),
        }
    }

    pub fn problem(&self) -> Problem {
        let (kind, title, detail) = self.parts();
        Problem {
            kind: format!("/api/docs#problem-{kind}"),
            title: title.into(),
            status: self.status_code().as_u16(),
            detail,
            errors: match self {
                ApiError::Validation(e) => e.clone(),
                ApiError::Media(m) => vec![FieldError::new(MediaError::FIELD, m.to_string())],
                _ => Vec::new(),
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unprocessable(_) | ApiError::Validation(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Media(MediaError::TooLarge(_)) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Media(MediaError::Unsupported(_)) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Media(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(m) = self {
            tracing::error!(error = %m, "api request failed");
        }
        let mut resp = HttpResponse::build(self.status_code());
        resp.insert_header((header::CONTENT_TYPE, "application/problem+json"))
            .insert_header((header::CACHE_CONTROL, "no-store"));
        if let ApiError::Unauthorized(_) = self {
            resp.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"gazette\""));
        }
        if let ApiError::MethodNotAllowed = self {
            resp.insert_header((header::ALLOW, "GET, POST, PUT, PATCH, DELETE"));
        }
        resp.body(serde_json::to_string(&self.problem()).unwrap_or_else(|_| "{}".into()))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// JSON body errors: syntax → 400, wrong shape/types/unknown fields → 422,
/// too large → 413, wrong content type → 415.
pub fn json_error(err: actix_web::error::JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as J;
    let api = match &err {
        J::OverflowKnownLength { .. } | J::Overflow { .. } => ApiError::PayloadTooLarge,
        J::ContentType => ApiError::UnsupportedMediaType,
        J::Deserialize(e) if e.is_data() => {
            ApiError::Unprocessable(format!("the JSON does not match the expected shape: {e}"))
        }
        J::Deserialize(e) => ApiError::BadRequest(format!("malformed JSON: {e}")),
        other => ApiError::BadRequest(format!("could not read the body: {other}")),
    };
    api.into()
}

pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    _req: &HttpRequest,
) -> actix_web::Error {
    ApiError::BadRequest(format!("invalid query string: {err}")).into()
}

pub fn path_error(_err: actix_web::error::PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::NotFound.into()
}

pub async fn not_found() -> ApiResult<HttpResponse> {
    Err(ApiError::NotFound)
}

pub async fn method_not_allowed() -> ApiResult<HttpResponse> {
    Err(ApiError::MethodNotAllowed)
}
