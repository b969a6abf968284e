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
}
