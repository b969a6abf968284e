//! The WordPress importer against real databases, with WXR files written to
//! look like WordPress's own (tests/fixtures/wordpress/).

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

both_backends! {
    fn imports_a_realistic_export(db: &TestDb) {
        let mut conn = db.conn();
        let admin = admin(&mut conn);
        let files = Files::new();
        let storage = files.storage();
        let export = parse(&fixture("export.xml"));
        let report = import(&mut conn, &admin, &export, &files.options(), Some(&storage));

        assert_eq!(report.summary(), "5 created, 0 updated, 0 unchanged, 3 skipped", "{report}");
        assert_eq!((report.authors_created, report.categories_created), (2, 2), "{report}");
        assert_eq!((report.images_imported, report.images_unchanged), (1, 0), "{report}");
        assert_eq!(skipped_reason(&report, "post 105 “Old rumour”"), "in the WordPress trash");
        assert!(skipped_reason(&report, "page 110 “About us”").contains("pages are not articles"));
        assert!(skipped_reason(&report, "nav_menu_item 120").contains("menu item"));
        assert!(has_warning(&report, "post 104 “Staff party photos”: it was private in WordPress; imported as a draft"), "{report}");
        assert!(has_warning(&report, "post 102 “Harbour Town FC win derby & go top”: shortcodes removed: [gallery]"), "{report}");
        assert!(has_warning(&report, "wp:latest-posts"), "{report}");
        assert!(has_warning(&report, "1 comment was not imported"), "{report}");

        // The image: in the library with WordPress's alt text, files in the store.
        let media_id: i32 = media_table::table.select(media_table::id).first(&mut conn).expect("one image");
        let image = media::find(&mut conn, media_id).expect("media");
        assert_eq!(image.alt, "The Harbour Bridge at dawn");
        assert_eq!((image.width, image.height), (48, 32));
        assert!(files.stored_files() >= 2);
        let img = inline_url(&mut conn, media_id);

        // Authors: contributors who cannot log in yet, matched by email (lower-cased).
        let maria = users::find_by_email(&mut conn, "maria.reyes@herald.example").expect("q").expect("maria");
        assert_eq!((maria.display_name.as_str(), maria.role(), maria.can_log_in()), ("Maria Reyes", Role::Contributor, false));
        let jon = users::find_by_email(&mut conn, "jon.odoe@herald.example").expect("q").expect("jon");
        assert_eq!(jon.display_name, "Jon O'Doe");

        // A block-editor post with sections, an image, a quote and an embed.
        let a = by_slug(&mut conn, "harbour-bridge-reopens");
        assert_eq!(a.article.title, "Harbour Bridge reopens after repairs");
        assert_eq!(a.article.status(), Status::Published);
        assert_eq!(a.article.published_at, Some(at("2024-05-14 09:30:00")));
        assert_eq!(a.article.standfirst, "");
        assert_eq!(a.author.id, maria.id);
        assert_eq!(a.category.as_ref().map(|c| (c.slug.as_str(), c.name.as_str(), c.description.as_str())),
            Some(("local-news", "Local News", "What happens in Harbour Town")));
        assert_eq!(a.article.cover_media_id, Some(media_id));
        assert_eq!(sections(&a), vec![
            s("", &format!("The Harbour Bridge reopened on **Tuesday** after [eight weeks of repairs](https://herald.example/2024/03/bridge-closed/).\n\n![The bridge at dawn]({img})\n\n*The bridge at dawn, Tuesday.*")),
            s("What changed", "Engineers replaced 40\u{a0}bearings and resurfaced the deck.\n\n- New lighting\n- A wider cycle lane\n\n### The cost\n\nThe work cost £2.4m, or 5% over budget."),
            s("What\u{2019}s next", "> We are proud of the crews.\n>\n> — Mayor Ana Lund\n\n<https://www.youtube.com/watch?v=abc123>"),
        ]);
        // Rendered and sanitised at save time, like any article.
        assert!(a.sections[0].body_html.contains("<strong>Tuesday</strong>"), "{}", a.sections[0].body_html);
        assert!(a.sections[1].body_html.contains("<h3>The cost</h3>"), "{}", a.sections[1].body_html);

        // A classic-editor post: wpautop paragraphs, [caption], lists, a quote.
        let b = by_slug(&mut conn, "fc-win-derby");
        assert_eq!(b.article.title, "Harbour Town FC win derby & go top");
        assert_eq!(b.article.standfirst, "Harbour Town FC beat the league leaders 3–1.");
        assert_eq!(b.article.published_at, Some(at("2024-05-18 19:45:00")));
        assert_eq!(b.author.id, jon.id);
        assert_eq!(b.category.as_ref().map(|c| c.slug.as_str()), Some("sport"));
        assert_eq!(b.article.cover_media_id, None);
        assert_eq!(sections(&b), vec![
            s("", &format!("Harbour Town FC won 3–1 on Saturday.\n\n![]({img})\n\n*The team crossed the bridge on foot*")),
            s("The goals", "1. Kim, 12'\n2. Osei, 40'\n3. Kim again, 77'\n\n> What a night.\\\n> Truly."),
            s("Next match", "Away at *Northport* on the 8th. Tickets: \\*not\\* on sale yet.\n\nMore after the more tag."),
        ]);

        // A draft without a date or URL name, a private post, a scheduled one.
        let c = by_slug(&mut conn, "budget-preview-draft");
        assert_eq!((c.article.status(), c.article.published_at), (Status::Draft, None));
        assert_eq!(c.category.as_ref().map(|c| c.slug.as_str()), Some("local-news"));
        assert_eq!(sections(&c), vec![s("", "Numbers to come.")]);
        let d = by_slug(&mut conn, "staff-party-photos");
        assert_eq!((d.article.status(), d.article.published_at), (Status::Draft, None));
        assert_eq!(d.author.id, jon.id);
        assert!(d.category.is_none(), "Uncategorized means no category");
        let e = by_slug(&mut conn, "festival-line-up");
        assert_eq!((e.article.status(), e.article.published_at), (Status::Scheduled, Some(at("2099-07-01 08:00:00"))));

        assert_eq!(count!(&mut conn, articles_table::table), 5);
        assert_eq!(count!(&mut conn, categories_table::table), 2);
        assert_eq!(count!(&mut conn, wordpress_imports::table), 6, "5 articles and 1 image");
    }

    fn rerun_changes_nothing(db: &TestDb) {
        let mut conn = db.conn();
        let admin = admin(&mut conn);
        let files = Files::new();
        let storage = files.storage();
        let export = parse(&fixture("export.xml"));
        import(&mut conn, &admin, &export, &files.options(), Some(&storage));
        let snapshot = |conn: &mut DbConnection| {
            let arts: Vec<(i32, String, i32, String)> = articles_table::table
                .order(articles_table::id)
                .select((articles_table::id, articles_table::slug, articles_table::version, articles_table::status))
                .load(conn)
                .expect("articles");
            (arts, count!(conn, users_table::table), count!(conn, categories_table::table),
             count!(conn, media_table::table), count!(conn, revisions_table::table), count!(conn, wordpress_imports::table))
        };
        let before = snapshot(&mut conn);
        let files_before = files.stored_files();

        let again = import(&mut conn, &admin, &export, &files.options(), Some(&storage));
        assert_eq!(again.summary(), "0 created, 0 updated, 5 unchanged, 3 skipped", "{again}");
        assert_eq!((again.authors_created, again.categories_created), (0, 0));
        assert_eq!((again.images_imported, again.images_unchanged), (0, 1));
        assert_eq!(snapshot(&mut conn), before, "a re-run writes nothing");
        assert_eq!(files.stored_files(), files_before);
        // And the rewritten image URLs still match: the image is registered on re-runs too.
        let a = by_slug(&mut conn, "harbour-bridge-reopens");
        assert!(a.sections[0].body_markdown.contains("](/media/"), "{}", a.sections[0].body_markdown);
    }

    fn newer_export_updates_unedited_articles_only(db: &TestDb) {
        let mut conn = db.conn();
        let admin = admin(&mut conn);
        let export = fixture("export.xml");
        import(&mut conn, &admin, &parse(&export), &ImportOptions::default(), None);

        // An editor changes one article in Gazette…
        let derby = by_slug(&mut conn, "fc-win-derby");
        let mut input = articles::save::load_input(&mut conn, &derby.article).expect("input");
        input.title = "Derby: Harbour Town top the table".into();
        articles::save(&mut conn, &admin, Some(derby.article.id), Some(derby.article.version), input, SaveAction::Publish)
            .expect("edit");
        // …and the newsroom keeps writing in WordPress, then exports again.
        let newer = export
            .replace("We are proud of the crews.", "We are very proud of the crews.")
            .replace("Tickets: *not* on sale yet.", "Tickets on sale Monday.");
        let report = import(&mut conn, &admin, &parse(&newer), &ImportOptions::default(), None);
        assert_eq!(report.summary(), "0 created, 1 updated, 3 unchanged, 5 skipped", "{report}");
        assert!(skipped_reason(&report, "post 102").contains("also edited in Gazette"), "{report}");

        let bridge = by_slug(&mut conn, "harbour-bridge-reopens");
        assert_eq!(bridge.article.version, 2);
        assert!(bridge.sections[2].body_markdown.contains("very proud"));
        let derby = by_slug(&mut conn, "fc-win-derby");
        assert_eq!(derby.article.title, "Derby: Harbour Town top the table");
        assert!(derby.sections[2].body_markdown.contains("not"), "Gazette's version kept");

        // The update is an ordinary save: a revision by the importing administrator.
        let saved_by: Vec<Option<i32>> = revisions_table::table
            .filter(revisions_table::article_id.eq(bridge.article.id))
            .order(revisions_table::number)
            .select(revisions_table::author_id)
            .load(&mut conn)
            .expect("revisions");
        assert_eq!(saved_by, vec![Some(admin.id), Some(admin.id)]);

        // Running the newer export again: nothing more to do.
        let report = import(&mut conn, &admin, &parse(&newer), &ImportOptions::default(), None);
        assert_eq!((report.created, report.updated, report.unchanged), (0, 0, 4), "{report}");
    }

    fn deleted_articles_stay_deleted(db: &TestDb) {
        let mut conn = db.conn();
        let admin = admin(&mut conn);
        let export = parse(&fixture("export.xml"));
        import(&mut conn, &admin, &export, &ImportOptions::default(), None);
        let draft = by_slug(&mut conn, "budget-preview-draft");
        articles::delete(&mut conn, &admin, draft.article.id).expect("delete");
        let report = import(&mut conn, &admin, &export, &ImportOptions::default(), None);
        assert_eq!((report.created, report.unchanged), (0, 4), "{report}");
        assert!(skipped_reason(&report, "post 103").contains("deleted in Gazette"), "{report}");
        assert_eq!(count!(&mut conn, articles_table::table), 4);
    }

    fn existing_users_and_slugs_are_respected(db: &TestDb) {
        let mut conn = db.conn();
        let admin = admin(&mut conn);
        // Maria already has an account (she'll keep it); an unrelated article owns a slug.
        let maria = users::create(&mut conn, users::NewUserInput {
            email: "maria.reyes@herald.example".into(),
            display_name: "Maria R.".into(),
            role: "editor".into(),
            password: Some(fixtures::PASSWORD.into()),
            ..Default::default()
        }).expect("maria");
        let ours = fixtures::create(&mut conn, &admin, ArticleInput { slug: "fc-win-derby".into(), ..fixtures::article("Our own derby story") }, SaveAction::Publish);

        let report = import(&mut conn, &admin, &parse(&fixture("export.xml")), &ImportOptions::default(), None);
        assert_eq!(report.authors_created, 1, "only Jon is new: {report}");
        assert!(has_warning(&report, "the URL name `fc-win-derby` is taken; imported as `fc-win-derby-2`"), "{report}");
        let bridge = by_slug(&mut conn, "harbour-bridge-reopens");
        assert_eq!(bridge.author.id, maria.id);
        assert_eq!(users::find(&mut conn, maria.id).expect("maria").role(), Role::Editor, "her role is untouched");
        let derby = by_slug(&mut conn, "fc-win-derby-2");
        assert_eq!(derby.article.title, "Harbour Town FC win derby & go top");
        assert_eq!(by_slug(&mut conn, "fc-win-derby").article.id, ours.id);
        // Re-running keeps the suffixed slug stable.
        let again = import(&mut conn, &admin, &parse(&fixture("export.xml")), &ImportOptions::default(), None);
        assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 5), "{again}");
    }

    fn without_uploads_images_keep_their_urls(db: &TestDb) {
        let mut conn = db.conn();
        let admin = admin(&mut conn);
        let report = import(&mut conn, &admin, &parse(&fixture("export.xml")), &ImportOptions::default(), None);
        assert_eq!(report.summary(), "5 created, 0 updated, 0 unchanged, 4 skipped", "{report}");
        assert!(skipped_reason(&report, "attachment 45").contains("--uploads-dir"), "{report}");
        assert!(has_warning(&report, "featured image (attachment 45) was not imported"), "{report}");
        let a = by_slug(&mut conn, "harbour-bridge-reopens");
        assert!(a.sections[0].body_markdown.contains("![The bridge at dawn](https://herald.example/wp-content/uploads/2024/05/harbour-bridge-1024x683.jpg)"),
            "{}", a.sections[0].body_markdown);
        assert_eq!(a.article.cover_media_id, None);
        assert_eq!(count!(&mut conn, media_table::table), 0);
    }

    fn pages_on_request(db: &TestDb) {
        let mut conn = db.conn();
        let admin = admin(&mut conn);
        let opts = ImportOptions { include_pages: true, ..Default::default() };
        let report = import(&mut conn, &admin, &parse(&fixture("export.xml")), &opts, None);
        assert_eq!(report.created, 6, "{report}");
        let about = by_slug(&mut conn, "about");
        assert_eq!(sections(&about), vec![s("", "The *Herald* has served Harbour Town since 1921.")]);
        assert_eq!(redirects::for_post_id(&mut conn, 110).expect("q").as_deref(), Some("/articles/about"));
        assert_eq!(redirects::for_path(&mut conn, "/about/").expect("q").as_deref(), Some("/articles/about"));
    }

    fn dry_run_writes_nothing(db: &TestDb) {
        let mut conn = db.conn();
        let admin = admin(&mut conn);
        let files = Files::new();
        let storage = files.storage();
        let opts = ImportOptions { dry_run: true, ..files.options() };
        let users_before = count!(&mut conn, users_table::table);
        let report = import(&mut conn, &admin, &parse(&fixture("export.xml")), &opts, Some(&storage));
        assert!(report.dry_run);
        assert_eq!(report.summary(), "5 created, 0 updated, 0 unchanged, 3 skipped", "{report}");
        assert_eq!((report.authors_created, report.categories_created, report.images_imported), (2, 2, 1));
        assert_eq!(count!(&mut conn, articles_table::table), 0);
        assert_eq!(count!(&mut conn, users_table::table), users_before);
        assert_eq!(count!(&mut conn, categories_table::table), 0);
        assert_eq!(count!(&mut conn, wordpress_imports::table), 0);
        assert_eq!(count!(&mut conn, media_table::table), 0);
        assert_eq!(files.stored_files(), 0);
    }

    fn only_administrators_import(db: &TestDb) {
        let mut conn = db.conn();
        let editor = fixtures::user(&mut conn, Role::Editor);
        let err = wordpress::run(&mut conn, &editor, &parse(&fixture("export.xml")), &ImportOptions::default(), None, &mut |_, _| {})
            .expect_err("editors may not import");
        assert!(matches!(err.error, CoreError::Forbidden(_)), "{err}");
        assert_eq!(count!(&mut conn, articles_table::table), 0);
    }

    fn messy_export_imports_what_it_can(db: &TestDb) {
        let mut conn = db.conn();
        let admin = admin(&mut conn);
        let files = Files::new();
        let storage = files.storage();
        fixtures::create(&mut conn, &admin, ArticleInput { slug: "taken-slug".into(), ..fixtures::article("Already here") }, SaveAction::Save);
        let export = parse(&fixture("messy.xml"));
        assert!(export.warnings.iter().any(|w| w.contains("&eacute;")), "{:?}", export.warnings);
        let report = import(&mut conn, &admin, &export, &files.options(), Some(&storage));
        assert_eq!(report.summary(), "10 created, 0 updated, 0 unchanged, 4 skipped", "{report}");
        assert!(skipped_reason(&report, "post at line 15").contains("no wp:post_id"), "{report}");
        assert_eq!(skipped_reason(&report, "product 208"), "post type `product` is not imported");
        assert!(skipped_reason(&report, "attachment 212").contains("not a supported image"), "{report}");
        assert!(skipped_reason(&report, "attachment 213").contains("not under wp-content/uploads"), "{report}");

        // Invalid dates: a draft, with the reasons.
        let d = by_slug(&mut conn, "impossible-date");
        assert_eq!((d.article.status(), d.article.published_at), (Status::Draft, None));
        assert!(has_warning(&report, "invalid wp:post_date_gmt `yesterday`"), "{report}");
        assert!(has_warning(&report, "no valid publication date"), "{report}");
        // No title.
        let u = by_slug(&mut conn, "untitled-wordpress-post-202");
        assert_eq!(u.article.title, "Untitled (WordPress post 202)");
        assert_eq!(sections(&u), vec![s("", "Just a line of text, no title.")]);
        // Duplicate slugs in the file, and a slug Gazette already uses.
        assert_eq!(by_slug(&mut conn, "same-slug").article.title, "Same slug, first");
        assert_eq!(by_slug(&mut conn, "same-slug-2").article.title, "Same slug, second");
        let taken = by_slug(&mut conn, "taken-slug-2");
        assert_eq!(taken.article.title, "Taken by Gazette");
        // An author missing from the authors list, and one with an unusable email.
        assert_eq!(taken.author.email, "ghost@wordpress-import.invalid");
        assert_eq!(taken.author.role(), Role::Contributor);
        assert_eq!(by_slug(&mut conn, "same-slug").author.email, "editor@wordpress-import.invalid");
        assert_eq!(by_slug(&mut conn, "same-slug").author.display_name, "The Editor");
        // Password-protected and unknown status: drafts, never public.
        assert_eq!(by_slug(&mut conn, "members-only").article.status(), Status::Draft);
        assert!(has_warning(&report, "password-protected"), "{report}");
        assert_eq!(by_slug(&mut conn, "in-limbo").article.status(), Status::Draft);
        assert!(has_warning(&report, "unknown status `limbo`"), "{report}");
        // Percent-encoded UTF-8 post names, undeclared entities, local dates.
        let p = by_slug(&mut conn, "privet");
        assert_eq!(sections(&p), vec![s("", "Текст.")]);
        assert_eq!(redirects::for_path(&mut conn, "/blog/%D0%BF%D1%80%D0%B8%D0%B2%D0%B5%D1%82/").expect("q").as_deref(), Some("/articles/privet"));
        assert_eq!(redirects::for_path(&mut conn, "/привет").expect("q").as_deref(), Some("/articles/privet"));
        let cafe = by_slug(&mut conn, "cafe-opens");
        assert_eq!(cafe.article.title, "Café opens – at last");
        assert_eq!(cafe.article.published_at, Some(at("2023-01-10 12:00:00")));
        // A title too long for Gazette is shortened, not refused.
        let long = by_slug(&mut conn, "too-many-characters");
        assert_eq!(long.article.title.chars().count(), 200);
        assert!(long.article.title.ends_with('…'));
    }

    fn an_invalid_post_leaves_nothing_behind(db: &TestDb) {
        let mut conn = db.conn();
        let admin = admin(&mut conn);
        // One section over Gazette's limit: refused by articles::save, and the
        // author and category created for it are rolled back with it.
        let huge = "word ".repeat(25_000);
        let xml = fixture("export.xml").replace("<p>Numbers to come.</p>", &format!("<p>{huge}</p>"));
        let mut export = parse(&xml);
        export.items.retain(|i| i.post_id == Some(103));
        let users_before = count!(&mut conn, users_table::table);
        let report = import(&mut conn, &admin, &export, &ImportOptions::default(), None);
        assert_eq!(report.summary(), "0 created, 0 updated, 0 unchanged, 1 skipped", "{report}");
        assert!(skipped_reason(&report, "post 103").contains("not valid in Gazette: sections[0].body"), "{report}");
        assert_eq!((report.authors_created, report.categories_created), (0, 0));
        assert_eq!(count!(&mut conn, users_table::table), users_before);
        assert_eq!(count!(&mut conn, categories_table::table), 0);
        assert_eq!(count!(&mut conn, wordpress_imports::table), 0);
    }

    fn old_urls_find_the_new_articles(db: &TestDb) {
        let mut conn = db.conn();
        let admin = admin(&mut conn);
        let files = Files::new();
        let storage = files.storage();
        import(&mut conn, &admin, &parse(&fixture("export.xml")), &files.options(), Some(&storage));
        let bridge = Some("/articles/harbour-bridge-reopens".to_owned());
        let mut path = |p: &str| redirects::for_path(&mut conn, p).expect("lookup");
        assert_eq!(path("/2024/05/harbour-bridge-reopens/"), bridge);
        assert_eq!(path("/harbour-bridge-reopens/"), bridge);
        assert_eq!(path("/harbour-bridge-reopens"), bridge);
        assert_eq!(path("/2024/05/14/harbour-bridge-reopens/"), bridge);
        assert_eq!(path("/2024/05/fc-win-derby/"), Some("/articles/fc-win-derby".to_owned()));
        // Drafts, private and scheduled posts do not give their new address away.
        assert_eq!(path("/2024/05/staff-party-photos/"), None);
        assert_eq!(path("/2099/07/festival-line-up/"), None);
        assert_eq!(path("/2024/05/old-rumour/"), None);
        assert_eq!(path("/nothing-here/"), None);
        assert_eq!(path("/"), None);
        // The old image URL leads to the imported image.
        let largest = path("/wp-content/uploads/2024/05/harbour-bridge.jpg").expect("image redirect");
        assert!(largest.starts_with("/media/"), "{largest}");
        let mut post = |id: i64| redirects::for_post_id(&mut conn, id).expect("lookup");
        assert_eq!(post(101), bridge);
        assert_eq!(post(103), None);
        assert_eq!(post(105), None);
        assert_eq!(post(45), None, "attachments are not posts");
        assert_eq!(post(999), None);

        // Renamed in Gazette later: the redirect follows the article.
        let a = by_slug(&mut conn, "harbour-bridge-reopens");
        let mut input = articles::save::load_input(&mut conn, &a.article).expect("input");
        input.slug = "bridge-reopens".into();
        articles::save(&mut conn, &admin, Some(a.article.id), Some(a.article.version), input, SaveAction::Save).expect("rename");
        assert_eq!(redirects::for_post_id(&mut conn, 101).expect("lookup").as_deref(), Some("/articles/bridge-reopens"));
    }
}

#[test]
fn truncated_and_broken_files_are_refused_with_a_position() {
    let err = wordpress::parse(
        || std::fs::File::open(fixture_path("truncated.xml")).map(std::io::BufReader::new),
        &mut |_| {},
    )
    .expect_err("truncated");
    assert!(err.message.contains("truncated"), "{err}");
    assert!(err.message.contains("<item> (opened at line 113)"), "{err}");
    assert!(err.line >= 120, "{err}");

    let err = wordpress::parse_bytes(fixture("mismatched.xml").as_bytes()).expect_err("mismatched");
    assert_eq!(err.line, 251, "{err}");
    assert!(err.message.contains("post_nam"), "{err}");

    let err = wordpress::parse_bytes(b"").expect_err("empty");
    assert!(err.message.contains("not a WordPress export"), "{err}");
    let err = wordpress::parse_bytes(b"\x00\x01 not xml <<<").expect_err("garbage");
    assert!(!err.message.is_empty());
}

#[test]
fn fixtures_parse_as_wordpress_writes_them() {
    let e = parse(&fixture("export.xml"));
    assert_eq!(
        (
            e.version.as_str(),
            e.site_url.as_str(),
            e.site_title.as_str()
        ),
        ("1.2", "https://herald.example", "Harbour Town Herald")
    );
    assert_eq!(e.authors.len(), 2);
    assert_eq!(e.categories.len(), 3);
    let types: Vec<&str> = e.items.iter().map(|i| i.post_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "attachment",
            "post",
            "post",
            "post",
            "post",
            "post",
            "post",
            "page",
            "nav_menu_item"
        ]
    );
    let bridge = &e.items[1];
    assert_eq!(bridge.meta("_thumbnail_id"), Some("45"));
    assert_eq!(
        bridge.meta("source_credit"),
        Some("Harbour Authority <press@harbour.example>")
    );
    assert_eq!(bridge.comments, 1);
    assert!(
        !bridge.content.contains("Not a section"),
        "comment text stays out of the post"
    );
    assert_eq!(
        bridge
            .terms
            .iter()
            .map(|t| (t.domain.as_str(), t.nicename.as_str()))
            .collect::<Vec<_>>(),
        [("post_tag", "bridges"), ("category", "local-news")]
    );
}
