//! `gazette seed`: fills a database with realistic, deterministic content for
//! benchmarks and demos — categories, authors, articles with several sections
//! and related links — fast enough for a million articles on SQLite.
//!
//! Speed comes from batched multi-row inserts inside one transaction per batch
//! and from generating each section's HTML together with its Markdown (the
//! generated text is plain words, so the HTML is exactly what the renderer
//! would produce, without running it a few million times).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::categories::{self, CategoryInput};
use crate::db::DbConnection;
use crate::error::CoreResult;
use crate::roles::Role;
use crate::schema::{articles, related_links, sections};
use crate::time::now;
use crate::users::{self, ProfileInput};
use crate::with_backend;

/// What to create.
#[derive(Debug, Clone)]
pub struct SeedPlan {
    pub articles: u64,
    pub categories: u32,
    pub authors: u32,
    /// Same seed, same content.
    pub seed: u64,
    /// Articles per transaction.
    pub batch: u64,
}

impl Default for SeedPlan {
    fn default() -> Self {
        Self {
            articles: 1000,
            categories: 12,
            authors: 40,
            seed: 2026,
            batch: 500,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct SeedReport {
    pub articles: u64,
    pub sections: u64,
    pub links: u64,
    pub categories: u32,
    pub authors: u32,
    pub first_article_id: i32,
    pub last_article_id: i32,
}

#[derive(Insertable)]
#[diesel(table_name = articles)]
struct ArticleRow {
    id: i32,
    title: String,
    slug: String,
    standfirst: String,
    author_id: i32,
    category_id: Option<i32>,
    status: &'static str,
    published_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i32,
    is_sample: bool,
}

#[derive(Insertable)]
#[diesel(table_name = sections)]
struct SectionRow {
    article_id: i32,
    position: i32,
    heading: Option<String>,
    anchor: String,
    body_markdown: String,
    body_html: String,
}

#[derive(Insertable)]
#[diesel(table_name = related_links)]
struct LinkRow {
    article_id: i32,
    position: i32,
    target_article_id: Option<i32>,
    url: Option<String>,
    title: Option<String>,
}

const CATEGORY_NAMES: &[&str] = &[
    "Politics",
    "Business",
    "City",
    "World",
    "Sport",
    "Culture",
    "Science",
    "Health",
    "Technology",
    "Environment",
    "Education",
    "Transport",
    "Opinion",
    "Housing",
    "Travel",
    "Food",
];
const FIRST: &[&str] = &[
    "Ana", "Ben", "Chloé", "Dev", "Elif", "Femi", "Grace", "Hugo", "Ines", "Jonas", "Kiri", "Lena",
    "Malik", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tess",
];
const LAST: &[&str] = &[
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "Haddad",
    "Novak",
    "Reyes",
    "Byrne",
    "Kowalski",
    "Mensah",
    "Sato",
    "Ferreira",
    "Olsen",
    "Ahmadi",
    "Costa",
    "Walsh",
];
const SUBJECTS: &[&str] = &[
    "council",
    "harbour",
    "school board",
    "rail operator",
    "water company",
    "museum",
    "hospital trust",
    "football club",
    "tech start-up",
    "farmers' market",
    "airport",
    "university",
    "library",
    "housing association",
    "ferry service",
    "city orchestra",
];
const VERBS: &[&str] = &[
    "approves",
    "delays",
    "unveils",
    "expands",
    "reviews",
    "cuts",
    "doubles",
    "rethinks",
    "celebrates",
    "questions",
    "opens",
    "funds",
];
const OBJECTS: &[&str] = &[
    "budget plan",
    "night service",
    "new wing",
    "river crossing",
    "summer programme",
    "apprenticeships",
    "solar roofs",
    "bus lanes",
    "reading rooms",
    "flood defences",
    "ticket prices",
    "youth league",
    "research centre",
    "harbour walk",
];
const WORDS: &[&str] = &[
    "the",
    "city",
    "residents",
    "said",
    "plan",
    "would",
    "new",
    "year",
    "council",
    "members",
    "local",
    "people",
    "money",
    "public",
    "service",
    "week",
    "report",
    "work",
    "first",
    "since",
    "after",
    "before",
    "during",
    "project",
    "costs",
    "million",
    "officials",
    "agreed",
    "expected",
    "meeting",
    "vote",
    "support",
    "concerns",
    "families",
    "streets",
    "district",
    "evening",
    "morning",
    "changes",
    "funding",
    "budget",
    "schools",
    "traffic",
    "river",
    "market",
    "jobs",
];
const HEADINGS: &[&str] = &[
    "What happened",
    "Why it matters",
    "The numbers",
    "What people say",
    "Background",
    "What comes next",
    "The debate",
    "Costs and timing",
    "Reactions",
    "How we got here",
    "The details",
    "Looking ahead",
];

fn pick<'a>(rng: &mut StdRng, xs: &'a [&'a str]) -> &'a str {
    xs[rng.gen_range(0..xs.len())]
}

fn sentence(rng: &mut StdRng, words: usize) -> String {
    let mut s = String::with_capacity(words * 7);
    for i in 0..words {
        let w = pick(rng, WORDS);
        if i == 0 {
            let mut c = w.chars();
            if let Some(f) = c.next() {
                s.extend(f.to_uppercase());
                s.push_str(c.as_str());
            }
        } else {
            s.push(' ');
            s.push_str(w);
        }
    }
    s.push('.');
    s
}

fn paragraph(rng: &mut StdRng) -> String {
    let n = rng.gen_range(2..=4);
    (0..n)
        .map(|_| {
            let w = rng.gen_range(8..16);
            sentence(rng, w)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Creates the categories and authors, then the articles in batches, calling
/// `progress(done)` after each batch.
pub fn run(
    conn: &mut DbConnection,
    plan: &SeedPlan,
    progress: &mut dyn FnMut(u64),
) -> CoreResult<SeedReport> {
    let mut rng = StdRng::seed_from_u64(plan.seed);
    let run_tag = now().and_utc().timestamp();
    let mut report = SeedReport::default();

    let mut category_ids = Vec::new();
    for i in 0..plan.categories {
        let base = CATEGORY_NAMES[i as usize % CATEGORY_NAMES.len()];
        let round = i as usize / CATEGORY_NAMES.len();
        let name = if round == 0 {
            base.to_owned()
        } else {
            format!("{base} {}", round + 1)
        };
        let slug = crate::slugs::slugify(&name);
        let id = match categories::find_by_slug(conn, &slug)? {
            Some(c) => c.id,
            None => {
                report.categories += 1;
                categories::insert(
                    conn,
                    &CategoryInput {
                        name,
                        slug,
                        description: format!("News about {}.", base.to_lowercase()),
                    },
                    false,
                )?
                .id
            }
        };
        category_ids.push(id);
    }

    let mut author_ids = Vec::new();
    for i in 0..plan.authors {
        let name = format!(
            "{} {}",
            FIRST[i as usize % FIRST.len()],
            LAST[(i as usize * 7 + i as usize / FIRST.len()) % LAST.len()]
        );
        let slug = format!("{}-{}", crate::slugs::slugify(&name), i + 1);
        let email = format!("author{}@seed.invalid", i + 1);
        let id = match users::find_by_email(conn, &email)? {
            Some(u) => u.id,
            None => {
                report.authors += 1;
                let p = ProfileInput {
                    email,
                    display_name: name.clone(),
                    slug,
                    bio: format!("{name} reports for the newsroom."),
                };
                users::insert_user(conn, &p, Role::Author, None, false)?.id
            }
        };
        author_ids.push(id);
    }
    if author_ids.is_empty() {
        return Err(crate::CoreError::invalid(
            "authors",
            "seed needs at least one author",
        ));
    }

    let start_id: i32 = articles::table
        .select(diesel::dsl::max(articles::id))
        .first::<Option<i32>>(conn)?
        .unwrap_or(0)
        + 1;
    report.first_article_id = start_id;
    let t0 = now();
    // Spread publication over the past, one article every few minutes, newest last.
    let span_minutes = (plan.articles as i64 * 7).max(60);
    let mut done: u64 = 0;
    while done < plan.articles {
        let n = plan.batch.min(plan.articles - done);
        let mut arts = Vec::with_capacity(n as usize);
        let mut secs = Vec::with_capacity(n as usize * 5);
        let mut links = Vec::with_capacity(n as usize * 3);
        for k in 0..n {
            let idx = done + k;
            let id = start_id + idx as i32;
            let title = format!(
                "{} {} {} {}",
                capitalise(pick(&mut rng, SUBJECTS)),
                pick(&mut rng, VERBS),
                pick(&mut rng, OBJECTS),
                rng.gen_range(2..=99)
            );
            let published =
                t0 - Duration::minutes(
                    span_minutes - (idx as i64 * span_minutes / plan.articles.max(1) as i64),
                ) - Duration::seconds(30);
            let draft = rng.gen_ratio(1, 25);
            arts.push(ArticleRow {
                id,
                slug: format!("{}-{run_tag:x}-{id}", crate::slugs::slugify(&title)),
                title,
                standfirst: sentence(&mut rng, 18),
                author_id: author_ids[rng.gen_range(0..author_ids.len())],
                category_id: if category_ids.is_empty() {
                    None
                } else {
                    Some(category_ids[rng.gen_range(0..category_ids.len())])
                },
                status: if draft { "draft" } else { "published" },
                published_at: if draft { None } else { Some(published) },
                created_at: published,
                updated_at: published,
                version: 1,
                is_sample: false,
            });
            let n_secs = rng.gen_range(3..=5);
            let mut used = Vec::new();
            for p in 0..n_secs {
                let heading = if p == 0 {
                    None
                } else {
                    let mut h = pick(&mut rng, HEADINGS);
                    while used.contains(&h) {
                        h = pick(&mut rng, HEADINGS);
                    }
                    used.push(h);
                    Some(h.to_owned())
                };
                let paras: Vec<String> = (0..rng.gen_range(1..=2))
                    .map(|_| paragraph(&mut rng))
                    .collect();
                let md = paras.join("\n\n");
                let html: String = paras.iter().map(|p| format!("<p>{p}</p>\n")).collect();
                let anchor = heading
                    .as_deref()
                    .map(crate::slugs::slugify)
                    .unwrap_or_else(|| "intro".into());
                secs.push(SectionRow {
                    article_id: id,
                    position: p,
                    heading,
                    anchor,
                    body_markdown: md,
                    body_html: html,
                });
            }
            // Related links to earlier seeded articles.
            if id > start_id {
                let n_links = rng.gen_range(1..=3).min(id - start_id);
                let mut targets = Vec::new();
                for p in 0..n_links {
                    let t = rng.gen_range(start_id.max(id - 500)..id);
                    if targets.contains(&t) {
                        continue;
                    }
                    targets.push(t);
                    links.push(LinkRow {
                        article_id: id,
                        position: p,
                        target_article_id: Some(t),
                        url: None,
                        title: None,
                    });
                }
            }
        }
        report.sections += secs.len() as u64;
        report.links += links.len() as u64;
        conn.transaction(|conn| -> CoreResult<()> {
            with_backend!(conn, |c| {
                diesel::insert_into(articles::table)
                    .values(&arts)
                    .execute(c)?;
                for chunk in secs.chunks(1000) {
                    diesel::insert_into(sections::table)
                        .values(chunk)
                        .execute(c)?;
                }
                for chunk in links.chunks(1000) {
                    diesel::insert_into(related_links::table)
                        .values(chunk)
                        .execute(c)?;
                }
                Ok::<(), diesel::result::Error>(())
            })?;
            // Seeded articles are searchable like any other.
            let first = start_id + done as i32;
            crate::search::reindex_range(conn, first..=first + n as i32 - 1)?;
            Ok(())
        })?;
        done += n;
        progress(done);
    }
    report.articles = done;
    report.last_article_id = start_id + done as i32 - 1;
    // Explicit ids leave PostgreSQL's sequence behind; move it past them.
    if let DbConnection::Postgres(c) = conn {
        diesel::sql_query("SELECT setval(pg_get_serial_sequence('articles', 'id'), (SELECT MAX(id) FROM articles))").execute(c)?;
        // The planner's statistics now, not whenever autovacuum gets to
        // them: search sizes its reads from them (see `search::windows`).
        diesel::sql_query("ANALYZE articles").execute(c)?;
        diesel::sql_query("ANALYZE article_search_keys").execute(c)?;
    }
    Ok(report)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{self, DatabaseUrl};

    #[test]
    fn seeds_a_small_site_twice() {
        let dir = tempfile::tempdir().expect("tmp");
        let pool = db::connect(&DatabaseUrl::Sqlite(dir.path().join("s.db")), 1).expect("pool");
        let mut conn = pool.get().expect("conn");
        db::run_migrations(&mut conn).expect("migrate");
        let plan = SeedPlan {
            articles: 120,
            categories: 3,
            authors: 4,
            batch: 50,
            ..Default::default()
        };
        let mut calls = Vec::new();
        let r = run(&mut conn, &plan, &mut |d| calls.push(d)).expect("seed");
        assert_eq!(r.articles, 120);
        assert_eq!(calls, vec![50, 100, 120]);
        assert!(r.sections >= 360);
        let listing =
            crate::articles::public::listing(&mut conn, crate::articles::public::Scope::All, 1, 10)
                .expect("listing");
        assert_eq!(listing.items.len(), 10);
        let full = crate::articles::public::by_slug(&mut conn, &listing.items[0].slug)
            .expect("q")
            .expect("public");
        assert!(full.sections.len() >= 3);
        // A second run appends with fresh slugs and reuses categories and authors.
        let r2 = run(&mut conn, &plan, &mut |_| {}).expect("seed again");
        assert_eq!((r2.categories, r2.authors), (0, 0));
        assert_eq!(r2.first_article_id, 121);
        // Seeded articles are in the search index.
        let word = full
            .article
            .title
            .split_whitespace()
            .next()
            .unwrap_or("council")
            .to_owned();
        let hits =
            crate::search::count(&mut conn, &crate::search::SearchQuery::public(word, 1, 10));
        assert!(hits.is_ok_and(|n| n > 0));
    }
}
