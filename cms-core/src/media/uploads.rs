//! Storing an upload: a processed image's files written to the store, then
//! its row, with the same file uploaded twice stored once (its keys derive
//! from its SHA-256).

use diesel::prelude::*;

use super::{
    find, find_by_hash, prepare, process, Limits, Media, MediaError, MediaStorage, Prepared,
    Variant,
};
use crate::db::DbConnection;
use crate::error::{CoreError, CoreResult};
use crate::schema::media;
use crate::time::now;
use crate::users::User;
use crate::with_backend;

/// The result of an upload: the image, and whether this upload added it
/// (`false`: the same file was already in the library, and that row is returned).
#[derive(Debug, Clone)]
pub struct Uploaded {
    pub media: Media,
    pub created: bool,
}

fn storage_error(e: std::io::Error) -> CoreError {
    CoreError::Media(MediaError::Storage(e.to_string()))
}

/// Writes a [`Prepared`] upload's files, then its row. Files first: a row
/// never points at files that are not there (a failed insert leaves at worst
/// unreferenced files, which a re-upload of the same image reuses).
pub fn save_prepared(
    conn: &mut DbConnection,
    storage: &dyn MediaStorage,
    prepared: Prepared,
    uploader: Option<&User>,
) -> CoreResult<Uploaded> {
    if let Some(existing) = find_by_hash(conn, &prepared.content_hash)? {
        return Ok(Uploaded {
            media: existing,
            created: false,
        });
    }
    let original_key = process::original_key(&prepared.content_hash, prepared.kind);
    storage
        .put(&original_key, &prepared.original, prepared.kind.mime())
        .map_err(storage_error)?;
    for (v, data) in &prepared.variants {
        storage.put(&v.key, data, &v.mime).map_err(storage_error)?;
    }
    let variants: Vec<Variant> = prepared.variants.iter().map(|(v, _)| v.clone()).collect();
    let variants_json = serde_json::to_string(&variants)
        .map_err(|e| CoreError::Media(MediaError::Storage(e.to_string())))?;
    let values = (
        media::content_hash.eq(&prepared.content_hash),
        media::storage_key.eq(&original_key),
        media::original_name.eq(&prepared.original_name),
        media::mime.eq(prepared.kind.mime()),
        media::width.eq(prepared.width as i32),
        media::height.eq(prepared.height as i32),
        media::bytes.eq(prepared.original.len() as i64),
        media::alt.eq(&prepared.alt),
        media::variants.eq(&variants_json),
        media::uploader_id.eq(uploader.map(|u| u.id)),
        media::created_at.eq(now()),
    );
    // Two uploads of the same file at once: one insert wins, the other finds it.
    let inserted: Option<i32> = with_backend!(conn, |c| diesel::insert_into(media::table)
        .values(values)
        .on_conflict(media::content_hash)
        .do_nothing()
        .returning(media::id)
        .get_result::<i32>(c)
        .optional())?;
    match inserted {
        Some(id) => Ok(Uploaded {
            media: find(conn, id)?,
            created: true,
        }),
        None => {
            let media = find_by_hash(conn, &prepared.content_hash)?.ok_or(CoreError::NotFound)?;
            Ok(Uploaded {
                media,
                created: false,
            })
        }
    }
}

/// Checks, processes and stores an upload in one call (for the CLI and
/// importers; the web layer runs [`prepare`] and [`save_prepared`] separately
/// so the image work does not hold a database connection).
///
/// `original_name` is only shown in the library; the type comes from the
/// bytes. `alt` is required. An identical file already in the library is
/// returned as it is (its alt text unchanged) without processing it again.
pub fn upload(
    conn: &mut DbConnection,
    storage: &dyn MediaStorage,
    limits: &Limits,
    bytes: &[u8],
    original_name: &str,
    alt: &str,
    uploader: Option<&User>,
) -> CoreResult<Uploaded> {
    process::check_fields(bytes, alt)?;
    if bytes.len() <= limits.max_bytes {
        let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes));
        if let Some(existing) = find_by_hash(conn, &hash)? {
            return Ok(Uploaded {
                media: existing,
                created: false,
            });
        }
    }
    let prepared = prepare(bytes, original_name, alt, limits)?;
    save_prepared(conn, storage, prepared, uploader)
}

/// [`upload`], returning just the image: the stable entry point for importers.
pub fn store_upload(
    conn: &mut DbConnection,
    storage: &dyn MediaStorage,
    bytes: &[u8],
    original_name: &str,
    alt: &str,
    uploader: Option<&User>,
) -> CoreResult<Media> {
    Ok(upload(
        conn,
        storage,
        &Limits::default(),
        bytes,
        original_name,
        alt,
        uploader,
    )?
    .media)
}
