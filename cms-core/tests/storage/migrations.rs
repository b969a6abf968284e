use std::path::Path;

use cms_core::testdb::TestDb;
use cms_core::{both_backends, db, users};

fn dir_names(backend: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(backend);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry"))
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn migration_directories_match() {
    let sqlite = dir_names("sqlite");
    let postgres = dir_names("postgres");
    assert!(!sqlite.is_empty(), "no migrations found");
    assert_eq!(
        sqlite, postgres,
        "migrations/sqlite and migrations/postgres must hold the same directory names"
    );
    for backend in ["sqlite", "postgres"] {
        for name in &sqlite {
            for file in ["up.sql", "down.sql"] {
                let p = Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../migrations")
                    .join(backend)
                    .join(name)
                    .join(file);
                assert!(p.is_file(), "{} is missing", p.display());
            }
        }
    }
    // And what is embedded in the binary is what is on disk.
    let (embedded_sqlite, embedded_pg) = db::migration_names();
    assert_eq!(embedded_sqlite, embedded_pg);
    assert_eq!(embedded_sqlite.len(), sqlite.len());
}

both_backends! {
    fn up_down_up(db: &TestDb) {
        let mut conn = db.conn();
        // TestDb migrated already: nothing pending.
        assert!(db::run_migrations(&mut conn).expect("re-run").is_empty());
        users::list(&mut conn).expect("users table exists");

        db::revert_all_migrations(&mut conn).expect("down");
        assert!(
            users::list(&mut conn).is_err(),
            "users table should be gone after reverting every migration"
        );

        let applied = db::run_migrations(&mut conn).expect("up again");
        assert_eq!(applied.len(), db::migration_names().0.len());
        let u = cms_core::testdb::fixtures::user(&mut conn, cms_core::roles::Role::Administrator);
        assert_eq!(users::list(&mut conn).expect("list").len(), 1);
        assert_eq!(u.id, users::find(&mut conn, u.id).expect("find").id);
    }
}
