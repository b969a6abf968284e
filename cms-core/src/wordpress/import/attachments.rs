//! Attachments become media-library images: the file is read from a copy of
//! `wp-content/uploads` and stored through [`media::upload`], then remembered
//! by WordPress id and by upload path, so that posts' image URLs and featured
//! images find the imported copy.

use diesel::prelude::*;

use super::{fingerprint, truncate, Ctx, Outcome, CONVERTER_VERSION};
use crate::db::DbConnection;
use crate::error::{CoreError, CoreResult};
use crate::media;
use crate::wordpress::records::{self, NewRecord};
use crate::wordpress::wxr::WxrItem;
use crate::wordpress::{html, urls};

impl Ctx<'_> {
    fn register(&mut self, wp_id: i64, rels: &[String], m: &media::Media) {
        let url = m
            .at_least(media::INLINE_WIDTH)
            .map(|v| v.path())
            .unwrap_or_default();
        self.by_id.insert(wp_id, (m.id, url.clone()));
        for rel in rels {
            self.by_key
                .insert(urls::upload_key(rel), (m.id, url.clone()));
        }
    }

    /// The imported image's URL for an old one (see [`html::ImageResolver`]).
    pub(super) fn resolve(&self, url: &str, hint: Option<i64>) -> Option<String> {
        let rel = urls::upload_relative_path(url);
        if let Some((_, u)) = hint.and_then(|h| self.by_id.get(&h)) {
            if rel.is_some() || !url.contains("://") {
                return Some(u.clone());
            }
        }
        self.by_key
            .get(&urls::upload_key(&rel?))
            .map(|(_, u)| u.clone())
    }
}

pub(super) fn import_attachment(
    conn: &mut DbConnection,
    ctx: &mut Ctx<'_>,
    item: &WxrItem,
) -> CoreResult<Outcome> {
    let Some(id) = item.post_id else {
        return Ok(Outcome::Skipped("no wp:post_id".into()));
    };
    let from_url = urls::upload_relative_path(&item.attachment_url);
    let Some(rel) = item
        .meta("_wp_attached_file")
        .and_then(urls::safe_relative)
        .or_else(|| from_url.clone())
    else {
        return Ok(Outcome::Skipped(format!(
            "its file is not under wp-content/uploads ({})",
            if item.attachment_url.is_empty() {
                "no wp:attachment_url"
            } else {
                &item.attachment_url
            }
        )));
    };
    let rels: Vec<String> = std::iter::once(rel.clone()).chain(from_url).collect();
    if let Some(rec) = records::find(conn, &ctx.source, id)? {
        match rec.media_id {
            Some(mid) => match media::find(conn, mid) {
                Ok(m) => {
                    ctx.register(id, &rels, &m);
                    return Ok(Outcome::Unchanged);
                }
                Err(CoreError::NotFound) => {}
                Err(e) => return Err(e),
            },
            None => {
                return Ok(Outcome::Skipped(
                    "the image imported from it was deleted in Gazette; not imported again".into(),
                ))
            }
        }
    }
    let Some(dir) = &ctx.uploads_dir else {
        return Ok(Outcome::Skipped(
            "WordPress exports only the file's address: pass a copy of wp-content/uploads with --uploads-dir".into(),
        ));
    };
    let path = rel.split('/').fold(dir.clone(), |p, seg| p.join(seg));
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Outcome::Skipped(format!(
                "file not found: {}",
                path.display()
            )))
        }
        Err(e) => {
            return Ok(Outcome::Skipped(format!(
                "cannot read {}: {e}",
                path.display()
            )))
        }
    };
    if ctx.dry_run {
        return Ok(match media::process::sniff(&bytes) {
            Ok(_) => Outcome::Created,
            Err(e) => Outcome::Skipped(e.to_string()),
        });
    }
    let Some(storage) = ctx.storage else {
        return Ok(Outcome::Skipped("no media storage is configured".into()));
    };
    let name = rel.rsplit('/').next().unwrap_or(&rel).to_owned();
    let alt = alt_text(item, &name);
    let wp_slug = urls::slug_key(&item.post_name);
    let old_path = urls::path_of_url(&item.attachment_url);
    let fp = fingerprint(&(CONVERTER_VERSION, &rel, &alt));
    let stored = conn.transaction(|c| {
        let m = media::upload(c, storage, &ctx.media_limits, &bytes, &name, &alt, None)?.media;
        records::save(
            c,
            &NewRecord {
                source: &ctx.source,
                wp_post_id: id,
                post_type: "attachment",
                wp_slug: &wp_slug,
                old_path: &old_path,
                article_id: None,
                article_version: None,
                media_id: Some(m.id),
                fingerprint: &fp,
            },
        )?;
        CoreResult::Ok(m)
    });
    match stored {
        Ok(m) => {
            ctx.register(id, &rels, &m);
            Ok(Outcome::Created)
        }
        Err(CoreError::Media(e)) => Ok(Outcome::Skipped(e.to_string())),
        Err(CoreError::Validation(e)) => Ok(Outcome::Skipped(e.to_string())),
        Err(e) => Err(e),
    }
}

/// Alt text is required in the media library: WordPress's alt text, else the
/// attachment's title, else the file name.
fn alt_text(item: &WxrItem, file_name: &str) -> String {
    let candidates = [
        item.meta("_wp_attachment_image_alt")
            .unwrap_or("")
            .to_owned(),
        html::to_plain_text(&item.title),
        file_name
            .rsplit_once('.')
            .map_or(file_name, |(stem, _)| stem)
            .replace(['-', '_'], " "),
    ];
    let alt = candidates
        .into_iter()
        .map(|c| crate::articles::save::single_line(&c))
        .find(|c| !c.is_empty())
        .unwrap_or_else(|| "Image".to_owned());
    truncate(&alt, media::process::MAX_ALT_CHARS)
}
