//! SQLite: the words of the index, so that a prefix longer than FTS5's prefix
//! indexes is answered as "any of these words" instead of a merge.
//!
//! FTS5 reads a prefix of 2–6 characters from a prefix index of its own
//! (migration `2026-11-29-000011_search_prefix`) and streams it newest first
//! like a word. A longer prefix (`"governm"*`) has no index: FTS5 merges the
//! doclist of every word it starts, whole, before it returns the first row —
//! 57–96 ms at a million seeded articles, where such words are in nearly
//! every article, however few rows the search then reads. The same prefix
//! written as the words it completes to (`"government" OR "governments"`)
//! streams: each word's doclist is read only as far as the rows returned.
//!
//! `search_terms` (migration `2026-11-29-000012_search_terms`) holds every word
//! the index has held: its rows are the vocabulary of `article_search` as the
//! migration found it, and every write of `article_search` ([`super::reindex`],
//! [`super::reindex_range`]) adds the words of the rows it wrote. The words
//! come from FTS5 itself — the rows are tokenised again by a scratch FTS5 table
//! with the same tokenizer (in the connection's `temp` schema, contentless and
//! without positions) and read back through `fts5vocab` — so they are exactly
//! the index's words, folded as it folds them. Words are never removed: a word
//! no article has any longer matches nothing, so the table can only hold more
//! than the index, and "any of these words" finds exactly what the prefix finds.

use diesel::connection::SimpleConnection;
use diesel::sql_types::Text;
use diesel::{QueryableByName, RunQueryDsl, SqliteConnection};

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
    use diesel::sql_types::Integer;
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

/// The indexed words that start with `prefix` (a word of the query, already
/// lower-cased), in order; `None` when FTS5 should merge instead: more than
/// [`MAX_COMPLETIONS`] words, or a prefix that FTS5 does not read as one word.
pub(super) fn completions(
    c: &mut SqliteConnection,
    prefix: &str,
) -> diesel::QueryResult<Option<Vec<String>>> {
    let folded = if prefix.is_ascii() {
        // unicode61 folds ASCII by lower-casing it, as `terms` already did.
        prefix.to_owned()
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
            Some(t) if tokens.is_empty() => t.term,
            _ => return Ok(None),
        }
    };
    // Every string that starts with `folded` sorts (bytewise, as the primary
    // key does) at or after it and before `folded` + U+10FFFF, the greatest
    // character UTF-8 can encode.
    let words: Vec<TermRow> = diesel::sql_query(
        "SELECT term FROM search_terms WHERE term >= ?1 AND term < ?1 || char(1114111) \
         ORDER BY term LIMIT ?2",
    )
    .bind::<Text, _>(&folded)
    .bind::<diesel::sql_types::BigInt, _>(MAX_COMPLETIONS as i64 + 1)
    .load(c)?;
    if words.len() > MAX_COMPLETIONS {
        return Ok(None);
    }
    Ok(Some(words.into_iter().map(|w| w.term).collect()))
}
