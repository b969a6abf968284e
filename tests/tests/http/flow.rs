use cms_core::articles::Status;
use cms_core::categories;

use super::*;

http_test! {
    /// The whole happy path: setup → login → write → publish → read.
    fn setup_login_write_publish_read(app: &TestApp) {
        app.setup_admin();
        let r = app.browser.get("/admin");
        assert_eq!(r.status, 200, "{}", r.snippet());

        // Log out, then in again with the password chosen at setup.
        let csrf = app.browser.csrf("/admin");
        let r = app.browser.post("/admin/logout", &[("csrf_token", csrf.as_str())]);
        assert_eq!(r.status, 303, "{}", r.snippet());
        assert_eq!(app.browser.get("/admin").status, 303, "logged out");
        let admin = app.login(ADMIN_EMAIL, PASSWORD);

        // A category.
        let csrf = admin.csrf("/admin/categories/new");
        let r = admin.post(
            "/admin/categories/new",
            &[("csrf_token", csrf.as_str()), ("name", "City Hall"), ("slug", "city-hall"), ("description", "Local politics.")],
        );
        assert_eq!(r.status, 303, "create category: {}", r.snippet());
        let cat = app
            .with_db(|c| categories::find_by_slug(c, "city-hall"))
            .expect("query")
            .expect("category created");

        // An earlier story to link to.
        let earlier = admin.create_article_ok(&ArticleForm::new("Earlier: the budget debate"), "publish");

        // The article: three headed sections, an internal and an external link.
        let form = ArticleForm {
            standfirst: "Councillors approved the plan after a long night.".into(),
            category_id: cat.id.to_string(),
            ..ArticleForm::titled("Budget vote passes")
        }
        .section("", "Councillors voted **late** on Tuesday.")
        .section("The vote", "It passed seven to four.")
        .section("What happens next", "Work starts in the spring.")
        .link_to(earlier)
        .link_url("https://example.org/report.pdf", "The full report");
        let id = admin.create_article_ok(&form, "save");
        let stored = app.article(id).expect("saved");
        assert_eq!(stored.status(), Status::Draft);
        assert_eq!(stored.slug, "budget-vote-passes");
        assert_eq!(app.browser.get("/articles/budget-vote-passes").status, 404, "a draft is not public");

        let r = admin.edit_article(id, &form, "publish");
        assert_eq!(r.status, 303, "publish: {}", r.snippet());
        assert_eq!(r.location(), Some(format!("/admin/articles/{id}/edit").as_str()));
        assert_eq!(app.article(id).expect("article").status(), Status::Published);

        // What a visitor sees.
        let visitor = app.new_browser();
        let page = visitor.get("/articles/budget-vote-passes");
        assert_eq!(page.status, 200, "{}", page.snippet());
        assert!(page.body.contains("Budget vote passes"));
        assert!(page.body.contains("Councillors approved the plan"));
        assert!(
            page.contains_in_order(&[
                "Councillors voted <strong>late</strong> on Tuesday.",
                "The vote",
                "It passed seven to four.",
                "What happens next",
                "Work starts in the spring.",
            ]),
            "sections out of order or missing: {}",
            page.snippet()
        );
        assert!(page.body.contains("id=\"the-vote\""), "section anchors");
        assert!(page.body.contains("/articles/earlier-the-budget-debate"), "internal link");
        assert!(page.body.contains("Earlier: the budget debate"));
        assert!(page.body.contains("https://example.org/report.pdf"), "external link");
        assert!(page.body.contains("The full report"));
        assert!(page.contains_in_order(&["Earlier: the budget debate", "The full report"]), "links in order");

        // Listings.
        for path in ["/", "/category/city-hall", "/author/ada-admin"] {
            let r = visitor.get(path);
            assert_eq!(r.status, 200, "GET {path}: {}", r.snippet());
            assert!(r.body.contains("Budget vote passes"), "{path} should list the article");
        }
        let r = visitor.get("/category/city-hall");
        assert!(!r.body.contains("Earlier: the budget debate"), "only the category's articles");

        // The admin list finds it.
        let r = admin.get("/admin/articles?q=BUDGET+VOTE&status=published");
        assert_eq!(r.status, 200, "{}", r.snippet());
        assert!(r.body.contains("Budget vote passes"));

        // Deleting: a confirm page, then gone.
        let confirm = admin.get(&format!("/admin/articles/{id}/delete"));
        assert_eq!(confirm.status, 200, "{}", confirm.snippet());
        let csrf = csrf_from(&confirm.body).expect("csrf on the delete page");
        let r = admin.post(&format!("/admin/articles/{id}/delete"), &[("csrf_token", csrf.as_str())]);
        assert_eq!(r.status, 303, "{}", r.snippet());
        assert_eq!(r.location(), Some("/admin/articles"));
        assert!(app.article(id).is_none());
        assert_eq!(visitor.get("/articles/budget-vote-passes").status, 404);
    }
}
