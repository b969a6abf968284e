//! Rows of `wordpress_imports`: which WordPress item became which article or image.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::CoreResult;
use crate::schema::wordpress_imports;
use crate::time::now;

/// One imported WordPress item.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq, Eq)]
#[diesel(table_name = wordpress_imports)]
pub struct ImportRecord {
    pub id: i32,
    /// The WordPress site (see [`super::urls::source_of`]).
    pub source: String,
    pub wp_post_id: i64,
    /// `post`, `page` or `attachment`.
    pub post_type: String,
    /// Decoded, lower-case `post_name`.
    pub wp_slug: String,
    /// Normalised permalink path (see [`super::urls::normalise_path`]).
    pub old_path: String,
    /// `None` for attachments, or once the article was deleted in Gazette.
    pub article_id: Option<i32>,
    /// The article's version right after the last import wrote it.
    pub article_version: Option<i32>,
    /// `None` for posts, or once the image was deleted in Gazette.
    pub media_id: Option<i32>,
    pub fingerprint: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What an import writes about one item.
#[derive(Debug, Clone)]
pub struct NewRecord<'a> {
    pub source: &'a str,
    pub wp_post_id: i64,
    pub post_type: &'a str,
    pub wp_slug: &'a str,
    pub old_path: &'a str,
    pub article_id: Option<i32>,
    pub article_version: Option<i32>,
    pub media_id: Option<i32>,
    pub fingerprint: &'a str,
}

pub fn find(
    conn: &mut DbConnection,
    source: &str,
    wp_post_id: i64,
) -> CoreResult<Option<ImportRecord>> {
    Ok(wordpress_imports::table
        .filter(wordpress_imports::source.eq(source))
        .filter(wordpress_imports::wp_post_id.eq(wp_post_id))
        .select(ImportRecord::as_select())
        .first(conn)
        .optional()?)
}

/// Inserts the record, or updates the one with the same source and post id.
pub fn save(conn: &mut DbConnection, r: &NewRecord<'_>) -> CoreResult<()> {
    let t = now();
    let n = diesel::update(
        wordpress_imports::table
            .filter(wordpress_imports::source.eq(r.source))
            .filter(wordpress_imports::wp_post_id.eq(r.wp_post_id)),
    )
    .set((
        wordpress_imports::post_type.eq(r.post_type),
        wordpress_imports::wp_slug.eq(r.wp_slug),
        wordpress_imports::old_path.eq(r.old_path),
        wordpress_imports::article_id.eq(r.article_id),
        wordpress_imports::article_version.eq(r.article_version),
        wordpress_imports::media_id.eq(r.media_id),
        wordpress_imports::fingerprint.eq(r.fingerprint),
        wordpress_imports::updated_at.eq(t),
    ))
    .execute(conn)?;
    if n == 0 {
        diesel::insert_into(wordpress_imports::table)
            .values((
                wordpress_imports::source.eq(r.source),
                wordpress_imports::wp_post_id.eq(r.wp_post_id),
                wordpress_imports::post_type.eq(r.post_type),
                wordpress_imports::wp_slug.eq(r.wp_slug),
                wordpress_imports::old_path.eq(r.old_path),
                wordpress_imports::article_id.eq(r.article_id),
                wordpress_imports::article_version.eq(r.article_version),
                wordpress_imports::media_id.eq(r.media_id),
                wordpress_imports::fingerprint.eq(r.fingerprint),
                wordpress_imports::created_at.eq(t),
                wordpress_imports::updated_at.eq(t),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Every record, oldest first (tests, diagnostics).
pub fn all(conn: &mut DbConnection) -> CoreResult<Vec<ImportRecord>> {
    Ok(wordpress_imports::table
        .order(wordpress_imports::id.asc())
        .select(ImportRecord::as_select())
        .load(conn)?)
}
