//! Published articles for the Content API: filters and keyset ("cursor")
//! pagination that stays correct while new articles are being published.
//!
//! With `q` the listing is a full-text search ([`crate::search::search`]):
//! ranked best match first by default (or by date when asked), and paged by
//! position ([`Cursor::Page`]), because a relevance order has no stable key.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Article;
use crate::db::DbConnection;
use crate::error::{CoreError, CoreResult};
use crate::schema::articles;
use crate::search::{self, Scope, SearchFilters, SearchOrder, SearchQuery};
use crate::time::now;

/// Listing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// Newest first (`-published_at`, the default).
    #[default]
    NewestFirst,
    /// Oldest first (`published_at`).
    OldestFirst,
    /// Best match first (`relevance`): only with `q`, and its default there.
    /// Without `q` it means newest first.
    Relevance,
}

/// Which side of a cursor a page lies on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The page after the cursor (the `next` link).
    After,
    /// The page before the cursor (the `prev` link).
    Before,
}

/// A position in a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    /// A listing without `q`: the sort key of one article, and which side of
    /// it the page lies on.
    Key {
        published_at: NaiveDateTime,
        id: i32,
        direction: Direction,
    },
    /// A search (`q`): the page of results, numbered from 1 (a position, so an
    /// article published while a client pages may shift later pages by one).
    Page(i64),
}

#[derive(Debug, Clone, Default)]
pub struct ContentQuery {
    pub category_id: Option<i32>,
    pub author_id: Option<i32>,
    pub published_before: Option<NaiveDateTime>,
    pub published_after: Option<NaiveDateTime>,
    /// Words to find in the title, standfirst or any section (full-text
    /// search: every word must appear, the last may be a prefix). Blank: none.
    pub q: Option<String>,
    pub order: Order,
    pub limit: i64,
    pub cursor: Option<Cursor>,
}

#[derive(Debug, Clone)]
pub struct ContentPage {
    pub items: Vec<Article>,
    pub next: Option<Cursor>,
    pub prev: Option<Cursor>,
    /// A search's page knows how many articles it matched, as [`count`]
    /// gives it; counting again would read the matches a second time.
    pub total: Option<Count>,
}

type Boxed<'a> = articles::BoxedQuery<'a, <DbConnection as diesel::Connection>::Backend>;

/// The live articles a listing's filters (not its cursor) select. Only the
/// tighter of "published by now" and `published_before` is put in SQL: with
/// both upper bounds SQLite seeks by the first and filters on the second
/// (a count at a million articles read 500 000 index entries for it).
fn filtered(q: &ContentQuery) -> Boxed<'static> {
    let t = now();
    let mut b = articles::table.filter(super::live_status()).into_boxed();
    b = match q.published_before {
        Some(before) if before <= t => b.filter(articles::published_at.lt(before)),
        _ => b.filter(articles::published_at.le(t)),
    };
    if let Some(c) = q.category_id {
        b = b.filter(articles::category_id.eq(c));
    }
    if let Some(a) = q.author_id {
        b = b.filter(articles::author_id.eq(a));
    }
    if let Some(t) = q.published_after {
        b = b.filter(articles::published_at.gt(t));
    }
    b
}

/// The search behind a `q`, if there is one (`None` for a blank `q`).
fn search_query(q: &ContentQuery, page: i64) -> Option<SearchQuery> {
    let text = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
    Some(SearchQuery {
        text: text.to_owned(),
        scope: Scope::Public,
        filters: SearchFilters {
            category_id: q.category_id,
            author_id: q.author_id,
            published_before: q.published_before,
            published_after: q.published_after,
            ..Default::default()
        },
        order: match q.order {
            Order::Relevance => SearchOrder::Relevance,
            Order::NewestFirst => SearchOrder::Newest,
            Order::OldestFirst => SearchOrder::Oldest,
        },
        page,
        per_page: q.limit.clamp(1, 100),
    })
}

/// Matches a filtered count stops at: beyond it the count says "at least
/// this many". Counting half a million articles published before a date read
/// half a million index entries (65-95 ms on SQLite at a million articles);
/// reading ten thousand takes a millisecond or two.
pub const COUNT_CAP: i64 = 10_000;

/// How many articles a listing matches, as [`count`] gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    /// The number, or the cap it stopped at.
    pub n: i64,
    /// `false`: there are more than `n`.
    pub exact: bool,
}

/// Counts the articles matching the filters (no cursor).
///
/// Without any filter that is every live article: counting those rows took
/// ~70 ms on SQLite at a million, so it is summed from the per-block summary
/// instead ([`super::blocks::live_count`]), exactly. A filtered count stops at
/// [`COUNT_CAP`]; a search (`q`) at the newest [`search::PUBLIC_MATCH_CAP`]
/// matches, which is as far as its pages go.
pub fn count(conn: &mut DbConnection, q: &ContentQuery) -> CoreResult<Count> {
    count_with_cap(conn, q, COUNT_CAP)
}

/// [`count`] with another cap for filtered lists (at least 1), for tests.
pub fn count_with_cap(conn: &mut DbConnection, q: &ContentQuery, cap: i64) -> CoreResult<Count> {
    let cap = cap.max(1);
    let upto = |n: i64, cap: i64| Count {
        n: n.min(cap),
        exact: n <= cap,
    };
    match search_query(q, 1) {
        Some(sq) => {
            let cap = search::PUBLIC_MATCH_CAP;
            // One more than the pages reach tells whether there are more.
            Ok(upto(search::count_with_cap(conn, &sq, cap + 1)?, cap))
        }
        None if q.category_id.is_none()
            && q.author_id.is_none()
            && q.published_before.is_none()
            && q.published_after.is_none() =>
        {
            Ok(Count {
                n: super::blocks::live_count(conn)?,
                exact: true,
            })
        }
        None => {
            // In the listing indexes' order: SQLite then reads the newest
            // cap + 1 entries of the range and stops (1.9 ms for a date
            // filter at a million articles, against 10 ms unordered).
            let ids: Vec<i32> = filtered(q)
                .select(articles::id)
                .order((articles::published_at.desc(), articles::id.desc()))
                .limit(cap + 1)
                .load(conn)?;
            Ok(upto(ids.len() as i64, cap))
        }
    }
}

/// A page of search results (`q` given).
fn search_page(conn: &mut DbConnection, q: &ContentQuery) -> CoreResult<Option<ContentPage>> {
    let Some(mut sq) = search_query(q, 1) else {
        return Ok(None);
    };
    let page = match q.cursor {
        None => 1,
        Some(Cursor::Page(n)) if n >= 1 => n,
        Some(_) => {
            return Err(CoreError::invalid(
                "cursor",
                "this cursor belongs to a listing without q",
            ))
        }
    };
    sq.page = page;
    let found = search::search(conn, &sq)?;
    Ok(Some(ContentPage {
        next: found.has_next().then_some(Cursor::Page(page + 1)),
        prev: (page > 1).then_some(Cursor::Page(page - 1)),
        total: Some(Count {
            n: found.total,
            exact: !found.more,
        }),
        items: found.hits.into_iter().map(|h| h.article).collect(),
    }))
}

/// One page of published articles.
pub fn page(conn: &mut DbConnection, q: &ContentQuery) -> CoreResult<ContentPage> {
    if let Some(found) = search_page(conn, q)? {
        return Ok(found);
    }
    let limit = q.limit.clamp(1, 100);
    let newest_first = q.order != Order::OldestFirst;
    let mut b = articles::table.filter(super::live_status()).into_boxed();
    if let Some(c) = q.category_id {
        b = b.filter(articles::category_id.eq(c));
    }
    if let Some(a) = q.author_id {
        b = b.filter(articles::author_id.eq(a));
    }
    // Walking "backwards" means reading the opposite way, then reversing.
    let backwards = matches!(
        q.cursor,
        Some(Cursor::Key {
            direction: Direction::Before,
            ..
        })
    );
    let descending = newest_first != backwards;
    // Each end of the range in (published_at, id) order is the tightest of
    // the conditions on it, applied alone: with two bounds on one side (say
    // "until now" and "before 2020"), a planner seeks by one of them and
    // filters row by row down to the other (60 ms at a million articles).
    // Upper ends: published by now; `published_before`; a cursor read
    // downwards. Lower ends: `published_after`; a cursor read upwards.
    let key = match q.cursor {
        Some(Cursor::Key {
            published_at, id, ..
        }) => Some((published_at, id)),
        Some(Cursor::Page(_)) => {
            return Err(CoreError::invalid(
                "cursor",
                "this cursor belongs to a search (q)",
            ));
        }
        None => None,
    };
    let mut upper = vec![End::Until(now())];
    upper.extend(q.published_before.map(End::Before));
    let mut lower: Vec<End> = q.published_after.map(End::After).into_iter().collect();
    if let Some((at, id)) = key {
        if descending { &mut upper } else { &mut lower }.push(End::Key(at, id));
    }
    if let Some(end) = upper.into_iter().min_by_key(End::point) {
        b = b.filter(end.below());
    }
    if let Some(end) = lower.into_iter().max_by_key(End::point) {
        b = b.filter(end.above());
    }
    b = if descending {
        b.order((articles::published_at.desc(), articles::id.desc()))
    } else {
        b.order((articles::published_at.asc(), articles::id.asc()))
    };
    let mut rows: Vec<Article> = b.limit(limit + 1).select(Article::as_select()).load(conn)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    if backwards {
        rows.reverse();
    }
    let key = |a: &Article, direction| {
        a.published_at.map(|p| Cursor::Key {
            published_at: p,
            id: a.id,
            direction,
        })
    };
    let (next, prev) = match (q.cursor, backwards) {
        (None, _) => (
            if more {
                rows.last().and_then(|a| key(a, Direction::After))
            } else {
                None
            },
            None,
        ),
        (Some(_), false) => (
            if more {
                rows.last().and_then(|a| key(a, Direction::After))
            } else {
                None
            },
            rows.first().and_then(|a| key(a, Direction::Before)),
        ),
        (Some(_), true) => (
            rows.last().and_then(|a| key(a, Direction::After)),
            if more {
                rows.first().and_then(|a| key(a, Direction::Before))
            } else {
                None
            },
        ),
    };
    Ok(ContentPage {
        items: rows,
        next,
        prev,
        total: None,
    })
}

/// A published article by id (`None` for anything not public).
pub fn by_id(conn: &mut DbConnection, id: i32) -> CoreResult<Option<Article>> {
    Ok(articles::table
        .find(id)
        .filter(super::live())
        .select(Article::as_select())
        .first(conn)
        .optional()?)
}

/// Users with at least one published article, by name.
pub fn authors(conn: &mut DbConnection) -> CoreResult<Vec<crate::users::User>> {
    use crate::schema::users;
    let ids = articles::table
        .filter(super::live())
        .select(articles::author_id)
        .distinct();
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .order(users::display_name.asc())
        .select(crate::users::User::as_select())
        .load(conn)?)
}

/// One end of a range of articles in listing order, `(published_at, id)`.
#[derive(Debug, Clone, Copy)]
enum End {
    /// Published at or before this time.
    Until(NaiveDateTime),
    /// Published before this time.
    Before(NaiveDateTime),
    /// Published after this time.
    After(NaiveDateTime),
    /// Beyond this article (a cursor), in the direction of reading.
    Key(NaiveDateTime, i32),
}

type Condition = Box<
    dyn diesel::BoxableExpression<
        articles::table,
        <DbConnection as diesel::Connection>::Backend,
        SqlType = diesel::sql_types::Nullable<diesel::sql_types::Bool>,
    >,
>;

impl End {
    /// Where in `(published_at, id)` order this end lies (ids between
    /// `i64::MIN` and `i64::MAX` order the ends that share a time).
    fn point(&self) -> (NaiveDateTime, i64) {
        match *self {
            End::Until(t) | End::After(t) => (t, i64::MAX),
            End::Before(t) => (t, i64::MIN),
            End::Key(t, id) => (t, i64::from(id)),
        }
    }

    /// The condition for rows below this end.
    fn below(self) -> Condition {
        match self {
            End::Until(t) => Box::new(articles::published_at.le(t)),
            End::Before(t) | End::After(t) => Box::new(articles::published_at.lt(t)),
            End::Key(t, id) => row_compare("<", t, id),
        }
    }

    /// The condition for rows above this end.
    fn above(self) -> Condition {
        match self {
            End::After(t) | End::Until(t) => Box::new(articles::published_at.gt(t)),
            End::Before(t) => Box::new(articles::published_at.ge(t)),
            End::Key(t, id) => row_compare(">", t, id),
        }
    }
}

/// `(published_at, id) <op> (t, id)`: a row-value comparison, which both
/// databases read as one range of the listing index (an `OR` of two
/// comparisons is not).
fn row_compare(op: &'static str, t: NaiveDateTime, id: i32) -> Condition {
    Box::new(
        diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::Bool>>(&format!(
            "(articles.published_at, articles.id) {op} ("
        ))
        .bind::<diesel::sql_types::Timestamp, _>(t)
        .sql(", ")
        .bind::<diesel::sql_types::Integer, _>(id)
        .sql(")"),
    )
}
