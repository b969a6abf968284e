//! Admin API articles: listing, reading, writing (with sections and related
//! links, optimistic concurrency through `If-Match`/`ETag`), status changes
//! and deletion.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use cms_core::articles::admin::{self as admin_list, AdminFilter};
use cms_core::articles::{self, ArticleInput, LinkInput, SaveAction, SectionInput, Status};
use cms_core::users;
use cms_core::{roles, CoreError};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::auth::ApiUser;
use crate::api::dto::*;
use crate::api::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;

/// The version a write is based on: `If-Match` wins over the body field.
/// Returns the version and whether it came from `If-Match` (→ 412 when stale).
fn expected_version(req: &HttpRequest, body: Option<i32>) -> ApiResult<(i32, bool)> {
    if let Some(h) = req.headers().get(header::IF_MATCH) {
        let raw = h.to_str().unwrap_or("").trim();
        let v = raw
            .trim_start_matches("W/")
            .trim_matches('"')
            .parse::<i32>()
            .map_err(|_| {
                ApiError::BadRequest("If-Match: expected the article's ETag, e.g. \"3\"".into())
            })?;
        return Ok((v, true));
    }
    body.map(|v| (v, false))
        .ok_or(ApiError::PreconditionRequired)
}

fn map_conflict(e: ApiError, from_if_match: bool) -> ApiError {
    match e {
        ApiError::Conflict(m) if from_if_match => ApiError::PreconditionFailed(m),
        other => other,
    }
}

fn apply(mut input: ArticleInput, w: ArticleWrite) -> ArticleInput {
    if let Some(t) = w.title {
        input.title = t;
    }
    if let Some(s) = w.slug {
        input.slug = s;
    }
    if let Some(s) = w.standfirst {
        input.standfirst = s;
    }
    if w.author_id.is_some() {
        input.author_id = w.author_id;
    }
    if let Some(c) = w.category_id {
        input.category_id = c;
    }
    if let Some(p) = w.published_at {
        input.published_at = p.map(|d| d.naive_utc());
    }
    if let Some(secs) = w.sections {
        input.sections = secs
            .into_iter()
            .map(|s| SectionInput {
                heading: s.heading.unwrap_or_default(),
                body: s.body,
            })
            .collect();
    }
    if let Some(t) = w.meta_title {
        input.meta_title = t;
    }
    if let Some(d) = w.meta_description {
        input.meta_description = d;
    }
    if let Some(c) = w.cover_media_id {
        input.cover_media_id = c;
    }
    if let Some(links) = w.related {
        input.links = links
            .into_iter()
            .map(|l| LinkInput {
                target_article_id: l.article_id,
                url: l.url.unwrap_or_default(),
                title: l.title.unwrap_or_default(),
            })
            .collect();
    }
    input
}

/// Saves through the plugin hooks (the same path as the admin panel).
async fn save_via_hooks(
    state: &AppState,
    user: &users::User,
    id: Option<i32>,
    expected: Option<i32>,
    input: ArticleInput,
    action: SaveAction,
) -> ApiResult<cms_core::articles::Article> {
    match crate::publishing::save_article(state, user, id, expected, input, action).await? {
        crate::publishing::Saved::Done(a) => Ok(a),
        crate::publishing::Saved::Rejected { message, field } => {
            Err(ApiError::Validation(vec![cms_core::FieldError::new(
                field.unwrap_or_else(|| "plugin".into()),
                message,
            )]))
        }
    }
}

/// An article response with its version as the `ETag`.
fn article_response(status: actix_web::http::StatusCode, out: AdminArticleOut) -> HttpResponse {
    let mut resp = HttpResponse::build(status);
    resp.insert_header((header::ETAG, format!("\"{}\"", out.version)))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    if status == actix_web::http::StatusCode::CREATED {
        resp.insert_header((
            header::LOCATION,
            format!("/api/v1/admin/articles/{}", out.id),
        ));
    }
    resp.json(out)
}

async fn load_out(state: &AppState, user: &users::User, id: i32) -> ApiResult<AdminArticleOut> {
    let user = user.clone();
    Ok(state
        .db(move |conn| {
            let a = articles::find(conn, id)?;
            if !roles::can_view_article(&user, &a) {
                return Err(CoreError::Forbidden("not your article".into()));
            }
            let input = articles::save::load_input(conn, &a)?;
            Ok(AdminArticleOut::from(&a, &input))
        })
        .await?)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AdminListParams {
    /// draft, scheduled, published or archived.
    pub status: Option<String>,
    pub category_id: Option<i32>,
    pub author_id: Option<i32>,
    /// Search: words anywhere in the article (title, standfirst, sections), or
    /// a fragment of the title; results then come best match first.
    pub q: Option<String>,
    /// From 1.
    pub page: Option<i64>,
    /// 1–100, default 25.
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/admin/articles", tag = "admin", params(AdminListParams), security(("bearer" = [])),
    responses((status = 200, body = AdminArticleList), (status = 401, body = Problem)))]
pub async fn list_articles(
    state: web::Data<AppState>,
    who: ApiUser,
    p: web::Query<AdminListParams>,
) -> ApiResult<HttpResponse> {
    let p = p.into_inner();
    let status = match p.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(
            Status::parse(s)
                .ok_or_else(|| ApiError::BadRequest(format!("status: unknown `{s}`")))?,
        ),
    };
    let limit = p.limit.unwrap_or(25);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::BadRequest("limit: expected 1 to 100".into()));
    }
    let filter = AdminFilter {
        status,
        category_id: p.category_id,
        author_id: p.author_id,
        title_query: p.q,
    };
    let page = p.page.unwrap_or(1).max(1);
    let user = who.user;
    let result = state
        .db(move |conn| admin_list::list(conn, &user, &filter, page, limit))
        .await?;
    let data = result
        .rows
        .iter()
        .map(|r| AdminArticleSummary {
            id: r.card.id,
            title: r.card.title.clone(),
            slug: r.card.slug.clone(),
            status: r.status.as_str().into(),
            author: r.card.author_name.clone(),
            category: r.card.category_name.clone(),
            published_at: r.card.published_at.map(utc),
            updated_at: utc(r.updated_at),
            version: r.version,
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(AdminArticleList {
            data,
            meta: AdminPageMeta {
                page: result.page,
                limit,
                total: result.total,
            },
        }))
}

#[utoipa::path(get, path = "/api/v1/admin/articles/{id}", tag = "admin", params(("id" = i32, Path, description = "Article id")), security(("bearer" = [])),
    responses((status = 200, body = AdminArticleOut, headers(("ETag" = String, description = "The article's version"))), (status = 404, body = Problem)))]
pub async fn get_article(
    state: web::Data<AppState>,
    who: ApiUser,
    id: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let out = load_out(&state, &who.user, id.into_inner()).await?;
    Ok(article_response(actix_web::http::StatusCode::OK, out))
}

#[utoipa::path(post, path = "/api/v1/admin/articles", tag = "admin", request_body = ArticleWrite, security(("bearer" = [])),
    responses((status = 201, body = AdminArticleOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_article(
    state: web::Data<AppState>,
    who: ApiUser,
    body: web::Json<ArticleWrite>,
) -> ApiResult<HttpResponse> {
    who.require_write()?;
    let input = apply(ArticleInput::default(), body.into_inner());
    let a = save_via_hooks(&state, &who.user, None, None, input, SaveAction::Save).await?;
    let out = load_out(&state, &who.user, a.id).await?;
    Ok(article_response(actix_web::http::StatusCode::CREATED, out))
}

async fn update(
    state: &AppState,
    req: &HttpRequest,
    who: ApiUser,
    id: i32,
    w: ArticleWrite,
    merge: bool,
) -> ApiResult<HttpResponse> {
    who.require_write()?;
    let (version, from_if_match) = expected_version(req, w.version)?;
    let user = who.user.clone();
    let base = state
        .db(move |conn| {
            let current = articles::find(conn, id)?;
            if !roles::can_view_article(&user, &current) {
                return Err(CoreError::Forbidden("not your article".into()));
            }
            if merge {
                articles::save::load_input(conn, &current)
            } else {
                Ok(ArticleInput::default())
            }
        })
        .await?;
    let result = save_via_hooks(
        state,
        &who.user,
        Some(id),
        Some(version),
        apply(base, w),
        SaveAction::Save,
    )
    .await
    .map_err(|e| map_conflict(e, from_if_match))?;
    let out = load_out(state, &who.user, result.id).await?;
    Ok(article_response(actix_web::http::StatusCode::OK, out))
}

#[utoipa::path(put, path = "/api/v1/admin/articles/{id}", tag = "admin", request_body = ArticleWrite, params(("id" = i32, Path, description = "Article id")), security(("bearer" = [])),
    responses((status = 200, body = AdminArticleOut), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn put_article(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: ApiUser,
    id: web::Path<i32>,
    body: web::Json<ArticleWrite>,
) -> ApiResult<HttpResponse> {
    update(&state, &req, who, id.into_inner(), body.into_inner(), false).await
}

#[utoipa::path(patch, path = "/api/v1/admin/articles/{id}", tag = "admin", request_body = ArticleWrite, params(("id" = i32, Path, description = "Article id")), security(("bearer" = [])),
    responses((status = 200, body = AdminArticleOut), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn patch_article(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: ApiUser,
    id: web::Path<i32>,
    body: web::Json<ArticleWrite>,
) -> ApiResult<HttpResponse> {
    update(&state, &req, who, id.into_inner(), body.into_inner(), true).await
}

#[utoipa::path(post, path = "/api/v1/admin/articles/{id}/{action}", tag = "admin", request_body = StatusChange,
    params(("id" = i32, Path, description = "Article id"), ("action" = String, Path, description = "publish, unpublish, schedule or archive")), security(("bearer" = [])),
    responses((status = 200, body = AdminArticleOut), (status = 403, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn change_status(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: ApiUser,
    path: web::Path<(i32, String)>,
    body: Option<web::Json<StatusChange>>,
) -> ApiResult<HttpResponse> {
    who.require_write()?;
    let (id, action) = path.into_inner();
    let action = match action.as_str() {
        "publish" => SaveAction::Publish,
        "unpublish" => SaveAction::Unpublish,
        "schedule" => SaveAction::Schedule,
        "archive" => SaveAction::Archive,
        _ => return Err(ApiError::NotFound),
    };
    let body = body.map(|b| b.into_inner()).unwrap_or_default();
    let (version, from_if_match) = expected_version(&req, body.version)?;
    let user = who.user.clone();
    let input = state
        .db(move |conn| {
            let current = articles::find(conn, id)?;
            if !roles::can_view_article(&user, &current) {
                return Err(CoreError::Forbidden("not your article".into()));
            }
            let mut input = articles::save::load_input(conn, &current)?;
            if let Some(p) = body.published_at {
                input.published_at = Some(p.naive_utc());
            } else if action == SaveAction::Publish {
                // Publishing "now" unless a date was given: a stale future date would schedule instead.
                input.published_at = current.published_at.filter(|p| *p <= cms_core::time::now());
            }
            Ok(input)
        })
        .await?;
    let a = save_via_hooks(&state, &who.user, Some(id), Some(version), input, action)
        .await
        .map_err(|e| map_conflict(e, from_if_match))?;
    let out = load_out(&state, &who.user, a.id).await?;
    Ok(article_response(actix_web::http::StatusCode::OK, out))
}

#[utoipa::path(delete, path = "/api/v1/admin/articles/{id}", tag = "admin", params(("id" = i32, Path, description = "Article id")), security(("bearer" = [])),
    responses((status = 204, description = "Deleted"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem)))]
pub async fn delete_article(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: ApiUser,
    id: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    who.require_write()?;
    let id = id.into_inner();
    let if_match = match req.headers().get(header::IF_MATCH) {
        Some(_) => Some(expected_version(&req, None)?.0),
        None => None,
    };
    let user = who.user.clone();
    state
        .db(move |conn| {
            let a = articles::find(conn, id)?;
            if !roles::can_delete_article(&user, &a) {
                return Err(CoreError::Forbidden(
                    "you may not delete this article".into(),
                ));
            }
            if if_match.is_some_and(|v| v != a.version) {
                return Err(CoreError::Conflict(
                    "the article changed since you read it".into(),
                ));
            }
            Ok(())
        })
        .await
        .map_err(ApiError::from)
        .map_err(|e| map_conflict(e, true))?;
    crate::publishing::delete_article(&state, &who.user, id).await?;
    Ok(HttpResponse::NoContent().finish())
}
