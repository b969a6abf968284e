//! Categories: the site's sections (Politics, Finance, …).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConnection;
use crate::error::{CoreError, CoreResult, FieldErrors};
use crate::roles;
use crate::schema::categories;
use crate::slugs;
use crate::time::now;
use crate::users::User;
use crate::with_backend;

#[derive(Debug, Clone, Queryable, Selectable, Serialize, PartialEq, Eq)]
#[diesel(table_name = categories)]
pub struct Category {
    pub id: i32,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub is_sample: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Default)]
pub struct CategoryInput {
    pub name: String,
    /// Empty: generated from the name.
    pub slug: String,
    pub description: String,
}

fn validate(
    conn: &mut DbConnection,
    input: &mut CategoryInput,
    own_id: Option<i32>,
) -> CoreResult<()> {
    input.name = input.name.trim().to_owned();
    input.slug = input.slug.trim().to_owned();
    if input.slug.is_empty() {
        input.slug = slugs::slugify(&input.name);
    }
    let mut errors = FieldErrors::default();
    if input.name.is_empty() {
        errors.add("name", "Enter a name.");
    } else if input.name.chars().count() > 80 {
        errors.add("name", "Use at most 80 characters.");
    }
    if input.description.chars().count() > 1000 {
        errors.add("description", "Use at most 1000 characters.");
    }
    if let Err(m) = slugs::validate(&input.slug) {
        errors.add("slug", m);
    } else {
        let taken: i64 = categories::table
            .filter(categories::slug.eq(&input.slug))
            .filter(categories::id.ne(own_id.unwrap_or(-1)))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            errors.add("slug", "Another category already uses this URL name.");
        }
    }
    errors.into_result()
}

fn authorise(actor: &User) -> CoreResult<()> {
    if roles::can_manage_categories(actor) {
        Ok(())
    } else {
        Err(CoreError::Forbidden(
            "only editors and administrators manage categories".into(),
        ))
    }
}

pub fn create(
    conn: &mut DbConnection,
    actor: &User,
    mut input: CategoryInput,
) -> CoreResult<Category> {
    authorise(actor)?;
    validate(conn, &mut input, None)?;
    insert(conn, &input, false)
}

pub(crate) fn insert(
    conn: &mut DbConnection,
    input: &CategoryInput,
    is_sample: bool,
) -> CoreResult<Category> {
    let t = now();
    let values = (
        categories::name.eq(&input.name),
        categories::slug.eq(&input.slug),
        categories::description.eq(input.description.trim()),
        categories::is_sample.eq(is_sample),
        categories::created_at.eq(t),
        categories::updated_at.eq(t),
    );
    Ok(with_backend!(conn, |c| diesel::insert_into(
        categories::table
    )
    .values(values)
    .returning(Category::as_returning())
    .get_result(c))?)
}

pub fn update(
    conn: &mut DbConnection,
    actor: &User,
    id: i32,
    mut input: CategoryInput,
) -> CoreResult<Category> {
    authorise(actor)?;
    validate(conn, &mut input, Some(id))?;
    let n = diesel::update(categories::table.find(id))
        .set((
            categories::name.eq(&input.name),
            categories::slug.eq(&input.slug),
            categories::description.eq(input.description.trim()),
            categories::updated_at.eq(now()),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(CoreError::NotFound);
    }
    find(conn, id)
}

/// Deletes a category; its articles stay, without a category.
pub fn delete(conn: &mut DbConnection, actor: &User, id: i32) -> CoreResult<()> {
    authorise(actor)?;
    let n = diesel::delete(categories::table.find(id)).execute(conn)?;
    if n == 0 {
        return Err(CoreError::NotFound);
    }
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: i32) -> CoreResult<Category> {
    Ok(categories::table
        .find(id)
        .select(Category::as_select())
        .first(conn)?)
}

pub fn find_by_slug(conn: &mut DbConnection, slug: &str) -> CoreResult<Option<Category>> {
    Ok(categories::table
        .filter(categories::slug.eq(slug))
        .select(Category::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_many(conn: &mut DbConnection, ids: &[i32]) -> CoreResult<Vec<Category>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(categories::table
        .filter(categories::id.eq_any(ids))
        .select(Category::as_select())
        .load(conn)?)
}

pub fn list(conn: &mut DbConnection) -> CoreResult<Vec<Category>> {
    Ok(categories::table
        .order(categories::name.asc())
        .select(Category::as_select())
        .load(conn)?)
}

/// How many articles (in any state) each category holds, by category id.
/// Categories without articles are absent from the map.
pub fn article_counts(conn: &mut DbConnection) -> CoreResult<std::collections::HashMap<i32, i64>> {
    use crate::schema::articles;
    let rows: Vec<(Option<i32>, i64)> = articles::table
        .filter(articles::category_id.is_not_null())
        .group_by(articles::category_id)
        .select((articles::category_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, n)| id.map(|id| (id, n)))
        .collect())
}

/// How many articles (in any state) are filed under one category.
pub fn article_count(conn: &mut DbConnection, id: i32) -> CoreResult<i64> {
    use crate::schema::articles;
    Ok(articles::table
        .filter(articles::category_id.eq(id))
        .count()
        .get_result(conn)?)
}
