//! Searches as SQL for either backend: the hand-written query builder and
//! the search plan.

use super::*;

/// A bound value of a hand-written query.
pub(super) enum Value {
    Text(String),
    Int(i32),
    BigInt(i64),
    Time(NaiveDateTime),
}

/// SQL text with numbered placeholders (`?1` on SQLite, `$1` on PostgreSQL,
/// so a value can be used twice) and the values to bind, in order.
pub(super) struct Sql {
    pg: bool,
    text: String,
    binds: Vec<Value>,
}

impl Sql {
    pub(super) fn new(pg: bool) -> Self {
        Sql {
            pg,
            text: String::new(),
            binds: Vec::new(),
        }
    }

    pub(super) fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    /// Adds a value and returns its placeholder.
    pub(super) fn bind(&mut self, v: Value) -> String {
        self.binds.push(v);
        format!("{}{}", if self.pg { '$' } else { '?' }, self.binds.len())
    }

    pub(super) fn load<U>(&self, conn: &mut DbConnection) -> QueryResult<Vec<U>>
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
pub(super) fn boxed<C: Connection>(
    _: &C,
    text: &str,
) -> BoxedSqlQuery<'static, C::Backend, SqlQuery> {
    diesel::sql_query(text.to_owned()).into_boxed()
}

#[derive(QueryableByName)]
pub(super) struct CountRow {
    #[diesel(sql_type = BigInt)]
    pub(super) n: i64,
}

#[derive(QueryableByName)]
pub(super) struct IdRow {
    #[diesel(sql_type = Integer)]
    pub(super) id: i32,
}

#[derive(QueryableByName)]
pub(super) struct RankedRow {
    #[diesel(sql_type = Integer)]
    pub(super) id: i32,
    #[diesel(sql_type = Double)]
    pub(super) rank: f64,
}

#[derive(QueryableByName)]
pub(super) struct HighlightRow {
    #[diesel(sql_type = Integer)]
    pub(super) id: i32,
    #[diesel(sql_type = Text)]
    pub(super) title_hl: String,
    #[diesel(sql_type = Text)]
    pub(super) standfirst_hl: String,
    #[diesel(sql_type = Text)]
    pub(super) body_hl: String,
}

impl HighlightRow {
    /// The title, and the body excerpt if the body matched, else the standfirst.
    pub(super) fn into_html(self) -> (String, String) {
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
#[derive(Clone)]
pub(super) struct Plan<'q> {
    pub(super) pg: bool,
    pub(super) q: &'q SearchQuery,
    pub(super) words: Vec<String>,
    /// Admin scope: the title fragment to look for with `LIKE`.
    pub(super) fragment: Option<String>,
    /// The last word also matches as a prefix (see [`search`]).
    pub(super) prefix: bool,
    /// The indexed words the last word starts, matched instead of the prefix
    /// when known (see [`Plan::prepare`]).
    pub(super) completions: Option<Vec<String>>,
    /// The filters as facet words of the index (see [`Plan::filter_facets`]),
    /// so the index skips to the articles that pass them.
    pub(super) facets: Option<facets::Facets>,
    /// Only articles published from `.0` until before `.1` (a window of a
    /// search read in parts: see `windows`).
    pub(super) window: Option<(NaiveDateTime, NaiveDateTime)>,
    /// PostgreSQL: read by walking a listing index of `articles` newest
    /// first, testing each article's words (see `windows`), rather than from
    /// `article_search_keys` alone.
    pub(super) walk: bool,
}

impl<'q> Plan<'q> {
    /// `None` when nothing can match (no words, and no title fragment).
    pub(super) fn new(conn: &DbConnection, q: &'q SearchQuery) -> Option<Self> {
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
            prefix: true,
            completions: None,
            facets: None,
            window: None,
            walk: false,
        })
    }

    /// What to look up before the search itself: the words the last word
    /// completes to (see `vocab`) — on SQLite when it is longer than FTS5's
    /// prefix indexes, so the search streams instead of merging every such
    /// word's doclist first; on PostgreSQL always, so the planner can tell a
    /// rare prefix from a common one — and the filters as facets.
    pub(super) fn prepare(&mut self, conn: &mut DbConnection) -> CoreResult<()> {
        if self.words.is_empty() {
            return Ok(());
        }
        // SQLite completes only what its prefix indexes do not cover;
        // PostgreSQL every prefix, whose matches its planner cannot estimate.
        self.facets = self.filter_facets(conn)?;
        let shortest = if self.pg {
            0
        } else {
            vocab::INDEXED_PREFIX_CHARS
        };
        match self.words.last() {
            Some(last) if prefix_last(&self.words) && last.chars().count() > shortest => {
                self.completions = vocab::completions(conn, last)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// The FTS5 query text for the words as this plan matches them now, in
    /// the text columns only: a searcher's "c3" is no category.
    fn fts5(&self) -> String {
        format!(
            "{{title standfirst body}} : ({})",
            fts5_query(&self.words, self.prefix, self.completions.as_deref())
        )
    }

    /// Whether this plan reads `article_search_keys` alone (migration
    /// `2026-11-30-000015_search_keys_postgres`): a public search of words
    /// on PostgreSQL that does not walk. Its matches, their rank and the
    /// columns the filters test come from one narrow row each, and no
    /// `articles` row is read until the page is shown.
    pub(super) fn keyed(&self) -> bool {
        self.pg && self.q.scope == Scope::Public && !self.words.is_empty() && !self.walk
    }

    /// The rank of a match, as [`Plan::push_from_where`] names it.
    pub(super) fn rank_column(&self) -> &'static str {
        if self.keyed() {
            "a.rank"
        } else {
            "m.rank"
        }
    }

    /// `FROM (matching ids with their rank) m JOIN articles a … WHERE filters`,
    /// or for a [`Plan::keyed`] plan `FROM (matching keys with their rank) a
    /// WHERE filters`.
    pub(super) fn push_from_where(&self, sql: &mut Sql) {
        sql.push(" FROM (");
        if self.keyed() {
            self.word_matches_of(sql, true);
            sql.push(") a");
            self.push_where(sql);
            return;
        }
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
        // SQLite cannot estimate how many rows a full-text match returns, and
        // with a category or author filter it drove the join from that filter's
        // index, running the MATCH once per article of the category (83 000 at
        // a million articles: a minute) and sorting them all. CROSS JOIN keeps
        // the index matches outside, read newest first and stopped at the
        // limit. (The admin scope keeps the planner's choice.)
        if !self.pg && self.q.scope == Scope::Public {
            sql.push(") m CROSS JOIN articles a ON a.id = m.id");
        } else {
            sql.push(") m JOIN articles a ON a.id = m.id");
        }
        self.push_where(sql);
    }

    /// `WHERE` the filters, on the columns of `a`.
    fn push_where(&self, sql: &mut Sql) {
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
        if let Some((from, until)) = self.window {
            let (from, until) = (sql.bind(Value::Time(from)), sql.bind(Value::Time(until)));
            conds.push(format!(
                "a.published_at >= {from} AND a.published_at < {until}"
            ));
        }
        if !conds.is_empty() {
            sql.push(" WHERE ").push(&conds.join(" AND "));
        }
    }

    /// `SELECT id, rank` of every article whose text has all the words.
    /// Weights: title 10 / standfirst 4 / body 1 on SQLite's BM25;
    /// A 1.0 / B 0.4 / C 0.2 on PostgreSQL's cover density (length-normalised).
    pub(super) fn word_matches(&self, sql: &mut Sql) {
        self.word_matches_of(sql, false);
    }

    /// [`Plan::word_matches`], on PostgreSQL also with the `keys` its
    /// filters test (see [`Plan::keyed`]).
    fn word_matches_of(&self, sql: &mut Sql, keys: bool) {
        if self.pg {
            let (p, matched) = self.pg_tsquery(sql);
            let keys = if keys {
                ", status, published_at, category_id, author_id"
            } else {
                ""
            };
            sql.push(&format!(
                "SELECT article_id AS id, \
                 ts_rank_cd('{{0.1, 0.2, 0.4, 1.0}}'::float4[], document, to_tsquery('simple', {p}), 1)::float8 AS rank{keys} \
                 FROM article_search_keys WHERE document @@ ({matched})"
            ));
        } else {
            let text = match &self.facets {
                Some(facets) => format!("{} AND {}", self.fts5(), facets.fts5()),
                None => self.fts5(),
            };
            let p = sql.bind(Value::Text(text));
            // The facets weigh nothing in the rank.
            sql.push(&format!(
                "SELECT rowid AS id, -bm25(article_search, 10.0, 4.0, 1.0, 0.0) AS rank \
                 FROM article_search WHERE article_search MATCH {p}"
            ));
        }
    }

    /// PostgreSQL: the placeholder of the words' `tsquery` text, and the
    /// `tsquery` that matches them with the facets. The facets join the words
    /// as a cast, which keeps their '#' (`to_tsquery` would parse it away);
    /// only the words weigh in a rank.
    pub(super) fn pg_tsquery(&self, sql: &mut Sql) -> (String, String) {
        let p = sql.bind(Value::Text(tsquery(
            &self.words,
            self.prefix,
            self.completions.as_deref(),
        )));
        let matched = match &self.facets {
            Some(f) => format!(
                "to_tsquery('simple', {p}) && {}::tsquery",
                sql.bind(Value::Text(f.tsquery()))
            ),
            None => format!("to_tsquery('simple', {p})"),
        };
        (p, matched)
    }

    /// The ids of the first `limit` matching articles (filters applied),
    /// newest first (oldest first for [`SearchOrder::Oldest`]), in one
    /// statement that stops at `limit`. On SQLite by id (ids grow with time):
    /// FTS5 reads the matches in rowid order, and `ORDER BY` on the rowid is
    /// consumed by the virtual table. On PostgreSQL by publication time: the
    /// planner walks a listing index of the articles (the site's, or a
    /// category's or author's, from a date bound) and tests each one's
    /// document, which for a common word stops after about `limit` rows.
    /// Ordered by id it walked `article_search` and tested every document
    /// before the filters: a category or a date in the past took 0.3–1.5 s
    /// at a million articles, now 3–5 ms for a common word.
    pub(super) fn capped_ids(&self, conn: &mut DbConnection, limit: i64) -> CoreResult<Vec<i32>> {
        if self.pg && self.q.scope == Scope::Public && !self.words.is_empty() {
            match self.windowed_ids(conn, limit)? {
                windows::Read::Windows(ids) => return Ok(ids),
                windows::Read::Walk => {
                    let walk = Plan {
                        facets: None,
                        walk: true,
                        ..self.clone()
                    };
                    return walk.capped_statement(conn, limit);
                }
                windows::Read::One => {}
            }
        }
        self.capped_statement(conn, limit)
    }

    /// [`Plan::capped_ids`] in one statement.
    pub(super) fn capped_statement(
        &self,
        conn: &mut DbConnection,
        limit: i64,
    ) -> CoreResult<Vec<i32>> {
        let mut sql = Sql::new(self.pg);
        sql.push("SELECT a.id AS id");
        self.push_from_where(&mut sql);
        let dir = if self.q.order == SearchOrder::Oldest {
            "ASC"
        } else {
            "DESC"
        };
        let l = sql.bind(Value::BigInt(limit));
        if self.pg {
            // No NULLS LAST: a public article has a publication time, and the
            // listing indexes are in the default null order (ending it
            // otherwise made PostgreSQL collect every match and sort: 3 s).
            sql.push(&format!(
                " ORDER BY a.published_at {dir}, a.id {dir} LIMIT {l}"
            ));
        } else {
            sql.push(&format!(" ORDER BY m.id {dir} LIMIT {l}"));
        }
        Ok(sql.load::<IdRow>(conn)?.into_iter().map(|r| r.id).collect())
    }

    pub(super) fn count(&self, conn: &mut DbConnection) -> CoreResult<i64> {
        let mut sql = Sql::new(self.pg);
        sql.push("SELECT count(*) AS n");
        self.push_from_where(&mut sql);
        Ok(sql.load::<CountRow>(conn)?.first().map_or(0, |r| r.n))
    }

    pub(super) fn ranked(
        &self,
        conn: &mut DbConnection,
        order: SearchOrder,
        limit: i64,
        offset: i64,
    ) -> CoreResult<Vec<RankedRow>> {
        let mut sql = Sql::new(self.pg);
        let rank = self.rank_column();
        sql.push(&format!("SELECT a.id AS id, {rank} AS rank"));
        self.push_from_where(&mut sql);
        let relevance = format!(" ORDER BY {rank} DESC, a.published_at DESC NULLS LAST, a.id DESC");
        sql.push(match order {
            SearchOrder::Relevance => relevance.as_str(),
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
    pub(super) fn highlights(
        &self,
        conn: &mut DbConnection,
        ids: &[i32],
    ) -> CoreResult<Vec<HighlightRow>> {
        if self.words.is_empty() || ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(self.pg);
        let (start, end) = (MARK_START.to_string(), MARK_END.to_string());
        if self.pg {
            let q = sql.bind(Value::Text(tsquery(
                &self.words,
                self.prefix,
                self.completions.as_deref(),
            )));
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
            let m = sql.bind(Value::Text(self.fts5()));
            let s = sql.bind(Value::Text(start));
            let e = sql.bind(Value::Text(end));
            let dots = sql.bind(Value::Text("…".into()));
            // One pass over the matches between the lowest and highest id,
            // not one `MATCH` per id: `rowid IN (…)` would make SQLite run the
            // full-text query once per id, and a prefix without a prefix index
            // merges the doclists of every word it starts each time (seconds
            // for a page at a million articles). `+rowid` keeps the list a
            // plain filter, so only the page's rows are highlighted.
            let lo = sql.bind(Value::Int(ids.iter().copied().min().unwrap_or(0)));
            let hi = sql.bind(Value::Int(ids.iter().copied().max().unwrap_or(0)));
            sql.push(&format!(
                "SELECT rowid AS id, \
                 highlight(article_search, 0, {s}, {e}) AS title_hl, \
                 highlight(article_search, 1, {s}, {e}) AS standfirst_hl, \
                 snippet(article_search, 2, {s}, {e}, {dots}, {SNIPPET_WORDS}) AS body_hl \
                 FROM article_search WHERE article_search MATCH {m} \
                 AND rowid BETWEEN {lo} AND {hi} AND +rowid IN ("
            ));
        }
        let placeholders: Vec<String> = ids.iter().map(|id| sql.bind(Value::Int(*id))).collect();
        sql.push(&placeholders.join(", ")).push(")");
        Ok(sql.load(conn)?)
    }
}

pub(super) fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
