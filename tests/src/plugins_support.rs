//! Test support for the plugin platform: a Gazette server loading a chosen
//! set of the *real* plugin libraries.
//!
//! The libraries come from `target/<profile>/plugins-all/`, which
//! `cms-web/build.rs` fills on every build of cms-web (so `cargo test
//! --workspace` builds them first). Each app copies the libraries it wants
//! into a directory of its own: a copy is a distinct library to the dynamic
//! loader, so apps running side by side in one test process never share a
//! plugin's global state.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use cms_core::users::User;
use cms_web::AppState;

use crate::{csrf_from, fixtures, Browser, TestDb, ADMIN_EMAIL, ADMIN_NAME, PASSWORD, SITE_TITLE};

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

/// A running Gazette with plugins. Dropping it stops the server (graceful)
/// and deletes its files; the database goes with `db`.
pub struct PluginApp {
    pub base_url: String,
    /// Anonymous until [`PluginApp::setup_admin`] logs it in.
    pub browser: Browser,
    /// The app's state: `state.plugins` is the plugin host under test.
    pub state: AppState,
    pub plugins_dir: PathBuf,
    handle: Option<ServerHandle>,
    thread: Option<JoinHandle<()>>,
    data_dir: PathBuf,
    pub db: Option<TestDb>,
}

impl PluginApp {
    /// Starts Gazette on `db` with copies of the named plugin libraries.
    pub fn start(db: TestDb, stems: &[&str]) -> PluginApp {
        let dir = plugins_dir_with(stems);
        PluginApp::start_with_dir(db, dir)
    }

    /// Starts Gazette on `db`, loading plugins from `plugins_dir`.
    pub fn start_with_dir(db: TestDb, plugins_dir: PathBuf) -> PluginApp {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let data_dir = std::env::temp_dir().join(format!(
            "gazette_test_data_{}_{}",
            std::process::id(),
            fixtures::unique()
        ));
        let config = cms_web::Config {
            bind: addr.to_string(),
            database_url: db.url_string(),
            data_dir: data_dir.clone(),
            sample_content: false,
            scheduler_interval_secs: 1,
            db_pool_size: 8,
            workers: Some(2),
            plugins_dir: plugins_dir.clone(),
            // Shown counts may lag by the cache TTL by design; these tests read
            // them right after the flush, so the render cache is off here.
            page_cache_ttl_ms: 0,
            ..cms_web::Config::default()
        };
        let state = cms_web::bootstrap(config).expect("cms_web::bootstrap");
        let server_state = state.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name(format!("gazette-plugin-test-{}", addr.port()))
            .spawn(move || {
                actix_rt::System::new().block_on(async move {
                    let server = match cms_web::serve(server_state, listener) {
                        Ok(s) => s,
                        Err(e) => {
                            eprintln!("cms_web::serve failed: {e}");
                            return;
                        }
                    };
                    let _ = tx.send(server.handle());
                    let _ = server.await;
                });
            })
            .expect("spawn the server thread");
        let handle = rx.recv().expect("the test server did not start");
        let base_url = format!("http://{addr}");
        PluginApp {
            browser: Browser::new(&base_url),
            base_url,
            state,
            plugins_dir,
            handle: Some(handle),
            thread: Some(thread),
            data_dir,
            db: Some(db),
        }
    }

    pub fn db(&self) -> &TestDb {
        self.db.as_ref().expect("database")
    }

    /// Stops the server gracefully, waits for it, and hands the database back
    /// (for a restart on the same data).
    pub fn stop(mut self) -> TestDb {
        self.stop_server(true);
        self.db.take().expect("database")
    }

    fn stop_server(&mut self, graceful: bool) {
        if let Some(h) = self.handle.take() {
            actix_rt::System::new().block_on(h.stop(graceful));
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    pub fn new_browser(&self) -> Browser {
        Browser::new(&self.base_url)
    }

    /// First-run setup; leaves [`PluginApp::browser`] logged in as the administrator.
    pub fn setup_admin(&self) -> &Browser {
        let b = &self.browser;
        let form = b.get("/admin/setup");
        assert_eq!(form.status, 200, "GET /admin/setup: {}", form.snippet());
        let csrf = csrf_from(&form.body).expect("csrf_token on the setup page");
        let r = b.post(
            "/admin/setup",
            &[
                ("csrf_token", csrf.as_str()),
                ("site_title", SITE_TITLE),
                ("name", ADMIN_NAME),
                ("email", ADMIN_EMAIL),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        );
        assert_eq!(r.status, 303, "POST /admin/setup: {}", r.snippet());
        b
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
        self.stop_server(false);
        let _ = std::fs::remove_dir_all(&self.data_dir);
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
