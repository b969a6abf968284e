//! The article list (filters, search, pagination) and deletion.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use cms_core::articles::admin::{self, AdminFilter};
use cms_core::articles::{self, Status};
use cms_core::{categories, roles, settings, users, CoreError};
use serde::Deserialize;

use super::view::Choice;
use crate::admin::dashboard::RowView;
use crate::auth::Authed;
use crate::error::WebResult;
use crate::forms::FormData;
use crate::layout::{AdminLayout, AdminNav};
use crate::render;
use crate::state::AppState;
use crate::util::urlencode;

const PER_PAGE: i64 = 25;

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    status: Option<String>,
    category: Option<String>,
    author: Option<String>,
    q: Option<String>,
    page: Option<String>,
}

pub struct StatusChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "admin/article_list.html")]
struct ListPage {
    layout: AdminLayout,
    rows: Vec<RowView>,
    statuses: Vec<StatusChoice>,
    categories: Vec<Choice>,
    authors: Vec<Choice>,
    q: String,
    total: i64,
    page: i64,
    page_count: i64,
    prev_url: String,
    next_url: String,
    filtered: bool,
}

fn id_param(v: &Option<String>) -> Option<i32> {
    v.as_deref().and_then(|s| s.trim().parse().ok())
}

pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    q: web::Query<ListQuery>,
) -> WebResult<HttpResponse> {
    let q = q.into_inner();
    let filter = AdminFilter {
        status: q.status.as_deref().and_then(Status::parse),
        category_id: id_param(&q.category),
        author_id: id_param(&q.author),
        title_query: q.q.clone().filter(|s| !s.trim().is_empty()),
    };
    let page = q
        .page
        .as_deref()
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .max(1);
    let user = authed.user.clone();
    let f = filter.clone();
    let (site, result, cats, authors) = state
        .db(move |conn| {
            let authors = if roles::edits_all_articles(&user) {
                users::list(conn)?
            } else {
                Vec::new()
            };
            Ok((
                settings::load(conn)?,
                admin::list(conn, &user, &f, page, PER_PAGE)?,
                categories::list(conn)?,
                authors,
            ))
        })
        .await?;
    let tz = site.tz();
    let base = {
        let mut parts = Vec::new();
        if let Some(s) = filter.status {
            parts.push(format!("status={}", s.as_str()));
        }
        if let Some(c) = filter.category_id {
            parts.push(format!("category={c}"));
        }
        if let Some(a) = filter.author_id {
            parts.push(format!("author={a}"));
        }
        if let Some(t) = &filter.title_query {
            parts.push(format!("q={}", urlencode(t)));
        }
        parts.join("&")
    };
    let link = |p: i64| {
        if base.is_empty() {
            format!("/admin/articles?page={p}")
        } else {
            format!("/admin/articles?{base}&page={p}")
        }
    };
    let page_count = result.page_count();
    let listing = ListPage {
        layout: AdminLayout::with_site(&site.title, &req, &authed, AdminNav::Articles, "Articles"),
        rows: result
            .rows
            .iter()
            .map(|r| RowView::from_row(r, tz))
            .collect(),
        statuses: Status::ALL
            .iter()
            .map(|s| StatusChoice {
                value: s.as_str(),
                label: s.label(),
                selected: filter.status == Some(*s),
            })
            .collect(),
        categories: cats
            .iter()
            .map(|c| Choice {
                id: c.id,
                name: c.name.clone(),
                selected: filter.category_id == Some(c.id),
            })
            .collect(),
        authors: authors
            .iter()
            .map(|u| Choice {
                id: u.id,
                name: u.display_name.clone(),
                selected: filter.author_id == Some(u.id),
            })
            .collect(),
        q: q.q.unwrap_or_default(),
        total: result.total,
        page: result.page,
        page_count,
        prev_url: if page > 1 {
            link(page - 1)
        } else {
            String::new()
        },
        next_url: if page < page_count {
            link(page + 1)
        } else {
            String::new()
        },
        filtered: !base.is_empty(),
    };
    render::admin(&req, &listing)
}

#[derive(Template)]
#[template(path = "admin/article_delete.html")]
struct DeletePage {
    layout: AdminLayout,
    id: i32,
    title: String,
    is_public: bool,
}

pub async fn delete_confirm(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    path: web::Path<i32>,
) -> WebResult<HttpResponse> {
    let id = path.into_inner();
    let user = authed.user.clone();
    let (site, article) = state
        .db(move |conn| {
            let a = articles::find(conn, id)?;
            if !roles::can_delete_article(&user, &a) {
                return Err(CoreError::Forbidden(
                    "you may not delete this article".into(),
                ));
            }
            Ok((settings::load(conn)?, a))
        })
        .await?;
    let page = DeletePage {
        layout: AdminLayout::with_site(
            &site.title,
            &req,
            &authed,
            AdminNav::Articles,
            "Delete article",
        ),
        id,
        is_public: article.is_public(),
        title: article.title,
    };
    render::admin(&req, &page)
}

pub async fn delete_submit(
    state: web::Data<AppState>,
    authed: Authed,
    path: web::Path<i32>,
    form: FormData,
) -> WebResult<HttpResponse> {
    authed.check_csrf(&form)?;
    let id = path.into_inner();
    let deleted = crate::publishing::delete_article(&state, &authed.user, id).await?;
    Ok(render::redirect_flash(
        "/admin/articles",
        "success",
        &format!("Deleted “{}”.", deleted.title),
    ))
}
