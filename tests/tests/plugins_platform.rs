//! The plugin platform against the real plugin libraries (built by
//! `cms-web/build.rs`), over HTTP, on SQLite and (when configured) PostgreSQL.

use std::time::Duration;

use cms_core::articles::{ArticleInput, SaveAction};
use cms_core::categories::{self, CategoryInput};
use cms_core::roles::Role;
use gazette_tests::plugins_support::{built_plugin, plugins_dir_with, PluginApp, BROWSER_UA};
use gazette_tests::{csrf_from, eventually, fixtures, plugin_test, ArticleForm, Browser};

fn view(b: &Browser, path: &str, ua: &str) {
    let r = b.get_with(path, &[("User-Agent", ua)]);
    assert_eq!(r.status, 200, "GET {path}: {}", r.snippet());
}

fn post_with_csrf(
    b: &Browser,
    page: &str,
    action: &str,
    extra: &[(&str, &str)],
) -> gazette_tests::Response {
    let csrf = b.csrf(page);
    let mut form: Vec<(&str, &str)> = vec![("csrf_token", csrf.as_str())];
    form.extend_from_slice(extra);
    b.post(action, &form)
}

/// The render cache's verdict on a response (`hit`, `miss`, or `none` when the
/// cache did not take part).
fn cache_of(r: &gazette_tests::Response) -> &str {
    r.header("x-gazette-cache").unwrap_or("none")
}

/// Turns the render cache on with a TTL long enough that only invalidation,
/// never expiry, can make a change show during a test.
fn cache_on(c: &mut cms_web::Config) {
    c.page_cache_ttl_ms = 60_000;
}

/// Text between `start` and the next occurrence of `end` after it.
fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let Some(s) = body.find(start) else { return "" };
    let rest = &body[s..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

plugin_test! {
    /// 100 concurrent human views count exactly 100; bots and staff are not
    /// counted; the count survives a graceful restart, including views still
    /// batched in memory when the server stopped.
    fn views_are_counted_once_and_survive_a_graceful_restart(db: TestDb) {
        let app = PluginApp::start(db, &["view_counter"]);
        let admin = app.setup_admin();
        let article = app.db().with(|c| fixtures::published(c, &app.admin(), "Counted story"));
        let path = format!("/articles/{}", article.slug);

        std::thread::scope(|s| {
            for _ in 0..10 {
                let b = app.new_browser();
                let path = path.clone();
                s.spawn(move || {
                    for _ in 0..10 {
                        view(&b, &path, BROWSER_UA);
                    }
                });
            }
            let bots = app.new_browser();
            let path = path.clone();
            s.spawn(move || {
                for ua in ["Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "curl/8.5.0", ""] {
                    for _ in 0..3 {
                        view(&bots, &path, ua);
                    }
                }
            });
        });
        for _ in 0..5 {
            view(admin, &path, BROWSER_UA); // staff
        }
        app.settle();
        assert_eq!(app.stored_counter("view-counter", &format!("article:{}", article.id)), 100);
        let day = chrono::Utc::now().format("%Y-%m-%d").to_string();
        assert_eq!(
            app.stored_counter("view-counter", &format!("day:{day}:article:{}", article.id)),
            100
        );
        let page = app.new_browser().get(&path);
        assert!(page.body.contains("100 views"), "{}", page.snippet());
        assert_eq!(app.state.plugins.dropped_events(), 0);

        // Seven more views, then stop at once: nothing may be lost.
        let b = app.new_browser();
        for _ in 0..7 {
            view(&b, &path, BROWSER_UA);
        }
        let host = app.state.plugins.clone();
        let db = app.stop();
        eventually(Duration::from_secs(20), "the stopped server to flush plugin counters", || {
            host.is_shut_down().then_some(())
        });
        drop(host);

        let app = PluginApp::start(db, &["view_counter"]);
        assert_eq!(app.stored_counter("view-counter", &format!("article:{}", article.id)), 107);
        let page = app.new_browser().get_with(&path, &[("User-Agent", BROWSER_UA)]);
        assert!(page.body.contains("107 views"), "{}", page.snippet());
    }

    /// With the render cache on, 16 readers × 50 views of a cached article
    /// count exactly 800 (cache hits are reported by the cache layer, misses by
    /// the handler, nothing twice, nothing dropped). On cache hits the rules of
    /// `public/views.rs` hold: a 304 revalidation counts, a `HEAD` does not.
    fn views_are_counted_exactly_on_cache_hits_under_load(db: TestDb) {
        const READERS: usize = 16;
        const VIEWS_EACH: usize = 50;
        const TOTAL: i64 = (READERS * VIEWS_EACH) as i64;
        let app = PluginApp::start_with(db, &["view_counter"], cache_on);
        app.setup_admin();
        let article = app.db().with(|c| fixtures::published(c, &app.admin(), "Cached counted story"));
        let path = format!("/articles/{}", article.slug);
        let key = format!("article:{}", article.id);
        let ua = ("User-Agent", BROWSER_UA);

        let verdicts: Vec<String> = std::thread::scope(|s| {
            let readers: Vec<_> = (0..READERS)
                .map(|_| {
                    let b = app.new_browser();
                    let path = path.as_str();
                    s.spawn(move || {
                        (0..VIEWS_EACH)
                            .map(|_| {
                                let r = b.get_with(path, &[ua]);
                                assert_eq!(r.status, 200, "GET {path}: {}", r.snippet());
                                cache_of(&r).to_owned()
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            readers.into_iter().flat_map(|r| r.join().expect("a reader panicked")).collect()
        });
        let hits = verdicts.iter().filter(|v| *v == "hit").count();
        let misses = verdicts.iter().filter(|v| *v == "miss").count();
        assert_eq!(hits + misses, verdicts.len(), "every view went through the cache: {verdicts:?}");
        // Only a reader's first request can find the page not cached yet.
        assert!(misses <= READERS, "{misses} misses, {hits} hits");
        app.settle();
        assert_eq!(app.stored_counter("view-counter", &key), TOTAL);
        let day = chrono::Utc::now().format("%Y-%m-%d").to_string();
        assert_eq!(app.stored_counter("view-counter", &format!("day:{day}:article:{}", article.id)), TOTAL);
        assert_eq!(app.state.plugins.dropped_events(), 0);

        // The page is cached: HEADs and revalidations are answered from it.
        let reader = app.new_browser();
        let page = reader.get_with(&path, &[ua]); // counts: +1
        assert_eq!((page.status, cache_of(&page)), (200, "hit"), "{}", page.snippet());
        let etag = page.header("etag").expect("an ETag on the cached page").to_owned();
        for _ in 0..5 {
            let r = reader.head_with(&path, &[ua]);
            assert_eq!((r.status, cache_of(&r)), (200, "hit"), "HEAD {path}");
            assert!(r.body.is_empty(), "HEAD has no body");
        }
        for inm in [etag.clone(), etag.clone(), format!("W/{etag}")] {
            let r = reader.get_with(&path, &[ua, ("If-None-Match", inm.as_str())]); // counts: +3
            assert_eq!((r.status, cache_of(&r)), (304, "hit"), "If-None-Match: {inm}");
            assert!(r.body.is_empty());
            assert_eq!(r.header("etag"), Some(etag.as_str()));
        }
        let r = reader.head_with(&path, &[ua, ("If-None-Match", etag.as_str())]);
        assert_eq!((r.status, cache_of(&r)), (304, "hit"), "a conditional HEAD is still a HEAD");
        // A revalidation against an old ETag gets the page (and counts): +1.
        let r = reader.get_with(&path, &[ua, ("If-None-Match", "\"0123456789abcdef\"")]);
        assert_eq!((r.status, cache_of(&r)), (200, "hit"));
        app.settle();
        assert_eq!(app.stored_counter("view-counter", &key), TOTAL + 5);

        // A HEAD that misses reaches the handler: not counted there either, and not cached.
        let other = app.db().with(|c| fixtures::published(c, &app.admin(), "Uncached headline"));
        let other_path = format!("/articles/{}", other.slug);
        let r = reader.head_with(&other_path, &[ua]);
        assert_eq!((r.status, cache_of(&r)), (200, "none"), "HEAD {other_path}");
        let r = reader.get_with(&other_path, &[ua]);
        assert_eq!((r.status, cache_of(&r)), (200, "miss"), "a HEAD response is never stored");
        app.settle();
        assert_eq!(app.stored_counter("view-counter", &format!("article:{}", other.id)), 1);
        assert_eq!(app.stored_counter("view-counter", &key), TOTAL + 5);
        assert_eq!(app.state.plugins.dropped_events(), 0);
    }

    /// With the render cache on, disabling, enabling and configuring a widget
    /// plugin through `/admin/plugins` shows on a visitor's cached pages at the
    /// very next request; a refused POST leaves the cache alone.
    fn plugin_changes_show_at_once_on_cached_pages(db: TestDb) {
        let app = PluginApp::start_with(db, &["latest_news", "hello_widget"], cache_on);
        let admin = app.setup_admin();
        let (older, main) = app.db().with(|c| {
            let older = fixtures::published(c, &app.admin(), "Earlier cached story");
            let main = fixtures::published(c, &app.admin(), "Main cached story");
            (older, main)
        });
        let path = format!("/articles/{}", main.slug);
        let reader = app.new_browser();
        let get = |p: &str| {
            let r = reader.get(p);
            assert_eq!(r.status, 200, "GET {p}: {}", r.snippet());
            r
        };
        const HELLO: &str = "Hello from a plugin!";
        // Both pages cached, with the widgets.
        let first = get(&path);
        assert_eq!(cache_of(&first), "miss");
        assert!(first.body.contains(HELLO) && first.body.contains("Latest News"), "{}", first.snippet());
        assert!(first.body.contains(&older.title));
        assert_eq!(cache_of(&get("/")), "miss");
        let again = get(&path);
        assert_eq!(cache_of(&again), "hit");
        assert_eq!(again.body, first.body);
        let home = get("/");
        assert_eq!(cache_of(&home), "hit");
        assert!(between(&home.body, "data-slot=\"home_sidebar\"", "</aside>").contains("Latest News"));

        // A refused change (bad CSRF token) changes nothing and keeps the cache.
        let r = admin.post("/admin/plugins/hello-widget/disable", &[("csrf_token", "wrong")]);
        assert_eq!(r.status, 403);
        let page = get(&path);
        assert_eq!(cache_of(&page), "hit");
        assert!(page.body.contains(HELLO));

        // (a) Disabled: gone at the very next request, and it stays gone.
        let r = post_with_csrf(admin, "/admin/plugins", "/admin/plugins/hello-widget/disable", &[]);
        assert_eq!(r.status, 303, "{}", r.snippet());
        let page = get(&path);
        assert!(!page.body.contains(HELLO), "disabled widget still on the cached page: {}", page.snippet());
        assert_eq!(cache_of(&page), "miss");
        let page = get(&path);
        assert_eq!(cache_of(&page), "hit");
        assert!(!page.body.contains(HELLO));

        // (b) Enabled again: back at the very next request.
        let r = post_with_csrf(admin, "/admin/plugins", "/admin/plugins/hello-widget/enable", &[]);
        assert_eq!(r.status, 303, "{}", r.snippet());
        let page = get(&path);
        assert!(page.body.contains(HELLO), "enabled widget missing from the cached page: {}", page.snippet());
        assert_eq!(cache_of(&get(&path)), "hit");

        // (c) New settings: applied at the very next request.
        let r = post_with_csrf(
            admin,
            "/admin/plugins/hello-widget",
            "/admin/plugins/hello-widget",
            &[("setting_greeting", "Good morning, cached reader")],
        );
        assert_eq!(r.status, 303, "{}", r.snippet());
        let page = get(&path);
        assert!(page.body.contains("Good morning, cached reader"), "{}", page.snippet());
        assert!(!page.body.contains(HELLO));
        let page = get(&path);
        assert_eq!(cache_of(&page), "hit");
        assert!(page.body.contains("Good morning, cached reader"));

        // The same for the other widget, on the cached home page and article page.
        let r = post_with_csrf(
            admin,
            "/admin/plugins/latest-news",
            "/admin/plugins/latest-news",
            &[("setting_title", "Fresh Off The Press"), ("setting_count", "5")],
        );
        assert_eq!(r.status, 303, "{}", r.snippet());
        let home = get("/");
        let side = between(&home.body, "data-slot=\"home_sidebar\"", "</aside>");
        assert!(side.contains("Fresh Off The Press") && !side.contains("Latest News"), "{side}");
        assert!(get(&path).body.contains("Fresh Off The Press"));
        let r = post_with_csrf(admin, "/admin/plugins", "/admin/plugins/latest-news/disable", &[]);
        assert_eq!(r.status, 303, "{}", r.snippet());
        assert!(!get("/").body.contains("Fresh Off The Press"));
        let page = get(&path);
        assert!(!page.body.contains("Fresh Off The Press") && page.body.contains("Good morning, cached reader"));
    }

    /// Widgets render in their slots, disappear when their plugin is disabled
    /// (no restart) and come back when enabled; settings round-trip with
    /// validation; only administrators manage plugins; CSRF is checked.
    fn widgets_slots_enable_disable_and_settings(db: TestDb) {
        let app = PluginApp::start(db, &["view_counter", "latest_news", "related_news", "hello_widget"]);
        let admin = app.setup_admin();
        let admin_user = app.admin();
        let (older, linked, main) = app.db().with(|c| {
            let cat = categories::create(c, &admin_user, CategoryInput { name: "City".into(), ..Default::default() })
                .expect("category");
            let older = fixtures::create(
                c,
                &admin_user,
                ArticleInput { category_id: Some(cat.id), ..fixtures::article("Older city story") },
                SaveAction::Publish,
            );
            let linked = fixtures::published(c, &admin_user, "Linked elsewhere story");
            let main = fixtures::create(
                c,
                &admin_user,
                ArticleInput {
                    category_id: Some(cat.id),
                    links: vec![fixtures::internal_link(linked.id)],
                    ..fixtures::article("Main city story")
                },
                SaveAction::Publish,
            );
            (older, linked, main)
        });
        let path = format!("/articles/{}", main.slug);
        let reader = app.new_browser();
        let page = reader.get(&path);
        assert_eq!(page.status, 200);
        let after = between(&page.body, "data-slot=\"after_article\"", "data-slot=\"sidebar\"");
        let sidebar = between(&page.body, "data-slot=\"sidebar\"", "</aside>");
        // Related News below the article: the curated link first, then the same category.
        assert!(after.contains("data-plugin=\"related-news\""), "{}", page.snippet());
        assert!(after.contains("Related News"));
        let (l, o) = (after.find(&linked.title), after.find(&older.title));
        assert!(l.is_some() && o.is_some() && l < o, "curated link first: {after}");
        assert!(after.contains("data-plugin=\"view-counter\"") && after.contains("0 views"));
        // The sidebar: Latest News (without the article being read) and the greeting.
        assert!(sidebar.contains("Latest News") && sidebar.contains(&older.title), "{sidebar}");
        assert!(!sidebar.contains(&format!(">{}<", main.title)));
        assert!(sidebar.contains("Hello from a plugin!"));
        assert!(!after.contains("Hello from a plugin!"));
        // The home sidebar has Latest News but not the article-only greeting.
        let home = reader.get("/");
        let home_side = between(&home.body, "data-slot=\"home_sidebar\"", "</aside>");
        assert!(home_side.contains("Latest News") && !home.body.contains("hello-widget"));

        // Only administrators; CSRF on every POST.
        let (editor, _) = (app.db().with(|c| fixtures::user(c, Role::Editor)), ());
        let ed = app.login(&editor.email);
        assert_eq!(ed.get("/admin/plugins").status, 403);
        assert_eq!(ed.get("/admin/plugins/hello-widget").status, 403);
        let r = admin.post("/admin/plugins/hello-widget/disable", &[("csrf_token", "wrong")]);
        assert_eq!(r.status, 403);
        assert_eq!(app.admin_status(admin, "hello-widget").expect("row").0, "enabled");

        // Disable: gone at once, no restart; enable: back.
        let r = post_with_csrf(admin, "/admin/plugins", "/admin/plugins/hello-widget/disable", &[]);
        assert_eq!(r.status, 303, "{}", r.snippet());
        assert_eq!(app.admin_status(admin, "hello-widget").expect("row").0, "disabled");
        assert!(!reader.get(&path).body.contains("Hello from a plugin!"));
        let r = post_with_csrf(admin, "/admin/plugins", "/admin/plugins/hello-widget/enable", &[]);
        assert_eq!(r.status, 303);
        assert!(reader.get(&path).body.contains("Hello from a plugin!"));

        // Settings: a bad value is refused next to its field, input kept; a good one applies at once.
        let long = "x".repeat(101);
        let r = post_with_csrf(admin, "/admin/plugins/hello-widget", "/admin/plugins/hello-widget", &[("setting_greeting", long.as_str())]);
        assert_eq!(r.status, 422, "{}", r.snippet());
        assert!(r.body.contains("Use at most 100 characters"));
        assert!(r.body.contains(&long));
        let r = post_with_csrf(admin, "/admin/plugins/hello-widget", "/admin/plugins/hello-widget", &[("setting_greeting", "Welcome, <reader>!")]);
        assert_eq!(r.status, 303, "{}", r.snippet());
        let form = admin.get("/admin/plugins/hello-widget");
        assert!(form.body.contains("value=\"Welcome, &lt;reader&gt;!\"") || form.body.contains("Welcome, &#60;reader&#62;!"), "{}", form.snippet());
        let page = reader.get(&path).body;
        assert!(page.contains("Welcome, &lt;reader&gt;!") && !page.contains("<reader>"));
        let stored = app.db().with(cms_core::plugins::states).expect("states");
        let s = stored.iter().find(|s| s.name == "hello-widget").expect("stored state");
        assert!(s.settings.contains("Welcome, <reader>!"));

        // Another node disables a plugin in the shared database: this node follows within seconds.
        app.db().with(|c| cms_core::plugins::set_enabled(c, "latest-news", false)).expect("disable");
        eventually(Duration::from_secs(15), "latest-news to disappear", || {
            (!reader.get(&path).body.contains("Latest News")).then_some(())
        });
    }

    /// A panicking plugin and files that are not (compatible) plugins never
    /// take the site down, and the admin page says what happened to each.
    fn faulty_plugins_are_contained(db: TestDb) {
        let dir = plugins_dir_with(&["panicky", "wrong_abi", "not_a_plugin", "latest_news"]);
        std::fs::write(dir.join(format!("libgarbage{}", std::env::consts::DLL_SUFFIX)), b"not a library").expect("write");
        let app = PluginApp::start_with_dir(db, dir);
        let admin = app.setup_admin();
        let article = app.db().with(|c| fixtures::published(c, &app.admin(), "Sturdy story"));
        let path = format!("/articles/{}", article.slug);

        let wrong = app.admin_status(admin, "libwrong_abi.so").expect("wrong-abi row");
        assert_eq!(wrong.0, "refused");
        assert!(wrong.1.contains("ABI version 999") && wrong.1.contains("ABI version 1"), "{}", wrong.1);
        let not = app.admin_status(admin, "libnot_a_plugin.so").expect("not-a-plugin row");
        assert_eq!(not.0, "refused");
        assert!(not.1.contains("not a Gazette plugin"), "{}", not.1);
        let garbage = app.admin_status(admin, "libgarbage.so").expect("garbage row");
        assert_eq!(garbage.0, "refused");
        assert!(garbage.1.contains("not a loadable shared library"), "{}", garbage.1);
        assert_eq!(app.admin_status(admin, "panicky").expect("panicky row").0, "enabled");

        let reader = app.new_browser();
        for _ in 0..4 {
            let page = reader.get_with(&path, &[("User-Agent", BROWSER_UA)]);
            assert_eq!(page.status, 200, "{}", page.snippet());
            assert!(page.body.contains("Latest News") || page.body.contains("Sturdy story"));
            assert!(!page.body.contains("data-plugin=\"panicky\""));
            assert_eq!(reader.get("/").status, 200);
        }
        let failed = eventually(Duration::from_secs(10), "panicky to be disabled", || {
            let s = app.admin_status(admin, "panicky")?;
            (s.0 == "failed").then_some(s)
        });
        assert!(failed.1.contains("consecutive failures") && failed.1.contains("panicked"), "{}", failed.1);
        let stored = app.db().with(cms_core::plugins::states).expect("states");
        let p = stored.iter().find(|s| s.name == "panicky").expect("stored");
        assert!(!p.enabled && p.failure_reason.as_deref().is_some_and(|r| r.contains("panicked")));

        // An administrator may try again; the site still answers.
        let r = post_with_csrf(admin, "/admin/plugins", "/admin/plugins/panicky/enable", &[]);
        assert_eq!(r.status, 303);
        assert_eq!(app.admin_status(admin, "panicky").expect("row").0, "enabled");
        assert_eq!(reader.get(&path).status, 200);
    }

    /// A plugin whose hook does not return is disabled once a call has run
    /// for `plugin_hang_ms`, on every node; the page waiting on it answers
    /// when the call ends, and pages rendered meanwhile no longer call it.
    fn hung_plugins_are_disabled(db: TestDb) {
        let dir = plugins_dir_with(&["panicky", "latest_news"]);
        let app = PluginApp::start_with_dir_and(db, dir, |c| c.plugin_hang_ms = 300);
        let admin = app.setup_admin();
        let hung = app.db().with(|c| fixtures::published(c, &app.admin(), "Hang on"));
        let steady = app.db().with(|c| fixtures::published(c, &app.admin(), "Steady report"));
        assert!(hung.slug.contains("hang"), "{}", hung.slug);
        let reader = app.new_browser();
        std::thread::scope(|s| {
            let waiting = s.spawn(|| reader.get(&format!("/articles/{}", hung.slug)));
            let failed = eventually(Duration::from_secs(10), "panicky to be disabled as hung", || {
                let s = app.admin_status(admin, "panicky")?;
                (s.0 == "failed").then_some(s)
            });
            assert!(failed.1.contains("widget call has not returned"), "{}", failed.1);
            // Rendered while the hung call is still running: panicky is not called.
            let started = std::time::Instant::now();
            let page = app.new_browser().get(&format!("/articles/{}", steady.slug));
            assert_eq!(page.status, 200, "{}", page.snippet());
            assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
            let stored = app.db().with(cms_core::plugins::states).expect("states");
            let p = stored.iter().find(|s| s.name == "panicky").expect("stored");
            assert!(!p.enabled, "stored for every node");
            // The page that waited answers once the plugin's call returns.
            let r = waiting.join().expect("the waiting request");
            assert_eq!(r.status, 200, "{}", r.snippet());
        });
    }

    /// `article_before_save` can reject (message in the form, nothing saved)
    /// or amend; `article_after_publish` and `article_after_delete` observe.
    fn lifecycle_hooks(db: TestDb) {
        let app = PluginApp::start(db, &["gatekeeper"]);
        let admin = app.setup_admin();
        let count = |app: &PluginApp| -> i64 {
            use diesel::prelude::*;
            app.db().with(|c| cms_core::schema::articles::table.count().get_result(c)).expect("count")
        };
        let before = count(&app);
        let r = admin.create_article(&ArticleForm::new("Breaking [reject] news").section("", "Body text."), "save");
        assert_eq!(r.status, 422, "{}", r.snippet());
        assert!(r.body.contains("Gatekeeper: titles may not contain [reject]."), "{}", r.snippet());
        assert!(r.body.contains("Breaking [reject] news"), "the input is kept");
        assert_eq!(count(&app), before, "nothing was saved");
        let listed = admin.get("/admin/articles?q=Breaking");
        assert!(!listed.body.contains("Breaking [reject] news"));

        let id = admin.create_article_ok(&ArticleForm::new("Calm [amend] story").section("", "Body text."), "publish");
        let stored = app.db().with(|c| cms_core::articles::find(c, id)).expect("article");
        assert_eq!(stored.title, "Calm story");
        app.settle();
        let kv = |key: &str| app.db().with(|c| cms_core::plugins::kv_get(c, "gatekeeper", key)).expect("kv");
        assert_eq!(kv("last_published").as_deref(), Some(id.to_string().as_str()));

        let csrf = admin.csrf(&format!("/admin/articles/{id}/delete"));
        let r = admin.post(&format!("/admin/articles/{id}/delete"), &[("csrf_token", csrf.as_str())]);
        assert_eq!(r.status, 303, "{}", r.snippet());
        app.settle();
        assert_eq!(kv("last_deleted").as_deref(), Some(id.to_string().as_str()));
    }
}

/// What `gazette plugin list` reports, without a server: shipped plugins load,
/// the wrong-ABI and non-plugin libraries are refused with their reasons.
#[test]
fn inspect_reports_what_would_load() {
    let dir = plugins_dir_with(&[
        "view_counter",
        "latest_news",
        "related_news",
        "popular",
        "wrong_abi",
        "not_a_plugin",
    ]);
    let found = cms_web::plugins::inspect(&dir);
    let names: Vec<String> = found
        .iter()
        .filter_map(|i| i.result.as_ref().ok().map(|m| m.name.clone()))
        .collect();
    assert_eq!(
        names,
        ["latest-news", "popular", "related-news", "view-counter"]
    );
    let refused: Vec<String> = found
        .iter()
        .filter_map(|i| i.result.as_ref().err().map(|r| r.reason.clone()))
        .collect();
    assert_eq!(refused.len(), 2);
    assert!(refused.iter().any(|r| r.contains("999")));
    assert!(refused.iter().any(|r| r.contains("not a Gazette plugin")));
    let _ = std::fs::remove_dir_all(dir);
    // The shipped set sits next to the binary after any build of cms-web.
    assert!(built_plugin("view_counter").exists());
    let csrf = csrf_from("<input name=\"csrf_token\" value=\"x\">");
    assert_eq!(csrf.as_deref(), Some("x"));
}
