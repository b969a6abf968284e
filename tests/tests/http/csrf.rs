use cms_core::articles::Status;
use cms_core::roles::Role;

use super::*;

/// Every request here must be refused with 403 and change nothing.
fn refused(r: Response, what: &str) {
    assert_eq!(r.status, 403, "{what}: {}", r.snippet());
}

http_test! {
    fn missing_or_wrong_token_is_refused(app: &TestApp) {
        let admin = app.setup_admin();
        let id = admin.create_article_ok(&ArticleForm::new("Protected story"), "publish");
        let before = app.article(id).expect("article");
        let (_, other) = app.create_user(Role::Editor);
        let others_token = other.session_csrf();

        let form = ArticleForm { version: Some(before.version), ..ArticleForm::new("Forged title") };
        let edit = format!("/admin/articles/{id}/edit");
        for (label, token) in [("missing", None), ("empty", Some(String::new())), ("wrong", Some("A".repeat(43))), ("another session's", Some(others_token.clone()))] {
            let strip = |mut pairs: Vec<(String, String)>| {
                if token.is_none() {
                    pairs.retain(|(k, _)| k != "csrf_token");
                }
                pairs
            };
            let t = token.clone().unwrap_or_default();
            refused(admin.post("/admin/articles/new", &strip(ArticleForm::new("Forged new").pairs(&t, "publish"))), &format!("{label} token, new article"));
            refused(admin.post(&edit, &strip(form.pairs(&t, "save"))), &format!("{label} token, edit"));
            refused(admin.post(&edit, &strip(form.pairs(&t, "archive"))), &format!("{label} token, archive"));
            let del: Vec<(String, String)> = strip(vec![("csrf_token".into(), t.clone())]);
            refused(admin.post(&format!("/admin/articles/{id}/delete"), &del), &format!("{label} token, delete"));
            refused(admin.post("/admin/logout", &del), &format!("{label} token, logout"));
            refused(
                admin.post("/admin/categories/new", &strip(vec![("csrf_token".into(), t.clone()), ("name".into(), "Forged".into()), ("slug".into(), "forged".into()), ("description".into(), String::new())])),
                &format!("{label} token, category"),
            );
        }
        let after = app.article(id).expect("not deleted");
        assert_eq!(after.title, "Protected story");
        assert_eq!(after.version, before.version);
        assert_eq!(after.status(), Status::Published);
        assert_eq!(app.article_count(), 1);
        assert!(app.with_db(|c| cms_core::categories::find_by_slug(c, "forged")).expect("q").is_none());
        assert_eq!(admin.get("/admin").status, 200, "still logged in");

        // The 403 page explains itself.
        let r = admin.post("/admin/articles/new", &ArticleForm::new("x").pairs("nope", "save"));
        assert!(r.body.contains("security token"), "{}", r.snippet());
    }

    fn login_form_needs_its_token(app: &TestApp) {
        app.setup_admin();
        let b = app.new_browser();
        // No cookie, no token.
        let r = b.post("/admin/login", &[("email", ADMIN_EMAIL), ("password", PASSWORD), ("next", "/admin")]);
        assert_eq!(r.status, 403, "{}", r.snippet());
        // Cookie but a token that does not match it.
        b.get("/admin/login");
        let r = b.post("/admin/login", &[("csrf_token", "B".repeat(43).as_str()), ("email", ADMIN_EMAIL), ("password", PASSWORD), ("next", "/admin")]);
        assert_eq!(r.status, 403, "{}", r.snippet());
        assert!(!r.set_cookie_names().iter().any(|c| c == "gazette_session"));
        assert_eq!(b.get("/admin").status, 303);
    }
}
