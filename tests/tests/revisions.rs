//! Article history over HTTP: the history page, comparing revisions, restoring
//! one (CSRF and roles included), and the "keep revisions" setting. Each test
//! runs on SQLite and, with `GAZETTE_TEST_POSTGRES_URL`, on PostgreSQL.

use cms_core::articles::Status;
use cms_core::roles::Role;
use gazette_tests::{
    csrf_from, http_test, input_value, live_script, ArticleForm, Browser, TestApp, ADMIN_NAME,
};

/// Posts the restore button of revision `n` as found on the history page.
fn restore(b: &Browser, id: i32, n: i32) -> gazette_tests::Response {
    let page = b.get(&format!("/admin/articles/{id}/revisions"));
    assert_eq!(page.status, 200, "{}", page.snippet());
    let csrf = csrf_from(&page.body).expect("csrf on the history page");
    let version = input_value(&page.body, "version").expect("version on the history page");
    b.post(
        &format!("/admin/articles/{id}/revisions/{n}/restore"),
        &[("csrf_token", csrf.as_str()), ("version", version.as_str())],
    )
}

http_test! {
    fn history_lists_every_save(app: &TestApp) {
        let admin = app.setup_admin();
        let id = admin.create_article_ok(&ArticleForm::new("First headline"), "save");
        let r = admin.edit_article(id, &ArticleForm::new("Second headline"), "save");
        assert_eq!(r.status, 303, "{}", r.snippet());
        let r = admin.edit_article(id, &ArticleForm::new("Second headline").section("More", "Another part."), "publish");
        assert_eq!(r.status, 303, "{}", r.snippet());

        let editor = admin.get(&format!("/admin/articles/{id}/edit"));
        assert!(editor.body.contains(&format!("href=\"/admin/articles/{id}/revisions\"")), "{}", editor.snippet());
        assert!(editor.body.contains("History (3 revisions)"), "{}", editor.snippet());

        let page = admin.get(&format!("/admin/articles/{id}/revisions"));
        assert_eq!(page.status, 200, "{}", page.snippet());
        assert!(
            page.contains_in_order(&["Revision 3", "Published; added 1 section", "Revision 2", "Edited title", "Revision 1", "Created"]),
            "newest first: {}",
            page.snippet()
        );
        assert!(page.body.contains(ADMIN_NAME));
        assert!(page.body.contains("status-published") && page.body.contains("status-draft"));

        // One revision on its own shows its content.
        let r1 = admin.get(&format!("/admin/articles/{id}/revisions/1"));
        assert_eq!(r1.status, 200, "{}", r1.snippet());
        assert!(r1.body.contains("First headline") && r1.body.contains("The story of First headline."), "{}", r1.snippet());
        assert_eq!(admin.get(&format!("/admin/articles/{id}/revisions/9")).status, 404);
        assert_eq!(admin.get("/admin/articles/999999/revisions").status, 404);
    }

    fn compare_marks_removed_and_added_lines(app: &TestApp) {
        let admin = app.setup_admin();
        let form = ArticleForm::new("Budget vote").section("The vote", "It passed 7 to 4.\nThe chamber was full.");
        let id = admin.create_article_ok(&form, "save");
        let changed = ArticleForm::new("Budget vote")
            .section("The vote", "It passed 8 to 3.\nThe chamber was full.\n<script>alert('x')</script>");
        assert_eq!(admin.edit_article(id, &changed, "save").status, 303);

        for path in [format!("/admin/articles/{id}/revisions/compare?from=1&to=2"), format!("/admin/articles/{id}/revisions/compare")] {
            let page = admin.get(&path);
            assert_eq!(page.status, 200, "{path}: {}", page.snippet());
            assert!(page.body.contains("Section 2 “The vote”"), "{}", page.snippet());
            assert!(
                page.body.contains("<del class=\"diff-line\"><span class=\"visually-hidden\">Removed: </span>It passed 7 to 4.</del>"),
                "{}",
                page.body
            );
            assert!(
                page.body.contains("<ins class=\"diff-line\"><span class=\"visually-hidden\">Added: </span>It passed 8 to 3.</ins>"),
                "{}",
                page.body
            );
            assert!(page.body.contains("The chamber was full."), "unchanged context is shown");
            // Content is text, never markup.
            assert!(!page.body.contains("<script>alert"), "{}", page.body);
            assert!(page.body.contains("alert(&#39;x&#39;)"), "the text itself is shown: {}", page.body);
            assert!(live_script(&page.body).is_empty(), "{:?}", live_script(&page.body));
            assert!(page.body.contains("Unchanged: Title"), "{}", page.snippet());
        }
        // Any two, either way round; the same one twice is "the same content".
        let back = admin.get(&format!("/admin/articles/{id}/revisions/compare?from=2&to=1"));
        assert_eq!(back.status, 200);
        assert!(back.body.contains("<del class=\"diff-line\"><span class=\"visually-hidden\">Removed: </span>It passed 8 to 3.</del>"));
        let same = admin.get(&format!("/admin/articles/{id}/revisions/compare?from=2&to=2"));
        assert!(same.body.contains("These revisions have the same content."), "{}", same.snippet());
        assert_eq!(admin.get(&format!("/admin/articles/{id}/revisions/compare?from=1&to=7")).status, 404);
    }

    fn restore_brings_the_old_text_back(app: &TestApp) {
        let admin = app.setup_admin();
        let id = admin.create_article_ok(&ArticleForm::new("Harbour plans").section("Plan", "The original plan."), "publish");
        let slug = app.article(id).expect("article").slug;
        let r = admin.edit_article(id, &ArticleForm::new("Harbour plans").section("Plan", "A rewritten plan."), "save");
        assert_eq!(r.status, 303, "{}", r.snippet());
        let public = app.new_browser().get(&format!("/articles/{slug}"));
        assert!(public.body.contains("A rewritten plan.") && !public.body.contains("The original plan."));

        // Without the CSRF token: refused, nothing changes.
        let version = app.article(id).expect("article").version.to_string();
        let r = admin.post(&format!("/admin/articles/{id}/revisions/1/restore"), &[("version", version.as_str())]);
        assert_eq!(r.status, 403, "{}", r.snippet());
        let r = admin.post(&format!("/admin/articles/{id}/revisions/1/restore"), &[("csrf_token", "forged"), ("version", version.as_str())]);
        assert_eq!(r.status, 403, "{}", r.snippet());
        assert_eq!(app.article(id).expect("article").version.to_string(), version);

        // With it: back to revision 1, still published, as a new revision 3.
        let r = restore(admin, id, 1);
        assert_eq!(r.status, 303, "{}", r.snippet());
        assert_eq!(r.location(), Some(format!("/admin/articles/{id}/edit").as_str()));
        let stored = app.article(id).expect("article");
        assert_eq!(stored.status(), Status::Published);
        let public = app.new_browser().get(&format!("/articles/{slug}"));
        assert_eq!(public.status, 200);
        assert!(public.body.contains("The original plan.") && !public.body.contains("A rewritten plan."), "{}", public.snippet());

        let history = admin.get(&format!("/admin/articles/{id}/revisions"));
        assert!(history.contains_in_order(&["Revision 3", "Restored revision 1", "Revision 2", "Revision 1"]), "{}", history.snippet());

        // A restore from a page opened before someone else saved: nothing happens.
        let page = admin.get(&format!("/admin/articles/{id}/revisions"));
        let csrf = csrf_from(&page.body).expect("csrf");
        let stale = (stored.version - 1).to_string();
        let r = admin.post(&format!("/admin/articles/{id}/revisions/2/restore"), &[("csrf_token", csrf.as_str()), ("version", stale.as_str())]);
        assert_eq!(r.status, 303);
        assert_eq!(r.location(), Some(format!("/admin/articles/{id}/revisions").as_str()));
        assert_eq!(app.article(id).expect("article").version, stored.version);
    }

    fn contributors_cannot_restore_others_articles(app: &TestApp) {
        let admin = app.setup_admin();
        let id = admin.create_article_ok(&ArticleForm::new("Editor's piece"), "save");
        assert_eq!(admin.edit_article(id, &ArticleForm::new("Editor's piece, revised"), "save").status, 303);
        let (_, contributor) = app.create_user(Role::Contributor);
        let csrf = contributor.session_csrf();
        let version = app.article(id).expect("article").version.to_string();
        let r = contributor.post(&format!("/admin/articles/{id}/revisions/1/restore"), &[("csrf_token", csrf.as_str()), ("version", version.as_str())]);
        assert_eq!(r.status, 403, "{}", r.snippet());
        assert_eq!(app.article(id).expect("article").title, "Editor's piece, revised");
        assert_eq!(contributor.get(&format!("/admin/articles/{id}/revisions")).status, 403);
        assert_eq!(contributor.get(&format!("/admin/articles/{id}/revisions/compare")).status, 403);

        // Their own draft: yes.
        let own = contributor.create_article_ok(&ArticleForm::new("My draft"), "save");
        assert_eq!(contributor.edit_article(own, &ArticleForm::new("My draft, changed"), "save").status, 303);
        let r = restore(&contributor, own, 1);
        assert_eq!(r.status, 303, "{}", r.snippet());
        assert_eq!(app.article(own).expect("article").title, "My draft");
    }

    fn keep_setting_prunes_old_revisions(app: &TestApp) {
        let admin = app.setup_admin();
        let id = admin.create_article_ok(&ArticleForm::new("Pruned 1"), "save");
        for n in 2..=4 {
            assert_eq!(admin.edit_article(id, &ArticleForm::new(&format!("Pruned {n}")), "save").status, 303);
        }
        let settings = admin.get("/admin/settings");
        assert!(settings.body.contains("name=\"revisions_keep\""), "{}", settings.snippet());
        let csrf = csrf_from(&settings.body).expect("csrf");
        let r = admin.post("/admin/settings/revisions", &[("csrf_token", csrf.as_str()), ("revisions_keep", "ten")]);
        assert_eq!(r.status, 422, "{}", r.snippet());
        assert!(r.body.contains("Enter 0 to keep every revision"), "{}", r.snippet());
        let r = admin.post("/admin/settings/revisions", &[("revisions_keep", "2")]);
        assert_eq!(r.status, 403, "CSRF is checked");
        let r = admin.post("/admin/settings/revisions", &[("csrf_token", csrf.as_str()), ("revisions_keep", "2")]);
        assert_eq!(r.status, 303, "{}", r.snippet());
        assert_eq!(input_value(&admin.get("/admin/settings").body, "revisions_keep").as_deref(), Some("2"));

        let page = admin.get(&format!("/admin/articles/{id}/revisions"));
        assert!(page.body.contains("Revision 4") && page.body.contains("Revision 3"), "{}", page.snippet());
        assert!(!page.body.contains("Revision 2<") && !page.body.contains("Revision 1<"), "{}", page.snippet());
        assert!(page.body.contains("Only the newest 2 revisions"), "{}", page.snippet());
    }
}
