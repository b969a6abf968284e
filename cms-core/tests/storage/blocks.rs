//! The per-block summary of public articles (`articles::blocks`, migration
//! 000010) against a brute-force computation over every article, through
//! every kind of write, with ids spanning several blocks; and its guard
//! against a write that lands while a reader computes a block.

use std::collections::BTreeMap;
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, NaiveDateTime};
use cms_core::articles::blocks::{self, BLOCK_SIZE};
use cms_core::articles::content::{self, ContentQuery};
use cms_core::articles::feeds::{self, SitemapPage};
use cms_core::articles::{self, SaveAction};
use cms_core::roles::Role;
use cms_core::schema::articles as a;
use cms_core::testdb::fixtures;
use cms_core::testdb::TestDb;
use cms_core::time::now;
use cms_core::{both_backends, DbConnection};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

/// Inserts a bare article row with an explicit id (no sections), as the
/// seeder and the WordPress import write rows directly.
fn insert_row(
    conn: &mut DbConnection,
    author: i32,
    id: i32,
    status: &str,
    published_at: Option<NaiveDateTime>,
    updated_at: NaiveDateTime,
) {
    diesel::insert_into(a::table)
        .values((
            a::id.eq(id),
            a::title.eq(format!("Article {id}")),
            a::slug.eq(format!("article-{id}")),
            a::standfirst.eq(""),
            a::author_id.eq(author),
            a::status.eq(status),
            a::published_at.eq(published_at),
            a::created_at.eq(updated_at),
            a::updated_at.eq(updated_at),
        ))
        .execute(conn)
        .expect("insert article row");
}

fn set(conn: &mut DbConnection, id: i32, status: &str, published_at: Option<NaiveDateTime>) {
    diesel::update(a::table.find(id))
        .set((a::status.eq(status), a::published_at.eq(published_at)))
        .execute(conn)
        .expect("update article");
}

/// The live articles' (id, updated_at), straight from the table.
fn brute_live(conn: &mut DbConnection) -> Vec<(i32, NaiveDateTime)> {
    let t = now();
    let rows: Vec<(i32, String, Option<NaiveDateTime>, NaiveDateTime)> = a::table
        .select((a::id, a::status, a::published_at, a::updated_at))
        .load(conn)
        .expect("load articles");
    rows.into_iter()
        .filter(|(_, s, p, _)| (s == "published" || s == "scheduled") && p.is_some_and(|p| p <= t))
        .map(|(id, _, _, u)| (id, u))
        .collect()
}

fn brute_pages(conn: &mut DbConnection, size: i64) -> Vec<SitemapPage> {
    let mut pages: BTreeMap<i64, NaiveDateTime> = BTreeMap::new();
    for (id, updated) in brute_live(conn) {
        let n = (i64::from(id) - 1) / size + 1;
        let e = pages.entry(n).or_insert(updated);
        *e = (*e).max(updated);
    }
    pages
        .into_iter()
        .map(|(number, m)| SitemapPage {
            number,
            lastmod: Some(m),
        })
        .collect()
}

/// The sitemap index at several sizes (whole blocks, several blocks per
/// page, the default, and a size that falls back to the grouped pass) and
/// the unfiltered Content API count, each against the brute force.
fn assert_matches(conn: &mut DbConnection, step: &str) {
    for size in [1_000, 2_000, 10_000, 700] {
        assert_eq!(
            feeds::sitemap_pages(conn, size).expect("sitemap pages"),
            brute_pages(conn, size),
            "sitemap pages of {size} after {step}"
        );
    }
    let expected = brute_live(conn).len() as i64;
    assert_eq!(
        content::count(conn, &ContentQuery::default()).expect("count"),
        content::Count {
            n: expected,
            exact: true
        },
        "live count after {step}"
    );
    assert_eq!(blocks::live_count(conn).expect("live count"), expected);
    // What the readers computed was stored: nothing is left to recompute
    // except blocks whose next publication has come.
    let t = now();
    let left: Vec<i32> = blocks::stored(conn)
        .expect("stored")
        .into_iter()
        .filter(|b| b.needs_refresh(t))
        .map(|b| b.summary.block)
        .collect();
    assert!(left.is_empty(), "blocks left stale after {step}: {left:?}");
}

both_backends! {
    fn summary_matches_brute_force_through_every_write(db: &TestDb) {
        let mut conn = db.conn();
        let editor = fixtures::user(&mut conn, Role::Editor);
        let t = now();
        let hour = Duration::hours(1);

        // Ids 1..=3 through the editor's path (PostgreSQL's sequence hands
        // them out), then rows with explicit ids across blocks 0, 1, 2, 5, 6
        // and 12, on both sides of each boundary.
        let first = fixtures::published(&mut conn, &editor, "First");
        let second = fixtures::published(&mut conn, &editor, "Second");
        let draft = fixtures::create(&mut conn, &editor, fixtures::article("Draft"), SaveAction::Save);
        assert_eq!(blocks::id_range(0), (1, BLOCK_SIZE));
        for (k, id) in [999, 1000, 1001, 2000, 2001, 2999, 5500, 6000, 6001, 12_345].into_iter().enumerate() {
            let k = i64::try_from(k).expect("small");
            insert_row(&mut conn, editor.id, id, "published", Some(t - hour * 24 + Duration::minutes(k)), t - hour * 10 + Duration::minutes(k));
        }
        insert_row(&mut conn, editor.id, 3_001, "draft", None, t);
        insert_row(&mut conn, editor.id, 3_002, "archived", Some(t - hour), t);
        insert_row(&mut conn, editor.id, 4_001, "scheduled", Some(t + hour), t);
        insert_row(&mut conn, editor.id, 4_002, "scheduled", Some(t - hour), t - hour);
        assert_matches(&mut conn, "the inserts");
        assert_eq!(brute_live(&mut conn).len(), 13, "2 edited + 10 explicit + 1 due scheduled");

        // An edit through the editor's path moves updated_at (the lastmod).
        diesel::update(a::table.find(second.id))
            .set(a::updated_at.eq(t - hour * 48))
            .execute(&mut conn)
            .expect("age");
        assert_matches(&mut conn, "an older updated_at");
        let mut input = fixtures::article("Second, corrected");
        input.sections = vec![fixtures::section("", "Corrected.")];
        let edited = articles::save(&mut conn, &editor, Some(second.id), Some(second.version), input, SaveAction::Save)
            .expect("edit");
        assert_eq!(edited.status(), articles::Status::Published);
        assert_matches(&mut conn, "an edit");

        // Unpublish, publish a draft, delete (through the editor's path too).
        set(&mut conn, 2_000, "draft", None);
        assert_matches(&mut conn, "an unpublish");
        set(&mut conn, 3_001, "published", Some(t - hour));
        assert_matches(&mut conn, "publishing a draft");
        diesel::delete(a::table.find(6_001)).execute(&mut conn).expect("delete");
        assert_matches(&mut conn, "a delete");
        let admin = fixtures::user(&mut conn, Role::Administrator);
        articles::delete(&mut conn, &admin, first.id).expect("delete through the editor's path");
        assert_matches(&mut conn, "a delete by an editor");
        let _ = draft;

        // Every article of a block gone: the block drops out of the index.
        diesel::delete(a::table.filter(a::id.between(5_001, 6_000)))
            .execute(&mut conn)
            .expect("empty block 5");
        assert_matches(&mut conn, "emptying a block");

        // An id changes block: both the old and the new block change.
        diesel::update(a::table.find(1_001))
            .set(a::id.eq(9_999))
            .execute(&mut conn)
            .expect("move id");
        assert_matches(&mut conn, "moving an id to another block");

        // Scheduling into the future takes the article out at once...
        set(&mut conn, 999, "scheduled", Some(t + hour));
        assert_matches(&mut conn, "scheduling into the future");
        // ...and a write that makes it due puts it back.
        set(&mut conn, 999, "scheduled", Some(now() - Duration::seconds(5)));
        assert_matches(&mut conn, "a schedule made due by a write");

        // A schedule coming due with no write at all: only time passes.
        let due = now() + Duration::seconds(2);
        set(&mut conn, 2_999, "scheduled", Some(due));
        let before = brute_live(&mut conn).len() as i64;
        assert_matches(&mut conn, "scheduling two seconds ahead");
        let stored = blocks::stored(&mut conn).expect("stored");
        let block2 = stored.iter().find(|b| b.summary.block == 2).expect("block 2 stored");
        assert_eq!(block2.summary.next_due, Some(due), "the block knows when it changes next");
        while now() <= due {
            std::thread::sleep(StdDuration::from_millis(200));
        }
        assert_eq!(brute_live(&mut conn).len() as i64, before + 1);
        assert_matches(&mut conn, "the schedule coming due");
    }

    fn a_write_during_a_refresh_is_not_lost(db: &TestDb) {
        let mut conn = db.conn();
        let editor = fixtures::user(&mut conn, Role::Editor);
        let t = now() - Duration::hours(1);
        insert_row(&mut conn, editor.id, 1_500, "published", Some(t), t);
        assert_eq!(blocks::live_count(&mut conn).expect("count"), 1);

        // A reader reads the block's version and computes it...
        insert_row(&mut conn, editor.id, 1_501, "published", Some(t), t);
        let row = blocks::stored(&mut conn).expect("stored")
            .into_iter()
            .find(|b| b.summary.block == 1)
            .expect("block 1");
        assert!(row.stale, "the insert marked the block");
        let computed = blocks::compute(&mut conn, 1, now()).expect("compute");
        assert_eq!(computed.live_count, 2);

        // ...a write lands in the same block before it stores...
        insert_row(&mut conn, editor.id, 1_502, "published", Some(t), t);

        // ...so its summary is not stored, and the block stays stale.
        assert!(!blocks::store(&mut conn, &computed, row.version).expect("store"));
        let after = blocks::stored(&mut conn).expect("stored")
            .into_iter()
            .find(|b| b.summary.block == 1)
            .expect("block 1");
        assert!(after.stale);
        assert!(after.version > row.version);
        assert_eq!(blocks::live_count(&mut conn).expect("count"), 3, "the write is seen");

        // With the current version a store goes through.
        let row = blocks::stored(&mut conn).expect("stored")
            .into_iter()
            .find(|b| b.summary.block == 1)
            .expect("block 1");
        assert!(!row.stale, "the last reader stored its summary");
        let computed = blocks::compute(&mut conn, 1, now()).expect("compute");
        assert!(blocks::store(&mut conn, &computed, row.version).expect("store"));
    }

    fn a_reader_does_not_wait_for_an_open_write(db: &TestDb) {
        let mut writer = db.conn();
        let mut reader = db.conn();
        let editor = fixtures::user(&mut writer, Role::Editor);
        let t = now() - Duration::hours(1);
        insert_row(&mut writer, editor.id, 10, "published", Some(t), t);
        assert_eq!(blocks::live_count(&mut reader).expect("count"), 1);
        // A committed write leaves the block stale for the reader below.
        insert_row(&mut writer, editor.id, 12, "published", Some(t), t);

        writer
            .transaction(|w| -> Result<(), diesel::result::Error> {
                insert_row(w, editor.id, 11, "published", Some(t), t);
                // The reader computes the block without the uncommitted row
                // and does not queue behind the writer's lock to store it
                // (SQLite's busy timeout is 5 s; PostgreSQL would wait for
                // the commit).
                let started = Instant::now();
                assert_eq!(blocks::live_count(&mut reader).expect("count during the write"), 2);
                assert!(started.elapsed() < StdDuration::from_secs(2), "the reader waited for the writer");
                Ok(())
            })
            .expect("write");
        assert_eq!(blocks::live_count(&mut reader).expect("count after the commit"), 3);
        assert_eq!(brute_live(&mut reader).len(), 3);
        assert!(blocks::stored(&mut reader).expect("stored").iter().all(|b| !b.stale));
    }

    /// A reader that cannot write (a read-only replica, a read-only file)
    /// still answers from what it computed; the block stays stale, and on
    /// PostgreSQL the failed write does not abort the reader's transaction.
    fn a_reader_that_cannot_write_still_answers(db: &TestDb) {
        let mut writer = db.conn();
        let mut reader = db.conn();
        let editor = fixtures::user(&mut writer, Role::Editor);
        let t = now() - Duration::hours(1);
        insert_row(&mut writer, editor.id, 10, "published", Some(t), t);
        let (read_only, read_write) = match db.backend_name() {
            "sqlite" => ("PRAGMA query_only = ON", "PRAGMA query_only = OFF"),
            _ => ("SET default_transaction_read_only = on", "SET default_transaction_read_only = off"),
        };
        reader.batch_execute(read_only).expect("read-only");
        assert_eq!(blocks::live_count(&mut reader).expect("count without writing"), 1);
        let twice = reader
            .transaction(|r| -> Result<i64, cms_core::CoreError> {
                insert_row(&mut writer, editor.id, 11, "published", Some(t), t);
                let first = blocks::live_count(r)?;
                Ok(first + blocks::live_count(r)?)
            })
            .expect("two counts in one transaction");
        assert_eq!(twice, 4);
        assert!(blocks::stored(&mut reader).expect("stored").iter().any(|b| b.stale), "nothing was kept");
        reader.batch_execute(read_write).expect("read-write");
        assert_eq!(blocks::live_count(&mut reader).expect("count"), 2);
        assert!(blocks::stored(&mut reader).expect("stored").iter().all(|b| !b.stale), "kept once it could write");
    }

    fn the_migration_backfills_existing_articles(db: &TestDb) {
        let mut conn = db.conn();
        let editor = fixtures::user(&mut conn, Role::Editor);
        let (down, up) = migration_sql!(&*conn, "2026-11-29-000010_article_blocks");
        // Articles written before the upgrade: no summary, no triggers.
        conn.batch_execute(down).expect("down");
        let t = now();
        let hour = Duration::hours(1);
        insert_row(&mut conn, editor.id, 5, "published", Some(t - hour * 5), t - hour * 4);
        insert_row(&mut conn, editor.id, 1_005, "published", Some(t - hour * 3), t - hour * 2);
        insert_row(&mut conn, editor.id, 1_006, "draft", None, t);
        insert_row(&mut conn, editor.id, 2_005, "scheduled", Some(t + hour), t);
        // Published a minute ago: computed again by the first reader.
        insert_row(&mut conn, editor.id, 3_005, "published", Some(t - Duration::minutes(1)), t);
        conn.batch_execute(up).expect("up");

        let stored = blocks::stored(&mut conn).expect("stored");
        let by_block: BTreeMap<i32, _> = stored.iter().map(|b| (b.summary.block, *b)).collect();
        assert_eq!(by_block.keys().copied().collect::<Vec<_>>(), vec![0, 1, 2, 3]);
        assert!(stored.iter().all(|b| !b.stale), "backfilled, not left for the first reader");
        assert_eq!(by_block[&0].summary.live_count, 1);
        assert_eq!(by_block[&0].summary.lastmod, Some(t - hour * 4));
        assert_eq!(by_block[&1].summary.live_count, 1);
        assert_eq!(by_block[&2].summary.live_count, 0);
        assert_eq!(by_block[&2].summary.next_due, Some(t + hour));
        assert!(by_block[&3].needs_refresh(now()), "recent publications are checked by the application");
        assert!(!by_block[&0].needs_refresh(now()));
        assert_matches(&mut conn, "the backfill");

        // The triggers are back too.
        set(&mut conn, 1_006, "published", Some(t - hour));
        assert_matches(&mut conn, "a write after the upgrade");
    }
}
