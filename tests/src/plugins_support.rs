//! Test support for the plugin platform: a Gazette server loading a chosen
//! set of the *real* plugin libraries.
//!
//! The libraries come from `target/<profile>/plugins-all/`, which
//! `cms-web/build.rs` fills on every build of cms-web (so `cargo test
//! --workspace` builds them first). Each app copies the libraries it wants
//! into a directory of its own: a copy is a distinct library to the dynamic
//! loader, so apps running side by side in one test process never share a
//! plugin's global state.

use std::path::{Path, PathBuf};
use std::time::Duration;

use cms_core::users::User;
use cms_web::AppState;

use crate::{first_run_setup, fixtures, Browser, ServerThread, TestDb, ADMIN_EMAIL, PASSWORD};

/// A user agent the view counter counts (an empty one is treated as a bot).
pub const BROWSER_UA: &str =
    "Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0";

/// Path of a built plugin library by crate name (`view_counter`, `panicky`, …).
pub fn built_plugin(stem: &str) -> PathBuf {
    let file = format!(
        "{}{stem}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    let path = Path::new(cms_web::plugins::BUILT_ALL_PLUGINS_DIR).join(file);
    assert!(
        path.exists(),
        "{} is missing: cms-web/build.rs builds the plugin libraries (is GAZETTE_SKIP_PLUGIN_BUILD set?)",
        path.display()
    );
    path
}

/// A fresh directory holding copies of the named plugin libraries.
pub fn plugins_dir_with(stems: &[&str]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "gazette_test_plugins_{}_{}",
        std::process::id(),
        fixtures::unique()
    ));
    std::fs::create_dir_all(&dir).expect("create plugins dir");
    for stem in stems {
        let src = built_plugin(stem);
        let name = src.file_name().expect("file name");
        std::fs::copy(&src, dir.join(name)).expect("copy plugin library");
    }
    dir
}

/// A running Gazette with plugins. Dropping it stops the server (at once;
/// [`PluginApp::stop`] is the graceful way)
/// and deletes its files; the database goes with `db`.
pub struct PluginApp {
    pub base_url: String,
    /// Anonymous until [`PluginApp::setup_admin`] logs it in.
    pub browser: Browser,
    /// The app's state: `state.plugins` is the plugin host under test.
    pub state: AppState,
    pub plugins_dir: PathBuf,
    /// Stopped before the state and the database are dropped.
    server: ServerThread,
    pub db: Option<TestDb>,
}

impl PluginApp {
    /// Starts Gazette on `db` with copies of the named plugin libraries.
    pub fn start(db: TestDb, stems: &[&str]) -> PluginApp {
        PluginApp::start_with(db, stems, |_| {})
    }

    /// As [`start`](Self::start), with a chance to adjust the configuration
    /// (e.g. turn the render cache on: `|c| c.page_cache_ttl_ms = 60_000`).
    pub fn start_with(
        db: TestDb,
        stems: &[&str],
        adjust: impl FnOnce(&mut cms_web::Config),
    ) -> PluginApp {
        let dir = plugins_dir_with(stems);
        PluginApp::start_with_dir_and(db, dir, adjust)
    }

    /// Starts Gazette on `db`, loading plugins from `plugins_dir`.
    pub fn start_with_dir(db: TestDb, plugins_dir: PathBuf) -> PluginApp {
        PluginApp::start_with_dir_and(db, plugins_dir, |_| {})
    }

    /// Starts Gazette on `db`, loading plugins from `plugins_dir`, with the
    /// configuration adjusted by `adjust` last.
    pub fn start_with_dir_and(
        db: TestDb,
        plugins_dir: PathBuf,
        adjust: impl FnOnce(&mut cms_web::Config),
    ) -> PluginApp {
        let dir = plugins_dir.clone();
        let (state, server) = ServerThread::start(&db, move |c| {
            c.db_pool_size = 8;
            c.workers = Some(2);
            c.plugins_dir = dir;
            // Shown counts may lag by the cache TTL by design; most tests read
            // them right after the flush, so the render cache is off unless
            // `adjust` turns it on.
            c.page_cache_ttl_ms = 0;
            adjust(c);
        });
        PluginApp {
            browser: Browser::new(&server.base_url),
            base_url: server.base_url.clone(),
            state,
            plugins_dir,
            server,
            db: Some(db),
        }
    }

    pub fn db(&self) -> &TestDb {
        self.db.as_ref().expect("database")
    }

    /// Stops the server gracefully, waits for it, and hands the database back
    /// (for a restart on the same data).
    pub fn stop(mut self) -> TestDb {
        self.server.stop(true);
        self.db.take().expect("database")
    }

    pub fn new_browser(&self) -> Browser {
        Browser::new(&self.base_url)
    }

    /// First-run setup; leaves [`PluginApp::browser`] logged in as the administrator.
    pub fn setup_admin(&self) -> &Browser {
        first_run_setup(&self.browser);
        &self.browser
    }

    pub fn admin(&self) -> User {
        self.db()
            .with(|c| cms_core::users::find_by_email(c, ADMIN_EMAIL))
            .expect("query")
            .expect("the administrator exists")
    }

    /// Logs in with a new browser.
    pub fn login(&self, email: &str) -> Browser {
        let b = self.new_browser();
        let r = b.try_login(email, PASSWORD, "/admin");
        assert_eq!(r.status, 303, "login as {email} failed: {}", r.snippet());
        b
    }

    /// Waits until every queued page view reached the plugins, then writes
    /// the batched counters.
    pub fn settle(&self) {
        assert!(
            self.state.plugins.drain(Duration::from_secs(20)),
            "plugin events were not delivered in time"
        );
        self.state.plugins.flush();
    }

    /// One of a plugin's counters as stored in the database.
    pub fn stored_counter(&self, plugin: &str, key: &str) -> i64 {
        self.db()
            .with(|c| cms_core::plugins::counters(c, plugin, &[key.to_owned()]))
            .expect("read counters")
            .get(key)
            .copied()
            .unwrap_or(0)
    }

    /// The plugin's status label on `/admin/plugins` (`enabled`, `refused`, …),
    /// read from the row's `data-status` attribute.
    pub fn admin_status(&self, admin: &Browser, name: &str) -> Option<(String, String)> {
        let page = admin.get("/admin/plugins");
        assert_eq!(page.status, 200, "GET /admin/plugins: {}", page.snippet());
        let marker = format!("data-plugin=\"{name}\" data-status=\"");
        let start = page.body.find(&marker)? + marker.len();
        let status = page.body[start..].split('"').next()?.to_owned();
        let row_end = page.body[start..]
            .find("</tr>")
            .map_or(page.body.len(), |e| start + e);
        Some((status, page.body[start..row_end].to_owned()))
    }
}

impl Drop for PluginApp {
    fn drop(&mut self) {
        // The server first; its data directory goes when `server` is dropped.
        self.server.stop(false);
        let _ = std::fs::remove_dir_all(&self.plugins_dir);
    }
}

/// Runs a plugin test once on SQLite and once on PostgreSQL (when
/// `GAZETTE_TEST_POSTGRES_URL` is set), each on a fresh database.
#[macro_export]
macro_rules! plugin_test {
    ($( $(#[$meta:meta])* fn $name:ident($db:ident : TestDb) $body:block )*) => {$(
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn run($db: $crate::TestDb) $body

            #[test]
            fn sqlite() {
                run($crate::TestDb::sqlite());
            }

            #[test]
            fn postgres() {
                match $crate::TestDb::postgres() {
                    Some(db) => run(db),
                    None => eprintln!("skipped: GAZETTE_TEST_POSTGRES_URL not set"),
                }
            }
        }
    )*};
}
