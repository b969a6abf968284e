use super::*;

fn assert_security_headers(r: &Response, what: &str) {
    let csp = r
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no Content-Security-Policy"));
    assert!(
        csp.contains("frame-ancestors"),
        "{what}: CSP without frame-ancestors: {csp}"
    );
    assert!(csp.contains("default-src"), "{what}: {csp}");
    assert!(
        !csp.contains("'unsafe-inline'") || csp.contains("nonce-"),
        "{what}: {csp}"
    );
    assert_eq!(
        r.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert!(
        r.header("referrer-policy").is_some(),
        "{what}: no Referrer-Policy"
    );
}

http_test! {
    fn every_response_has_security_headers(app: &TestApp) {
        let anon = app.new_browser();
        assert_security_headers(&anon.get("/admin/setup"), "setup page");
        let admin = app.setup_admin();
        let id = admin.create_article_ok(&ArticleForm::new("Headers"), "publish");
        let checks: Vec<(&str, Response)> = vec![
            ("home", anon.get("/")),
            ("article", anon.get("/articles/headers")),
            ("404", anon.get("/nope")),
            ("login", anon.get("/admin/login")),
            ("login redirect", anon.get("/admin/articles")),
            ("admin page", admin.get("/admin")),
            ("editor", admin.get(&format!("/admin/articles/{id}/edit"))),
            ("csrf 403", admin.post("/admin/articles/new", &[("csrf_token", "bad")])),
            ("304", {
                let etag = anon.get("/").header("etag").map(str::to_owned).unwrap_or_default();
                anon.get_with("/", &[("if-none-match", etag.as_str())])
            }),
        ];
        for (what, r) in &checks {
            assert_security_headers(r, what);
        }
        let admin_page = admin.get("/admin");
        assert!(admin_page.header("cache-control").is_some_and(|c| c.contains("no-store")), "admin pages are not cached");
    }

    fn public_pages_answer_304(app: &TestApp) {
        let admin = app.setup_admin();
        admin.create_article_ok(&ArticleForm::new("Cache me"), "publish");
        let visitor = app.new_browser();
        for path in ["/", "/articles/cache-me", "/author/ada-admin"] {
            let first = visitor.get(path);
            assert_eq!(first.status, 200, "{path}: {}", first.snippet());
            let etag = first.header("etag").unwrap_or_else(|| panic!("{path}: no ETag")).to_owned();
            let again = visitor.get_with(path, &[("if-none-match", etag.as_str())]);
            assert_eq!(again.status, 304, "{path}");
            assert!(again.body.is_empty());
            assert_eq!(again.header("etag"), Some(etag.as_str()));
            let other = visitor.get_with(path, &[("if-none-match", "\"something-else\"")]);
            assert_eq!(other.status, 200, "{path}");
        }
        // An edit changes the page, so the old ETag no longer matches.
        let etag = visitor.get("/articles/cache-me").header("etag").expect("etag").to_owned();
        let id = app.with_db(|c| cms_core::articles::public::by_slug(c, "cache-me")).expect("q").expect("public").article.id;
        let r = admin.edit_article(id, &ArticleForm::titled("Cache me").section("", "New text."), "save");
        assert_eq!(r.status, 303, "{}", r.snippet());
        let r = visitor.get_with("/articles/cache-me", &[("if-none-match", etag.as_str())]);
        assert_eq!(r.status, 200);
        assert!(r.body.contains("New text."));
    }
}
