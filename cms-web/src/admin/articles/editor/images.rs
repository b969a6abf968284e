//! The editor's image actions: "Insert image" and the inline upload, both
//! re-rendering the editor unsaved with the image in place.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use cms_core::{media, FieldErrors};

use super::{context, layout, page_title, tz_of};
use crate::admin::articles::form::EditorForm;
use crate::admin::articles::view::EditorPage;
use crate::auth::Authed;
use crate::error::WebResult;
use crate::render;
use crate::state::AppState;

/// Re-renders the editor after an image action (nothing saved yet).
async fn show(
    state: &AppState,
    req: &HttpRequest,
    authed: &Authed,
    id: Option<i32>,
    form: &EditorForm,
    errors: FieldErrors,
    notice: String,
) -> WebResult<HttpResponse> {
    let ctx = context(state, authed, id, form, false).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = EditorPage::build(
        layout(&ctx, req, authed, &page_title(form, id)),
        &ctx,
        form,
        errors,
        notice,
        false,
    );
    render::admin_status(req, &page, status)
}

/// "Insert image": appends the chosen image's Markdown to the chosen section.
pub(super) async fn insert_image(
    state: &AppState,
    req: &HttpRequest,
    authed: &Authed,
    id: Option<i32>,
    mut form: EditorForm,
) -> WebResult<HttpResponse> {
    let Some(mid) = form.insert_media_id else {
        let mut errors = FieldErrors::default();
        errors.add("insert_media_id", "Choose an image to insert.");
        return show(
            state,
            req,
            authed,
            id,
            &form,
            errors,
            "No image inserted.".into(),
        )
        .await;
    };
    let found = state
        .db(move |conn| Ok(media::find_many(conn, &[mid])?.into_iter().next()))
        .await?;
    let Some(m) = found else {
        let mut errors = FieldErrors::default();
        errors.add(
            "insert_media_id",
            "That image is no longer in the media library.",
        );
        return show(
            state,
            req,
            authed,
            id,
            &form,
            errors,
            "No image inserted.".into(),
        )
        .await;
    };
    let n = form.append_to_section(form.insert_section, &m.markdown());
    show(
        state,
        req,
        authed,
        id,
        &form,
        FieldErrors::default(),
        format!("Image added to the end of section {n}. Not saved yet."),
    )
    .await
}

pub async fn new_upload(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    payload: web::Payload,
) -> WebResult<HttpResponse> {
    upload_submit(state, req, authed, None, payload).await
}

pub async fn edit_upload(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    path: web::Path<i32>,
    payload: web::Payload,
) -> WebResult<HttpResponse> {
    upload_submit(state, req, authed, Some(path.into_inner()), payload).await
}

/// The editor's inline upload: the whole editor form arrives as multipart
/// (the Upload button's `formenctype`), so nothing typed is lost. The image
/// goes into the library, then becomes the cover or is appended to a
/// section, and the editor comes back unsaved with it in place.
async fn upload_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    id: Option<i32>,
    payload: web::Payload,
) -> WebResult<HttpResponse> {
    let up = crate::media::upload::read(&state, &req, payload).await?;
    authed.check_csrf(&up.fields)?;
    let tz = tz_of(&state).await?;
    let (mut form, _) = EditorForm::parse(&up.fields, tz);
    let target = up.fields.get("upload_target").to_owned();
    match crate::media::upload::store(&state, &authed.user, up.file, &form.upload_alt).await {
        Ok(done) => {
            form.upload_alt.clear();
            let notice = match target
                .strip_prefix("section:")
                .and_then(|i| i.parse::<usize>().ok())
            {
                Some(i) => {
                    let n = form.append_to_section(Some(i), &done.media.markdown());
                    format!("Image uploaded and added to the end of section {n}. Not saved yet.")
                }
                None => {
                    form.input.cover_media_id = Some(done.media.id);
                    "Image uploaded and chosen as the cover. Not saved yet.".to_owned()
                }
            };
            show(
                &state,
                &req,
                &authed,
                id,
                &form,
                FieldErrors::default(),
                notice,
            )
            .await
        }
        Err(e) => match crate::media::upload::field_errors(&e) {
            Some(errs) => {
                // The editor's upload fields are `upload_file` and `upload_alt`.
                let mut errors = FieldErrors::default();
                for fe in errs.0 {
                    errors.add(format!("upload_{}", fe.field), fe.message);
                }
                show(
                    &state,
                    &req,
                    &authed,
                    id,
                    &form,
                    errors,
                    "The image was not uploaded; nothing else has changed.".into(),
                )
                .await
            }
            None => Err(e),
        },
    }
}
