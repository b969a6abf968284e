//! Full-text search over titles, standfirsts and sections: one function,
//! [`search`], for the public search page, the admin article list and the
//! Content API's `q`.
//!
//! Storage (migration `2026-11-29-000004_search`): a table `article_search`
//! with one row per article holding its searchable text as plain text —
//! an FTS5 virtual table on SQLite (rowid = article id); on PostgreSQL an
//! ordinary table of the text, for highlights, beside a narrow one,
//! `article_search_keys` (migration `2026-11-30-000015_search_keys_postgres`),
//! of each article's weighted `tsvector` with a GIN index and the columns the
//! filters test, so that a search finds its ids without reading the text or
//! the articles. [`reindex`] rewrites an article's rows; `articles::save`
//! calls it (through `write_children`) inside its transaction, so a save and
//! its index entry commit together. Deleting an article deletes its rows (a
//! trigger on SQLite, `ON DELETE CASCADE` on PostgreSQL), and on PostgreSQL a
//! trigger keeps the keys when an article's status, time, category or author
//! is written by anything else.
//!
//! Matching: no stemming on either database (SQLite `unicode61`, PostgreSQL
//! `'simple'`), because a news site may publish in any language. Every word of
//! the query must appear somewhere in the article; the last word, from two
//! letters on, also matches as a prefix ("elect" finds "election"), which
//! covers most plurals and half-typed words. SQLite additionally ignores
//! accents; PostgreSQL (without the optional `unaccent` extension) does not.
//!
//! Cost at a million articles (migration `2026-11-29-000011_search_prefix`):
//! a public search reads matching ids newest first and stops after
//! [`PUBLIC_MATCH_CAP`] + 1, in one statement, instead of counting every
//! match; only a search with at most that many matches is counted exactly and
//! ranked. The exact words are tried first and the prefix only if they match
//! no more than the cap. On SQLite a prefix of 2–6 characters is read from an
//! FTS5 prefix index (`prefix = '2 3 4 5 6'`) and streams like a word; a longer
//! one is searched as the indexed words it completes to, looked up in
//! `search_terms` (see `vocab`), which streams too (FTS5 itself would merge
//! the doclists of every such word first: 57–96 ms for words in nearly every
//! article). Highlights are computed in one pass over the page's id range, so
//! a prefix FTS5 still merges (one with over 64 completions) is merged once
//! per page, not once per result. A filter (category, author, dates) is also
//! written into the FTS5 query as facets, words of a fourth column that every
//! article passing it has (see `FACETS_SQL`), so FTS5 skips straight to those
//! articles instead of reading every match of the words and testing each
//! one's article: a search of last year's articles no longer reads this
//! year's first. And a filtered search of words found in more than the cap
//! of articles is shown newest first on SQLite, as a broad search is (see
//! `broad_words`). On PostgreSQL every prefix is searched as the words it
//! completes to (the planner has no statistics for a prefix, and walked the
//! whole table for one that matched nothing); the filters are facets of the
//! `tsvector` too (`#c3`, `#m202611`: migration
//! `2026-11-29-000014_search_facets_postgres`), which the GIN index
//! intersects with the words; and the capped ids are read newest first by
//! publication time, so the planner walks a listing index (the site's, a
//! category's, an author's) for a common word and stops at the cap, or takes
//! the matches of a rarer word from the GIN index — the newest months first,
//! window by window, for a word in some but not most articles (see
//! `windows`). Search statements run without parallel workers (see
//! [`search_with_cap`]) and no connection compiles with JIT (see `db`).
//!
//! Safety: the user's text never becomes query syntax. It is split into words
//! of letters and digits, and each word is quoted before the database parses
//! it, so input like `"AND OR NOT * ( ) ' -- ;` is only ever words (or none, and
//! then there are no results without a query being run). Highlights come back
//! wrapped in private-use sentinel characters, and [`highlight_html`] escapes
//! the text before turning the sentinels into `<mark>`, so stored content can
//! never inject markup through a snippet.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{BigInt, Double, Integer, Text, Timestamp};
use pulldown_cmark::{Event, Options, Parser, TagEnd};
use serde::Serialize;

use crate::articles::{self, Article, Status};
use crate::db::DbConnection;
use crate::error::CoreResult;
use crate::schema::sections;
use crate::time::now;

mod facets;
mod sql;
mod text;
mod vocab;
mod windows;

use sql::*;
use text::*;
pub use text::{highlight_html, terms};

/// Marks the start of a highlighted match in text coming back from the database.
pub const MARK_START: char = '\u{E000}';
/// Marks the end of a highlighted match.
pub const MARK_END: char = '\u{E001}';

/// At most this many words of a query are used.
const MAX_TERMS: usize = 12;
/// Longer words are no words anyone searches for; they are cut to this length.
const MAX_TERM_CHARS: usize = 64;
/// The body text indexed per article. Far above any real article (a section
/// holds at most 100 000 characters), and it keeps PostgreSQL's `tsvector`
/// well below its 1 MB limit and `ts_headline` fast.
const MAX_BODY_CHARS: usize = 200_000;
/// Words in a snippet around the best match.
const SNIPPET_WORDS: usize = 30;

/// SQLite: an article's filter values as words for the `facets` column of
/// `article_search` — `c<category id> a<author id> y<year> m<year><month>
/// d<year><month><day>` —
/// from the `articles` row aliased `a`. Keep in step with the trigger of
/// migration `2026-11-29-000013_search_facets`, and with
/// [`Plan::filter_facets`], which searches them. (PostgreSQL's are the SQL
/// function `article_search_facets_of`, of migration
/// `2026-11-29-000014_search_facets_postgres`.)
const FACETS_SQL: &str =
    "trim(coalesce('c' || a.category_id, '') || coalesce(' a' || a.author_id, '') \
     || coalesce(strftime(' y%Y m%Y%m d%Y%m%d', a.published_at), ''))";

/// PostgreSQL: writes the `article_search_keys` rows (migration
/// `2026-11-30-000015_search_keys_postgres`) of the `article_search` rows
/// `written` just now: the article's status, time, category and author, and
/// its `tsvector` of words and facets. Both SQL functions are the
/// migrations' one definitions.
const PG_KEYS_SQL: &str = "INSERT INTO article_search_keys \
     (article_id, status, published_at, category_id, author_id, document) \
     SELECT a.id, a.status, a.published_at, a.category_id, a.author_id, \
     article_search_document_of(w.title, w.standfirst, w.body, \
     article_search_facets_of(a.category_id, a.author_id, a.published_at)) \
     FROM written w JOIN articles a ON a.id = w.article_id \
     ON CONFLICT (article_id) DO UPDATE SET status = excluded.status, \
     published_at = excluded.published_at, category_id = excluded.category_id, \
     author_id = excluded.author_id, document = excluded.document";

/// Which articles a search may return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// What visitors may read: published (or scheduled and due) articles whose
    /// publication time has come. Drafts never match.
    Public,
    /// The admin panel: every status. `only_author` limits the results to one
    /// user's articles (for roles that may not see everyone's). In this scope a
    /// title that contains the text as typed also matches (editors look for a
    /// headline by a fragment such as "100%"); such matches rank after word matches.
    Admin { only_author: Option<i32> },
}

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchOrder {
    /// Best match first; ties newest first.
    #[default]
    Relevance,
    /// Newest publication first.
    Newest,
    /// Oldest publication first.
    Oldest,
}

/// Filters applied on top of the words (all optional).
#[derive(Debug, Clone, Default)]
pub struct SearchFilters {
    pub status: Option<Status>,
    pub category_id: Option<i32>,
    pub author_id: Option<i32>,
    /// Published strictly before this time.
    pub published_before: Option<NaiveDateTime>,
    /// Published strictly after this time.
    pub published_after: Option<NaiveDateTime>,
}

/// A search request.
#[derive(Debug, Clone)]
pub struct SearchQuery {
    /// What the user typed, as typed.
    pub text: String,
    pub scope: Scope,
    pub filters: SearchFilters,
    pub order: SearchOrder,
    /// Numbered from 1.
    pub page: i64,
    /// 1–200.
    pub per_page: i64,
}

impl SearchQuery {
    /// A first page of public results in relevance order.
    pub fn public(text: impl Into<String>, page: i64, per_page: i64) -> Self {
        SearchQuery {
            text: text.into(),
            scope: Scope::Public,
            filters: SearchFilters::default(),
            order: SearchOrder::Relevance,
            page,
            per_page,
        }
    }
}

/// One result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub article: Article,
    /// The title, HTML-escaped, matches in `<mark>`.
    pub title_html: String,
    /// An excerpt around the best match in the body (or the standfirst when
    /// only that matched), HTML-escaped, matches in `<mark>`.
    pub snippet_html: String,
    /// Higher is better; only comparable within one search.
    pub rank: f64,
}

/// One page of results.
#[derive(Debug, Clone, Serialize)]
pub struct SearchPage {
    pub hits: Vec<Hit>,
    /// Matches on all pages (at most [`PUBLIC_MATCH_CAP`] for a public search).
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// A public search matched more than [`PUBLIC_MATCH_CAP`] articles (after
    /// the filters): `total` is the cap, and the pages show the newest that
    /// many matches, newest first (by id, the order articles were created, on
    /// SQLite; by publication time on PostgreSQL), unranked (the oldest,
    /// oldest first, for [`SearchOrder::Oldest`]).
    pub more: bool,
}

/// A public search that matches more articles than this (a word found in
/// nearly every article) shows the newest this many, newest first, and says
/// there are more, instead of counting and ranking them all: ranking needs
/// the word's frequency over the whole index, which at a million articles
/// took tens of milliseconds per search for the commonest words, and
/// counting every match as long again. [`search_with_cap`] takes another cap.
pub const PUBLIC_MATCH_CAP: i64 = 1000;

impl SearchPage {
    fn empty(page: i64, per_page: i64) -> Self {
        SearchPage {
            hits: Vec::new(),
            total: 0,
            page,
            per_page,
            more: false,
        }
    }
    pub fn has_next(&self) -> bool {
        self.page.saturating_mul(self.per_page) < self.total
    }
    pub fn page_count(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }
}

/// Searches, ranks, highlights and paginates. Text without any word (empty,
/// punctuation) finds nothing — except a title fragment in the admin scope.
pub fn search(conn: &mut DbConnection, q: &SearchQuery) -> CoreResult<SearchPage> {
    search_with_cap(conn, q, PUBLIC_MATCH_CAP)
}

/// [`search`] with another cap than [`PUBLIC_MATCH_CAP`] on a public search
/// (at least 1), so tests can reach it with a handful of articles. On
/// PostgreSQL its statements share one transaction without parallel workers.
pub fn search_with_cap(
    conn: &mut DbConnection,
    q: &SearchQuery,
    cap: i64,
) -> CoreResult<SearchPage> {
    match conn {
        DbConnection::Postgres(_) => conn.transaction(|conn| {
            // Every statement here reads at most cap + 1 ids or one page, in a
            // few milliseconds; for a rare word the planner still chose
            // parallel plans (its estimate for a word absent from the
            // statistics is thousands of rows), and starting the workers took
            // 10 ms, more than the statement. SET LOCAL ends with the transaction.
            diesel::sql_query("SET LOCAL max_parallel_workers_per_gather = 0").execute(conn)?;
            run_search(conn, q, cap)
        }),
        DbConnection::Sqlite(_) => run_search(conn, q, cap),
    }
}

fn run_search(conn: &mut DbConnection, q: &SearchQuery, cap: i64) -> CoreResult<SearchPage> {
    let page = q.page.max(1);
    let per_page = q.per_page.clamp(1, 200);
    let offset = (page - 1).saturating_mul(per_page);
    let Some(mut plan) = Plan::new(conn, q) else {
        return Ok(SearchPage::empty(page, per_page));
    };
    plan.prepare(conn)?;
    let total = match q.scope {
        Scope::Public => {
            let cap = cap.max(1);
            let ids = plan.public_ids(conn, cap)?;
            let more = ids.len() as i64 > cap;
            if more
                || (q.order == SearchOrder::Relevance
                    && plan.filtered()
                    && matches!(conn, DbConnection::Sqlite(_))
                    && broad_words(conn, q, cap)?)
            {
                // Broad: the newest `cap` matches, newest first, unranked;
                // the page is a slice of the ids already read. (See
                // `broad_words` for a filtered search of broad words.)
                let total = ids.len().min(cap as usize) as i64;
                let ranked: Vec<RankedRow> = ids
                    .into_iter()
                    .take(cap as usize)
                    .skip(usize::try_from(offset).unwrap_or(usize::MAX))
                    .take(per_page as usize)
                    .map(|id| RankedRow { id, rank: 0.0 })
                    .collect();
                let hits = plan.hits(conn, ranked)?;
                return Ok(SearchPage {
                    hits,
                    total,
                    page,
                    per_page,
                    more,
                });
            }
            ids.len() as i64
        }
        Scope::Admin { .. } => plan.count(conn)?,
    };
    if offset >= total {
        return Ok(SearchPage {
            total,
            ..SearchPage::empty(page, per_page)
        });
    }
    let ranked = plan.ranked(conn, q.order, per_page, offset)?;
    let hits = plan.hits(conn, ranked)?;
    Ok(SearchPage {
        hits,
        total,
        page,
        per_page,
        more: false,
    })
}

/// Whether the words of a public search, without its filters, match more
/// than `cap` articles. On SQLite such a search is shown newest first even
/// when its filters leave `cap` or fewer: ranking (BM25) weighs each word by
/// how many articles have it, and FTS5 counts them by reading the word's
/// whole doclist in every ranked statement — 20 ms and more for a word in
/// every article at a million, however few articles the filters leave. A
/// word that common says little about relevance anyway. One more statement
/// that stops after `cap + 1` matches.
fn broad_words(conn: &mut DbConnection, q: &SearchQuery, cap: i64) -> CoreResult<bool> {
    let wide = SearchQuery {
        filters: SearchFilters::default(),
        ..q.clone()
    };
    let Some(mut plan) = Plan::new(conn, &wide) else {
        return Ok(false);
    };
    plan.prepare(conn)?;
    Ok(plan.public_ids(conn, cap)?.len() as i64 > cap)
}

impl Plan<'_> {
    /// Whether the search has any filter besides its words and scope.
    fn filtered(&self) -> bool {
        let f = &self.q.filters;
        f.status.is_some()
            || f.category_id.is_some()
            || f.author_id.is_some()
            || f.published_before.is_some()
            || f.published_after.is_some()
    }

    /// Up to `cap + 1` ids of a public search, newest first, in one statement
    /// that stops there: no separate count. The exact words first: if they
    /// alone match more than the cap, the search is broad and the prefix
    /// could only add more. Leaves `prefix` set as the ids were read.
    fn public_ids(&mut self, conn: &mut DbConnection, cap: i64) -> CoreResult<Vec<i32>> {
        self.prefix = false;
        let mut ids = self.capped_ids(conn, cap + 1)?;
        if ids.len() as i64 <= cap && prefix_last(&self.words) {
            self.prefix = true;
            ids = self.capped_ids(conn, cap + 1)?;
        }
        Ok(ids)
    }

    /// The articles of `ranked`, in that order, with their highlights.
    fn hits(&self, conn: &mut DbConnection, ranked: Vec<RankedRow>) -> CoreResult<Vec<Hit>> {
        let ids: Vec<i32> = ranked.iter().map(|r| r.id).collect();
        let mut found = articles::find_many(conn, &ids)?;
        let mut highlights = self.highlights(conn, &ids)?;
        Ok(ranked
            .into_iter()
            .filter_map(|r| {
                let pos = found.iter().position(|a| a.id == r.id)?;
                let article = found.swap_remove(pos);
                let (title_html, snippet_html) = match highlights.iter().position(|h| h.id == r.id)
                {
                    Some(i) => highlights.swap_remove(i).into_html(),
                    // A title-fragment match (admin scope) has no word to mark.
                    None => (
                        escape_html(&article.title),
                        escape_html(&article.standfirst),
                    ),
                };
                Some(Hit {
                    article,
                    title_html,
                    snippet_html,
                    rank: r.rank,
                })
            })
            .collect())
    }
}

/// How many articles [`search`] would find in all: its `total`, so for a
/// public search at most [`PUBLIC_MATCH_CAP`] (counting every match of a
/// common word, or worse of a short prefix, took over a second at a million
/// articles; the pages only ever reach the newest that many).
pub fn count(conn: &mut DbConnection, q: &SearchQuery) -> CoreResult<i64> {
    count_with_cap(conn, q, PUBLIC_MATCH_CAP)
}

/// [`count`] with another cap, as [`search_with_cap`].
pub fn count_with_cap(conn: &mut DbConnection, q: &SearchQuery, cap: i64) -> CoreResult<i64> {
    let Some(mut plan) = Plan::new(conn, q) else {
        return Ok(0);
    };
    plan.prepare(conn)?;
    match q.scope {
        Scope::Public => {
            let cap = cap.max(1);
            let n = match conn {
                DbConnection::Postgres(_) => conn.transaction(|conn| {
                    diesel::sql_query("SET LOCAL max_parallel_workers_per_gather = 0")
                        .execute(conn)?;
                    plan.public_ids(conn, cap)
                })?,
                DbConnection::Sqlite(_) => plan.public_ids(conn, cap)?,
            }
            .len() as i64;
            Ok(n.min(cap))
        }
        Scope::Admin { .. } => plan.count(conn),
    }
}

/// Rewrites an article's index entry from what is stored now. Called inside
/// the transaction that wrote the article.
pub fn reindex(conn: &mut DbConnection, article_id: i32) -> CoreResult<()> {
    let article = articles::find(conn, article_id)?;
    let secs: Vec<(Option<String>, String)> = sections::table
        .filter(sections::article_id.eq(article_id))
        .order(sections::position.asc())
        .select((sections::heading, sections::body_markdown))
        .load(conn)?;
    let title = strip_marks(&article.title);
    let standfirst = strip_marks(&article.standfirst);
    let body = body_text(&secs);
    match conn {
        DbConnection::Sqlite(c) => {
            diesel::sql_query("DELETE FROM article_search WHERE rowid = ?1")
                .bind::<Integer, _>(article_id)
                .execute(c)?;
            diesel::sql_query(format!(
                "INSERT INTO article_search (rowid, title, standfirst, body, facets) \
                 SELECT ?1, ?2, ?3, ?4, {FACETS_SQL} FROM articles a WHERE a.id = ?1"
            ))
            .bind::<Integer, _>(article_id)
            .bind::<Text, _>(&title)
            .bind::<Text, _>(&standfirst)
            .bind::<Text, _>(&body)
            .execute(c)?;
            vocab::record(c, article_id, article_id)?;
        }
        DbConnection::Postgres(c) => {
            diesel::sql_query(format!(
                "WITH written AS (INSERT INTO article_search (article_id, title, standfirst, body) \
                 VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (article_id) DO UPDATE \
                 SET title = excluded.title, standfirst = excluded.standfirst, body = excluded.body \
                 RETURNING *) {PG_KEYS_SQL}"
            ))
            .bind::<Integer, _>(article_id)
            .bind::<Text, _>(&title)
            .bind::<Text, _>(&standfirst)
            .bind::<Text, _>(&body)
            .execute(c)?;
            vocab::record_pg(c, article_id, article_id)?;
        }
    }
    Ok(())
}

/// Indexes the articles with ids in `ids` in one statement per backend, from
/// the stored section Markdown (as the migration's backfill does), for bulk
/// writers that insert rows directly (`gazette seed`). Prefer [`reindex`],
/// which indexes plain text, for anything an editor wrote.
pub fn reindex_range(
    conn: &mut DbConnection,
    ids: std::ops::RangeInclusive<i32>,
) -> CoreResult<()> {
    let (first, last) = (*ids.start(), *ids.end());
    match conn {
        DbConnection::Sqlite(c) => {
            diesel::sql_query("DELETE FROM article_search WHERE rowid BETWEEN ?1 AND ?2")
                .bind::<Integer, _>(first)
                .bind::<Integer, _>(last)
                .execute(c)?;
            diesel::sql_query(format!(
                "INSERT INTO article_search (rowid, title, standfirst, body, facets) \
                 SELECT a.id, a.title, a.standfirst, \
                 coalesce((SELECT substr(group_concat(coalesce(s.heading || char(10), '') || s.body_markdown, \
                 char(10) ORDER BY s.position), 1, ?3) FROM sections s WHERE s.article_id = a.id), ''), \
                 {FACETS_SQL} FROM articles a WHERE a.id BETWEEN ?1 AND ?2"
            ))
            .bind::<Integer, _>(first)
            .bind::<Integer, _>(last)
            .bind::<Integer, _>(MAX_BODY_CHARS as i32)
            .execute(c)?;
            vocab::record(c, first, last)?;
        }
        DbConnection::Postgres(c) => {
            diesel::sql_query(format!(
                "WITH written AS (INSERT INTO article_search (article_id, title, standfirst, body) \
                 SELECT a.id, a.title, a.standfirst, \
                 coalesce((SELECT left(string_agg(coalesce(s.heading || E'\\n', '') || s.body_markdown, \
                 E'\\n' ORDER BY s.position), $3) FROM sections s WHERE s.article_id = a.id), '') \
                 FROM articles a WHERE a.id BETWEEN $1 AND $2 \
                 ON CONFLICT (article_id) DO UPDATE \
                 SET title = excluded.title, standfirst = excluded.standfirst, body = excluded.body \
                 RETURNING *) {PG_KEYS_SQL}"
            ))
            .bind::<Integer, _>(first)
            .bind::<Integer, _>(last)
            .bind::<Integer, _>(MAX_BODY_CHARS as i32)
            .execute(c)?;
            vocab::record_pg(c, first, last)?;
        }
    }
    Ok(())
}
