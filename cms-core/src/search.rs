//! Full-text search over titles, standfirsts and sections: one function,
//! [`search`], for the public search page, the admin article list and the
//! Content API's `q`.
//!
//! Storage (migration `2026-11-29-000004_search`): a table `article_search`
//! with one row per article holding its searchable text as plain text —
//! an FTS5 virtual table on SQLite (rowid = article id), an ordinary table with
//! a generated, weighted `tsvector` and a GIN index on PostgreSQL. [`reindex`]
//! rewrites an article's row; `articles::save` calls it (through
//! `write_children`) inside its transaction, so a save and its index entry
//! commit together. Deleting an article deletes its row (a trigger on SQLite,
//! `ON DELETE CASCADE` on PostgreSQL).
//!
//! Matching: no stemming on either database (SQLite `unicode61`, PostgreSQL
//! `'simple'`), because a news site may publish in any language. Every word of
//! the query must appear somewhere in the article; the last word also matches
//! as a prefix ("elect" finds "election"), which covers most plurals and
//! half-typed words. SQLite additionally ignores accents; PostgreSQL (without
//! the optional `unaccent` extension) does not.
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
    /// A public search matched more than [`PUBLIC_MATCH_CAP`] articles: only
    /// the newest that many matches are considered, newest first, and
    /// `total` counts those that pass the filters.
    pub more: bool,
}

/// A public search that matches more articles than this (a word found in
/// nearly every article) shows the newest this many, newest first, instead
/// of ranking them all: ranking needs the word's frequency over the whole
/// index, which at a million articles took tens of milliseconds per search
/// for the commonest words, and counting every match as long again.
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
    let page = q.page.max(1);
    let per_page = q.per_page.clamp(1, 200);
    let Some(mut plan) = Plan::new(conn, q) else {
        return Ok(SearchPage::empty(page, per_page));
    };
    let (total, more) = match q.scope {
        Scope::Public => {
            // The exact words first: if they alone match more than the cap,
            // the search is broad and the prefix could only add more, while
            // merging every indexed word that starts with the last one is
            // the slowest step of a search (600 ms for "council" at a
            // million articles).
            plan.prefix = false;
            let mut n = plan.count_upto(conn, PUBLIC_MATCH_CAP + 1)?;
            if n <= PUBLIC_MATCH_CAP {
                plan.prefix = true;
                n = plan.count_upto(conn, PUBLIC_MATCH_CAP + 1)?;
            }
            if n > PUBLIC_MATCH_CAP {
                // The newest matches of the index, then the filters (a
                // draft among them is left out): counting these is cheap.
                plan.newest_only = Some(PUBLIC_MATCH_CAP);
                (plan.count(conn)?, true)
            } else {
                (n, false)
            }
        }
        Scope::Admin { .. } => (plan.count(conn)?, false),
    };
    let offset = (page - 1).saturating_mul(per_page);
    if offset >= total {
        return Ok(SearchPage {
            total,
            more,
            ..SearchPage::empty(page, per_page)
        });
    }
    let ranked = plan.ranked(conn, q.order, per_page, offset)?;
    let ids: Vec<i32> = ranked.iter().map(|r| r.id).collect();
    let mut found = articles::find_many(conn, &ids)?;
    let mut highlights = plan.highlights(conn, &ids)?;
    let hits = ranked
        .into_iter()
        .filter_map(|r| {
            let pos = found.iter().position(|a| a.id == r.id)?;
            let article = found.swap_remove(pos);
            let (title_html, snippet_html) = match highlights.iter().position(|h| h.id == r.id) {
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
        .collect();
    Ok(SearchPage {
        hits,
        total,
        page,
        per_page,
        more,
    })
}

/// How many articles [`search`] would find in all (cheaper than a page).
pub fn count(conn: &mut DbConnection, q: &SearchQuery) -> CoreResult<i64> {
    match Plan::new(conn, q) {
        Some(plan) => plan.count(conn),
        None => Ok(0),
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
            diesel::sql_query(
                "INSERT INTO article_search (rowid, title, standfirst, body) VALUES (?1, ?2, ?3, ?4)",
            )
            .bind::<Integer, _>(article_id)
            .bind::<Text, _>(&title)
            .bind::<Text, _>(&standfirst)
            .bind::<Text, _>(&body)
            .execute(c)?;
        }
        DbConnection::Postgres(c) => {
            diesel::sql_query(
                "INSERT INTO article_search (article_id, title, standfirst, body) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (article_id) DO UPDATE \
                 SET title = excluded.title, standfirst = excluded.standfirst, body = excluded.body",
            )
            .bind::<Integer, _>(article_id)
            .bind::<Text, _>(&title)
            .bind::<Text, _>(&standfirst)
            .bind::<Text, _>(&body)
            .execute(c)?;
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
            diesel::sql_query(
                "INSERT INTO article_search (rowid, title, standfirst, body) \
                 SELECT a.id, a.title, a.standfirst, \
                 coalesce((SELECT substr(group_concat(coalesce(s.heading || char(10), '') || s.body_markdown, \
                 char(10) ORDER BY s.position), 1, ?3) FROM sections s WHERE s.article_id = a.id), '') \
                 FROM articles a WHERE a.id BETWEEN ?1 AND ?2",
            )
            .bind::<Integer, _>(first)
            .bind::<Integer, _>(last)
            .bind::<Integer, _>(MAX_BODY_CHARS as i32)
            .execute(c)?;
        }
        DbConnection::Postgres(c) => {
            diesel::sql_query(
                "INSERT INTO article_search (article_id, title, standfirst, body) \
                 SELECT a.id, a.title, a.standfirst, \
                 coalesce((SELECT left(string_agg(coalesce(s.heading || E'\\n', '') || s.body_markdown, \
                 E'\\n' ORDER BY s.position), $3) FROM sections s WHERE s.article_id = a.id), '') \
                 FROM articles a WHERE a.id BETWEEN $1 AND $2 \
                 ON CONFLICT (article_id) DO UPDATE \
                 SET title = excluded.title, standfirst = excluded.standfirst, body = excluded.body",
            )
            .bind::<Integer, _>(first)
            .bind::<Integer, _>(last)
            .bind::<Integer, _>(MAX_BODY_CHARS as i32)
            .execute(c)?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Query text → words

/// The words of a query: runs of letters and digits, lower-cased, without
/// repeats. Everything else — quotes, operators, brackets — separates words,
/// so nothing the user types can reach the query parsers as syntax.
pub fn terms(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        let word: String = word
            .chars()
            .take(MAX_TERM_CHARS)
            .collect::<String>()
            .to_lowercase();
        if !out.contains(&word) {
            out.push(word);
        }
        if out.len() == MAX_TERMS {
            break;
        }
    }
    out
}

/// Whether the last word also matches as a prefix (not for one letter, which
/// would match nearly everything).
fn prefix_last(words: &[String]) -> bool {
    words.last().is_some_and(|w| w.chars().count() >= 2)
}

/// FTS5 query: every word a quoted string (implicit AND), the last one a prefix.
/// Words contain no `"`, but doubling it keeps the quoting right regardless.
fn fts5_query(words: &[String], prefix: bool) -> String {
    let mut parts: Vec<String> = words
        .iter()
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    if prefix && prefix_last(words) {
        if let Some(last) = parts.last_mut() {
            last.push('*');
        }
    }
    parts.join(" ")
}

/// `to_tsquery` text: quoted lexemes joined by `&`, the last one a prefix.
/// Words contain no `'` or `\`, but escaping keeps the quoting right regardless.
fn tsquery(words: &[String], prefix: bool) -> String {
    let mut parts: Vec<String> = words
        .iter()
        .map(|w| format!("'{}'", w.replace('\\', "\\\\").replace('\'', "''")))
        .collect();
    if prefix && prefix_last(words) {
        if let Some(last) = parts.last_mut() {
            last.push_str(":*");
        }
    }
    parts.join(" & ")
}

// ---------------------------------------------------------------------------
// Highlights → HTML

/// Escapes text for HTML and turns [`MARK_START`]/[`MARK_END`] into
/// `<mark>`/`</mark>`, always balanced: a stray or repeated sentinel is dropped.
pub fn highlight_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut open = false;
    for ch in text.chars() {
        match ch {
            MARK_START if !open => {
                out.push_str("<mark>");
                open = true;
            }
            MARK_END if open => {
                out.push_str("</mark>");
                open = false;
            }
            MARK_START | MARK_END => {}
            other => push_escaped(&mut out, other),
        }
    }
    if open {
        out.push_str("</mark>");
    }
    out
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text
        .chars()
        .filter(|c| !matches!(*c, MARK_START | MARK_END))
    {
        push_escaped(&mut out, ch);
    }
    out
}

fn push_escaped(out: &mut String, ch: char) {
    match ch {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        c => out.push(c),
    }
}

fn strip_marks(text: &str) -> String {
    text.replace([MARK_START, MARK_END], "")
}

// ---------------------------------------------------------------------------
// Article → indexed text

/// Headings and section text as plain text, in order, capped at [`MAX_BODY_CHARS`].
fn body_text(secs: &[(Option<String>, String)]) -> String {
    let mut body = String::new();
    for (heading, markdown) in secs {
        if let Some(h) = heading.as_deref().filter(|h| !h.trim().is_empty()) {
            body.push_str(h.trim());
            body.push('\n');
        }
        body.push_str(&markdown_text(markdown));
        body.push_str("\n\n");
    }
    let body = strip_marks(body.trim_end());
    match body.char_indices().nth(MAX_BODY_CHARS) {
        Some((cut, _)) => body[..cut].to_owned(),
        None => body,
    }
}

/// The words a reader sees in a section: Markdown syntax, link targets and raw
/// HTML tags dropped, one line per block.
fn markdown_text(markdown: &str) -> String {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, opts) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock
                | TagEnd::TableRow
                | TagEnd::TableHead,
            ) => out.push('\n'),
            Event::End(TagEnd::TableCell) => out.push(' '),
            _ => {}
        }
    }
    out.trim_end().to_owned()
}

// ---------------------------------------------------------------------------
// SQL

/// A bound value of a hand-written query.
enum Value {
    Text(String),
    Int(i32),
    BigInt(i64),
    Time(NaiveDateTime),
}

/// SQL text with numbered placeholders (`?1` on SQLite, `$1` on PostgreSQL,
/// so a value can be used twice) and the values to bind, in order.
struct Sql {
    pg: bool,
    text: String,
    binds: Vec<Value>,
}

impl Sql {
    fn new(pg: bool) -> Self {
        Sql {
            pg,
            text: String::new(),
            binds: Vec::new(),
        }
    }

    fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    /// Adds a value and returns its placeholder.
    fn bind(&mut self, v: Value) -> String {
        self.binds.push(v);
        format!("{}{}", if self.pg { '$' } else { '?' }, self.binds.len())
    }

    fn load<U>(&self, conn: &mut DbConnection) -> QueryResult<Vec<U>>
    where
        U: QueryableByName<diesel::pg::Pg> + QueryableByName<diesel::sqlite::Sqlite> + 'static,
    {
        crate::with_backend!(conn, |c| {
            let mut q = boxed(c, &self.text);
            for v in &self.binds {
                q = match v {
                    Value::Text(s) => q.bind::<Text, _>(s.clone()),
                    Value::Int(n) => q.bind::<Integer, _>(*n),
                    Value::BigInt(n) => q.bind::<BigInt, _>(*n),
                    Value::Time(t) => q.bind::<Timestamp, _>(*t),
                };
            }
            q.load::<U>(c)
        })
    }
}

/// A boxed raw query for `c`'s backend (the connection only fixes the type).
fn boxed<C: Connection>(_: &C, text: &str) -> BoxedSqlQuery<'static, C::Backend, SqlQuery> {
    diesel::sql_query(text.to_owned()).into_boxed()
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct RankedRow {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Double)]
    rank: f64,
}

#[derive(QueryableByName)]
struct HighlightRow {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Text)]
    title_hl: String,
    #[diesel(sql_type = Text)]
    standfirst_hl: String,
    #[diesel(sql_type = Text)]
    body_hl: String,
}

impl HighlightRow {
    /// The title, and the body excerpt if the body matched, else the standfirst.
    fn into_html(self) -> (String, String) {
        let snippet = if self.body_hl.contains(MARK_START) || self.standfirst_hl.trim().is_empty() {
            self.body_hl
        } else {
            self.standfirst_hl
        };
        (
            highlight_html(&self.title_hl),
            highlight_html(snippet.trim()),
        )
    }
}

/// A search turned into SQL for one backend.
struct Plan<'q> {
    pg: bool,
    q: &'q SearchQuery,
    words: Vec<String>,
    /// Admin scope: the title fragment to look for with `LIKE`.
    fragment: Option<String>,
    /// Consider only the newest (or, oldest first, the oldest) this many
    /// matching articles, unranked (see [`PUBLIC_MATCH_CAP`]).
    newest_only: Option<i64>,
    /// The last word also matches as a prefix (see [`search`]).
    prefix: bool,
}

impl<'q> Plan<'q> {
    /// `None` when nothing can match (no words, and no title fragment).
    fn new(conn: &DbConnection, q: &'q SearchQuery) -> Option<Self> {
        let text = q.text.trim();
        let text = match text.char_indices().nth(500) {
            Some((cut, _)) => &text[..cut],
            None => text,
        };
        let words = terms(text);
        let fragment = match q.scope {
            Scope::Admin { .. } if !text.is_empty() => {
                // Control characters (NUL above all) are no part of a title, and
                // PostgreSQL refuses NUL in text outright.
                Some(
                    text.chars()
                        .filter(|c| !c.is_control())
                        .collect::<String>()
                        .to_lowercase(),
                )
                .filter(|f| !f.trim().is_empty())
            }
            _ => None,
        };
        if words.is_empty() && fragment.is_none() {
            return None;
        }
        Some(Plan {
            pg: matches!(conn, DbConnection::Postgres(_)),
            q,
            words,
            fragment,
            newest_only: None,
            prefix: true,
        })
    }

    /// `FROM (matching ids with their rank) m JOIN articles a … WHERE filters`.
    fn push_from_where(&self, sql: &mut Sql) {
        sql.push(" FROM (");
        let fts = !self.words.is_empty();
        let both = fts && self.fragment.is_some();
        if both {
            sql.push("SELECT id, max(rank) AS rank FROM (");
        }
        if fts {
            self.word_matches(sql);
        }
        if both {
            sql.push(" UNION ALL ");
        }
        if let Some(fragment) = &self.fragment {
            let p = sql.bind(Value::Text(format!("%{}%", escape_like(fragment))));
            let zero = if self.pg { "0::float8" } else { "0.0" };
            sql.push(&format!(
                "SELECT id, {zero} AS rank FROM articles WHERE lower(title) LIKE {p} ESCAPE '\\'"
            ));
        }
        if both {
            sql.push(") u GROUP BY id");
        }
        sql.push(") m JOIN articles a ON a.id = m.id");

        let mut conds: Vec<String> = Vec::new();
        match self.q.scope {
            Scope::Public => {
                let t = sql.bind(Value::Time(now()));
                conds.push(format!(
                    "a.status IN ('published', 'scheduled') AND a.published_at <= {t}"
                ));
            }
            Scope::Admin { only_author } => {
                if let Some(id) = only_author {
                    conds.push(format!("a.author_id = {}", sql.bind(Value::Int(id))));
                }
            }
        }
        let f = &self.q.filters;
        if let Some(s) = f.status {
            conds.push(format!(
                "a.status = {}",
                sql.bind(Value::Text(s.as_str().to_owned()))
            ));
        }
        if let Some(id) = f.category_id {
            conds.push(format!("a.category_id = {}", sql.bind(Value::Int(id))));
        }
        if let Some(id) = f.author_id {
            conds.push(format!("a.author_id = {}", sql.bind(Value::Int(id))));
        }
        if let Some(t) = f.published_before {
            conds.push(format!("a.published_at < {}", sql.bind(Value::Time(t))));
        }
        if let Some(t) = f.published_after {
            conds.push(format!("a.published_at > {}", sql.bind(Value::Time(t))));
        }
        if !conds.is_empty() {
            sql.push(" WHERE ").push(&conds.join(" AND "));
        }
    }

    /// `SELECT id, rank` of every article whose text has all the words.
    /// Weights: title 10 / standfirst 4 / body 1 on SQLite's BM25;
    /// A 1.0 / B 0.4 / C 0.2 on PostgreSQL's cover density (length-normalised).
    fn word_matches(&self, sql: &mut Sql) {
        if let Some(cap) = self.newest_only {
            // Ids grow with time: the newest matches are the highest ids.
            let dir = if self.q.order == SearchOrder::Oldest {
                "ASC"
            } else {
                "DESC"
            };
            let (id, zero, query) = if self.pg {
                let p = sql.bind(Value::Text(tsquery(&self.words, self.prefix)));
                (
                    "article_id",
                    "0::float8",
                    format!("document @@ to_tsquery('simple', {p})"),
                )
            } else {
                let p = sql.bind(Value::Text(fts5_query(&self.words, self.prefix)));
                ("rowid", "0.0", format!("article_search MATCH {p}"))
            };
            let cap = sql.bind(Value::BigInt(cap));
            sql.push(&format!(
                "SELECT {id} AS id, {zero} AS rank FROM article_search WHERE {query} \
                 ORDER BY {id} {dir} LIMIT {cap}"
            ));
            return;
        }
        if self.pg {
            let p = sql.bind(Value::Text(tsquery(&self.words, self.prefix)));
            sql.push(&format!(
                "SELECT article_id AS id, \
                 ts_rank_cd('{{0.1, 0.2, 0.4, 1.0}}'::float4[], document, to_tsquery('simple', {p}), 1)::float8 AS rank \
                 FROM article_search WHERE document @@ to_tsquery('simple', {p})"
            ));
        } else {
            let p = sql.bind(Value::Text(fts5_query(&self.words, self.prefix)));
            sql.push(&format!(
                "SELECT rowid AS id, -bm25(article_search, 10.0, 4.0, 1.0) AS rank \
                 FROM article_search WHERE article_search MATCH {p}"
            ));
        }
    }

    /// The number of matches, counting no further than `limit`.
    fn count_upto(&self, conn: &mut DbConnection, limit: i64) -> CoreResult<i64> {
        let mut sql = Sql::new(self.pg);
        sql.push("SELECT count(*) AS n FROM (SELECT a.id");
        self.push_from_where(&mut sql);
        let l = sql.bind(Value::BigInt(limit));
        sql.push(&format!(" LIMIT {l}) capped"));
        Ok(sql.load::<CountRow>(conn)?.first().map_or(0, |r| r.n))
    }

    fn count(&self, conn: &mut DbConnection) -> CoreResult<i64> {
        let mut sql = Sql::new(self.pg);
        sql.push("SELECT count(*) AS n");
        self.push_from_where(&mut sql);
        Ok(sql.load::<CountRow>(conn)?.first().map_or(0, |r| r.n))
    }

    fn ranked(
        &self,
        conn: &mut DbConnection,
        order: SearchOrder,
        limit: i64,
        offset: i64,
    ) -> CoreResult<Vec<RankedRow>> {
        let mut sql = Sql::new(self.pg);
        sql.push("SELECT a.id AS id, m.rank AS rank");
        self.push_from_where(&mut sql);
        sql.push(match order {
            SearchOrder::Relevance => {
                " ORDER BY m.rank DESC, a.published_at DESC NULLS LAST, a.id DESC"
            }
            SearchOrder::Newest => " ORDER BY a.published_at DESC NULLS LAST, a.id DESC",
            SearchOrder::Oldest => " ORDER BY a.published_at ASC NULLS LAST, a.id ASC",
        });
        let (l, o) = (
            sql.bind(Value::BigInt(limit)),
            sql.bind(Value::BigInt(offset)),
        );
        sql.push(&format!(" LIMIT {l} OFFSET {o}"));
        Ok(sql.load(conn)?)
    }

    /// Highlighted title, standfirst and body excerpt of the given articles,
    /// computed only for the page being shown.
    fn highlights(&self, conn: &mut DbConnection, ids: &[i32]) -> CoreResult<Vec<HighlightRow>> {
        if self.words.is_empty() || ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(self.pg);
        let (start, end) = (MARK_START.to_string(), MARK_END.to_string());
        if self.pg {
            let q = sql.bind(Value::Text(tsquery(&self.words, self.prefix)));
            let whole = sql.bind(Value::Text(format!(
                "StartSel={start}, StopSel={end}, HighlightAll=true"
            )));
            let excerpt = sql.bind(Value::Text(format!(
                "StartSel={start}, StopSel={end}, MaxWords={SNIPPET_WORDS}, MinWords={}, \
                 MaxFragments=1, ShortWord=0",
                SNIPPET_WORDS / 2
            )));
            sql.push(&format!(
                "SELECT article_id AS id, \
                 ts_headline('simple', title, q, {whole}) AS title_hl, \
                 ts_headline('simple', standfirst, q, {whole}) AS standfirst_hl, \
                 ts_headline('simple', body, q, {excerpt}) AS body_hl \
                 FROM article_search, to_tsquery('simple', {q}) AS q WHERE article_id IN ("
            ));
        } else {
            let m = sql.bind(Value::Text(fts5_query(&self.words, self.prefix)));
            let s = sql.bind(Value::Text(start));
            let e = sql.bind(Value::Text(end));
            let dots = sql.bind(Value::Text("…".into()));
            sql.push(&format!(
                "SELECT rowid AS id, \
                 highlight(article_search, 0, {s}, {e}) AS title_hl, \
                 highlight(article_search, 1, {s}, {e}) AS standfirst_hl, \
                 snippet(article_search, 2, {s}, {e}, {dots}, {SNIPPET_WORDS}) AS body_hl \
                 FROM article_search WHERE article_search MATCH {m} AND rowid IN ("
            ));
        }
        let placeholders: Vec<String> = ids.iter().map(|id| sql.bind(Value::Int(*id))).collect();
        sql.push(&placeholders.join(", ")).push(")");
        Ok(sql.load(conn)?)
    }
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_letters_and_digits_only() {
        assert_eq!(
            terms(r#""AND OR NOT * ( ) ' -- ;"#),
            vec!["and", "or", "not"]
        );
        assert_eq!(
            terms("<script>alert(1)</script>"),
            vec!["script", "alert", "1"]
        );
        assert_eq!(terms("  Budget VOTE budget "), vec!["budget", "vote"]);
        assert_eq!(terms("e-mail O'Brien"), vec!["e", "mail", "o", "brien"]);
        assert_eq!(terms("Élève café"), vec!["élève", "café"]);
        assert!(terms("%_*\"'()").is_empty());
        assert_eq!(terms(&"w ".repeat(100)).len(), 1);
        let many: String = (0..40).map(|i| format!("word{i} ")).collect();
        assert_eq!(terms(&many).len(), MAX_TERMS);
    }

    #[test]
    fn queries_quote_every_word() {
        let w = terms("budget vo");
        assert_eq!(fts5_query(&w, true), r#""budget" "vo"*"#);
        assert_eq!(tsquery(&w, true), "'budget' & 'vo':*");
        let one_letter = terms("budget a");
        assert_eq!(fts5_query(&one_letter, true), r#""budget" "a""#);
        assert_eq!(tsquery(&one_letter, true), "'budget' & 'a'");
    }

    #[test]
    fn highlights_are_escaped_and_balanced() {
        let s = format!("a <b> & {MARK_START}vote{MARK_END} \"x\"");
        assert_eq!(
            highlight_html(&s),
            "a &lt;b&gt; &amp; <mark>vote</mark> &quot;x&quot;"
        );
        let stray = format!("{MARK_END}x{MARK_START}{MARK_START}y");
        assert_eq!(highlight_html(&stray), "x<mark>y</mark>");
        assert_eq!(escape_html(&format!("<i>{MARK_START}")), "&lt;i&gt;");
    }

    #[test]
    fn markdown_becomes_plain_text() {
        let t = markdown_text("Councillors voted **late** on [Tuesday](https://example.org/x).\n\n- one\n- `two`\n\n<b>raw</b>");
        assert_eq!(t, "Councillors voted late on Tuesday.\none\ntwo\nraw");
        let body = body_text(&[
            (None, "Intro *text*.".into()),
            (Some("The vote".into()), "It passed.".into()),
        ]);
        assert_eq!(body, "Intro text.\n\nThe vote\nIt passed.");
    }
}
