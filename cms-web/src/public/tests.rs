//! The public pages over the real app wiring, on a throw-away SQLite database.

use std::sync::{Arc, Mutex};

use actix_web::http::{header, StatusCode};
use actix_web::test;
use cms_core::articles::{self, ArticleInput, SaveAction, SectionInput};
use cms_core::users::{self, NewUserInput, User};
use cms_core::{db, sample, sessions, settings, DatabaseUrl, DbConnection, DbPool};

use crate::config::Config;
use crate::hooks::{PageView, SiteHooks, WidgetContext};
use crate::state::AppState;

/// Renders one marker widget per slot and records page views.
#[derive(Default)]
struct RecordingHooks {
    views: Mutex<Vec<PageView>>,
}

impl SiteHooks for RecordingHooks {
    fn widgets(&self, ctx: &WidgetContext) -> Vec<String> {
        vec![format!(
            "<p class=\"test-widget\">widget:{}</p>",
            ctx.slot.as_str()
        )]
    }
    fn page_view(&self, view: PageView) {
        if let Ok(mut v) = self.views.lock() {
            v.push(view);
        }
    }
}

impl RecordingHooks {
    fn views(&self) -> Vec<PageView> {
        self.views.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

struct Site {
    _dir: tempfile::TempDir,
    pool: DbPool,
}

impl Site {
    fn new(with_samples: bool) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = DatabaseUrl::Sqlite(dir.path().join("public.db"));
        let pool = db::connect(&url, 2).expect("pool");
        let mut conn = pool.get().expect("connection");
        db::run_migrations(&mut conn).expect("migrations");
        if with_samples {
            assert!(sample::load_if_new_site(&mut conn).expect("samples"));
        }
        drop(conn);
        Site { _dir: dir, pool }
    }

    fn conn(&self) -> db::PooledConn {
        self.pool.get().expect("connection")
    }

    fn state(&self, hooks: Option<Arc<RecordingHooks>>) -> AppState {
        let config = Config {
            database_url: "unused-in-tests".into(),
            ..Config::default()
        };
        let mut state = AppState::new(self.pool.clone(), config);
        if let Some(h) = hooks {
            state.hooks = h;
        }
        state
    }
}

fn editor(conn: &mut DbConnection, password: Option<&str>) -> User {
    users::create(
        conn,
        NewUserInput {
            email: "ed@example.com".into(),
            display_name: "Edna Editor".into(),
            role: "editor".into(),
            password: password.map(str::to_owned),
            ..Default::default()
        },
    )
    .expect("editor")
}

async fn get(
    state: &AppState,
    uri: &str,
    headers: &[(header::HeaderName, String)],
) -> (StatusCode, String, Option<String>) {
    let app = test::init_service(crate::build_app(state.clone())).await;
    let mut req = test::TestRequest::get().uri(uri);
    for (k, v) in headers {
        req = req.insert_header((k.clone(), v.clone()));
    }
    let resp = test::call_service(&app, req.to_request()).await;
    let status = resp.status();
    let etag = resp
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = String::from_utf8(test::read_body(resp).await.to_vec()).expect("utf-8");
    (status, body, etag)
}

#[actix_web::test]
async fn home_lists_samples_with_widgets() {
    let site = Site::new(true);
    let hooks = Arc::new(RecordingHooks::default());
    let state = site.state(Some(hooks.clone()));
    let (status, body, etag) = get(&state, "/", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(etag.is_some());
    assert_eq!(body.matches("<li class=\"card").count(), 4);
    assert!(body.contains("<span class=\"badge\">Sample</span>"));
    assert!(body.contains("<link rel=\"canonical\" href=\"http://127.0.0.1:8080/\">"));
    assert!(body.contains("href=\"/category/city\""));
    assert!(body.contains("href=\"/author/gazette-newsroom\""));
    assert!(body.contains("<aside"));
    assert!(body.contains("data-slot=\"home_sidebar\""));
    assert!(body.contains("<p class=\"test-widget\">widget:home_sidebar</p>"));
    assert!(!body.contains("style="));
    assert!(!body.contains("<script"));
    // Listing pages are not article views.
    assert!(hooks.views().is_empty());
}

#[actix_web::test]
async fn article_page_renders_and_counts_views() {
    let site = Site::new(true);
    let hooks = Arc::new(RecordingHooks::default());
    let state = site.state(Some(hooks.clone()));
    let uri = "/articles/harbour-bridge-reopens";
    let (status, body, etag) = get(&state, uri, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<h1>Harbour Bridge reopens after fourteen-month restoration</h1>"));
    assert!(body.contains("class=\"standfirst\""));
    assert!(body.contains("href=\"/author/gazette-newsroom\""));
    assert!(body.contains("href=\"/category/city\""));
    assert!(body.contains("<time datetime=\""));
    assert!(body.contains("min read"));
    assert!(body.contains("<a href=\"#cost-and-timetable\">Cost and timetable</a>"));
    assert!(body.contains("<h2 id=\"cost-and-timetable\">Cost and timetable</h2>"));
    assert!(body.contains("<strong>protected cycle lane</strong>"));
    assert!(body.contains("Related News"));
    assert!(body.contains("href=\"/articles/council-passes-budget\""));
    assert!(body.contains("rel=\"noopener noreferrer\""));
    assert!(body.contains(">example.org<"));
    assert!(body.contains("data-slot=\"sidebar\""));
    assert!(body.contains("data-slot=\"after_article\""));
    assert!(body.contains("widget:after_article"));
    assert!(!body.contains("style="));

    let views = hooks.views();
    assert_eq!(views.len(), 1);
    assert!(views[0].article_id.is_some());
    assert_eq!(&*views[0].path, uri);
    assert!(!views[0].is_staff);

    // A revalidation is a 304 and still a view.
    let etag = etag.expect("etag");
    let (status, _, _) = get(&state, uri, &[(header::IF_NONE_MATCH, etag.clone())]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(hooks.views().len(), 2);

    // Logged-in staff see exactly the same page; the view is flagged.
    let token = {
        let mut conn = site.conn();
        let ed = editor(&mut conn, Some("correct horse battery"));
        sessions::create(&mut conn, ed.id, chrono::Duration::hours(1))
            .expect("session")
            .token
    };
    let cookie = format!("{}={token}", crate::auth::SESSION_COOKIE);
    let (status, _, staff_etag) = get(&state, uri, &[(header::COOKIE, cookie)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(staff_etag.as_deref(), Some(etag.as_str()));
    let views = hooks.views();
    assert_eq!(views.len(), 3);
    assert!(views[2].is_staff);
}

#[actix_web::test]
async fn no_widgets_means_no_aside() {
    let site = Site::new(true);
    let state = site.state(None);
    let (_, body, _) = get(&state, "/", &[]).await;
    assert!(!body.contains("<aside"));
    assert!(!body.contains("widget-slot"));
    let (_, body, _) = get(&state, "/articles/eastgate-library-opens", &[]).await;
    assert!(!body.contains("<aside"));
    assert!(!body.contains("widget-slot"));
}

#[actix_web::test]
async fn pagination_and_page_past_the_end() {
    let site = Site::new(true);
    settings::set_value(&mut site.conn(), "site.per_page", "3").expect("per_page");
    let state = site.state(None);
    let (status, body, _) = get(&state, "/", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.matches("<li class=\"card").count(), 3);
    assert!(body.contains("<link rel=\"next\" href=\"/?page=2\">"));
    assert!(body.contains("rel=\"next\">Older articles"));
    assert!(!body.contains("rel=\"prev\""));

    let (status, body, _) = get(&state, "/?page=2", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.matches("<li class=\"card").count(), 1);
    assert!(body.contains("<link rel=\"prev\" href=\"/\">"));
    assert!(body.contains("<link rel=\"canonical\" href=\"http://127.0.0.1:8080/?page=2\">"));
    assert!(!body.contains("rel=\"next\""));

    for uri in ["/?page=3", "/?page=0", "/?page=x", "/category/city?page=9"] {
        let (status, body, _) = get(&state, uri, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(body.contains("Page not found"), "{uri}");
    }
}

#[actix_web::test]
async fn empty_site_has_a_friendly_home() {
    let site = Site::new(false);
    let state = site.state(None);
    let (status, body, _) = get(&state, "/", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Nothing published yet"));
    let (status, _, _) = get(&state, "/?page=2", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn category_and_author_pages() {
    let site = Site::new(true);
    let ed = editor(&mut site.conn(), None);
    let state = site.state(None);

    let (status, body, _) = get(&state, "/category/business", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<h1>Business"));
    assert!(body.contains("Companies, jobs and the local economy."));
    assert_eq!(body.matches("<li class=\"card").count(), 1);
    assert!(body.contains("href=\"/category/business\" aria-current=\"page\""));

    let (status, body, _) = get(&state, "/author/gazette-newsroom", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<h1>Gazette Newsroom"));
    assert_eq!(body.matches("<li class=\"card").count(), 4);
    assert!(!body.contains("newsroom@sample.invalid"));

    // An existing user without public articles has no public page (staff
    // accounts that never published are not revealed).
    let (status, body, _) = get(&state, &format!("/author/{}", ed.slug), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!body.contains("ed@example.com"));

    for uri in [
        "/category/nope",
        "/author/nobody",
        "/category/UPPER",
        "/author/a--b",
    ] {
        let (status, body, _) = get(&state, uri, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(body.contains("Page not found"), "{uri}");
    }
}

#[actix_web::test]
async fn drafts_and_unknown_paths_are_styled_404s() {
    let site = Site::new(true);
    {
        let mut conn = site.conn();
        let ed = editor(&mut conn, None);
        let input = ArticleInput {
            title: "Secret draft".into(),
            sections: vec![SectionInput {
                heading: String::new(),
                body: "Not yet.".into(),
            }],
            ..Default::default()
        };
        articles::save(&mut conn, &ed, None, None, input, SaveAction::Save).expect("draft");
    }
    let hooks = Arc::new(RecordingHooks::default());
    let state = site.state(Some(hooks.clone()));
    for uri in ["/articles/secret-draft", "/no/such/page", "/articles/"] {
        let (status, body, _) = get(&state, uri, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(body.contains("Page not found"), "{uri}");
        // Inside the public layout: site title and navigation.
        assert!(body.contains("class=\"site-title\""), "{uri}");
        assert!(body.contains("href=\"/category/city\""), "{uri}");
        assert!(body.contains("noindex"), "{uri}");
    }
    assert!(hooks.views().is_empty(), "404s are not views");
}
