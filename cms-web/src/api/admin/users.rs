//! Admin API users (administrators only): list, read, create, edit and delete.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use cms_core::users::{self, NewUserInput, ProfileInput};
use cms_core::{roles, CoreError};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::auth::ApiUser;
use crate::api::dto::*;
use crate::api::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;

fn require_admin(who: &ApiUser) -> ApiResult<()> {
    if roles::can_manage_users(&who.user) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only administrators manage users".into(),
        ))
    }
}

#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin", security(("bearer" = [])), responses((status = 200, body = UserList), (status = 403, body = Problem)))]
pub async fn list_users(state: web::Data<AppState>, who: ApiUser) -> ApiResult<HttpResponse> {
    require_admin(&who)?;
    let list = state.db(users::list).await?;
    Ok(HttpResponse::Ok().json(UserList {
        data: list.iter().map(UserOut::from).collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/admin/users/{id}", tag = "admin", params(("id" = i32, Path, description = "User id")), security(("bearer" = [])),
    responses((status = 200, body = UserOut), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_user(
    state: web::Data<AppState>,
    who: ApiUser,
    id: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    require_admin(&who)?;
    let id = id.into_inner();
    let u = state.db(move |conn| users::find(conn, id)).await?;
    Ok(HttpResponse::Ok().json(UserOut::from(&u)))
}

#[utoipa::path(post, path = "/api/v1/admin/users", tag = "admin", request_body = UserWrite, security(("bearer" = [])),
    responses((status = 201, body = UserOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_user(
    state: web::Data<AppState>,
    who: ApiUser,
    body: web::Json<UserWrite>,
) -> ApiResult<HttpResponse> {
    who.require_write()?;
    require_admin(&who)?;
    let w = body.into_inner();
    let input = NewUserInput {
        email: w.email.unwrap_or_default(),
        display_name: w.name.unwrap_or_default(),
        slug: w.slug.unwrap_or_default(),
        bio: w.bio.unwrap_or_default(),
        role: w.role.unwrap_or_default(),
        password: w.password,
    };
    let u = state.db(move |conn| users::create(conn, input)).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/admin/users/{}", u.id)))
        .json(UserOut::from(&u)))
}

#[utoipa::path(patch, path = "/api/v1/admin/users/{id}", tag = "admin", request_body = UserWrite, params(("id" = i32, Path, description = "User id")), security(("bearer" = [])),
    responses((status = 200, body = UserOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn patch_user(
    state: web::Data<AppState>,
    who: ApiUser,
    id: web::Path<i32>,
    body: web::Json<UserWrite>,
) -> ApiResult<HttpResponse> {
    who.require_write()?;
    require_admin(&who)?;
    let (id, w) = (id.into_inner(), body.into_inner());
    if w.password.is_some() {
        return Err(ApiError::Validation(vec![cms_core::FieldError::new(
            "password",
            "Passwords are changed in the admin panel or with `gazette user reset-password`.",
        )]));
    }
    let u = state
        .db(move |conn| {
            let cur = users::find(conn, id)?;
            let role = match w.role.as_deref() {
                Some(r) => Some(roles::Role::parse(r).ok_or_else(|| {
                    CoreError::invalid(
                        "role",
                        "Choose administrator, editor, author or contributor.",
                    )
                })?),
                None => None,
            };
            let profile = ProfileInput {
                email: w.email.unwrap_or(cur.email),
                display_name: w.name.unwrap_or(cur.display_name),
                slug: w.slug.unwrap_or(cur.slug),
                bio: w.bio.unwrap_or(cur.bio),
            };
            users::update_profile(conn, id, profile)?;
            match role {
                Some(r) => users::set_role(conn, id, r),
                None => users::find(conn, id),
            }
        })
        .await?;
    Ok(HttpResponse::Ok().json(UserOut::from(&u)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeleteUserParams {
    /// Who receives the deleted user's articles (default: you).
    pub reassign_to: Option<i32>,
}

#[utoipa::path(delete, path = "/api/v1/admin/users/{id}", tag = "admin", params(("id" = i32, Path, description = "User id"), DeleteUserParams), security(("bearer" = [])),
    responses((status = 204, description = "Deleted"), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn delete_user(
    state: web::Data<AppState>,
    who: ApiUser,
    id: web::Path<i32>,
    q: web::Query<DeleteUserParams>,
) -> ApiResult<HttpResponse> {
    who.require_write()?;
    require_admin(&who)?;
    let (id, user) = (id.into_inner(), who.user);
    let heir = q.reassign_to.unwrap_or(user.id);
    state
        .db(move |conn| users::delete(conn, &user, id, heir))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
