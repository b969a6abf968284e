//! Full-text search (`cms_core::search`) on both databases: matching in any
//! part of an article, ranking, highlighting, scopes, paging, and an index that
//! follows every save and delete.

use chrono::Duration;
use cms_core::articles::{self, ArticleInput, SaveAction, Status};
use cms_core::roles::Role;
use cms_core::search::{self, Scope, SearchFilters, SearchOrder, SearchPage, SearchQuery};
use cms_core::testdb::fixtures::{self, article, section};
use cms_core::testdb::TestDb;
use cms_core::time::now;
use cms_core::{both_backends, DbConnection};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

pub(crate) fn query(text: &str, scope: Scope) -> SearchQuery {
    SearchQuery {
        text: text.into(),
        scope,
        filters: SearchFilters::default(),
        order: SearchOrder::Relevance,
        page: 1,
        per_page: 20,
    }
}

pub(crate) const ADMIN: Scope = Scope::Admin { only_author: None };

pub(crate) fn find(conn: &mut DbConnection, text: &str, scope: Scope) -> SearchPage {
    search::search(conn, &query(text, scope)).unwrap_or_else(|e| panic!("search {text:?}: {e}"))
}

pub(crate) fn ids(page: &SearchPage) -> Vec<i32> {
    page.hits.iter().map(|h| h.article.id).collect()
}

pub(crate) fn public_ids(conn: &mut DbConnection, text: &str) -> Vec<i32> {
    ids(&find(conn, text, Scope::Public))
}

/// Index rows for this article (0 or 1), read straight from the table.
fn index_rows(conn: &mut DbConnection, id: i32) -> i64 {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let n: N = match conn {
        DbConnection::Sqlite(c) => {
            diesel::sql_query("SELECT count(*) AS n FROM article_search WHERE rowid = ?")
                .bind::<diesel::sql_types::Integer, _>(id)
                .get_result(c)
        }
        DbConnection::Postgres(c) => {
            diesel::sql_query("SELECT count(*) AS n FROM article_search WHERE article_id = $1")
                .bind::<diesel::sql_types::Integer, _>(id)
                .get_result(c)
        }
    }
    .expect("count index rows");
    n.n
}

pub(crate) fn with_sections(title: &str, sections: Vec<articles::SectionInput>) -> ArticleInput {
    ArticleInput {
        title: title.into(),
        sections,
        ..Default::default()
    }
}

both_backends! {
    /// The issue's test: words in any section are found, drafts are not.
    fn finds_words_in_any_section_and_ignores_drafts(db: &TestDb) {
        let mut conn = db.conn();
        let ed = fixtures::user(&mut conn, Role::Editor);
        let input = ArticleInput {
            standfirst: "What the council decided.".into(),
            ..with_sections(
                "Council meeting",
                vec![
                    section("", "Councillors met on Tuesday."),
                    section("The harbour", "Boats were discussed."),
                    section("Afterwards", "A Zeppelin flew over the town hall."),
                ],
            )
        };
        let a = fixtures::create(&mut conn, &ed, input, SaveAction::Publish);
        let draft_input = with_sections("Unpublished piece", vec![section("", "Another zeppelin sighting, unconfirmed.")]);
        let draft = fixtures::create(&mut conn, &ed, draft_input, SaveAction::Save);

        let page = find(&mut conn, "zeppelin", Scope::Public);
        assert_eq!(ids(&page), vec![a.id], "third section found, draft ignored");
        assert_eq!(page.total, 1);
        let hit = &page.hits[0];
        assert!(hit.snippet_html.contains("<mark>Zeppelin</mark>"), "{}", hit.snippet_html);
        assert_eq!(hit.title_html, "Council meeting");
        assert!(hit.rank > 0.0);

        assert_eq!(public_ids(&mut conn, "HARBOUR"), vec![a.id], "a section heading, any case");
        assert_eq!(public_ids(&mut conn, "council decided"), vec![a.id], "standfirst");
        assert_eq!(public_ids(&mut conn, "tuesday councillors"), vec![a.id], "every word, any order");
        assert!(public_ids(&mut conn, "zeppelin submarine").is_empty(), "every word must appear");
        assert_eq!(public_ids(&mut conn, "zepp"), vec![a.id], "the last word is a prefix");
        assert!(public_ids(&mut conn, "zepp flew").is_empty(), "earlier words are whole words");

        let mut admin_ids = ids(&find(&mut conn, "zeppelin", ADMIN));
        admin_ids.sort();
        assert_eq!(admin_ids, vec![a.id, draft.id], "the admin scope sees drafts");
    }

    fn only_public_articles_in_public_scope(db: &TestDb) {
        let mut conn = db.conn();
        let ed = fixtures::user(&mut conn, Role::Editor);
        let live = fixtures::published(&mut conn, &ed, "Quokka census live");
        let scheduled = fixtures::create(
            &mut conn,
            &ed,
            ArticleInput { published_at: Some(now() + Duration::days(2)), ..article("Quokka census embargoed") },
            SaveAction::Schedule,
        );
        assert_eq!(scheduled.status(), Status::Scheduled);
        let archived = fixtures::published(&mut conn, &ed, "Quokka census archived");
        let input = articles::save::load_input(&mut conn, &archived).expect("input");
        articles::save(&mut conn, &ed, Some(archived.id), Some(archived.version), input, SaveAction::Archive).expect("archive");

        assert_eq!(public_ids(&mut conn, "quokka"), vec![live.id]);
        assert_eq!(find(&mut conn, "quokka", ADMIN).total, 3);
        let only_scheduled = SearchQuery {
            filters: SearchFilters { status: Some(Status::Scheduled), ..Default::default() },
            ..query("quokka", ADMIN)
        };
        assert_eq!(ids(&search::search(&mut conn, &only_scheduled).expect("search")), vec![scheduled.id]);
    }

    fn a_title_match_ranks_first(db: &TestDb) {
        let mut conn = db.conn();
        let ed = fixtures::user(&mut conn, Role::Editor);
        let titled = fixtures::published(&mut conn, &ed, "Lighthouse keeper retires");
        // Newer, and the word appears twice, but only in the body.
        let body = fixtures::create(
            &mut conn,
            &ed,
            with_sections("Coastal walks", vec![section("", "Past the lighthouse, then back to the lighthouse café.")]),
            SaveAction::Publish,
        );
        let page = find(&mut conn, "lighthouse", Scope::Public);
        assert_eq!(ids(&page), vec![titled.id, body.id]);
        assert!(page.hits[0].rank > page.hits[1].rank);
        assert_eq!(page.hits[0].title_html, "<mark>Lighthouse</mark> keeper retires");

        // Newest-first ignores rank.
        let newest = SearchQuery { order: SearchOrder::Newest, ..query("lighthouse", Scope::Public) };
        let by_date = ids(&search::search(&mut conn, &newest).expect("search"));
        assert_eq!(by_date.len(), 2);
        let oldest = SearchQuery { order: SearchOrder::Oldest, ..query("lighthouse", Scope::Public) };
        let mut reversed = ids(&search::search(&mut conn, &oldest).expect("search"));
        reversed.reverse();
        assert_eq!(by_date, reversed);
    }

    fn updates_reindex(db: &TestDb) {
        let mut conn = db.conn();
        let ed = fixtures::user(&mut conn, Role::Editor);
        let a = fixtures::create(
            &mut conn,
            &ed,
            with_sections("Breakfast preserves", vec![section("", "Grandmother's marmalade recipe.")]),
            SaveAction::Publish,
        );
        assert_eq!(public_ids(&mut conn, "marmalade"), vec![a.id]);

        let mut input = articles::save::load_input(&mut conn, &a).expect("input");
        input.title = "Savoury condiments".into();
        input.sections = vec![section("", "Uncle's chutney recipe."), section("Serving", "With cheese.")];
        let a2 = articles::save(&mut conn, &ed, Some(a.id), Some(a.version), input, SaveAction::Save).expect("update");
        assert!(public_ids(&mut conn, "marmalade").is_empty(), "old body words are gone");
        assert!(public_ids(&mut conn, "preserves").is_empty(), "old title words are gone");
        assert_eq!(public_ids(&mut conn, "chutney"), vec![a.id]);
        assert_eq!(public_ids(&mut conn, "savoury cheese"), vec![a.id]);
        assert_eq!(index_rows(&mut conn, a.id), 1, "one index row per article");

        // Unpublishing takes it out of public results at once.
        let input = articles::save::load_input(&mut conn, &a2).expect("input");
        articles::save(&mut conn, &ed, Some(a.id), Some(a2.version), input, SaveAction::Unpublish).expect("unpublish");
        assert!(public_ids(&mut conn, "chutney").is_empty());
        assert_eq!(ids(&find(&mut conn, "chutney", ADMIN)), vec![a.id]);
    }

    fn deletes_leave_the_index(db: &TestDb) {
        let mut conn = db.conn();
        let ed = fixtures::user(&mut conn, Role::Editor);
        let a = fixtures::published(&mut conn, &ed, "Platypus spotted downstream");
        let keep = fixtures::published(&mut conn, &ed, "Platypus spotted upstream");
        assert_eq!(index_rows(&mut conn, a.id), 1);
        articles::delete(&mut conn, &ed, a.id).expect("delete");
        assert_eq!(index_rows(&mut conn, a.id), 0, "the index row went with the article");
        assert_eq!(ids(&find(&mut conn, "platypus", ADMIN)), vec![keep.id]);
        assert_eq!(find(&mut conn, "downstream", ADMIN).total, 0);
    }

    fn hostile_input_is_only_words(db: &TestDb) {
        let mut conn = db.conn();
        let ed = fixtures::user(&mut conn, Role::Editor);
        let input = ArticleInput {
            standfirst: "Tags like <b>this</b> & \"quotes\" stay text.".into(),
            ..with_sections(
                "<script>alert(1)</script> Injection report",
                // Markup as code is text a reader sees; as raw HTML it is not indexed.
                vec![section("", "The `<img src=x onerror=alert(2)>` trick and the script tag, explained. <b>Raw</b>")],
            )
        };
        let a = fixtures::create(&mut conn, &ed, input, SaveAction::Publish);
        for text in [
            r#""AND OR NOT * ( ) ' -- ;"#,
            "\"",
            "'",
            "*",
            "NEAR(a b)",
            "title:script",
            "a OR b",
            "-script",
            "^script",
            "{title standfirst}: script",
            "'); DROP TABLE articles; --",
            "\\",
            "%",
            "_",
            "\u{0}",
            "\u{E000}\u{E001}",
            "ं ½ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
            "   ",
            "",
            &"x".repeat(10_000),
            &"word ".repeat(500),
        ] {
            for scope in [Scope::Public, ADMIN] {
                let r = search::search(&mut conn, &query(text, scope));
                assert!(r.is_ok(), "{text:?} in {scope:?}: {r:?}");
                let c = search::count(&mut conn, &query(text, scope));
                assert!(c.is_ok(), "count {text:?}: {c:?}");
            }
        }

        let page = find(&mut conn, "<script>", Scope::Public);
        assert_eq!(ids(&page), vec![a.id], "markup in the query is only its words");
        let hit = &page.hits[0];
        // (PostgreSQL's parser skips anything shaped like a tag, so only SQLite marks these.)
        let unmarked = |s: &str| s.replace("<mark>", "").replace("</mark>", "");
        assert_eq!(unmarked(&hit.title_html), "&lt;script&gt;alert(1)&lt;/script&gt; Injection report");
        assert!(hit.snippet_html.contains("&lt;img src=x onerror=alert(2)&gt;"), "{}", hit.snippet_html);
        assert!(hit.snippet_html.contains("<mark>script</mark>"), "{}", hit.snippet_html);
        assert!(hit.snippet_html.contains("Raw") && !hit.snippet_html.contains("&lt;b&gt;"), "{}", hit.snippet_html);
        assert!(!unmarked(&hit.title_html).contains('<'), "only <mark> is markup: {}", hit.title_html);
        assert!(!unmarked(&hit.snippet_html).contains('<'), "only <mark> is markup: {}", hit.snippet_html);

        // Only the standfirst matches: the snippet is the highlighted standfirst.
        let hit = &find(&mut conn, "quotes", Scope::Public).hits[0];
        assert_eq!(hit.snippet_html, "Tags like &lt;b&gt;this&lt;/b&gt; &amp; &quot;<mark>quotes</mark>&quot; stay text.");
        assert_eq!(hit.title_html, "&lt;script&gt;alert(1)&lt;/script&gt; Injection report");
    }

    fn pages_through_results(db: &TestDb) {
        let mut conn = db.conn();
        let ed = fixtures::user(&mut conn, Role::Editor);
        let mut made = Vec::new();
        for i in 0..5 {
            made.push(fixtures::published(&mut conn, &ed, &format!("Wombat update {i}")).id);
        }
        fixtures::published(&mut conn, &ed, "Unrelated news");
        let mut seen = Vec::new();
        for page in 1..=3 {
            let q = SearchQuery { page, per_page: 2, ..query("wombat", Scope::Public) };
            let p = search::search(&mut conn, &q).expect("page");
            assert_eq!(p.total, 5);
            assert_eq!(p.page_count(), 3);
            assert_eq!(p.has_next(), page < 3, "page {page}");
            assert_eq!(p.hits.len(), if page < 3 { 2 } else { 1 });
            seen.extend(ids(&p));
        }
        seen.sort();
        assert_eq!(seen, made, "every match once");
        let beyond = search::search(&mut conn, &SearchQuery { page: 4, per_page: 2, ..query("wombat", Scope::Public) }).expect("page 4");
        assert!(beyond.hits.is_empty());
        assert_eq!(beyond.total, 5);
        assert_eq!(search::count(&mut conn, &query("wombat", Scope::Public)).expect("count"), 5);
    }

    fn admin_scope_filters_and_title_fragments(db: &TestDb) {
        let mut conn = db.conn();
        let ed = fixtures::user(&mut conn, Role::Editor);
        let author = fixtures::user(&mut conn, Role::Author);
        let mine = fixtures::create(&mut conn, &author, article("Rates up 100% in a year"), SaveAction::Save);
        let theirs = fixtures::published(&mut conn, &ed, "Rates steady for now");
        let own = Scope::Admin { only_author: Some(author.id) };
        assert_eq!(ids(&find(&mut conn, "rates", own)), vec![mine.id], "only the author's own");
        let mut both = ids(&find(&mut conn, "rates", ADMIN));
        both.sort();
        assert_eq!(both, vec![mine.id, theirs.id]);
        let q = SearchQuery { filters: SearchFilters { author_id: Some(ed.id), ..Default::default() }, ..query("rates", ADMIN) };
        assert_eq!(ids(&search::search(&mut conn, &q).expect("search")), vec![theirs.id]);

        // A fragment of a title matches in the admin scope (LIKE characters are literal)…
        assert_eq!(ids(&find(&mut conn, "100%", ADMIN)), vec![mine.id]);
        assert_eq!(ids(&find(&mut conn, "%", ADMIN)), vec![mine.id]);
        assert_eq!(ids(&find(&mut conn, "tes ste", ADMIN)), vec![theirs.id]);
        assert!(find(&mut conn, "_", ADMIN).hits.is_empty());
        // …ranked after word matches, and never publicly.
        assert!(public_ids(&mut conn, "tes ste").is_empty());
        let hit = &find(&mut conn, "%", ADMIN).hits[0];
        assert_eq!(hit.title_html, "Rates up 100% in a year");
        assert_eq!(hit.rank, 0.0);
    }

    fn migration_backfills_existing_articles(db: &TestDb) {
        let mut conn = db.conn();
        let ed = fixtures::user(&mut conn, Role::Editor);
        let a = fixtures::create(
            &mut conn,
            &ed,
            with_sections("Before search existed", vec![section("", "Intro."), section("Old news", "An *ocelot* escaped.")]),
            SaveAction::Publish,
        );
        // Drop the index and create it again as the migration does, with the article already there.
        crate::redo_search_migration(&mut conn, "2026-11-29-000004_search", |_| {});
        assert_eq!(public_ids(&mut conn, "ocelot"), vec![a.id]);
        assert_eq!(public_ids(&mut conn, "old news"), vec![a.id]);
        assert_eq!(index_rows(&mut conn, a.id), 1);
    }

    fn reindex_range_indexes_bulk_rows(db: &TestDb) {
        let mut conn = db.conn();
        let ed = fixtures::user(&mut conn, Role::Editor);
        let a = fixtures::create(&mut conn, &ed, with_sections("Bulk one", vec![section("", "Capybara herd.")]), SaveAction::Publish);
        let b = fixtures::create(&mut conn, &ed, with_sections("Bulk two", vec![section("", "Capybara calf.")]), SaveAction::Publish);
        conn.batch_execute("DELETE FROM article_search").expect("empty the index");
        if let DbConnection::Postgres(_) = &*conn {
            conn.batch_execute("DELETE FROM article_search_keys").expect("empty the keys");
        }
        assert!(public_ids(&mut conn, "capybara").is_empty());
        // Bulk writers add their words too (see the long-prefix test).
        conn.batch_execute("DELETE FROM search_terms").expect("forget the words");
        search::reindex_range(&mut conn, a.id..=b.id).expect("reindex");
        search::reindex_range(&mut conn, a.id..=b.id).expect("twice is fine");
        let mut found = public_ids(&mut conn, "capybara");
        found.sort();
        assert_eq!(found, vec![a.id, b.id]);
        assert_eq!(index_rows(&mut conn, a.id), 1);
        let mut found = public_ids(&mut conn, "capybar");
        found.sort();
        assert_eq!(found, vec![a.id, b.id], "a prefix longer than the prefix indexes");
    }
}

both_backends! {
    /// The last word matches as a prefix at every length (two to six letters
    /// have FTS5 prefix indexes, longer ones complete to indexed words), whole words stay whole,
    /// and a one-letter last word is only a word.
    fn the_last_word_matches_half_typed_words(db: &TestDb) {
        let mut conn = db.conn();
        let ed = fixtures::user(&mut conn, Role::Editor);
        let council = fixtures::create(&mut conn, &ed, with_sections("Council sits late", vec![section("", "The budget passed.")]), SaveAction::Publish);
        let councillors = fixtures::create(&mut conn, &ed, with_sections("Councillors walk out", vec![section("", "No budget tonight.")]), SaveAction::Publish);
        let counter = fixtures::create(&mut conn, &ed, with_sections("Counterfeit notes", vec![section("", "Police warn shops.")]), SaveAction::Publish);
        let sorted = |mut v: Vec<i32>| {
            v.sort();
            v
        };
        assert_eq!(sorted(public_ids(&mut conn, "co")), vec![council.id, councillors.id, counter.id], "two letters");
        assert_eq!(sorted(public_ids(&mut conn, "coun")), vec![council.id, councillors.id, counter.id]);
        assert_eq!(sorted(public_ids(&mut conn, "counc")), vec![council.id, councillors.id], "five letters");
        assert_eq!(sorted(public_ids(&mut conn, "Counci")), vec![council.id, councillors.id], "six letters, any case");
        assert_eq!(public_ids(&mut conn, "councill"), vec![councillors.id], "longer than any prefix index");
        assert_eq!(public_ids(&mut conn, "counterf"), vec![counter.id]);
        assert_eq!(sorted(public_ids(&mut conn, "budget counc")), vec![council.id, councillors.id]);
        assert!(public_ids(&mut conn, "counc budget").is_empty(), "earlier words are whole words");
        assert!(public_ids(&mut conn, "c").is_empty(), "one letter is no prefix");
        let hit = &find(&mut conn, "walk counci", Scope::Public).hits[0];
        assert_eq!(hit.title_html, "<mark>Councillors</mark> <mark>walk</mark> out");
    }

    /// Search with a small cap: up to the cap every match is counted and
    /// ranked; past it the page says there are more, shows the newest `cap`
    /// matches newest first (after the filters: drafts never use up the cap),
    /// and a prefix is only tried while the whole words match no more than the cap.
    fn the_cap_counts_no_further(db: &TestDb) {
        let mut conn = db.conn();
        let ed = fixtures::user(&mut conn, Role::Editor);
        let mut ferry = Vec::new();
        for i in 0..5 {
            ferry.push(fixtures::create(&mut conn, &ed, with_sections(&format!("Ferry {i}"), vec![section("", "Sailings resume.")]), SaveAction::Publish).id);
            fixtures::create(&mut conn, &ed, with_sections(&format!("Ferry draft {i}"), vec![section("", "Not yet.")]), SaveAction::Save);
        }
        let ferryman = fixtures::create(&mut conn, &ed, with_sections("The ferryman retires", vec![section("", "After forty years.")]), SaveAction::Publish).id;
        let capped = |conn: &mut DbConnection, text: &str, order: SearchOrder, page: i64, cap: i64| {
            let q = SearchQuery { order, page, per_page: 2, ..query(text, Scope::Public) };
            search::search_with_cap(conn, &q, cap).unwrap_or_else(|e| panic!("search {text:?}: {e}"))
        };

        // Cap 6: the five whole-word matches are within it, so the prefix is
        // tried too and adds the ferryman; six is not more than six.
        let exact = capped(&mut conn, "ferry", SearchOrder::Relevance, 1, 6);
        assert!(!exact.more);
        assert_eq!(exact.total, 6, "five ferries and the ferryman (prefix), no drafts");
        assert!(exact.hits.iter().all(|h| h.rank > 0.0), "ranked");
        assert!(exact.has_next());

        // Cap 4: the words alone match more, so the prefix is not tried.
        let first = capped(&mut conn, "ferry", SearchOrder::Relevance, 1, 4);
        assert!(first.more);
        assert_eq!(first.total, 4);
        assert_eq!(ids(&first), vec![ferry[4], ferry[3]], "newest first, drafts left out");
        assert!(first.hits.iter().all(|h| h.rank == 0.0 && h.title_html.contains("<mark>Ferry</mark>")));
        assert!(first.has_next());
        let second = capped(&mut conn, "ferry", SearchOrder::Relevance, 2, 4);
        assert_eq!(ids(&second), vec![ferry[2], ferry[1]]);
        assert!(!second.has_next(), "pages stop at the cap");
        assert!(capped(&mut conn, "ferry", SearchOrder::Relevance, 3, 4).hits.is_empty());
        let oldest = capped(&mut conn, "ferry", SearchOrder::Oldest, 1, 4);
        assert_eq!(ids(&oldest), vec![ferry[0], ferry[1]], "oldest first: the oldest matches");

        // The prefix past the cap: the newest prefix matches, the ferryman first.
        let prefix = capped(&mut conn, "ferr", SearchOrder::Relevance, 1, 3);
        assert!(prefix.more);
        assert_eq!(ids(&prefix), vec![ferryman, ferry[4]]);
        assert!(prefix.hits[0].title_html.contains("<mark>ferryman</mark>"), "{}", prefix.hits[0].title_html);

        // Filters that leave no more than the cap of words that are broad
        // without them: every match counted, newest first on SQLite (ranking
        // there reads each word's whole doclist), ranked on PostgreSQL.
        {
            use cms_core::schema::articles::dsl as a;
            for (i, id) in ferry.iter().enumerate() {
                diesel::update(a::articles.filter(a::id.eq(*id)))
                    .set(a::published_at.eq(Some(now() - Duration::hours(10 - i as i64))))
                    .execute(&mut *conn)
                    .expect("date");
            }
        }
        let after = now() - Duration::hours(9) + Duration::minutes(30);
        let filtered = |conn: &mut DbConnection, text: &str, cap: i64| {
            let q = SearchQuery {
                per_page: 10,
                filters: SearchFilters { published_after: Some(after), ..Default::default() },
                ..query(text, Scope::Public)
            };
            search::search_with_cap(conn, &q, cap).unwrap_or_else(|e| panic!("search {text:?}: {e}"))
        };
        let narrowed = filtered(&mut conn, "ferry", 4);
        assert!(!narrowed.more);
        assert_eq!(narrowed.total, 4, "every match after the date (the ferryman by the prefix), counted");
        match &*conn {
            DbConnection::Sqlite(_) => {
                assert_eq!(ids(&narrowed), vec![ferryman, ferry[4], ferry[3], ferry[2]], "newest first");
                assert!(narrowed.hits.iter().all(|h| h.rank == 0.0));
            }
            DbConnection::Postgres(_) => {
                let mut found = ids(&narrowed);
                found.sort();
                assert_eq!(found, vec![ferry[2], ferry[3], ferry[4], ferryman]);
                assert!(narrowed.hits.iter().all(|h| h.rank > 0.0), "ranked");
            }
        }
        let ranked = filtered(&mut conn, "ferry", 6);
        assert!(ranked.hits.iter().all(|h| h.rank > 0.0), "words within the cap are ranked, filtered or not");
        assert_eq!(ranked.total, 4);

        // The count (the Content API's total) is the pages' total: capped too.
        let count = |conn: &mut DbConnection, text: &str, cap: i64| {
            search::count_with_cap(conn, &query(text, Scope::Public), cap).unwrap_or_else(|e| panic!("count {text:?}: {e}"))
        };
        assert_eq!(count(&mut conn, "ferry", 6), 6);
        assert_eq!(count(&mut conn, "ferry", 4), 4);
        assert_eq!(count(&mut conn, "ferr", 3), 3);
        assert_eq!(count(&mut conn, "ferr", 100), 6, "no drafts");
        assert_eq!(count(&mut conn, "ferryman", 1), 1);
        assert_eq!(count(&mut conn, "ocelot", 4), 0);
        let admin = Scope::Admin { only_author: None };
        assert_eq!(search::count_with_cap(&mut conn, &query("ferry", admin), 4).expect("count"), 11, "the admin scope counts everything, drafts too");

        // The default cap is the public one.
        assert!(!find(&mut conn, "ferry", Scope::Public).more);
    }

    /// Migration 000011 rebuilds the index of existing articles (with prefix
    /// indexes on SQLite), and its down migration gives them back as well.
    fn prefix_migration_keeps_existing_articles(db: &TestDb) {
        let mut conn = db.conn();
        let ed = fixtures::user(&mut conn, Role::Editor);
        let a = fixtures::create(&mut conn, &ed, with_sections("Aardvark sighted", vec![section("Where", "Near the *marina*.")]), SaveAction::Publish);
        crate::redo_search_migration(&mut conn, "2026-11-29-000011_search_prefix", |conn| {
            // (PostgreSQL's search needs the later migrations' tables.)
            if let DbConnection::Sqlite(_) = conn {
                assert_eq!(public_ids(conn, "aardv"), vec![a.id], "without prefix indexes");
            }
        });
        if let DbConnection::Sqlite(c) = &mut *conn {
            #[derive(QueryableByName)]
            struct Sql {
                #[diesel(sql_type = diesel::sql_types::Text)]
                sql: String,
            }
            let table: Sql = diesel::sql_query("SELECT sql FROM sqlite_master WHERE name = 'article_search'")
                .get_result(c)
                .expect("schema");
            assert!(table.sql.contains("prefix = '2 3 4 5 6'"), "{}", table.sql);
        }
        assert_eq!(public_ids(&mut conn, "aardv"), vec![a.id]);
        assert_eq!(public_ids(&mut conn, "marina"), vec![a.id]);
        assert_eq!(index_rows(&mut conn, a.id), 1);
        // The delete trigger came back with the table.
        articles::delete(&mut conn, &ed, a.id).expect("delete");
        assert_eq!(index_rows(&mut conn, a.id), 0);
        assert!(public_ids(&mut conn, "aardv").is_empty());
    }
}

both_backends! {
    /// A word found in more than PUBLIC_MATCH_CAP articles: the public search
    /// shows the newest that many, newest first, says there are more, and
    /// pages stop at the cap; a narrower search still ranks and counts exactly.
    fn broad_public_searches_show_the_newest_matches(db: &TestDb) {
        let mut conn = db.conn();
        let plan = cms_core::seed::SeedPlan {
            articles: 1150,
            categories: 3,
            authors: 3,
            seed: 7,
            batch: 500,
        };
        cms_core::seed::run(&mut conn, &plan, &mut |_| {}).expect("seed");
        let exact = search::count(&mut conn, &query("council", Scope::Admin { only_author: None })).expect("count");
        assert!(exact > search::PUBLIC_MATCH_CAP, "the seeded word is broad: {exact}");
        let public = search::count(&mut conn, &query("council", Scope::Public)).expect("count");
        assert_eq!(public, search::PUBLIC_MATCH_CAP, "a public count stops at the cap");

        let first = search::search(&mut conn, &SearchQuery::public("council", 1, 20)).expect("search");
        assert!(first.more);
        assert_eq!(first.total, search::PUBLIC_MATCH_CAP, "more than the cap: the cap");
        assert_eq!(first.hits.len(), 20);
        let dates: Vec<_> = first.hits.iter().map(|h| h.article.published_at).collect();
        let mut sorted = dates.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(dates, sorted, "newest first");
        assert!(first.hits.iter().all(|h| h.title_html.contains("<mark>") || h.snippet_html.contains("<mark>")));

        let last = (first.total + 19) / 20;
        let end = search::search(&mut conn, &SearchQuery::public("council", last, 20)).expect("search");
        assert_eq!(end.hits.len() as i64, first.total - (last - 1) * 20);
        assert!(!end.has_next(), "pages stop at the cap");

        // The admin list still counts every match (drafts too).
        let admin = search::search(&mut conn, &query("council", Scope::Admin { only_author: None })).expect("admin");
        assert!(!admin.more);
        assert_eq!(admin.total, exact, "the admin list counts every match");
    }
}
