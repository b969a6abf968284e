//! `/admin/media`: the media library — a grid of images, an upload form
//! (alt text required), each image's page (variants, where it is used, alt
//! text), and deletion with a confirmation, refused while an article uses it.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use cms_core::media::{self, process, Media, Usage};
use cms_core::{roles, CoreError, FieldErrors};

use crate::auth::Authed;
use crate::error::{WebError, WebResult};
use crate::forms::FormData;
use crate::layout::{AdminLayout, AdminNav};
use crate::media::upload;
use crate::render;
use crate::state::AppState;
use crate::util;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/admin/media")
            .route(web::get().to(library))
            .route(web::post().to(upload_submit)),
    )
    .service(
        web::resource("/admin/media/{id}")
            .route(web::get().to(detail))
            .route(web::post().to(update_alt)),
    )
    .service(
        web::resource("/admin/media/{id}/delete")
            .route(web::get().to(delete_confirm))
            .route(web::post().to(delete_submit)),
    );
}

const PER_PAGE: i64 = 24;
const ACCEPT: &str = "image/jpeg,image/png,image/webp,image/gif";

fn parse_id(raw: &str) -> WebResult<i32> {
    raw.parse().map_err(|_| WebError::NotFound)
}

/// One image in the grid.
struct Tile {
    id: i32,
    thumb: String,
    width: i32,
    height: i32,
    alt: String,
    name: String,
    meta: String,
}

impl Tile {
    fn new(m: &Media) -> Self {
        let thumb = m.thumbnail();
        Tile {
            id: m.id,
            thumb: thumb.map(|v| v.path()).unwrap_or_default(),
            width: thumb.map_or(m.width, |v| v.width as i32),
            height: thumb.map_or(m.height, |v| v.height as i32),
            alt: m.alt.clone(),
            name: m.original_name.clone(),
            meta: format!(
                "{} × {} · {}",
                m.width,
                m.height,
                process::human_bytes(m.bytes.max(0) as u64)
            ),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/media.html")]
struct LibraryPage {
    layout: AdminLayout,
    tiles: Vec<Tile>,
    total: i64,
    page: i64,
    prev: Option<String>,
    next: Option<String>,
    /// The upload form as typed (the alt text survives an error).
    alt: String,
    errors: FieldErrors,
    accept: &'static str,
    limit: String,
}

impl LibraryPage {
    fn err(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

fn page_of(req: &HttpRequest) -> i64 {
    web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.get("page").and_then(|p| p.parse::<i64>().ok()))
        .filter(|p| (1..=100_000).contains(p))
        .unwrap_or(1)
}

async fn library_page(
    state: &AppState,
    req: &HttpRequest,
    authed: &Authed,
    alt: String,
    errors: FieldErrors,
) -> WebResult<LibraryPage> {
    let page = page_of(req);
    let list = state
        .db(move |conn| media::list(conn, page, PER_PAGE))
        .await?;
    Ok(LibraryPage {
        layout: AdminLayout::load(state, req, authed, AdminNav::Media, "Media library").await?,
        tiles: list.items.iter().map(Tile::new).collect(),
        total: list.total,
        page: list.page,
        prev: (list.page > 1).then(|| format!("/admin/media?page={}", list.page - 1)),
        next: list
            .has_next()
            .then(|| format!("/admin/media?page={}", list.page + 1)),
        alt,
        errors,
        accept: ACCEPT,
        limit: process::human_bytes(state.config.max_upload_bytes as u64),
    })
}

async fn library(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
) -> WebResult<HttpResponse> {
    let page = library_page(&state, &req, &authed, String::new(), FieldErrors::default()).await?;
    render::admin(&req, &page)
}

/// `POST /admin/media` (multipart: `csrf_token`, `alt`, `file`).
async fn upload_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    payload: web::Payload,
) -> WebResult<HttpResponse> {
    let form = upload::read(&state, &req, payload).await?;
    authed.check_csrf(&form.fields)?;
    authed.require(roles::can_upload_media(&authed.user))?;
    let alt = form.fields.get("alt").to_owned();
    match upload::store(&state, &authed.user, form.file, &alt).await {
        Ok(done) => {
            let msg = if done.created {
                "Uploaded. The image is ready to use as a cover or in an article's text."
            } else {
                "This image was already in the library; here it is."
            };
            Ok(render::redirect_flash(
                &format!("/admin/media/{}", done.media.id),
                "success",
                msg,
            ))
        }
        Err(e) => match upload::field_errors(&e) {
            Some(errors) => {
                let page = library_page(&state, &req, &authed, alt, errors).await?;
                render::admin_status(&req, &page, StatusCode::UNPROCESSABLE_ENTITY)
            }
            None => Err(e),
        },
    }
}

/// A variant as listed on an image's page.
struct VariantRow {
    url: String,
    label: String,
}

#[derive(Template)]
#[template(path = "admin/media_edit.html")]
struct DetailPage {
    layout: AdminLayout,
    id: i32,
    preview: Option<crate::media::ImageView>,
    name: String,
    meta: String,
    uploaded: String,
    variants: Vec<VariantRow>,
    markdown: String,
    usage: Usage,
    alt: String,
    can_manage: bool,
    errors: FieldErrors,
}

impl DetailPage {
    fn err(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

async fn detail_page(
    state: &AppState,
    req: &HttpRequest,
    authed: &Authed,
    id: i32,
    alt: Option<String>,
    errors: FieldErrors,
) -> WebResult<DetailPage> {
    let (m, usage, tz) = state
        .db(move |conn| {
            let m = media::find(conn, id)?;
            let usage = media::usage(conn, &m)?;
            Ok((m, usage, cms_core::settings::load(conn)?.tz()))
        })
        .await?;
    let layout = AdminLayout::load(
        state,
        req,
        authed,
        AdminNav::Media,
        format!("Image: {}", m.original_name),
    )
    .await?;
    Ok(DetailPage {
        layout,
        id: m.id,
        preview: crate::media::ImageView::new(&m, crate::media::view::COVER_SIZES),
        name: m.original_name.clone(),
        meta: format!(
            "{} × {} pixels · {} · {}",
            m.width,
            m.height,
            m.mime,
            process::human_bytes(m.bytes.max(0) as u64)
        ),
        uploaded: util::date_time(m.created_at, tz),
        variants: m
            .variants
            .iter()
            .map(|v| VariantRow {
                url: v.path(),
                label: format!(
                    "{} × {} {} · {}",
                    v.width,
                    v.height,
                    v.mime,
                    process::human_bytes(v.bytes)
                ),
            })
            .collect(),
        markdown: m.markdown(),
        usage,
        can_manage: roles::can_manage_media(&authed.user, m.uploader_id),
        alt: alt.unwrap_or_else(|| m.alt.clone()),
        errors,
    })
}

async fn detail(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    let id = parse_id(&id)?;
    let page = detail_page(&state, &req, &authed, id, None, FieldErrors::default()).await?;
    render::admin(&req, &page)
}

/// `POST /admin/media/{id}`: new alt text.
async fn update_alt(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    id: web::Path<String>,
    form: FormData,
) -> WebResult<HttpResponse> {
    authed.check_csrf(&form)?;
    let id = parse_id(&id)?;
    let alt = form.get("alt").to_owned();
    let (user, typed) = (authed.user.clone(), alt.clone());
    match state
        .db(move |conn| media::update_alt(conn, &user, id, &typed))
        .await
    {
        Ok(_) => Ok(render::redirect_flash(
            &format!("/admin/media/{id}"),
            "success",
            "Alt text saved.",
        )),
        Err(WebError::Core(CoreError::Validation(errors))) => {
            let page = detail_page(&state, &req, &authed, id, Some(alt), errors).await?;
            render::admin_status(&req, &page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "admin/media_delete.html")]
struct DeletePage {
    layout: AdminLayout,
    id: i32,
    thumb: String,
    alt: String,
    name: String,
    usage: Usage,
    /// Set when a delete was just refused.
    problem: String,
}

async fn delete_page(
    state: &AppState,
    req: &HttpRequest,
    authed: &Authed,
    id: i32,
    problem: String,
) -> WebResult<DeletePage> {
    let (m, usage) = state
        .db(move |conn| {
            let m = media::find(conn, id)?;
            let usage = media::usage(conn, &m)?;
            Ok((m, usage))
        })
        .await?;
    authed.require(roles::can_manage_media(&authed.user, m.uploader_id))?;
    Ok(DeletePage {
        layout: AdminLayout::load(state, req, authed, AdminNav::Media, "Delete image").await?,
        id: m.id,
        thumb: m.thumbnail().map(|v| v.path()).unwrap_or_default(),
        alt: m.alt.clone(),
        name: m.original_name.clone(),
        usage,
        problem,
    })
}

async fn delete_confirm(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    let id = parse_id(&id)?;
    let page = delete_page(&state, &req, &authed, id, String::new()).await?;
    render::admin(&req, &page)
}

async fn delete_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    id: web::Path<String>,
    form: FormData,
) -> WebResult<HttpResponse> {
    authed.check_csrf(&form)?;
    let id = parse_id(&id)?;
    let (user, storage) = (authed.user.clone(), state.media.clone());
    match state
        .db(move |conn| media::delete(conn, storage.as_ref(), &user, id))
        .await
    {
        Ok(m) => Ok(render::redirect_flash(
            "/admin/media",
            "success",
            &format!("Deleted the image “{}”.", m.original_name),
        )),
        Err(WebError::Core(CoreError::Conflict(msg))) => {
            let page = delete_page(&state, &req, &authed, id, msg).await?;
            render::admin_status(&req, &page, StatusCode::CONFLICT)
        }
        Err(e) => Err(e),
    }
}
