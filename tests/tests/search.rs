//! Search over HTTP: the public `/search` page, `q` in the Content API and the
//! admin article list — one storage function behind all three, on SQLite and
//! PostgreSQL, with the index following every save and delete.

use cms_core::articles::{ArticleInput, SaveAction};
use cms_core::roles::Role;
use gazette_tests::{
    csrf_from, fixtures, http_test, live_script, unescape, urlencode, ArticleForm, Response,
    TestApp,
};
use serde_json::Value;

fn json(r: &Response) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.snippet()))
}

fn api_ids(r: &Response) -> Vec<i64> {
    json(r)["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no data: {}", r.snippet()))
        .iter()
        .filter_map(|a| a["id"].as_i64())
        .collect()
}

/// `next`/`prev` links are absolute; the path and query to request them.
fn path_of(url: &str) -> String {
    let u = url::Url::parse(url).expect("absolute link");
    format!("{}?{}", u.path(), u.query().unwrap_or(""))
}

/// The result titles in order (the text of each `card-title` link, marks removed).
fn result_titles(body: &str) -> Vec<String> {
    body.split("<h2 class=\"card-title\">")
        .skip(1)
        .filter_map(|part| {
            let start = part.find('>')? + 1;
            let end = part.find("</a>")?;
            Some(
                part[start..end]
                    .replace("<mark>", "")
                    .replace("</mark>", ""),
            )
        })
        .collect()
}

http_test! {
    /// The issue's test over HTTP: words in any section are found, drafts are not.
    fn search_page_finds_any_section_and_hides_drafts(app: &TestApp) {
        let admin = app.setup_admin();
        let visitor = app.new_browser();
        let form = ArticleForm::new("Harbour council meeting")
            .section("The vote", "Passed seven to four.")
            .section("What next", "A walrus will inspect the pier.");
        let id = admin.create_article_ok(&form, "publish");
        admin.create_article_ok(&ArticleForm::new("Walrus rumours").section("Unchecked", "A walrus, again."), "save");

        let r = visitor.get("/search?q=WALRUS");
        assert_eq!(r.status, 200, "{}", r.snippet());
        assert_eq!(result_titles(&r.body), vec!["Harbour council meeting"], "draft hidden");
        assert!(r.body.contains("<mark>walrus</mark>"), "highlighted snippet: {}", r.snippet());
        assert!(r.body.contains("Ada Admin"), "the author");
        assert!(r.body.contains("<time datetime="), "the date");
        assert!(r.body.contains("1 result for “WALRUS”"), "{}", r.snippet());
        assert!(r.body.contains(r#"<meta name="robots" content="noindex">"#));
        assert!(r.body.contains(r#"role="search""#) && r.body.contains(r#"<label for="search-q">"#), "an accessible form");
        assert!(r.body.contains(r#"value="WALRUS""#), "the query stays in the box");
        assert!(r.header("etag").is_some());

        // A heading, any case; the last word as a prefix.
        assert_eq!(result_titles(&visitor.get("/search?q=the+VOTE").body), vec!["Harbour council meeting"]);
        assert_eq!(result_titles(&visitor.get("/search?q=harb").body), vec!["Harbour council meeting"]);

        // Editing re-indexes; deleting removes.
        let edited = ArticleForm::new("Harbour council meeting").section("What next", "A pelican will inspect the pier.");
        assert_eq!(admin.edit_article(id, &edited, "publish").status, 303);
        assert!(result_titles(&visitor.get("/search?q=walrus").body).is_empty());
        assert_eq!(result_titles(&visitor.get("/search?q=pelican").body), vec!["Harbour council meeting"]);
        let confirm = admin.get(&format!("/admin/articles/{id}/delete"));
        let csrf = csrf_from(&confirm.body).expect("csrf");
        assert_eq!(admin.post(&format!("/admin/articles/{id}/delete"), &[("csrf_token", csrf.as_str())]).status, 303);
        let gone = visitor.get("/search?q=pelican");
        assert!(result_titles(&gone.body).is_empty());
        assert!(gone.body.contains("No articles match “pelican”."), "{}", gone.snippet());
    }

    fn search_page_states_paging_and_caching(app: &TestApp) {
        app.with_db(|c| {
            let ed = fixtures::user(c, Role::Editor);
            for i in 0..12 {
                fixtures::published(c, &ed, &format!("Tram timetable {i}"));
            }
        });
        let visitor = app.new_browser();

        // The header of every public page has a search box.
        let home = visitor.get("/");
        assert!(home.body.contains(r#"action="/search""#) && home.body.contains(r#"role="search""#));

        let empty = visitor.get("/search");
        assert_eq!(empty.status, 200, "{}", empty.snippet());
        assert!(empty.body.contains(r#"id="search-q""#));
        assert!(result_titles(&empty.body).is_empty() && !empty.body.contains("No articles match"));
        assert_eq!(visitor.get("/search?q=+++").status, 200, "blank is the empty form");

        // Ten per page (the site default), then the rest.
        let first = visitor.get("/search?q=tram");
        assert_eq!(result_titles(&first.body).len(), 10);
        assert!(first.body.contains("12 results"), "{}", first.snippet());
        assert!(unescape(&first.body).contains(r#"href="/search?q=tram&page=2" rel="next""#), "{}", first.snippet());
        let second = visitor.get("/search?q=tram&page=2");
        assert_eq!(second.status, 200);
        assert_eq!(result_titles(&second.body).len(), 2);
        assert!(second.body.contains(r#"href="/search?q=tram" rel="prev""#));
        assert!(!second.body.contains(r#"rel="next""#));
        let mut all = result_titles(&first.body);
        all.extend(result_titles(&second.body));
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 12, "every match once");
        assert_eq!(visitor.get("/search?q=tram&page=3").status, 404, "past the last page");
        assert_eq!(visitor.get("/search?q=tram&page=0").status, 404);
        assert_eq!(visitor.get("/search?q=tram&page=abc").status, 404);

        // Same content, same ETag: 304.
        let etag = first.header("etag").expect("etag").to_owned();
        assert_eq!(visitor.get_with("/search?q=tram", &[("If-None-Match", etag.as_str())]).status, 304);
        let head = visitor.client.head(visitor.url("/search?q=tram")).send().expect("HEAD");
        assert_eq!(head.status().as_u16(), 200);
    }

    /// More matches than the public cap (1 000): the page says so, shows the
    /// newest 1 000 newest first, and its pages stop there; a half-typed word
    /// does the same.
    fn a_broad_search_says_more_than_the_cap(app: &TestApp) {
        app.with_db(|c| {
            let plan = cms_core::seed::SeedPlan { articles: 1150, categories: 2, authors: 2, seed: 3, batch: 500 };
            cms_core::seed::run(c, &plan, &mut |_| {}).expect("seed");
        });
        let visitor = app.new_browser();
        for q in ["council", "counc"] {
            let first = visitor.get(&format!("/search?q={q}"));
            assert_eq!(first.status, 200, "{}", first.snippet());
            assert!(first.body.contains(&format!("More than 1000 results; the newest 1000 for “{q}”.")), "{}", first.snippet());
            assert_eq!(result_titles(&first.body).len(), 10);
            let last = visitor.get(&format!("/search?q={q}&page=100"));
            assert_eq!(result_titles(&last.body).len(), 10, "{}", last.snippet());
            assert!(!last.body.contains(r#"rel="next""#), "pages stop at the cap");
            assert_eq!(visitor.get(&format!("/search?q={q}&page=101")).status, 404);
        }
    }

    fn hostile_queries_are_harmless(app: &TestApp) {
        app.with_db(|c| {
            let ed = fixtures::user(c, Role::Editor);
            let input = ArticleInput {
                standfirst: "About <b>markup</b> & \"quotes\".".into(),
                ..fixtures::article("<script>alert(1)</script> and other script tricks")
            };
            fixtures::create(c, &ed, input, SaveAction::Publish);
        });
        let visitor = app.new_browser();
        for q in [r#""AND OR NOT * ( ) ' -- ;"#, "<script>alert(2)</script>", "\"", "'", "*", "%", "NEAR(", "\u{E000}x\u{E001}", "ं"] {
            let r = visitor.get(&format!("/search?q={}", urlencode(q)));
            assert_eq!(r.status, 200, "{q:?}: {}", r.snippet());
            assert!(live_script(&r.body).is_empty(), "{q:?}: {:?}", live_script(&r.body));
            let api = visitor.get(&format!("/api/v1/articles?q={}", urlencode(q)));
            assert_eq!(api.status, 200, "{q:?}: {}", api.snippet());
        }
        let r = visitor.get("/search?q=script");
        assert_eq!(result_titles(&r.body).len(), 1, "{}", r.snippet());
        assert!(r.body.contains("&lt;"), "the title's markup is shown as text");
        assert!(live_script(&r.body).is_empty(), "{:?}", live_script(&r.body));
        let q = visitor.get("/search?q=quotes");
        assert!(q.body.contains("About &lt;b&gt;markup&lt;/b&gt; &amp; &quot;<mark>quotes</mark>&quot;."), "{}", q.snippet());
    }

    /// `q` in the Content API: ranked by default, by date on request, paged by
    /// position with next/prev links, filters still apply, drafts never appear.
    fn content_api_q(app: &TestApp) {
        let (titled, body, other_cat) = app.with_db(|c| {
            let ed = fixtures::user(c, Role::Editor);
            let cat = cms_core::categories::create(c, &ed, cms_core::categories::CategoryInput { name: "Sport".into(), ..Default::default() }).expect("category");
            let titled = fixtures::published(c, &ed, "Regatta cancelled");
            let mut input = fixtures::article("Weekend on the water");
            input.sections.push(fixtures::section("Later", "The regatta committee met."));
            let body = fixtures::create(c, &ed, input, SaveAction::Publish);
            let mut input = fixtures::article("Rowing club news");
            input.category_id = Some(cat.id);
            input.sections.push(fixtures::section("", "No regatta this year, but training goes on."));
            let other_cat = fixtures::create(c, &ed, input, SaveAction::Publish);
            fixtures::create(c, &ed, fixtures::article("Regatta plans, draft"), SaveAction::Save);
            (i64::from(titled.id), i64::from(body.id), i64::from(other_cat.id))
        });
        let v = app.new_browser();
        let ranked = v.get("/api/v1/articles?q=regatta&total=true");
        assert_eq!(ranked.status, 200, "{}", ranked.snippet());
        let ids = api_ids(&ranked);
        assert_eq!(ids.len(), 3, "drafts never appear: {ids:?}");
        assert_eq!(ids[0], titled, "the title match first");
        assert_eq!(json(&ranked)["meta"]["total"], 3);
        // The total is the search's, whatever the page holds.
        assert_eq!(json(&v.get("/api/v1/articles?q=regatta&limit=1&total=true"))["meta"]["total"], 3);
        assert_eq!(json(&v.get("/api/v1/articles?q=regatta&category=sport&total=true"))["meta"]["total"], 1);
        assert_eq!(json(&v.get("/api/v1/articles?q=nothingatall&total=true"))["meta"]["total"], 0);
        assert_eq!(api_ids(&v.get("/api/v1/articles?q=regatta&sort=relevance")), ids);

        let newest = api_ids(&v.get("/api/v1/articles?q=regatta&sort=-published_at"));
        let mut oldest = api_ids(&v.get("/api/v1/articles?q=regatta&sort=published_at"));
        assert_eq!(newest[0], other_cat);
        oldest.reverse();
        assert_eq!(newest, oldest);
        assert_eq!(api_ids(&v.get("/api/v1/articles?q=regatta&category=sport")), vec![other_cat]);
        assert_eq!(api_ids(&v.get("/api/v1/articles?q=committee")), vec![body]);

        // Paging: next, next, then back.
        let mut seen = Vec::new();
        let mut page = v.get("/api/v1/articles?q=regatta&limit=1");
        let mut pages = vec![];
        loop {
            seen.extend(api_ids(&page));
            let meta = json(&page)["meta"].clone();
            pages.push(meta.clone());
            match meta["next"].as_str() {
                Some(next) => page = v.get(&path_of(next)),
                None => break,
            }
        }
        assert_eq!(seen, ids, "the same order, one at a time");
        let prev = pages[2]["prev"].as_str().expect("prev on the last page");
        assert_eq!(api_ids(&v.get(&path_of(prev))), vec![ids[1]]);
        assert!(pages[0]["prev"].is_null());

        // Cursors do not cross between searches and plain listings.
        let plain = v.get("/api/v1/articles?limit=1");
        let plain_next = json(&plain)["meta"]["next"].as_str().expect("next").to_owned();
        let cursor = url::Url::parse(&plain_next).expect("url").query_pairs().find(|(k, _)| k == "cursor").expect("cursor").1.into_owned();
        assert_eq!(v.get(&format!("/api/v1/articles?q=regatta&cursor={cursor}")).status, 400);
        let search_next = pages[0]["next"].as_str().expect("next");
        let cursor = url::Url::parse(search_next).expect("url").query_pairs().find(|(k, _)| k == "cursor").expect("cursor").1.into_owned();
        assert_eq!(v.get(&format!("/api/v1/articles?cursor={cursor}")).status, 400);
        assert_eq!(v.get("/api/v1/articles?sort=relevance").status, 400, "relevance needs q");
        assert!(api_ids(&v.get("/api/v1/articles?q=%22%27*")).is_empty(), "no words, no results");
    }

    /// The admin list searches the full text (drafts included) within what the
    /// user may see, and still finds a title by a fragment.
    fn admin_list_search(app: &TestApp) {
        let admin = app.setup_admin();
        let draft = admin.create_article_ok(&ArticleForm::new("Budget draft").section("Figures", "Spending on aqueducts rises."), "save");
        let (_, author) = app.create_user(Role::Author);
        author.create_article_ok(&ArticleForm::new("My aqueduct piece"), "save");

        let r = admin.get("/admin/articles?q=AQUEDUCTS");
        assert_eq!(r.status, 200, "{}", r.snippet());
        assert!(r.body.contains(&format!("/admin/articles/{draft}/edit")), "drafts, by a word in a section");
        assert!(!r.body.contains("My aqueduct piece"), "a longer word is not a prefix of a shorter one");
        let r = admin.get("/admin/articles?q=aqueduct");
        assert!(r.body.contains("Budget draft") && r.body.contains("My aqueduct piece"), "{}", r.snippet());
        let r = admin.get("/admin/articles?q=aqueduct&status=draft&page=1");
        assert!(r.body.contains("2 articles match"), "{}", r.snippet());
        let r = admin.get("/admin/articles?q=dget+dr");
        assert!(r.body.contains("Budget draft"), "a title fragment: {}", r.snippet());

        let mine = author.get("/admin/articles?q=aqueduct");
        assert_eq!(mine.status, 200);
        assert!(mine.body.contains("My aqueduct piece") && !mine.body.contains("Budget draft"), "authors search only their own");

        let r = admin.get(&format!("/admin/articles?q={}", urlencode("<script>alert(1)</script>")));
        assert_eq!(r.status, 200);
        assert!(live_script(&r.body).is_empty(), "{:?}", live_script(&r.body));
    }
}
