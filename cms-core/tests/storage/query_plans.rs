//! Query plans of the public reads, on both backends.
//!
//! Home, category and author pages, feeds, the Content API and the plugins'
//! content queries must read an index in listing order, so that a page costs
//! the same at a thousand articles as at a million. Each statement is
//! captured exactly as the storage code sends it (diesel's instrumentation)
//! and explained; a full scan of `articles` or a sort step fails the test.
//!
//! SQLite explains a statement with its parameters unbound. PostgreSQL
//! explains the *generic* plan of the prepared statement (the one used for
//! any parameter values) with sequential scans priced out, because on a
//! test-sized table a sequential scan is rightly the cheapest plan and would
//! hide whether a usable index exists at all.

use std::sync::{Arc, Mutex};

use chrono::Duration;
use cms_core::articles::content::{self, ContentQuery, Cursor, Direction};
use cms_core::articles::feeds;
use cms_core::articles::public::{self, Scope};
use cms_core::articles::ArticleInput;
use cms_core::categories::{self, CategoryInput};
use cms_core::roles::Role;
use cms_core::testdb::fixtures::{self, article};
use cms_core::testdb::TestDb;
use cms_core::time::now;
use cms_core::{both_backends, DbConnection};
use diesel::connection::{InstrumentationEvent, SimpleConnection};
use diesel::prelude::*;
use diesel::sql_types::Text;

/// Runs `f` and returns the SQL of every statement it sent.
fn statements_of(conn: &mut DbConnection, f: impl FnOnce(&mut DbConnection)) -> Vec<String> {
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            let text = query.to_string();
            let sql = text.split(" -- binds: ").next().unwrap_or_default();
            sink.lock().expect("log").push(sql.to_owned());
        }
    });
    f(conn);
    conn.set_instrumentation(|_: InstrumentationEvent<'_>| {});
    let out = log.lock().expect("log").clone();
    out
}

#[derive(QueryableByName)]
struct SqlitePlanRow {
    #[diesel(sql_type = Text)]
    detail: String,
}

#[derive(QueryableByName)]
struct PgPlanRow {
    #[diesel(sql_type = Text)]
    #[diesel(column_name = "QUERY PLAN")]
    line: String,
}

/// The plan of one statement, one line per step.
fn explain(conn: &mut DbConnection, sql: &str) -> Vec<String> {
    match conn {
        DbConnection::Sqlite(c) => diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
            .load::<SqlitePlanRow>(c)
            .unwrap_or_else(|e| panic!("explain {sql}: {e}"))
            .into_iter()
            .map(|r| r.detail)
            .collect(),
        DbConnection::Postgres(c) => {
            let params = (1..=64)
                .take_while(|n| sql.contains(&format!("${n}")))
                .count();
            c.batch_execute(&format!(
                "SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off; \
                 PREPARE gazette_plan AS {sql}"
            ))
            .unwrap_or_else(|e| panic!("prepare {sql}: {e}"));
            let nulls = vec!["NULL"; params].join(", ");
            let execute = if params == 0 {
                "EXPLAIN EXECUTE gazette_plan".to_owned()
            } else {
                format!("EXPLAIN EXECUTE gazette_plan({nulls})")
            };
            let plan = diesel::sql_query(execute)
                .load::<PgPlanRow>(c)
                .unwrap_or_else(|e| panic!("explain {sql}: {e}"));
            c.batch_execute("DEALLOCATE gazette_plan; RESET plan_cache_mode; RESET enable_seqscan")
                .expect("deallocate");
            plan.into_iter().map(|r| r.line).collect()
        }
    }
}

/// Explains every statement `f` sends that reads `articles` and fails on a
/// full scan of it or on a sort.
fn assert_indexed(conn: &mut DbConnection, what: &str, f: impl FnOnce(&mut DbConnection)) {
    let statements = statements_of(conn, f);
    let reads: Vec<&String> = statements
        .iter()
        .filter(|s| {
            ["FROM \"articles\"", "FROM `articles`", "FROM articles"]
                .iter()
                .any(|from| s.contains(from))
        })
        .collect();
    assert!(
        !reads.is_empty(),
        "{what}: no statement read articles: {statements:?}"
    );
    for sql in reads {
        let plan = explain(conn, sql);
        assert!(
            !scans_or_sorts(&plan),
            "{what}: not an index read in order\n{sql}\n{}",
            plan.join("\n")
        );
    }
}

/// Whether a plan reads all of `articles` or sorts.
fn scans_or_sorts(plan: &[String]) -> bool {
    plan.iter().any(|line| {
        let line = line.trim_start_matches(['-', '>', ' ', '|', '`']);
        line.starts_with("SCAN articles")
            || line.contains("USE TEMP B-TREE FOR ORDER BY")
            || line.starts_with("Seq Scan on articles")
            || line.starts_with("Sort ")
            || line.starts_with("Incremental Sort")
    })
}

both_backends! {
    fn public_reads_use_listing_indexes(db: &TestDb) {
        let mut conn = db.conn();
        let c = &mut *conn;
        // The check itself can fail: a sort over every article is caught.
        let control = explain(c, "SELECT id FROM articles ORDER BY title");
        assert!(scans_or_sorts(&control), "{control:?}");

        let admin = fixtures::user(c, Role::Administrator);
        let cat = categories::create(c, &admin, CategoryInput {
            name: "Planning".into(),
            ..Default::default()
        }).expect("category");
        let mut last = None;
        for i in 0..30 {
            let a = fixtures::create(c, &admin, ArticleInput {
                category_id: Some(cat.id),
                ..article(&format!("Plan story {i}"))
            }, cms_core::articles::SaveAction::Publish);
            last = Some(a);
        }
        let last = last.expect("articles");
        let key = Cursor::Key {
            published_at: last.published_at.expect("published") - Duration::seconds(1),
            id: last.id,
            direction: Direction::After,
        };

        for scope in [Scope::All, Scope::Category(cat.id), Scope::Author(admin.id)] {
            for page in [1, 40] {
                assert_indexed(c, &format!("listing {scope:?} page {page}"), |c| {
                    public::listing(c, scope, page, 20).expect("listing");
                });
            }
            assert_indexed(c, &format!("feed {scope:?}"), |c| {
                feeds::latest(c, scope, 20).expect("feed");
            });
            assert_indexed(c, &format!("newest {scope:?}"), |c| {
                feeds::newest(c, scope).expect("newest");
            });
        }
        let queries = [
            ContentQuery { limit: 20, ..Default::default() },
            ContentQuery { limit: 20, category_id: Some(cat.id), ..Default::default() },
            ContentQuery { limit: 20, author_id: Some(admin.id), cursor: Some(key), ..Default::default() },
            ContentQuery {
                limit: 20,
                published_before: Some(now() - Duration::days(30)),
                cursor: Some(key),
                ..Default::default()
            },
            ContentQuery {
                limit: 20,
                order: content::Order::OldestFirst,
                cursor: Some(key),
                ..Default::default()
            },
            ContentQuery {
                limit: 20,
                order: content::Order::OldestFirst,
                published_after: Some(now() - Duration::days(30)),
                ..Default::default()
            },
        ];
        for q in queries {
            assert_indexed(c, &format!("Content API {q:?}"), |c| {
                content::page(c, &q).expect("content page");
            });
        }
        // The sitemap index and the unfiltered count read the block summary;
        // a block a write left stale is computed from its id range.
        for what in ["sitemap index", "Content API count"] {
            diesel::update(cms_core::schema::articles::table)
                .set(cms_core::schema::articles::updated_at.eq(now()))
                .execute(c)
                .expect("touch every article");
            assert_indexed(c, what, |c| {
                if what == "sitemap index" {
                    feeds::sitemap_pages(c, feeds::DEFAULT_SITEMAP_PAGE_SIZE).expect("sitemap");
                } else {
                    content::count(c, &ContentQuery::default()).expect("count");
                }
            });
        }
        assert_indexed(c, "article by slug", |c| {
            public::by_slug(c, &last.slug).expect("by slug");
        });
        assert_indexed(c, "author page exists", |c| {
            public::author_has_public(c, admin.id).expect("author");
        });
        assert_indexed(c, "scheduler", |c| {
            cms_core::articles::publish_due(c).expect("publish due");
        });
        assert_indexed(c, "plugin latest", |c| {
            cms_core::plugins::latest_published(c, 5, Some(cat.id), &[last.id]).expect("latest");
        });
    }
}
