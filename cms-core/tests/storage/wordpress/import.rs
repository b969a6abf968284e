//! Importing a realistic export: what it creates, re-runs and newer exports,
//! existing users and slugs, uploads, pages, dry runs and who may import.

use super::*;

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
}
