//! Admin API categories: list, read, create, edit and delete.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use cms_core::categories;

use crate::api::auth::ApiUser;
use crate::api::dto::*;
use crate::api::problem::{ApiResult, Problem};
use crate::state::AppState;

#[utoipa::path(get, path = "/api/v1/admin/categories", tag = "admin", security(("bearer" = [])), responses((status = 200, body = CategoryList)))]
pub async fn list_categories(state: web::Data<AppState>, _who: ApiUser) -> ApiResult<HttpResponse> {
    let (cats, base) = state
        .db(|conn| {
            Ok((
                categories::list(conn)?,
                cms_core::settings::load(conn)?.base_url,
            ))
        })
        .await?;
    Ok(HttpResponse::Ok().json(CategoryList {
        data: cats.iter().map(|c| CategoryOut::from(c, &base)).collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/admin/categories/{id}", tag = "admin", params(("id" = i32, Path, description = "Category id")), security(("bearer" = [])),
    responses((status = 200, body = CategoryOut), (status = 404, body = Problem)))]
pub async fn get_category(
    state: web::Data<AppState>,
    _who: ApiUser,
    id: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let (c, base) = state
        .db(move |conn| {
            Ok((
                categories::find(conn, id)?,
                cms_core::settings::load(conn)?.base_url,
            ))
        })
        .await?;
    Ok(HttpResponse::Ok().json(CategoryOut::from(&c, &base)))
}

#[utoipa::path(post, path = "/api/v1/admin/categories", tag = "admin", request_body = CategoryWrite, security(("bearer" = [])),
    responses((status = 201, body = CategoryOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_category(
    state: web::Data<AppState>,
    who: ApiUser,
    body: web::Json<CategoryWrite>,
) -> ApiResult<HttpResponse> {
    who.require_write()?;
    let w = body.into_inner();
    let input = categories::CategoryInput {
        name: w.name.unwrap_or_default(),
        slug: w.slug.unwrap_or_default(),
        description: w.description.unwrap_or_default(),
    };
    let user = who.user;
    let (c, base) = state
        .db(move |conn| {
            Ok((
                categories::create(conn, &user, input)?,
                cms_core::settings::load(conn)?.base_url,
            ))
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/admin/categories/{}", c.id),
        ))
        .json(CategoryOut::from(&c, &base)))
}

#[utoipa::path(patch, path = "/api/v1/admin/categories/{id}", tag = "admin", request_body = CategoryWrite, params(("id" = i32, Path, description = "Category id")), security(("bearer" = [])),
    responses((status = 200, body = CategoryOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn patch_category(
    state: web::Data<AppState>,
    who: ApiUser,
    id: web::Path<i32>,
    body: web::Json<CategoryWrite>,
) -> ApiResult<HttpResponse> {
    who.require_write()?;
    let (id, w, user) = (id.into_inner(), body.into_inner(), who.user);
    let (c, base) = state
        .db(move |conn| {
            let cur = categories::find(conn, id)?;
            let input = categories::CategoryInput {
                name: w.name.unwrap_or(cur.name),
                slug: w.slug.unwrap_or(cur.slug),
                description: w.description.unwrap_or(cur.description),
            };
            Ok((
                categories::update(conn, &user, id, input)?,
                cms_core::settings::load(conn)?.base_url,
            ))
        })
        .await?;
    Ok(HttpResponse::Ok().json(CategoryOut::from(&c, &base)))
}

#[utoipa::path(delete, path = "/api/v1/admin/categories/{id}", tag = "admin", params(("id" = i32, Path, description = "Category id")), security(("bearer" = [])),
    responses((status = 204, description = "Deleted; its articles keep existing without a category"), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_category(
    state: web::Data<AppState>,
    who: ApiUser,
    id: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    who.require_write()?;
    let (id, user) = (id.into_inner(), who.user);
    state
        .db(move |conn| categories::delete(conn, &user, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
