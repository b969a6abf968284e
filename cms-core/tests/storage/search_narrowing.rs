//! Search that narrows before it reads (`cms_core::search`), on both
//! databases: a last word completed to the indexed words it starts
//! (`search_terms`), and filters that both also find through facet words
//! of their index — each checked against what a plain reading of the articles
//! gives.

use cms_core::articles::{self, ArticleInput, SaveAction};
use cms_core::roles::Role;
use cms_core::search::{self, Scope, SearchFilters, SearchOrder, SearchQuery};
use cms_core::testdb::fixtures::{self, section};
use cms_core::testdb::TestDb;
use cms_core::time::now;
use cms_core::{both_backends, DbConnection};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use super::search::{find, ids, public_ids, query, with_sections, ADMIN};

/// The indexed words that start with `prefix`, as `search_terms` holds them.
fn stored_words(conn: &mut DbConnection, prefix: &str) -> Vec<String> {
    #[derive(QueryableByName)]
    struct W {
        #[diesel(sql_type = diesel::sql_types::Text)]
        term: String,
    }
    let rows: Vec<W> = cms_core::with_backend!(conn, |c| diesel::sql_query(
        "SELECT term FROM search_terms WHERE substr(term, 1, length($1)) = $1 ORDER BY term"
    )
    .bind::<diesel::sql_types::Text, _>(prefix)
    .load(c))
    .expect("words");
    rows.into_iter().map(|w| w.term).collect()
}

both_backends! {
    /// A last word longer than the prefix indexes (seven letters and more):
    /// SQLite searches the indexed words it completes to (`search_terms`),
    /// PostgreSQL the prefix; both find exactly the articles with a word that
    /// starts with it, accents and case folded, after every kind of write.
    fn long_prefixes_find_every_completion(db: &TestDb) {
        let mut conn = db.conn();
        let ed = fixtures::user(&mut conn, Role::Editor);
        let sorted = |mut v: Vec<i32>| {
            v.sort();
            v
        };
        let governmental = fixtures::create(&mut conn, &ed, with_sections("Governmental reform stalls", vec![section("", "Ministers disagree.")]), SaveAction::Publish);
        let government = fixtures::create(&mut conn, &ed, with_sections("The government falls", vec![section("Vote", "A motion passed.")]), SaveAction::Publish);
        let governor = fixtures::create(&mut conn, &ed, with_sections("Governor resigns", vec![section("", "No successor yet.")]), SaveAction::Publish);
        let elections = fixtures::create(&mut conn, &ed, with_sections("Élections régionales", vec![section("", "Turnout was low.")]), SaveAction::Publish);
        let draft = fixtures::create(&mut conn, &ed, with_sections("Government reshuffle leak", vec![section("", "Not yet.")]), SaveAction::Save);

        assert_eq!(sorted(public_ids(&mut conn, "governm")), vec![governmental.id, government.id], "not the governor, not the draft");
        assert_eq!(sorted(public_ids(&mut conn, "GOVERNME")), vec![governmental.id, government.id], "any case");
        assert_eq!(public_ids(&mut conn, "governmen ministers").len(), 0, "earlier words stay whole words");
        assert_eq!(public_ids(&mut conn, "ministers governme"), vec![governmental.id]);
        assert_eq!(public_ids(&mut conn, "governo"), vec![governor.id]);
        assert_eq!(sorted(public_ids(&mut conn, "government")), vec![governmental.id, government.id], "a whole word is a prefix too");
        assert_eq!(public_ids(&mut conn, "governmenta"), vec![governmental.id], "a whole word and more");
        assert!(public_ids(&mut conn, "governmentx").is_empty(), "no word starts so");
        if let DbConnection::Sqlite(_) = &*conn {
            // Accents are folded on SQLite, whichever way the prefix is typed.
            assert_eq!(public_ids(&mut conn, "électio"), vec![elections.id]);
            assert_eq!(public_ids(&mut conn, "ELECTION"), vec![elections.id]);
            assert_eq!(public_ids(&mut conn, "regionale"), vec![elections.id]);
        }
        assert_eq!(stored_words(&mut conn, "governm"), vec!["government", "governmental"]);
        // Every prefix length, and a prefix no word has (which on PostgreSQL
        // read the whole table before it was completed).
        assert_eq!(sorted(public_ids(&mut conn, "go")), vec![governmental.id, government.id, governor.id]);
        assert!(public_ids(&mut conn, "zq").is_empty());
        assert!(public_ids(&mut conn, "ministers zq").is_empty());
        assert_eq!(public_ids(&mut conn, "électio"), vec![elections.id], "as typed, on both");
        let hit = &find(&mut conn, "governm", Scope::Public).hits;
        assert!(hit.iter().any(|h| h.title_html == "The <mark>government</mark> falls"), "{:?}", hit.iter().map(|h| &h.title_html).collect::<Vec<_>>());
        let admin = sorted(ids(&find(&mut conn, "governm", ADMIN)));
        assert_eq!(admin, vec![governmental.id, government.id, draft.id], "the admin scope sees the draft");

        // A word that arrives with an edit is found by its prefix at once.
        let mut input = articles::save::load_input(&mut conn, &governor).expect("input");
        input.sections = vec![section("", "Governmentality, said the governor, is over.")];
        articles::save(&mut conn, &ed, Some(governor.id), Some(governor.version), input, SaveAction::Publish).expect("save");
        assert_eq!(sorted(public_ids(&mut conn, "governmenta")), vec![governmental.id, governor.id]);

        // More completions than a search spells out: the prefix as such.
        let many: String = (0..70).map(|i| format!("quokkaville{i:02} ")).collect();
        let quokkas = fixtures::create(&mut conn, &ed, with_sections("Suburbs", vec![section("", &many)]), SaveAction::Publish);
        assert_eq!(public_ids(&mut conn, "quokkav"), vec![quokkas.id]);
        assert_eq!(public_ids(&mut conn, "quokkaville4"), vec![quokkas.id]);

        // Migration 000012 fills the words from the index of existing articles.
        crate::redo_search_migration(&mut conn, "2026-11-29-000012_search_terms", |_| {});
        assert_eq!(sorted(public_ids(&mut conn, "governmenta")), vec![governmental.id, governor.id]);
        assert_eq!(sorted(public_ids(&mut conn, "governm")), vec![governmental.id, government.id, governor.id]);
    }
}

both_backends! {
    /// Searches with a category, an author or a date range (which both also
    /// look up through facets in their index) find exactly the articles that
    /// pass the filters, compared with a brute force over every article,
    /// after saves and after writes that bypass the editor (a direct UPDATE,
    /// as a bulk reassignment would do).
    fn filtered_searches_match_a_brute_force(db: &TestDb) {
        use chrono::NaiveDate;
        use cms_core::categories::{self, CategoryInput};
        use cms_core::schema::articles::dsl as a;
        let mut conn = db.conn();
        let ed = fixtures::user(&mut conn, Role::Editor);
        let other = fixtures::user(&mut conn, Role::Editor);
        let cats: Vec<i32> = ["Harbour", "Schools"]
            .iter()
            .map(|name| categories::create(&mut conn, &ed, CategoryInput { name: (*name).into(), ..Default::default() }).expect("category").id)
            .collect();
        let day = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).expect("date").and_hms_opt(12, 0, 0).expect("time");
        // Dates across month and year ends, categories, authors and drafts.
        let dates = [day(2019, 12, 31), day(2020, 1, 1), day(2020, 1, 31), day(2020, 2, 1), day(2020, 7, 15), day(2021, 3, 3), day(2023, 12, 31), day(2024, 1, 1)];
        let mut made = Vec::new();
        for (i, t) in dates.iter().enumerate() {
            let input = ArticleInput {
                published_at: Some(*t),
                category_id: (i % 3 != 2).then(|| cats[i % 2]),
                ..with_sections(&format!("Ferry timetable {i}"), vec![section("", "The ferry runs late.")])
            };
            let author = if i % 2 == 0 { &ed } else { &other };
            let action = if i == 4 { SaveAction::Save } else { SaveAction::Publish };
            made.push(fixtures::create(&mut conn, author, input, action).id);
        }
        let check = |conn: &mut DbConnection, step: &str| {
            type Row = (i32, i32, Option<i32>, String, Option<chrono::NaiveDateTime>);
            let rows: Vec<Row> = a::articles
                .select((a::id, a::author_id, a::category_id, a::status, a::published_at))
                .load(conn)
                .expect("rows");
            let ranges = [
                (None, None),
                (Some(day(2019, 12, 31)), None),
                (None, Some(day(2020, 2, 1))),
                (Some(day(2020, 1, 1)), Some(day(2020, 2, 1))),
                (Some(day(2020, 1, 15)), Some(day(2024, 1, 2))),
                (Some(day(2018, 1, 1)), Some(day(2030, 1, 1))),
                (Some(day(2024, 6, 1)), Some(day(2020, 1, 1))),
            ];
            for scope in [Scope::Public, ADMIN] {
                for category in [None, Some(cats[0]), Some(cats[1])] {
                    for author in [None, Some(ed.id), Some(other.id)] {
                        for (after, before) in ranges {
                            let filters = SearchFilters { category_id: category, author_id: author, published_after: after, published_before: before, ..Default::default() };
                            let mut want: Vec<i32> = rows
                                .iter()
                                .filter(|(_, au, cat, status, at)| {
                                    (scope != Scope::Public || (status == "published" && at.is_some_and(|t| t <= now())))
                                        && category.is_none_or(|c| *cat == Some(c))
                                        && author.is_none_or(|x| *au == x)
                                        && after.is_none_or(|t| at.is_some_and(|p| p > t))
                                        && before.is_none_or(|t| at.is_some_and(|p| p < t))
                                })
                                .map(|r| r.0)
                                .collect();
                            want.sort();
                            for text in ["ferry", "ferr", "timetable ferr"] {
                                let q = SearchQuery { filters: filters.clone(), per_page: 50, ..query(text, scope) };
                                let mut got = ids(&search::search(conn, &q).expect("search"));
                                got.sort();
                                assert_eq!(got, want, "{step}: {text:?} {scope:?} {filters:?}");
                            }
                            // The facets are no words: a searcher's "c3" (a car, say) is not category 3.
                            let mut facets = vec![format!("a{}", ed.id), format!("a{}", other.id), "y2020".into(), "m202001".into(), "d20200101".into()];
                            facets.extend(cats.iter().map(|c| format!("c{c}")));
                            for text in &facets {
                                let q = SearchQuery { filters: filters.clone(), ..query(text, scope) };
                                assert!(search::search(conn, &q).expect("search").hits.is_empty(), "{step}: {text:?} {scope:?} {filters:?}");
                            }
                        }
                    }
                }
            }
        };
        check(&mut conn, "as saved");

        // Moved by a save: another category, author, month.
        let moved = fixtures::published(&mut conn, &ed, "Ferry timetable strike");
        let mut input = articles::save::load_input(&mut conn, &moved).expect("input");
        input.category_id = Some(cats[1]);
        input.published_at = Some(day(2020, 1, 15));
        articles::save(&mut conn, &ed, Some(moved.id), Some(moved.version), input, SaveAction::Publish).expect("save");
        check(&mut conn, "after a save");

        // Moved behind the editor's back.
        diesel::update(a::articles.filter(a::id.eq(made[0])))
            .set((a::category_id.eq(Some(cats[1])), a::author_id.eq(other.id), a::published_at.eq(Some(day(2021, 3, 4)))))
            .execute(&mut *conn)
            .expect("update");
        diesel::update(a::articles.filter(a::id.eq(made[1])))
            .set(a::category_id.eq(None::<i32>))
            .execute(&mut *conn)
            .expect("update");
        // Unpublished and published the same way (PostgreSQL's search
        // reads an article's status from its own copy).
        diesel::update(a::articles.filter(a::id.eq(made[2])))
            .set(a::status.eq("draft"))
            .execute(&mut *conn)
            .expect("update");
        diesel::update(a::articles.filter(a::id.eq(made[4])))
            .set(a::status.eq("published"))
            .execute(&mut *conn)
            .expect("update");
        check(&mut conn, "after direct updates");

        // Migration 000013 (SQLite) or 000014 (PostgreSQL) gives existing
        // articles their facets.
        let name = match &*conn {
            DbConnection::Sqlite(_) => "2026-11-29-000013_search_facets",
            DbConnection::Postgres(_) => "2026-11-29-000014_search_facets_postgres",
        };
        crate::redo_search_migration(&mut conn, name, |_| {});
        check(&mut conn, "after the migration");
    }

    /// A public search that matches more than the cap shows the newest (or
    /// oldest) cap matches, which PostgreSQL reads window by window of months
    /// for words in some but not most articles (see `search::windows`): the
    /// same ids, in the same order, as a brute force, for words in every,
    /// every third and every seventh article, with and without filters, at
    /// caps that need one window or several.
    fn capped_searches_match_a_brute_force(db: &TestDb) {
        use chrono::{Days, NaiveDate};
        use cms_core::categories::{self, CategoryInput};
        let mut conn = db.conn();
        let ed = fixtures::user(&mut conn, Role::Editor);
        let cats: Vec<i32> = ["Harbour", "Schools"]
            .iter()
            .map(|name| categories::create(&mut conn, &ed, CategoryInput { name: (*name).into(), ..Default::default() }).expect("category").id)
            .collect();
        let start = NaiveDate::from_ymd_opt(2023, 6, 15).expect("date").and_hms_opt(9, 30, 0).expect("time");
        // Sixty articles, one every twenty days over forty months, ids
        // growing with time; one draft and one scheduled in the future.
        struct Made {
            id: i32,
            at: chrono::NaiveDateTime,
            cat: i32,
            live: bool,
            words: Vec<&'static str>,
        }
        let mut made = Vec::new();
        for i in 0..60u64 {
            let mut words = vec!["ferry"];
            if i % 3 == 0 {
                words.push("harbour");
            }
            if i % 7 == 0 {
                words.push("airport");
            }
            let at = if i == 59 { now() + chrono::Duration::days(30) } else { start + Days::new(i * 20) };
            let cat = cats[(i % 2) as usize];
            let input = ArticleInput {
                published_at: Some(at),
                category_id: Some(cat),
                ..with_sections(&format!("Report {i}"), vec![section("", &format!("The {} news.", words.join(" ")))])
            };
            let action = if i == 30 { SaveAction::Save } else { SaveAction::Publish };
            let id = fixtures::create(&mut conn, &ed, input, action).id;
            made.push(Made { id, at, cat, live: i != 30 && i != 59, words });
        }
        if let DbConnection::Postgres(_) = &*conn {
            // Statistics, as a live site has them, so that the planner's
            // estimate sends these words through windows.
            conn.batch_execute("ANALYZE articles; ANALYZE article_search; ANALYZE article_search_keys").expect("analyze");
        }
        let day = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).expect("date").and_hms_opt(0, 0, 0).expect("time");
        let filters = [
            SearchFilters::default(),
            SearchFilters { category_id: Some(cats[0]), ..Default::default() },
            SearchFilters { published_after: Some(day(2024, 6, 1)), ..Default::default() },
            SearchFilters { published_before: Some(day(2025, 6, 1)), category_id: Some(cats[1]), ..Default::default() },
            // Every article is the editor's: the author's years as windows.
            SearchFilters { author_id: Some(ed.id), ..Default::default() },
        ];
        for text in ["ferry", "harbour", "airport", "harbo"] {
            for f in &filters {
                let mut want: Vec<&Made> = made
                    .iter()
                    .filter(|m| {
                        m.live
                            && m.words.iter().any(|w| w.starts_with(text))
                            && f.category_id.is_none_or(|c| m.cat == c)
                            && f.published_after.is_none_or(|t| m.at > t)
                            && f.published_before.is_none_or(|t| m.at < t)
                    })
                    .collect();
                want.sort_by_key(|m| std::cmp::Reverse(m.at));
                for order in [SearchOrder::Relevance, SearchOrder::Newest, SearchOrder::Oldest] {
                    let mut want: Vec<i32> = want.iter().map(|m| m.id).collect();
                    if order == SearchOrder::Oldest {
                        want.reverse();
                    }
                    for cap in [1, 2, 3, 5, 8] {
                        let q = SearchQuery { order, per_page: 200, filters: f.clone(), ..query(text, Scope::Public) };
                        let page = search::search_with_cap(&mut conn, &q, cap).expect("search");
                        let what = format!("{text:?} {order:?} cap {cap} {f:?}");
                        if want.len() as i64 > cap {
                            assert!(page.more, "{what}");
                            assert_eq!(ids(&page), want[..cap as usize].to_vec(), "{what}");
                        } else {
                            assert!(!page.more, "{what}");
                            let mut got = ids(&page);
                            got.sort();
                            let mut all = want.clone();
                            all.sort();
                            assert_eq!(got, all, "{what}");
                        }
                        assert_eq!(search::count_with_cap(&mut conn, &q, cap).expect("count"), (want.len() as i64).min(cap), "{what}");
                    }
                }
            }
        }
    }
}
