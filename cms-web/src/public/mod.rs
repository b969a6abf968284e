//! The public site: home, article, category and author pages.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::error::WebError;

pub fn routes(_cfg: &mut web::ServiceConfig) {}

/// The styled 404 for any unknown path.
pub async fn not_found(_req: HttpRequest) -> HttpResponse {
    WebError::NotFound.into()
}
