use chrono::Duration;
use cms_core::both_backends;
use cms_core::roles::Role;
use cms_core::schema::sessions as sessions_table;
use cms_core::sessions::{self, Session};
use cms_core::testdb::fixtures;
use cms_core::testdb::TestDb;
use cms_core::tokens::hash_token;
use diesel::prelude::*;

fn all_rows(conn: &mut cms_core::DbConnection) -> Vec<Session> {
    sessions_table::table
        .select(Session::as_select())
        .load(conn)
        .expect("sessions")
}

both_backends! {
    fn create_and_authenticate(db: &TestDb) {
        let mut conn = db.conn();
        let u = fixtures::user(&mut conn, Role::Editor);
        let ttl = Duration::hours(2);
        let new = sessions::create(&mut conn, u.id, ttl).expect("create");
        assert!(new.token.len() >= 32);
        let (s, who) = sessions::authenticate(&mut conn, &new.token, ttl)
            .expect("query")
            .expect("valid session");
        assert_eq!(who.id, u.id);
        assert_eq!(s.id, new.session.id);
        assert!(!s.csrf_token.is_empty());
        assert!(s.expires_at > cms_core::time::now());
        assert!(sessions::authenticate(&mut conn, "not-a-token", ttl).expect("query").is_none());
        assert!(sessions::authenticate(&mut conn, "", ttl).expect("query").is_none());
    }

    fn only_the_hash_is_stored(db: &TestDb) {
        let mut conn = db.conn();
        let u = fixtures::user(&mut conn, Role::Author);
        let new = sessions::create(&mut conn, u.id, Duration::hours(1)).expect("create");
        let rows = all_rows(&mut conn);
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(row.token_hash, hash_token(&new.token));
        assert_ne!(row.token_hash, new.token);
        for column in [&row.token_hash, &row.csrf_token] {
            assert!(!column.contains(&new.token), "the session token is stored in clear");
        }
        // Nowhere in the table, whatever the column.
        let hits: i64 = sessions_table::table
            .filter(
                sessions_table::token_hash
                    .eq(&new.token)
                    .or(sessions_table::csrf_token.eq(&new.token)),
            )
            .count()
            .get_result(&mut conn)
            .expect("count");
        assert_eq!(hits, 0);
    }

    fn expired_sessions_are_refused_and_deleted(db: &TestDb) {
        let mut conn = db.conn();
        let u = fixtures::user(&mut conn, Role::Author);
        let ttl = Duration::hours(1);
        let new = sessions::create(&mut conn, u.id, ttl).expect("create");
        diesel::update(sessions_table::table.find(new.session.id))
            .set(sessions_table::expires_at.eq(cms_core::time::now() - Duration::seconds(1)))
            .execute(&mut conn)
            .expect("expire it");
        assert!(sessions::authenticate(&mut conn, &new.token, ttl).expect("query").is_none());
        assert!(all_rows(&mut conn).is_empty(), "expired session deleted on sight");

        // Housekeeping purges expired sessions nobody presents again.
        let stale = sessions::create(&mut conn, u.id, Duration::seconds(-5)).expect("create");
        let live = sessions::create(&mut conn, u.id, ttl).expect("create");
        assert_eq!(sessions::purge_expired(&mut conn).expect("purge"), 1);
        assert!(sessions::authenticate(&mut conn, &stale.token, ttl).expect("q").is_none());
        assert!(sessions::authenticate(&mut conn, &live.token, ttl).expect("q").is_some());
    }

    fn destroy_logs_out_one_session(db: &TestDb) {
        let mut conn = db.conn();
        let u = fixtures::user(&mut conn, Role::Author);
        let ttl = Duration::hours(1);
        let a = sessions::create(&mut conn, u.id, ttl).expect("a");
        let b = sessions::create(&mut conn, u.id, ttl).expect("b");
        sessions::destroy(&mut conn, &a.token).expect("destroy");
        assert!(sessions::authenticate(&mut conn, &a.token, ttl).expect("q").is_none());
        assert!(sessions::authenticate(&mut conn, &b.token, ttl).expect("q").is_some());
        sessions::destroy_all_for_user(&mut conn, u.id).expect("destroy all");
        assert!(sessions::authenticate(&mut conn, &b.token, ttl).expect("q").is_none());
    }
}
