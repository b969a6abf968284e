use cms_core::testdb::TestDb;
use cms_core::throttle::{self, MAX_FAILURES};
use cms_core::{both_backends, CoreError};

fn is_throttled(r: Result<(), CoreError>) -> bool {
    match r {
        Ok(()) => false,
        Err(CoreError::Throttled(m)) => {
            assert!(m.starts_with("Too many"), "{m}");
            true
        }
        Err(e) => panic!("unexpected error {e}"),
    }
}

both_backends! {
    fn five_failures_per_account(db: &TestDb) {
        let mut conn = db.conn();
        for i in 0..MAX_FAILURES {
            assert!(!is_throttled(throttle::check(&mut conn, "ed@example.com", "10.0.0.1")), "attempt {i}");
            // Each failure from a different address: the account limit alone must hold.
            throttle::record_failure(&mut conn, "ed@example.com", &format!("10.0.0.{i}")).expect("record");
        }
        assert!(is_throttled(throttle::check(&mut conn, "ed@example.com", "10.9.9.9")));
        assert!(is_throttled(throttle::check(&mut conn, "ED@Example.com ", "10.9.9.9")), "email normalised");
        assert!(!is_throttled(throttle::check(&mut conn, "other@example.com", "10.9.9.9")));
    }

    fn five_failures_per_client_address(db: &TestDb) {
        let mut conn = db.conn();
        for i in 0..MAX_FAILURES {
            throttle::record_failure(&mut conn, &format!("user{i}@example.com"), "192.0.2.7").expect("record");
        }
        assert!(is_throttled(throttle::check(&mut conn, "fresh@example.com", "192.0.2.7")));
        assert!(!is_throttled(throttle::check(&mut conn, "fresh@example.com", "192.0.2.8")));
    }

    fn success_clears_the_account_not_the_address(db: &TestDb) {
        let mut conn = db.conn();
        for i in 0..MAX_FAILURES - 1 {
            throttle::record_failure(&mut conn, "ed@example.com", &format!("198.51.100.{i}")).expect("record");
        }
        throttle::clear_account(&mut conn, "ed@example.com").expect("clear");
        throttle::record_failure(&mut conn, "ed@example.com", "198.51.100.200").expect("record");
        assert!(!is_throttled(throttle::check(&mut conn, "ed@example.com", "203.0.113.1")));

        for _ in 0..MAX_FAILURES {
            throttle::record_failure(&mut conn, "x@example.com", "203.0.113.5").expect("record");
        }
        throttle::clear_account(&mut conn, "x@example.com").expect("clear");
        assert!(is_throttled(throttle::check(&mut conn, "x@example.com", "203.0.113.5")), "address still blocked");
        assert!(!is_throttled(throttle::check(&mut conn, "x@example.com", "203.0.113.6")));
        assert_eq!(throttle::purge_old(&mut conn).expect("purge"), 0, "recent attempts are kept");
    }
}
