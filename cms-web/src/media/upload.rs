//! Reading `multipart/form-data` uploads with limits, and storing them.
//!
//! The global `PayloadConfig` (`max_form_bytes`) does not apply to multipart
//! streams, so this module enforces its own: at most `max_upload_bytes` for
//! the file and `max_form_bytes` for the other fields together. A file over
//! its limit is read to its end but not kept, so the fields after it (the alt
//! text, the editor's sections) still arrive and a form can be shown again
//! with a clear message; a body far past both limits is cut off with a 413.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{web, HttpRequest};
use cms_core::media::{self, process, Uploaded};
use cms_core::users::User;
use cms_core::CoreError;
use futures_util::StreamExt;

use crate::error::WebError;
use crate::forms::FormData;
use crate::state::AppState;

/// The file part of an upload.
#[derive(Debug, Clone, Default)]
pub struct FilePart {
    /// The form field it came in (`file`, `upload_file`, …).
    pub field: String,
    /// The name the browser sent (shown in the library; never trusted for the type).
    pub filename: String,
    /// Empty when the file was over the limit.
    pub bytes: Vec<u8>,
    /// How many bytes the browser sent.
    pub size: usize,
}

impl FilePart {
    pub fn is_empty(&self) -> bool {
        self.size == 0
    }
}

/// A parsed upload: the text fields (as a [`FormData`], so CSRF checks and
/// form parsing work as for any form) and the first non-empty file.
#[derive(Debug, Default)]
pub struct UploadForm {
    pub fields: FormData,
    pub file: Option<FilePart>,
}

/// Whether the request is `multipart/form-data`.
pub fn is_multipart(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// Reads the whole multipart body. Errors: 415 when it is not multipart,
/// 413 when the body is far over the limits, 400 when it is malformed.
pub async fn read(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<UploadForm, WebError> {
    if !is_multipart(req) {
        return Err(WebError::UnsupportedMediaType);
    }
    let max_file = state.config.max_upload_bytes;
    let max_text = state.config.max_form_bytes;
    // Room to read past an oversized file to the fields behind it, no more.
    let hard_cap = max_file.saturating_mul(2).saturating_add(max_text);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > hard_cap) {
        return Err(WebError::PayloadTooLarge);
    }
    let malformed = |e: actix_multipart::MultipartError| {
        WebError::BadRequest(format!("the upload could not be read: {e}"))
    };
    let mut mp = Multipart::new(req.headers(), payload);
    let mut pairs = Vec::new();
    let mut file: Option<FilePart> = None;
    let (mut total, mut text_total) = (0usize, 0usize);
    while let Some(field) = mp.next().await {
        let mut field = field.map_err(malformed)?;
        let name = field.name().unwrap_or("").to_owned();
        let filename = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(str::to_owned);
        let mut data = Vec::new();
        let mut size = 0usize;
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(malformed)?;
            size += chunk.len();
            total += chunk.len();
            if total > hard_cap {
                return Err(WebError::PayloadTooLarge);
            }
            match &filename {
                Some(_) if size <= max_file => data.extend_from_slice(&chunk),
                Some(_) => data = Vec::new(),
                None => {
                    text_total += chunk.len();
                    if text_total > max_text {
                        return Err(WebError::PayloadTooLarge);
                    }
                    data.extend_from_slice(&chunk);
                }
            }
        }
        match filename {
            // A file input left empty still sends an empty part.
            Some(_) if size == 0 => {}
            Some(filename) if file.is_none() => {
                file = Some(FilePart {
                    field: name,
                    filename,
                    bytes: data,
                    size,
                })
            }
            Some(_) => {}
            None => pairs.push((name, String::from_utf8_lossy(&data).into_owned())),
        }
    }
    Ok(UploadForm {
        fields: FormData::from_pairs(pairs),
        file,
    })
}

/// Checks, processes (on the blocking pool, without a database connection)
/// and stores an upload by `user`. A missing file or alt text is a
/// validation error on `file` / `alt`; a refused image a [`CoreError::Media`].
pub async fn store(
    state: &AppState,
    user: &User,
    file: Option<FilePart>,
    alt: &str,
) -> Result<Uploaded, WebError> {
    let limits = state.media_limits();
    let file = file.unwrap_or_default();
    if file.size > limits.max_bytes {
        // Say what is wrong with the alt text too, if anything, in one go.
        if let Err(CoreError::Validation(mut errs)) = process::check_fields(b"x", alt) {
            errs.add(
                media::MediaError::FIELD,
                process::too_large(file.size, &limits).to_string(),
            );
            return Err(CoreError::Validation(errs).into());
        }
        return Err(CoreError::Media(process::too_large(file.size, &limits)).into());
    }
    let alt = alt.to_owned();
    let prepared = web::block(move || media::prepare(&file.bytes, &file.filename, &alt, &limits))
        .await
        .map_err(|e| WebError::Internal(format!("blocking task failed: {e}")))??;
    let storage = state.media.clone();
    let user = user.clone();
    state
        .db(move |conn| media::save_prepared(conn, storage.as_ref(), prepared, Some(&user)))
        .await
}

/// The message to show next to the upload field for a refused upload, or
/// `None` for errors that are not about the upload.
pub fn field_errors(e: &WebError) -> Option<cms_core::FieldErrors> {
    match e {
        WebError::Core(CoreError::Validation(errs)) => Some(errs.clone()),
        WebError::Core(CoreError::Media(
            m @ (media::MediaError::TooLarge(_)
            | media::MediaError::Unsupported(_)
            | media::MediaError::Invalid(_)),
        )) => {
            let mut errs = cms_core::FieldErrors::default();
            errs.add(media::MediaError::FIELD, m.to_string());
            Some(errs)
        }
        WebError::PayloadTooLarge => {
            let mut errs = cms_core::FieldErrors::default();
            errs.add(
                media::MediaError::FIELD,
                "The upload is larger than this site accepts.",
            );
            Some(errs)
        }
        _ => None,
    }
}
