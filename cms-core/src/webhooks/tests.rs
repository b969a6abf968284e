//! Unit tests of the webhook rules (storage behaviour is tested in
//! `cms-core/tests/storage` and over HTTP in `tests/tests/webhooks.rs`).

use super::*;
use std::time::Duration;

#[test]
fn backoff_grows_and_levels_off() {
    let base = Duration::from_secs(10);
    let waits: Vec<u64> = (1..=9).map(|a| backoff(a, base).as_secs()).collect();
    assert_eq!(waits, [10, 30, 120, 600, 1800, 3600, 7200, 7200, 7200]);
    assert_eq!(backoff(0, base), base);
    assert_eq!(
        backoff(2, Duration::from_millis(100)),
        Duration::from_millis(300)
    );
}

#[test]
fn events_round_trip() {
    for e in Event::SUBSCRIBABLE.into_iter().chain([Event::Ping]) {
        assert_eq!(Event::parse(e.as_str()), Some(e));
    }
    assert_eq!(Event::parse("article.exploded"), None);
    assert!(subscribes(
        "article.published,article.deleted",
        Event::ArticleDeleted
    ));
    assert!(!subscribes("article.published", Event::ArticleUpdated));
}

#[test]
fn validates_the_form() {
    let mut ok = WebhookInput {
        name: "  Search index ".into(),
        url: " https://hooks.example.com/gazette ".into(),
        events: vec![
            "article.deleted".into(),
            "article.published".into(),
            "article.deleted".into(),
        ],
        enabled: true,
    };
    assert!(validate(&mut ok).is_empty());
    assert_eq!(ok.name, "Search index");
    assert_eq!(
        ok.events,
        ["article.published", "article.deleted"],
        "canonical order, no repeats"
    );
    for bad_url in [
        "",
        "ftp://example.com/x",
        "example.com/hook",
        "https://",
        "javascript:alert(1)",
    ] {
        let mut i = WebhookInput {
            url: bad_url.into(),
            ..ok.clone()
        };
        assert!(validate(&mut i).get("url").is_some(), "{bad_url}");
    }
    let mut none = WebhookInput {
        events: vec![],
        ..ok.clone()
    };
    assert!(validate(&mut none).get("events").is_some());
    let mut unknown = WebhookInput {
        events: vec!["ping".into()],
        ..ok.clone()
    };
    assert!(validate(&mut unknown).get("events").is_some());
    let mut nameless = WebhookInput {
        name: " ".into(),
        ..ok
    };
    assert!(validate(&mut nameless).get("name").is_some());
}

#[test]
fn uuids_look_like_uuids() {
    let u = new_uuid();
    assert_eq!(u.len(), 36);
    assert_eq!(u.as_bytes()[14], b'4');
    assert_ne!(u, new_uuid());
}

#[test]
fn saves_map_to_events() {
    let t = now();
    let past = Some(t - chrono::Duration::hours(1));
    let future = Some(t + chrono::Duration::hours(1));
    assert!(live(Status::Published, past, t));
    assert!(!live(Status::Published, future, t));
    assert!(!live(Status::Draft, past, t));
    assert!(!live(Status::Archived, past, t));
    // Even once due, a scheduled article is announced by the scheduler
    // (`publish_due`), not by a save.
    assert!(!live(Status::Scheduled, past, t));
    assert_eq!(transition(false, true), Some(Event::ArticlePublished));
    assert_eq!(transition(true, true), Some(Event::ArticleUpdated));
    assert_eq!(transition(true, false), Some(Event::ArticleUnpublished));
    assert_eq!(transition(false, false), None);
}

#[test]
fn auto_disable_needs_count_and_time() {
    let t = now();
    let day_ago = t - chrono::Duration::hours(25);
    assert!(should_auto_disable(AUTO_DISABLE_FAILURES, day_ago, t));
    assert!(!should_auto_disable(AUTO_DISABLE_FAILURES - 1, day_ago, t));
    assert!(!should_auto_disable(
        1000,
        t - chrono::Duration::hours(1),
        t
    ));
}
