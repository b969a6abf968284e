//! Where an old WordPress URL lives now, from the `wordpress_imports` records:
//! `/?p=123` by post id; the item's own permalink path exactly; and the common
//! permalink shapes `/%postname%/`, `/YYYY/MM/slug/` and `/YYYY/MM/DD/slug/` by
//! WordPress's URL name. Only a public article (or an image) is a target, so a
//! redirect never reveals a draft's new address.
//!
//! Each lookup is one or two indexed queries; callers only ask for requests that
//! would otherwise be a 404.

use diesel::prelude::*;

use super::records::ImportRecord;
use super::urls;
use crate::articles;
use crate::db::DbConnection;
use crate::error::{CoreError, CoreResult};
use crate::media;
use crate::schema::wordpress_imports;

/// Several WordPress sites may have been imported; a few candidates are enough.
const CANDIDATES: i64 = 5;

/// The new path for `/?p=ID` (or `?page_id=ID`), if that post was imported and
/// its article is public.
pub fn for_post_id(conn: &mut DbConnection, wp_post_id: i64) -> CoreResult<Option<String>> {
    let rows = wordpress_imports::table
        .filter(wordpress_imports::wp_post_id.eq(wp_post_id))
        .filter(wordpress_imports::article_id.is_not_null())
        .order((
            wordpress_imports::updated_at.desc(),
            wordpress_imports::id.desc(),
        ))
        .limit(CANDIDATES)
        .select(ImportRecord::as_select())
        .load(conn)?;
    first_target(conn, rows)
}

/// The new path for an old WordPress path, if there is one.
pub fn for_path(conn: &mut DbConnection, raw_path: &str) -> CoreResult<Option<String>> {
    if raw_path.len() > 1024 {
        return Ok(None);
    }
    let path = urls::normalise_path(raw_path);
    if path.is_empty() {
        return Ok(None);
    }
    let rows = wordpress_imports::table
        .filter(wordpress_imports::old_path.eq(&path))
        .order((
            wordpress_imports::updated_at.desc(),
            wordpress_imports::id.desc(),
        ))
        .limit(CANDIDATES)
        .select(ImportRecord::as_select())
        .load(conn)?;
    if let Some(target) = first_target(conn, rows)? {
        return Ok(Some(target));
    }
    let Some(slug) = permalink_slug(&path) else {
        return Ok(None);
    };
    let rows = wordpress_imports::table
        .filter(wordpress_imports::wp_slug.eq(slug))
        .filter(wordpress_imports::article_id.is_not_null())
        .order((
            wordpress_imports::updated_at.desc(),
            wordpress_imports::id.desc(),
        ))
        .limit(CANDIDATES)
        .select(ImportRecord::as_select())
        .load(conn)?;
    first_target(conn, rows)
}

/// The post name in `/slug`, `/YYYY/MM/slug` or `/YYYY/MM/DD/slug`.
fn permalink_slug(path: &str) -> Option<&str> {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let num = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
    let slug = match segs.as_slice() {
        [slug] => *slug,
        [y, m, slug] if num(y, 4) && num(m, 2) => *slug,
        [y, m, d, slug] if num(y, 4) && num(m, 2) && num(d, 2) => *slug,
        _ => return None,
    };
    (!slug.is_empty()).then_some(slug)
}

fn first_target(conn: &mut DbConnection, rows: Vec<ImportRecord>) -> CoreResult<Option<String>> {
    for r in rows {
        if let Some(aid) = r.article_id {
            match articles::find(conn, aid) {
                Ok(a) if a.is_public() => return Ok(Some(format!("/articles/{}", a.slug))),
                Ok(_) | Err(CoreError::NotFound) => {}
                Err(e) => return Err(e),
            }
        } else if let Some(mid) = r.media_id {
            match media::find(conn, mid) {
                Ok(m) => {
                    if let Some(v) = m.largest() {
                        return Ok(Some(v.path()));
                    }
                }
                Err(CoreError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permalink_shapes() {
        assert_eq!(permalink_slug("/old-slug"), Some("old-slug"));
        assert_eq!(permalink_slug("/2024/05/old-slug"), Some("old-slug"));
        assert_eq!(permalink_slug("/2024/05/14/old-slug"), Some("old-slug"));
        assert_eq!(permalink_slug("/category/news"), None);
        assert_eq!(permalink_slug("/24/05/x"), None);
        assert_eq!(permalink_slug("/a/b/c/d/e"), None);
    }
}
