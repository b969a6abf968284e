//! Cross-node notifications (PostgreSQL `LISTEN`/`NOTIFY`; nothing on SQLite).

use std::time::{Duration, Instant};

use cms_core::db::DatabaseUrl;
use cms_core::notify::Listener;
use cms_core::testdb::TestDb;

fn wait_for(l: &mut Listener, n: usize) -> Vec<String> {
    let start = Instant::now();
    let mut got = Vec::new();
    while got.len() < n && start.elapsed() < Duration::from_secs(5) {
        got.extend(l.received().expect("receive"));
        std::thread::sleep(Duration::from_millis(10));
    }
    got
}

#[test]
fn sqlite_has_no_other_nodes() {
    let db = TestDb::sqlite();
    let url = DatabaseUrl::parse(&db.url_string()).expect("url");
    assert!(Listener::open(&url, "gazette_test")
        .expect("open")
        .is_none());
}

#[test]
fn listeners_hear_each_other_in_order() {
    let Some(db) = TestDb::postgres() else {
        eprintln!("skipped: GAZETTE_TEST_POSTGRES_URL not set");
        return;
    };
    let url = DatabaseUrl::parse(&db.url_string()).expect("url");
    let mut a = Listener::open(&url, "gazette_test")
        .expect("open")
        .expect("postgres");
    let mut b = Listener::open(&url, "gazette_test")
        .expect("open")
        .expect("postgres");
    assert!(b.received().expect("nothing yet").is_empty());
    a.send("one").expect("send");
    a.send("two").expect("send");
    assert_eq!(wait_for(&mut b, 2), ["one", "two"]);
    // The sender hears itself too (callers tell their own messages apart).
    assert_eq!(wait_for(&mut a, 2), ["one", "two"]);
    // Receiving again and again, with nothing sent, stays quiet and healthy.
    for _ in 0..5 {
        assert!(b.received().expect("quiet").is_empty());
    }
    b.send("three").expect("send after receiving");
    assert_eq!(wait_for(&mut a, 1), ["three"]);
    assert!(a.send(&"x".repeat(8000)).is_err(), "too long for NOTIFY");
}
