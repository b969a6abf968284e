//! The media library: uploaded images, their resized variants, and who uses them.
//!
//! - [`process`] checks an upload (type by content, size and pixel limits) and
//!   makes the variants — CPU only, no database.
//! - [`storage`] is the [`MediaStorage`] interface and the local-disk store.
//! - This module keeps the `media` rows and ties the two together:
//!   [`store_upload`] is the one way in, for the admin panel, the Admin API and
//!   importers alike.
//!
//! A file's keys derive from its SHA-256, so URLs are immutable (served with a
//! year-long `Cache-Control`) and the same file uploaded twice is stored once:
//! the second upload returns the first row.

pub mod process;
pub mod storage;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

pub use process::{prepare, Limits, Prepared};
pub use storage::{LocalDiskStorage, MediaStorage, StoredObject};

use crate::db::DbConnection;
use crate::error::{CoreError, CoreResult};
use crate::roles;
use crate::schema::{articles, media, sections};
use crate::time::now;
use crate::users::User;
use crate::with_backend;

/// Where variants are served: `/media/<key>`.
pub const URL_PREFIX: &str = "/media/";

/// Why an upload was refused (besides missing fields, which are ordinary
/// validation errors). The web layer picks the status from the variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    /// Over the byte limit (HTTP 413).
    #[error("{0}")]
    TooLarge(String),
    /// Not JPEG, PNG, WebP or GIF by content (HTTP 415).
    #[error("{0}")]
    Unsupported(String),
    /// A supported type, but too many pixels, too long a side, or damaged (HTTP 422).
    #[error("{0}")]
    Invalid(String),
    /// The store failed (HTTP 500); the message is for logs.
    #[error("media storage: {0}")]
    Storage(String),
}

impl MediaError {
    /// The form field an upload error belongs to.
    pub const FIELD: &'static str = "file";
}

/// The image formats Gazette accepts and serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageKind {
    Jpeg,
    Png,
    Gif,
    WebP,
}

impl ImageKind {
    pub fn mime(self) -> &'static str {
        match self {
            ImageKind::Jpeg => "image/jpeg",
            ImageKind::Png => "image/png",
            ImageKind::Gif => "image/gif",
            ImageKind::WebP => "image/webp",
        }
    }
    pub fn ext(self) -> &'static str {
        match self {
            ImageKind::Jpeg => "jpg",
            ImageKind::Png => "png",
            ImageKind::Gif => "gif",
            ImageKind::WebP => "webp",
        }
    }
    pub fn from_mime(mime: &str) -> Option<ImageKind> {
        [
            ImageKind::Jpeg,
            ImageKind::Png,
            ImageKind::Gif,
            ImageKind::WebP,
        ]
        .into_iter()
        .find(|k| k.mime() == mime)
    }
    pub fn from_ext(ext: &str) -> Option<ImageKind> {
        [
            ImageKind::Jpeg,
            ImageKind::Png,
            ImageKind::Gif,
            ImageKind::WebP,
        ]
        .into_iter()
        .find(|k| k.ext() == ext)
    }
    pub(crate) fn format(self) -> image::ImageFormat {
        match self {
            ImageKind::Jpeg => image::ImageFormat::Jpeg,
            ImageKind::Png => image::ImageFormat::Png,
            ImageKind::Gif => image::ImageFormat::Gif,
            ImageKind::WebP => image::ImageFormat::WebP,
        }
    }
}

/// One resized copy of an image, as stored in the `variants` JSON column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    pub key: String,
    pub width: u32,
    pub height: u32,
    pub mime: String,
    pub bytes: u64,
}

impl Variant {
    /// The site-relative URL (`/media/ab/cd/…-640.jpg`).
    pub fn path(&self) -> String {
        format!("{URL_PREFIX}{}", self.key)
    }
}

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

/// Widest variant a section image uses (`![alt](…)` in the Markdown).
pub const INLINE_WIDTH: u32 = 1024;

impl Media {
    pub fn kind(&self) -> Option<ImageKind> {
        ImageKind::from_mime(&self.mime)
    }

    /// Variants of one type, narrowest first.
    pub fn variants_of(&self, mime: &str) -> Vec<&Variant> {
        let mut v: Vec<&Variant> = self.variants.iter().filter(|v| v.mime == mime).collect();
        v.sort_by_key(|v| v.width);
        v
    }

    /// Variants in the original's format (what every browser can show).
    pub fn main_variants(&self) -> Vec<&Variant> {
        self.variants_of(&self.mime)
    }

    /// WebP variants, when the original is not WebP itself.
    pub fn webp_variants(&self) -> Vec<&Variant> {
        if self.mime == ImageKind::WebP.mime() {
            Vec::new()
        } else {
            self.variants_of(ImageKind::WebP.mime())
        }
    }

    /// Whether offering the WebP variants saves bytes. The `image` crate
    /// writes lossless WebP, which beats PNG and GIF but is often larger than
    /// a JPEG; then browsers are better off with the JPEG.
    pub fn webp_is_smaller(&self) -> bool {
        let webp: u64 = self.webp_variants().iter().map(|v| v.bytes).sum();
        let main: u64 = self.main_variants().iter().map(|v| v.bytes).sum();
        webp > 0 && webp < main
    }

    /// The largest variant in the original's format (share images, feeds).
    pub fn largest(&self) -> Option<&Variant> {
        self.main_variants().into_iter().last()
    }

    /// The smallest one (thumbnails in the admin panel).
    pub fn thumbnail(&self) -> Option<&Variant> {
        self.main_variants().into_iter().next()
    }

    /// The variant for `width` CSS pixels: the narrowest at least that wide,
    /// else the largest.
    pub fn at_least(&self, width: u32) -> Option<&Variant> {
        let main = self.main_variants();
        main.iter()
            .find(|v| v.width >= width)
            .or(main.last())
            .copied()
    }

    /// The Markdown that places this image in a section.
    pub fn markdown(&self) -> String {
        let url = self
            .at_least(INLINE_WIDTH)
            .map(|v| v.path())
            .unwrap_or_default();
        let alt: String = self
            .alt
            .chars()
            .flat_map(|c| match c {
                '[' | ']' | '\\' | '*' | '_' | '`' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        format!("![{alt}]({url})")
    }
}

/// Whether `key` looks like a variant key this module makes (the only keys
/// the public `/media/` route serves; originals stay private).
pub fn is_variant_key(key: &str) -> bool {
    let mut parts = key.split('/');
    let (Some(a), Some(b), Some(file), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let hex2 = |s: &str| {
        s.len() == 2
            && s.bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    };
    let Some((stem, ext)) = file.rsplit_once('.') else {
        return false;
    };
    let Some((hash, width)) = stem.split_once('-') else {
        return false;
    };
    hex2(a)
        && hex2(b)
        && hash.len() == 32
        && hash.starts_with(a)
        && hash[2..].starts_with(b)
        && hash
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        && !width.is_empty()
        && width.len() <= 5
        && width.bytes().all(|c| c.is_ascii_digit())
        && ImageKind::from_ext(ext).is_some()
}

/// The content type to serve a variant key with.
pub fn content_type_of(key: &str) -> Option<&'static str> {
    key.rsplit_once('.')
        .and_then(|(_, ext)| ImageKind::from_ext(ext))
        .map(ImageKind::mime)
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

/// An article that uses an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsedBy {
    pub article_id: i32,
    pub title: String,
}

/// Where an image is used: as a cover, and in section text.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Usage {
    pub covers: Vec<UsedBy>,
    pub in_text: Vec<UsedBy>,
}

impl Usage {
    pub fn is_empty(&self) -> bool {
        self.covers.is_empty() && self.in_text.is_empty()
    }
}

pub fn usage(conn: &mut DbConnection, m: &Media) -> CoreResult<Usage> {
    let covers: Vec<(i32, String)> = articles::table
        .filter(articles::cover_media_id.eq(m.id))
        .order(articles::id.asc())
        .select((articles::id, articles::title))
        .load(conn)?;
    // Every variant URL contains the hash prefix, and nothing else does.
    let pattern = format!("%{}%", &m.content_hash[..32]);
    let mut in_text: Vec<(i32, String)> = articles::table
        .inner_join(sections::table)
        .filter(sections::body_markdown.like(pattern))
        .select((articles::id, articles::title))
        .order(articles::id.asc())
        .load(conn)?;
    in_text.dedup();
    let to = |v: Vec<(i32, String)>| {
        v.into_iter()
            .map(|(article_id, title)| UsedBy { article_id, title })
            .collect()
    };
    Ok(Usage {
        covers: to(covers),
        in_text: to(in_text),
    })
}

/// Deletes an image and its files. Refused while an article uses it (as its
/// cover or in its text): the article would show a broken image.
pub fn delete(
    conn: &mut DbConnection,
    storage: &dyn MediaStorage,
    actor: &User,
    id: i32,
) -> CoreResult<Media> {
    let m = conn.transaction(|conn| {
        let m = find(conn, id)?;
        if !roles::can_manage_media(actor, m.uploader_id) {
            return Err(CoreError::Forbidden(
                "you may only delete images you uploaded".into(),
            ));
        }
        let used = usage(conn, &m)?;
        if !used.is_empty() {
            let names: Vec<String> = used
                .covers
                .iter()
                .chain(&used.in_text)
                .map(|u| format!("“{}”", u.title))
                .collect();
            return Err(CoreError::Conflict(format!(
                "This image is used by {}. Choose another cover or remove it from the text first.",
                names.join(", ")
            )));
        }
        diesel::delete(media::table.find(id)).execute(conn)?;
        Ok(m)
    })?;
    // After the commit: a failed file removal leaves an orphan file, never a
    // row without its files.
    for key in m
        .variants
        .iter()
        .map(|v| v.key.as_str())
        .chain([m.storage_key.as_str()])
    {
        if let Err(e) = storage.delete(key) {
            tracing::warn!(key, error = %e, "could not remove a media file");
        }
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_keys() {
        let stem =
            process::key_stem("abcdef0123456789abcdef0123456789ffffffffffffffffffffffffffffffff");
        assert!(is_variant_key(&format!("{stem}-320.jpg")), "{stem}");
        assert!(is_variant_key(&format!("{stem}-1600.webp")));
        for bad in [
            format!("{stem}-320.svg"),
            format!("{stem}-.jpg"),
            format!("{stem}.jpg"),
            format!("x{stem}-320.jpg"),
            "ab/ce/abcdef0123456789abcdef0123456789-320.jpg".to_owned(),
            "ab/cd/ABCDEF0123456789abcdef0123456789-320.jpg".to_owned(),
            "originals/ab/cd/abcdef.png".to_owned(),
            "../../etc/passwd".to_owned(),
        ] {
            assert!(!is_variant_key(&bad), "{bad}");
        }
        assert_eq!(content_type_of("x-1.webp"), Some("image/webp"));
    }

    #[test]
    fn markdown_escapes_alt() {
        let m = Media {
            id: 1,
            content_hash: "0".repeat(64),
            storage_key: String::new(),
            original_name: "a.png".into(),
            mime: "image/png".into(),
            width: 2000,
            height: 1000,
            bytes: 1,
            alt: "A [bracketed] *alt*".into(),
            variants: [320u32, 1024, 1600]
                .iter()
                .map(|w| Variant {
                    key: format!("k-{w}.png"),
                    width: *w,
                    height: w / 2,
                    mime: "image/png".into(),
                    bytes: 10,
                })
                .collect(),
            uploader_id: None,
            created_at: now(),
        };
        assert_eq!(
            m.markdown(),
            r"![A \[bracketed\] \*alt\*](/media/k-1024.png)"
        );
        assert_eq!(m.largest().map(|v| v.width), Some(1600));
        assert_eq!(m.at_least(400).map(|v| v.width), Some(1024));
        assert!(!m.webp_is_smaller());
    }
}
