//! What feeds and sitemaps read: the latest public articles of a scope with
//! their sections, the article sitemap split into pages by id range, the
//! Google News window and the listing pages worth indexing.
//!
//! Like [`super::public`], every query here sees only articles a visitor may
//! read: published (or scheduled and due), with a publication time that has
//! come. Nothing here loads the whole table: a sitemap page is one id range,
//! and the index sums the per-block summary of [`super::blocks`] (a thousand
//! small rows at a million articles) into pages.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Nullable, Timestamp};

use super::blocks;
use super::public::Scope;
use super::{Article, Section};
use crate::categories::{self, Category};
use crate::db::DbConnection;
use crate::error::CoreResult;
use crate::schema::{articles, sections};
use crate::settings;
use crate::time::now;
use crate::users::{self, User};
use crate::with_backend;

/// Items in an RSS or Atom feed.
pub const FEED_ITEMS: i64 = 20;

/// URLs per article sitemap page unless [`SITEMAP_PAGE_SIZE_KEY`] says
/// otherwise: WordPress's number, and a page renders in a few milliseconds at
/// any depth (10 000 took 12-17 ms). A multiple of the summary's block size.
pub const DEFAULT_SITEMAP_PAGE_SIZE: i64 = 2_000;
/// The sitemap protocol's limit of URLs in one file.
pub const MAX_SITEMAP_PAGE_SIZE: i64 = 50_000;
/// Internal setting (not on the settings page): URLs per article sitemap page.
/// Changing it renumbers the pages; the index always lists the current ones.
pub const SITEMAP_PAGE_SIZE_KEY: &str = "seo.sitemap_page_size";

/// Google News only takes articles published in the last two days.
pub const NEWS_WINDOW: Duration = Duration::hours(48);
/// And at most 1 000 of them per sitemap.
pub const NEWS_MAX: i64 = 1_000;

/// [`super::Status::Published`] and [`super::Status::Scheduled`] (visible once due).
const PUBLIC_STATUSES: [&str; 2] = ["published", "scheduled"];

/// One feed item: the article with everything a feed entry shows.
#[derive(Debug, Clone)]
pub struct FeedEntry {
    pub article: Article,
    pub author_name: String,
    pub author_slug: String,
    pub category_name: Option<String>,
    pub category_slug: Option<String>,
    /// In order; the feed carries the whole text.
    pub sections: Vec<Section>,
    /// The cover image, when the article has one.
    pub cover: Option<crate::media::Media>,
}

/// The newest `limit` public articles of `scope`, newest first, each with its
/// sections (one query for all of them, not one per article).
pub fn latest(conn: &mut DbConnection, scope: Scope, limit: i64) -> CoreResult<Vec<FeedEntry>> {
    let mut q = articles::table.filter(super::live()).into_boxed();
    match scope {
        Scope::All => {}
        Scope::Category(id) => q = q.filter(articles::category_id.eq(id)),
        Scope::Author(id) => q = q.filter(articles::author_id.eq(id)),
    }
    let rows: Vec<Article> = q
        .order((articles::published_at.desc(), articles::id.desc()))
        .limit(limit.clamp(1, 100))
        .select(Article::as_select())
        .load(conn)?;
    let ids: Vec<i32> = rows.iter().map(|a| a.id).collect();
    let all_sections: Vec<Section> = if ids.is_empty() {
        Vec::new()
    } else {
        sections::table
            .filter(sections::article_id.eq_any(&ids))
            .order((sections::article_id.asc(), sections::position.asc()))
            .select(Section::as_select())
            .load(conn)?
    };
    let mut author_ids: Vec<i32> = rows.iter().map(|a| a.author_id).collect();
    author_ids.sort_unstable();
    author_ids.dedup();
    let mut cat_ids: Vec<i32> = rows.iter().filter_map(|a| a.category_id).collect();
    cat_ids.sort_unstable();
    cat_ids.dedup();
    let authors = users::find_many(conn, &author_ids)?;
    let cats = categories::find_many(conn, &cat_ids)?;
    let cover_ids: Vec<i32> = rows.iter().filter_map(|a| a.cover_media_id).collect();
    let covers = crate::media::find_many(conn, &cover_ids)?;
    Ok(rows
        .into_iter()
        .map(|article| {
            let author = authors.iter().find(|u| u.id == article.author_id);
            let cat = article
                .category_id
                .and_then(|c| cats.iter().find(|x| x.id == c));
            let mine = all_sections
                .iter()
                .filter(|s| s.article_id == article.id)
                .cloned()
                .collect();
            FeedEntry {
                author_name: author.map(|u| u.display_name.clone()).unwrap_or_default(),
                author_slug: author.map(|u| u.slug.clone()).unwrap_or_default(),
                category_name: cat.map(|c| c.name.clone()),
                category_slug: cat.map(|c| c.slug.clone()),
                sections: mine,
                cover: article
                    .cover_media_id
                    .and_then(|m| covers.iter().find(|x| x.id == m))
                    .cloned(),
                article,
            }
        })
        .collect())
}

/// URLs per article sitemap page: the internal setting, else the default,
/// always within 1..=[`MAX_SITEMAP_PAGE_SIZE`].
pub fn sitemap_page_size(conn: &mut DbConnection) -> CoreResult<i64> {
    Ok(settings::get_flag(conn, SITEMAP_PAGE_SIZE_KEY)?
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or(DEFAULT_SITEMAP_PAGE_SIZE)
        .clamp(1, MAX_SITEMAP_PAGE_SIZE))
}

/// One page of the article sitemap, as the sitemap index lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapPage {
    /// From 1; page `n` holds the public articles with ids in
    /// `(n - 1) * size + 1 ..= n * size`, so a page's URL never changes as
    /// articles are added.
    pub number: i64,
    /// The newest change to any article on the page.
    pub lastmod: Option<NaiveDateTime>,
}

#[derive(QueryableByName)]
struct BucketRow {
    #[diesel(sql_type = Integer)]
    bucket: i32,
    #[diesel(sql_type = Nullable<Timestamp>)]
    lastmod: Option<NaiveDateTime>,
}

/// The article sitemap pages that hold at least one public article, in order.
///
/// When the page size is a multiple of [`blocks::BLOCK_SIZE`] (the default
/// and any round size are), each page is a run of whole blocks, so the pages
/// are summed from the block summary: no article is read unless a block is
/// stale or has a scheduled article come due. Any other size falls back to
/// [`sitemap_pages_grouped`], a pass over every public article.
pub fn sitemap_pages(conn: &mut DbConnection, size: i64) -> CoreResult<Vec<SitemapPage>> {
    let size = size.clamp(1, MAX_SITEMAP_PAGE_SIZE);
    let block_size = i64::from(blocks::BLOCK_SIZE);
    if size % block_size != 0 {
        return sitemap_pages_grouped(conn, size);
    }
    let blocks_per_page = size / block_size;
    let mut pages: Vec<SitemapPage> = Vec::new();
    for b in blocks::refresh(conn)?
        .into_iter()
        .filter(|b| b.live_count > 0)
    {
        let number = i64::from(b.block) / blocks_per_page + 1;
        match pages.last_mut() {
            Some(page) if page.number == number => page.lastmod = page.lastmod.max(b.lastmod),
            _ => pages.push(SitemapPage {
                number,
                lastmod: b.lastmod,
            }),
        }
    }
    Ok(pages)
}

/// [`sitemap_pages`] for any page size, without the summary: one pass over
/// the public articles grouped by id range returns a row per page (the rows
/// themselves never leave the database). 0.4 to 0.75 s on SQLite at a million
/// articles, hence only for sizes the blocks cannot add up to.
pub fn sitemap_pages_grouped(conn: &mut DbConnection, size: i64) -> CoreResult<Vec<SitemapPage>> {
    let size = size.clamp(1, MAX_SITEMAP_PAGE_SIZE);
    // `size` is a clamped integer of ours, never user text; the statuses are
    // constants. `$1` is a placeholder on both backends.
    let sql = format!(
        "SELECT CAST((id - 1) / {size} AS INTEGER) AS bucket, MAX(updated_at) AS lastmod \
         FROM articles \
         WHERE {} AND published_at <= $1 \
         GROUP BY 1 ORDER BY 1",
        super::LIVE_STATUS_SQL
    );
    let t = now();
    let rows: Vec<BucketRow> = with_backend!(conn, |c| diesel::sql_query(&sql)
        .bind::<Timestamp, _>(t)
        .load::<BucketRow>(c))?;
    Ok(rows
        .into_iter()
        .map(|r| SitemapPage {
            number: i64::from(r.bucket) + 1,
            lastmod: r.lastmod,
        })
        .collect())
}

/// An article URL in a sitemap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapArticle {
    pub id: i32,
    pub slug: String,
    pub updated_at: NaiveDateTime,
}

/// The public articles of sitemap page `number` (see [`SitemapPage::number`]),
/// by id. At most `size` rows of five narrow columns are read, by primary key:
/// visibility is checked here rather than in SQL, because a status filter
/// tempts SQLite's planner into walking the whole public-articles index.
pub fn sitemap_articles(
    conn: &mut DbConnection,
    number: i64,
    size: i64,
) -> CoreResult<Vec<SitemapArticle>> {
    let size = size.clamp(1, MAX_SITEMAP_PAGE_SIZE);
    let Some(first) = number
        .checked_sub(1)
        .and_then(|n| n.checked_mul(size))
        .and_then(|n| n.checked_add(1))
        .and_then(|n| i32::try_from(n).ok())
        .filter(|n| *n >= 1)
    else {
        return Ok(Vec::new());
    };
    let last = i32::try_from(i64::from(first) + size - 1).unwrap_or(i32::MAX);
    type Row = (i32, String, NaiveDateTime, String, Option<NaiveDateTime>);
    let rows: Vec<Row> = articles::table
        .filter(articles::id.between(first, last))
        .order(articles::id.asc())
        .select((
            articles::id,
            articles::slug,
            articles::updated_at,
            articles::status,
            articles::published_at,
        ))
        .load(conn)?;
    let t = now();
    Ok(rows
        .into_iter()
        .filter(|(_, _, _, status, published_at)| {
            PUBLIC_STATUSES.contains(&status.as_str()) && published_at.is_some_and(|p| p <= t)
        })
        .map(|(id, slug, updated_at, _, _)| SitemapArticle {
            id,
            slug,
            updated_at,
        })
        .collect())
}

/// An article in the Google News sitemap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewsArticle {
    pub slug: String,
    pub title: String,
    pub published_at: NaiveDateTime,
}

/// Public articles published within [`NEWS_WINDOW`] of now, newest first, at
/// most [`NEWS_MAX`].
pub fn news(conn: &mut DbConnection) -> CoreResult<Vec<NewsArticle>> {
    let t = now();
    let rows: Vec<(String, String, Option<NaiveDateTime>)> = articles::table
        .filter(super::live())
        .filter(articles::published_at.ge(t - NEWS_WINDOW))
        .order((articles::published_at.desc(), articles::id.desc()))
        .limit(NEWS_MAX)
        .select((articles::slug, articles::title, articles::published_at))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(slug, title, published_at)| {
            Some(NewsArticle {
                slug,
                title,
                published_at: published_at?,
            })
        })
        .collect())
}

/// The listing pages of the sitemap, each with when it last changed.
#[derive(Debug, Clone)]
pub struct ListingPages {
    /// The home page: see [`newest`].
    pub home: Option<NaiveDateTime>,
    /// Every category (they are all in the navigation, so all have pages).
    pub categories: Vec<(Category, NaiveDateTime)>,
    /// Authors with at least one public article.
    pub authors: Vec<(User, NaiveDateTime)>,
}

/// When a listing last changed: when its newest public article was published
/// or last edited, whichever is later. An edit to an older article (further
/// down the listing) does not count; that keeps this to one index lookup
/// (the top of a partial index of migration 000009), however many articles
/// the listing holds.
pub fn newest(conn: &mut DbConnection, scope: Scope) -> CoreResult<Option<NaiveDateTime>> {
    let mut q = articles::table.filter(super::live()).into_boxed();
    match scope {
        Scope::All => {}
        Scope::Category(id) => q = q.filter(articles::category_id.eq(id)),
        Scope::Author(id) => q = q.filter(articles::author_id.eq(id)),
    }
    let top: Option<(Option<NaiveDateTime>, NaiveDateTime)> = q
        .order((articles::published_at.desc(), articles::id.desc()))
        .select((articles::published_at, articles::updated_at))
        .first(conn)
        .optional()?;
    Ok(top.map(|(published, updated)| updated.max(published.unwrap_or(updated))))
}

#[derive(QueryableByName)]
struct NewestRow {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Nullable<Timestamp>)]
    lastmod: Option<NaiveDateTime>,
}

/// Which listings [`newest_of_each`] reads.
#[derive(Clone, Copy)]
enum Listings {
    Categories,
    Authors,
}

/// [`newest`] of every category's or every author's listing, in one
/// statement: the top of its partial index per category or user, as a
/// correlated subquery (a statement each took 11 ms for the sitemap of 12
/// categories and 40 authors on PostgreSQL, mostly round trips). Listings
/// without a public article are left out.
fn newest_of_each(
    conn: &mut DbConnection,
    listings: Listings,
) -> CoreResult<std::collections::HashMap<i32, NaiveDateTime>> {
    let (owners, column) = match listings {
        Listings::Categories => ("categories", "category_id"),
        Listings::Authors => ("users", "author_id"),
    };
    // Table and column names are constants of ours; `$1` is a placeholder
    // on both backends. The conditions are those of `live()`, so both
    // planners take the partial index of migration 000009.
    let sql = format!(
        "SELECT o.id AS id, (SELECT CASE WHEN articles.published_at IS NULL \
         OR articles.updated_at > articles.published_at THEN articles.updated_at \
         ELSE articles.published_at END FROM articles \
         WHERE {live} AND articles.published_at <= $1 AND articles.{column} = o.id \
         ORDER BY articles.published_at DESC, articles.id DESC LIMIT 1) AS lastmod \
         FROM {owners} o",
        live = super::LIVE_STATUS_SQL
    );
    let t = now();
    let rows: Vec<NewestRow> = with_backend!(conn, |c| diesel::sql_query(&sql)
        .bind::<Timestamp, _>(t)
        .load::<NewestRow>(c))?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Some((r.id, r.lastmod?)))
        .collect())
}

/// The home, category and author pages with their last change: an index
/// lookup per category and per user, in three statements, never a pass over
/// the articles.
pub fn listing_pages(conn: &mut DbConnection) -> CoreResult<ListingPages> {
    let home = newest(conn, Scope::All)?;
    let newest_of_category = newest_of_each(conn, Listings::Categories)?;
    let cats = categories::list(conn)?
        .into_iter()
        .map(|c| {
            let lastmod = newest_of_category
                .get(&c.id)
                .map_or(c.updated_at, |m| (*m).max(c.updated_at));
            (c, lastmod)
        })
        .collect();
    let newest_of_author = newest_of_each(conn, Listings::Authors)?;
    let mut authors: Vec<(User, NaiveDateTime)> = users::list(conn)?
        .into_iter()
        .filter_map(|u| {
            let lastmod = (*newest_of_author.get(&u.id)?).max(u.updated_at);
            Some((u, lastmod))
        })
        .collect();
    authors.sort_by(|a, b| a.0.slug.cmp(&b.0.slug));
    Ok(ListingPages {
        home,
        categories: cats,
        authors,
    })
}
