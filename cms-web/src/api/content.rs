//! Content API: published content, read-only, for frontends.

use std::collections::HashSet;

use actix_web::{web, HttpRequest, HttpResponse};
use base64::Engine;
use chrono::{DateTime, NaiveDateTime, Utc};
use cms_core::articles::content::{self, ContentQuery, Cursor, Direction, Order};
use cms_core::articles::{self, public};
use cms_core::{categories, settings, users};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{
    ArticleList, ArticleOut, AuthorList, AuthorOut, CategoryList, CategoryOut, PageMeta,
};
use super::problem::{ApiError, ApiResult};
use super::{content_access, json_response};
use crate::state::AppState;

const ARTICLE_FIELDS: &[&str] = &[
    "id",
    "title",
    "slug",
    "standfirst",
    "url",
    "published_at",
    "updated_at",
    "author",
    "category",
    "reading_minutes",
    "sections",
    "related",
    "cover",
];

/// Query parameters of the article list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Category slug.
    pub category: Option<String>,
    /// Author slug.
    pub author: Option<String>,
    /// Only articles published before this time (RFC 3339).
    pub published_before: Option<String>,
    /// Only articles published after this time (RFC 3339).
    pub published_after: Option<String>,
    /// Full-text search: words that must all appear in the title, standfirst
    /// or a section (any case; the last word also matches as a prefix).
    /// Results come best match first unless `sort` says otherwise — except
    /// that words matching more than 1 000 articles come newest first (the
    /// newest 1 000; on SQLite also when other filters leave fewer).
    pub q: Option<String>,
    /// Comma-separated: `sections`, `related`.
    pub include: Option<String>,
    /// Comma-separated top-level fields to return, e.g. `id,title,url`.
    pub fields: Option<String>,
    /// `-published_at` (newest first, the default without `q`), `published_at`,
    /// or `relevance` (best match first, the default with `q`; needs `q`).
    pub sort: Option<String>,
    /// Page size, 1–100 (default 15).
    pub limit: Option<String>,
    /// Opaque cursor from a `next` or `prev` link.
    pub cursor: Option<String>,
    /// `true` to include the number of matches in `meta.total` (counted up
    /// to 10 000, or with `q` up to 1 000, as far as a search's pages go;
    /// `meta.total_exact` is `false` when there are more).
    pub total: Option<String>,
    /// Content API key (or send `X-Gazette-Key`).
    pub key: Option<String>,
}

/// Key and include parameters of single-resource endpoints.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct KeyParams {
    /// Content API key (or send `X-Gazette-Key`).
    pub key: Option<String>,
    /// Comma-separated top-level fields to return.
    pub fields: Option<String>,
}

fn parse_time(name: &str, v: &Option<String>) -> ApiResult<Option<NaiveDateTime>> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => DateTime::parse_from_rfc3339(s)
            .map(|d| Some(d.with_timezone(&Utc).naive_utc()))
            .map_err(|_| {
                ApiError::BadRequest(format!(
                    "{name}: expected an RFC 3339 time such as 2026-11-29T09:00:00Z"
                ))
            }),
    }
}

fn encode_cursor(c: &Cursor) -> String {
    let raw = match c {
        Cursor::Key {
            published_at,
            id,
            direction,
        } => {
            let d = match direction {
                Direction::After => 'a',
                Direction::Before => 'b',
            };
            format!("{d}|{}|{id}", published_at.and_utc().timestamp())
        }
        // Search results (`q`) are paged by position.
        Cursor::Page(n) => format!("r|{n}"),
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

fn decode_cursor(s: &str) -> ApiResult<Cursor> {
    let bad = || {
        ApiError::BadRequest(
            "cursor: not a cursor from this API (use the next/prev links as given)".into(),
        )
    };
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s.trim())
        .map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let mut parts = text.split('|');
    let direction = match parts.next() {
        Some("a") => Direction::After,
        Some("b") => Direction::Before,
        Some("r") => {
            let page: i64 = parts
                .next()
                .and_then(|p| p.parse().ok())
                .filter(|n| *n >= 1)
                .ok_or_else(bad)?;
            return Ok(Cursor::Page(page));
        }
        _ => return Err(bad()),
    };
    let ts: i64 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let id: i32 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let published_at = DateTime::from_timestamp(ts, 0).ok_or_else(bad)?.naive_utc();
    Ok(Cursor::Key {
        published_at,
        id,
        direction,
    })
}

/// Parses `fields=`; unknown names are a 400 listing the valid ones.
pub fn parse_fields(
    fields: &Option<String>,
    allowed: &[&str],
) -> ApiResult<Option<HashSet<String>>> {
    let Some(f) = fields.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let set: HashSet<String> = f
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    if let Some(bad) = set.iter().find(|s| !allowed.contains(&s.as_str())) {
        return Err(ApiError::BadRequest(format!(
            "fields: unknown field `{bad}`; choose from {}",
            allowed.join(", ")
        )));
    }
    Ok(Some(set))
}

/// Serialises a value, keeping only the selected top-level fields.
pub fn select_fields<T: serde::Serialize>(
    v: &T,
    fields: &Option<HashSet<String>>,
) -> ApiResult<serde_json::Value> {
    let mut value = serde_json::to_value(v).map_err(|e| ApiError::Internal(e.to_string()))?;
    if let (Some(f), serde_json::Value::Object(map)) = (fields, &mut value) {
        map.retain(|k, _| f.contains(k));
    }
    Ok(value)
}

/// Fills `views` on related links when the view-counter plugin is enabled
/// (its counters are keyed `article:<id>`).
fn fill_views(
    conn: &mut cms_core::DbConnection,
    items: &mut [ArticleOut],
) -> cms_core::CoreResult<()> {
    let enabled = cms_core::plugins::states(conn)?
        .iter()
        .any(|p| p.name == "view-counter" && p.enabled);
    if !enabled {
        return Ok(());
    }
    let keys: Vec<String> = items
        .iter()
        .flat_map(|a| a.related.iter().flatten())
        .filter_map(|r| r.article_id)
        .map(|id| format!("article:{id}"))
        .collect();
    let counts = cms_core::plugins::counters(conn, "view-counter", &keys)?;
    for r in items
        .iter_mut()
        .flat_map(|a| a.related.iter_mut().flatten())
    {
        if let Some(id) = r.article_id {
            r.views = Some(counts.get(&format!("article:{id}")).copied().unwrap_or(0));
        }
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/v1/articles", tag = "content", params(ListParams),
    responses((status = 200, body = ArticleList), (status = 304, description = "Not modified"), (status = 400, body = super::problem::Problem), (status = 401, body = super::problem::Problem)))]
pub async fn list_articles(
    state: web::Data<AppState>,
    req: HttpRequest,
    p: web::Query<ListParams>,
) -> ApiResult<HttpResponse> {
    let p = p.into_inner();
    let access = content_access(&state, &req, p.key.as_deref()).await?;
    let limit = match p.limit.as_deref() {
        None | Some("") => 15,
        Some(l) => l
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| ApiError::BadRequest("limit: expected a number from 1 to 100".into()))?,
    };
    let searching = p.q.as_deref().is_some_and(|q| !q.trim().is_empty());
    let order = match p.sort.as_deref() {
        None | Some("") if searching => Order::Relevance,
        None | Some("") | Some("-published_at") => Order::NewestFirst,
        Some("published_at") => Order::OldestFirst,
        Some("relevance") if searching => Order::Relevance,
        Some("relevance") => {
            return Err(ApiError::BadRequest(
                "sort: relevance needs a search (q)".into(),
            ))
        }
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "sort: `{other}` is not supported; use -published_at, published_at or relevance"
            )))
        }
    };
    let include: HashSet<&str> = p
        .include
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if let Some(bad) = include
        .iter()
        .find(|i| !matches!(**i, "sections" | "related"))
    {
        return Err(ApiError::BadRequest(format!(
            "include: unknown `{bad}`; choose from sections, related"
        )));
    }
    let fields = parse_fields(&p.fields, ARTICLE_FIELDS)?;
    let want_total = matches!(p.total.as_deref(), Some("true" | "1"));
    let cursor = p
        .cursor
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(decode_cursor)
        .transpose()?;
    if cursor.is_some_and(|c| matches!(c, Cursor::Page(_)) != searching) {
        return Err(ApiError::BadRequest(
            "cursor: it belongs to a different query (use the next/prev links as given)".into(),
        ));
    }
    let (before, after) = (
        parse_time("published_before", &p.published_before)?,
        parse_time("published_after", &p.published_after)?,
    );
    let (cat_slug, author_slug, q) = (p.category.clone(), p.author.clone(), p.q.clone());
    let (with_sections, with_related) = (include.contains("sections"), include.contains("related"));
    let (items, next, prev, total, base) = state
        .db(move |conn| {
            let base = settings::load(conn)?.base_url;
            let mut query = ContentQuery {
                published_before: before,
                published_after: after,
                q,
                order,
                limit,
                cursor,
                ..Default::default()
            };
            let mut impossible = false;
            if let Some(slug) = cat_slug.filter(|s| !s.is_empty()) {
                match categories::find_by_slug(conn, &slug)? {
                    Some(c) => query.category_id = Some(c.id),
                    None => impossible = true,
                }
            }
            if let Some(slug) = author_slug.filter(|s| !s.is_empty()) {
                match users::find_by_slug(conn, &slug)? {
                    Some(u) => query.author_id = Some(u.id),
                    None => impossible = true,
                }
            }
            if impossible {
                let none = content::Count { n: 0, exact: true };
                return Ok((Vec::new(), None, None, want_total.then_some(none), base));
            }
            let page = content::page(conn, &query)?;
            let total = match (want_total, page.total) {
                (false, _) => None,
                (true, Some(known)) => Some(known),
                (true, None) => Some(content::count(conn, &query)?),
            };
            let mut items: Vec<ArticleOut> =
                articles::load_full_many(conn, page.items, with_related)?
                    .iter()
                    .map(|full| ArticleOut::from_full(full, &base, with_sections, with_related))
                    .collect();
            fill_views(conn, &mut items)?;
            Ok((items, page.next, page.prev, total, base))
        })
        .await?;
    let link = |c: &Cursor| {
        let mut pairs = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("category", &p.category),
            ("author", &p.author),
            ("published_before", &p.published_before),
            ("published_after", &p.published_after),
            ("q", &p.q),
            ("include", &p.include),
            ("fields", &p.fields),
            ("sort", &p.sort),
            ("total", &p.total),
            ("key", &p.key),
        ] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                pairs.append_pair(k, v);
            }
        }
        pairs.append_pair("limit", &limit.to_string());
        pairs.append_pair("cursor", &encode_cursor(c));
        format!("{base}/api/v1/articles?{}", pairs.finish())
    };
    let data = items
        .iter()
        .map(|a| select_fields(a, &fields))
        .collect::<ApiResult<Vec<_>>>()?;
    let body = ArticleList {
        data,
        meta: PageMeta {
            next: next.as_ref().map(link),
            prev: prev.as_ref().map(link),
            limit,
            total: total.map(|c| c.n),
            total_exact: total.map(|c| c.exact),
        },
    };
    json_response(&req, &body, &access)
}

async fn one_article(
    state: &AppState,
    req: &HttpRequest,
    p: KeyParams,
    by: Result<i32, String>,
) -> ApiResult<HttpResponse> {
    let access = content_access(state, req, p.key.as_deref()).await?;
    let fields = parse_fields(&p.fields, ARTICLE_FIELDS)?;
    let out = state
        .db(move |conn| {
            let base = settings::load(conn)?.base_url;
            let full = match by {
                Ok(id) => match content::by_id(conn, id)? {
                    Some(a) => {
                        let mut f = articles::load_full(conn, a)?;
                        f.links.retain(|l| l.visible);
                        Some(f)
                    }
                    None => None,
                },
                Err(slug) => public::by_slug(conn, &slug)?,
            };
            let mut out: Vec<ArticleOut> = full
                .iter()
                .map(|f| ArticleOut::from_full(f, &base, true, true))
                .collect();
            fill_views(conn, &mut out)?;
            Ok(out.pop())
        })
        .await?
        .ok_or(ApiError::NotFound)?;
    json_response(req, &select_fields(&out, &fields)?, &access)
}

#[utoipa::path(get, path = "/api/v1/articles/{id}", tag = "content", params(("id" = i32, Path, description = "Article id"), KeyParams),
    responses((status = 200, body = ArticleOut), (status = 404, body = super::problem::Problem)))]
pub async fn article_by_id(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i32>,
    p: web::Query<KeyParams>,
) -> ApiResult<HttpResponse> {
    one_article(&state, &req, p.into_inner(), Ok(id.into_inner())).await
}

#[utoipa::path(get, path = "/api/v1/articles/slug/{slug}", tag = "content", params(("slug" = String, Path, description = "Article slug"), KeyParams),
    responses((status = 200, body = ArticleOut), (status = 404, body = super::problem::Problem)))]
pub async fn article_by_slug(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    p: web::Query<KeyParams>,
) -> ApiResult<HttpResponse> {
    one_article(&state, &req, p.into_inner(), Err(slug.into_inner())).await
}

#[utoipa::path(get, path = "/api/v1/categories", tag = "content", params(KeyParams), responses((status = 200, body = CategoryList)))]
pub async fn list_categories(
    state: web::Data<AppState>,
    req: HttpRequest,
    p: web::Query<KeyParams>,
) -> ApiResult<HttpResponse> {
    let access = content_access(&state, &req, p.key.as_deref()).await?;
    let (cats, base) = state
        .db(|conn| Ok((categories::list(conn)?, settings::load(conn)?.base_url)))
        .await?;
    let body = CategoryList {
        data: cats.iter().map(|c| CategoryOut::from(c, &base)).collect(),
    };
    json_response(&req, &body, &access)
}

#[utoipa::path(get, path = "/api/v1/categories/{slug}", tag = "content", params(("slug" = String, Path, description = "Category slug"), KeyParams),
    responses((status = 200, body = CategoryOut), (status = 404, body = super::problem::Problem)))]
pub async fn category(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    p: web::Query<KeyParams>,
) -> ApiResult<HttpResponse> {
    let access = content_access(&state, &req, p.key.as_deref()).await?;
    let slug = slug.into_inner();
    let (cat, base) = state
        .db(move |conn| {
            Ok((
                categories::find_by_slug(conn, &slug)?,
                settings::load(conn)?.base_url,
            ))
        })
        .await?;
    let cat = cat.ok_or(ApiError::NotFound)?;
    json_response(&req, &CategoryOut::from(&cat, &base), &access)
}

#[utoipa::path(get, path = "/api/v1/authors", tag = "content", params(KeyParams), responses((status = 200, body = AuthorList)))]
pub async fn list_authors(
    state: web::Data<AppState>,
    req: HttpRequest,
    p: web::Query<KeyParams>,
) -> ApiResult<HttpResponse> {
    let access = content_access(&state, &req, p.key.as_deref()).await?;
    let (authors, base) = state
        .db(|conn| Ok((content::authors(conn)?, settings::load(conn)?.base_url)))
        .await?;
    let body = AuthorList {
        data: authors.iter().map(|u| AuthorOut::from(u, &base)).collect(),
    };
    json_response(&req, &body, &access)
}

#[utoipa::path(get, path = "/api/v1/authors/{slug}", tag = "content", params(("slug" = String, Path, description = "Author slug"), KeyParams),
    responses((status = 200, body = AuthorOut), (status = 404, body = super::problem::Problem)))]
pub async fn author(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    p: web::Query<KeyParams>,
) -> ApiResult<HttpResponse> {
    let access = content_access(&state, &req, p.key.as_deref()).await?;
    let slug = slug.into_inner();
    let (author, base) = state
        .db(move |conn| {
            let u = users::find_by_slug(conn, &slug)?;
            let visible = match &u {
                Some(u) => public::author_has_public(conn, u.id)?,
                None => false,
            };
            Ok((u.filter(|_| visible), settings::load(conn)?.base_url))
        })
        .await?;
    let author = author.ok_or(ApiError::NotFound)?;
    json_response(&req, &AuthorOut::from(&author, &base), &access)
}
