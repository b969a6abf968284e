use super::*;

http_test! {
    fn setup_is_offered_once(app: &TestApp) {
        // Before setup, login sends you to setup.
        let r = app.browser.get("/admin/login");
        assert_eq!(r.status, 303);
        assert_eq!(r.location(), Some("/admin/setup"));

        // A bad form: 422, nothing created.
        let csrf = app.browser.csrf("/admin/setup");
        let r = app.browser.post(
            "/admin/setup",
            &[("csrf_token", csrf.as_str()), ("site_title", "T"), ("name", "N"), ("email", "e@example.com"),
              ("password", PASSWORD), ("password_confirm", "something else entirely")],
        );
        assert_eq!(r.status, 422, "{}", r.snippet());
        assert!(r.body.contains("do not match"), "{}", r.snippet());
        assert_eq!(app.with_db(cms_core::users::count_login_capable).expect("count"), 0);

        app.setup_admin();
        let stranger = app.new_browser();
        assert_eq!(stranger.get("/admin/setup").status, 404);
        let csrf = stranger.csrf("/admin/login");
        let r = stranger.post(
            "/admin/setup",
            &[("csrf_token", csrf.as_str()), ("site_title", "Mine now"), ("name", "Mallory"), ("email", "mallory@example.com"),
              ("password", PASSWORD), ("password_confirm", PASSWORD)],
        );
        assert_eq!(r.status, 404, "{}", r.snippet());
        assert!(cms_core::users::find_by_email(&mut app.db.conn(), "mallory@example.com").expect("q").is_none());
        assert_eq!(app.browser.get("/admin/setup").status, 404, "not for the admin either");
    }

    fn anonymous_admin_requests_go_to_login(app: &TestApp) {
        app.setup_admin();
        let anon = app.new_browser();
        for path in ["/admin", "/admin/articles", "/admin/articles/new", "/admin/articles?status=draft", "/admin/users", "/admin/settings", "/admin/categories/new"] {
            let r = anon.get(path);
            assert_eq!(r.status, 303, "GET {path}: {}", r.snippet());
            let expected = format!("/admin/login?next={}", gazette_tests::urlencode(path));
            assert_eq!(r.location(), Some(expected.as_str()), "GET {path}");
        }
        let r = anon.post("/admin/articles/new", &ArticleForm::new("Anonymous").pairs("x", "save"));
        assert_eq!(r.status, 303);
        assert!(r.location().is_some_and(|l| l.starts_with("/admin/login")), "{:?}", r.location());
        assert_eq!(app.article_count(), 0);

        // Logging in returns to where you were going.
        let b = app.new_browser();
        let r = b.try_login(ADMIN_EMAIL, PASSWORD, "/admin/articles?status=draft");
        assert_eq!(r.status, 303, "{}", r.snippet());
        assert_eq!(r.location(), Some("/admin/articles?status=draft"));
        // …but never to another site.
        let b = app.new_browser();
        let r = b.try_login(ADMIN_EMAIL, PASSWORD, "//evil.example/");
        assert_eq!(r.location(), Some("/admin"));
    }

    fn wrong_password_then_throttled(app: &TestApp) {
        app.setup_admin();
        let b = app.new_browser();
        for i in 0..5 {
            let r = b.try_login(ADMIN_EMAIL, "not the password", "/admin");
            assert_eq!(r.status, 401, "attempt {i}: {}", r.snippet());
            assert!(r.body.contains("do not match"), "attempt {i}: {}", r.snippet());
            assert!(!r.set_cookie_names().iter().any(|c| c == "gazette_session"));
        }
        // Even the right password is refused now.
        let r = b.try_login(ADMIN_EMAIL, PASSWORD, "/admin");
        assert_eq!(r.status, 429, "{}", r.snippet());
        assert!(r.body.contains("Too many"), "{}", r.snippet());
        assert!(!r.set_cookie_names().iter().any(|c| c == "gazette_session"));
        assert_eq!(b.get("/admin").status, 303, "not logged in");
        // Unknown accounts fail the same way and count too (per address).
        let r = app.new_browser().try_login("nobody@example.com", "whatever password", "/admin");
        assert_eq!(r.status, 429, "{}", r.snippet());
    }

    fn logout_ends_the_session(app: &TestApp) {
        app.setup_admin();
        let b = app.login(ADMIN_EMAIL, PASSWORD);
        assert_eq!(b.get("/admin").status, 200);
        let csrf = b.csrf("/admin");
        let r = b.post("/admin/logout", &[("csrf_token", csrf.as_str())]);
        assert_eq!(r.status, 303);
        assert_eq!(r.location(), Some("/admin/login"));
        assert_eq!(b.get("/admin").status, 303);
        // The other session (setup's) is untouched.
        assert_eq!(app.browser.get("/admin").status, 200);
    }
}
