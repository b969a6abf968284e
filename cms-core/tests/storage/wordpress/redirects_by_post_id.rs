//! Old WordPress URLs (by post id) finding the imported articles, also after
//! they are renamed.

use super::*;

both_backends! {
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
