use chrono::Duration;
use cms_core::articles::admin::{self, AdminFilter};
use cms_core::articles::{self, public, ArticleInput, SaveAction, Status};
use cms_core::categories::{self, CategoryInput};
use cms_core::roles::Role;
use cms_core::schema::{articles as articles_table, related_links, sections};
use cms_core::testdb::fixtures::{self, article, external_link, internal_link, section};
use cms_core::testdb::TestDb;
use cms_core::time::now;
use cms_core::{both_backends, CoreError, DbConnection};
use diesel::prelude::*;

use crate::invalid_fields;

fn count_articles(conn: &mut DbConnection) -> i64 {
    articles_table::table
        .count()
        .get_result(conn)
        .expect("count")
}

/// Moves an article's publication time into the past, as if time had passed.
fn make_due(conn: &mut DbConnection, id: i32) {
    diesel::update(articles_table::table.find(id))
        .set(articles_table::published_at.eq(Some(now() - Duration::seconds(5))))
        .execute(conn)
        .expect("make due");
}

fn three_sections() -> Vec<articles::SectionInput> {
    vec![
        section("", "Councillors voted **late** on Tuesday."),
        section("The vote", "It passed 7 to 4."),
        section("What next", "Work starts in *spring*."),
    ]
}

both_backends! {
    fn create_with_sections_and_links(db: &TestDb) {
        let mut conn = db.conn();
        let editor = fixtures::user(&mut conn, Role::Editor);
        let target = fixtures::published(&mut conn, &editor, "Earlier: the budget debate");
        let input = ArticleInput {
            title: "Budget Vote 2026".into(),
            standfirst: "The council approved it.".into(),
            sections: three_sections(),
            links: vec![
                internal_link(target.id),
                external_link("https://example.org/report", "The full report"),
            ],
            ..Default::default()
        };
        let a = articles::save(&mut conn, &editor, None, None, input, SaveAction::Save).expect("save");
        assert_eq!(a.slug, "budget-vote-2026");
        assert_eq!(a.status(), Status::Draft);
        assert_eq!(a.version, 1);
        assert_eq!(a.author_id, editor.id);

        let full = articles::load_full(&mut conn, a.clone()).expect("load");
        let headings: Vec<Option<&str>> = full.sections.iter().map(|s| s.heading.as_deref()).collect();
        assert_eq!(headings, vec![None, Some("The vote"), Some("What next")]);
        let anchors: Vec<&str> = full.sections.iter().map(|s| s.anchor.as_str()).collect();
        assert_eq!(anchors, vec!["intro", "the-vote", "what-next"]);
        let positions: Vec<i32> = full.sections.iter().map(|s| s.position).collect();
        assert_eq!(positions, vec![0, 1, 2]);
        assert!(full.sections[0].body_html.contains("<strong>late</strong>"));
        assert_eq!(full.sections[2].body_markdown, "Work starts in *spring*.");

        assert_eq!(full.links.len(), 2);
        let internal = &full.links[0];
        assert_eq!(internal.target_article_id, Some(target.id));
        assert_eq!(internal.title, "Earlier: the budget debate");
        assert_eq!(internal.slug, target.slug);
        assert_eq!(internal.author_name, editor.display_name);
        assert!(internal.visible);
        let external = &full.links[1];
        assert!(external.is_external());
        assert_eq!(external.url, "https://example.org/report");
        assert_eq!(external.title, "The full report");

        // The editor gets back exactly what was entered.
        let again = articles::save::load_input(&mut conn, &a).expect("input");
        assert_eq!(again.sections, three_sections());
        assert_eq!(again.links[0].target_article_id, Some(target.id));

        // An internal link shows the target's current title.
        let mut retitled = articles::save::load_input(&mut conn, &target).expect("input");
        retitled.title = "The budget debate, revisited".into();
        articles::save(&mut conn, &editor, Some(target.id), Some(target.version), retitled, SaveAction::Save)
            .expect("retitle");
        let links = articles::resolve_links(&mut conn, a.id).expect("links");
        assert_eq!(links[0].title, "The budget debate, revisited");
    }

    fn slugs_are_generated_and_unique(db: &TestDb) {
        let mut conn = db.conn();
        let editor = fixtures::user(&mut conn, Role::Editor);
        let a = fixtures::create(&mut conn, &editor, article("Café crème: prices rise!"), SaveAction::Save);
        assert_eq!(a.slug, "cafe-creme-prices-rise");
        // Same title, no slug: the generated one is taken.
        assert_eq!(
            invalid_fields(articles::save(&mut conn, &editor, None, None, article("Café crème: prices rise!"), SaveAction::Save)),
            vec!["slug"]
        );
        // An explicit duplicate, likewise.
        let dup = ArticleInput { slug: "cafe-creme-prices-rise".into(), ..article("Another title") };
        assert_eq!(invalid_fields(articles::save(&mut conn, &editor, None, None, dup, SaveAction::Save)), vec!["slug"]);
        // A malformed slug.
        let bad = ArticleInput { slug: "Not A Slug".into(), ..article("Third title") };
        assert_eq!(invalid_fields(articles::save(&mut conn, &editor, None, None, bad, SaveAction::Save)), vec!["slug"]);
        assert_eq!(count_articles(&mut conn), 1);
        // Re-saving an article under its own slug is fine.
        let input = articles::save::load_input(&mut conn, &a).expect("input");
        articles::save(&mut conn, &editor, Some(a.id), Some(a.version), input, SaveAction::Save).expect("resave");
    }

    fn input_is_validated(db: &TestDb) {
        let mut conn = db.conn();
        let editor = fixtures::user(&mut conn, Role::Editor);
        let input = ArticleInput {
            title: "   ".into(),
            sections: vec![
                section("Heading only", ""),
                section("", &"x".repeat(articles::save::MAX_BODY_CHARS + 1)),
            ],
            links: vec![external_link("javascript:alert(1)", "Bad"), external_link("https://ok.example", "")],
            ..Default::default()
        };
        let fields = invalid_fields(articles::save(&mut conn, &editor, None, None, input, SaveAction::Save));
        for f in ["title", "sections[0].body", "sections[1].body", "links[0].url", "links[1].title"] {
            assert!(fields.iter().any(|x| x == f), "{f} missing from {fields:?}");
        }
        assert_eq!(count_articles(&mut conn), 0);
        // Exactly at the limit is accepted.
        let ok = ArticleInput {
            sections: vec![section("", &"y".repeat(articles::save::MAX_BODY_CHARS))],
            ..article("Long read")
        };
        articles::save(&mut conn, &editor, None, None, ok, SaveAction::Save).expect("at the limit");
    }

    fn link_to_itself_is_refused(db: &TestDb) {
        let mut conn = db.conn();
        let editor = fixtures::user(&mut conn, Role::Editor);
        let a = fixtures::create(&mut conn, &editor, article("Self reference"), SaveAction::Save);
        let input = ArticleInput { links: vec![internal_link(a.id)], ..article("Self reference") };
        assert_eq!(
            invalid_fields(articles::save(&mut conn, &editor, Some(a.id), Some(a.version), input, SaveAction::Save)),
            vec!["links[0]"]
        );
        assert!(articles::resolve_links(&mut conn, a.id).expect("links").is_empty());
        assert_eq!(articles::find(&mut conn, a.id).expect("find").version, a.version);
        // A link to an article that does not exist.
        let input = ArticleInput { links: vec![internal_link(a.id + 1000)], ..article("Self reference") };
        assert_eq!(
            invalid_fields(articles::save(&mut conn, &editor, Some(a.id), Some(a.version), input, SaveAction::Save)),
            vec!["links[0]"]
        );
    }

    fn stale_version_is_a_conflict(db: &TestDb) {
        let mut conn = db.conn();
        let editor = fixtures::user(&mut conn, Role::Editor);
        let other = fixtures::user(&mut conn, Role::Editor);
        let a = fixtures::create(&mut conn, &editor, article("Original"), SaveAction::Save);
        assert_eq!(a.version, 1);
        // Someone else saves first.
        let theirs = ArticleInput { sections: vec![section("Theirs", "Their text.")], ..article("Their title") };
        let saved = articles::save(&mut conn, &other, Some(a.id), Some(1), theirs, SaveAction::Save).expect("theirs");
        assert_eq!(saved.version, 2);
        // Then we save from the version we opened.
        let ours = ArticleInput { sections: vec![section("Ours", "Our text.")], ..article("Our title") };
        match articles::save(&mut conn, &editor, Some(a.id), Some(1), ours, SaveAction::Publish) {
            Err(CoreError::Conflict(_)) => {}
            other => panic!("expected a conflict, got {other:?}"),
        }
        let now_stored = articles::find(&mut conn, a.id).expect("find");
        assert_eq!(now_stored.title, "Their title");
        assert_eq!(now_stored.version, 2);
        assert_eq!(now_stored.status(), Status::Draft);
        let input = articles::save::load_input(&mut conn, &now_stored).expect("input");
        assert_eq!(input.sections, vec![section("Theirs", "Their text.")]);
    }

    fn contributor_cannot_publish_or_edit_published(db: &TestDb) {
        let mut conn = db.conn();
        let editor = fixtures::user(&mut conn, Role::Editor);
        let contributor = fixtures::user(&mut conn, Role::Contributor);
        for action in [SaveAction::Publish, SaveAction::Schedule] {
            let input = ArticleInput { published_at: Some(now() + Duration::hours(1)), ..article("Eager") };
            assert!(matches!(
                articles::save(&mut conn, &contributor, None, None, input, action),
                Err(CoreError::Forbidden(_))
            ));
        }
        assert_eq!(count_articles(&mut conn), 0);

        let draft = fixtures::create(&mut conn, &contributor, article("My first piece"), SaveAction::Save);
        assert_eq!(draft.author_id, contributor.id);
        // A contributor may keep editing a draft…
        let input = articles::save::load_input(&mut conn, &draft).expect("input");
        let draft = articles::save(&mut conn, &contributor, Some(draft.id), Some(draft.version), input, SaveAction::Save)
            .expect("edit own draft");
        // …but not publish it.
        let input = articles::save::load_input(&mut conn, &draft).expect("input");
        assert!(matches!(
            articles::save(&mut conn, &contributor, Some(draft.id), Some(draft.version), input.clone(), SaveAction::Publish),
            Err(CoreError::Forbidden(_))
        ));
        assert_eq!(articles::find(&mut conn, draft.id).expect("find").status(), Status::Draft);
        // An editor publishes it; from then on the contributor cannot change it.
        let published = articles::save(&mut conn, &editor, Some(draft.id), Some(draft.version), input.clone(), SaveAction::Publish)
            .expect("editor publishes");
        assert_eq!(published.status(), Status::Published);
        assert_eq!(published.author_id, contributor.id, "publishing keeps the author");
        let changed = ArticleInput { title: "Sneaky change".into(), ..input };
        assert!(matches!(
            articles::save(&mut conn, &contributor, Some(draft.id), Some(published.version), changed, SaveAction::Save),
            Err(CoreError::Forbidden(_))
        ));
        assert!(matches!(articles::delete(&mut conn, &contributor, draft.id), Err(CoreError::Forbidden(_))));
        assert_eq!(articles::find(&mut conn, draft.id).expect("find").title, "My first piece");
    }

    fn authors_cannot_touch_others_articles(db: &TestDb) {
        let mut conn = db.conn();
        let alice = fixtures::user(&mut conn, Role::Author);
        let bob = fixtures::user(&mut conn, Role::Author);
        let a = fixtures::published(&mut conn, &alice, "Alice's story");
        let input = ArticleInput { title: "Bob was here".into(), ..articles::save::load_input(&mut conn, &a).expect("input") };
        assert!(matches!(
            articles::save(&mut conn, &bob, Some(a.id), Some(a.version), input.clone(), SaveAction::Save),
            Err(CoreError::Forbidden(_))
        ));
        assert!(matches!(
            articles::save(&mut conn, &bob, Some(a.id), Some(a.version), input, SaveAction::Unpublish),
            Err(CoreError::Forbidden(_))
        ));
        assert!(matches!(articles::delete(&mut conn, &bob, a.id), Err(CoreError::Forbidden(_))));
        let stored = articles::find(&mut conn, a.id).expect("find");
        assert_eq!(stored.title, "Alice's story");
        assert_eq!(stored.status(), Status::Published);
        // An author cannot write as someone else either.
        let as_alice = ArticleInput { author_id: Some(alice.id), ..article("Ghost-written") };
        let b = fixtures::create(&mut conn, &bob, as_alice, SaveAction::Save);
        assert_eq!(b.author_id, bob.id);
        // Alice herself may unpublish and delete her own.
        let input = articles::save::load_input(&mut conn, &stored).expect("input");
        articles::save(&mut conn, &alice, Some(a.id), Some(stored.version), input, SaveAction::Unpublish).expect("unpublish");
        articles::delete(&mut conn, &alice, a.id).expect("delete own");
    }

    fn public_visibility(db: &TestDb) {
        let mut conn = db.conn();
        let editor = fixtures::user(&mut conn, Role::Editor);
        let draft = fixtures::create(&mut conn, &editor, article("Draft news"), SaveAction::Save);
        assert!(public::by_slug(&mut conn, &draft.slug).expect("q").is_none());

        let published = fixtures::published(&mut conn, &editor, "Published news");
        let shown = public::by_slug(&mut conn, &published.slug).expect("q").expect("visible");
        assert_eq!(shown.article.id, published.id);
        assert_eq!(shown.sections.len(), 1);

        let input = articles::save::load_input(&mut conn, &published).expect("input");
        let archived = articles::save(&mut conn, &editor, Some(published.id), Some(published.version), input, SaveAction::Archive)
            .expect("archive");
        assert_eq!(archived.status(), Status::Archived);
        assert!(public::by_slug(&mut conn, &published.slug).expect("q").is_none());

        let future = ArticleInput { published_at: Some(now() + Duration::hours(3)), ..article("Tomorrow's news") };
        let scheduled = fixtures::create(&mut conn, &editor, future, SaveAction::Schedule);
        assert_eq!(scheduled.status(), Status::Scheduled);
        assert!(public::by_slug(&mut conn, &scheduled.slug).expect("q").is_none());
        let listing = public::listing(&mut conn, public::Scope::All, 1, 10).expect("listing");
        assert!(listing.items.is_empty(), "nothing public yet: {:?}", listing.items);

        // Due, but the scheduler has not run yet: visible already.
        make_due(&mut conn, scheduled.id);
        let shown = public::by_slug(&mut conn, &scheduled.slug).expect("q").expect("due article visible");
        assert_eq!(shown.article.status(), Status::Scheduled);
        let listing = public::listing(&mut conn, public::Scope::All, 1, 10).expect("listing");
        let ids: Vec<i32> = listing.items.iter().map(|c| c.id).collect();
        assert_eq!(ids, vec![scheduled.id]);
        assert!(public::by_slug(&mut conn, "no-such-article").expect("q").is_none());

        // Publishing with a future date schedules instead.
        let later = ArticleInput { published_at: Some(now() + Duration::hours(1)), ..article("Embargoed") };
        let embargoed = fixtures::create(&mut conn, &editor, later, SaveAction::Publish);
        assert_eq!(embargoed.status(), Status::Scheduled);
        // Scheduling needs a future date.
        let past = ArticleInput { published_at: Some(now() - Duration::hours(1)), ..article("Too late") };
        assert_eq!(
            invalid_fields(articles::save(&mut conn, &editor, None, None, past, SaveAction::Schedule)),
            vec!["published_at"]
        );
    }

    fn publish_due_publishes_once(db: &TestDb) {
        let mut conn = db.conn();
        let editor = fixtures::user(&mut conn, Role::Editor);
        let soon = ArticleInput { published_at: Some(now() + Duration::hours(1)), ..article("Soon") };
        let due = fixtures::create(&mut conn, &editor, soon.clone(), SaveAction::Schedule);
        let not_due = fixtures::create(&mut conn, &editor, ArticleInput { title: "Later".into(), ..soon }, SaveAction::Schedule);
        assert!(articles::publish_due(&mut conn).expect("nothing due").is_empty());
        make_due(&mut conn, due.id);
        assert_eq!(articles::publish_due(&mut conn).expect("publish"), vec![due.id]);
        assert!(articles::publish_due(&mut conn).expect("again").is_empty(), "published exactly once");
        let a = articles::find(&mut conn, due.id).expect("find");
        assert_eq!(a.status(), Status::Published);
        assert_eq!(a.version, due.version + 1, "an editor holding the old version gets a conflict");
        assert_eq!(articles::find(&mut conn, not_due.id).expect("find").status(), Status::Scheduled);
    }

    fn delete_removes_children_and_inbound_links(db: &TestDb) {
        let mut conn = db.conn();
        let editor = fixtures::user(&mut conn, Role::Editor);
        let other = fixtures::published(&mut conn, &editor, "Other");
        let victim_input = ArticleInput {
            sections: three_sections(),
            links: vec![internal_link(other.id), external_link("https://example.org", "Example")],
            ..article("To be deleted")
        };
        let victim = fixtures::create(&mut conn, &editor, victim_input, SaveAction::Publish);
        let linking_input = ArticleInput {
            links: vec![internal_link(victim.id), internal_link(other.id)],
            ..article("Links to it")
        };
        let linking = fixtures::create(&mut conn, &editor, linking_input, SaveAction::Publish);

        articles::delete(&mut conn, &editor, victim.id).expect("delete");
        assert!(matches!(articles::find(&mut conn, victim.id), Err(CoreError::NotFound)));
        let secs: i64 = sections::table.filter(sections::article_id.eq(victim.id)).count().get_result(&mut conn).expect("count");
        assert_eq!(secs, 0);
        let own_links: i64 = related_links::table.filter(related_links::article_id.eq(victim.id)).count().get_result(&mut conn).expect("count");
        assert_eq!(own_links, 0);
        let inbound: i64 = related_links::table.filter(related_links::target_article_id.eq(victim.id)).count().get_result(&mut conn).expect("count");
        assert_eq!(inbound, 0);
        let remaining = articles::resolve_links(&mut conn, linking.id).expect("links");
        let targets: Vec<Option<i32>> = remaining.iter().map(|l| l.target_article_id).collect();
        assert_eq!(targets, vec![Some(other.id)]);
        // The linking article can still be opened and saved.
        let input = articles::save::load_input(&mut conn, &linking).expect("input");
        articles::save(&mut conn, &editor, Some(linking.id), Some(linking.version), input, SaveAction::Save).expect("resave");
        assert!(matches!(articles::delete(&mut conn, &editor, victim.id), Err(CoreError::NotFound)));
    }

    fn links_to_unpublished_articles_are_hidden_publicly(db: &TestDb) {
        let mut conn = db.conn();
        let editor = fixtures::user(&mut conn, Role::Editor);
        let draft = fixtures::create(&mut conn, &editor, article("Unfinished"), SaveAction::Save);
        let live = fixtures::published(&mut conn, &editor, "Live");
        let input = ArticleInput {
            links: vec![internal_link(draft.id), internal_link(live.id), external_link("https://example.org", "Elsewhere")],
            ..article("Main story")
        };
        let main = fixtures::create(&mut conn, &editor, input, SaveAction::Publish);
        let admin_view = articles::load_full(&mut conn, main.clone()).expect("full");
        let visible: Vec<bool> = admin_view.links.iter().map(|l| l.visible).collect();
        assert_eq!(visible, vec![false, true, true]);
        let public_view = public::by_slug(&mut conn, &main.slug).expect("q").expect("public");
        let titles: Vec<&str> = public_view.links.iter().map(|l| l.title.as_str()).collect();
        assert_eq!(titles, vec!["Live", "Elsewhere"]);
    }

    fn admin_list_filters(db: &TestDb) {
        let mut conn = db.conn();
        let editor = fixtures::user(&mut conn, Role::Editor);
        let author = fixtures::user(&mut conn, Role::Author);
        let politics = categories::create(&mut conn, &editor, CategoryInput { name: "Politics".into(), ..Default::default() }).expect("cat");
        let finance = categories::create(&mut conn, &editor, CategoryInput { name: "Finance".into(), ..Default::default() }).expect("cat");
        let with_cat = |title: &str, cat: i32| ArticleInput { category_id: Some(cat), ..article(title) };
        let a = fixtures::create(&mut conn, &editor, with_cat("BUDGET vote passes", politics.id), SaveAction::Publish);
        let b = fixtures::create(&mut conn, &editor, with_cat("Markets fall", finance.id), SaveAction::Save);
        let c = fixtures::create(&mut conn, &author, with_cat("The budget, explained", finance.id), SaveAction::Save);
        let d = fixtures::create(&mut conn, &author, article("Rates up 100% in a year"), SaveAction::Publish);

        let ids = |filter: AdminFilter, who: &cms_core::users::User, conn: &mut DbConnection| -> Vec<i32> {
            let mut v: Vec<i32> = admin::list(conn, who, &filter, 1, 50).expect("list").rows.iter().map(|r| r.card.id).collect();
            v.sort();
            v
        };
        assert_eq!(ids(AdminFilter::default(), &editor, &mut conn), vec![a.id, b.id, c.id, d.id]);
        assert_eq!(ids(AdminFilter { status: Some(Status::Draft), ..Default::default() }, &editor, &mut conn), vec![b.id, c.id]);
        assert_eq!(ids(AdminFilter { status: Some(Status::Published), ..Default::default() }, &editor, &mut conn), vec![a.id, d.id]);
        assert_eq!(ids(AdminFilter { category_id: Some(finance.id), ..Default::default() }, &editor, &mut conn), vec![b.id, c.id]);
        assert_eq!(ids(AdminFilter { author_id: Some(author.id), ..Default::default() }, &editor, &mut conn), vec![c.id, d.id]);
        assert_eq!(ids(AdminFilter { title_query: Some("budget".into()), ..Default::default() }, &editor, &mut conn), vec![a.id, c.id]);
        assert_eq!(ids(AdminFilter { title_query: Some(" BuDgEt ".into()), ..Default::default() }, &editor, &mut conn), vec![a.id, c.id]);
        assert_eq!(ids(AdminFilter { title_query: Some("%".into()), ..Default::default() }, &editor, &mut conn), vec![d.id], "LIKE wildcards are literal");
        assert_eq!(ids(AdminFilter { title_query: Some("_".into()), ..Default::default() }, &editor, &mut conn), Vec::<i32>::new());
        assert_eq!(
            ids(AdminFilter { status: Some(Status::Draft), category_id: Some(finance.id), author_id: Some(author.id), title_query: Some("BUDGET".into()) }, &editor, &mut conn),
            vec![c.id]
        );
        // Authors see only their own.
        assert_eq!(ids(AdminFilter::default(), &author, &mut conn), vec![c.id, d.id]);
        assert_eq!(ids(AdminFilter { author_id: Some(editor.id), ..Default::default() }, &author, &mut conn), Vec::<i32>::new());

        let page = admin::list(&mut conn, &editor, &AdminFilter::default(), 2, 3).expect("page 2");
        assert_eq!(page.total, 4);
        assert_eq!(page.rows.len(), 1);
        assert_eq!(page.page_count(), 2);
    }
}

both_backends! {
    /// A page loaded at once is the same as each article loaded alone.
    fn load_full_many_matches_load_full(db: &TestDb) {
        let mut conn = db.conn();
        let c = &mut *conn;
        let admin = fixtures::user(c, Role::Administrator);
        let first = fixtures::published(c, &admin, "Batch one");
        let second = fixtures::create(c, &admin, ArticleInput {
            sections: three_sections(),
            links: vec![internal_link(first.id), external_link("https://example.org/x", "Elsewhere")],
            ..article("Batch two")
        }, SaveAction::Publish);
        let third = fixtures::published(c, &admin, "Batch three");
        let rows = vec![third.clone(), second.clone(), first.clone()];
        let many = articles::load_full_many(c, rows.clone(), true).expect("many");
        assert_eq!(many.len(), 3);
        for (batched, row) in many.iter().zip(rows) {
            let alone = articles::load_full(c, row).expect("one");
            assert_eq!(format!("{batched:?}"), format!("{alone:?}"));
        }
        let no_links = articles::load_full_many(c, vec![second.clone()], false).expect("many");
        assert!(no_links[0].links.is_empty());
        assert_eq!(no_links[0].sections.len(), 3);
    }
}

both_backends! {
    /// Content API pages walked with cursors, in both orders, with date
    /// filters on either side, give exactly the articles a plain filter over
    /// all of them gives, in order (times shared by several articles too).
    fn content_pages_match_a_plain_filter(db: &TestDb) {
        use cms_core::articles::content::{self, ContentQuery, Order};
        let mut conn = db.conn();
        let c = &mut *conn;
        let admin = fixtures::user(c, Role::Administrator);
        let base = now() - Duration::days(10);
        let mut all = Vec::new();
        for i in 0..14i64 {
            let a = fixtures::published(c, &admin, &format!("Paged story {i}"));
            // Pairs share a publication time; one is not due yet.
            let at = if i == 13 { now() + Duration::days(1) } else { base + Duration::hours(i / 2) };
            diesel::update(articles_table::table.find(a.id))
                .set(articles_table::published_at.eq(Some(at)))
                .execute(c)
                .expect("time");
            all.push((at, a.id));
        }
        let t = now();
        for order in [Order::NewestFirst, Order::OldestFirst] {
            for (before, after) in [
                (None, None),
                (Some(base + Duration::hours(4)), None),
                (None, Some(base + Duration::hours(1))),
                (Some(base + Duration::hours(5)), Some(base + Duration::minutes(30))),
                (Some(t + Duration::days(3)), None),
            ] {
                let mut expected: Vec<(chrono::NaiveDateTime, i32)> = all
                    .iter()
                    .copied()
                    .filter(|(at, _)| *at <= t)
                    .filter(|(at, _)| before.is_none_or(|b| *at < b))
                    .filter(|(at, _)| after.is_none_or(|x| *at > x))
                    .collect();
                expected.sort();
                if order == Order::NewestFirst {
                    expected.reverse();
                }
                let expected: Vec<i32> = expected.into_iter().map(|(_, id)| id).collect();
                let mut q = ContentQuery {
                    limit: 3,
                    order,
                    published_before: before,
                    published_after: after,
                    ..Default::default()
                };
                let mut seen = Vec::new();
                loop {
                    let page = content::page(c, &q).expect("page");
                    seen.extend(page.items.iter().map(|a| a.id));
                    match page.next {
                        Some(next) => q.cursor = Some(next),
                        None => break,
                    }
                }
                assert_eq!(seen, expected, "{order:?} before {before:?} after {after:?}");
                // Counted exactly below the cap, as the cap above it.
                q.cursor = None;
                let n = expected.len() as i64;
                let exact = content::count_with_cap(c, &q, 100).expect("count");
                assert_eq!(exact, content::Count { n, exact: true }, "before {before:?} after {after:?}");
                let capped = content::count_with_cap(c, &q, 2).expect("count");
                if before.is_none() && after.is_none() {
                    assert_eq!(capped, content::Count { n, exact: true }, "every article: counted exactly");
                } else if n > 2 {
                    assert_eq!(capped, content::Count { n: 2, exact: false }, "before {before:?} after {after:?}");
                }
                if n > 0 {
                    let at = content::count_with_cap(c, &q, n).expect("count");
                    assert_eq!(at, content::Count { n, exact: true }, "exactly the cap is exact");
                }
            }
        }
    }
}
