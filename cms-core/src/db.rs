//! Database connections: one binary, SQLite or PostgreSQL, chosen from the URL.
//!
//! Everything backend-specific lives in this module and in the `storage` code that
//! calls [`with_backend!`]; the rest of Gazette sees only [`DbConnection`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::CoreError;

/// One connection to whichever backend this site runs on.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs the same diesel expression against the concrete connection type.
///
/// Used where the multi-backend query builder cannot express something both
/// backends support (e.g. `RETURNING`), so the code is written once and compiled twice.
#[macro_export]
macro_rules! with_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Postgres($c) => $body,
            $crate::db::DbConnection::Sqlite($c) => $body,
        }
    };
}

pub type DbPool = Pool<ConnectionManager>;
pub type PooledConn = PooledConnection<ConnectionManager>;

/// How long a SQLite connection waits for another's write lock before
/// "database is locked" (set on every connection; see `connect`).
pub(crate) const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// Which database engine a URL points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A file path (the `sqlite://` prefix already removed).
    Sqlite(PathBuf),
    /// A `postgres://` or `postgresql://` URL, kept verbatim.
    Postgres(String),
}

impl DatabaseUrl {
    /// Parses `sqlite://path`, `sqlite:path`, a plain path, or `postgres://…`.
    /// Any other `scheme://` is refused so a typo never becomes a file named `mysql:`.
    pub fn parse(raw: &str) -> Result<Self, CoreError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(CoreError::Config("database_url is empty".into()));
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(raw.to_owned()));
        }
        if let Some(path) = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err(CoreError::Config(
                    "database_url `sqlite://` has no file path".into(),
                ));
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = raw.split_once("://") {
            return Err(CoreError::Config(format!(
                "database_url has unsupported scheme `{scheme}://` (use sqlite://PATH or postgres://…)"
            )));
        }
        Ok(DatabaseUrl::Sqlite(PathBuf::from(raw)))
    }

    /// A short name for logs and errors.
    pub fn backend_name(&self) -> &'static str {
        match self {
            DatabaseUrl::Sqlite(_) => "sqlite",
            DatabaseUrl::Postgres(_) => "postgres",
        }
    }

    /// The URL with any password removed, safe to log.
    pub fn redacted(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
            DatabaseUrl::Postgres(u) => match url::Url::parse(u) {
                Ok(mut parsed) => {
                    if parsed.password().is_some() {
                        let _ = parsed.set_password(Some("***"));
                    }
                    parsed.to_string()
                }
                Err(_) => "postgres://(unparseable)".into(),
            },
        }
    }
}

/// r2d2 manager that builds exactly the variant the URL names — never "try
/// Postgres, fall back to SQLite", which would turn an outage into a new empty file.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl ConnectionManager {
    pub fn new(url: DatabaseUrl) -> Self {
        Self { url }
    }
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        match &self.url {
            DatabaseUrl::Postgres(u) => {
                let mut conn = PgConnection::establish(u).map_err(r2d2::Error::ConnectionError)?;
                // No JIT compilation: every statement here reads a page or a
                // capped list in milliseconds, but the planner's cost for a
                // search at a million articles passes jit_above_cost, and
                // compiling took 20-30 ms, several times the statement.
                conn.batch_execute("SET jit = off")
                    .map_err(r2d2::Error::QueryError)?;
                Ok(DbConnection::Postgres(conn))
            }
            DatabaseUrl::Sqlite(path) => {
                let path = path.to_string_lossy();
                let mut conn =
                    SqliteConnection::establish(&path).map_err(r2d2::Error::ConnectionError)?;
                // busy_timeout first: it turns brief write contention (including the
                // switch to WAL while the pool opens several connections at once)
                // into a wait instead of "database is locked". WAL lets readers and
                // the writer proceed together.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
                ))
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

/// Opens a pool, creating the SQLite file's directory if needed, and fails fast
/// (a clear error, not a hang) if the server cannot be reached.
pub fn connect(url: &DatabaseUrl, max_size: u32) -> Result<DbPool, CoreError> {
    if let DatabaseUrl::Sqlite(path) = url {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                CoreError::Config(format!(
                    "cannot create database directory {}: {e}",
                    dir.display()
                ))
            })?;
        }
    }
    let pool = Pool::builder()
        .max_size(max_size.max(1))
        .connection_timeout(Duration::from_secs(10))
        .build(ConnectionManager::new(url.clone()))
        .map_err(|e| CoreError::Config(format!("cannot open database {}: {e}", url.redacted())))?;
    Ok(pool)
}

/// Applies every pending embedded migration for this connection's backend.
pub fn run_migrations(conn: &mut DbConnection) -> Result<Vec<String>, CoreError> {
    let applied = match conn {
        DbConnection::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
    }
    .map_err(|e| CoreError::Migration(e.to_string()))?;
    Ok(applied.into_iter().map(|v| v.to_string()).collect())
}

/// Reverts every applied migration (used by the migration round-trip test).
pub fn revert_all_migrations(conn: &mut DbConnection) -> Result<(), CoreError> {
    match conn {
        DbConnection::Postgres(c) => c.revert_all_migrations(POSTGRES_MIGRATIONS).map(|_| ()),
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS).map(|_| ()),
    }
    .map_err(|e| CoreError::Migration(e.to_string()))
}

/// Names of the embedded migrations of each backend, to check they line up.
pub fn migration_names() -> (Vec<String>, Vec<String>) {
    fn names(m: &EmbeddedMigrations) -> Vec<String> {
        let mut v: Vec<String> =
            diesel::migration::MigrationSource::<diesel::sqlite::Sqlite>::migrations(m)
                .map(|ms| ms.iter().map(|m| m.name().to_string()).collect())
                .unwrap_or_default();
        v.sort();
        v
    }
    (names(&SQLITE_MIGRATIONS), names(&POSTGRES_MIGRATIONS))
}

/// Whether a SQLite database file already exists (for first-run messages).
pub fn sqlite_file_exists(url: &DatabaseUrl) -> bool {
    match url {
        DatabaseUrl::Sqlite(p) => Path::new(p).exists(),
        DatabaseUrl::Postgres(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urls() {
        assert_eq!(
            DatabaseUrl::parse("data/g.db").ok(),
            Some(DatabaseUrl::Sqlite("data/g.db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://x.db").ok(),
            Some(DatabaseUrl::Sqlite("x.db".into()))
        );
        assert!(matches!(
            DatabaseUrl::parse("postgres://u@h/db"),
            Ok(DatabaseUrl::Postgres(_))
        ));
        assert!(matches!(
            DatabaseUrl::parse("mysql://u@h/db"),
            Err(CoreError::Config(_))
        ));
        assert!(DatabaseUrl::parse("  ").is_err());
    }

    #[test]
    fn redacts_password() {
        let u = DatabaseUrl::parse("postgres://me:secret@localhost/db").expect("valid");
        assert!(!u.redacted().contains("secret"));
    }

    #[test]
    fn migration_listings_match() {
        let (sqlite, pg) = migration_names();
        assert!(!sqlite.is_empty());
        assert_eq!(
            sqlite, pg,
            "migrations/sqlite and migrations/postgres must hold the same names"
        );
    }
}
