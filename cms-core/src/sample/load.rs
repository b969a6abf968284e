//! Writing the sample content: the sample author (who cannot log in), the
//! categories (reusing any the site already has), the articles as published
//! rows, then their sections and related links.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::stories::{ARTICLES, CATEGORIES, SAMPLE_NOTE};
use super::SAMPLE_EMAIL;
use crate::articles::save::write_children;
use crate::articles::{ArticleInput, LinkInput, SectionInput, Status};
use crate::categories::{self, CategoryInput};
use crate::db::DbConnection;
use crate::error::CoreResult;
use crate::roles::Role;
use crate::schema::articles;
use crate::time::now;
use crate::users::{self, ProfileInput, User};
use crate::with_backend;

/// Creates the author, categories and articles (the caller holds the transaction).
pub(super) fn load(conn: &mut DbConnection) -> CoreResult<()> {
    let author = sample_author(conn)?;
    let mut category_ids = Vec::with_capacity(CATEGORIES.len());
    for c in &CATEGORIES {
        // Reuse a category of the same name the site already has (and leave it
        // in place when the samples are deleted).
        let id = match categories::find_by_slug(conn, c.slug)? {
            Some(existing) => existing.id,
            None => {
                let input = CategoryInput {
                    name: c.name.into(),
                    slug: c.slug.into(),
                    description: c.description.into(),
                };
                categories::insert(conn, &input, true)?.id
            }
        };
        category_ids.push(id);
    }

    // Rows first, so related links can point at any sample article.
    let t = now();
    let mut ids = Vec::with_capacity(ARTICLES.len());
    for a in &ARTICLES {
        let published_at: NaiveDateTime = t - Duration::hours(a.hours_ago);
        let values = (
            articles::title.eq(a.title),
            articles::slug.eq(a.slug),
            articles::standfirst.eq(a.standfirst),
            articles::author_id.eq(author.id),
            articles::category_id.eq(category_ids.get(a.category).copied()),
            articles::status.eq(Status::Published.as_str()),
            articles::published_at.eq(Some(published_at)),
            articles::created_at.eq(published_at),
            articles::updated_at.eq(published_at),
            articles::version.eq(1),
            articles::is_sample.eq(true),
        );
        let id = with_backend!(conn, |c| diesel::insert_into(articles::table)
            .values(values)
            .returning(articles::id)
            .get_result::<i32>(c))?;
        ids.push(id);
    }

    for (a, &id) in ARTICLES.iter().zip(&ids) {
        let sections = a
            .sections
            .iter()
            .enumerate()
            .map(|(i, (heading, body))| SectionInput {
                heading: (*heading).into(),
                body: if i == 0 {
                    format!("{body}\n\n{SAMPLE_NOTE}")
                } else {
                    (*body).into()
                },
            })
            .collect();
        let mut links: Vec<LinkInput> = a
            .related
            .iter()
            .filter_map(|&r| ids.get(r).copied())
            .filter(|&target| target != id)
            .map(|target| LinkInput {
                target_article_id: Some(target),
                ..Default::default()
            })
            .collect();
        links.push(LinkInput {
            target_article_id: None,
            url: a.external.0.into(),
            title: a.external.1.into(),
        });
        let input = ArticleInput {
            title: a.title.into(),
            slug: a.slug.into(),
            standfirst: a.standfirst.into(),
            author_id: Some(author.id),
            category_id: category_ids.get(a.category).copied(),
            published_at: None,
            sections,
            links,
            ..Default::default()
        };
        write_children(conn, id, &input)?;
    }
    Ok(())
}

/// The "Gazette Newsroom" author, who cannot log in.
fn sample_author(conn: &mut DbConnection) -> CoreResult<User> {
    if let Some(u) = users::find_by_email(conn, SAMPLE_EMAIL)? {
        return Ok(u);
    }
    // Someone may already be called this; pick the first free URL name.
    let mut slug = "gazette-newsroom".to_owned();
    let mut n = 2;
    while users::find_by_slug(conn, &slug)?.is_some() {
        slug = format!("gazette-newsroom-{n}");
        n += 1;
    }
    let profile = ProfileInput {
        email: SAMPLE_EMAIL.into(),
        display_name: "Gazette Newsroom".into(),
        slug,
        bio: "The Gazette Newsroom writes the sample stories that come with a new site. \
Port Halden, the city they cover, is fictional."
            .into(),
    };
    users::insert_user(conn, &profile, Role::Author, None, true)
}
