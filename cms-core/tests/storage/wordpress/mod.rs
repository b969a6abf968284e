//! The WordPress importer against real databases, with WXR files written to
//! look like WordPress's own (tests/fixtures/wordpress/).
//!
//! This module holds the fixtures and helpers the tests share; the tests
//! themselves live in one submodule per concern.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use cms_core::articles::{self, ArticleFull, ArticleInput, SaveAction, Status};
use cms_core::media::{self, LocalDiskStorage, MediaStorage};
use cms_core::roles::Role;
use cms_core::schema::{
    articles as articles_table, categories as categories_table, media as media_table,
    revisions as revisions_table, users as users_table, wordpress_imports,
};
use cms_core::testdb::fixtures;
use cms_core::testdb::TestDb;
use cms_core::users::{self, User};
use cms_core::wordpress::{self, redirects, ImportOptions, ImportReport, WxrExport};
use cms_core::{both_backends, CoreError, DbConnection};
use diesel::prelude::*;

fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/wordpress")
        .join(name)
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixture_path(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

fn parse(xml: &str) -> WxrExport {
    wordpress::parse_bytes(xml.as_bytes()).unwrap_or_else(|e| panic!("parse: {e}"))
}

/// A copy of `wp-content/uploads` with the export's one image (48×32 JPEG)
/// and a PDF, and an empty media store.
struct Files {
    uploads: tempfile::TempDir,
    store: tempfile::TempDir,
}

impl Files {
    fn new() -> Files {
        let uploads = tempfile::tempdir().expect("tempdir");
        let dir = uploads.path().join("2024/05");
        std::fs::create_dir_all(&dir).expect("mkdir");
        let img = image::RgbImage::from_fn(48, 32, |x, y| {
            image::Rgb([(x * 5) as u8, (y * 7) as u8, 90])
        });
        let mut jpeg = Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut jpeg, image::ImageFormat::Jpeg)
            .expect("encode jpeg");
        std::fs::write(dir.join("harbour-bridge.jpg"), jpeg.into_inner()).expect("write jpeg");
        let pdfs = uploads.path().join("2023/01");
        std::fs::create_dir_all(&pdfs).expect("mkdir");
        std::fs::write(
            pdfs.join("report.pdf"),
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
        )
        .expect("write pdf");
        Files {
            uploads,
            store: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn storage(&self) -> LocalDiskStorage {
        LocalDiskStorage::new(self.store.path())
    }

    fn options(&self) -> ImportOptions {
        ImportOptions {
            uploads_dir: Some(self.uploads.path().to_path_buf()),
            ..Default::default()
        }
    }

    fn stored_files(&self) -> usize {
        fn count(p: &Path) -> usize {
            std::fs::read_dir(p)
                .map(|rd| {
                    rd.flatten()
                        .map(|e| {
                            if e.path().is_dir() {
                                count(&e.path())
                            } else {
                                1
                            }
                        })
                        .sum()
                })
                .unwrap_or(0)
        }
        count(self.store.path())
    }
}

fn import(
    conn: &mut DbConnection,
    actor: &User,
    export: &WxrExport,
    opts: &ImportOptions,
    storage: Option<&dyn MediaStorage>,
) -> ImportReport {
    let mut calls = 0;
    let report = wordpress::run(conn, actor, export, opts, storage, &mut |done, total| {
        assert!(done <= total);
        calls += 1;
    })
    .unwrap_or_else(|e| panic!("import: {e}"));
    assert!(calls > 0, "progress is reported");
    report
}

fn admin(conn: &mut DbConnection) -> User {
    fixtures::user(conn, Role::Administrator)
}

fn by_slug(conn: &mut DbConnection, slug: &str) -> ArticleFull {
    let a = articles_table::table
        .filter(articles_table::slug.eq(slug))
        .select(articles::Article::as_select())
        .first(conn)
        .unwrap_or_else(|e| panic!("article {slug}: {e}"));
    articles::load_full(conn, a).expect("load_full")
}

fn sections(full: &ArticleFull) -> Vec<(String, String)> {
    full.sections
        .iter()
        .map(|s| {
            (
                s.heading.clone().unwrap_or_default(),
                s.body_markdown.clone(),
            )
        })
        .collect()
}

fn s(h: &str, b: &str) -> (String, String) {
    (h.to_owned(), b.to_owned())
}

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").expect("date")
}

/// Rows in a table.
macro_rules! count {
    ($conn:expr, $table:expr) => {
        $table.count().get_result::<i64>($conn).expect("count")
    };
}

fn skipped_reason<'a>(report: &'a ImportReport, item_prefix: &str) -> &'a str {
    report
        .skipped
        .iter()
        .find(|s| s.item.starts_with(item_prefix))
        .map(|s| s.reason.as_str())
        .unwrap_or_else(|| panic!("{item_prefix} should be skipped: {:#?}", report.skipped))
}

fn has_warning(report: &ImportReport, needle: &str) -> bool {
    report.warnings.iter().any(|w| w.contains(needle))
}

/// The URL the importer uses for an image in a section.
fn inline_url(conn: &mut DbConnection, media_id: i32) -> String {
    media::find(conn, media_id)
        .expect("media")
        .at_least(media::INLINE_WIDTH)
        .map(|v| v.path())
        .expect("variant")
}

// Declared after the helpers so that `count!` is in scope in them.
mod import;
mod parsing;
mod recovery;
mod redirects_by_post_id;
