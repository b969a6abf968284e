//! Article listings for the admin panel (filtered by what the user may see).

use diesel::prelude::*;
use serde::Serialize;

use super::public::{cards, ArticleCard};
use super::{Article, Status};
use crate::db::DbConnection;
use crate::error::CoreResult;
use crate::roles;
use crate::schema::articles;
use crate::search::{self, Scope, SearchFilters, SearchOrder, SearchQuery};
use crate::users::User;

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// Filters of the admin article list.
#[derive(Debug, Clone, Default)]
pub struct AdminFilter {
    pub status: Option<Status>,
    pub category_id: Option<i32>,
    pub author_id: Option<i32>,
    /// A search: words found anywhere in the article (full text over title,
    /// standfirst and sections, any case), or a fragment of the title as
    /// typed. Results then come best match first. See [`crate::search`].
    pub title_query: Option<String>,
}

/// One row of the admin list.
#[derive(Debug, Clone, Serialize)]
pub struct AdminRow {
    pub card: ArticleCard,
    pub status: Status,
    pub updated_at: chrono::NaiveDateTime,
    pub version: i32,
}

#[derive(Debug, Clone, Serialize)]
pub struct AdminPage {
    pub rows: Vec<AdminRow>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl AdminPage {
    pub fn page_count(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Articles the user may see (editors: all; others: their own), newest change
/// first — or, with a search, best match first.
pub fn list(
    conn: &mut DbConnection,
    user: &User,
    filter: &AdminFilter,
    page: i64,
    per_page: i64,
) -> CoreResult<AdminPage> {
    let page = page.max(1);
    let per_page = per_page.clamp(1, 200);
    let only_author = (!roles::edits_all_articles(user)).then_some(user.id);
    if let Some(text) = filter
        .title_query
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let found = search::search(
            conn,
            &SearchQuery {
                text: text.to_owned(),
                scope: Scope::Admin { only_author },
                filters: SearchFilters {
                    status: filter.status,
                    category_id: filter.category_id,
                    author_id: filter.author_id,
                    ..Default::default()
                },
                order: SearchOrder::Relevance,
                page,
                per_page,
            },
        )?;
        let rows = found.hits.into_iter().map(|h| h.article).collect();
        return Ok(AdminPage {
            rows: to_rows(conn, rows)?,
            total: found.total,
            page,
            per_page,
        });
    }
    let build = || {
        let mut q = articles::table.into_boxed();
        if let Some(id) = only_author {
            q = q.filter(articles::author_id.eq(id));
        }
        if let Some(s) = filter.status {
            q = q.filter(articles::status.eq(s.as_str()));
        }
        if let Some(c) = filter.category_id {
            q = q.filter(articles::category_id.eq(c));
        }
        if let Some(a) = filter.author_id {
            q = q.filter(articles::author_id.eq(a));
        }
        q
    };
    let total: i64 = build().count().get_result(conn)?;
    let rows: Vec<Article> = build()
        .order((articles::updated_at.desc(), articles::id.desc()))
        .offset((page - 1).saturating_mul(per_page))
        .limit(per_page)
        .select(Article::as_select())
        .load(conn)?;
    Ok(AdminPage {
        rows: to_rows(conn, rows)?,
        total,
        page,
        per_page,
    })
}

fn to_rows(conn: &mut DbConnection, rows: Vec<Article>) -> CoreResult<Vec<AdminRow>> {
    let meta: Vec<(Status, chrono::NaiveDateTime, i32)> = rows
        .iter()
        .map(|a| (a.status(), a.updated_at, a.version))
        .collect();
    let cards = cards(conn, rows)?;
    Ok(cards
        .into_iter()
        .zip(meta)
        .map(|(card, (status, updated_at, version))| AdminRow {
            card,
            status,
            updated_at,
            version,
        })
        .collect())
}

/// The dashboard's three lists.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub my_drafts: Vec<AdminRow>,
    pub scheduled: Vec<AdminRow>,
    pub recently_published: Vec<AdminRow>,
}

pub fn dashboard(conn: &mut DbConnection, user: &User) -> CoreResult<Dashboard> {
    let my_drafts = list(
        conn,
        user,
        &AdminFilter {
            status: Some(Status::Draft),
            author_id: Some(user.id),
            ..Default::default()
        },
        1,
        10,
    )?
    .rows;
    let scheduled_rows: Vec<Article> = {
        let mut q = articles::table.filter(super::scheduled()).into_boxed();
        if !roles::edits_all_articles(user) {
            q = q.filter(articles::author_id.eq(user.id));
        }
        q.order(articles::published_at.asc())
            .limit(10)
            .select(Article::as_select())
            .load(conn)?
    };
    let published_rows: Vec<Article> = {
        // Live articles (a due scheduled one counts as published), read
        // through the listing indexes.
        let mut q = articles::table.filter(super::live()).into_boxed();
        if !roles::edits_all_articles(user) {
            q = q.filter(articles::author_id.eq(user.id));
        }
        q.order((articles::published_at.desc(), articles::id.desc()))
            .limit(10)
            .select(Article::as_select())
            .load(conn)?
    };
    Ok(Dashboard {
        my_drafts,
        scheduled: to_rows(conn, scheduled_rows)?,
        recently_published: to_rows(conn, published_rows)?,
    })
}

/// Title search for the related-links picker: published articles and the
/// user's own, excluding `exclude` (the article being edited).
pub fn search_titles(
    conn: &mut DbConnection,
    query: &str,
    exclude: Option<i32>,
    limit: i64,
) -> CoreResult<Vec<ArticleCard>> {
    let q = query.trim();
    if q.is_empty() {
        return Ok(Vec::new());
    }
    let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
    let rows: Vec<Article> = articles::table
        .filter(lower(articles::title).like(pattern).escape('\\'))
        .filter(articles::id.ne(exclude.unwrap_or(-1)))
        .order((articles::published_at.desc(), articles::id.desc()))
        .limit(limit.clamp(1, 50))
        .select(Article::as_select())
        .load(conn)?;
    cards(conn, rows)
}
