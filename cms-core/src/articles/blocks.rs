//! A summary of the public articles per block of [`BLOCK_SIZE`] ids, kept in
//! the database (table `article_blocks`, migration 000010), so that the
//! sitemap index and the count of every live article read at most a
//! thousand small rows at a million articles instead of every article.
//!
//! Block `b` holds the ids `b * BLOCK_SIZE + 1 ..= (b + 1) * BLOCK_SIZE`. Its
//! row keeps how many of them are live, their newest `updated_at`, and the
//! earliest publication time still to come among its published or scheduled
//! rows (`next_due`): a scheduled article goes live as time passes, with no
//! write, so a block must be computed again once that time has come.
//!
//! How it stays right, with several stateless nodes on one database:
//!
//! - Triggers on `articles` (backend-specific, in the migration) mark a
//!   block `stale` and bump its `version` on every insert, delete and update
//!   of a row that is or was published or scheduled. Every writer (editors,
//!   the API, the seeder, the WordPress import, sample content) is covered
//!   without calling anything.
//! - A reader ([`refresh`]) computes the stale and due blocks from their id
//!   range (at most [`BLOCK_SIZE`] rows, by primary key), uses what it
//!   computed for its own answer, and stores it only if the block's version
//!   is still the one it read ([`store`]). A write that lands while a reader
//!   computes bumps the version, so the stale mark survives and the next
//!   reader computes the block again: no write is lost.
//! - Storing never makes a visitor wait for a writer: on PostgreSQL a block
//!   row locked by a writer's open transaction is skipped (`SKIP LOCKED`;
//!   that writer's commit bumps the version anyway), and on SQLite the write
//!   is not retried when another connection holds the write lock. Nor does it
//!   ever fail one: a write that fails (a read-only replica) is logged, and
//!   the reader answers from what it computed.
//!
//! Why 1 000 ids: the sitemap page sizes people choose (the default 10 000,
//! the protocol's 50 000, round numbers) are multiples of it, so pages are
//! sums of whole blocks; computing a block after an edit reads at most 1 000
//! narrow rows (about a millisecond); and a million articles make 1 000
//! summary rows, which a request reads in well under a millisecond.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Timestamp};

use crate::db::DbConnection;
use crate::error::CoreResult;
use crate::schema::article_blocks;
use crate::time::now;
use crate::with_backend;

/// Ids per block. Must match the `1000` written in the triggers and the
/// backfill of migration `2026-11-29-000010_article_blocks`.
pub const BLOCK_SIZE: i32 = 1_000;

/// What a block holds, as of when it was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockSummary {
    /// From 0: ids `block * BLOCK_SIZE + 1 ..= (block + 1) * BLOCK_SIZE`.
    pub block: i32,
    /// Its live articles (published, or scheduled and due).
    pub live_count: i64,
    /// The newest `updated_at` among them.
    pub lastmod: Option<NaiveDateTime>,
    /// The earliest publication time still to come among its published or
    /// scheduled articles: from then on the summary is out of date.
    pub next_due: Option<NaiveDateTime>,
}

/// A stored row: the summary, whether a write marked it, and its version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredBlock {
    pub summary: BlockSummary,
    pub stale: bool,
    pub version: i64,
}

impl StoredBlock {
    /// Whether a reader at time `t` must compute the block again.
    pub fn needs_refresh(&self, t: NaiveDateTime) -> bool {
        self.stale || self.summary.next_due.is_some_and(|d| d <= t)
    }
}

/// The first and last id of `block`, within `i32`.
pub fn id_range(block: i32) -> (i32, i32) {
    let first = i64::from(block) * i64::from(BLOCK_SIZE) + 1;
    let last = first + i64::from(BLOCK_SIZE) - 1;
    let clamp = |n: i64| i32::try_from(n.clamp(1, i64::from(i32::MAX))).unwrap_or(i32::MAX);
    (clamp(first), clamp(last))
}

/// Every stored block, in order, as it is in the table (possibly stale).
pub fn stored(conn: &mut DbConnection) -> CoreResult<Vec<StoredBlock>> {
    type Row = (
        i32,
        i32,
        Option<NaiveDateTime>,
        Option<NaiveDateTime>,
        bool,
        i64,
    );
    let rows: Vec<Row> = article_blocks::table
        .order(article_blocks::block.asc())
        .select((
            article_blocks::block,
            article_blocks::live_count,
            article_blocks::lastmod,
            article_blocks::next_due,
            article_blocks::stale,
            article_blocks::version,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(block, live_count, lastmod, next_due, stale, version)| StoredBlock {
                summary: BlockSummary {
                    block,
                    live_count: i64::from(live_count),
                    lastmod,
                    next_due,
                },
                stale,
                version,
            },
        )
        .collect())
}

#[derive(QueryableByName)]
struct Computed {
    #[diesel(sql_type = BigInt)]
    live_count: i64,
    #[diesel(sql_type = Nullable<Timestamp>)]
    lastmod: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    next_due: Option<NaiveDateTime>,
}

/// Computes `block` as of `t` from its id range: one aggregate over at most
/// [`BLOCK_SIZE`] rows read by primary key. The status test sits inside the
/// aggregates, not in `WHERE`, so no planner is tempted to walk a status
/// index instead of the id range.
pub fn compute(conn: &mut DbConnection, block: i32, t: NaiveDateTime) -> CoreResult<BlockSummary> {
    let (first, last) = id_range(block);
    // `$1` is used twice: both backends bind it once. The statuses are constants.
    let live = super::LIVE_STATUS_SQL;
    let sql = format!(
        "SELECT COUNT(CASE WHEN {live} AND articles.published_at <= $1 THEN 1 END) AS live_count, \
                MAX(CASE WHEN {live} AND articles.published_at <= $1 THEN articles.updated_at END) AS lastmod, \
                MIN(CASE WHEN {live} AND articles.published_at > $1 THEN articles.published_at END) AS next_due \
         FROM articles WHERE articles.id BETWEEN $2 AND $3"
    );
    let row: Computed = with_backend!(conn, |c| diesel::sql_query(&sql)
        .bind::<Timestamp, _>(t)
        .bind::<Integer, _>(first)
        .bind::<Integer, _>(last)
        .get_result::<Computed>(c))?;
    Ok(BlockSummary {
        block,
        live_count: row.live_count,
        lastmod: row.lastmod,
        next_due: row.next_due,
    })
}

/// Whether a failed statement only met another connection's lock (SQLite's
/// `SQLITE_BUSY`, reported as "database is locked").
fn is_busy(e: &diesel::result::Error) -> bool {
    matches!(e, diesel::result::Error::DatabaseError(_, info)
        if info.message().contains("locked") || info.message().contains("busy"))
}

/// Stores `summary` and clears the stale mark, but only if the block's
/// version is still `version` (the one read before computing): a write since
/// then has bumped it and must be seen by the next reader. Returns whether
/// the row was written; `false` is not an error (the computed summary is
/// still right for the caller, only not kept).
pub fn store(conn: &mut DbConnection, summary: &BlockSummary, version: i64) -> CoreResult<bool> {
    // At most BLOCK_SIZE, so always fits.
    let live = i32::try_from(summary.live_count).unwrap_or(i32::MAX);
    match conn {
        DbConnection::Postgres(c) => {
            // SKIP LOCKED: a writer's open transaction holds the row (its
            // trigger marked it) and will bump the version when it commits,
            // so waiting for it would only make a visitor wait for nothing.
            let n = diesel::sql_query(
                "UPDATE article_blocks SET live_count = $1, lastmod = $2, next_due = $3, stale = FALSE \
                 WHERE block = (SELECT block FROM article_blocks \
                                WHERE block = $4 AND version = $5 FOR UPDATE SKIP LOCKED)",
            )
            .bind::<Integer, _>(live)
            .bind::<Nullable<Timestamp>, _>(summary.lastmod)
            .bind::<Nullable<Timestamp>, _>(summary.next_due)
            .bind::<Integer, _>(summary.block)
            .bind::<BigInt, _>(version)
            .execute(c)?;
            Ok(n == 1)
        }
        DbConnection::Sqlite(c) => {
            use diesel::connection::SimpleConnection;
            // Do not queue behind a writer (the seeder's batch, an import):
            // fail at once and leave the block stale for a later reader.
            c.batch_execute("PRAGMA busy_timeout = 0")?;
            let result = diesel::update(
                article_blocks::table
                    .filter(article_blocks::block.eq(summary.block))
                    .filter(article_blocks::version.eq(version)),
            )
            .set((
                article_blocks::live_count.eq(live),
                article_blocks::lastmod.eq(summary.lastmod),
                article_blocks::next_due.eq(summary.next_due),
                article_blocks::stale.eq(false),
            ))
            .execute(c);
            c.batch_execute(&format!(
                "PRAGMA busy_timeout = {}",
                crate::db::SQLITE_BUSY_TIMEOUT_MS
            ))?;
            match result {
                Ok(n) => Ok(n == 1),
                Err(e) if is_busy(&e) => Ok(false),
                Err(e) => Err(e.into()),
            }
        }
    }
}

/// [`store`] for a reader, which must answer whether or not the summary is
/// kept: a failed write (a read-only database or replica, a full disk) is
/// logged and the block stays stale, never an error page. On PostgreSQL the
/// write runs in a savepoint when the caller has a transaction open, so a
/// failure does not abort the caller's transaction.
fn keep(conn: &mut DbConnection, summary: &BlockSummary, version: i64) {
    let result = match conn {
        DbConnection::Postgres(_) => conn.transaction(|c| store(c, summary, version)),
        DbConnection::Sqlite(_) => store(conn, summary, version),
    };
    if let Err(e) = result {
        tracing::warn!(block = summary.block, error = %e, "could not keep a recomputed article block summary; it stays stale");
    }
}

/// Every block, up to date as of now: the stale and due ones computed again
/// (and stored when no write intervened), the rest as stored. In block order.
pub fn refresh(conn: &mut DbConnection) -> CoreResult<Vec<BlockSummary>> {
    refresh_with_progress(conn, &mut |_, _| {})
}

/// [`refresh`], calling `progress(done, total)` after each block it computes
/// (for `gazette seed`, which leaves every block it wrote stale).
pub fn refresh_with_progress(
    conn: &mut DbConnection,
    progress: &mut dyn FnMut(usize, usize),
) -> CoreResult<Vec<BlockSummary>> {
    let t = now();
    let rows = stored(conn)?;
    let total = rows.iter().filter(|r| r.needs_refresh(t)).count();
    let mut done = 0;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        if row.needs_refresh(t) {
            let summary = compute(conn, row.summary.block, t)?;
            keep(conn, &summary, row.version);
            done += 1;
            progress(done, total);
            out.push(summary);
        } else {
            out.push(row.summary);
        }
    }
    Ok(out)
}

/// How many articles are live now, from the summary.
pub fn live_count(conn: &mut DbConnection) -> CoreResult<i64> {
    Ok(refresh(conn)?.iter().map(|b| b.live_count).sum())
}
