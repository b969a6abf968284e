//! Sample content for a brand-new site: a few articles in two categories, with
//! sections and related links, all marked `is_sample` so one click removes them.
//!
//! The stories are about Port Halden, a fictional city, and each one says so in
//! its intro. They exist to show an editor what a finished Gazette page looks
//! like (intro, headed sections, conclusion, related news) before they have
//! written anything.
//!
//! This module makes the once-per-site decision and removes the samples;
//! `stories` holds the content itself and `load` writes it.

mod load;
mod stories;

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::{CoreError, CoreResult};
use crate::roles;
use crate::schema::{articles, categories as categories_table, users as users_table};
use crate::settings;
use crate::time::now;
use crate::users::User;

use load::load;

/// Settings key recording that the first-start decision was made. Once set,
/// sample content is never loaded again, even after every article is deleted.
pub const LOADED_FLAG: &str = "sample.loaded";

/// The sample author's address (`.invalid` can never receive mail).
pub const SAMPLE_EMAIL: &str = "newsroom@sample.invalid";

/// Whether any sample article is still there.
pub fn exists(conn: &mut DbConnection) -> CoreResult<bool> {
    let n: i64 = articles::table
        .filter(articles::is_sample.eq(true))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Loads the sample content if the site has never had any articles and this
/// has not been done before. Returns whether it loaded anything.
///
/// The decision is made once per site: a site that already has articles on its
/// first start records that too, so deleting every article later never brings
/// the samples in. Setting the flag first, inside the same transaction, also
/// makes two nodes starting together load the content at most once (the
/// second one's flag insert conflicts and its transaction rolls back).
pub fn load_if_new_site(conn: &mut DbConnection) -> CoreResult<bool> {
    conn.transaction(|conn| {
        if settings::get_flag(conn, LOADED_FLAG)?.is_some() {
            return Ok(false);
        }
        let existing: i64 = articles::table.count().get_result(conn)?;
        if existing > 0 {
            settings::set_value(conn, LOADED_FLAG, "skipped")?;
            return Ok(false);
        }
        settings::set_value(conn, LOADED_FLAG, &now().to_string())?;
        load(conn)?;
        Ok(true)
    })
}

/// Deletes every sample article, category and author (authors only if they have
/// no remaining articles). Returns the number of articles deleted.
pub fn delete_all(conn: &mut DbConnection, actor: &User) -> CoreResult<usize> {
    if !roles::edits_all_articles(actor) {
        return Err(CoreError::Forbidden(
            "only editors and administrators may delete sample content".into(),
        ));
    }
    conn.transaction(|conn| {
        let n =
            diesel::delete(articles::table.filter(articles::is_sample.eq(true))).execute(conn)?;
        diesel::delete(categories_table::table.filter(categories_table::is_sample.eq(true)))
            .execute(conn)?;
        let still_writing = articles::table
            .select(articles::author_id)
            .distinct()
            .load::<i32>(conn)?;
        diesel::delete(
            users_table::table
                .filter(users_table::is_sample.eq(true))
                .filter(users_table::id.ne_all(still_writing)),
        )
        .execute(conn)?;
        Ok(n)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::articles::public::{self, Scope};
    use crate::articles::{ArticleInput, SectionInput};
    use crate::categories;
    use crate::db::{self, DatabaseUrl, DbPool};
    use crate::roles::Role;
    use crate::users::{self, ProfileInput};

    fn fresh_db() -> (tempfile::TempDir, DbPool) {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = DatabaseUrl::Sqlite(dir.path().join("sample.db"));
        let pool = db::connect(&url, 1).expect("pool");
        let mut conn = pool.get().expect("connection");
        db::run_migrations(&mut conn).expect("migrations");
        drop(conn);
        (dir, pool)
    }

    fn editor(conn: &mut DbConnection) -> User {
        let p = ProfileInput {
            email: "editor@example.com".into(),
            display_name: "Eddie Editor".into(),
            slug: "eddie-editor".into(),
            bio: String::new(),
        };
        users::insert_user(conn, &p, Role::Editor, None, false).expect("editor")
    }

    fn article_count(conn: &mut DbConnection) -> i64 {
        articles::table
            .count()
            .get_result(conn)
            .expect("count articles")
    }

    #[test]
    fn loads_once_and_deletes_for_good() {
        let (_dir, pool) = fresh_db();
        let mut conn = pool.get().expect("connection");
        let conn = &mut *conn;

        assert!(load_if_new_site(conn).expect("load"));
        assert!(exists(conn).expect("exists"));
        let listing = public::listing(conn, Scope::All, 1, 50).expect("listing");
        let n = listing.items.len();
        assert!((3..=4).contains(&n), "expected 3-4 articles, got {n}");
        for card in &listing.items {
            assert!(card.is_sample);
            assert_eq!(card.author_name, "Gazette Newsroom");
            assert!(card.category_slug.is_some());
            let full = public::by_slug(conn, &card.slug)
                .expect("by_slug")
                .expect("sample article is public");
            assert!(full.sections.len() >= 5, "{}", card.slug);
            assert!(full.sections[0].heading.is_none(), "intro has no heading");
            assert!(full.sections[0].body_markdown.contains("Sample article"));
            let headed = full.sections.iter().filter(|s| s.heading.is_some()).count();
            assert!(headed >= 4);
            assert!(full.sections.iter().any(|s| s.body_html.contains("<li>")));
            assert!(full.sections.iter().any(|s| s.body_html.contains("<a ")));
            let internal = full.links.iter().filter(|l| !l.is_external()).count();
            let external = full.links.iter().filter(|l| l.is_external()).count();
            assert!(internal >= 1);
            assert_eq!(external, 1);
            assert!(full
                .links
                .iter()
                .filter(|l| !l.is_external())
                .all(|l| l.author_name == "Gazette Newsroom" && l.published_at.is_some()));
        }
        let cats = categories::list(conn).expect("categories");
        assert_eq!(cats.iter().filter(|c| c.is_sample).count(), 2);

        // Second start: nothing more.
        assert!(!load_if_new_site(conn).expect("second load"));
        assert_eq!(article_count(conn), n as i64);

        // Deleting removes articles, categories and the author; they never return.
        let ed = editor(conn);
        assert_eq!(delete_all(conn, &ed).expect("delete"), n);
        assert!(!exists(conn).expect("exists"));
        assert_eq!(article_count(conn), 0);
        assert!(categories::list(conn).expect("categories").is_empty());
        assert!(users::find_by_email(conn, SAMPLE_EMAIL)
            .expect("find")
            .is_none());
        assert!(!load_if_new_site(conn).expect("load after delete"));
        assert_eq!(article_count(conn), 0);
    }

    #[test]
    fn an_established_site_gets_no_samples() {
        let (_dir, pool) = fresh_db();
        let mut conn = pool.get().expect("connection");
        let conn = &mut *conn;
        let ed = editor(conn);
        let input = ArticleInput {
            title: "Our own story".into(),
            sections: vec![SectionInput {
                heading: String::new(),
                body: "Hello.".into(),
            }],
            ..Default::default()
        };
        crate::articles::save(
            conn,
            &ed,
            None,
            None,
            input,
            crate::articles::SaveAction::Save,
        )
        .expect("save");
        assert!(!load_if_new_site(conn).expect("load"));
        assert!(!exists(conn).expect("exists"));
        assert!(settings::get_flag(conn, LOADED_FLAG)
            .expect("flag")
            .is_some());
    }

    #[test]
    fn only_editors_delete_samples() {
        let (_dir, pool) = fresh_db();
        let mut conn = pool.get().expect("connection");
        let conn = &mut *conn;
        assert!(load_if_new_site(conn).expect("load"));
        let author = users::find_by_email(conn, SAMPLE_EMAIL)
            .expect("find")
            .expect("sample author");
        assert!(matches!(
            delete_all(conn, &author),
            Err(CoreError::Forbidden(_))
        ));
        assert!(exists(conn).expect("exists"));
    }
}
