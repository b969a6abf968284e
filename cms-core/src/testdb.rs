//! A fresh, migrated database per test (after crates.io's `crates_io_test_db`).
//!
//! - [`TestDb::sqlite`]: a SQLite file in a new temporary directory, always available.
//! - [`TestDb::postgres`]: a new `gazette_test_<random>` database on the server named
//!   by `GAZETTE_TEST_POSTGRES_URL`, dropped (`WITH (FORCE)`) when the `TestDb` is.
//!   Without that variable it returns `None` and the test is skipped — unless
//!   `GAZETTE_REQUIRE_POSTGRES=1`, which turns a skip into a failure (CI sets it).
//!
//! [`both_backends!`](crate::both_backends) writes a test once and runs it on both.
//!
//! Compiled only for cms-core's own tests and with the `test-support` feature.

use std::path::{Path, PathBuf};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use rand::Rng;

use crate::db::{self, DatabaseUrl, DbConnection, DbPool, PooledConn};

/// The server to create PostgreSQL test databases on, e.g.
/// `postgres://postgres@127.0.0.1:5432/postgres`.
pub const POSTGRES_URL_VAR: &str = "GAZETTE_TEST_POSTGRES_URL";
/// Set to `1` to make a missing [`POSTGRES_URL_VAR`] a failure instead of a skip.
pub const REQUIRE_POSTGRES_VAR: &str = "GAZETTE_REQUIRE_POSTGRES";
/// Every test database's name starts with this, so leftovers are easy to find.
pub const DB_NAME_PREFIX: &str = "gazette_test_";

/// Connections per test pool: enough for a test, few enough that many tests in
/// parallel stay far below PostgreSQL's default `max_connections` of 100.
const POOL_SIZE: u32 = 2;

/// A throw-away, fully migrated database. Dropping it deletes it.
pub struct TestDb {
    url: DatabaseUrl,
    /// `None` only while dropping (the pool must close before the database goes).
    pool: Option<DbPool>,
    cleanup: Cleanup,
}

enum Cleanup {
    /// Remove this directory (holding the SQLite file and its WAL).
    Dir(PathBuf),
    /// `DROP DATABASE name` through a connection to `admin_url`.
    Postgres { admin_url: String, name: String },
}

fn random_suffix() -> String {
    let mut rng = rand::thread_rng();
    (0..16)
        .map(|_| char::from(b"0123456789abcdefghijklmnopqrstuvwxyz"[rng.gen_range(0..36)]))
        .collect()
}

fn require_postgres() -> bool {
    std::env::var(REQUIRE_POSTGRES_VAR).is_ok_and(|v| {
        let v = v.trim();
        v == "1" || v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("yes")
    })
}

impl TestDb {
    /// A migrated SQLite database in a new temporary directory.
    pub fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(format!("{DB_NAME_PREFIX}{}", random_suffix()));
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create test directory {}: {e}", dir.display()));
        let url = DatabaseUrl::Sqlite(dir.join("gazette.db"));
        // Built before the pool so the directory is removed even if migrating fails.
        let mut db = TestDb {
            url,
            pool: None,
            cleanup: Cleanup::Dir(dir),
        };
        db.open();
        db
    }

    /// A migrated PostgreSQL database of its own, or `None` (test skipped) when
    /// `GAZETTE_TEST_POSTGRES_URL` is not set.
    ///
    /// # Panics
    /// When the variable is missing but `GAZETTE_REQUIRE_POSTGRES=1`, or the server
    /// cannot be reached or refuses to create the database.
    pub fn postgres() -> Option<TestDb> {
        let admin_url = match std::env::var(POSTGRES_URL_VAR) {
            Ok(u) if !u.trim().is_empty() => u.trim().to_owned(),
            _ => {
                if require_postgres() {
                    panic!(
                        "{REQUIRE_POSTGRES_VAR}=1 but {POSTGRES_URL_VAR} is not set: PostgreSQL \
                         tests would be skipped. Set {POSTGRES_URL_VAR}, e.g. \
                         postgres://postgres@127.0.0.1:5432/postgres"
                    );
                }
                return None;
            }
        };
        let name = format!("{DB_NAME_PREFIX}{}", random_suffix());
        let mut admin = PgConnection::establish(&admin_url)
            .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR}: cannot connect to {admin_url}: {e}"));
        admin
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR}: CREATE DATABASE {name} failed: {e}"));
        drop(admin);
        let url = DatabaseUrl::Postgres(database_url_for(&admin_url, &name));
        let mut db = TestDb {
            url,
            pool: None,
            cleanup: Cleanup::Postgres { admin_url, name },
        };
        db.open();
        Some(db)
    }

    fn open(&mut self) {
        let pool = db::connect(&self.url, POOL_SIZE)
            .unwrap_or_else(|e| panic!("cannot open test database {}: {e}", self.url.redacted()));
        let mut conn = pool.get().unwrap_or_else(|e| {
            panic!(
                "cannot connect to test database {}: {e}",
                self.url.redacted()
            )
        });
        db::run_migrations(&mut conn)
            .unwrap_or_else(|e| panic!("migrating the test database: {e}"));
        drop(conn);
        self.pool = Some(pool);
    }

    /// Which database this is.
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// The URL as `Config::database_url` and `DatabaseUrl::parse` accept it.
    pub fn url_string(&self) -> String {
        match &self.url {
            DatabaseUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
            DatabaseUrl::Postgres(u) => u.clone(),
        }
    }

    /// `"sqlite"` or `"postgres"`, for messages.
    pub fn backend_name(&self) -> &'static str {
        self.url.backend_name()
    }

    /// The database's own connection pool.
    pub fn pool(&self) -> &DbPool {
        self.pool
            .as_ref()
            .expect("the pool exists until the TestDb is dropped")
    }

    /// One connection from [`pool`](Self::pool).
    pub fn conn(&self) -> PooledConn {
        self.pool()
            .get()
            .unwrap_or_else(|e| panic!("test database connection: {e}"))
    }

    /// The SQLite file, for tests that look at the file itself.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match &self.url {
            DatabaseUrl::Sqlite(p) => Some(p),
            DatabaseUrl::Postgres(_) => None,
        }
    }

    /// Runs `f` with a connection (shorthand in tests).
    pub fn with<T>(&self, f: impl FnOnce(&mut DbConnection) -> T) -> T {
        let mut conn = self.conn();
        f(&mut conn)
    }
}

/// The admin URL with its database name replaced by `name`.
fn database_url_for(admin_url: &str, name: &str) -> String {
    match url::Url::parse(admin_url) {
        Ok(mut u) => {
            u.set_path(&format!("/{name}"));
            u.to_string()
        }
        Err(e) => panic!("{POSTGRES_URL_VAR}: not a URL ({e}): {admin_url}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // Close our connections first; FORCE then ends any others (a server under test).
        drop(self.pool.take());
        match &self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { admin_url, name } => {
                let result = PgConnection::establish(admin_url)
                    .map_err(|e| e.to_string())
                    .and_then(|mut c| {
                        c.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                            .map_err(|e| e.to_string())
                    });
                if let Err(e) = result {
                    // Never panic in drop (it may run during unwinding); say what leaked.
                    eprintln!("warning: could not drop test database {name}: {e}");
                }
            }
        }
    }
}

/// Writes a test once and runs it on SQLite and on PostgreSQL.
///
/// ```ignore
/// cms_core::both_backends! {
///     fn creates_users(db: &TestDb) { /* … */ }
/// }
/// ```
/// expands to `mod creates_users { #[test] fn sqlite() … #[test] fn postgres() … }`.
/// The PostgreSQL variant prints "skipped: GAZETTE_TEST_POSTGRES_URL not set" and
/// passes when no server is configured (see [`TestDb::postgres`]).
#[macro_export]
macro_rules! both_backends {
    ($( $(#[$meta:meta])* fn $name:ident($db:ident : $ty:ty) $body:block )*) => {$(
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn run($db: $ty) $body

            #[test]
            fn sqlite() {
                let db = $crate::testdb::TestDb::sqlite();
                run(&db);
            }

            #[test]
            fn postgres() {
                match $crate::testdb::TestDb::postgres() {
                    Some(db) => run(&db),
                    None => eprintln!("skipped: GAZETTE_TEST_POSTGRES_URL not set"),
                }
            }
        }
    )*};
}

/// Small builders for test data, shared by cms-core's tests and the HTTP tests.
pub mod fixtures {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use crate::articles::{self, Article, ArticleInput, LinkInput, SaveAction, SectionInput};
    use crate::db::DbConnection;
    use crate::roles::Role;
    use crate::users::{self, NewUserInput, User};

    /// The password of every fixture user.
    pub const PASSWORD: &str = "correct horse battery staple";

    static NEXT: AtomicUsize = AtomicUsize::new(1);

    /// A number unique within this test process (for emails, titles, slugs).
    pub fn unique() -> usize {
        NEXT.fetch_add(1, Ordering::Relaxed)
    }

    /// A user who can log in with [`PASSWORD`]: `editor7@example.com`, "Editor 7".
    pub fn user(conn: &mut DbConnection, role: Role) -> User {
        let n = unique();
        user_named(conn, role, &format!("{} {n}", role.label()))
    }

    /// A user with this display name (the email and slug are derived from it).
    pub fn user_named(conn: &mut DbConnection, role: Role, name: &str) -> User {
        let local = crate::slugs::slugify(name);
        users::create(
            conn,
            NewUserInput {
                email: format!("{local}@example.com"),
                display_name: name.to_owned(),
                role: role.as_str().to_owned(),
                password: Some(PASSWORD.to_owned()),
                ..Default::default()
            },
        )
        .unwrap_or_else(|e| panic!("fixture user {name}: {e}"))
    }

    /// A section; an empty `heading` makes it untitled (the intro).
    pub fn section(heading: &str, body: &str) -> SectionInput {
        SectionInput {
            heading: heading.to_owned(),
            body: body.to_owned(),
        }
    }

    /// A link to another article.
    pub fn internal_link(target: i32) -> LinkInput {
        LinkInput {
            target_article_id: Some(target),
            ..Default::default()
        }
    }

    /// A link to another site.
    pub fn external_link(url: &str, title: &str) -> LinkInput {
        LinkInput {
            target_article_id: None,
            url: url.to_owned(),
            title: title.to_owned(),
        }
    }

    /// A minimal valid article: a title and one intro section.
    pub fn article(title: &str) -> ArticleInput {
        ArticleInput {
            title: title.to_owned(),
            sections: vec![section("", &format!("The story of {title}."))],
            ..Default::default()
        }
    }

    /// Creates an article as `actor` and applies `action` (e.g. publish).
    pub fn create(
        conn: &mut DbConnection,
        actor: &User,
        input: ArticleInput,
        action: SaveAction,
    ) -> Article {
        articles::save(conn, actor, None, None, input, action)
            .unwrap_or_else(|e| panic!("fixture article: {e}"))
    }

    /// Creates a published article titled `title` by `actor`.
    pub fn published(conn: &mut DbConnection, actor: &User, title: &str) -> Article {
        create(conn, actor, article(title), SaveAction::Publish)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_file_is_removed_on_drop() {
        let db = TestDb::sqlite();
        let path = db.sqlite_path().map(Path::to_path_buf).expect("sqlite");
        assert!(path.exists());
        drop(db);
        assert!(!path.exists());
    }

    #[test]
    fn postgres_database_is_dropped() {
        let Some(db) = TestDb::postgres() else {
            eprintln!("skipped: GAZETTE_TEST_POSTGRES_URL not set");
            return;
        };
        let Cleanup::Postgres { admin_url, name } = &db.cleanup else {
            panic!("postgres cleanup expected");
        };
        let (admin_url, name) = (admin_url.clone(), name.clone());
        db.with(|c| c.batch_execute("SELECT 1").expect("query"));
        drop(db);
        let mut admin = PgConnection::establish(&admin_url).expect("admin connection");
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let left: N = diesel::RunQueryDsl::get_result(
            diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
                .bind::<diesel::sql_types::Text, _>(&name),
            &mut admin,
        )
        .expect("count");
        assert_eq!(left.n, 0, "{name} should have been dropped");
    }

    #[test]
    fn admin_url_gets_the_new_name() {
        assert_eq!(
            database_url_for(
                "postgres://postgres@127.0.0.1:5432/postgres",
                "gazette_test_x"
            ),
            "postgres://postgres@127.0.0.1:5432/gazette_test_x"
        );
        assert_eq!(
            database_url_for("postgres://u:p@h/db?sslmode=disable", "t"),
            "postgres://u:p@h/t?sslmode=disable"
        );
    }
}
