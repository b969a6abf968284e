use cms_core::both_backends;
use cms_core::settings::{self, SettingsInput, SiteSettings};
use cms_core::testdb::TestDb;

use crate::invalid_fields;

both_backends! {
    fn defaults_then_save_and_load(db: &TestDb) {
        let mut conn = db.conn();
        assert_eq!(settings::load(&mut conn).expect("load"), SiteSettings::default());
        let saved = settings::save(
            &mut conn,
            &SettingsInput {
                title: "  The Harbour Times ".into(),
                description: "Local news.".into(),
                base_url: "https://news.example.com/".into(),
                timezone: "Europe/Paris".into(),
                per_page: "25".into(),
            },
        )
        .expect("save");
        assert_eq!(saved.title, "The Harbour Times");
        assert_eq!(saved.base_url, "https://news.example.com");
        let loaded = settings::load(&mut conn).expect("load");
        assert_eq!(loaded, saved);
        assert_eq!(loaded.per_page, 25);
        assert!(loaded.is_https());
        assert_eq!(loaded.tz(), chrono_tz::Europe::Paris);

        // Saving again updates in place.
        let again = settings::save(
            &mut conn,
            &SettingsInput {
                title: "Harbour Times".into(),
                description: String::new(),
                base_url: "http://127.0.0.1:8080".into(),
                timezone: "UTC".into(),
                per_page: "10".into(),
            },
        )
        .expect("save again");
        assert_eq!(settings::load(&mut conn).expect("load"), again);
    }

    fn invalid_settings_are_refused(db: &TestDb) {
        let mut conn = db.conn();
        let fields = invalid_fields(settings::save(
            &mut conn,
            &SettingsInput {
                title: "   ".into(),
                description: "x".repeat(501),
                base_url: "ftp://example.com".into(),
                timezone: "Mars/Olympus".into(),
                per_page: "0".into(),
            },
        ));
        for f in ["title", "description", "base_url", "timezone", "per_page"] {
            assert!(fields.iter().any(|x| x == f), "{f} missing from {fields:?}");
        }
        assert_eq!(settings::load(&mut conn).expect("load"), SiteSettings::default());
        assert_eq!(
            invalid_fields(settings::save(
                &mut conn,
                &SettingsInput {
                    title: "Ok".into(),
                    base_url: "https://ok.example".into(),
                    timezone: "UTC".into(),
                    per_page: "101".into(),
                    ..Default::default()
                },
            )),
            vec!["per_page"]
        );
    }

    fn flags_round_trip(db: &TestDb) {
        let mut conn = db.conn();
        assert_eq!(settings::get_flag(&mut conn, "x.flag").expect("get"), None);
        settings::set_value(&mut conn, "x.flag", "1").expect("set");
        settings::set_value(&mut conn, "x.flag", "2").expect("overwrite");
        assert_eq!(settings::get_flag(&mut conn, "x.flag").expect("get").as_deref(), Some("2"));
    }
}
