//! End-to-end test support: the real Gazette server, started in-process on a
//! fresh database, spoken to over HTTP (after crates.io's `TestApp`).
//!
//! ```ignore
//! gazette_tests::http_test! {
//!     fn publishes(app: &TestApp) {
//!         let admin = app.setup_admin();
//!         let r = admin.get("/admin");
//!         assert_eq!(r.status, 200);
//!     }
//! }
//! ```
//! Each `http_test!` runs once on SQLite and once on PostgreSQL (when
//! `GAZETTE_TEST_POSTGRES_URL` is set; see [`cms_core::testdb`]).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::thread::JoinHandle;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use cms_core::roles::Role;
use cms_core::users::User;
use cms_core::DbConnection;
use reqwest::blocking::Client;
use reqwest::header::HeaderMap;

pub use cms_core::testdb::fixtures::{self, PASSWORD};
pub use cms_core::testdb::TestDb;

pub mod plugins_support;

/// The first administrator that [`TestApp::setup_admin`] creates.
pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_NAME: &str = "Ada Admin";
pub const SITE_TITLE: &str = "The Test Gazette";

/// A Gazette server on a thread of its own: the production wiring
/// (`cms_web::bootstrap` + `cms_web::serve`) bound to a free port on
/// 127.0.0.1, with a fresh data directory. [`TestApp`] and
/// [`plugins_support::PluginApp`] both start theirs here. Dropping it stops the
/// server (not gracefully) and deletes the data directory.
pub(crate) struct ServerThread {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub(crate) base_url: String,
    pub(crate) data_dir: PathBuf,
    handle: Option<ServerHandle>,
    thread: Option<JoinHandle<()>>,
}

impl ServerThread {
    /// Starts a server on `db` with the test configuration (no sample content,
    /// a one-second scheduler, a small pool, one worker), after `adjust` has had
    /// its say. Returns the server's state (a clone of what it runs with).
    pub(crate) fn start(
        db: &TestDb,
        adjust: impl FnOnce(&mut cms_web::Config),
    ) -> (cms_web::AppState, ServerThread) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let data_dir = std::env::temp_dir().join(format!(
            "gazette_test_data_{}_{}",
            std::process::id(),
            fixtures::unique()
        ));
        let mut config = cms_web::Config {
            bind: addr.to_string(),
            database_url: db.url_string(),
            data_dir: data_dir.clone(),
            sample_content: false,
            scheduler_interval_secs: 1,
            db_pool_size: 4,
            workers: Some(1),
            ..cms_web::Config::default()
        };
        adjust(&mut config);
        let state = cms_web::bootstrap(config).expect("cms_web::bootstrap");
        let server_state = state.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name(format!("gazette-test-server-{}", addr.port()))
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
        let server = ServerThread {
            base_url: format!("http://{addr}"),
            data_dir,
            handle: Some(handle),
            thread: Some(thread),
        };
        (state, server)
    }

    /// Stops the server and waits until its thread has ended; `graceful` lets
    /// requests in flight finish first. Safe to call more than once.
    pub(crate) fn stop(&mut self, graceful: bool) {
        if let Some(h) = self.handle.take() {
            // The stop command is sent at once; the returned future only waits for it.
            drop(h.stop(graceful));
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for ServerThread {
    fn drop(&mut self) {
        self.stop(false);
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// A running Gazette server on its own database. Dropping it stops the server,
/// then deletes the database.
/// A further node started with [`TestApp::second_node`].
pub struct Node {
    pub base_url: String,
    _server: ServerThread,
}

impl Node {
    pub fn new_browser(&self) -> Browser {
        Browser::new(&self.base_url)
    }
}

pub struct TestApp {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base_url: String,
    /// An anonymous browser; [`setup_admin`](Self::setup_admin) logs it in.
    pub browser: Browser,
    /// Dropped (stopped, data directory deleted) before the database.
    server: ServerThread,
    /// Last: dropped after the server has stopped.
    pub db: TestDb,
}

impl TestApp {
    /// Starts the production wiring (`cms_web::bootstrap` + `cms_web::serve`) on
    /// `db`, bound to a free port on 127.0.0.1.
    pub fn start(db: TestDb) -> TestApp {
        // Tests change data behind the server's back (`with_db`), like another
        // node would; the render cache is tested on its own (`start_with`).
        TestApp::start_with(db, |c| c.page_cache_ttl_ms = 0)
    }

    /// As [`start`](Self::start), with a chance to adjust the configuration.
    pub fn start_with(db: TestDb, adjust: impl FnOnce(&mut cms_web::Config)) -> TestApp {
        let (_state, server) = ServerThread::start(&db, adjust);
        TestApp {
            browser: Browser::new(&server.base_url),
            base_url: server.base_url.clone(),
            server,
            db,
        }
    }

    /// Another Gazette node on this app's database (a second server process
    /// would behave the same: they share nothing but the database).
    pub fn second_node(&self, adjust: impl FnOnce(&mut cms_web::Config)) -> Node {
        let (_state, server) = ServerThread::start(&self.db, adjust);
        Node {
            base_url: server.base_url.clone(),
            _server: server,
        }
    }

    /// The server's data directory (uploaded media live in `media/` inside it).
    pub fn data_dir(&self) -> &Path {
        &self.server.data_dir
    }

    /// A new browser with an empty cookie jar.
    pub fn new_browser(&self) -> Browser {
        Browser::new(&self.base_url)
    }

    /// Runs `f` on a connection to the app's database (to arrange or check data).
    pub fn with_db<T>(&self, f: impl FnOnce(&mut DbConnection) -> T) -> T {
        self.db.with(f)
    }

    /// First-run setup through the form: creates [`ADMIN_EMAIL`] (password
    /// [`PASSWORD`]) and leaves [`browser`](Self::browser) logged in as them.
    pub fn setup_admin(&self) -> &Browser {
        first_run_setup(&self.browser);
        &self.browser
    }

    /// The administrator created by [`setup_admin`](Self::setup_admin).
    pub fn admin(&self) -> User {
        self.user_by_email(ADMIN_EMAIL)
    }

    pub fn user_by_email(&self, email: &str) -> User {
        self.with_db(|c| cms_core::users::find_by_email(c, email))
            .expect("query")
            .unwrap_or_else(|| panic!("no user {email}"))
    }

    /// Logs in with a new browser; panics unless the login succeeds.
    pub fn login(&self, email: &str, password: &str) -> Browser {
        let b = self.new_browser();
        let r = b.try_login(email, password, "/admin");
        assert_eq!(r.status, 303, "login as {email} failed: {}", r.snippet());
        assert_eq!(r.location(), Some("/admin"));
        b
    }

    /// Creates a user with this role directly in the database (password
    /// [`PASSWORD`]) and logs them in with a browser of their own.
    pub fn create_user(&self, role: Role) -> (User, Browser) {
        let user = self.with_db(|c| fixtures::user(c, role));
        let b = self.login(&user.email, PASSWORD);
        (user, b)
    }

    /// The stored article, straight from the database.
    pub fn article(&self, id: i32) -> Option<cms_core::articles::Article> {
        match self.with_db(|c| cms_core::articles::find(c, id)) {
            Ok(a) => Some(a),
            Err(cms_core::CoreError::NotFound) => None,
            Err(e) => panic!("articles::find({id}): {e}"),
        }
    }

    /// How many articles exist.
    pub fn article_count(&self) -> i64 {
        use diesel::prelude::*;
        self.with_db(|c| {
            cms_core::schema::articles::table
                .count()
                .get_result::<i64>(c)
                .expect("count articles")
        })
    }
}

/// First-run setup through the form on `b`: creates [`ADMIN_EMAIL`] (password
/// [`PASSWORD`]) and leaves `b` logged in as them.
pub(crate) fn first_run_setup(b: &Browser) {
    let form = b.get("/admin/setup");
    assert_eq!(form.status, 200, "GET /admin/setup: {}", form.snippet());
    assert!(
        b.has_cookie("gazette_csrf"),
        "GET /admin/setup should set the gazette_csrf cookie"
    );
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
    assert_eq!(r.location(), Some("/admin"));
    assert!(
        r.set_cookie_names().iter().any(|c| c == "gazette_session"),
        "setup should log the administrator in"
    );
}

/// One response, fully read: status, headers and body text.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn location(&self) -> Option<&str> {
        self.header("location")
    }

    /// Names of the cookies this response sets.
    pub fn set_cookie_names(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split('=').next())
            .map(|n| n.trim().to_owned())
            .collect()
    }

    /// The article id from a redirect to `/admin/articles/{id}/edit`.
    pub fn edited_article_id(&self) -> i32 {
        let loc = self.location().unwrap_or_else(|| {
            panic!(
                "expected a redirect to the editor, got {}: {}",
                self.status,
                self.snippet()
            )
        });
        loc.strip_prefix("/admin/articles/")
            .and_then(|r| r.split('/').next())
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("not an editor URL: {loc}"))
    }

    /// The start of the body, for assertion messages.
    pub fn snippet(&self) -> String {
        let text: String = self.body.chars().take(1500).collect();
        format!("status {} body: {text}", self.status)
    }

    /// Whether `needles` appear in the body in this order.
    pub fn contains_in_order(&self, needles: &[&str]) -> bool {
        let mut from = 0;
        for n in needles {
            match self.body[from..].find(n) {
                Some(i) => from += i + n.len(),
                None => return false,
            }
        }
        true
    }
}

/// A browser: a cookie jar, redirects not followed (so tests see the 303s).
pub struct Browser {
    base_url: String,
    jar: std::sync::Arc<reqwest::cookie::Jar>,
    pub client: Client,
}

impl Browser {
    pub fn new(base_url: &str) -> Browser {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let client = Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(60))
            .build()
            .expect("HTTP client");
        Browser {
            base_url: base_url.to_owned(),
            jar,
            client,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Whether the jar holds a cookie of this name (sent to `/admin`).
    pub fn has_cookie(&self, name: &str) -> bool {
        use reqwest::cookie::CookieStore;
        let url: reqwest::Url = self.url("/admin/").parse().expect("url");
        self.jar
            .cookies(&url)
            .and_then(|h| h.to_str().ok().map(str::to_owned))
            .is_some_and(|h| {
                h.split(';')
                    .any(|c| c.trim().split('=').next() == Some(name))
            })
    }

    fn read(r: reqwest::Result<reqwest::blocking::Response>, what: &str) -> Response {
        let r = r.unwrap_or_else(|e| panic!("{what}: {e}"));
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let body = r.text().unwrap_or_else(|e| panic!("{what}: body: {e}"));
        Response {
            status,
            headers,
            body,
        }
    }

    pub fn get(&self, path: &str) -> Response {
        Self::read(
            self.client.get(self.url(path)).send(),
            &format!("GET {path}"),
        )
    }

    /// GET with extra request headers (e.g. `If-None-Match`).
    pub fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        let mut req = self.client.get(self.url(path));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Self::read(req.send(), &format!("GET {path}"))
    }

    /// HEAD with extra request headers (the response has no body).
    pub fn head_with(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        let mut req = self.client.head(self.url(path));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Self::read(req.send(), &format!("HEAD {path}"))
    }

    /// POSTs an urlencoded form; repeated keys are kept in order.
    pub fn post<K: AsRef<str>, V: AsRef<str>>(&self, path: &str, form: &[(K, V)]) -> Response {
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_ref(), v.as_ref())).collect();
        Self::read(
            self.client.post(self.url(path)).form(&pairs).send(),
            &format!("POST {path}"),
        )
    }

    /// The CSRF token of the form on `path` (panics if there is none).
    pub fn csrf(&self, path: &str) -> String {
        let page = self.get(path);
        assert_eq!(page.status, 200, "GET {path}: {}", page.snippet());
        csrf_from(&page.body).unwrap_or_else(|| panic!("no csrf_token on {path}"))
    }

    /// Posts the login form; returns the response (303 on success).
    pub fn try_login(&self, email: &str, password: &str, next: &str) -> Response {
        let page = self.get(&format!("/admin/login?next={}", urlencode(next)));
        assert_eq!(page.status, 200, "GET /admin/login: {}", page.snippet());
        let csrf = csrf_from(&page.body).expect("csrf_token on the login page");
        self.post(
            "/admin/login",
            &[
                ("csrf_token", csrf.as_str()),
                ("email", email),
                ("password", password),
                ("next", next),
            ],
        )
    }

    /// Posts the new-article form (token taken from the form page).
    pub fn create_article(&self, form: &ArticleForm, action: &str) -> Response {
        let csrf = self.csrf("/admin/articles/new");
        self.post("/admin/articles/new", &form.pairs(&csrf, action))
    }

    /// Creates an article and returns its id (panics unless redirected to the editor).
    pub fn create_article_ok(&self, form: &ArticleForm, action: &str) -> i32 {
        let r = self.create_article(form, action);
        assert_eq!(r.status, 303, "create article: {}", r.snippet());
        r.edited_article_id()
    }

    /// Opens the editor and posts `form` with the page's token and — unless the
    /// form carries one — the page's `version`.
    pub fn edit_article(&self, id: i32, form: &ArticleForm, action: &str) -> Response {
        let path = format!("/admin/articles/{id}/edit");
        let page = self.get(&path);
        assert_eq!(page.status, 200, "GET {path}: {}", page.snippet());
        let csrf = csrf_from(&page.body).expect("csrf_token in the editor");
        let mut form = form.clone();
        if form.version.is_none() {
            form.version = input_value(&page.body, "version").and_then(|v| v.parse().ok());
            assert!(form.version.is_some(), "no version field in the editor");
        }
        self.post(&path, &form.pairs(&csrf, action))
    }
    /// This session's CSRF token (from the logout form every admin page has).
    pub fn session_csrf(&self) -> String {
        self.csrf("/admin")
    }

    /// Posts `form` to the editor without opening it first (for users who may
    /// not open it); the token comes from the dashboard, the version from `form`.
    pub fn edit_article_raw(&self, id: i32, form: &ArticleForm, action: &str) -> Response {
        let csrf = self.session_csrf();
        self.post(
            &format!("/admin/articles/{id}/edit"),
            &form.pairs(&csrf, action),
        )
    }
}

/// The editor's form, as a browser would post it.
#[derive(Debug, Clone, Default)]
pub struct ArticleForm {
    pub version: Option<i32>,
    pub title: String,
    pub slug: String,
    pub standfirst: String,
    /// "" = no category.
    pub category_id: String,
    /// Sent only when set (editors and administrators).
    pub author_id: Option<String>,
    /// `YYYY-MM-DDTHH:MM[:SS]` in the site's timezone, or "".
    pub published_at: String,
    /// (heading, body) in order.
    pub sections: Vec<(String, String)>,
    /// (target article id or "", url, title) in order.
    pub links: Vec<(String, String, String)>,
}

impl ArticleForm {
    /// A title and one untitled section.
    pub fn new(title: &str) -> ArticleForm {
        ArticleForm {
            title: title.to_owned(),
            sections: vec![(String::new(), format!("The story of {title}."))],
            ..Default::default()
        }
    }

    /// A title and no sections yet.
    pub fn titled(title: &str) -> ArticleForm {
        ArticleForm {
            title: title.to_owned(),
            ..Default::default()
        }
    }

    pub fn section(mut self, heading: &str, body: &str) -> Self {
        self.sections.push((heading.to_owned(), body.to_owned()));
        self
    }

    pub fn link_to(mut self, article_id: i32) -> Self {
        self.links
            .push((article_id.to_string(), String::new(), String::new()));
        self
    }

    pub fn link_url(mut self, url: &str, title: &str) -> Self {
        self.links
            .push((String::new(), url.to_owned(), title.to_owned()));
        self
    }

    /// The urlencoded pairs, with parallel repeated fields in order.
    pub fn pairs(&self, csrf: &str, action: &str) -> Vec<(String, String)> {
        let mut p: Vec<(String, String)> = vec![("csrf_token".into(), csrf.into())];
        if let Some(v) = self.version {
            p.push(("version".into(), v.to_string()));
        }
        p.push(("title".into(), self.title.clone()));
        p.push(("slug".into(), self.slug.clone()));
        p.push(("standfirst".into(), self.standfirst.clone()));
        p.push(("category_id".into(), self.category_id.clone()));
        if let Some(a) = &self.author_id {
            p.push(("author_id".into(), a.clone()));
        }
        p.push(("published_at".into(), self.published_at.clone()));
        for (h, b) in &self.sections {
            p.push(("section_heading".into(), h.clone()));
            p.push(("section_body".into(), b.clone()));
        }
        for (t, u, ti) in &self.links {
            p.push(("link_target".into(), t.clone()));
            p.push(("link_url".into(), u.clone()));
            p.push(("link_title".into(), ti.clone()));
        }
        p.push(("action".into(), action.into()));
        p
    }
}

/// The value of the `csrf_token` field in a page, if any.
pub fn csrf_from(html: &str) -> Option<String> {
    input_value(html, "csrf_token")
}

/// The `value` of the first `<input>` named `name` (attribute order free,
/// entities decoded).
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let mut rest = html;
    while let Some(start) = rest.find("<input") {
        let tag_rest = &rest[start..];
        let end = tag_rest.find('>')?;
        let tag = &tag_rest[..end];
        if attr(tag, "name").as_deref() == Some(name) {
            return Some(attr(tag, "value").unwrap_or_default());
        }
        rest = &tag_rest[end..];
    }
    None
}

fn attr(tag: &str, name: &str) -> Option<String> {
    for quote in ['"', '\''] {
        let needle = format!(" {name}={quote}");
        if let Some(i) = tag.find(&needle) {
            let v = &tag[i + needle.len()..];
            let end = v.find(quote)?;
            return Some(unescape(&v[..end]));
        }
    }
    None
}

/// Decodes the named entities askama writes and any numeric one (`&#60;`, `&#x2f;`).
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let decoded = tail.find(';').filter(|&end| end <= 10).and_then(|end| {
            let entity = &tail[1..end];
            let c = match entity {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// One start tag: its lower-cased name and attributes (values decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub name: String,
    pub attrs: Vec<(String, String)>,
}

/// The start tags of a page, read the way a browser's tokenizer would at the
/// level that matters here: quoted attribute values may hold `>`, and the
/// contents of `<script>`/`<style>` are skipped.
pub fn start_tags(html: &str) -> Vec<Tag> {
    let b = html.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' || !b.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
            continue;
        }
        i += 1;
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' && b[i] != b'/' {
            i += 1;
        }
        let name = html[start..i].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
                i += 1;
            }
            if i >= b.len() || b[i] == b'>' {
                i += 1;
                break;
            }
            let a = i;
            while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'>' {
                i += 1;
            }
            let attr_name = html[a..i].to_ascii_lowercase();
            let mut value = String::new();
            if i < b.len() && b[i] == b'=' {
                i += 1;
                if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                    let q = b[i];
                    i += 1;
                    let v = i;
                    while i < b.len() && b[i] != q {
                        i += 1;
                    }
                    value = unescape(&html[v..i.min(b.len())]);
                    i += 1;
                } else {
                    let v = i;
                    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                        i += 1;
                    }
                    value = unescape(&html[v..i]);
                }
            }
            attrs.push((attr_name, value));
        }
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            match html[i.min(b.len())..].to_ascii_lowercase().find(&close) {
                Some(end) => i += end,
                None => i = b.len(),
            }
        }
        tags.push(Tag { name, attrs });
    }
    tags
}

/// Everything in a page that could run script: inline `<script>`, frames,
/// event-handler attributes and `javascript:` URLs. Empty means inert.
pub fn live_script(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for tag in start_tags(html) {
        match tag.name.as_str() {
            // A JSON-LD data block is never executed (HTML treats a script of
            // a non-JavaScript type as data); anything else inline would run.
            "script"
                if !tag.attrs.iter().any(|(n, _)| n == "src")
                    && !tag.attrs.iter().any(|(n, v)| {
                        n == "type" && v.trim().eq_ignore_ascii_case("application/ld+json")
                    }) =>
            {
                found.push("an inline <script>".to_owned())
            }
            "iframe" | "frame" | "object" | "embed" => found.push(format!("<{}>", tag.name)),
            _ => {}
        }
        for (name, value) in &tag.attrs {
            let v: String = value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            let handler = name.starts_with("on");
            let script_url = matches!(
                name.as_str(),
                "href" | "src" | "action" | "formaction" | "srcdoc"
            ) && (v.starts_with("javascript:") || v.starts_with("data:text/html"));
            if handler || script_url {
                found.push(format!("<{} {name}=\"{value}\">", tag.name));
            }
        }
    }
    found
}

pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// `YYYY-MM-DDTHH:MM:SS` (UTC, the default site timezone) for `published_at`.
pub fn datetime_field(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// Polls `f` every 100 ms until it returns `Some`, for at most `limit`
/// (a generous bound, never a timing assertion).
pub fn eventually<T>(limit: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(v) = f() {
            return v;
        }
        if std::time::Instant::now() > deadline {
            panic!("gave up after {limit:?} waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The built `gazette` binary, next to this test executable's `deps/` directory.
/// Built (once per process) with the same cargo, profile and target directory
/// first, because `cargo test` does not build other packages' executables.
pub fn gazette_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let exe = std::env::current_exe().expect("current_exe");
        // target/<profile>/deps/<test-binary>
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("test binary lives in <target>/<profile>/deps")
            .to_path_buf();
        let bin = profile_dir.join(format!("gazette{}", std::env::consts::EXE_SUFFIX));
        let profile = profile_dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("debug")
            .to_owned();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("workspace root")
            .to_path_buf();
        // `--workspace --bins --tests` resolves features exactly as `cargo test
        // --workspace` does, so every cached artifact is reused and only the
        // `gazette` executable itself is linked.
        let mut cmd = Command::new(&cargo);
        cmd.current_dir(&workspace)
            .args(["build", "--quiet", "--workspace", "--bins", "--tests"]);
        match profile.as_str() {
            "debug" => {}
            "release" => {
                cmd.arg("--release");
            }
            other => {
                cmd.args(["--profile", other]);
            }
        }
        if let Some(target_dir) = profile_dir.parent() {
            cmd.arg("--target-dir").arg(target_dir);
        }
        let status = cmd
            .status()
            .unwrap_or_else(|e| panic!("running {cargo} build: {e}"));
        assert!(
            status.success(),
            "`cargo build --workspace --bins --tests` failed (needed for the gazette binary)"
        );
        assert!(bin.is_file(), "{} was not built", bin.display());
        bin
    })
    .clone()
}

/// A `gazette` command with a clean environment (no `GAZETTE_*`/`DATABASE_URL`
/// from the caller) run in an empty directory (no stray `gazette.toml`).
pub fn gazette_cmd(cwd: &Path) -> Command {
    let mut cmd = Command::new(gazette_bin());
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        if k.starts_with("GAZETTE_") || k == "DATABASE_URL" {
            cmd.env_remove(&k);
        }
    }
    cmd.current_dir(cwd).env("GAZETTE_LOG", "warn");
    cmd
}

/// Writes an HTTP test once and runs it against a server on SQLite and on
/// PostgreSQL: `http_test! { fn name(app: &TestApp) { … } }` →
/// `mod name { #[test] fn sqlite() … #[test] fn postgres() … }`.
#[macro_export]
macro_rules! http_test {
    ($( $(#[$meta:meta])* fn $name:ident($app:ident : $ty:ty) $body:block )*) => {$(
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn run($app: $ty) $body

            #[test]
            fn sqlite() {
                let app = $crate::TestApp::start($crate::TestDb::sqlite());
                run(&app);
            }

            #[test]
            fn postgres() {
                match $crate::TestDb::postgres() {
                    Some(db) => {
                        let app = $crate::TestApp::start(db);
                        run(&app);
                    }
                    None => eprintln!("skipped: GAZETTE_TEST_POSTGRES_URL not set"),
                }
            }
        }
    )*};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_form_values() {
        let html = r#"<form><input type="hidden" name="next" value="/admin?a=1&amp;b=2">
            <input value='abc&#45;123' name='csrf_token' type=hidden></form>"#;
        assert_eq!(csrf_from(html).as_deref(), Some("abc-123"));
        assert_eq!(input_value(html, "next").as_deref(), Some("/admin?a=1&b=2"));
        assert_eq!(input_value(html, "missing"), None);
    }

    #[test]
    fn spots_live_script() {
        let inert = r#"<p title="a > b">&lt;script&gt;alert(1)&lt;/script&gt;</p>
            <input value="&#60;img src=x onerror=alert(1)&#62;"><script src="/static/a.js"></script>
            <a href="/x?javascript:1">ok</a><style>p > a { }</style>"#;
        assert!(live_script(inert).is_empty(), "{:?}", live_script(inert));
        let data =
            r#"<script type="application/ld+json">{"headline":"\u003c/script\u003e"}</script>"#;
        assert!(live_script(data).is_empty(), "{:?}", live_script(data));
        for bad in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "<a href=\"  JavaScript:alert(1)\">x</a>",
            "<a href='jav&#x09;ascript:alert(1)'>x</a>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<p><svg/onload=alert(1)></p>",
            "<script type=\"text/javascript\">alert(1)</script>",
        ] {
            assert!(!live_script(bad).is_empty(), "missed {bad}");
        }
    }

    #[test]
    fn unescapes_entities() {
        assert_eq!(
            unescape("&#60;script&#62; &lt;b&gt; &#x2f; &amp;amp; & &bogus; &"),
            "<script> <b> / &amp; & &bogus; &"
        );
    }
}
