use chrono::Duration;
use cms_core::articles::{self, ArticleInput, SaveAction, Status};
use cms_core::revisions::{self, LineKind};
use cms_core::roles::Role;
use cms_core::schema::{articles as articles_table, revisions as revisions_table};
use cms_core::testdb::fixtures::{self, article, external_link, internal_link, section};
use cms_core::testdb::TestDb;
use cms_core::time::now;
use cms_core::users::User;
use cms_core::{both_backends, settings, CoreError, DbConnection};
use diesel::prelude::*;

use crate::invalid_fields;

/// Revision numbers of an article, newest first.
fn numbers(conn: &mut DbConnection, actor: &User, id: i32) -> Vec<i32> {
    let (_, entries) = revisions::history(conn, actor, id).expect("history");
    entries.iter().map(|e| e.info.number).collect()
}

fn rich_input(target: i32) -> ArticleInput {
    ArticleInput {
        title: "Council approves the budget".into(),
        standfirst: "A late vote, and a narrow one.".into(),
        sections: vec![
            section(
                "",
                "Councillors voted **late** on Tuesday.\nThe chamber was full.",
            ),
            section("The vote", "It passed 7 to 4."),
            section("What next", "Work starts in *spring*."),
        ],
        links: vec![
            internal_link(target),
            external_link("https://example.org/report", "The full report"),
        ],
        ..Default::default()
    }
}

fn saved(
    conn: &mut DbConnection,
    actor: &User,
    id: i32,
    f: impl FnOnce(&mut ArticleInput),
    action: SaveAction,
) -> articles::Article {
    let current = articles::find(conn, id).expect("find");
    let mut input = articles::save::load_input(conn, &current).expect("input");
    f(&mut input);
    articles::save(conn, actor, Some(id), Some(current.version), input, action).expect("save")
}

both_backends! {
    fn every_save_keeps_a_revision(db: &TestDb) {
        let mut conn = db.conn();
        let editor = fixtures::user(&mut conn, Role::Editor);
        let a = fixtures::create(&mut conn, &editor, article("First title"), SaveAction::Save);
        saved(&mut conn, &editor, a.id, |i| i.title = "Second title".into(), SaveAction::Save);
        saved(&mut conn, &editor, a.id, |i| i.sections.push(section("More", "Another part.")), SaveAction::Publish);

        let (_, entries) = revisions::history(&mut conn, &editor, a.id).expect("history");
        let nums: Vec<i32> = entries.iter().map(|e| e.info.number).collect();
        assert_eq!(nums, vec![3, 2, 1], "newest first");
        let versions: Vec<i32> = entries.iter().map(|e| e.info.version).collect();
        assert_eq!(versions, vec![3, 2, 1]);
        let statuses: Vec<Status> = entries.iter().map(|e| e.info.status()).collect();
        assert_eq!(statuses, vec![Status::Published, Status::Draft, Status::Draft]);
        assert!(entries.iter().all(|e| e.info.author_id == Some(editor.id)));
        assert!(entries.iter().all(|e| e.author_name.as_deref() == Some(editor.display_name.as_str())));
        let summaries: Vec<&str> = entries.iter().map(|e| e.info.summary.as_str()).collect();
        assert_eq!(summaries, vec!["Published; added 1 section", "Edited title", "Created"]);

        let r1 = revisions::find(&mut conn, &editor, a.id, 1).expect("r1");
        assert_eq!(r1.snapshot.article.title, "First title");
        assert_eq!(r1.snapshot.status(), Status::Draft);
        assert_eq!(r1.snapshot.article.sections.len(), 1);
        let r2 = revisions::find(&mut conn, &editor, a.id, 2).expect("r2");
        assert_eq!(r2.snapshot.article.title, "Second title");
        let r3 = revisions::find(&mut conn, &editor, a.id, 3).expect("r3");
        let stored = articles::find(&mut conn, a.id).expect("find");
        assert_eq!(r3.snapshot.article, articles::save::load_input(&mut conn, &stored).expect("input"));
        assert_eq!(r3.snapshot.article.published_at, stored.published_at);
        assert_eq!(revisions::count(&mut conn, a.id).expect("count"), 3);
        assert_eq!(revisions::previous_number(&mut conn, a.id, 3).expect("prev"), Some(2));
        assert_eq!(revisions::previous_number(&mut conn, a.id, 1).expect("prev"), None);
        assert!(matches!(revisions::find(&mut conn, &editor, a.id, 9), Err(CoreError::NotFound)));
    }

    fn restore_brings_back_an_old_revision_exactly(db: &TestDb) {
        let mut conn = db.conn();
        let editor = fixtures::user(&mut conn, Role::Editor);
        let target = fixtures::published(&mut conn, &editor, "Earlier: the debate");
        let other = fixtures::published(&mut conn, &editor, "Elsewhere");
        let a = fixtures::create(&mut conn, &editor, rich_input(target.id), SaveAction::Save);
        let original = revisions::find(&mut conn, &editor, a.id, 1).expect("r1").snapshot.article;

        let published = saved(&mut conn, &editor, a.id, |i| {
            i.title = "Budget: a rewrite".into();
            i.standfirst = "Completely different.".into();
            i.sections = vec![section("Only", "One section now.")];
            i.links = vec![internal_link(other.id)];
        }, SaveAction::Publish);
        assert_eq!(published.status(), Status::Published);

        let restored = revisions::restore_revision(&mut conn, &editor, a.id, 1, Some(published.version)).expect("restore");
        assert_eq!(restored.from, 1);
        assert_eq!(restored.number, 3);
        assert!(restored.notices.is_empty(), "{:?}", restored.notices);
        let now_stored = articles::find(&mut conn, a.id).expect("find");
        let back = articles::save::load_input(&mut conn, &now_stored).expect("input");
        assert_eq!(back.title, original.title);
        assert_eq!(back.slug, original.slug);
        assert_eq!(back.standfirst, original.standfirst);
        assert_eq!(back.sections, original.sections);
        assert_eq!(back.links, original.links);
        assert_eq!(back.category_id, original.category_id);
        // Content, not publication state: still published, same date.
        assert_eq!(now_stored.status(), Status::Published);
        assert_eq!(now_stored.published_at, published.published_at);
        assert_eq!(now_stored.version, published.version + 1);

        // Nothing lost: the rewrite is still revision 2, and the restore is revision 3.
        assert_eq!(numbers(&mut conn, &editor, a.id), vec![3, 2, 1]);
        let r3 = revisions::find(&mut conn, &editor, a.id, 3).expect("r3");
        assert_eq!(r3.info.summary, "Restored revision 1");
        assert_eq!(r3.info.status(), Status::Published);
        assert_eq!(r3.snapshot.article.sections, original.sections);
        let r2 = revisions::find(&mut conn, &editor, a.id, 2).expect("r2");
        assert_eq!(r2.snapshot.article.title, "Budget: a rewrite");

        // And the rewrite can be brought back in turn.
        revisions::restore_revision(&mut conn, &editor, a.id, 2, None).expect("restore 2");
        let stored = articles::find(&mut conn, a.id).expect("find");
        assert_eq!(stored.title, "Budget: a rewrite");
        assert_eq!(revisions::count(&mut conn, a.id).expect("count"), 4);
    }

    fn restore_drops_links_to_deleted_articles(db: &TestDb) {
        let mut conn = db.conn();
        let editor = fixtures::user(&mut conn, Role::Editor);
        let target = fixtures::published(&mut conn, &editor, "Soon gone");
        let a = fixtures::create(&mut conn, &editor, rich_input(target.id), SaveAction::Save);
        saved(&mut conn, &editor, a.id, |i| i.title = "Retitled".into(), SaveAction::Save);
        articles::delete(&mut conn, &editor, target.id).expect("delete target");

        let plan = revisions::plan_restore(&mut conn, &editor, a.id, 1).expect("plan");
        assert_eq!(plan.input.links.len(), 1);
        assert_eq!(plan.notices.len(), 1, "{:?}", plan.notices);
        let r = revisions::restore_revision(&mut conn, &editor, a.id, 1, None).expect("restore");
        assert!(r.notices[0].contains("deleted"), "{:?}", r.notices);
        let stored = articles::find(&mut conn, a.id).expect("find");
        let input = articles::save::load_input(&mut conn, &stored).expect("input");
        assert_eq!(stored.title, "Council approves the budget");
        assert_eq!(input.links, vec![external_link("https://example.org/report", "The full report")]);
    }

    fn a_failed_save_leaves_no_revision(db: &TestDb) {
        let mut conn = db.conn();
        let editor = fixtures::user(&mut conn, Role::Editor);
        let a = fixtures::create(&mut conn, &editor, article("Kept"), SaveAction::Save);
        saved(&mut conn, &editor, a.id, |i| i.title = "Kept twice".into(), SaveAction::Save);
        assert_eq!(revisions::count(&mut conn, a.id).expect("count"), 2);

        // A stale version: conflict, nothing written.
        let stale = articles::save(&mut conn, &editor, Some(a.id), Some(1), article("Stale"), SaveAction::Save);
        assert!(matches!(stale, Err(CoreError::Conflict(_))), "{stale:?}");
        // Invalid input: nothing written.
        let empty = ArticleInput { title: String::new(), ..article("x") };
        assert_eq!(invalid_fields(articles::save(&mut conn, &editor, Some(a.id), Some(2), empty, SaveAction::Save)), vec!["title"]);
        // A restore with a stale version is a conflict too.
        assert!(matches!(revisions::restore_revision(&mut conn, &editor, a.id, 1, Some(1)), Err(CoreError::Conflict(_))));
        // A new article that fails validation leaves nothing at all.
        let before: i64 = revisions_table::table.count().get_result(&mut conn).expect("count");
        let bad = ArticleInput { sections: vec![section("Heading only", "")], ..article("Bad") };
        assert!(articles::save(&mut conn, &editor, None, None, bad, SaveAction::Save).is_err());
        let after: i64 = revisions_table::table.count().get_result(&mut conn).expect("count");
        assert_eq!(after, before);

        assert_eq!(numbers(&mut conn, &editor, a.id), vec![2, 1]);
        assert_eq!(articles::find(&mut conn, a.id).expect("find").title, "Kept twice");
    }

    fn pruning_keeps_the_newest(db: &TestDb) {
        let mut conn = db.conn();
        let editor = fixtures::user(&mut conn, Role::Editor);
        let a = fixtures::create(&mut conn, &editor, article("Pruned"), SaveAction::Save);
        let b = fixtures::create(&mut conn, &editor, article("Also pruned"), SaveAction::Save);
        for n in 2..=5 {
            saved(&mut conn, &editor, a.id, |i| i.title = format!("Pruned {n}"), SaveAction::Save);
            saved(&mut conn, &editor, b.id, |i| i.title = format!("Also pruned {n}"), SaveAction::Save);
        }
        // Default: keep everything.
        assert_eq!(settings::revision_settings(&mut conn).expect("settings").keep, 0);
        assert_eq!(numbers(&mut conn, &editor, a.id), vec![5, 4, 3, 2, 1]);

        // Lowering the setting prunes every article at once…
        assert_eq!(settings::save_revision_settings(&mut conn, "3").expect("save").keep, 3);
        assert_eq!(numbers(&mut conn, &editor, a.id), vec![5, 4, 3]);
        assert_eq!(numbers(&mut conn, &editor, b.id), vec![5, 4, 3]);
        // …and every later save keeps the newest N.
        assert_eq!(settings::save_revision_settings(&mut conn, "2").expect("save").keep, 2);
        saved(&mut conn, &editor, a.id, |i| i.title = "Pruned 6".into(), SaveAction::Save);
        assert_eq!(numbers(&mut conn, &editor, a.id), vec![6, 5]);
        assert_eq!(revisions::find(&mut conn, &editor, a.id, 6).expect("r6").snapshot.article.title, "Pruned 6");
        assert_eq!(revisions::previous_number(&mut conn, a.id, 5).expect("prev"), None);

        // Back to keeping all: nothing more is deleted.
        settings::save_revision_settings(&mut conn, "0").expect("save");
        saved(&mut conn, &editor, a.id, |i| i.title = "Pruned 7".into(), SaveAction::Save);
        assert_eq!(numbers(&mut conn, &editor, a.id), vec![7, 6, 5]);
        for bad in ["-1", "many", "100001"] {
            assert_eq!(invalid_fields(settings::save_revision_settings(&mut conn, bad)), vec!["revisions_keep"]);
        }
    }

    fn articles_without_history_get_a_baseline(db: &TestDb) {
        let mut conn = db.conn();
        let editor = fixtures::user(&mut conn, Role::Editor);
        let a = fixtures::create(&mut conn, &editor, article("From before"), SaveAction::Save);
        // As if it had been written before revisions existed.
        diesel::delete(revisions_table::table).execute(&mut conn).expect("forget history");
        saved(&mut conn, &editor, a.id, |i| i.title = "After".into(), SaveAction::Save);
        let (_, entries) = revisions::history(&mut conn, &editor, a.id).expect("history");
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1].info.author_id, None);
        assert_eq!(entries[1].info.summary, "State before revision history was kept");
        assert_eq!(revisions::find(&mut conn, &editor, a.id, 1).expect("r1").snapshot.article.title, "From before");
        assert_eq!(entries[0].info.summary, "Edited title");
    }

    fn scheduled_publication_is_a_revision(db: &TestDb) {
        let mut conn = db.conn();
        let editor = fixtures::user(&mut conn, Role::Editor);
        let input = ArticleInput { published_at: Some(now() + Duration::hours(2)), ..article("Embargoed") };
        let a = fixtures::create(&mut conn, &editor, input, SaveAction::Schedule);
        diesel::update(articles_table::table.find(a.id))
            .set(articles_table::published_at.eq(Some(now() - Duration::seconds(5))))
            .execute(&mut conn)
            .expect("make due");
        assert_eq!(articles::publish_due(&mut conn).expect("publish"), vec![a.id]);
        let (_, entries) = revisions::history(&mut conn, &editor, a.id).expect("history");
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].info.summary, "Published as scheduled");
        assert_eq!(entries[0].info.author_id, None);
        assert_eq!(entries[0].info.status(), Status::Published);
        assert_eq!(entries[1].info.status(), Status::Scheduled);
    }

    fn roles_and_deletion(db: &TestDb) {
        let mut conn = db.conn();
        let admin = fixtures::user(&mut conn, Role::Administrator);
        let editor = fixtures::user(&mut conn, Role::Editor);
        let alice = fixtures::user(&mut conn, Role::Contributor);
        let bob = fixtures::user(&mut conn, Role::Contributor);
        let a = fixtures::create(&mut conn, &alice, article("Alice's draft"), SaveAction::Save);
        saved(&mut conn, &alice, a.id, |i| i.title = "Alice's second draft".into(), SaveAction::Save);

        // Someone else's article: neither history nor restore.
        assert!(matches!(revisions::history(&mut conn, &bob, a.id), Err(CoreError::Forbidden(_))));
        assert!(matches!(revisions::find(&mut conn, &bob, a.id, 1), Err(CoreError::Forbidden(_))));
        assert!(matches!(revisions::restore_revision(&mut conn, &bob, a.id, 1, None), Err(CoreError::Forbidden(_))));
        // Her own draft: yes.
        revisions::restore_revision(&mut conn, &alice, a.id, 1, None).expect("own restore");
        assert_eq!(articles::find(&mut conn, a.id).expect("find").title, "Alice's draft");

        // Once published, a contributor can no longer change it, restores included.
        saved(&mut conn, &editor, a.id, |_| {}, SaveAction::Publish);
        assert!(matches!(revisions::restore_revision(&mut conn, &alice, a.id, 2, None), Err(CoreError::Forbidden(_))));
        assert!(revisions::history(&mut conn, &alice, a.id).is_ok(), "she may still read the history");

        // A deleted user's revisions stay, without a name.
        let heir = admin.id;
        cms_core::users::delete(&mut conn, &admin, alice.id, heir).expect("delete alice");
        let (_, entries) = revisions::history(&mut conn, &editor, a.id).expect("history");
        assert_eq!(entries.len(), 4);
        assert!(entries.iter().filter(|e| e.info.number <= 3).all(|e| e.info.author_id.is_none() && e.author_name.is_none()));

        // Deleting the article deletes its history.
        articles::delete(&mut conn, &editor, a.id).expect("delete");
        let left: i64 = revisions_table::table
            .filter(revisions_table::article_id.eq(a.id))
            .count()
            .get_result(&mut conn)
            .expect("count");
        assert_eq!(left, 0);
    }

    fn comparing_two_revisions(db: &TestDb) {
        let mut conn = db.conn();
        let editor = fixtures::user(&mut conn, Role::Editor);
        let target = fixtures::published(&mut conn, &editor, "Linked story");
        let a = fixtures::create(&mut conn, &editor, rich_input(target.id), SaveAction::Save);
        saved(&mut conn, &editor, a.id, |i| {
            i.sections[1].body = "It passed 8 to 3.".into();
            i.links.remove(1);
        }, SaveAction::Save);
        let old = revisions::find(&mut conn, &editor, a.id, 1).expect("r1");
        let new = revisions::find(&mut conn, &editor, a.id, 2).expect("r2");
        let (old, new) = (
            revisions::readable(&mut conn, &old.snapshot).expect("readable"),
            revisions::readable(&mut conn, &new.snapshot).expect("readable"),
        );
        assert_eq!(old.author, editor.display_name);
        assert_eq!(old.links[0], format!("Linked story (article #{})", target.id));
        let cmp = revisions::diff::compare(&old, &new, &|t| t.to_string());
        let labels: Vec<&str> = cmp.changed.iter().map(|f| f.label.as_str()).collect();
        assert_eq!(labels, vec!["Section 2 “The vote”", "Related links"]);
        let vote = &cmp.changed[0].lines;
        assert!(vote.iter().any(|l| l.kind == LineKind::Removed && l.text == "It passed 7 to 4."));
        assert!(vote.iter().any(|l| l.kind == LineKind::Added && l.text == "It passed 8 to 3."));
        assert!(cmp.unchanged.contains(&"Title".to_owned()));
        assert!(cmp.unchanged.contains(&"2 sections".to_owned()));
    }
}
