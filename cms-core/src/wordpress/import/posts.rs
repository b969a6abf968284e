//! Posts become articles, each in its own transaction and through the
//! editor's own [`articles::save`]: title, standfirst, author, category, cover
//! and converted sections, a URL name no other article uses, and the re-run
//! rules (unchanged, updated in place, or skipped because an editor changed
//! the article in Gazette).

use diesel::prelude::*;

use super::authors::author;
use super::categories::category;
use super::plan::post_type;
use super::publication::{status_and_date, Target};
use super::{fingerprint, truncate, Created, Ctx, Outcome, CONVERTER_VERSION};
use crate::articles::save::{MAX_STANDFIRST_CHARS, MAX_TITLE_CHARS};
use crate::articles::{self, ArticleInput, SaveAction, Status};
use crate::db::DbConnection;
use crate::error::{CoreError, CoreResult};
use crate::schema::articles as articles_table;
use crate::slugs;
use crate::wordpress::records::{self, NewRecord};
use crate::wordpress::wxr::WxrItem;
use crate::wordpress::{html, urls};

/// Why a post's transaction ended without committing.
pub(super) enum Abort {
    Skip(String),
    Unchanged,
    Fail(CoreError),
}

impl From<diesel::result::Error> for Abort {
    fn from(e: diesel::result::Error) -> Self {
        Abort::Fail(e.into())
    }
}

impl From<CoreError> for Abort {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::Validation(errors) => Abort::Skip(format!("not valid in Gazette: {errors}")),
            CoreError::Forbidden(m) => Abort::Skip(format!("not allowed: {m}")),
            other => Abort::Fail(other),
        }
    }
}

pub(super) fn import_post(
    conn: &mut DbConnection,
    ctx: &Ctx<'_>,
    item: &WxrItem,
    warnings: &mut Vec<String>,
    created: &mut Created,
) -> CoreResult<Outcome> {
    let Some(id) = item.post_id else {
        return Ok(Outcome::Skipped(
            "no wp:post_id, so a later run could not recognise it".into(),
        ));
    };
    let result = conn.transaction::<Outcome, Abort, _>(|c| {
        post_in_transaction(c, ctx, item, id, warnings, created)
    });
    match result {
        Ok(o) => Ok(o),
        Err(Abort::Skip(reason)) => Ok(Outcome::Skipped(reason)),
        Err(Abort::Unchanged) => Ok(Outcome::Unchanged),
        Err(Abort::Fail(e)) => Err(e),
    }
}

fn post_in_transaction(
    c: &mut DbConnection,
    ctx: &Ctx<'_>,
    item: &WxrItem,
    id: i64,
    warnings: &mut Vec<String>,
    created: &mut Created,
) -> Result<Outcome, Abort> {
    let title = title_of(item, id, warnings);
    let (target, published_at) = status_and_date(item, ctx.tz, warnings);
    let author_id = author(c, ctx, item, warnings, created)?;
    let category_id = category(c, ctx, item, warnings, created)?;
    let standfirst = standfirst_of(item, warnings);
    let converted = html::convert(&item.content, &|url, hint| ctx.resolve(url, hint));
    warnings.extend(converted.warnings);
    let cover_media_id = match item
        .meta("_thumbnail_id")
        .and_then(|v| v.trim().parse::<i64>().ok())
    {
        Some(tid) => {
            let found = ctx.by_id.get(&tid).map(|(mid, _)| *mid);
            if found.is_none() && !ctx.dry_run {
                warnings.push(format!(
                    "its featured image (attachment {tid}) was not imported, so it has no cover"
                ));
            }
            found
        }
        None => None,
    };
    let desired_slug = desired_slug(item, &title, id);
    let mut input = ArticleInput {
        title,
        slug: String::new(),
        standfirst,
        author_id: Some(author_id),
        category_id,
        published_at,
        sections: converted.sections,
        cover_media_id,
        ..Default::default()
    };
    let fp = fingerprint(&(CONVERTER_VERSION, &input, &desired_slug, target));

    let record = records::find(c, &ctx.source, id)?.filter(|r| r.post_type != "attachment");
    let existing = match &record {
        None => None,
        Some(r) => {
            let gone = || {
                Abort::Skip("its article was deleted in Gazette after an earlier import; not imported again".into())
            };
            let Some(aid) = r.article_id else {
                return Err(gone());
            };
            let article = match articles::find(c, aid) {
                Ok(a) => a,
                Err(CoreError::NotFound) => return Err(gone()),
                Err(e) => return Err(e.into()),
            };
            if r.fingerprint == fp {
                return Err(Abort::Unchanged);
            }
            if r.article_version != Some(article.version) {
                return Err(Abort::Skip(
                    "changed in WordPress since the last import, but its article was also edited in Gazette: Gazette's version was kept".into(),
                ));
            }
            Some(article)
        }
    };
    input.slug = unique_slug(c, &desired_slug, existing.as_ref().map(|a| a.id))?;
    if input.slug != desired_slug && existing.is_none() {
        warnings.push(format!(
            "the URL name `{desired_slug}` is taken; imported as `{}`",
            input.slug
        ));
    }
    let action = match (target, &existing) {
        (Target::Publish, _) => SaveAction::Publish,
        (Target::Draft, Some(a)) if a.status() != Status::Draft => SaveAction::Unpublish,
        (Target::Draft, _) => SaveAction::Save,
    };
    let saved = articles::save(
        c,
        ctx.actor,
        existing.as_ref().map(|a| a.id),
        existing.as_ref().map(|a| a.version),
        input,
        action,
    )?;
    records::save(
        c,
        &NewRecord {
            source: &ctx.source,
            wp_post_id: id,
            post_type: post_type(item),
            wp_slug: &urls::slug_key(&item.post_name),
            old_path: &urls::path_of_url(&item.link),
            article_id: Some(saved.id),
            article_version: Some(saved.version),
            media_id: None,
            fingerprint: &fp,
        },
    )?;
    Ok(if existing.is_some() {
        Outcome::Updated
    } else {
        Outcome::Created
    })
}

fn title_of(item: &WxrItem, id: i64, warnings: &mut Vec<String>) -> String {
    let title = html::to_plain_text(&item.title);
    if title.is_empty() {
        let t = format!("Untitled (WordPress post {id})");
        warnings.push(format!("it has no title; imported as “{t}”"));
        return t;
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        warnings.push(format!(
            "its title was shortened to {MAX_TITLE_CHARS} characters"
        ));
        return truncate(&title, MAX_TITLE_CHARS);
    }
    title
}

fn standfirst_of(item: &WxrItem, warnings: &mut Vec<String>) -> String {
    let s = html::to_plain_text(&item.excerpt);
    if s.chars().count() > MAX_STANDFIRST_CHARS {
        warnings.push(format!(
            "its excerpt was shortened to {MAX_STANDFIRST_CHARS} characters for the standfirst"
        ));
        return truncate(&s, MAX_STANDFIRST_CHARS);
    }
    s
}

/// WordPress's URL name when Gazette accepts it, else one made from it or the title.
fn desired_slug(item: &WxrItem, title: &str, id: i64) -> String {
    let decoded = urls::slug_key(&item.post_name);
    if slugs::validate(&decoded).is_ok() {
        return decoded;
    }
    [slugs::slugify(&decoded), slugs::slugify(title)]
        .into_iter()
        .find(|s| !s.is_empty() && slugs::validate(s).is_ok())
        .unwrap_or_else(|| format!("wordpress-{id}"))
}

/// `slug`, or `slug-2`, `slug-3`, … whichever no other article uses.
fn unique_slug(c: &mut DbConnection, slug: &str, own_id: Option<i32>) -> Result<String, Abort> {
    let mut candidate = slug.to_owned();
    for n in 2..10_000 {
        let taken: i64 = articles_table::table
            .filter(articles_table::slug.eq(&candidate))
            .filter(articles_table::id.ne(own_id.unwrap_or(-1)))
            .count()
            .get_result(c)?;
        if taken == 0 {
            return Ok(candidate);
        }
        let suffix = format!("-{n}");
        let base: String = slug
            .chars()
            .take(slugs::MAX_SLUG_LEN - suffix.len())
            .collect();
        candidate = format!("{}{suffix}", base.trim_end_matches('-'));
    }
    Err(Abort::Skip(format!("no free URL name near `{slug}`")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_from_wordpress() {
        let item = |name: &str| WxrItem {
            post_name: name.into(),
            ..Default::default()
        };
        assert_eq!(
            desired_slug(&item("harbour-bridge"), "T", 1),
            "harbour-bridge"
        );
        assert_eq!(
            desired_slug(&item("caf%c3%a9-cr%c3%a8me"), "T", 1),
            "cafe-creme"
        );
        assert_eq!(desired_slug(&item(""), "A Title!", 1), "a-title");
        assert_eq!(desired_slug(&item(""), "!!!", 7), "wordpress-7");
    }
}
