//! The render cache: hits, invalidation on every kind of change, and never a
//! draft or an admin page from the cache.

use gazette_tests::*;

fn cached_app(db: TestDb) -> TestApp {
    // A long TTL, so only invalidation (never expiry) can make a change show.
    TestApp::start_with(db, |c| c.page_cache_ttl_ms = 60_000)
}

fn cache_of(r: &Response) -> &str {
    r.header("x-gazette-cache").unwrap_or("none")
}

/// Requests `path` until it is a cache hit (at most twice) and returns the body.
fn warm(b: &Browser, path: &str) -> String {
    let first = b.get(path);
    assert_eq!(first.status, 200, "GET {path}: {}", first.snippet());
    let second = b.get(path);
    assert_eq!(cache_of(&second), "hit", "GET {path} twice");
    second.body
}

fn edit(app: &TestApp, admin: &Browser, id: i32, change: impl FnOnce(&mut ArticleForm)) {
    let a = app.article(id).expect("article");
    let mut form = ArticleForm::new(&a.title);
    form.slug = a.slug.clone();
    form.version = Some(a.version);
    change(&mut form);
    let r = admin.edit_article(id, &form, "save");
    assert_eq!(r.status, 303, "{}", r.snippet());
}

macro_rules! cache_test {
    ($( $(#[$meta:meta])* fn $name:ident($app:ident : &TestApp) $body:block )*) => {$(
        $(#[$meta])*
        mod $name {
            use super::*;
            fn run($app: &TestApp) $body
            #[test]
            fn sqlite() { run(&cached_app(TestDb::sqlite())); }
            #[test]
            fn postgres() {
                match TestDb::postgres() {
                    Some(db) => run(&cached_app(db)),
                    None => eprintln!("skipped: GAZETTE_TEST_POSTGRES_URL not set"),
                }
            }
        }
    )*};
}

cache_test! {
    /// Cached responses go out as Brotli or gzip, as the client prefers, and
    /// each decodes to the very page the cache holds.
    fn compressed_as_the_client_asks(app: &TestApp) {
        let admin = app.setup_admin();
        let body = "The ferry timetable changes on Monday. ".repeat(60);
        admin.create_article_ok(&ArticleForm::new("Compressed story").section("Timetable", &body), "publish");
        let path = "/articles/compressed-story";
        let plain = warm(&app.new_browser(), path);
        let client = reqwest::blocking::Client::new();
        for (accept, expected) in [
            ("gzip, deflate, br, zstd", "br"),
            ("gzip", "gzip"),
            ("br;q=0.5, gzip", "gzip"),
            ("identity", "identity"),
        ] {
            let r = client
                .get(format!("{}{path}", app.base_url))
                .header("Accept-Encoding", accept)
                .send()
                .expect("GET");
            assert_eq!(r.status(), 200);
            let h = |n: &str| r.headers().get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
            assert_eq!(h("x-gazette-cache"), "hit", "{accept}");
            assert_eq!(h("content-encoding"), expected, "{accept}");
            assert!(h("vary").contains("Accept-Encoding"), "{accept}");
            let raw = r.bytes().expect("body").to_vec();
            let mut decoded = Vec::new();
            match expected {
                "br" => brotli::BrotliDecompress(&mut &raw[..], &mut decoded).expect("brotli"),
                "gzip" => {
                    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&raw[..]), &mut decoded)
                        .expect("gzip");
                }
                _ => decoded = raw.clone(),
            }
            assert_eq!(String::from_utf8(decoded).expect("UTF-8"), plain, "{accept}");
            if expected != "identity" {
                assert!(raw.len() * 3 < plain.len(), "{accept}: {} of {} bytes", raw.len(), plain.len());
            }
        }
    }

    /// Second request is a hit; an edit through the admin shows on the very next request.
    fn edits_invalidate(app: &TestApp) {
        let admin = app.setup_admin();
        let id = admin.create_article_ok(&ArticleForm::new("Cached original"), "publish");
        let anon = app.new_browser();
        let first = anon.get("/articles/cached-original");
        assert_eq!(first.status, 200, "{}", first.snippet());
        assert_eq!(cache_of(&first), "miss");
        let second = anon.get("/articles/cached-original");
        assert_eq!(cache_of(&second), "hit");
        assert_eq!(second.body, first.body);
        assert!(second.header("content-security-policy").is_some(), "security headers on hits too");
        let etag = second.header("etag").expect("etag").to_owned();
        assert_eq!(anon.get_with("/articles/cached-original", &[("If-None-Match", &etag)]).status, 304);

        let version = app.article(id).expect("article").version;
        let mut form = ArticleForm::new("Cached original");
        form.version = Some(version);
        form.standfirst = "Freshly edited standfirst".into();
        let r = admin.edit_article(id, &form, "save");
        assert_eq!(r.status, 303, "{}", r.snippet());
        let after = anon.get("/articles/cached-original");
        assert!(after.body.contains("Freshly edited standfirst"), "edit visible at once");
        let home = anon.get("/");
        assert!(home.body.contains("Cached original"));

        // Administrators see what the cache did on this node; editors do not.
        let dash = admin.get("/admin");
        assert!(dash.body.contains("Render cache on this node"), "{}", dash.snippet());
        assert!(dash.body.contains("Served from memory</dt><dd>"), "{}", dash.snippet());
        let (_, editor) = app.create_user(cms_core::roles::Role::Editor);
        assert!(!editor.get("/admin").body.contains("Render cache"));
    }

    /// Publish, unpublish and delete all show immediately; drafts never come from the cache.
    fn publication_changes_invalidate(app: &TestApp) {
        let admin = app.setup_admin();
        let anon = app.new_browser();
        anon.get("/");
        assert_eq!(cache_of(&anon.get("/")), "hit");
        let id = admin.create_article_ok(&ArticleForm::new("Fresh publication"), "publish");
        assert!(anon.get("/").body.contains("Fresh publication"), "publish shows on the cached home page");
        assert_eq!(anon.get("/articles/fresh-publication").status, 200);

        let v = app.article(id).expect("a").version;
        let mut f = ArticleForm::new("Fresh publication");
        f.version = Some(v);
        assert_eq!(admin.edit_article(id, &f, "unpublish").status, 303);
        let gone = anon.get("/articles/fresh-publication");
        assert_eq!(gone.status, 404, "unpublished: never served from the cache");
        assert!(!anon.get("/").body.contains("Fresh publication"));
        assert_eq!(cache_of(&anon.get("/articles/fresh-publication")), "none", "404s are not cached");

        let csrf = admin.csrf(&format!("/admin/articles/{id}/delete"));
        assert_eq!(admin.post(&format!("/admin/articles/{id}/delete"), &[("csrf_token", csrf.as_str())]).status, 303);
        assert_eq!(anon.get("/articles/fresh-publication").status, 404);

        // A logged-in editor never gets cached pages (and admin pages are never cached).
        assert_eq!(cache_of(&admin.get("/")), "none");
        assert_eq!(cache_of(&admin.get("/admin")), "none");
    }

    /// Settings and scheduled publication invalidate too; the Content API is cached and invalidated.
    fn settings_schedule_and_api(app: &TestApp) {
        let admin = app.setup_admin();
        let anon = app.new_browser();
        anon.get("/");
        let csrf = admin.csrf("/admin/settings");
        let r = admin.post("/admin/settings", &[
            ("csrf_token", csrf.as_str()), ("title", "Renamed Gazette"), ("description", "d"),
            ("base_url", "http://127.0.0.1:8080"), ("timezone", "UTC"), ("per_page", "10"),
        ]);
        assert_eq!(r.status, 303, "{}", r.snippet());
        assert!(anon.get("/").body.contains("Renamed Gazette"), "settings change visible at once");

        let list = anon.get("/api/v1/articles");
        assert_eq!(list.status, 200);
        assert_eq!(cache_of(&anon.get("/api/v1/articles")), "hit");

        // Scheduled a few seconds ahead: appears once due (the scheduler invalidates).
        let due = chrono::Utc::now().naive_utc() + chrono::Duration::seconds(3);
        let mut f = ArticleForm::new("Scheduled for the cache");
        f.published_at = datetime_field(due);
        assert_eq!(admin.create_article(&f, "schedule").status, 303);
        assert!(!anon.get("/").body.contains("Scheduled for the cache"));
        eventually(std::time::Duration::from_secs(15), "scheduled article on the cached home page", || {
            anon.get("/").body.contains("Scheduled for the cache").then_some(())
        });
        eventually(std::time::Duration::from_secs(5), "scheduled article in the cached API list", || {
            anon.get("/api/v1/articles").body.contains("Scheduled for the cache").then_some(())
        });
    }

    /// A category renamed through the admin shows at once on its cached
    /// listing page, on a cached article page in it and in the cached Content API.
    fn category_rename_invalidates(app: &TestApp) {
        let admin = app.setup_admin();
        let csrf = admin.csrf("/admin/categories/new");
        let r = admin.post("/admin/categories/new", &[
            ("csrf_token", csrf.as_str()), ("name", "Harbour"), ("slug", "harbour"), ("description", ""),
        ]);
        assert_eq!(r.status, 303, "{}", r.snippet());
        let cat = app
            .with_db(|c| cms_core::categories::find_by_slug(c, "harbour"))
            .expect("query")
            .expect("the category exists");
        let mut form = ArticleForm::new("Quayside story");
        form.category_id = cat.id.to_string();
        admin.create_article_ok(&form, "publish");

        let anon = app.new_browser();
        let pages = [
            "/category/harbour",
            "/articles/quayside-story",
            "/api/v1/categories/harbour",
            "/api/v1/articles/slug/quayside-story",
        ];
        // Each cached, showing the old name.
        for p in pages {
            let first = anon.get(p);
            assert_eq!(first.status, 200, "GET {p}: {}", first.snippet());
            assert_eq!(cache_of(&first), "miss", "{p}");
            assert!(first.body.contains("Harbour"), "{p}: {}", first.snippet());
            let second = anon.get(p);
            assert_eq!(cache_of(&second), "hit", "{p}");
            assert_eq!(second.body, first.body, "{p}");
        }
        let old = anon.get("/category/harbour");

        let edit = format!("/admin/categories/{}/edit", cat.id);
        let csrf = admin.csrf(&edit);
        let r = admin.post(&edit, &[
            ("csrf_token", csrf.as_str()), ("name", "Waterfront"), ("slug", "harbour"), ("description", ""),
        ]);
        assert_eq!(r.status, 303, "{}", r.snippet());
        for p in pages {
            let after = anon.get(p);
            assert_eq!(after.status, 200, "GET {p}: {}", after.snippet());
            assert!(after.body.contains("Waterfront"), "rename not visible at once on {p}: {}", after.snippet());
            assert!(!after.body.contains("Harbour"), "old name still on {p}: {}", after.snippet());
            assert_eq!(cache_of(&after), "miss", "{p}");
        }
        // The renamed listing page is a new representation: the old ETag no longer matches.
        let etag = old.header("etag").expect("etag");
        let r = anon.get_with("/category/harbour", &[("If-None-Match", etag)]);
        assert_eq!(r.status, 200, "{}", r.snippet());
        assert_eq!(cache_of(&r), "hit");
        assert!(r.body.contains("Waterfront"));
    }

    /// How much a write forgets: a draft nothing, a body edit one article's
    /// page and the listings, a card edit (title, slug, …) every page, since
    /// other articles' pages show that card.
    fn writes_forget_only_what_they_change(app: &TestApp) {
        let admin = app.setup_admin();
        let a = admin.create_article_ok(&ArticleForm::new("Harbour survey"), "publish");
        let mut related = ArticleForm::new("Ferry timetable");
        related.links = vec![(a.to_string(), String::new(), String::new())];
        admin.create_article_ok(&related, "publish");
        let anon = app.new_browser();
        let pages = ["/articles/harbour-survey", "/articles/ferry-timetable", "/", "/api/v1/articles"];
        for p in pages {
            warm(&anon, p);
        }
        assert!(warm(&anon, "/articles/ferry-timetable").contains("Harbour survey"), "related link");

        // A new draft and a draft edit: no visitor sees them, every page stays cached.
        let draft = admin.create_article_ok(&ArticleForm::new("Unfinished piece"), "save");
        edit(app, admin, draft, |f| f.standfirst = "Still drafting".into());
        // Signing in (another session) is not a content change either.
        let _second = app.login(ADMIN_EMAIL, PASSWORD);
        for p in pages {
            assert_eq!(cache_of(&anon.get(p)), "hit", "{p} after draft saves and a sign-in");
        }

        // A body edit: that article's page and the listings, not the other article's page.
        edit(app, admin, a, |f| f.sections = vec![(String::new(), "Divers found a wreck.".into())]);
        let page = anon.get("/articles/harbour-survey");
        assert_eq!(cache_of(&page), "miss");
        assert!(page.body.contains("Divers found a wreck."), "the edit shows at once");
        assert_eq!(cache_of(&anon.get("/")), "miss", "listings");
        let api = anon.get("/api/v1/articles?include=sections");
        assert!(api.body.contains("Divers found a wreck."), "{}", api.snippet());
        assert_eq!(cache_of(&anon.get("/articles/ferry-timetable")), "hit", "other article kept");

        // A title edit: the other article's related list shows the new title at once.
        warm(&anon, "/");
        edit(app, admin, a, |f| f.title = "Harbour survey finds wreck".into());
        let other = anon.get("/articles/ferry-timetable");
        assert_eq!(cache_of(&other), "miss");
        assert!(other.body.contains("Harbour survey finds wreck"), "{}", other.snippet());
        assert!(anon.get("/").body.contains("Harbour survey finds wreck"));
    }
}

/// Fires `n` anonymous requests for `path` at once; returns their cache statuses.
fn burst(app: &TestApp, path: &str, n: usize) -> Vec<String> {
    let browsers: Vec<Browser> = (0..n).map(|_| app.new_browser()).collect();
    let start = std::sync::Barrier::new(n);
    std::thread::scope(|s| {
        let handles: Vec<_> = browsers
            .iter()
            .map(|b| {
                let start = &start;
                s.spawn(move || {
                    start.wait();
                    let r = b.get(path);
                    assert_eq!(r.status, 200, "{}", r.snippet());
                    assert!(r.body.contains("Busy morning"), "{}", r.snippet());
                    cache_of(&r).to_owned()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("request thread"))
            .collect()
    })
}

mod one_render_per_page {
    use super::*;

    /// Many visitors asking at once for a page that is not cached (first
    /// request, after an edit, after expiry) cause one render: the others wait
    /// for it or, once it has expired, get the previous copy meanwhile.
    fn run(db: TestDb) {
        let app = TestApp::start_with(db, |c| c.page_cache_ttl_ms = 700);
        let admin = app.setup_admin();
        let id = admin.create_article_ok(&ArticleForm::new("Busy morning"), "publish");
        let path = "/articles/busy-morning";
        let misses = |s: &[String]| s.iter().filter(|s| *s == "miss").count();

        let first = burst(&app, path, 12);
        assert_eq!(misses(&first), 1, "first requests: {first:?}");
        assert!(first.iter().all(|s| s == "miss" || s == "hit"), "{first:?}");

        std::thread::sleep(std::time::Duration::from_millis(900));
        let expired = burst(&app, path, 12);
        assert_eq!(misses(&expired), 1, "after expiry: {expired:?}");

        edit(&app, admin, id, |f| f.standfirst = "Trains delayed".into());
        let edited = burst(&app, path, 12);
        assert_eq!(misses(&edited), 1, "after an edit: {edited:?}");
        assert!(app.new_browser().get(path).body.contains("Trains delayed"));
    }

    #[test]
    fn sqlite() {
        run(TestDb::sqlite());
    }

    #[test]
    fn postgres() {
        match TestDb::postgres() {
            Some(db) => run(db),
            None => eprintln!("skipped: GAZETTE_TEST_POSTGRES_URL not set"),
        }
    }
}

/// Two nodes on one PostgreSQL: a write on one is forgotten by the other's
/// cache at once (not after the TTL, here a minute), and only what it changed.
#[test]
fn other_nodes_forget_what_a_write_changed() {
    let Some(db) = TestDb::postgres() else {
        eprintln!("skipped: GAZETTE_TEST_POSTGRES_URL not set");
        return;
    };
    let app = cached_app(db);
    let other = app.second_node(|c| c.page_cache_ttl_ms = 60_000);
    let admin = app.setup_admin();
    let a = admin.create_article_ok(&ArticleForm::new("Shared desk"), "publish");
    admin.create_article_ok(&ArticleForm::new("Night shift"), "publish");
    // The setup's own announcements reach the other node within ~50 ms; let
    // them land before warming its cache.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let reader = other.new_browser();
    warm(&reader, "/articles/shared-desk");
    warm(&reader, "/articles/night-shift");
    warm(&reader, "/");

    // A body edit on the first node: that article and the listings, elsewhere too.
    edit(&app, admin, a, |f| {
        f.sections = vec![(String::new(), "Copy desk moved upstairs.".into())]
    });
    let page = eventually(
        std::time::Duration::from_secs(5),
        "the other node shows the edit",
        || {
            let r = reader.get("/articles/shared-desk");
            r.body.contains("Copy desk moved upstairs.").then_some(r)
        },
    );
    assert_eq!(cache_of(&page), "miss", "re-rendered, not expired");
    assert_eq!(
        cache_of(&reader.get("/articles/night-shift")),
        "hit",
        "the other article stays"
    );
    assert_eq!(cache_of(&reader.get("/")), "miss", "listings");

    // A site-wide change (settings) empties the other node's cache too.
    warm(&reader, "/articles/night-shift");
    let csrf = admin.csrf("/admin/settings");
    let r = admin.post(
        "/admin/settings",
        &[
            ("csrf_token", csrf.as_str()),
            ("title", "The Evening Desk"),
            ("description", "d"),
            ("base_url", "http://127.0.0.1:8080"),
            ("timezone", "UTC"),
            ("per_page", "10"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.snippet());
    eventually(
        std::time::Duration::from_secs(5),
        "the other node shows the new title",
        || {
            reader
                .get("/articles/night-shift")
                .body
                .contains("The Evening Desk")
                .then_some(())
        },
    );
}
