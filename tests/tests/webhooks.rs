//! Webhooks end to end: a local receiver gets signed deliveries for what
//! editors do in the admin panel, the Admin API and the scheduler; failures are
//! retried and logged; a dead receiver neither slows saves nor piles up work.
//! Each `http_test!` runs on SQLite and on PostgreSQL.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use cms_core::articles::{self, SaveAction, Status};
use cms_core::roles::Role;
use cms_core::users::User;
use cms_core::webhooks::{self, Delivery, DeliveryStatus, Event, Outcome, Webhook, WebhookInput};
use cms_core::DbConnection;
use cms_web::webhooks::signing;
use gazette_tests::*;
use serde_json::{json, Value};

/// Generous bound for background work (never a speed assertion).
const WAIT: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------- receiver

/// One request the receiver got, and how it answered.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    /// Header names lower-cased.
    headers: Vec<(String, String)>,
    body: String,
    answered: u16,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.body))
    }
    fn event(&self) -> &str {
        self.header("gazette-event").unwrap_or("")
    }
    /// Checks `Gazette-Signature` with `secret` as a receiver would.
    fn assert_signed_with(&self, secret: &str) {
        let header = self
            .header("gazette-signature")
            .expect("Gazette-Signature header");
        let now = chrono::Utc::now().timestamp();
        assert_eq!(
            signing::verify(secret, header, self.body.as_bytes(), now, 300),
            Ok(()),
            "signature {header} over {}",
            self.body
        );
        // The documented construction, spelled out: v1 = hex HMAC-SHA256(secret, "<t>.<body>").
        let t: i64 = header
            .split(',')
            .find_map(|p| p.strip_prefix("t="))
            .and_then(|t| t.parse().ok())
            .expect("t=");
        let v1 = header
            .split(',')
            .find_map(|p| p.strip_prefix("v1="))
            .expect("v1=");
        assert_eq!(v1, signing::signature(secret, t, self.body.as_bytes()));
        assert_eq!(v1.len(), 64, "hex SHA-256");
        // Anything else fails: another secret, or a body changed on the way.
        assert!(signing::verify("whsec_wrong", header, self.body.as_bytes(), now, 300).is_err());
        let tampered = self
            .body
            .replacen("article", "artic1e", 1)
            .replacen("ping", "pong", 1);
        assert!(signing::verify(secret, header, tampered.as_bytes(), now, 300).is_err());
    }
}

/// A tiny HTTP server on 127.0.0.1 that records every request and answers
/// 500 to the first `fail_first` of them, 200 afterwards.
struct Receiver {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Received>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Receiver {
    fn start(fail_first: usize) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the receiver");
        let addr = listener.local_addr().expect("receiver address");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let count = Arc::new(AtomicUsize::new(0));
        let (s, st) = (seen.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut conn) = conn else { continue };
                let n = count.fetch_add(1, Ordering::SeqCst);
                let status = if n < fail_first { 500 } else { 200 };
                if let Some(mut req) = read_request(&mut conn) {
                    req.answered = status;
                    let (reason, text) = if status == 200 {
                        ("OK", "thanks")
                    } else {
                        ("Internal Server Error", "receiver is down for maintenance")
                    };
                    let _ = write!(
                        conn,
                        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                        text.len()
                    );
                    let _ = conn.flush();
                    s.lock().expect("receiver log").push(req);
                }
            }
        });
        Receiver {
            addr,
            seen,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("http://{}/hooks/gazette", self.addr)
    }

    fn requests(&self) -> Vec<Received> {
        self.seen.lock().expect("receiver log").clone()
    }

    /// Waits until at least `n` requests arrived; returns them all.
    fn wait_for(&self, n: usize) -> Vec<Received> {
        eventually(WAIT, &format!("{n} webhook request(s)"), || {
            let r = self.requests();
            (r.len() >= n).then_some(r)
        })
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr); // wakes the accept loop
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Reads one HTTP/1.1 request with a `Content-Length` body.
fn read_request(conn: &mut TcpStream) -> Option<Received> {
    conn.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = conn.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let path = lines.next()?.split(' ').nth(1)?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let n = conn.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Received {
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        answered: 0,
    })
}

/// A URL nothing listens on: connections are refused at once.
fn dead_url() -> String {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("address");
    drop(l);
    format!("http://{addr}/hooks/gazette")
}

// ---------------------------------------------------------------- helpers

fn all_events() -> Vec<String> {
    Event::SUBSCRIBABLE
        .iter()
        .map(|e| e.as_str().to_owned())
        .collect()
}

/// Creates a webhook directly through the core operation.
fn create_hook(app: &TestApp, admin: &User, url: &str, events: &[&str]) -> Webhook {
    let input = WebhookInput {
        name: format!("Hook {}", fixtures::unique()),
        url: url.to_owned(),
        events: events.iter().map(|e| (*e).to_owned()).collect(),
        enabled: true,
    };
    app.with_db(|c| webhooks::create(c, admin, input))
        .expect("create webhook")
}

fn deliveries_of(app: &TestApp, admin: &User, hook: i32) -> Vec<Delivery> {
    app.with_db(|c| webhooks::deliveries(c, admin, hook, 5000))
        .expect("deliveries")
}

fn count_status(list: &[Delivery], status: DeliveryStatus) -> usize {
    list.iter().filter(|d| d.status() == status).count()
}

/// Waits until the worker has recorded an attempt's outcome for this delivery
/// (so it is no longer in flight) and `attempts` reached `n`.
fn wait_recorded(app: &TestApp, admin: &User, hook: i32, delivery: i32, n: i32) -> Delivery {
    eventually(
        WAIT,
        &format!("attempt {n} of delivery {delivery} recorded"),
        || {
            deliveries_of(app, admin, hook)
                .into_iter()
                .find(|d| d.id == delivery && d.attempts >= n && d.locked_until.is_none())
        },
    )
}

/// The signing secret shown on the webhook's page.
fn secret_on_page(html: &str) -> String {
    let start = html
        .find("whsec_")
        .expect("the secret is shown on the webhook page");
    html[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect()
}

/// The site's base URL, as payloads use it.
fn base_url(app: &TestApp) -> String {
    app.with_db(cms_core::settings::load)
        .expect("settings")
        .base_url
}

fn delete_article(b: &Browser, id: i32) {
    let path = format!("/admin/articles/{id}/delete");
    let csrf = b.csrf(&path);
    let r = b.post(&path, &[("csrf_token", csrf.as_str())]);
    assert_eq!(r.status, 303, "delete article: {}", r.snippet());
}

/// Creates a webhook through the admin form; returns its id.
fn create_hook_via_form(b: &Browser, name: &str, url: &str, events: &[&str]) -> i32 {
    let csrf = b.csrf("/admin/webhooks/new");
    let mut form = vec![
        ("csrf_token", csrf.as_str()),
        ("name", name),
        ("url", url),
        ("enabled", "on"),
    ];
    for e in events {
        form.push(("events", e));
    }
    let r = b.post("/admin/webhooks/new", &form);
    assert_eq!(r.status, 303, "create webhook: {}", r.snippet());
    let loc = r.location().expect("redirect to the webhook's page");
    loc.strip_prefix("/admin/webhooks/")
        .and_then(|rest| rest.strip_suffix("/edit"))
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("unexpected redirect {loc}"))
}

// ---------------------------------------------------------------- tests

http_test! {
    /// Publish, update, unpublish and delete in the admin panel: one signed
    /// delivery each, in that order; drafts stay private.
    fn article_lifecycle_is_delivered_signed(app: &TestApp) {
        let admin_b = app.setup_admin();
        let admin = app.admin();
        let receiver = Receiver::start(0);
        let events: Vec<String> = all_events();
        let events: Vec<&str> = events.iter().map(String::as_str).collect();
        let hook = create_hook_via_form(admin_b, "Static site", &receiver.url(), &events);
        let page = admin_b.get(&format!("/admin/webhooks/{hook}/edit"));
        assert_eq!(page.status, 200, "{}", page.snippet());
        let secret = secret_on_page(&page.body);

        // A draft is nobody's business.
        admin_b.create_article_ok(&ArticleForm::new("Quiet draft"), "save");

        let id = admin_b.create_article_ok(&ArticleForm::new("Harbour bridge reopens"), "publish");
        let got = receiver.wait_for(1);
        let r = &got[0];
        assert_eq!(r.path, "/hooks/gazette");
        assert_eq!(r.event(), "article.published");
        assert_eq!(r.header("content-type"), Some("application/json"));
        r.assert_signed_with(&secret);
        let body = r.json();
        let stored = app.article(id).expect("article");
        assert_eq!(body["event"], "article.published");
        assert_eq!(body["id"].as_str(), r.header("gazette-delivery"), "payload id = Gazette-Delivery");
        assert!(chrono::DateTime::parse_from_rfc3339(body["occurred_at"].as_str().unwrap_or("")).is_ok(), "{body}");
        assert_eq!(body["article"]["id"], id);
        assert_eq!(body["article"]["title"], "Harbour bridge reopens");
        assert_eq!(body["article"]["slug"], stored.slug.as_str());
        assert_eq!(body["article"]["status"], "published");
        assert_eq!(body["article"]["url"], format!("{}/articles/{}", base_url(app).trim_end_matches('/'), stored.slug));
        assert!(body["article"]["published_at"].is_string(), "{body}");
        assert_eq!(body["article"]["author"]["id"], admin.id);
        assert_eq!(body["article"]["author"]["name"], ADMIN_NAME);

        let form = ArticleForm { slug: stored.slug.clone(), ..ArticleForm::new("Harbour bridge reopens at last") };
        assert_eq!(admin_b.edit_article(id, &form, "save").status, 303);
        let got = receiver.wait_for(2);
        assert_eq!(got[1].event(), "article.updated");
        got[1].assert_signed_with(&secret);
        assert_eq!(got[1].json()["article"]["title"], "Harbour bridge reopens at last");

        assert_eq!(admin_b.edit_article(id, &form, "unpublish").status, 303);
        let got = receiver.wait_for(3);
        assert_eq!(got[2].event(), "article.unpublished");
        assert_eq!(got[2].json()["article"]["status"], "draft");

        // Saving the (now draft) article again says nothing.
        assert_eq!(admin_b.edit_article(id, &form, "save").status, 303);

        delete_article(admin_b, id);
        let got = receiver.wait_for(4);
        assert_eq!(got[3].event(), "article.deleted");
        got[3].assert_signed_with(&secret);
        assert_eq!(got[3].json()["article"]["id"], id);

        let ids: HashSet<String> = got.iter().map(|r| r.json()["id"].as_str().unwrap_or("").to_owned()).collect();
        assert_eq!(ids.len(), 4, "every delivery has its own id");
        assert!(got.iter().all(|r| !r.body.contains("Quiet draft")), "drafts are never sent");
        let log = deliveries_of(app, &admin, hook);
        assert_eq!(log.len(), 4, "one delivery per event: {log:?}");
        eventually(WAIT, "all four recorded as delivered", || {
            (count_status(&deliveries_of(app, &admin, hook), DeliveryStatus::Delivered) == 4).then_some(())
        });
        assert_eq!(receiver.requests().len(), 4, "nothing sent twice");

        let page = admin_b.get(&format!("/admin/webhooks/{hook}/deliveries"));
        assert_eq!(page.status, 200, "{}", page.snippet());
        assert!(page.contains_in_order(&["article.deleted", "Delivered", "article.unpublished", "article.updated", "article.published", "HTTP 200"]), "{}", page.snippet());
        let list = admin_b.get("/admin/webhooks");
        assert!(list.body.contains("Static site") && list.body.contains(&receiver.url()), "{}", list.snippet());
    }

    /// A receiver failing twice gets the same signed delivery a third time; the
    /// log shows each attempt, and "Send now" skips the backoff wait.
    fn retries_until_the_receiver_recovers(app: &TestApp) {
        let admin_b = app.setup_admin();
        let admin = app.admin();
        let receiver = Receiver::start(2);
        let hook = create_hook(app, &admin, &receiver.url(), &["article.published"]);

        // Through the Admin API this time: same core operation, same outbox.
        let token = app.with_db(|c| cms_core::api_tokens::create(c, &admin, "newsroom sync", "write")).expect("token").secret;
        let api = reqwest::blocking::Client::new();
        let created: Value = api
            .post(format!("{}/api/v1/admin/articles", app.base_url))
            .bearer_auth(&token)
            .json(&json!({"title": "Ferry timetable changes", "sections": [{"body": "From Monday."}]}))
            .send()
            .and_then(|r| r.json())
            .expect("create through the API");
        let id = created["id"].as_i64().expect("id");
        let published = api
            .post(format!("{}/api/v1/admin/articles/{id}/publish", app.base_url))
            .bearer_auth(&token)
            .json(&json!({"version": created["version"]}))
            .send()
            .expect("publish through the API");
        assert_eq!(published.status().as_u16(), 200);

        receiver.wait_for(1);
        let first = deliveries_of(app, &admin, hook.id);
        assert_eq!(first.len(), 1);
        let d = wait_recorded(app, &admin, hook.id, first[0].id, 1);
        assert_eq!(d.status(), DeliveryStatus::Pending, "retried later, not given up");
        assert_eq!(d.last_status, Some(500));
        assert!(d.last_error.as_deref().unwrap_or("").contains("down for maintenance"), "{d:?}");
        assert!(d.next_attempt_at > d.last_attempt_at.expect("attempted"), "waits before the next attempt");
        let hook_now = app.with_db(|c| webhooks::find(c, &admin, hook.id)).expect("hook");
        assert_eq!(hook_now.consecutive_failures, 1);

        let log_path = format!("/admin/webhooks/{}/deliveries", hook.id);
        let page = admin_b.get(&log_path);
        assert!(page.body.contains("HTTP 500") && page.body.contains("Send now"), "{}", page.snippet());

        let retry = format!("/admin/webhooks/{}/deliveries/{}/retry", hook.id, d.id);
        for attempt in 2..=3 {
            let csrf = admin_b.csrf(&log_path);
            let r = admin_b.post(&retry, &[("csrf_token", csrf.as_str())]);
            assert_eq!(r.status, 303, "{}", r.snippet());
            wait_recorded(app, &admin, hook.id, d.id, attempt);
        }
        let done = wait_recorded(app, &admin, hook.id, d.id, 3);
        assert_eq!(done.status(), DeliveryStatus::Delivered, "{done:?}");
        assert_eq!(done.attempts, 3);
        assert_eq!(done.last_status, Some(200));
        assert!(done.delivered_at.is_some());

        let got = receiver.requests();
        assert_eq!(got.iter().map(|r| r.answered).collect::<Vec<_>>(), [500, 500, 200]);
        for r in &got {
            assert_eq!(r.body, got[0].body, "the same payload every time");
            assert_eq!(r.header("gazette-delivery"), Some(d.uuid.as_str()));
            r.assert_signed_with(&hook.secret);
        }
        let hook_now = app.with_db(|c| webhooks::find(c, &admin, hook.id)).expect("hook");
        assert_eq!(hook_now.consecutive_failures, 0, "a success ends the failure streak");

        let page = admin_b.get(&log_path);
        assert!(page.contains_in_order(&["article.published", "Delivered", "<td class=\"num\">3</td>", "HTTP 200"]), "{}", page.snippet());
        assert!(!page.body.contains("Send now"), "nothing left to retry");
        // A delivered delivery is not sent again.
        let csrf = admin_b.csrf(&log_path);
        let r = admin_b.post(&retry, &[("csrf_token", csrf.as_str())]);
        assert_eq!(r.status, 303);
        std::thread::sleep(Duration::from_millis(1500));
        assert_eq!(receiver.requests().len(), 3);
    }

    /// The scheduler's publication is an `article.published`, recorded once.
    fn scheduled_publication_is_announced(app: &TestApp) {
        let admin_b = app.setup_admin();
        let admin = app.admin();
        let receiver = Receiver::start(0);
        let hook = create_hook(app, &admin, &receiver.url(), &["article.published", "article.updated"]);
        let when = cms_core::time::now() + chrono::Duration::seconds(3);
        let form = ArticleForm { published_at: datetime_field(when), ..ArticleForm::new("Polls open at dawn") };
        let id = admin_b.create_article_ok(&form, "publish");
        assert_eq!(app.article(id).expect("article").status(), Status::Scheduled);
        assert!(deliveries_of(app, &admin, hook.id).is_empty(), "nothing until it goes live");

        let got = receiver.wait_for(1);
        assert_eq!(got[0].event(), "article.published");
        assert_eq!(got[0].json()["article"]["id"], id);
        got[0].assert_signed_with(&hook.secret);
        assert_eq!(app.article(id).expect("article").status(), Status::Published);
        // Another scheduler pass (any node) finds nothing left to announce.
        assert!(app.with_db(articles::publish_due).expect("publish_due").is_empty());
        assert_eq!(deliveries_of(app, &admin, hook.id).len(), 1);
    }

    /// A dead receiver: the save still answers at once (303), the delivery waits
    /// with the connection error logged, and the queue never grows past its cap.
    fn dead_receiver_is_bounded(app: &TestApp) {
        let admin_b = app.setup_admin();
        let admin = app.admin();
        let hook = create_hook(app, &admin, &dead_url(), &["article.published", "article.updated"]);
        let r = admin_b.create_article(&ArticleForm::new("Storm warning"), "publish");
        assert_eq!(r.status, 303, "{}", r.snippet());
        let list = deliveries_of(app, &admin, hook.id);
        assert_eq!(list.len(), 1);
        assert!(matches!(list[0].status(), DeliveryStatus::Pending | DeliveryStatus::Failed));
        let d = wait_recorded(app, &admin, hook.id, list[0].id, 1);
        assert_eq!(d.status(), DeliveryStatus::Pending, "retried later");
        assert!(d.last_error.as_deref().unwrap_or("").contains("connect"), "{d:?}");
        assert_eq!(d.last_status, None);

        // A flood of events: the oldest waiting deliveries are dropped.
        let extra = webhooks::MAX_PENDING_PER_WEBHOOK as usize + 5;
        app.with_db(|c: &mut DbConnection| {
            use diesel::Connection;
            c.transaction(|c| {
                let data = json!({"article": {"id": 0, "title": "Flood"}});
                let data = data.as_object().cloned().unwrap_or_default();
                for _ in 0..extra {
                    webhooks::enqueue(c, Event::ArticleUpdated, &data)?;
                }
                cms_core::CoreResult::Ok(())
            })
        })
        .expect("flood");
        let list = deliveries_of(app, &admin, hook.id);
        let pending = count_status(&list, DeliveryStatus::Pending);
        let dropped = count_status(&list, DeliveryStatus::Dropped);
        assert!(pending as i64 <= webhooks::MAX_PENDING_PER_WEBHOOK, "{pending} waiting");
        assert!(dropped >= 5, "{dropped} dropped");
        assert_eq!(pending + dropped, extra + 1);
        let oldest_dropped = list.iter().filter(|x| x.status() == DeliveryStatus::Dropped).map(|x| x.id).max().unwrap_or(0);
        let newest_pending = list.iter().filter(|x| x.status() == DeliveryStatus::Pending).map(|x| x.id).max().unwrap_or(0);
        assert!(oldest_dropped < newest_pending, "the oldest go first");

        // Saving still works, and the cap still holds.
        let r = admin_b.create_article(&ArticleForm::new("Storm passes"), "publish");
        assert_eq!(r.status, 303, "{}", r.snippet());
        let list = deliveries_of(app, &admin, hook.id);
        assert!(count_status(&list, DeliveryStatus::Pending) as i64 <= webhooks::MAX_PENDING_PER_WEBHOOK);
        let page = admin_b.get(&format!("/admin/webhooks/{}/deliveries", hook.id));
        assert!(page.body.contains(&format!("{} pending", webhooks::MAX_PENDING_PER_WEBHOOK)), "{}", page.snippet());
        assert!(page.body.contains("dropped"), "{}", page.snippet());
        let overview = admin_b.get("/admin/webhooks");
        assert!(overview.body.contains(&format!("<td class=\"num\">{}</td>", webhooks::MAX_PENDING_PER_WEBHOOK)), "{}", overview.snippet());
    }
}

http_test! {
    /// The admin pages: only administrators, CSRF on every form, validation
    /// that keeps the input, edit, disable, new secret, ping, delete.
    fn administrators_manage_webhooks(app: &TestApp) {
        let admin_b = app.setup_admin();
        let admin = app.admin();
        let (_, editor_b) = app.create_user(Role::Editor);
        assert!(admin_b.get("/admin").body.contains("href=\"/admin/webhooks\""), "nav link for administrators");
        assert!(!editor_b.get("/admin").body.contains("href=\"/admin/webhooks\""), "no nav link for editors");
        for path in ["/admin/webhooks", "/admin/webhooks/new"] {
            assert_eq!(editor_b.get(path).status, 403, "{path}");
        }
        let csrf = editor_b.session_csrf();
        let r = editor_b.post("/admin/webhooks/new", &[("csrf_token", csrf.as_str()), ("name", "Mine"), ("url", "https://example.org/h"), ("events", "article.published"), ("enabled", "on")]);
        assert_eq!(r.status, 403, "{}", r.snippet());
        let r = admin_b.post("/admin/webhooks/new", &[("csrf_token", "forged"), ("name", "Mine"), ("url", "https://example.org/h"), ("events", "article.published")]);
        assert_eq!(r.status, 403, "a forged token is refused: {}", r.snippet());
        assert!(app.with_db(|c| webhooks::list_all(c, &admin)).expect("list").is_empty());

        // Invalid input: 422, messages next to the fields, the input kept.
        let csrf = admin_b.csrf("/admin/webhooks/new");
        let r = admin_b.post("/admin/webhooks/new", &[("csrf_token", csrf.as_str()), ("name", "Search index"), ("url", "ftp://example.org/feed")]);
        assert_eq!(r.status, 422, "{}", r.snippet());
        assert!(r.body.contains("https://") && r.body.contains("Choose at least one event"), "{}", r.snippet());
        assert_eq!(input_value(&r.body, "name").as_deref(), Some("Search index"));
        assert_eq!(input_value(&r.body, "url").as_deref(), Some("ftp://example.org/feed"));

        let receiver = Receiver::start(0);
        let id = create_hook_via_form(admin_b, "Search index", &receiver.url(), &["article.published", "article.deleted"]);
        let hook = app.with_db(|c| webhooks::find(c, &admin, id)).expect("created");
        assert_eq!(hook.events(), [Event::ArticlePublished, Event::ArticleDeleted]);
        assert!(hook.enabled && hook.secret.starts_with("whsec_"));

        // A new secret replaces the old one; the ping is signed with it.
        let edit = format!("/admin/webhooks/{id}/edit");
        let csrf = admin_b.csrf(&edit);
        assert_eq!(admin_b.post(&format!("/admin/webhooks/{id}/secret"), &[("csrf_token", csrf.as_str())]).status, 303);
        let secret = secret_on_page(&admin_b.get(&edit).body);
        assert_ne!(secret, hook.secret);
        let csrf = admin_b.csrf(&edit);
        let r = admin_b.post(&format!("/admin/webhooks/{id}/ping"), &[("csrf_token", csrf.as_str())]);
        assert_eq!(r.status, 303);
        assert_eq!(r.location(), Some(format!("/admin/webhooks/{id}/deliveries").as_str()));
        let got = receiver.wait_for(1);
        assert_eq!(got[0].event(), "ping");
        assert_eq!(got[0].json()["webhook"]["id"], id);
        got[0].assert_signed_with(&secret);

        // Disabled: events are not recorded for it.
        let csrf = admin_b.csrf(&edit);
        let r = admin_b.post(&edit, &[("csrf_token", csrf.as_str()), ("name", "Search index (paused)"), ("url", receiver.url().as_str()), ("events", "article.published")]);
        assert_eq!(r.status, 303, "{}", r.snippet());
        let hook = app.with_db(|c| webhooks::find(c, &admin, id)).expect("hook");
        assert!(!hook.enabled);
        assert_eq!(hook.name, "Search index (paused)");
        let list = admin_b.get("/admin/webhooks");
        assert!(list.contains_in_order(&["Search index (paused)", "Disabled"]), "{}", list.snippet());
        admin_b.create_article_ok(&ArticleForm::new("Nobody is told"), "publish");
        assert_eq!(deliveries_of(app, &admin, id).len(), 1, "only the ping");

        // Delete: a confirmation page, then the webhook and its log are gone.
        let del = format!("/admin/webhooks/{id}/delete");
        let confirm = admin_b.get(&del);
        assert_eq!(confirm.status, 200);
        assert!(confirm.body.contains("Search index (paused)"));
        let csrf = csrf_from(&confirm.body).expect("csrf");
        assert_eq!(editor_b.post(&del, &[("csrf_token", editor_b.session_csrf().as_str())]).status, 403);
        let r = admin_b.post(&del, &[("csrf_token", csrf.as_str())]);
        assert_eq!(r.status, 303);
        assert!(matches!(app.with_db(|c| webhooks::find(c, &admin, id)), Err(cms_core::CoreError::NotFound)));
        assert_eq!(admin_b.get(&edit).status, 404);
        assert_eq!(admin_b.get("/admin/webhooks/nope/edit").status, 404);
    }

    /// The outbox is part of the change's transaction: a refused save records nothing.
    fn refused_changes_record_nothing(app: &TestApp) {
        app.setup_admin();
        let admin = app.admin();
        let hook = create_hook(app, &admin, &dead_url(), &["article.published", "article.updated", "article.deleted"]);
        let (author, _) = app.create_user(Role::Contributor);
        let a = app.with_db(|c| fixtures::published(c, &admin, "Council meets"));
        assert_eq!(deliveries_of(app, &admin, hook.id).len(), 1);
        // Stale version, a forbidden delete, invalid input: no event.
        let stale = app.with_db(|c| articles::save(c, &admin, Some(a.id), Some(a.version - 1), fixtures::article("Stale"), SaveAction::Save));
        assert!(matches!(stale, Err(cms_core::CoreError::Conflict(_))));
        let forbidden = app.with_db(|c| articles::delete(c, &author, a.id));
        assert!(matches!(forbidden, Err(cms_core::CoreError::Forbidden(_))));
        let invalid = app.with_db(|c| articles::save(c, &admin, Some(a.id), Some(a.version), fixtures::article(""), SaveAction::Save));
        assert!(matches!(invalid, Err(cms_core::CoreError::Validation(_))));
        assert_eq!(deliveries_of(app, &admin, hook.id).len(), 1);
        app.with_db(|c| articles::delete(c, &admin, a.id)).expect("delete");
        let events: Vec<String> = deliveries_of(app, &admin, hook.id).into_iter().map(|d| d.event).collect();
        assert_eq!(events, ["article.deleted", "article.published"]);
    }
}

cms_core::both_backends! {
    /// Two nodes claiming at once each get different deliveries, and a node
    /// whose claim was taken over cannot overwrite the newer attempt's result.
    fn nodes_claim_each_delivery_once(db: &TestDb) {
        let admin = db.with(|c| fixtures::user(c, Role::Administrator));
        let input = WebhookInput {
            name: "Busy".into(),
            url: "http://127.0.0.1:9/unused".into(),
            events: vec!["article.updated".into()],
            enabled: true,
        };
        let hooks: Vec<Webhook> = (0..3)
            .map(|i| db.with(|c| webhooks::create(c, &admin, WebhookInput { name: format!("Busy {i}"), ..input.clone() })).expect("hook"))
            .collect();
        let data = json!({"article": {"id": 1}}).as_object().cloned().unwrap_or_default();
        for _ in 0..10 {
            db.with(|c| webhooks::enqueue(c, Event::ArticleUpdated, &data)).expect("enqueue");
        }
        let claimers: Vec<_> = (0..2)
            .map(|_| {
                let pool = db.pool().clone();
                std::thread::spawn(move || {
                    let mut conn = pool.get().expect("connection");
                    let mut mine = Vec::new();
                    loop {
                        let jobs = webhooks::claim_due(&mut conn, 2, chrono::Duration::seconds(60)).expect("claim");
                        if jobs.is_empty() {
                            break mine;
                        }
                        mine.extend(jobs);
                    }
                })
            })
            .collect();
        let jobs: Vec<webhooks::Job> = claimers.into_iter().flat_map(|t| t.join().expect("claimer")).collect();
        let ids: HashSet<i32> = jobs.iter().map(|j| j.delivery_id).collect();
        assert_eq!(ids.len(), jobs.len(), "no delivery claimed twice");
        // Claims stop at MAX_IN_FLIGHT_PER_WEBHOOK per webhook while they are held
        // (two nodes checking at the same instant may each take that many).
        for h in &hooks {
            let n = jobs.iter().filter(|j| j.webhook_id == h.id).count() as i64;
            let max = webhooks::MAX_IN_FLIGHT_PER_WEBHOOK;
            assert!((max..=2 * max).contains(&n), "webhook {}: {n} in flight", h.id);
        }
        assert!(jobs.iter().all(|j| j.attempt == 1));

        // A result for an attempt that is no longer current is ignored.
        let job = &jobs[0];
        let stale = webhooks::Job { attempt: job.attempt + 1, ..job.clone() };
        let base = Duration::from_secs(10);
        assert!(!db.with(|c| webhooks::record_attempt(c, &stale, &Outcome::Delivered { status: 200 }, base)).expect("record"));
        assert!(db.with(|c| webhooks::record_attempt(c, job, &Outcome::Failed { status: None, error: "refused".into() }, base)).expect("record"));
        let d = db.with(|c| webhooks::deliveries(c, &admin, job.webhook_id, 100)).expect("log").into_iter().find(|d| d.id == job.delivery_id).expect("delivery");
        assert_eq!(d.status(), DeliveryStatus::Pending);
        assert!(d.locked_until.is_none());
        assert!(d.next_attempt_at >= d.last_attempt_at.expect("attempted") + chrono::Duration::seconds(9), "10 s backoff: {d:?}");

        // The eighth failure gives up.
        let last = webhooks::Job { attempt: webhooks::MAX_ATTEMPTS, ..job.clone() };
        db.with(|c| {
            use diesel::prelude::*;
            use cms_core::schema::webhook_deliveries as wd;
            diesel::update(wd::table.find(job.delivery_id)).set(wd::attempts.eq(webhooks::MAX_ATTEMPTS)).execute(c)
        }).expect("fast-forward");
        assert!(db.with(|c| webhooks::record_attempt(c, &last, &Outcome::Failed { status: Some(502), error: "HTTP 502".into() }, base)).expect("record"));
        let d = db.with(|c| webhooks::deliveries(c, &admin, job.webhook_id, 100)).expect("log").into_iter().find(|d| d.id == job.delivery_id).expect("delivery");
        assert_eq!(d.status(), DeliveryStatus::Failed);
        // … and "retry" sends it once more.
        let again = db.with(|c| webhooks::retry(c, &admin, job.webhook_id, job.delivery_id)).expect("retry");
        assert_eq!(again.status(), DeliveryStatus::Pending);
    }

    /// The log keeps the newest finished deliveries; waiting ones are never pruned.
    fn prunes_the_log(db: &TestDb) {
        let admin = db.with(|c| fixtures::user(c, Role::Administrator));
        let hook = db.with(|c| webhooks::create(c, &admin, WebhookInput {
            name: "Chatty".into(),
            url: "http://127.0.0.1:9/unused".into(),
            events: vec!["article.updated".into()],
            enabled: true,
        })).expect("hook");
        let data = json!({"article": {"id": 1}}).as_object().cloned().unwrap_or_default();
        let total = webhooks::KEEP_LOG_PER_WEBHOOK + 20;
        db.with(|c| {
            use diesel::Connection;
            c.transaction(|c| {
                for _ in 0..total {
                    webhooks::enqueue(c, Event::ArticleUpdated, &data)?;
                }
                // Everything but the newest five finished (delivered).
                use diesel::prelude::*;
                use cms_core::schema::webhook_deliveries as wd;
                let ids: Vec<i32> = wd::table.order(wd::id.asc()).select(wd::id).load(c)?;
                let done = &ids[..ids.len() - 5];
                diesel::update(wd::table.filter(wd::id.eq_any(done))).set(wd::status.eq("delivered")).execute(c)?;
                cms_core::CoreResult::Ok(())
            })
        }).expect("fill");
        let deleted = db.with(webhooks::prune).expect("prune");
        assert_eq!(deleted as i64, total - 5 - webhooks::KEEP_LOG_PER_WEBHOOK);
        let left = db.with(|c| webhooks::deliveries(c, &admin, hook.id, 1000)).expect("log");
        assert_eq!(count_status(&left, DeliveryStatus::Pending), 5);
        assert_eq!(count_status(&left, DeliveryStatus::Delivered) as i64, webhooks::KEEP_LOG_PER_WEBHOOK);
        assert_eq!(db.with(webhooks::prune).expect("prune again"), 0);
    }
}
