//! Articles: an ordered list of headed sections plus ordered related-news links.
//!
//! - [`save`] validates and writes an article (with its sections and links) under
//!   optimistic concurrency and the role rules.
//! - [`public`] reads what visitors may see; drafts never leave this module.
//! - [`admin`] lists and summarises for the admin panel.

pub mod admin;
pub mod blocks;
pub mod content;
pub mod feeds;
pub mod public;
pub mod save;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::categories::{self, Category};
use crate::db::DbConnection;
use crate::error::{CoreError, CoreResult};
use crate::roles;
use crate::schema::{articles, related_links, sections};
use crate::time::now;
use crate::users::{self, User};

pub use save::{save, save_with_previous, ArticleInput, LinkInput, SaveAction, SectionInput};

/// The statuses a visitor may see (a scheduled article once its time has
/// come), as SQL. It is written out as a literal, never with bound values,
/// because the partial indexes of migration 000009 carry exactly this
/// predicate and a planner only uses them when it can see that the query
/// implies it (`status IN (?, ?)` proves nothing).
pub(crate) const LIVE_STATUS_SQL: &str = "articles.status IN ('published', 'scheduled')";

/// What a visitor may read: a live status and a publication time that has
/// come. Every public query filters with this.
pub(crate) fn live() -> diesel::dsl::And<
    diesel::expression::SqlLiteral<diesel::sql_types::Bool>,
    diesel::dsl::LtEq<articles::published_at, NaiveDateTime>,
> {
    diesel::dsl::sql::<diesel::sql_types::Bool>(LIVE_STATUS_SQL)
        .and(articles::published_at.le(now()))
}

/// Only the status part of [`live`], for a query that bounds the
/// publication time itself (see `content::page`).
pub(crate) fn live_status() -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    diesel::dsl::sql::<diesel::sql_types::Bool>(LIVE_STATUS_SQL)
}

/// Scheduled articles, as a literal for the partial index
/// `articles_scheduled_idx` (the scheduler's and the dashboard's reads).
pub(crate) fn scheduled() -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    diesel::dsl::sql::<diesel::sql_types::Bool>("articles.status = 'scheduled'")
}

/// An article's publication state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Draft,
    Scheduled,
    Published,
    Archived,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Draft,
        Status::Scheduled,
        Status::Published,
        Status::Archived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Scheduled => "scheduled",
            Status::Published => "published",
            Status::Archived => "archived",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "Draft",
            Status::Scheduled => "Scheduled",
            Status::Published => "Published",
            Status::Archived => "Archived",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = articles)]
pub struct Article {
    pub id: i32,
    pub title: String,
    pub slug: String,
    pub standfirst: String,
    pub author_id: i32,
    pub category_id: Option<i32>,
    #[diesel(column_name = status)]
    pub status_name: String,
    pub published_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    pub is_sample: bool,
    /// SEO title override (`<title>`, `og:title`); empty: the title.
    pub meta_title: String,
    /// SEO description override (`<meta name="description">`); empty: the standfirst.
    pub meta_description: String,
    /// The cover image (`crate::media`), shown on the page, in listings, feeds
    /// and share cards.
    pub cover_media_id: Option<i32>,
}

impl Article {
    pub fn status(&self) -> Status {
        Status::parse(&self.status_name).unwrap_or(Status::Draft)
    }
    /// Whether a visitor may see it right now (scheduled articles become
    /// visible the moment they are due, even before the scheduler runs).
    pub fn is_public_at(&self, t: NaiveDateTime) -> bool {
        matches!(self.status(), Status::Published | Status::Scheduled)
            && self.published_at.is_some_and(|p| p <= t)
    }
    pub fn is_public(&self) -> bool {
        self.is_public_at(now())
    }
    /// The title search engines and social cards show: the override, else the title.
    pub fn seo_title(&self) -> &str {
        if self.meta_title.is_empty() {
            &self.title
        } else {
            &self.meta_title
        }
    }
    /// The description search engines and social cards show: the override,
    /// else the standfirst (which may be empty too).
    pub fn seo_description(&self) -> &str {
        if self.meta_description.is_empty() {
            &self.standfirst
        } else {
            &self.meta_description
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = sections)]
pub struct Section {
    pub id: i32,
    pub article_id: i32,
    pub position: i32,
    pub heading: Option<String>,
    pub anchor: String,
    pub body_markdown: String,
    pub body_html: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = related_links)]
pub struct RelatedLinkRow {
    pub id: i32,
    pub article_id: i32,
    pub position: i32,
    pub target_article_id: Option<i32>,
    pub url: Option<String>,
    pub title: Option<String>,
}

/// A related-news link resolved for display: an internal link carries the
/// target's *current* title, author and date.
#[derive(Debug, Clone, Serialize)]
pub struct RelatedLink {
    pub position: i32,
    pub target_article_id: Option<i32>,
    pub title: String,
    /// Internal: the target's slug; external: empty.
    pub slug: String,
    /// External: the URL; internal: empty.
    pub url: String,
    pub author_name: String,
    pub author_slug: String,
    pub published_at: Option<NaiveDateTime>,
    /// False for a link to an article visitors cannot see (draft, archived, …).
    pub visible: bool,
}

impl RelatedLink {
    pub fn is_external(&self) -> bool {
        self.target_article_id.is_none()
    }
}

/// Everything needed to show one article.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleFull {
    pub article: Article,
    pub author: User,
    pub category: Option<Category>,
    pub sections: Vec<Section>,
    pub links: Vec<RelatedLink>,
    /// The cover image, when the article has one.
    pub cover: Option<crate::media::Media>,
}

impl ArticleFull {
    pub fn word_count(&self) -> usize {
        let body: usize = self
            .sections
            .iter()
            .map(|s| crate::markdown::word_count(&s.body_markdown))
            .sum();
        body + crate::markdown::word_count(&self.article.standfirst)
    }
    pub fn reading_minutes(&self) -> usize {
        crate::markdown::reading_minutes(self.word_count())
    }
}

/// The earliest publication time of a published or scheduled article (read
/// from the end of `articles_live_idx`), or `None` when there is none.
pub fn first_live_publication(conn: &mut DbConnection) -> CoreResult<Option<NaiveDateTime>> {
    Ok(articles::table
        .filter(live_status())
        .select(diesel::dsl::min(articles::published_at))
        .first(conn)?)
}

pub fn find(conn: &mut DbConnection, id: i32) -> CoreResult<Article> {
    Ok(articles::table
        .find(id)
        .select(Article::as_select())
        .first(conn)?)
}

pub fn find_many(conn: &mut DbConnection, ids: &[i32]) -> CoreResult<Vec<Article>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(articles::table
        .filter(articles::id.eq_any(ids))
        .select(Article::as_select())
        .load(conn)?)
}

/// Loads an article with its author, category, sections and resolved links.
pub fn load_full(conn: &mut DbConnection, article: Article) -> CoreResult<ArticleFull> {
    let author = users::find(conn, article.author_id)?;
    let category = match article.category_id {
        Some(id) => Some(categories::find(conn, id)?),
        None => None,
    };
    let sections = sections::table
        .filter(sections::article_id.eq(article.id))
        .order(sections::position.asc())
        .select(Section::as_select())
        .load(conn)?;
    let links = resolve_links(conn, article.id)?;
    let cover = cover_of(conn, article.cover_media_id)?;
    Ok(ArticleFull {
        article,
        author,
        category,
        sections,
        links,
        cover,
    })
}

/// [`load_full`] for a page of articles, in the same order, with one query
/// each for their authors, categories, covers and sections (not one set per
/// article). Related links are resolved only `with_links` (else left empty).
pub fn load_full_many(
    conn: &mut DbConnection,
    rows: Vec<Article>,
    with_links: bool,
) -> CoreResult<Vec<ArticleFull>> {
    let ids: Vec<i32> = rows.iter().map(|a| a.id).collect();
    let mut author_ids: Vec<i32> = rows.iter().map(|a| a.author_id).collect();
    author_ids.sort_unstable();
    author_ids.dedup();
    let mut cat_ids: Vec<i32> = rows.iter().filter_map(|a| a.category_id).collect();
    cat_ids.sort_unstable();
    cat_ids.dedup();
    let cover_ids: Vec<i32> = rows.iter().filter_map(|a| a.cover_media_id).collect();
    let authors = users::find_many(conn, &author_ids)?;
    let cats = categories::find_many(conn, &cat_ids)?;
    let covers = crate::media::find_many(conn, &cover_ids)?;
    let mut all_sections: Vec<Section> = if ids.is_empty() {
        Vec::new()
    } else {
        sections::table
            .filter(sections::article_id.eq_any(&ids))
            .order((sections::article_id.asc(), sections::position.asc()))
            .select(Section::as_select())
            .load(conn)?
    };
    let mut out = Vec::with_capacity(rows.len());
    for article in rows {
        let author = authors
            .iter()
            .find(|u| u.id == article.author_id)
            .cloned()
            .ok_or(CoreError::NotFound)?;
        let category = article
            .category_id
            .and_then(|c| cats.iter().find(|x| x.id == c).cloned());
        let cover = article
            .cover_media_id
            .and_then(|m| covers.iter().find(|x| x.id == m).cloned());
        let (mine, rest): (Vec<Section>, Vec<Section>) = all_sections
            .into_iter()
            .partition(|s| s.article_id == article.id);
        all_sections = rest;
        let links = if with_links {
            resolve_links(conn, article.id)?
        } else {
            Vec::new()
        };
        out.push(ArticleFull {
            article,
            author,
            category,
            sections: mine,
            links,
            cover,
        });
    }
    Ok(out)
}

/// The cover image by id (`None` without one, or if it has just been deleted).
pub fn cover_of(
    conn: &mut DbConnection,
    id: Option<i32>,
) -> CoreResult<Option<crate::media::Media>> {
    match id {
        Some(id) => Ok(crate::media::find_many(conn, &[id])?.into_iter().next()),
        None => Ok(None),
    }
}

/// The article's related links in order, internal ones resolved to the target's
/// current title, author and date.
pub fn resolve_links(conn: &mut DbConnection, article_id: i32) -> CoreResult<Vec<RelatedLink>> {
    let rows: Vec<RelatedLinkRow> = related_links::table
        .filter(related_links::article_id.eq(article_id))
        .order(related_links::position.asc())
        .select(RelatedLinkRow::as_select())
        .load(conn)?;
    let target_ids: Vec<i32> = rows.iter().filter_map(|r| r.target_article_id).collect();
    let targets = find_many(conn, &target_ids)?;
    let author_ids: Vec<i32> = targets.iter().map(|a| a.author_id).collect();
    let authors = users::find_many(conn, &author_ids)?;
    let t = now();
    Ok(rows
        .into_iter()
        .filter_map(|row| match row.target_article_id {
            Some(tid) => {
                let target = targets.iter().find(|a| a.id == tid)?;
                let author = authors.iter().find(|u| u.id == target.author_id);
                Some(RelatedLink {
                    position: row.position,
                    target_article_id: Some(tid),
                    title: target.title.clone(),
                    slug: target.slug.clone(),
                    url: String::new(),
                    author_name: author.map(|u| u.display_name.clone()).unwrap_or_default(),
                    author_slug: author.map(|u| u.slug.clone()).unwrap_or_default(),
                    published_at: target.published_at,
                    visible: target.is_public_at(t),
                })
            }
            None => Some(RelatedLink {
                position: row.position,
                target_article_id: None,
                title: row.title.unwrap_or_default(),
                slug: String::new(),
                url: row.url.unwrap_or_default(),
                author_name: String::new(),
                author_slug: String::new(),
                published_at: None,
                visible: true,
            }),
        })
        .collect())
}

/// Deletes an article (its sections and links go with it; links from other
/// articles to it disappear too).
pub fn delete(conn: &mut DbConnection, actor: &User, id: i32) -> CoreResult<Article> {
    conn.transaction(|conn| {
        let article = find(conn, id)?;
        if !roles::can_delete_article(actor, &article) {
            return Err(CoreError::Forbidden(
                "you may not delete this article".into(),
            ));
        }
        diesel::delete(articles::table.find(id)).execute(conn)?;
        // Webhooks (outbox): recorded in this transaction, so only if the delete commits.
        crate::webhooks::article_deleted(conn, &article)?;
        Ok(article)
    })
}

/// Publishes every scheduled article that is due. Each row is claimed with a
/// conditional update, so when several nodes run this at once each article is
/// published by exactly one of them. Returns the ids this call published.
pub fn publish_due(conn: &mut DbConnection) -> CoreResult<Vec<i32>> {
    let t = now();
    let due: Vec<i32> = articles::table
        .filter(scheduled())
        .filter(articles::published_at.le(t))
        .select(articles::id)
        .load(conn)?;
    let mut published = Vec::new();
    for id in due {
        // One transaction per article: the claim and its webhook event (outbox)
        // commit together, so the event is recorded once, by the node that won.
        let claimed = conn.transaction(|conn| {
            let n = diesel::update(
                articles::table
                    .filter(articles::id.eq(id))
                    .filter(articles::status.eq(Status::Scheduled.as_str())),
            )
            .set((
                articles::status.eq(Status::Published.as_str()),
                articles::version.eq(articles::version + 1),
                articles::updated_at.eq(t),
            ))
            .execute(conn)?;
            if n == 1 {
                let article = find(conn, id)?;
                crate::webhooks::article_event(
                    conn,
                    crate::webhooks::Event::ArticlePublished,
                    &article,
                )?;
                crate::revisions::record(
                    conn,
                    &article,
                    None,
                    Some("Published as scheduled".to_owned()),
                )?;
            }
            CoreResult::Ok(n == 1)
        })?;
        if claimed {
            published.push(id);
        }
    }
    Ok(published)
}

/// Builds the page an unsaved input would produce, for the editor's preview:
/// Markdown rendered and sanitised exactly as on save, links resolved to their
/// targets' current titles. Nothing is written.
pub fn preview(
    conn: &mut DbConnection,
    actor: &User,
    id: Option<i32>,
    input: &ArticleInput,
) -> CoreResult<ArticleFull> {
    let current = id.map(|i| find(conn, i)).transpose()?;
    if let Some(a) = &current {
        if !roles::can_view_article(actor, a) {
            return Err(CoreError::Forbidden("you may not see this article".into()));
        }
    }
    let t = now();
    let author_id = match (roles::can_assign_author(actor), input.author_id) {
        (true, Some(aid)) => aid,
        _ => current.as_ref().map_or(actor.id, |a| a.author_id),
    };
    let author = users::find(conn, author_id).or_else(|_| users::find(conn, actor.id))?;
    let category = match input.category_id {
        Some(cid) => categories::find(conn, cid).ok(),
        None => None,
    };
    let article = Article {
        id: id.unwrap_or(0),
        title: input.title.trim().to_owned(),
        slug: input.slug.trim().to_owned(),
        standfirst: input.standfirst.trim().to_owned(),
        author_id: author.id,
        category_id: category.as_ref().map(|c| c.id),
        status_name: current.as_ref().map_or_else(
            || Status::Draft.as_str().to_owned(),
            |a| a.status_name.clone(),
        ),
        published_at: input
            .published_at
            .or(current.as_ref().and_then(|a| a.published_at))
            .or(Some(t)),
        created_at: current.as_ref().map_or(t, |a| a.created_at),
        updated_at: t,
        version: current.as_ref().map_or(0, |a| a.version),
        is_sample: current.as_ref().is_some_and(|a| a.is_sample),
        meta_title: save::single_line(&input.meta_title),
        meta_description: save::single_line(&input.meta_description),
        cover_media_id: input.cover_media_id,
    };
    let cover = cover_of(conn, input.cover_media_id)?;
    let kept: Vec<&SectionInput> = input
        .sections
        .iter()
        .filter(|s| !(s.heading.trim().is_empty() && s.body.trim().is_empty()))
        .collect();
    let anchors = crate::markdown::anchors(
        kept.iter()
            .map(|s| Some(s.heading.trim()).filter(|h| !h.is_empty())),
    );
    let sections = kept
        .iter()
        .zip(anchors)
        .enumerate()
        .map(|(i, (s, anchor))| Section {
            id: 0,
            article_id: article.id,
            position: i as i32,
            heading: Some(s.heading.trim().to_owned()).filter(|h| !h.is_empty()),
            anchor,
            body_markdown: s.body.clone(),
            body_html: crate::markdown::render(&s.body),
        })
        .collect();
    let target_ids: Vec<i32> = input
        .links
        .iter()
        .filter_map(|l| l.target_article_id)
        .collect();
    let targets = find_many(conn, &target_ids)?;
    let target_authors = users::find_many(
        conn,
        &targets.iter().map(|a| a.author_id).collect::<Vec<_>>(),
    )?;
    let links = input
        .links
        .iter()
        .enumerate()
        .filter_map(|(i, l)| match l.target_article_id {
            Some(tid) => {
                let target = targets.iter().find(|a| a.id == tid)?;
                let au = target_authors.iter().find(|u| u.id == target.author_id);
                Some(RelatedLink {
                    position: i as i32,
                    target_article_id: Some(tid),
                    title: target.title.clone(),
                    slug: target.slug.clone(),
                    url: String::new(),
                    author_name: au.map(|u| u.display_name.clone()).unwrap_or_default(),
                    author_slug: au.map(|u| u.slug.clone()).unwrap_or_default(),
                    published_at: target.published_at,
                    visible: target.is_public_at(t),
                })
            }
            None if !l.url.trim().is_empty() => Some(RelatedLink {
                position: i as i32,
                target_article_id: None,
                title: l.title.trim().to_owned(),
                slug: String::new(),
                url: l.url.trim().to_owned(),
                author_name: String::new(),
                author_slug: String::new(),
                published_at: None,
                visible: true,
            }),
            None => None,
        })
        .filter(|l: &RelatedLink| l.visible)
        .collect();
    Ok(ArticleFull {
        article,
        author,
        category,
        sections,
        links,
        cover,
    })
}
