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
