//! Admin API: the media library. Uploads are `multipart/form-data` with the
//! fields `file` and `alt`; the same checks as the admin panel apply (type by
//! content, byte and pixel limits), refusals are problem+json 413/415/422.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use cms_core::media;
use serde::Deserialize;
use utoipa::IntoParams;

use super::auth::ApiUser;
use super::dto::{AdminPageMeta, MediaList, MediaOut, MediaWrite};
use super::problem::{ApiError, ApiResult, Problem};
use crate::error::WebError;
use crate::media::upload;
use crate::state::AppState;

async fn base_url(state: &AppState) -> ApiResult<String> {
    let s = state.db(cms_core::settings::load).await?;
    Ok(s.base_url.trim_end_matches('/').to_owned())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MediaListParams {
    /// From 1.
    pub page: Option<i64>,
    /// 1–100, default 25.
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/admin/media", tag = "admin", params(MediaListParams), security(("bearer" = [])),
    responses((status = 200, body = MediaList), (status = 401, body = Problem)))]
pub async fn list_media(
    state: web::Data<AppState>,
    _who: ApiUser,
    p: web::Query<MediaListParams>,
) -> ApiResult<HttpResponse> {
    let limit = p.limit.unwrap_or(25);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::BadRequest("limit: expected 1 to 100".into()));
    }
    let page = p.page.unwrap_or(1).max(1);
    let list = state.db(move |conn| media::list(conn, page, limit)).await?;
    let base = base_url(&state).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(MediaList {
            data: list
                .items
                .iter()
                .map(|m| MediaOut::from(m, &base))
                .collect(),
            meta: AdminPageMeta {
                page: list.page,
                limit,
                total: list.total,
            },
        }))
}

#[utoipa::path(post, path = "/api/v1/admin/media", tag = "admin", request_body(content = super::dto::MediaUpload, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 201, body = MediaOut, description = "Stored; `Location` names the new image"),
        (status = 200, body = MediaOut, description = "The same file was already in the library; that image is returned unchanged"),
        (status = 403, body = Problem),
        (status = 413, body = Problem, description = "Over `max_upload_bytes`"),
        (status = 415, body = Problem, description = "Not JPEG, PNG, WebP or GIF by content, or not multipart/form-data"),
        (status = 422, body = Problem, description = "Missing alt text or file, too many pixels, too long a side, or a damaged file")))]
pub async fn upload_media(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: ApiUser,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    who.require_write()?;
    if !cms_core::roles::can_upload_media(&who.user) {
        return Err(ApiError::Forbidden(
            "your role may not upload images".into(),
        ));
    }
    let form = upload::read(&state, &req, payload)
        .await
        .map_err(|e| match e {
            WebError::UnsupportedMediaType => ApiError::Media(media::MediaError::Unsupported(
                "Send the image as multipart/form-data with the fields `file` and `alt`.".into(),
            )),
            other => other.into(),
        })?;
    let alt = form.fields.get("alt").to_owned();
    let done = upload::store(&state, &who.user, form.file, &alt).await?;
    let out = MediaOut::from(&done.media, &base_url(&state).await?);
    let mut resp = if done.created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    resp.insert_header((header::LOCATION, format!("/api/v1/admin/media/{}", out.id)))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    Ok(resp.json(out))
}

#[utoipa::path(get, path = "/api/v1/admin/media/{id}", tag = "admin", params(("id" = i32, Path, description = "Image id")), security(("bearer" = [])),
    responses((status = 200, body = MediaOut), (status = 404, body = Problem)))]
pub async fn get_media(
    state: web::Data<AppState>,
    _who: ApiUser,
    id: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let m = state.db(move |conn| media::find(conn, id)).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(MediaOut::from(&m, &base_url(&state).await?)))
}

#[utoipa::path(patch, path = "/api/v1/admin/media/{id}", tag = "admin", request_body = MediaWrite, params(("id" = i32, Path, description = "Image id")),
    security(("bearer" = [])),
    responses((status = 200, body = MediaOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn patch_media(
    state: web::Data<AppState>,
    who: ApiUser,
    id: web::Path<i32>,
    body: web::Json<MediaWrite>,
) -> ApiResult<HttpResponse> {
    who.require_write()?;
    let (id, user, w) = (id.into_inner(), who.user, body.into_inner());
    let m = state
        .db(move |conn| match w.alt {
            Some(alt) => media::update_alt(conn, &user, id, &alt),
            None => media::find(conn, id),
        })
        .await?;
    Ok(HttpResponse::Ok().json(MediaOut::from(&m, &base_url(&state).await?)))
}

#[utoipa::path(delete, path = "/api/v1/admin/media/{id}", tag = "admin", params(("id" = i32, Path, description = "Image id")), security(("bearer" = [])),
    responses((status = 204, description = "Deleted with all its files"), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "An article uses it (as its cover or in its text)")))]
pub async fn delete_media(
    state: web::Data<AppState>,
    who: ApiUser,
    id: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    who.require_write()?;
    let (id, user, storage) = (id.into_inner(), who.user, state.media.clone());
    state
        .db(move |conn| media::delete(conn, storage.as_ref(), &user, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
