//! URL-encoded form bodies with repeated keys kept in order (the article
//! editor posts one `section_heading` per section).

use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use crate::error::WebError;
use crate::state::AppState;

/// A parsed `application/x-www-form-urlencoded` body.
#[derive(Debug, Clone, Default)]
pub struct FormData {
    pairs: Vec<(String, String)>,
}

impl FormData {
    pub fn parse(bytes: &[u8]) -> Self {
        Self {
            pairs: form_urlencoded::parse(bytes).into_owned().collect(),
        }
    }

    /// Fields already decoded elsewhere (the text parts of a multipart upload).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Self { pairs }
    }

    /// The first value for `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// The first value, if the field was sent at all.
    pub fn opt(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value for `name`, in the order sent.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == name)
    }

    /// An optional integer id ("" or absent → None; garbage → None).
    pub fn id(&self, name: &str) -> Option<i32> {
        self.get(name).trim().parse().ok()
    }
}

impl FromRequest for FormData {
    type Error = WebError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map_or(4 << 20, |s| s.config.max_form_bytes);
        let ct = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let fut = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !ct.starts_with("application/x-www-form-urlencoded") {
                return Err(WebError::UnsupportedMediaType);
            }
            let bytes = fut.await.map_err(|e| {
                if e.as_response_error().status_code()
                    == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE
                {
                    WebError::PayloadTooLarge
                } else {
                    WebError::BadRequest("the form could not be read".into())
                }
            })?;
            if bytes.len() > limit {
                return Err(WebError::PayloadTooLarge);
            }
            Ok(FormData::parse(&bytes))
        })
    }
}
