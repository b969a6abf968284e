//! Feeds, sitemaps, `robots.txt` and the search/sharing metadata of public
//! pages, read the way crawlers and feed readers read them: XML through a
//! real parser, JSON-LD through serde_json. Each test runs on SQLite and,
//! when `GAZETTE_TEST_POSTGRES_URL` is set, on PostgreSQL.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDateTime, SecondsFormat};
use cms_core::articles::feeds::SITEMAP_PAGE_SIZE_KEY;
use cms_core::articles::{Article, ArticleInput, SaveAction};
use cms_core::categories::{self, Category, CategoryInput};
use cms_core::roles::Role;
use cms_core::time::now;
use cms_core::users::User;
use gazette_tests::{
    fixtures, http_test, input_value, start_tags, ArticleForm, TestApp, SITE_TITLE,
};
use roxmltree::{Document, Node};
use serde_json::{json, Value};

/// Every absolute URL must come from this setting, never from the request.
const BASE: &str = "http://news.example.com";

const ATOM: &str = "http://www.w3.org/2005/Atom";
const CONTENT: &str = "http://purl.org/rss/1.0/modules/content/";
const DC: &str = "http://purl.org/dc/elements/1.1/";
const SITEMAP: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const NEWS: &str = "http://www.google.com/schemas/sitemap-news/0.9";

const RSS_TYPE: &str = "application/rss+xml; charset=utf-8";
const ATOM_TYPE: &str = "application/atom+xml; charset=utf-8";
const XML_TYPE: &str = "application/xml; charset=utf-8";

// ---------- arranging ----------

/// Sets up the site (title [`SITE_TITLE`]) with base URL [`BASE`]; returns the administrator.
fn site(app: &TestApp) -> User {
    app.setup_admin();
    app.with_db(|c| cms_core::settings::set_value(c, "site.base_url", BASE))
        .expect("set base_url");
    app.admin()
}

fn category(app: &TestApp, admin: &User, name: &str) -> Category {
    app.with_db(|c| {
        categories::create(
            c,
            admin,
            CategoryInput {
                name: name.into(),
                slug: String::new(),
                description: format!("All about {name}."),
            },
        )
    })
    .expect("category")
}

/// An article with a standfirst, an intro and a headed section.
fn input(title: &str, category: Option<&Category>, hours_ago: i64) -> ArticleInput {
    ArticleInput {
        standfirst: format!("Summary of {title}."),
        category_id: category.map(|c| c.id),
        published_at: Some(now() - Duration::hours(hours_ago)),
        sections: vec![
            fixtures::section("", &format!("The story of {title}.")),
            fixtures::section(
                "What happened next",
                "It went **well**, see [the list](/articles/elsewhere).",
            ),
        ],
        ..fixtures::article(title)
    }
}

/// Publishes `title`, back-dated by `hours_ago`.
fn publish(
    app: &TestApp,
    actor: &User,
    title: &str,
    category: Option<&Category>,
    hours_ago: i64,
) -> Article {
    app.with_db(|c| {
        fixtures::create(
            c,
            actor,
            input(title, category, hours_ago),
            SaveAction::Publish,
        )
    })
}

/// A draft and an article scheduled two hours ahead: never public yet.
fn unpublished(app: &TestApp, actor: &User, category: Option<&Category>) -> (Article, Article) {
    let draft = app.with_db(|c| {
        fixtures::create(
            c,
            actor,
            input("Secret draft", category, 1),
            SaveAction::Save,
        )
    });
    let future = app.with_db(|c| {
        fixtures::create(
            c,
            actor,
            ArticleInput {
                published_at: Some(now() + Duration::hours(2)),
                ..input("Tomorrow's scoop", category, 0)
            },
            SaveAction::Schedule,
        )
    });
    (draft, future)
}

// ---------- reading ----------

/// GETs `path` anonymously, expecting 200 with this content type.
fn fetch(app: &TestApp, path: &str, content_type: &str) -> String {
    let r = app.new_browser().get(path);
    assert_eq!(r.status, 200, "GET {path}: {}", r.snippet());
    assert_eq!(r.header("content-type"), Some(content_type), "GET {path}");
    r.body
}

fn parse(xml: &str) -> Document<'_> {
    Document::parse(xml).unwrap_or_else(|e| panic!("not well-formed XML ({e}):\n{xml}"))
}

/// Whether `n` is the element `(namespace, local name)`; `""` is no namespace.
fn is(n: &Node<'_, '_>, name: (&str, &str)) -> bool {
    n.is_element()
        && n.tag_name().namespace().unwrap_or_default() == name.0
        && n.tag_name().name() == name.1
}

fn child<'a, 'i>(n: Node<'a, 'i>, name: (&str, &str)) -> Node<'a, 'i> {
    n.children()
        .find(|c| is(c, name))
        .unwrap_or_else(|| panic!("no <{}> in <{}>", name.1, n.tag_name().name()))
}

fn children<'a, 'i>(
    n: Node<'a, 'i>,
    name: (&'static str, &'static str),
) -> impl Iterator<Item = Node<'a, 'i>> {
    n.children().filter(move |c| is(c, name))
}

fn text(n: Node<'_, '_>, name: (&str, &str)) -> String {
    child(n, name).text().unwrap_or_default().to_owned()
}

fn iso(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn url(path: &str) -> String {
    format!("{BASE}{path}")
}

/// One RSS `<item>`.
#[derive(Debug)]
struct RssItem {
    title: String,
    link: String,
    guid: String,
    guid_is_permalink: bool,
    pub_date: NaiveDateTime,
    creator: String,
    categories: Vec<String>,
    description: String,
    content: String,
}

/// The channel's title and self link, and its items in order.
fn rss(xml: &str) -> (String, String, Vec<RssItem>) {
    let doc = parse(xml);
    let root = doc.root_element();
    assert!(
        is(&root, ("", "rss")) && root.attribute("version") == Some("2.0"),
        "not RSS 2.0"
    );
    let channel = child(root, ("", "channel"));
    let self_link = child(channel, (ATOM, "link"))
        .attribute("href")
        .unwrap_or_default()
        .to_owned();
    let items = children(channel, ("", "item"))
        .map(|i| {
            let guid = child(i, ("", "guid"));
            let date = text(i, ("", "pubDate"));
            RssItem {
                title: text(i, ("", "title")),
                link: text(i, ("", "link")),
                guid: guid.text().unwrap_or_default().to_owned(),
                guid_is_permalink: guid.attribute("isPermaLink") == Some("true"),
                pub_date: DateTime::parse_from_rfc2822(&date)
                    .unwrap_or_else(|e| panic!("pubDate {date}: {e}"))
                    .naive_utc(),
                creator: text(i, (DC, "creator")),
                categories: children(i, ("", "category"))
                    .map(|c| c.text().unwrap_or_default().to_owned())
                    .collect(),
                description: i
                    .children()
                    .find(|c| is(c, ("", "description")))
                    .and_then(|d| d.text())
                    .unwrap_or_default()
                    .to_owned(),
                content: text(i, (CONTENT, "encoded")),
            }
        })
        .collect();
    (text(channel, ("", "title")), self_link, items)
}

/// One Atom `<entry>`.
#[derive(Debug)]
struct AtomEntry {
    id: String,
    title: String,
    link: String,
    published: String,
    updated: String,
    author: String,
    author_uri: String,
    category: Option<String>,
    summary: String,
    content_type: String,
    content: String,
}

/// The feed's title and self link, and its entries in order.
fn atom(xml: &str) -> (String, String, Vec<AtomEntry>) {
    let doc = parse(xml);
    let feed = doc.root_element();
    assert!(feed.has_tag_name((ATOM, "feed")), "not an Atom feed");
    for required in ["id", "title", "updated"] {
        child(feed, (ATOM, required));
    }
    let self_link = children(feed, (ATOM, "link"))
        .find(|l| l.attribute("rel") == Some("self"))
        .and_then(|l| l.attribute("href"))
        .unwrap_or_default()
        .to_owned();
    let entries = children(feed, (ATOM, "entry"))
        .map(|e| {
            let author = child(e, (ATOM, "author"));
            let content = child(e, (ATOM, "content"));
            AtomEntry {
                id: text(e, (ATOM, "id")),
                title: text(e, (ATOM, "title")),
                link: child(e, (ATOM, "link"))
                    .attribute("href")
                    .unwrap_or_default()
                    .to_owned(),
                published: text(e, (ATOM, "published")),
                updated: text(e, (ATOM, "updated")),
                author: text(author, (ATOM, "name")),
                author_uri: text(author, (ATOM, "uri")),
                category: e
                    .children()
                    .find(|c| c.has_tag_name((ATOM, "category")))
                    .and_then(|c| c.attribute("label"))
                    .map(str::to_owned),
                summary: e
                    .children()
                    .find(|c| c.has_tag_name((ATOM, "summary")))
                    .and_then(|s| s.text())
                    .unwrap_or_default()
                    .to_owned(),
                content_type: content.attribute("type").unwrap_or_default().to_owned(),
                content: content.text().unwrap_or_default().to_owned(),
            }
        })
        .collect();
    (text(feed, (ATOM, "title")), self_link, entries)
}

/// `(loc, lastmod)` of every `<sitemap>` or `<url>` under a sitemap root.
fn locs(xml: &str, root_name: &str, item: &'static str) -> Vec<(String, String)> {
    let doc = parse(xml);
    let root = doc.root_element();
    assert!(
        root.has_tag_name((SITEMAP, root_name)),
        "expected <{root_name}>, got <{}>",
        root.tag_name().name()
    );
    children(root, (SITEMAP, item))
        .map(|n| {
            let lastmod = n
                .children()
                .find(|c| c.has_tag_name((SITEMAP, "lastmod")))
                .and_then(|c| c.text())
                .unwrap_or_default();
            (text(n, (SITEMAP, "loc")), lastmod.to_owned())
        })
        .collect()
}

/// The `content` of `<meta {attr}="{key}">`.
fn meta(html: &str, attr: &str, key: &str) -> Option<String> {
    let tags = start_tags(html);
    let found: Vec<_> = tags
        .iter()
        .filter(|t| t.name == "meta" && t.attrs.iter().any(|(n, v)| n == attr && v == key))
        .collect();
    assert!(
        found.len() <= 1,
        "<meta {attr}=\"{key}\"> appears {} times",
        found.len()
    );
    found
        .first()
        .and_then(|t| t.attrs.iter().find(|(n, _)| n == "content"))
        .map(|(_, v)| v.clone())
}

fn attr<'t>(tag: &'t gazette_tests::Tag, name: &str) -> Option<&'t str> {
    tag.attrs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// `(type, href)` of every `<link rel="alternate">` (feed discovery).
fn feed_links(html: &str) -> Vec<(String, String)> {
    start_tags(html)
        .iter()
        .filter(|t| t.name == "link" && attr(t, "rel") == Some("alternate"))
        .map(|t| {
            (
                attr(t, "type").unwrap_or_default().to_owned(),
                attr(t, "href").unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn canonical(html: &str) -> Option<String> {
    start_tags(html)
        .iter()
        .find(|t| t.name == "link" && attr(t, "rel") == Some("canonical"))
        .and_then(|t| attr(t, "href").map(str::to_owned))
}

fn title_of(html: &str) -> String {
    let start = html.find("<title>").expect("<title>") + "<title>".len();
    let end = html[start..].find("</title>").expect("</title>") + start;
    gazette_tests::unescape(&html[start..end])
}

/// The page's one JSON-LD block, parsed.
fn json_ld(html: &str) -> Value {
    const OPEN: &str = "<script type=\"application/ld+json\">";
    assert_eq!(html.matches(OPEN).count(), 1, "exactly one JSON-LD block");
    let start = html.find(OPEN).expect("JSON-LD block") + OPEN.len();
    let end = html[start..]
        .find("</script>")
        .expect("end of the JSON-LD block")
        + start;
    serde_json::from_str(&html[start..end])
        .unwrap_or_else(|e| panic!("JSON-LD does not parse ({e}): {}", &html[start..end]))
}

fn titles<'a>(it: impl Iterator<Item = &'a str>) -> Vec<String> {
    it.map(str::to_owned).collect()
}

http_test! {
    /// `/feed.xml` and `/atom.xml`: public articles only, newest first, each
    /// with its permalink, dates, author, category, summary and whole text.
    fn site_feeds_carry_public_articles(app: &TestApp) {
        let admin = site(app);
        let city = category(app, &admin, "City");
        let older = publish(app, &admin, "Council meets", Some(&city), 5);
        let newer = publish(app, &admin, "Bridge reopens", None, 1);
        let (draft, future) = unpublished(app, &admin, Some(&city));

        let (title, self_link, items) = rss(&fetch(app, "/feed.xml", RSS_TYPE));
        assert_eq!(title, SITE_TITLE);
        assert_eq!(self_link, url("/feed.xml"));
        assert_eq!(titles(items.iter().map(|i| i.title.as_str())), vec!["Bridge reopens", "Council meets"], "newest first, public only");
        let i = &items[1];
        let permalink = url(&format!("/articles/{}", older.slug));
        assert_eq!((i.link.as_str(), i.guid.as_str()), (permalink.as_str(), permalink.as_str()));
        assert!(i.guid_is_permalink);
        assert_eq!(Some(i.pub_date), older.published_at);
        assert_eq!(i.creator, admin.display_name);
        assert_eq!(i.categories, vec!["City"]);
        assert!(items[0].categories.is_empty(), "no category, no <category>");
        assert_eq!(i.description, "Summary of Council meets.");
        assert!(i.content.contains("<p>The story of Council meets.</p>"), "{}", i.content);
        assert!(i.content.contains("<h2>What happened next</h2>"), "headings are part of the content: {}", i.content);
        assert!(i.content.contains("<strong>well</strong>"));
        assert!(i.content.contains(&format!("href=\"{BASE}/articles/elsewhere\"")), "links made absolute: {}", i.content);

        let (title, self_link, entries) = atom(&fetch(app, "/atom.xml", ATOM_TYPE));
        assert_eq!(title, SITE_TITLE);
        assert_eq!(self_link, url("/atom.xml"));
        assert_eq!(titles(entries.iter().map(|e| e.title.as_str())), vec!["Bridge reopens", "Council meets"]);
        let e = &entries[1];
        assert_eq!((e.id.as_str(), e.link.as_str()), (permalink.as_str(), permalink.as_str()));
        assert_eq!(e.published, iso(older.published_at.expect("published")));
        assert_eq!(e.updated, iso(older.updated_at.max(older.published_at.expect("published"))));
        assert_eq!(e.author, admin.display_name);
        assert_eq!(e.author_uri, url(&format!("/author/{}", admin.slug)));
        assert_eq!(e.category.as_deref(), Some("City"));
        assert_eq!(e.summary, "Summary of Council meets.");
        assert_eq!(e.content_type, "html");
        assert!(e.content.contains("<h2>What happened next</h2>"), "{}", e.content);
        assert_eq!(entries[0].link, url(&format!("/articles/{}", newer.slug)));

        for hidden in [&draft, &future] {
            for path in ["/feed.xml", "/atom.xml"] {
                assert!(!app.new_browser().get(path).body.contains(&hidden.title), "{} leaked into {path}", hidden.title);
            }
        }
    }

    /// A category's feeds hold only that category; an author's only theirs;
    /// unknown slugs and authors without public work are 404.
    fn category_and_author_feeds_are_scoped(app: &TestApp) {
        let admin = site(app);
        let city = category(app, &admin, "City");
        let sport = category(app, &admin, "Sport");
        let reporter = app.with_db(|c| fixtures::user_named(c, Role::Editor, "Rita Reporter"));
        publish(app, &admin, "Council meets", Some(&city), 3);
        publish(app, &reporter, "Tram line opens", Some(&city), 2);
        publish(app, &admin, "Cup final tonight", Some(&sport), 1);
        unpublished(app, &reporter, Some(&city));

        let (title, self_link, items) = rss(&fetch(app, "/category/city/feed.xml", RSS_TYPE));
        assert_eq!(title, format!("City · {SITE_TITLE}"));
        assert_eq!(self_link, url("/category/city/feed.xml"));
        assert_eq!(titles(items.iter().map(|i| i.title.as_str())), vec!["Tram line opens", "Council meets"]);
        let (_, self_link, entries) = atom(&fetch(app, "/category/sport/atom.xml", ATOM_TYPE));
        assert_eq!(self_link, url("/category/sport/atom.xml"));
        assert_eq!(titles(entries.iter().map(|e| e.title.as_str())), vec!["Cup final tonight"]);

        let (title, _, items) = rss(&fetch(app, &format!("/author/{}/feed.xml", reporter.slug), RSS_TYPE));
        assert_eq!(title, format!("Rita Reporter · {SITE_TITLE}"));
        assert_eq!(titles(items.iter().map(|i| i.title.as_str())), vec!["Tram line opens"]);
        assert!(items.iter().all(|i| i.creator == "Rita Reporter"));
        let (_, _, entries) = atom(&fetch(app, &format!("/author/{}/atom.xml", admin.slug), ATOM_TYPE));
        assert_eq!(titles(entries.iter().map(|e| e.title.as_str())), vec!["Cup final tonight", "Council meets"]);

        let quiet = app.with_db(|c| fixtures::user_named(c, Role::Contributor, "Quiet Contributor"));
        let quiet_page = app.new_browser().get(&format!("/author/{}", quiet.slug));
        assert!(
            !feed_links(&quiet_page.body).iter().any(|(_, href)| href.contains(&quiet.slug)),
            "no feed is offered for an author without public articles"
        );
        for path in [
            "/category/no-such-thing/feed.xml".to_owned(),
            "/category/no-such-thing/atom.xml".to_owned(),
            "/author/nobody/feed.xml".to_owned(),
            format!("/author/{}/atom.xml", quiet.slug),
            "/category/Not_A_Slug/feed.xml".to_owned(),
        ] {
            assert_eq!(app.new_browser().get(&path).status, 404, "GET {path}");
        }
    }

    /// The latest 20, whatever the archive holds.
    fn feeds_hold_the_latest_twenty(app: &TestApp) {
        let admin = site(app);
        for n in 1..=22 {
            publish(app, &admin, &format!("Story number {n}"), None, 100 - n);
        }
        let (_, _, items) = rss(&fetch(app, "/feed.xml", RSS_TYPE));
        assert_eq!(items.len(), 20);
        assert_eq!(items[0].title, "Story number 22");
        assert_eq!(items[19].title, "Story number 3");
        assert!(items.windows(2).all(|w| w[0].pub_date >= w[1].pub_date), "newest first");
        let (_, _, entries) = atom(&fetch(app, "/atom.xml", ATOM_TYPE));
        assert_eq!(entries.len(), 20);
    }

    /// Feeds revalidate like pages (ETag → 304) and answer HEAD; an empty
    /// site still has well-formed feeds and sitemaps.
    fn feeds_have_validators_and_survive_an_empty_site(app: &TestApp) {
        site(app);
        let (_, _, items) = rss(&fetch(app, "/feed.xml", RSS_TYPE));
        assert!(items.is_empty());
        let (_, _, entries) = atom(&fetch(app, "/atom.xml", ATOM_TYPE));
        assert!(entries.is_empty());
        let index = locs(&fetch(app, "/sitemap.xml", XML_TYPE), "sitemapindex", "sitemap");
        assert_eq!(index.iter().map(|(l, _)| l.clone()).collect::<Vec<_>>(), vec![url("/sitemaps/pages.xml"), url("/sitemaps/news.xml")]);
        assert!(locs(&fetch(app, "/sitemaps/news.xml", XML_TYPE), "urlset", "url").is_empty());
        assert_eq!(app.new_browser().get("/sitemaps/articles-1.xml").status, 404);

        let b = app.new_browser();
        for (path, ty) in [("/feed.xml", RSS_TYPE), ("/atom.xml", ATOM_TYPE), ("/sitemap.xml", XML_TYPE)] {
            let first = b.get(path);
            let etag = first.header("etag").expect("ETag").to_owned();
            let again = b.get_with(path, &[("If-None-Match", etag.as_str())]);
            assert_eq!(again.status, 304, "GET {path} with its ETag");
            let head = b.client.head(b.url(path)).send().expect("HEAD");
            assert_eq!(head.status().as_u16(), 200, "HEAD {path}");
            assert_eq!(head.headers().get("content-type").and_then(|v| v.to_str().ok()), Some(ty));
        }
    }

    /// Text that is hostile to XML or HTML stays text: control characters
    /// are dropped, `]]>` survives CDATA, `</script>` cannot end JSON-LD.
    fn hostile_text_keeps_feeds_and_json_ld_well_formed(app: &TestApp) {
        let admin = site(app);
        let title = "Bell\u{7} </script><!-- & \"quotes\" <b>";
        let a = app.with_db(|c| {
            fixtures::create(
                c,
                &admin,
                ArticleInput {
                    standfirst: "Ends with ]]> and <tags> & more".into(),
                    sections: vec![fixtures::section("Code ]]> here", "Inline `a ]]> b` and <script>alert(1)</script> text.")],
                    ..fixtures::article(title)
                },
                SaveAction::Publish,
            )
        });
        let clean = "Bell </script><!-- & \"quotes\" <b>";
        let (_, _, items) = rss(&fetch(app, "/feed.xml", RSS_TYPE));
        assert_eq!(items[0].title, clean);
        assert_eq!(items[0].description, "Ends with ]]> and <tags> & more");
        assert!(items[0].content.contains("a ]]&gt; b"), "{}", items[0].content);
        assert!(items[0].content.contains("<h2>Code ]]&gt; here</h2>"), "{}", items[0].content);
        assert!(!items[0].content.contains("<script>"), "the sanitiser ran: {}", items[0].content);
        let (_, _, entries) = atom(&fetch(app, "/atom.xml", ATOM_TYPE));
        assert_eq!(entries[0].title, clean);
        assert!(entries[0].content.contains("<h2>Code ]]&gt; here</h2>"));
        let news = parse(&fetch(app, "/sitemaps/news.xml", XML_TYPE)).root_element().descendants().find(|n| n.has_tag_name((NEWS, "title"))).and_then(|n| n.text()).map(str::to_owned);
        assert_eq!(news.as_deref(), Some(clean));

        let page = app.new_browser().get(&format!("/articles/{}", a.slug));
        assert_eq!(page.status, 200);
        assert!(gazette_tests::live_script(&page.body).is_empty(), "{:?}", gazette_tests::live_script(&page.body));
        let ld = json_ld(&page.body);
        assert_eq!(ld["headline"], a.title.as_str(), "JSON escaping round-trips");
    }

    /// Every public page offers the site's feeds; category and author pages
    /// their own as well; each offered feed exists.
    fn pages_offer_their_feeds(app: &TestApp) {
        let admin = site(app);
        let city = category(app, &admin, "City");
        let a = publish(app, &admin, "Council meets", Some(&city), 1);
        let site_feeds = vec![
            ("application/rss+xml".to_owned(), url("/feed.xml")),
            ("application/atom+xml".to_owned(), url("/atom.xml")),
        ];
        let visitor = app.new_browser();
        for path in ["/".to_owned(), format!("/articles/{}", a.slug), "/no/such/page".to_owned()] {
            assert_eq!(feed_links(&visitor.get(&path).body), site_feeds, "GET {path}");
        }
        for own in ["/category/city".to_owned(), format!("/author/{}", admin.slug)] {
            let mut expected = site_feeds.clone();
            expected.push(("application/rss+xml".into(), url(&format!("{own}/feed.xml"))));
            expected.push(("application/atom+xml".into(), url(&format!("{own}/atom.xml"))));
            let links = feed_links(&visitor.get(&own).body);
            assert_eq!(links, expected, "GET {own}");
            for (ty, href) in links {
                let path = href.strip_prefix(BASE).expect("absolute, from base_url");
                let body = fetch(app, path, &format!("{ty}; charset=utf-8"));
                parse(&body);
            }
        }
    }

    /// The index lists the page sitemap, every article page and the news
    /// sitemap; article pages split by id range at the configured size and
    /// hold exactly the public articles.
    fn sitemaps_split_into_pages(app: &TestApp) {
        let admin = site(app);
        app.with_db(|c| cms_core::settings::set_value(c, SITEMAP_PAGE_SIZE_KEY, "2")).expect("page size");
        let mut public = Vec::new();
        for n in 1..=5 {
            public.push(publish(app, &admin, &format!("Report {n}"), None, 10 - n));
            if n == 2 {
                unpublished(app, &admin, None);
            }
        }
        let expected_pages: BTreeSet<i64> = public.iter().map(|a| i64::from(a.id - 1) / 2 + 1).collect();

        let index = locs(&fetch(app, "/sitemap.xml", XML_TYPE), "sitemapindex", "sitemap");
        let listed: Vec<String> = index.iter().map(|(l, _)| l.clone()).collect();
        let mut expected = vec![url("/sitemaps/pages.xml")];
        expected.extend(expected_pages.iter().map(|n| url(&format!("/sitemaps/articles-{n}.xml"))));
        expected.push(url("/sitemaps/news.xml"));
        assert_eq!(listed, expected);

        let mut seen = Vec::new();
        for n in &expected_pages {
            let path = format!("/sitemaps/articles-{n}.xml");
            let urls = locs(&fetch(app, &path, XML_TYPE), "urlset", "url");
            assert!(!urls.is_empty() && urls.len() <= 2, "{path}: {urls:?}");
            let on_page: Vec<&Article> = public.iter().filter(|a| i64::from(a.id - 1) / 2 + 1 == *n).collect();
            let newest = on_page.iter().map(|a| a.updated_at).max().expect("articles on the page");
            let (_, lastmod) = index.iter().find(|(l, _)| l.ends_with(&path)).expect("listed");
            assert_eq!(lastmod, &iso(newest), "{path}'s lastmod in the index");
            for (loc, lastmod) in urls {
                let a = public.iter().find(|a| url(&format!("/articles/{}", a.slug)) == loc).unwrap_or_else(|| panic!("{loc} is not a public article"));
                assert_eq!(lastmod, iso(a.updated_at));
                seen.push(a.id);
            }
        }
        seen.sort_unstable();
        assert_eq!(seen, public.iter().map(|a| a.id).collect::<Vec<_>>(), "every public article exactly once");

        // At a size of whole id blocks (the default and round sizes) the
        // index is summed from the per-block summary instead: the same pages.
        app.with_db(|c| cms_core::settings::set_value(c, SITEMAP_PAGE_SIZE_KEY, "1000")).expect("page size");
        let index = locs(&fetch(app, "/sitemap.xml", XML_TYPE), "sitemapindex", "sitemap");
        let newest = public.iter().map(|a| a.updated_at).max().expect("articles");
        assert_eq!(index, vec![
            (url("/sitemaps/pages.xml"), String::new()),
            (url("/sitemaps/articles-1.xml"), iso(newest)),
            (url("/sitemaps/news.xml"), String::new()),
        ]);

        let b = app.new_browser();
        for path in ["/sitemaps/articles-0.xml", "/sitemaps/articles-01.xml", "/sitemaps/articles-99.xml", "/sitemaps/articles-x.xml", "/sitemaps/articles-99999999999999999999.xml"] {
            assert_eq!(b.get(path).status, 404, "GET {path}");
        }
    }

    /// The page sitemap: home, every category, authors with public work only.
    fn page_sitemap_lists_listings(app: &TestApp) {
        let admin = site(app);
        let city = category(app, &admin, "City");
        category(app, &admin, "Empty section");
        let a = publish(app, &admin, "Council meets", Some(&city), 1);
        let quiet = app.with_db(|c| fixtures::user_named(c, Role::Author, "Quiet Author"));
        app.with_db(|c| fixtures::create(c, &quiet, input("Unfinished", Some(&city), 1), SaveAction::Save));

        let urls = locs(&fetch(app, "/sitemaps/pages.xml", XML_TYPE), "urlset", "url");
        let loc_list: Vec<&str> = urls.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(loc_list, vec![url("/"), url("/category/city"), url("/category/empty-section"), url(&format!("/author/{}", admin.slug))]);
        let city_mod = &urls[1].1;
        assert_eq!(city_mod, &iso(a.updated_at.max(city.updated_at)));
        let newest = a.updated_at.max(a.published_at.expect("published"));
        assert_eq!(&urls[3].1, &iso(newest.max(admin.updated_at)), "the author's newest article");
        assert!(!loc_list.iter().any(|l| l.contains(&quiet.slug)), "no page for authors without public articles");
    }

    /// Google News: the last 48 hours only, with the publication's name and language.
    fn news_sitemap_covers_two_days(app: &TestApp) {
        let admin = site(app);
        publish(app, &admin, "Three days old", None, 72);
        let yesterday = publish(app, &admin, "Almost two days old", None, 47);
        let fresh = publish(app, &admin, "An hour old", None, 1);
        unpublished(app, &admin, None);

        let xml = fetch(app, "/sitemaps/news.xml", XML_TYPE);
        let doc = parse(&xml);
        let root = doc.root_element();
        assert!(root.has_tag_name((SITEMAP, "urlset")));
        let entries: Vec<(String, String, String, String, String)> = children(root, (SITEMAP, "url"))
            .map(|u| {
                let news = child(u, (NEWS, "news"));
                let publication = child(news, (NEWS, "publication"));
                (
                    text(u, (SITEMAP, "loc")),
                    text(publication, (NEWS, "name")),
                    text(publication, (NEWS, "language")),
                    text(news, (NEWS, "publication_date")),
                    text(news, (NEWS, "title")),
                )
            })
            .collect();
        let expected: Vec<(String, String, String, String, String)> = [&fresh, &yesterday]
            .iter()
            .map(|a| (url(&format!("/articles/{}", a.slug)), SITE_TITLE.to_owned(), "en".to_owned(), iso(a.published_at.expect("published")), a.title.clone()))
            .collect();
        assert_eq!(entries, expected);
    }

    fn robots_txt_points_at_the_sitemap(app: &TestApp) {
        site(app);
        let body = fetch(app, "/robots.txt", "text/plain; charset=utf-8");
        let lines: Vec<&str> = body.lines().map(str::trim).collect();
        for line in ["User-agent: *", "Allow: /", "Disallow: /admin", "Disallow: /api/v1/admin"] {
            assert!(lines.contains(&line), "{line} missing from:\n{body}");
        }
        let sitemap = format!("Sitemap: {BASE}/sitemap.xml");
        assert!(lines.contains(&sitemap.as_str()), "{body}");
        parse(&fetch(app, "/sitemap.xml", XML_TYPE));
    }

    /// Without overrides: the title and standfirst everywhere, Open Graph,
    /// Twitter and `article:*` tags, and a JSON-LD NewsArticle.
    fn article_head_defaults(app: &TestApp) {
        let admin = site(app);
        let city = category(app, &admin, "City");
        let a = publish(app, &admin, "Council meets", Some(&city), 2);
        let page = fetch(app, &format!("/articles/{}", a.slug), "text/html; charset=utf-8");
        let permalink = url(&format!("/articles/{}", a.slug));
        let published = iso(a.published_at.expect("published"));
        let modified = iso(a.updated_at);
        let author_url = url(&format!("/author/{}", admin.slug));

        assert_eq!(title_of(&page), format!("Council meets · {SITE_TITLE}"));
        assert_eq!(meta(&page, "name", "description").as_deref(), Some("Summary of Council meets."));
        assert_eq!(canonical(&page).as_deref(), Some(permalink.as_str()));
        for (key, value) in [
            ("og:type", "article"),
            ("og:title", "Council meets"),
            ("og:description", "Summary of Council meets."),
            ("og:url", permalink.as_str()),
            ("og:site_name", SITE_TITLE),
            ("article:published_time", published.as_str()),
            ("article:modified_time", modified.as_str()),
            ("article:author", author_url.as_str()),
            ("article:section", "City"),
        ] {
            assert_eq!(meta(&page, "property", key).as_deref(), Some(value), "{key}");
        }
        assert_eq!(meta(&page, "name", "twitter:card").as_deref(), Some("summary"), "no image, small card");
        assert_eq!(meta(&page, "name", "twitter:title").as_deref(), Some("Council meets"));
        assert_eq!(meta(&page, "property", "og:image"), None, "no cover image yet");

        let ld = json_ld(&page);
        assert_eq!(ld["@context"], "https://schema.org");
        assert_eq!(ld["@type"], "NewsArticle");
        assert_eq!(ld["headline"], "Council meets");
        assert_eq!(ld["description"], "Summary of Council meets.");
        assert_eq!(ld["datePublished"], published.as_str());
        assert_eq!(ld["dateModified"], modified.as_str());
        assert_eq!(ld["author"], json!([{"@type": "Person", "name": admin.display_name, "url": author_url}]));
        assert_eq!(ld["publisher"]["@type"], "Organization");
        assert_eq!(ld["publisher"]["name"], SITE_TITLE);
        assert_eq!(ld["mainEntityOfPage"], json!({"@type": "WebPage", "@id": permalink}));
        assert_eq!(ld["articleSection"], "City");
        assert!(ld.get("image").is_none(), "image only when there is one");
        assert!(DateTime::parse_from_rfc3339(ld["datePublished"].as_str().expect("date")).is_ok());

        // Listing pages are websites, not articles.
        let home = fetch(app, "/", "text/html; charset=utf-8");
        assert_eq!(meta(&home, "property", "og:type").as_deref(), Some("website"));
        assert!(!home.contains("application/ld+json"));
    }

    /// Overrides typed in the editor win in the head and JSON-LD (the
    /// headline stays the article's title); limits are enforced with the
    /// input kept; emptied, the defaults return.
    fn editor_meta_overrides(app: &TestApp) {
        let admin_user = site(app);
        let admin = &app.browser;
        let form = ArticleForm { standfirst: "The standfirst.".into(), ..ArticleForm::new("Budget approved") };
        let with_meta = |csrf: &str, action: &str, title: &str, description: &str| {
            let mut pairs = form.pairs(csrf, action);
            pairs.push(("meta_title".into(), title.into()));
            pairs.push(("meta_description".into(), description.into()));
            pairs
        };

        let too_long = "T".repeat(71);
        let csrf = admin.csrf("/admin/articles/new");
        let r = admin.post("/admin/articles/new", &with_meta(&csrf, "publish", &too_long, &"D".repeat(201)));
        assert_eq!(r.status, 422, "{}", r.snippet());
        assert_eq!(input_value(&r.body, "meta_title").as_deref(), Some(too_long.as_str()), "the input is kept");
        assert!(r.body.contains("search engines show about 70"), "{}", r.snippet());
        assert!(r.body.contains("use at most 200"), "{}", r.snippet());
        assert_eq!(app.article_count(), 0);

        let r = admin.post("/admin/articles/new", &with_meta(&csrf, "publish", "  Budget: what changes  ", "Who pays more,\nwho pays less."));
        assert_eq!(r.status, 303, "{}", r.snippet());
        let id = r.edited_article_id();
        let a = app.article(id).expect("article");
        assert_eq!(a.meta_title, "Budget: what changes");
        assert_eq!(a.meta_description, "Who pays more, who pays less.", "one line");
        let editor = admin.get(&format!("/admin/articles/{id}/edit"));
        assert_eq!(input_value(&editor.body, "meta_title").as_deref(), Some("Budget: what changes"));
        assert!(editor.body.contains(">Who pays more, who pays less.</textarea>"));

        let page = fetch(app, &format!("/articles/{}", a.slug), "text/html; charset=utf-8");
        assert_eq!(title_of(&page), format!("Budget: what changes · {SITE_TITLE}"));
        assert_eq!(meta(&page, "name", "description").as_deref(), Some("Who pays more, who pays less."));
        assert_eq!(meta(&page, "property", "og:title").as_deref(), Some("Budget: what changes"));
        assert_eq!(meta(&page, "property", "og:description").as_deref(), Some("Who pays more, who pays less."));
        assert_eq!(meta(&page, "name", "twitter:description").as_deref(), Some("Who pays more, who pays less."));
        let ld = json_ld(&page);
        assert_eq!(ld["headline"], "Budget approved");
        assert_eq!(ld["description"], "Who pays more, who pays less.");
        assert_eq!(ld["author"][0]["name"], admin_user.display_name.as_str());

        let r = admin.edit_article(id, &form, "save");
        assert_eq!(r.status, 303, "{}", r.snippet());
        let page = fetch(app, &format!("/articles/{}", a.slug), "text/html; charset=utf-8");
        assert_eq!(title_of(&page), format!("Budget approved · {SITE_TITLE}"), "empty override: the title");
        assert_eq!(meta(&page, "name", "description").as_deref(), Some("The standfirst."));
    }

    /// The Admin API reads and writes the overrides.
    fn admin_api_meta_fields(app: &TestApp) {
        site(app);
        let (_, token) = app.with_db(|c| {
            let u = fixtures::user(c, Role::Editor);
            let t = cms_core::api_tokens::create(c, &u, "test", "write").expect("token");
            (u, t.secret)
        });
        let client = reqwest::blocking::Client::new();
        let call = |method: reqwest::Method, path: &str, body: Value| -> (u16, Value) {
            let r = client.request(method, format!("{}{path}", app.base_url)).bearer_auth(&token).json(&body).send().expect("request");
            let status = r.status().as_u16();
            (status, r.json().unwrap_or(Value::Null))
        };
        let (status, created) = call(reqwest::Method::POST, "/api/v1/admin/articles", json!({
            "title": "Ferry timetable", "sections": [{"body": "New times."}],
            "meta_title": "Ferry times for winter", "meta_description": "Every crossing, every day."
        }));
        assert_eq!(status, 201, "{created}");
        assert_eq!(created["meta_title"], "Ferry times for winter");
        assert_eq!(created["meta_description"], "Every crossing, every day.");
        let id = created["id"].as_i64().expect("id");

        let (status, patched) = call(reqwest::Method::PATCH, &format!("/api/v1/admin/articles/{id}"), json!({"meta_title": "", "version": 1}));
        assert_eq!(status, 200, "{patched}");
        assert_eq!(patched["meta_title"], "");
        assert_eq!(patched["meta_description"], "Every crossing, every day.", "PATCH keeps what it does not mention");

        let (status, problem) = call(reqwest::Method::PATCH, &format!("/api/v1/admin/articles/{id}"), json!({"meta_description": "x".repeat(201), "version": 2}));
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "meta_description");
    }
}
