use cms_core::articles::{self, SaveAction};
use cms_core::roles::Role;
use cms_core::testdb::fixtures::{self, PASSWORD};
use cms_core::testdb::TestDb;
use cms_core::users::{self, NewUserInput};
use cms_core::{both_backends, CoreError};

use crate::invalid_fields;

fn new_user(email: &str, name: &str, role: &str) -> NewUserInput {
    NewUserInput {
        email: email.into(),
        display_name: name.into(),
        role: role.into(),
        password: Some(PASSWORD.into()),
        ..Default::default()
    }
}

both_backends! {
    fn create_hashes_with_argon2id(db: &TestDb) {
        let mut conn = db.conn();
        let u = users::create(&mut conn, new_user(" Ada@Example.COM ", " Ada Lovelace ", "editor"))
            .expect("create");
        assert_eq!(u.email, "ada@example.com");
        assert_eq!(u.display_name, "Ada Lovelace");
        assert_eq!(u.slug, "ada-lovelace");
        assert_eq!(u.role(), Role::Editor);
        let hash = u.password_hash.as_deref().expect("hash stored");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains(PASSWORD));
        assert!(users::verify_password(PASSWORD, hash));
        assert!(!users::verify_password("wrong password!", hash));
        let found = users::find_by_email(&mut conn, "ADA@example.com").expect("query");
        assert_eq!(found.map(|f| f.id), Some(u.id));
    }

    fn create_validates(db: &TestDb) {
        let mut conn = db.conn();
        let fields = invalid_fields(users::create(
            &mut conn,
            NewUserInput {
                email: "not-an-email".into(),
                display_name: "".into(),
                role: "king".into(),
                password: Some("short".into()),
                ..Default::default()
            },
        ));
        for f in ["email", "display_name", "role", "password"] {
            assert!(fields.iter().any(|x| x == f), "{f} missing from {fields:?}");
        }
        assert!(users::list(&mut conn).expect("list").is_empty());
    }

    fn duplicate_email_is_refused(db: &TestDb) {
        let mut conn = db.conn();
        users::create(&mut conn, new_user("sam@example.com", "Sam One", "author")).expect("first");
        let fields = invalid_fields(users::create(
            &mut conn,
            new_user("SAM@example.com", "Sam Two", "author"),
        ));
        assert_eq!(fields, vec!["email"]);
        assert_eq!(users::list(&mut conn).expect("list").len(), 1);
    }

    fn role_change(db: &TestDb) {
        let mut conn = db.conn();
        let _admin = fixtures::user(&mut conn, Role::Administrator);
        let u = fixtures::user(&mut conn, Role::Contributor);
        let u = users::set_role(&mut conn, u.id, Role::Editor).expect("promote");
        assert_eq!(u.role(), Role::Editor);
        assert_eq!(users::find(&mut conn, u.id).expect("find").role(), Role::Editor);
    }

    fn last_admin_cannot_be_demoted_or_deleted(db: &TestDb) {
        let mut conn = db.conn();
        let a = fixtures::user(&mut conn, Role::Administrator);
        let b = fixtures::user(&mut conn, Role::Administrator);
        // Two administrators: one may go.
        users::delete(&mut conn, &a, b.id, a.id).expect("delete the second admin");
        // Now `a` is the only one.
        assert_eq!(
            invalid_fields(users::set_role(&mut conn, a.id, Role::Editor)),
            vec!["role"]
        );
        assert_eq!(users::find(&mut conn, a.id).expect("find").role(), Role::Administrator);
        // An administrator who cannot log in (invited, no password) does not count,
        // and may not delete the last one who can.
        let invited = users::create(
            &mut conn,
            NewUserInput { password: None, ..new_user("inv@example.com", "Invited Admin", "administrator") },
        )
        .expect("invited");
        assert_eq!(
            invalid_fields(users::delete(&mut conn, &invited, a.id, invited.id)),
            vec!["user"]
        );
        assert!(users::find(&mut conn, a.id).is_ok());
        // Nobody deletes themselves.
        assert_eq!(invalid_fields(users::delete(&mut conn, &a, a.id, a.id)), vec!["user"]);
    }

    fn only_admins_delete_users(db: &TestDb) {
        let mut conn = db.conn();
        let _admin = fixtures::user(&mut conn, Role::Administrator);
        let editor = fixtures::user(&mut conn, Role::Editor);
        let author = fixtures::user(&mut conn, Role::Author);
        assert!(matches!(
            users::delete(&mut conn, &editor, author.id, editor.id),
            Err(CoreError::Forbidden(_))
        ));
        assert!(users::find(&mut conn, author.id).is_ok());
    }

    fn delete_reassigns_articles(db: &TestDb) {
        let mut conn = db.conn();
        let admin = fixtures::user(&mut conn, Role::Administrator);
        let author = fixtures::user(&mut conn, Role::Author);
        let published = fixtures::published(&mut conn, &author, "Harbour bridge reopens");
        let draft = fixtures::create(&mut conn, &author, fixtures::article("Draft piece"), SaveAction::Save);
        users::delete(&mut conn, &admin, author.id, admin.id).expect("delete");
        assert!(matches!(users::find(&mut conn, author.id), Err(CoreError::NotFound)));
        for id in [published.id, draft.id] {
            let a = articles::find(&mut conn, id).expect("article survives");
            assert_eq!(a.author_id, admin.id);
        }
        assert!(articles::public::by_slug(&mut conn, &published.slug).expect("query").is_some());
    }

    fn set_password_ends_sessions(db: &TestDb) {
        let mut conn = db.conn();
        let u = fixtures::user(&mut conn, Role::Author);
        let ttl = chrono::Duration::hours(1);
        let s = cms_core::sessions::create(&mut conn, u.id, ttl).expect("session");
        users::set_password(&mut conn, u.id, "another long password").expect("set");
        assert!(cms_core::sessions::authenticate(&mut conn, &s.token, ttl).expect("auth").is_none());
        let u = users::find(&mut conn, u.id).expect("find");
        assert!(users::verify_password("another long password", u.password_hash.as_deref().expect("hash")));
    }
}
