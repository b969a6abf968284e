//! Storage tests: every operation of cms-core against a fresh database, each
//! written once and run on SQLite and (with `GAZETTE_TEST_POSTGRES_URL`) PostgreSQL.

/// The `(down, up)` SQL of a migration for `conn`'s backend.
macro_rules! migration_sql {
    ($conn:expr, $name:literal) => {
        match $conn {
            cms_core::DbConnection::Sqlite(_) => (
                include_str!(concat!("../../../migrations/sqlite/", $name, "/down.sql")),
                include_str!(concat!("../../../migrations/sqlite/", $name, "/up.sql")),
            ),
            cms_core::DbConnection::Postgres(_) => (
                include_str!(concat!("../../../migrations/postgres/", $name, "/down.sql")),
                include_str!(concat!("../../../migrations/postgres/", $name, "/up.sql")),
            ),
        }
    };
}

/// Runs search migration `name`'s down and up again on a database with
/// articles, as a site upgrading through it would have: the search
/// migrations after it go down first and come back up last, since each
/// rebuilds what the earlier ones made. `between` runs while it is down.
pub fn redo_search_migration(
    conn: &mut cms_core::DbConnection,
    name: &str,
    between: impl FnOnce(&mut cms_core::DbConnection),
) {
    use diesel::connection::SimpleConnection;
    let all = [
        (
            "2026-11-29-000004_search",
            migration_sql!(&*conn, "2026-11-29-000004_search"),
        ),
        (
            "2026-11-29-000011_search_prefix",
            migration_sql!(&*conn, "2026-11-29-000011_search_prefix"),
        ),
        (
            "2026-11-29-000012_search_terms",
            migration_sql!(&*conn, "2026-11-29-000012_search_terms"),
        ),
        (
            "2026-11-29-000013_search_facets",
            migration_sql!(&*conn, "2026-11-29-000013_search_facets"),
        ),
        (
            "2026-11-29-000014_search_facets_postgres",
            migration_sql!(&*conn, "2026-11-29-000014_search_facets_postgres"),
        ),
        (
            "2026-11-30-000015_search_keys_postgres",
            migration_sql!(&*conn, "2026-11-30-000015_search_keys_postgres"),
        ),
    ];
    let i = all
        .iter()
        .position(|(n, _)| *n == name)
        .expect("a search migration");
    for (later, (down, _)) in all[i + 1..].iter().rev() {
        conn.batch_execute(down)
            .unwrap_or_else(|e| panic!("down {later}: {e}"));
    }
    let (down, up) = all[i].1;
    conn.batch_execute(down)
        .unwrap_or_else(|e| panic!("down {name}: {e}"));
    between(conn);
    conn.batch_execute(up)
        .unwrap_or_else(|e| panic!("up {name}: {e}"));
    for (later, (_, up)) in &all[i + 1..] {
        conn.batch_execute(up)
            .unwrap_or_else(|e| panic!("up {later}: {e}"));
    }
}

mod articles;
mod blocks;
mod migrations;
mod notify;
mod query_plans;
mod revisions;
mod search;
mod search_narrowing;
mod sessions;
mod settings;
mod throttle;
mod users;
mod wordpress;

use cms_core::CoreError;

/// The field names of a validation error (panics on any other outcome).
pub fn invalid_fields<T: std::fmt::Debug>(result: Result<T, CoreError>) -> Vec<String> {
    match result {
        Err(CoreError::Validation(errors)) => errors.0.into_iter().map(|e| e.field).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}
