//! The library's rows: the [`Media`] type as read from the `media` table,
//! finding, listing and paging images, and changing an image's alt text.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::{process, Variant};
use crate::db::DbConnection;
use crate::error::{CoreError, CoreResult};
use crate::roles;
use crate::schema::media;
use crate::users::User;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = media)]
struct MediaRow {
    id: i32,
    content_hash: String,
    storage_key: String,
    original_name: String,
    mime: String,
    width: i32,
    height: i32,
    bytes: i64,
    alt: String,
    variants: String,
    uploader_id: Option<i32>,
    created_at: NaiveDateTime,
}

/// An image in the library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Media {
    pub id: i32,
    /// SHA-256 of the uploaded file (hex).
    pub content_hash: String,
    /// Key of the original upload (private; never served).
    pub storage_key: String,
    /// The file name it was uploaded as (for the library only).
    pub original_name: String,
    /// The original's type, also the type of its non-WebP variants.
    pub mime: String,
    pub width: i32,
    pub height: i32,
    /// Size of the original upload.
    pub bytes: i64,
    pub alt: String,
    /// Every variant, ordered by type then width.
    pub variants: Vec<Variant>,
    /// `None` once the uploader's account is deleted (or for imports).
    pub uploader_id: Option<i32>,
    pub created_at: NaiveDateTime,
}

impl From<MediaRow> for Media {
    fn from(r: MediaRow) -> Self {
        let variants: Vec<Variant> = serde_json::from_str(&r.variants).unwrap_or_else(|e| {
            tracing::warn!(media = r.id, error = %e, "unreadable variants list");
            Vec::new()
        });
        Media {
            id: r.id,
            content_hash: r.content_hash,
            storage_key: r.storage_key,
            original_name: r.original_name,
            mime: r.mime,
            width: r.width,
            height: r.height,
            bytes: r.bytes,
            alt: r.alt,
            variants,
            uploader_id: r.uploader_id,
            created_at: r.created_at,
        }
    }
}

pub fn find(conn: &mut DbConnection, id: i32) -> CoreResult<Media> {
    let row: MediaRow = media::table
        .find(id)
        .select(MediaRow::as_select())
        .first(conn)?;
    Ok(row.into())
}

pub fn find_many(conn: &mut DbConnection, ids: &[i32]) -> CoreResult<Vec<Media>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<MediaRow> = media::table
        .filter(media::id.eq_any(ids))
        .select(MediaRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(Media::from).collect())
}

pub fn find_by_hash(conn: &mut DbConnection, content_hash: &str) -> CoreResult<Option<Media>> {
    let row: Option<MediaRow> = media::table
        .filter(media::content_hash.eq(content_hash))
        .select(MediaRow::as_select())
        .first(conn)
        .optional()?;
    Ok(row.map(Media::from))
}

pub fn exists(conn: &mut DbConnection, id: i32) -> CoreResult<bool> {
    let n: i64 = media::table
        .filter(media::id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// The newest `limit` images (for pickers).
pub fn recent(conn: &mut DbConnection, limit: i64) -> CoreResult<Vec<Media>> {
    let rows: Vec<MediaRow> = media::table
        .order((media::created_at.desc(), media::id.desc()))
        .limit(limit.clamp(1, 200))
        .select(MediaRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(Media::from).collect())
}

/// One page of the library, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct MediaPage {
    pub items: Vec<Media>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

impl MediaPage {
    pub fn has_next(&self) -> bool {
        self.page * self.per_page < self.total
    }
}

pub fn list(conn: &mut DbConnection, page: i64, per_page: i64) -> CoreResult<MediaPage> {
    let page = page.max(1);
    let per_page = per_page.clamp(1, 100);
    let total: i64 = media::table.count().get_result(conn)?;
    let rows: Vec<MediaRow> = media::table
        .order((media::created_at.desc(), media::id.desc()))
        .offset((page - 1).saturating_mul(per_page))
        .limit(per_page)
        .select(MediaRow::as_select())
        .load(conn)?;
    Ok(MediaPage {
        items: rows.into_iter().map(Media::from).collect(),
        page,
        per_page,
        total,
    })
}

/// Changes an image's alt text (its uploader, or an editor).
pub fn update_alt(conn: &mut DbConnection, actor: &User, id: i32, alt: &str) -> CoreResult<Media> {
    let m = find(conn, id)?;
    if !roles::can_manage_media(actor, m.uploader_id) {
        return Err(CoreError::Forbidden(
            "you may only change images you uploaded".into(),
        ));
    }
    let alt = crate::articles::save::single_line(alt);
    if alt.is_empty() {
        return Err(CoreError::invalid(
            "alt",
            "Describe the image for people who cannot see it (alt text is required).",
        ));
    }
    if alt.chars().count() > process::MAX_ALT_CHARS {
        return Err(CoreError::invalid(
            "alt",
            format!("Use at most {} characters.", process::MAX_ALT_CHARS),
        ));
    }
    diesel::update(media::table.find(id))
        .set(media::alt.eq(&alt))
        .execute(conn)?;
    find(conn, id)
}
