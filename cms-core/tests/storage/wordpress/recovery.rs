//! Messy and invalid exports: importing what can be imported, and leaving
//! nothing behind when a post cannot be.

use super::*;

both_backends! {
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
}
