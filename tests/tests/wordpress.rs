//! `gazette import wordpress` end to end: the real binary imports a WXR export
//! into the database of a running server, and the old WordPress addresses then
//! redirect (301) to the new articles over HTTP. On SQLite and PostgreSQL.

use std::path::{Path, PathBuf};
use std::process::Output;

use gazette_tests::{gazette_cmd, http_test, TestApp};

/// The smallest valid GIF (1×1): the media library checks type by content, so
/// WordPress's `.jpg` name does not matter.
const ONE_PIXEL_GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../cms-core/tests/fixtures/wordpress")
        .join(name)
}

/// A working directory with a copy of `wp-content/uploads`.
struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    fn new() -> Workdir {
        let dir = tempfile::tempdir().expect("tempdir");
        let uploads = dir.path().join("uploads/2024/05");
        std::fs::create_dir_all(&uploads).expect("mkdir");
        std::fs::write(uploads.join("harbour-bridge.jpg"), ONE_PIXEL_GIF).expect("write image");
        Workdir { dir }
    }

    fn import(&self, app: &TestApp, file: &Path, extra: &[&str]) -> Output {
        let mut cmd = gazette_cmd(self.dir.path());
        cmd.args(["import", "wordpress"])
            .arg(file)
            .args([
                "--database-url",
                &app.db.url_string(),
                "--data-dir",
                "site-data",
                "--uploads-dir",
                "uploads",
            ])
            .args(extra);
        cmd.output().expect("run gazette import")
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "gazette import failed:\n{}\n{}",
        stdout(o),
        stderr(o)
    );
    stdout(o)
}

http_test! {
    fn imports_and_redirects_old_urls(app: &TestApp) {
        app.setup_admin();
        let work = Workdir::new();

        // A dry run first: the report, and nothing written.
        let dry = ok(&work.import(app, &fixture("export.xml"), &["--dry-run"]));
        assert!(dry.contains("Articles: 5 created, 0 updated, 0 unchanged, 3 skipped."), "{dry}");
        assert!(dry.contains("Dry run: nothing was written."), "{dry}");
        assert_eq!(app.article_count(), 0);

        let out = ok(&work.import(app, &fixture("export.xml"), &[]));
        assert!(out.contains("Articles: 5 created, 0 updated, 0 unchanged, 3 skipped."), "{out}");
        assert!(out.contains("2 authors and 2 categories created; 1 image imported"), "{out}");
        assert!(out.contains("post 105 “Old rumour”: in the WordPress trash"), "{out}");
        assert!(out.contains("page 110 “About us”: pages are not articles"), "{out}");
        assert!(out.contains("it was private in WordPress; imported as a draft"), "{out}");
        assert!(work.dir.path().join("site-data/media").is_dir(), "images go to the data directory's media store");
        assert_eq!(app.article_count(), 5);

        // The article is on the site, sections and all.
        let b = app.new_browser();
        let page = b.get("/articles/harbour-bridge-reopens");
        assert_eq!(page.status, 200, "{}", page.snippet());
        assert!(page.contains_in_order(&["Harbour Bridge reopens after repairs", "<strong>Tuesday</strong>", "What changed", "New lighting", "What’s next", "Mayor Ana Lund"]), "{}", page.snippet());
        assert!(gazette_tests::live_script(&page.body).is_empty());

        // Old addresses: 301 to the new one.
        for old in [
            "/?p=101",
            "/index.php?p=101",
            "/2024/05/harbour-bridge-reopens/",
            "/2024/05/14/harbour-bridge-reopens/",
            "/harbour-bridge-reopens/",
            "/harbour-bridge-reopens",
        ] {
            let r = b.get(old);
            assert_eq!(r.status, 301, "GET {old}: {}", r.snippet());
            assert_eq!(r.location(), Some("/articles/harbour-bridge-reopens"), "GET {old}");
        }
        let r = b.get("/2024/05/fc-win-derby/");
        assert_eq!((r.status, r.location()), (301, Some("/articles/fc-win-derby")));
        let r = b.get("/wp-content/uploads/2024/05/harbour-bridge.jpg");
        assert_eq!(r.status, 301, "{}", r.snippet());
        assert!(r.location().is_some_and(|l| l.starts_with("/media/")), "{:?}", r.location());

        // Drafts and private posts keep their new address to themselves.
        let r = b.get("/?p=103");
        assert_eq!(r.status, 200, "the home page, not a redirect: {}", r.snippet());
        assert_eq!(b.get("/2024/05/staff-party-photos/").status, 404);
        assert_eq!(b.get("/?p=999").status, 200);
        assert_eq!(b.get("/not-a-wordpress-post/").status, 404);
        assert_ne!(b.get("/admin/harbour-bridge-reopens").status, 301, "Gazette's own prefixes are never redirected");

        // Safe to run again: nothing new, nothing changed.
        let again = ok(&work.import(app, &fixture("export.xml"), &[]));
        assert!(again.contains("Articles: 0 created, 0 updated, 5 unchanged, 3 skipped."), "{again}");
        assert!(again.contains("(1 already there)"), "{again}");
        assert_eq!(app.article_count(), 5);
    }

    fn damaged_exports_import_nothing(app: &TestApp) {
        app.setup_admin();
        let work = Workdir::new();
        for (file, position) in [("truncated.xml", "line 120"), ("mismatched.xml", "line 251")] {
            let out = work.import(app, &fixture(file), &[]);
            assert!(!out.status.success(), "{file} should fail");
            let err = stderr(&out);
            assert!(err.contains(position) && err.contains("nothing was imported"), "{file}: {err}");
        }
        let err = stderr(&work.import(app, &fixture("truncated.xml"), &[]));
        assert!(err.contains("truncated"), "{err}");
        assert_eq!(app.article_count(), 0);
        assert_eq!(user_count(app), 1, "only the administrator");
    }

    fn needs_an_administrator(app: &TestApp) {
        let work = Workdir::new();
        let out = work.import(app, &fixture("export.xml"), &[]);
        assert!(!out.status.success());
        assert!(stderr(&out).contains("no administrator to import as"), "{}", stderr(&out));
        app.setup_admin();
        let (editor, _) = app.create_user(cms_core::roles::Role::Editor);
        let out = work.import(app, &fixture("export.xml"), &["--as", &editor.email]);
        assert!(!out.status.success());
        assert!(stderr(&out).contains("only administrators import"), "{}", stderr(&out));
        assert_eq!(app.article_count(), 0);
    }
}

fn user_count(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    app.with_db(|c| {
        cms_core::schema::users::table
            .count()
            .get_result::<i64>(c)
            .expect("count users")
    })
}
