//! Preview: the unsaved article rendered by the public article template.

use actix_web::{HttpRequest, HttpResponse};
use cms_core::articles::ArticleFull;

use crate::error::{WebError, WebResult};
use crate::state::AppState;

pub async fn render(_state: &AppState, _req: &HttpRequest, _full: ArticleFull) -> WebResult<HttpResponse> {
    Err(WebError::NotFound)
}
