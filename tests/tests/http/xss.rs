use super::*;

const TITLE: &str = "<script>alert(1)</script>";
const HEADING: &str = "<img src=x onerror=alert(1)>";
const MARKDOWN: &str = "[x](javascript:alert(1)) and <script>alert(2)</script> and <img src=x onerror=alert(3)>\n\n<a href=\"javascript:alert(4)\">y</a> <iframe src=\"https://evil.example\"></iframe>";

/// No script can run from what an author typed.
fn assert_inert(body: &str, what: &str) {
    let live = gazette_tests::live_script(body);
    assert!(live.is_empty(), "{what}: {live:?}");
}

http_test! {
    fn payloads_are_inert(app: &TestApp) {
        let admin = app.setup_admin();
        let form = ArticleForm { standfirst: "<b onmouseover=alert(5)>standfirst</b>".into(), ..ArticleForm::titled(TITLE) }
            .section(HEADING, MARKDOWN)
            .section("Safe heading", "Plain **bold** text.")
            .link_url("https://example.org/?q=<script>alert(6)</script>", "<script>alert(7)</script>");
        let id = admin.create_article_ok(&form, "publish");
        let slug = app.article(id).expect("article").slug;

        let visitor = app.new_browser();
        let page = visitor.get(&format!("/articles/{slug}"));
        assert_eq!(page.status, 200, "{}", page.snippet());
        assert_inert(&page.body, "article page");
        // Shown as text (escaped), not dropped.
        let text = gazette_tests::unescape(&page.body);
        assert!(text.contains(TITLE), "the title should appear as text: {}", page.snippet());
        assert!(text.contains(HEADING), "the heading should appear as text");
        assert!(page.body.contains("<strong>bold</strong>"), "Markdown still renders");
        assert_inert(&visitor.get("/").body, "home page");
        assert_inert(&visitor.get("/author/ada-admin").body, "author page");

        // The admin side too: list, editor, and a 422 re-render.
        assert_inert(&admin.get("/admin/articles").body, "admin list");
        assert_inert(&admin.get(&format!("/admin/articles/{id}/edit")).body, "editor");
        let invalid = ArticleForm { slug: slug.clone(), ..form.clone() };
        let r = admin.create_article(&invalid, "save");
        assert_eq!(r.status, 422);
        assert_inert(&r.body, "editor with errors");
    }
}
