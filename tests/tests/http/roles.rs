use cms_core::articles::Status;
use cms_core::roles::Role;

use super::*;

http_test! {
    fn contributor_cannot_publish(app: &TestApp) {
        app.setup_admin();
        let (_, contributor) = app.create_user(Role::Contributor);
        // Publishing straight away: refused, nothing created.
        let r = contributor.create_article(&ArticleForm::new("Eager contributor"), "publish");
        assert_eq!(r.status, 403, "{}", r.snippet());
        assert_eq!(app.article_count(), 0);
        // A draft is fine…
        let id = contributor.create_article_ok(&ArticleForm::new("Patient contributor"), "save");
        // …publishing or scheduling it is not.
        for action in ["publish", "schedule"] {
            let form = ArticleForm {
                published_at: datetime_field(cms_core::time::now() + chrono::Duration::hours(2)),
                ..ArticleForm::new("Patient contributor")
            };
            let r = contributor.edit_article(id, &form, action);
            assert_eq!(r.status, 403, "{action}: {}", r.snippet());
        }
        let a = app.article(id).expect("article");
        assert_eq!(a.status(), Status::Draft);
        assert_eq!(a.version, 1);
        assert_eq!(app.new_browser().get(&format!("/articles/{}", a.slug)).status, 404);

        // Once an editor has published it, the contributor can no longer change it.
        let (_, editor) = app.create_user(Role::Editor);
        let r = editor.edit_article(id, &ArticleForm::new("Patient contributor"), "publish");
        assert_eq!(r.status, 303, "{}", r.snippet());
        let version = app.article(id).expect("article").version;
        let form = ArticleForm { version: Some(version), ..ArticleForm::new("Changed after publication") };
        let r = contributor.edit_article_raw(id, &form, "save");
        assert_eq!(r.status, 403, "{}", r.snippet());
        assert_eq!(app.article(id).expect("article").title, "Patient contributor");
    }

    fn authors_cannot_touch_others_articles(app: &TestApp) {
        app.setup_admin();
        let (_, alice) = app.create_user(Role::Author);
        let (_, bob) = app.create_user(Role::Author);
        let id = alice.create_article_ok(&ArticleForm::new("Alice's scoop"), "publish");
        let before = app.article(id).expect("article");

        let edit = format!("/admin/articles/{id}/edit");
        let delete = format!("/admin/articles/{id}/delete");
        assert_eq!(bob.get(&edit).status, 403);
        assert_eq!(bob.get(&delete).status, 403);
        let csrf = bob.session_csrf();
        let form = ArticleForm { version: Some(before.version), ..ArticleForm::new("Bob was here") };
        let r = bob.post(&edit, &form.pairs(&csrf, "save"));
        assert_eq!(r.status, 403, "{}", r.snippet());
        let r = bob.post(&edit, &form.pairs(&csrf, "unpublish"));
        assert_eq!(r.status, 403, "{}", r.snippet());
        let r = bob.post(&delete, &[("csrf_token", csrf.as_str())]);
        assert_eq!(r.status, 403, "{}", r.snippet());

        let after = app.article(id).expect("still there");
        assert_eq!(after.title, "Alice's scoop");
        assert_eq!(after.version, before.version);
        assert_eq!(after.status(), Status::Published);
        // Bob does not even see it in his list.
        let list = bob.get("/admin/articles");
        assert_eq!(list.status, 200);
        assert!(!list.body.contains("Alice&#39;s scoop") && !list.body.contains("Alice's scoop"));
        // Alice herself may edit it.
        let r = alice.edit_article(id, &ArticleForm::new("Alice's scoop, updated"), "save");
        assert_eq!(r.status, 303, "{}", r.snippet());
    }

    fn admin_pages_are_for_admins(app: &TestApp) {
        let admin = app.setup_admin();
        for path in ["/admin/users", "/admin/settings"] {
            let r = admin.get(path);
            assert_eq!(r.status, 200, "admin GET {path}: {}", r.snippet());
        }
        for role in [Role::Editor, Role::Author, Role::Contributor] {
            let (_, b) = app.create_user(role);
            assert_eq!(b.get("/admin").status, 200, "{role} dashboard");
            for path in ["/admin/users", "/admin/settings"] {
                let r = b.get(path);
                assert_eq!(r.status, 403, "{role} GET {path}: {}", r.snippet());
            }
            // Not by POST either.
            let csrf = b.csrf("/admin");
            let r = b.post("/admin/settings", &[("csrf_token", csrf.as_str()), ("title", "Hijacked"), ("description", ""),
                ("base_url", "http://127.0.0.1:8080"), ("timezone", "UTC"), ("per_page", "10")]);
            assert_eq!(r.status, 403, "{role} POST /admin/settings: {}", r.snippet());
        }
        let title = app.with_db(cms_core::settings::load).expect("settings").title;
        assert_ne!(title, "Hijacked");
        // Categories: editors yes, authors no.
        let (_, editor) = app.create_user(Role::Editor);
        assert_eq!(editor.get("/admin/categories/new").status, 200);
        let (_, author) = app.create_user(Role::Author);
        assert_eq!(author.get("/admin/categories/new").status, 403);
    }
}
