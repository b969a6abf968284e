//! Creating and updating articles: validation, role rules, status changes and
//! optimistic concurrency, for every interface alike.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::{find, Article, Status};
use crate::db::DbConnection;
use crate::error::{CoreError, CoreResult, FieldErrors};
use crate::markdown;
use crate::roles;
use crate::schema::{articles, categories, related_links, sections, users};
use crate::slugs;
use crate::time::{now, truncate};
use crate::users::User;
use crate::with_backend;

pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_STANDFIRST_CHARS: usize = 1_000;
pub const MAX_HEADING_CHARS: usize = 200;
/// Per section body; a news article with 100 000 characters in one section is
/// almost certainly a paste gone wrong.
pub const MAX_BODY_CHARS: usize = 100_000;
pub const MAX_SECTIONS: usize = 100;
pub const MAX_LINKS: usize = 30;
pub const MAX_URL_LEN: usize = 2_000;
/// Search engines cut titles at about 60–70 characters.
pub const MAX_META_TITLE_CHARS: usize = 70;
/// And descriptions at about 160–200.
pub const MAX_META_DESCRIPTION_CHARS: usize = 200;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionInput {
    /// Empty for an untitled section (the intro).
    pub heading: String,
    pub body: String,
}

/// A related link as entered: either another article or an external URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkInput {
    pub target_article_id: Option<i32>,
    pub url: String,
    pub title: String,
}

/// Everything an editor can set on an article.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleInput {
    pub title: String,
    /// Empty: generated from the title.
    pub slug: String,
    pub standfirst: String,
    /// Only editors and administrators may choose; others always write as themselves.
    pub author_id: Option<i32>,
    pub category_id: Option<i32>,
    /// UTC. For scheduling, or to back-date a publication.
    pub published_at: Option<NaiveDateTime>,
    pub sections: Vec<SectionInput>,
    pub links: Vec<LinkInput>,
    /// SEO title override; empty: the title.
    #[serde(default)]
    pub meta_title: String,
    /// SEO description override; empty: the standfirst.
    #[serde(default)]
    pub meta_description: String,
    /// The cover image (an id from the media library); `None`: no cover.
    #[serde(default)]
    pub cover_media_id: Option<i32>,
}

/// One line of text: runs of whitespace (newlines included) become one space.
/// Meta titles and descriptions are single lines wherever they are shown.
pub fn single_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What the save should do to the article's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveAction {
    /// Keep the status (new articles start as drafts).
    Save,
    /// Publish now (or at a past `published_at`); a future date schedules instead.
    Publish,
    /// Publish automatically at `published_at`, which must be in the future.
    Schedule,
    /// Back to draft.
    Unpublish,
    /// Withdrawn from the site but kept.
    Archive,
}

fn validate_and_normalise(
    conn: &mut DbConnection,
    input: &mut ArticleInput,
    own_id: Option<i32>,
) -> CoreResult<FieldErrors> {
    let mut errors = FieldErrors::default();
    input.title = input.title.trim().to_owned();
    input.standfirst = input.standfirst.trim().to_owned();
    input.slug = input.slug.trim().to_owned();
    if input.slug.is_empty() {
        input.slug = slugs::slugify(&input.title);
    }
    if input.title.is_empty() {
        errors.add("title", "Enter a title.");
    } else if input.title.chars().count() > MAX_TITLE_CHARS {
        errors.add(
            "title",
            format!("Use at most {MAX_TITLE_CHARS} characters."),
        );
    }
    if input.standfirst.chars().count() > MAX_STANDFIRST_CHARS {
        errors.add(
            "standfirst",
            format!("Use at most {MAX_STANDFIRST_CHARS} characters."),
        );
    }
    input.meta_title = single_line(&input.meta_title);
    input.meta_description = single_line(&input.meta_description);
    let n = input.meta_title.chars().count();
    if n > MAX_META_TITLE_CHARS {
        errors.add(
            "meta_title",
            format!("This title has {n} characters; search engines show about {MAX_META_TITLE_CHARS}. Shorten it, or leave it empty to use the article's title."),
        );
    }
    let n = input.meta_description.chars().count();
    if n > MAX_META_DESCRIPTION_CHARS {
        errors.add(
            "meta_description",
            format!("This description has {n} characters; use at most {MAX_META_DESCRIPTION_CHARS}, or leave it empty to use the standfirst."),
        );
    }
    if !input.title.is_empty() || !input.slug.is_empty() {
        match slugs::validate(&input.slug) {
            Err(m) => errors.add("slug", m),
            Ok(()) => {
                let taken: i64 = articles::table
                    .filter(articles::slug.eq(&input.slug))
                    .filter(articles::id.ne(own_id.unwrap_or(-1)))
                    .count()
                    .get_result(conn)?;
                if taken > 0 {
                    errors.add(
                        "slug",
                        "Another article already uses this URL name. Choose a different one.",
                    );
                }
            }
        }
    }
    if let Some(cid) = input.category_id {
        let exists: i64 = categories::table
            .filter(categories::id.eq(cid))
            .count()
            .get_result(conn)?;
        if exists == 0 {
            errors.add("category_id", "That category no longer exists.");
        }
    }

    if let Some(mid) = input.cover_media_id {
        if !crate::media::exists(conn, mid)? {
            errors.add(
                "cover_media_id",
                "That image is no longer in the media library. Choose another cover.",
            );
        }
    }

    // Sections: drop wholly empty ones, then check each.
    input
        .sections
        .retain(|s| !(s.heading.trim().is_empty() && s.body.trim().is_empty()));
    if input.sections.len() > MAX_SECTIONS {
        errors.add(
            "sections",
            format!("An article can have at most {MAX_SECTIONS} sections."),
        );
    }
    for (i, s) in input.sections.iter_mut().enumerate() {
        s.heading = s.heading.trim().to_owned();
        if s.heading.chars().count() > MAX_HEADING_CHARS {
            errors.add(
                format!("sections[{i}].heading"),
                format!("Use at most {MAX_HEADING_CHARS} characters."),
            );
        }
        let chars = s.body.chars().count();
        if chars > MAX_BODY_CHARS {
            errors.add(
                format!("sections[{i}].body"),
                format!("This section has {chars} characters; the limit is {MAX_BODY_CHARS}. Split it into several sections."),
            );
        }
        if s.body.trim().is_empty() {
            errors.add(
                format!("sections[{i}].body"),
                "Write the section's text, or remove the section.",
            );
        }
    }

    // Related links.
    input.links.retain(|l| {
        l.target_article_id.is_some() || !(l.url.trim().is_empty() && l.title.trim().is_empty())
    });
    if input.links.len() > MAX_LINKS {
        errors.add(
            "links",
            format!("An article can have at most {MAX_LINKS} related links."),
        );
    }
    let mut seen_targets = Vec::new();
    for (i, l) in input.links.iter_mut().enumerate() {
        l.url = l.url.trim().to_owned();
        l.title = l.title.trim().to_owned();
        match l.target_article_id {
            Some(tid) => {
                if Some(tid) == own_id {
                    errors.add(format!("links[{i}]"), "An article cannot link to itself.");
                } else if seen_targets.contains(&tid) {
                    errors.add(format!("links[{i}]"), "This article is already linked.");
                } else {
                    let exists: i64 = articles::table
                        .filter(articles::id.eq(tid))
                        .count()
                        .get_result(conn)?;
                    if exists == 0 {
                        errors.add(
                            format!("links[{i}]"),
                            "The linked article no longer exists.",
                        );
                    }
                }
                seen_targets.push(tid);
                l.url.clear();
                l.title.clear();
            }
            None => {
                let ok = l.url.len() <= MAX_URL_LEN
                    && url::Url::parse(&l.url).is_ok_and(|u| {
                        matches!(u.scheme(), "http" | "https") && u.host().is_some()
                    });
                if !ok {
                    errors.add(
                        format!("links[{i}].url"),
                        "Enter a full web address starting with https:// or http://",
                    );
                }
                if l.title.is_empty() {
                    errors.add(format!("links[{i}].title"), "Enter the link's title.");
                } else if l.title.chars().count() > MAX_TITLE_CHARS {
                    errors.add(
                        format!("links[{i}].title"),
                        format!("Use at most {MAX_TITLE_CHARS} characters."),
                    );
                }
            }
        }
    }
    Ok(errors)
}

/// Works out the status and publication time a save leads to, or why it may not.
fn next_state(
    actor: &User,
    author_id: i32,
    current: Option<&Article>,
    action: SaveAction,
    requested_at: Option<NaiveDateTime>,
    errors: &mut FieldErrors,
) -> CoreResult<(Status, Option<NaiveDateTime>)> {
    let t = now();
    let requested_at = requested_at.map(truncate);
    let needs_publish_right = !matches!(action, SaveAction::Save);
    if needs_publish_right && !roles::can_publish(actor, author_id) {
        return Err(CoreError::Forbidden(
            "your role may not publish, schedule or unpublish this article".into(),
        ));
    }
    Ok(match action {
        SaveAction::Save => match current {
            None => (Status::Draft, requested_at),
            Some(a) => {
                let status = a.status();
                // A scheduled article keeps its date unless the editor changes it, and
                // changing it to the past would publish it silently: refuse that.
                if status == Status::Scheduled && requested_at.is_some_and(|p| p <= t) {
                    errors.add("published_at", "A scheduled article needs a date in the future. Use Publish to publish now.");
                }
                let at = if roles::can_publish(actor, author_id) {
                    requested_at.or(a.published_at)
                } else {
                    a.published_at
                };
                if status == Status::Scheduled && at.is_none() {
                    errors.add(
                        "published_at",
                        "A scheduled article needs a publication date.",
                    );
                }
                (status, at)
            }
        },
        SaveAction::Publish => match requested_at {
            Some(p) if p > t => (Status::Scheduled, Some(p)),
            Some(p) => (Status::Published, Some(p)),
            None => (Status::Published, Some(t)),
        },
        SaveAction::Schedule => match requested_at {
            Some(p) if p > t => (Status::Scheduled, Some(p)),
            _ => {
                errors.add(
                    "published_at",
                    "Choose a date and time in the future to schedule.",
                );
                (Status::Scheduled, requested_at)
            }
        },
        SaveAction::Unpublish => (Status::Draft, None),
        SaveAction::Archive => (Status::Archived, current.and_then(|a| a.published_at)),
    })
}

/// Creates (`id == None`) or updates an article with its sections and links.
///
/// `expected_version` is the version the editor opened; if the stored article has
/// moved on, nothing is written and [`CoreError::Conflict`] is returned.
pub fn save(
    conn: &mut DbConnection,
    actor: &User,
    id: Option<i32>,
    expected_version: Option<i32>,
    input: ArticleInput,
    action: SaveAction,
) -> CoreResult<Article> {
    save_with_previous(conn, actor, id, expected_version, input, action).map(|(_, saved)| saved)
}

/// [`save`], also returning the article as it was just before (read in the
/// same transaction), so callers can tell exactly what the save changed.
pub fn save_with_previous(
    conn: &mut DbConnection,
    actor: &User,
    id: Option<i32>,
    expected_version: Option<i32>,
    input: ArticleInput,
    action: SaveAction,
) -> CoreResult<(Option<Article>, Article)> {
    let mut input = input;
    conn.transaction(|conn| {
        let current = match id {
            Some(id) => {
                let a = find(conn, id)?;
                if !roles::can_edit_article(actor, &a) {
                    return Err(CoreError::Forbidden("you may not edit this article".into()));
                }
                if let Some(v) = expected_version {
                    if v != a.version {
                        return Err(CoreError::Conflict(format!(
                            "the article was changed by someone else (version {} → {})",
                            v, a.version
                        )));
                    }
                }
                Some(a)
            }
            None => None,
        };
        let mut errors = validate_and_normalise(conn, &mut input, id)?;
        let author_id = if roles::can_assign_author(actor) {
            match input.author_id {
                Some(aid) => {
                    let exists: i64 = users::table
                        .filter(users::id.eq(aid))
                        .count()
                        .get_result(conn)?;
                    if exists == 0 {
                        errors.add("author_id", "That author no longer exists.");
                    }
                    aid
                }
                None => current.as_ref().map_or(actor.id, |a| a.author_id),
            }
        } else {
            current.as_ref().map_or(actor.id, |a| a.author_id)
        };
        let (status, published_at) = next_state(
            actor,
            author_id,
            current.as_ref(),
            action,
            input.published_at,
            &mut errors,
        )?;
        errors.into_result()?;

        let t = now();
        let article_id = match &current {
            None => {
                let values = (
                    articles::title.eq(&input.title),
                    articles::slug.eq(&input.slug),
                    articles::standfirst.eq(&input.standfirst),
                    articles::author_id.eq(author_id),
                    articles::category_id.eq(input.category_id),
                    articles::status.eq(status.as_str()),
                    articles::published_at.eq(published_at),
                    articles::created_at.eq(t),
                    articles::updated_at.eq(t),
                    articles::version.eq(1),
                    articles::is_sample.eq(false),
                    articles::meta_title.eq(&input.meta_title),
                    articles::meta_description.eq(&input.meta_description),
                    articles::cover_media_id.eq(input.cover_media_id),
                );
                with_backend!(conn, |c| diesel::insert_into(articles::table)
                    .values(values)
                    .returning(articles::id)
                    .get_result::<i32>(c))?
            }
            Some(a) => {
                // An article without history (older than revisions, or loaded as
                // sample content) keeps its current state as revision 1 first.
                crate::revisions::ensure_baseline(conn, a)?;
                let n = diesel::update(
                    articles::table
                        .filter(articles::id.eq(a.id))
                        .filter(articles::version.eq(a.version)),
                )
                .set((
                    articles::title.eq(&input.title),
                    articles::slug.eq(&input.slug),
                    articles::standfirst.eq(&input.standfirst),
                    articles::author_id.eq(author_id),
                    articles::category_id.eq(input.category_id),
                    articles::status.eq(status.as_str()),
                    articles::published_at.eq(published_at),
                    articles::updated_at.eq(t),
                    articles::version.eq(a.version + 1),
                    articles::meta_title.eq(&input.meta_title),
                    articles::meta_description.eq(&input.meta_description),
                    articles::cover_media_id.eq(input.cover_media_id),
                ))
                .execute(conn)?;
                if n == 0 {
                    return Err(CoreError::Conflict(
                        "the article was changed by someone else".into(),
                    ));
                }
                diesel::delete(sections::table.filter(sections::article_id.eq(a.id)))
                    .execute(conn)?;
                diesel::delete(related_links::table.filter(related_links::article_id.eq(a.id)))
                    .execute(conn)?;
                a.id
            }
        };
        write_children(conn, article_id, &input)?;
        let saved = find(conn, article_id)?;
        // The revision commits with the save, or not at all.
        crate::revisions::record(conn, &saved, Some(actor.id), None)?;
        // Webhooks (outbox): the event commits with the save, or not at all.
        crate::webhooks::article_saved(conn, current.as_ref(), &saved)?;
        Ok((current, saved))
    })
}

/// Inserts sections (rendering their Markdown once, at save time) and links,
/// then refreshes the article's search index entry: every writer of an
/// article's content comes through here, inside its transaction.
pub(crate) fn write_children(
    conn: &mut DbConnection,
    article_id: i32,
    input: &ArticleInput,
) -> CoreResult<()> {
    let anchors = markdown::anchors(
        input
            .sections
            .iter()
            .map(|s| Some(s.heading.as_str()).filter(|h| !h.is_empty())),
    );
    for (i, (s, anchor)) in input.sections.iter().zip(anchors).enumerate() {
        let heading = Some(s.heading.clone()).filter(|h| !h.is_empty());
        diesel::insert_into(sections::table)
            .values((
                sections::article_id.eq(article_id),
                sections::position.eq(i as i32),
                sections::heading.eq(heading),
                sections::anchor.eq(anchor),
                sections::body_markdown.eq(&s.body),
                sections::body_html.eq(markdown::render(&s.body)),
            ))
            .execute(conn)?;
    }
    for (i, l) in input.links.iter().enumerate() {
        let (url, title) = match l.target_article_id {
            Some(_) => (None, None),
            None => (Some(l.url.as_str()), Some(l.title.as_str())),
        };
        diesel::insert_into(related_links::table)
            .values((
                related_links::article_id.eq(article_id),
                related_links::position.eq(i as i32),
                related_links::target_article_id.eq(l.target_article_id),
                related_links::url.eq(url),
                related_links::title.eq(title),
            ))
            .execute(conn)?;
    }
    crate::search::reindex(conn, article_id)
}

/// The editor's input as currently stored, for opening the editor.
pub fn load_input(conn: &mut DbConnection, article: &Article) -> CoreResult<ArticleInput> {
    let secs: Vec<super::Section> = sections::table
        .filter(sections::article_id.eq(article.id))
        .order(sections::position.asc())
        .select(super::Section::as_select())
        .load(conn)?;
    let links: Vec<super::RelatedLinkRow> = related_links::table
        .filter(related_links::article_id.eq(article.id))
        .order(related_links::position.asc())
        .select(super::RelatedLinkRow::as_select())
        .load(conn)?;
    Ok(ArticleInput {
        title: article.title.clone(),
        slug: article.slug.clone(),
        standfirst: article.standfirst.clone(),
        author_id: Some(article.author_id),
        category_id: article.category_id,
        published_at: article.published_at,
        sections: secs
            .into_iter()
            .map(|s| SectionInput {
                heading: s.heading.unwrap_or_default(),
                body: s.body_markdown,
            })
            .collect(),
        links: links
            .into_iter()
            .map(|r| LinkInput {
                target_article_id: r.target_article_id,
                url: r.url.unwrap_or_default(),
                title: r.title.unwrap_or_default(),
            })
            .collect(),
        meta_title: article.meta_title.clone(),
        meta_description: article.meta_description.clone(),
        cover_media_id: article.cover_media_id,
    })
}
