//! The words of the index, so that a search whose last word is a prefix can
//! ask for "any of the words it completes to" instead of the prefix.
//!
//! SQLite: FTS5 reads a prefix of 2–6 characters from a prefix index of its
//! own (migration `2026-11-29-000011_search_prefix`) and streams it newest
//! first like a word. A longer prefix (`"governm"*`) has no index: FTS5 merges
//! the doclist of every word it starts, whole, before it returns the first row
//! — 57–96 ms at a million seeded articles, where such words are in nearly
//! every article, however few rows the search then reads. The same prefix
//! written as the words it completes to (`"government" OR "governments"`)
//! streams: each word's doclist is read only as far as the rows returned.
//!
//! PostgreSQL: the planner has no statistics for a prefix (`'gov':*`), guessed
//! that it matches many documents, and walked `article_search` newest first
//! testing every `tsvector`: a prefix that matched nothing read the whole
//! table (2.5–3 s at a million articles). Its completions (`'gov' |
//! 'government'`) are words the statistics know, so the planner takes a rare
//! one from the GIN index and walks newest first only for a common one. Every
//! prefix is completed there, whatever its length.
//!
//! `search_terms` (migration `2026-11-29-000012_search_terms`) holds every word
//! the index has held: its rows are the vocabulary of `article_search` as the
//! migration found it, and every write of `article_search` ([`super::reindex`],
//! [`super::reindex_range`]) adds the words of the rows it wrote. The words
//! come from the index itself, so they are exactly its words, folded as it
//! folds them: on SQLite the rows are tokenised again by a scratch FTS5 table
//! with the same tokenizer (in the connection's `temp` schema, contentless and
//! without positions) and read back through `fts5vocab`; on PostgreSQL they
//! are the lexemes of the rows' `tsvector`. Words are never removed: a word no
//! article has any longer matches nothing, so the table can only hold more
//! than the index, and "any of these words" finds exactly what the prefix finds.

use diesel::connection::SimpleConnection;
use diesel::sql_types::{BigInt, Integer, Text};
use diesel::{PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};

use crate::db::DbConnection;

/// FTS5 reads prefixes up to this many characters from a prefix index; longer
/// ones are completed from `search_terms`. Keep in step with the `prefix`
/// option of migration `2026-11-29-000011_search_prefix`.
pub(super) const INDEXED_PREFIX_CHARS: usize = 6;

/// A prefix that completes to more words than this is left to FTS5's merge: an
/// `OR` of that many words costs FTS5 a comparison per word for every row, and
/// a prefix with hundreds of completions is no longer a half-typed word.
const MAX_COMPLETIONS: usize = 64;

/// The scratch table and its vocabulary, created once per connection (`temp`
/// objects live as long as the connection). The tokenizer must be the index's.
const SCRATCH: &str = "\
    CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_scratch USING fts5(\
        title, standfirst, body, \
        tokenize = 'unicode61 remove_diacritics 2', content = '', detail = none); \
    CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_scratch_terms \
        USING fts5vocab('temp', 'search_scratch', 'row');";

#[derive(QueryableByName)]
struct TermRow {
    #[diesel(sql_type = Text)]
    term: String,
}

fn scratch(c: &mut SqliteConnection) -> diesel::QueryResult<()> {
    c.batch_execute(SCRATCH)?;
    // Contentless: 'delete-all' empties it without reading anything back.
    diesel::sql_query("INSERT INTO temp.search_scratch (search_scratch) VALUES ('delete-all')")
        .execute(c)?;
    Ok(())
}

/// Adds the words of the `article_search` rows with ids `first..=last` to
/// `search_terms`. Runs inside the caller's transaction, after the rows.
pub(super) fn record(c: &mut SqliteConnection, first: i32, last: i32) -> diesel::QueryResult<()> {
    scratch(c)?;
    diesel::sql_query(
        "INSERT INTO temp.search_scratch (title, standfirst, body) \
         SELECT title, standfirst, body FROM main.article_search WHERE rowid BETWEEN ?1 AND ?2",
    )
    .bind::<Integer, _>(first)
    .bind::<Integer, _>(last)
    .execute(c)?;
    diesel::sql_query(
        "INSERT OR IGNORE INTO main.search_terms (term) SELECT term FROM temp.search_scratch_terms",
    )
    .execute(c)?;
    diesel::sql_query("INSERT INTO temp.search_scratch (search_scratch) VALUES ('delete-all')")
        .execute(c)?;
    Ok(())
}

/// [`record`] on PostgreSQL: the lexemes of the rows' `tsvector`, but not
/// their facets (`#c3`: see `facets`).
pub(super) fn record_pg(c: &mut PgConnection, first: i32, last: i32) -> diesel::QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO search_terms (term) \
         SELECT DISTINCT w.lexeme FROM article_search_keys s, unnest(s.document) AS w \
         WHERE s.article_id BETWEEN $1 AND $2 AND left(w.lexeme, 1) <> '#' \
         ON CONFLICT DO NOTHING",
    )
    .bind::<Integer, _>(first)
    .bind::<Integer, _>(last)
    .execute(c)?;
    Ok(())
}

/// The indexed words that start with `prefix` (a word of the query, already
/// lower-cased), in order; `None` when the database should take the prefix
/// as such: more than [`MAX_COMPLETIONS`] words, or a prefix that its parser
/// does not read as one word.
pub(super) fn completions(
    conn: &mut DbConnection,
    prefix: &str,
) -> diesel::QueryResult<Option<Vec<String>>> {
    let folded = match conn {
        DbConnection::Sqlite(c) => fold_sqlite(c, prefix)?,
        DbConnection::Postgres(c) => {
            // Folded as to_tsvector('simple', …) folds what it indexes.
            let mut words: Vec<TermRow> =
                diesel::sql_query("SELECT lexeme AS term FROM unnest(to_tsvector('simple', $1))")
                    .bind::<Text, _>(prefix)
                    .load(c)?;
            match words.pop() {
                Some(w) if words.is_empty() => Some(w.term),
                _ => None,
            }
        }
    };
    let Some(folded) = folded else {
        return Ok(None);
    };
    // Every string that starts with `folded` sorts (bytewise, as the primary
    // key does: COLLATE "C" on PostgreSQL) at or after it and before `folded`
    // + U+10FFFF, the greatest character UTF-8 can encode.
    let sql = match conn {
        DbConnection::Sqlite(_) => {
            "SELECT term FROM search_terms WHERE term >= ?1 AND term < ?1 || char(1114111) \
             ORDER BY term LIMIT ?2"
        }
        DbConnection::Postgres(_) => {
            "SELECT term FROM search_terms WHERE term >= $1 AND term < $1 || chr(1114111) \
             ORDER BY term LIMIT $2"
        }
    };
    let words: Vec<TermRow> = crate::with_backend!(conn, |c| diesel::sql_query(sql)
        .bind::<Text, _>(&folded)
        .bind::<BigInt, _>(MAX_COMPLETIONS as i64 + 1)
        .load(c))?;
    if words.len() > MAX_COMPLETIONS {
        return Ok(None);
    }
    Ok(Some(words.into_iter().map(|w| w.term).collect()))
}

/// `prefix` folded as FTS5 folds what it indexes, or `None` when it is not
/// one word to FTS5.
fn fold_sqlite(c: &mut SqliteConnection, prefix: &str) -> diesel::QueryResult<Option<String>> {
    Ok(if prefix.is_ascii() {
        // unicode61 folds ASCII by lower-casing it, as `terms` already did.
        Some(prefix.to_owned())
    } else {
        // Accents and case folded as the index folds them, by FTS5 itself.
        scratch(c)?;
        diesel::sql_query("INSERT INTO temp.search_scratch (body) VALUES (?1)")
            .bind::<Text, _>(prefix)
            .execute(c)?;
        let mut tokens: Vec<TermRow> =
            diesel::sql_query("SELECT term FROM temp.search_scratch_terms").load(c)?;
        diesel::sql_query("INSERT INTO temp.search_scratch (search_scratch) VALUES ('delete-all')")
            .execute(c)?;
        match tokens.pop() {
            Some(t) if tokens.is_empty() => Some(t.term),
            _ => None,
        }
    })
}
