use cms_core::articles::Status;
use cms_core::roles::Role;

use super::*;

http_test! {
    /// Two people edit the same article; the second save gets a conflict page
    /// showing both versions, and the first one's text stays.
    fn stale_version_is_a_conflict(app: &TestApp) {
        let admin = app.setup_admin();
        let (_, editor) = app.create_user(Role::Editor);
        let id = admin.create_article_ok(&ArticleForm::new("Original headline"), "save");

        // The admin opens the editor…
        let page = admin.get(&format!("/admin/articles/{id}/edit"));
        assert_eq!(page.status, 200, "{}", page.snippet());
        let version: i32 = input_value(&page.body, "version").and_then(|v| v.parse().ok()).expect("version field");
        let csrf = csrf_from(&page.body).expect("csrf");

        // …meanwhile the editor saves theirs.
        let theirs = ArticleForm::titled("Their headline").section("Their section", "Their paragraph.");
        let r = editor.edit_article(id, &theirs, "save");
        assert_eq!(r.status, 303, "{}", r.snippet());

        // The admin saves from the version they opened.
        let yours = ArticleForm { version: Some(version), ..ArticleForm::titled("Your headline").section("Your section", "Your paragraph.") };
        let r = admin.post(&format!("/admin/articles/{id}/edit"), &yours.pairs(&csrf, "publish"));
        assert_eq!(r.status, 409, "{}", r.snippet());
        for text in ["Their headline", "Their paragraph.", "Your headline", "Your paragraph."] {
            assert!(r.body.contains(text), "conflict page should show {text:?}: {}", r.snippet());
        }
        let stored = app.article(id).expect("article");
        assert_eq!(stored.title, "Their headline");
        assert_eq!(stored.version, version + 1);
        assert_eq!(stored.status(), Status::Draft, "the stale publish did not happen");
        let input = app.with_db(|c| cms_core::articles::save::load_input(c, &stored)).expect("input");
        assert_eq!(input.sections.len(), 1);
        assert_eq!(input.sections[0].heading, "Their section");
    }

    fn bad_input_is_422_and_nothing_saved(app: &TestApp) {
        let admin = app.setup_admin();

        // Empty title: the page comes back with the message and what was typed.
        let form = ArticleForm { standfirst: "A standfirst worth keeping".into(), ..ArticleForm::titled("   ") }
            .section("Kept heading", "Kept body text, please do not lose it.");
        let r = admin.create_article(&form, "save");
        assert_eq!(r.status, 422, "{}", r.snippet());
        assert!(r.body.contains("Enter a title."), "{}", r.snippet());
        for kept in ["A standfirst worth keeping", "Kept heading", "Kept body text, please do not lose it."] {
            assert!(r.body.contains(kept), "input {kept:?} lost: {}", r.snippet());
        }
        assert!(csrf_from(&r.body).is_some(), "the re-rendered form can be submitted again");
        assert_eq!(app.article_count(), 0);

        // Duplicate slug.
        let first = admin.create_article_ok(&ArticleForm::new("Taken slug"), "save");
        let dup = ArticleForm { slug: "taken-slug".into(), ..ArticleForm::new("Another story") };
        let r = admin.create_article(&dup, "save");
        assert_eq!(r.status, 422, "{}", r.snippet());
        assert!(r.body.contains("Another article already uses this URL name"), "{}", r.snippet());
        assert_eq!(app.article_count(), 1);
        // …also when editing another article onto it.
        let second = admin.create_article_ok(&ArticleForm::new("Second story"), "save");
        let r = admin.edit_article(second, &dup, "save");
        assert_eq!(r.status, 422, "{}", r.snippet());
        assert_eq!(app.article(second).expect("second").slug, "second-story");
        assert_eq!(app.article(second).expect("second").version, 1);
        assert_eq!(app.article(first).expect("first").slug, "taken-slug");

        // A section body over 100 000 characters.
        let long = ArticleForm::titled("Too long").section("Fine", "Short.").section("Huge", &"x".repeat(100_001));
        let r = admin.create_article(&long, "save");
        assert_eq!(r.status, 422, "{}", &r.snippet()[..300.min(r.snippet().len())]);
        assert!(
            ["100000", "100 000", "100,000"].iter().any(|n| r.body.contains(n)),
            "the message should name the limit"
        );
        assert_eq!(app.article_count(), 2);

        // Exactly 100 000 is accepted.
        let max = ArticleForm::titled("Long but allowed").section("", &"y".repeat(100_000));
        admin.create_article_ok(&max, "save");
        assert_eq!(app.article_count(), 3);

        // A bad external link and a bad date.
        let bad = ArticleForm { published_at: "tomorrow-ish".into(), ..ArticleForm::new("Bad bits") }
            .link_url("javascript:alert(1)", "Click me");
        let r = admin.create_article(&bad, "schedule");
        assert_eq!(r.status, 422, "{}", r.snippet());
        assert_eq!(app.article_count(), 3);
    }
}
