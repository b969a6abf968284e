//! Who uses an image (articles with it as their cover or in their text), and
//! deleting an image, which is refused while any article uses it.

use diesel::prelude::*;
use serde::Serialize;

use super::{find, Media, MediaStorage};
use crate::db::DbConnection;
use crate::error::{CoreError, CoreResult};
use crate::roles;
use crate::schema::{articles, media, sections};
use crate::users::User;

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
