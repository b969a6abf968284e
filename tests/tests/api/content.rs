use std::collections::HashSet;

use cms_core::articles::SaveAction;
use cms_core::roles::Role;

use super::*;

fn ids(page: &Json) -> Vec<i64> {
    page.body["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|a| a["id"].as_i64().expect("id"))
        .collect()
}

/// `next` is absolute; strip the origin to request it.
fn path_of(url: &str) -> String {
    let u = url::Url::parse(url).expect("absolute next link");
    format!("{}?{}", u.path(), u.query().unwrap_or(""))
}

http_test! {
    /// Lists only published articles, with sections and resolved related links on the single endpoints.
    fn articles_list_and_detail(app: &TestApp) {
        let (a, b, draft) = app.with_db(|c| {
            let ed = fixtures::user(c, Role::Editor);
            let a = fixtures::published(c, &ed, "Harbour ferry returns");
            let mut input = fixtures::article("Ferry timetable published");
            input.sections.push(fixtures::section("Weekend sailings", "Every *hour* from nine."));
            input.links = vec![fixtures::internal_link(a.id), fixtures::external_link("https://example.org/ferries", "Operator notice")];
            let b = fixtures::create(c, &ed, input, SaveAction::Publish);
            let draft = fixtures::create(c, &ed, fixtures::article("Secret draft"), SaveAction::Save);
            (a, b, draft)
        });
        let list = get(app, "/api/v1/articles", None);
        assert_eq!(list.status, 200, "{}", list.text);
        let listed = ids(&list);
        assert!(listed.contains(&i64::from(a.id)) && listed.contains(&i64::from(b.id)));
        assert!(!listed.contains(&i64::from(draft.id)), "drafts never appear");
        assert!(list.body["data"][0].get("sections").is_none(), "sections only with include");

        let one = get(app, &format!("/api/v1/articles/{}", b.id), None);
        assert_eq!(one.status, 200, "{}", one.text);
        assert_eq!(one.body["title"], "Ferry timetable published");
        assert_eq!(one.body["sections"][1]["heading"], "Weekend sailings");
        assert!(one.body["sections"][1]["html"].as_str().expect("html").contains("<em>hour</em>"));
        assert_eq!(one.body["related"][0]["type"], "article");
        assert_eq!(one.body["related"][0]["title"], "Harbour ferry returns");
        assert_eq!(one.body["related"][1]["url"], "https://example.org/ferries");

        let by_slug = get(app, "/api/v1/articles/slug/ferry-timetable-published", None);
        assert_eq!(by_slug.body["id"], b.id);
        get(app, &format!("/api/v1/articles/{}", draft.id), None).assert_problem(404);
        get(app, "/api/v1/articles/slug/secret-draft", None).assert_problem(404);

        let inc = get(app, "/api/v1/articles?include=sections,related&fields=id,title,sections", None);
        let first = &inc.body["data"][0];
        assert!(first.get("sections").is_some() && first.get("related").is_none() && first.get("url").is_none(), "{first}");
    }

    /// Cursor pagination stays correct while articles are published between pages.
    fn cursor_pagination_is_stable(app: &TestApp) {
        let editor = app.with_db(|c| {
            let ed = fixtures::user(c, Role::Editor);
            for i in 0..7 {
                fixtures::published(c, &ed, &format!("Story number {i}"));
            }
            ed
        });
        let first = get(app, "/api/v1/articles?limit=3&total=true", None);
        assert_eq!(first.status, 200, "{}", first.text);
        assert_eq!(first.body["meta"]["total"], 7);
        assert_eq!(first.body["meta"]["total_exact"], true);
        assert!(first.body["meta"]["prev"].is_null());
        let mut seen: Vec<i64> = ids(&first);
        // New articles arrive while the client pages through.
        app.with_db(|c| {
            fixtures::published(c, &editor, "Breaking one");
            fixtures::published(c, &editor, "Breaking two");
        });
        let mut next = first.body["meta"]["next"].as_str().map(path_of);
        let mut last_page = first;
        while let Some(p) = next {
            let page = get(app, &p, None);
            assert_eq!(page.status, 200, "{}", page.text);
            seen.extend(ids(&page));
            next = page.body["meta"]["next"].as_str().map(path_of);
            last_page = page;
        }
        assert_eq!(seen.len(), 7, "every original article exactly once: {seen:?}");
        assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 7, "no duplicates: {seen:?}");
        // And back again.
        let prev = last_page.body["meta"]["prev"].as_str().map(path_of).expect("prev link");
        let back = get(app, &prev, None);
        assert_eq!(ids(&back), seen[3..6].to_vec(), "prev returns the page before");
    }

    /// Filters by category and author; `q` finds words in any section.
    fn filters_and_search(app: &TestApp) {
        app.with_db(|c| {
            let ed = fixtures::user(c, Role::Editor);
            let cat = cms_core::categories::create(c, &ed, cms_core::categories::CategoryInput { name: "Finance".into(), ..Default::default() }).expect("cat");
            let mut input = fixtures::article("Rates unchanged");
            input.category_id = Some(cat.id);
            input.sections.push(fixtures::section("Analysts", "Economists expected a pause in tightening."));
            fixtures::create(c, &ed, input, SaveAction::Publish);
            fixtures::published(c, &ed, "Library opens");
        });
        let fin = get(app, "/api/v1/articles?category=finance", None);
        assert_eq!(ids(&fin).len(), 1);
        assert_eq!(fin.body["data"][0]["title"], "Rates unchanged");
        assert_eq!(get(app, "/api/v1/articles?category=nope", None).body["data"].as_array().map(Vec::len), Some(0));
        let q = get(app, "/api/v1/articles?q=TIGHTENING", None);
        assert_eq!(q.body["data"].as_array().map(Vec::len), Some(1), "{}", q.text);
        let authors = get(app, "/api/v1/authors", None);
        assert_eq!(authors.body["data"].as_array().map(Vec::len), Some(1));
        assert!(authors.text.find("@example.com").is_none(), "no emails in the Content API");
        let cats = get(app, "/api/v1/categories/finance", None);
        assert_eq!(cats.body["name"], "Finance");
    }

    /// ETag / If-None-Match → 304; Cache-Control present.
    fn etag_and_not_modified(app: &TestApp) {
        app.with_db(|c| {
            let ed = fixtures::user(c, Role::Editor);
            fixtures::published(c, &ed, "Cached story");
        });
        let r = get(app, "/api/v1/articles", None);
        let etag = r.header("etag").expect("etag").to_owned();
        assert!(r.header("cache-control").is_some());
        let again = send(client().get(format!("{}/api/v1/articles", app.base_url)).header("If-None-Match", &etag));
        assert_eq!(again.status, 304);
        app.with_db(|c| {
            let ed = fixtures::user(c, Role::Editor);
            fixtures::published(c, &ed, "Newer story");
        });
        let changed = send(client().get(format!("{}/api/v1/articles", app.base_url)).header("If-None-Match", &etag));
        assert_eq!(changed.status, 200, "new content, new ETag");
    }

    /// With a required key, requests without it are refused; CORS follows the setting.
    fn content_key_and_cors(app: &TestApp) {
        let api = app.with_db(|c| cms_core::settings::save_api_settings(c, true, "https://front.example", false)).expect("settings");
        get(app, "/api/v1/articles", None).assert_problem(401);
        get(app, "/api/v1/articles?key=wrong", None).assert_problem(401);
        let ok = get(app, &format!("/api/v1/articles?key={}", api.content_key), None);
        assert_eq!(ok.status, 200, "{}", ok.text);
        let hdr = send(client().get(format!("{}/api/v1/categories", app.base_url)).header("X-Gazette-Key", &api.content_key).header("Origin", "https://front.example"));
        assert_eq!(hdr.status, 200);
        assert_eq!(hdr.header("access-control-allow-origin"), Some("https://front.example"));
        let other = send(client().get(format!("{}/api/v1/categories", app.base_url)).header("X-Gazette-Key", &api.content_key).header("Origin", "https://evil.example"));
        assert!(other.header("access-control-allow-origin").is_none());
        let pre = send(client().request(reqwest::Method::OPTIONS, format!("{}/api/v1/articles", app.base_url)).header("Origin", "https://front.example").header("Access-Control-Request-Method", "GET"));
        assert_eq!(pre.status, 204);
        assert_eq!(pre.header("access-control-allow-origin"), Some("https://front.example"));
    }
}
