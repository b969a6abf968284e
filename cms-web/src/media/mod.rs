//! The media library on the web: serving variants under `/media/…`, reading
//! uploads (multipart) for the admin panel and the Admin API, and the image
//! views templates print (`<img srcset>`).

pub mod upload;
pub mod view;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use cms_core::media::{self, StoredObject};

use crate::error::{WebError, WebResult};
use crate::state::AppState;

pub use view::ImageView;

/// A variant's URL never changes meaning (its key is its content's hash), so
/// browsers and CDNs may keep it for a year without asking again.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/media/{key:.+}")
            .route(web::get().to(serve))
            .route(web::head().to(serve)),
    );
}

/// `GET /media/ab/cd/<hash>-<width>.<ext>`: a variant from the store. Only
/// variant keys are served (the private originals, which may carry EXIF
/// metadata, never are); the type comes from the extension we wrote.
pub async fn serve(
    state: web::Data<AppState>,
    req: HttpRequest,
    key: web::Path<String>,
) -> WebResult<HttpResponse> {
    let key = key.into_inner();
    if !media::is_variant_key(&key) {
        return Ok(crate::public::not_found(req).await);
    }
    let content_type = media::content_type_of(&key).ok_or(WebError::NotFound)?;
    // The key names the content, so it is a perfect (strong) validator.
    let etag = format!("\"{}\"", key.rsplit('/').next().unwrap_or(&key));
    let storage = state.media.clone();
    let found = web::block(move || -> std::io::Result<Option<Vec<u8>>> {
        match storage.get(&key)? {
            None => Ok(None),
            Some(StoredObject::Bytes(b)) => Ok(Some(b)),
            // Variants are at most 1600 pixels wide: reading one whole is cheap.
            Some(StoredObject::Path(p)) => std::fs::read(p).map(Some),
        }
    })
    .await
    .map_err(|e| WebError::Internal(format!("blocking task failed: {e}")))?
    .map_err(|e| WebError::Internal(format!("media store: {e}")))?;
    let Some(bytes) = found else {
        return Ok(crate::public::not_found(req).await);
    };
    let fresh = crate::util::etag_matches(req.headers(), &etag);
    let mut resp = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    resp.insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, IMMUTABLE));
    if fresh {
        return Ok(resp.finish());
    }
    Ok(resp
        .insert_header((header::CONTENT_TYPE, content_type))
        .body(bytes))
}
