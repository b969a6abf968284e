//! The article editor: create, edit, the form-only editing actions, preview,
//! and the conflict page when someone else saved first.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use cms_core::articles::{self, admin, public, ArticleInput, SaveAction, Status};
use cms_core::{categories, media, roles, settings, users, CoreError, FieldErrors};

use super::form::{Action, EditorForm};
use super::view::{ConflictPage, EditorContext, EditorPage, VersionView};
use crate::auth::Authed;
use crate::error::{WebError, WebResult};
use crate::forms::FormData;
use crate::hooks::SaveVerdict;
use crate::layout::{AdminLayout, AdminNav};
use crate::publishing::Saved;
use crate::render;
use crate::state::AppState;
use crate::util;

/// Images offered by the cover picker and "Insert image".
const RECENT_MEDIA: i64 = 12;

/// Loads what the editor shows around the form. `id`: the article being edited.
async fn context(
    state: &AppState,
    authed: &Authed,
    id: Option<i32>,
    form: &EditorForm,
    search: bool,
) -> WebResult<EditorContext> {
    let user = authed.user.clone();
    let target_ids: Vec<i32> = form
        .input
        .links
        .iter()
        .filter_map(|l| l.target_article_id)
        .collect();
    let query = if search {
        form.link_query.clone()
    } else {
        String::new()
    };
    let cover_id = form.input.cover_media_id;
    state
        .db(move |conn| {
            let site = settings::load(conn)?;
            let current = id.map(|i| articles::find(conn, i)).transpose()?;
            if let Some(a) = &current {
                if !roles::can_view_article(&user, a) {
                    return Err(CoreError::Forbidden("not your article".into()));
                }
            }
            let targets_raw = articles::find_many(conn, &target_ids)?;
            let targets_status = targets_raw.iter().map(|a| (a.id, a.status())).collect();
            let targets = public::cards(conn, targets_raw)?;
            let results = if query.trim().is_empty() {
                Vec::new()
            } else {
                admin::search_titles(conn, &query, id, 10)?
            };
            let authors = if roles::can_assign_author(&user) {
                users::list(conn)?
            } else {
                Vec::new()
            };
            let author_id = current.as_ref().map_or(user.id, |a| a.author_id);
            let (can_edit, can_delete) = match &current {
                Some(a) => (
                    roles::can_edit_article(&user, a),
                    roles::can_delete_article(&user, a),
                ),
                None => (true, false),
            };
            Ok(EditorContext {
                site_title: site.title.clone(),
                tz: site.tz(),
                categories: categories::list(conn)?,
                authors,
                targets,
                targets_status,
                results,
                can_edit,
                can_publish: roles::can_publish(&user, author_id),
                can_delete,
                revision_count: match id {
                    Some(i) => cms_core::revisions::count(conn, i)?,
                    None => 0,
                },
                recent_media: media::recent(conn, RECENT_MEDIA)?,
                cover: articles::cover_of(conn, cover_id)?,
                current,
            })
        })
        .await
}

fn layout(ctx: &EditorContext, req: &HttpRequest, authed: &Authed, title: &str) -> AdminLayout {
    AdminLayout::with_site(&ctx.site_title, req, authed, AdminNav::Articles, title)
}

fn page_title(form: &EditorForm, id: Option<i32>) -> String {
    match (id, form.input.title.trim()) {
        (None, _) => "New article".into(),
        (Some(_), "") => "Edit article".into(),
        (Some(_), t) => format!("Edit: {t}"),
    }
}

async fn tz_of(state: &AppState) -> WebResult<chrono_tz::Tz> {
    Ok(state.db(settings::load).await?.tz())
}

/// The stored article as an editor form.
fn form_from(input: ArticleInput, version: i32, tz: chrono_tz::Tz) -> EditorForm {
    EditorForm {
        published_at_raw: input
            .published_at
            .map(|t| util::datetime_local(t, tz))
            .unwrap_or_default(),
        input,
        version: Some(version),
        ..EditorForm::default()
    }
}

pub async fn new_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
) -> WebResult<HttpResponse> {
    let mut form = EditorForm::default();
    form.input.sections.push(Default::default());
    let ctx = context(&state, &authed, None, &form, false).await?;
    let page = EditorPage::build(
        layout(&ctx, &req, &authed, "New article"),
        &ctx,
        &form,
        FieldErrors::default(),
        String::new(),
        false,
    );
    render::admin(&req, &page)
}

pub async fn edit_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    path: web::Path<i32>,
) -> WebResult<HttpResponse> {
    let id = path.into_inner();
    let user = authed.user.clone();
    let (input, version, tz) = state
        .db(move |conn| {
            let a = articles::find(conn, id)?;
            if !roles::can_view_article(&user, &a) {
                return Err(CoreError::Forbidden("not your article".into()));
            }
            Ok((
                articles::save::load_input(conn, &a)?,
                a.version,
                settings::load(conn)?.tz(),
            ))
        })
        .await?;
    let form = form_from(input, version, tz);
    let ctx = context(&state, &authed, Some(id), &form, false).await?;
    let notice = if ctx.can_edit {
        String::new()
    } else {
        "This article has left the draft stage, so your role can no longer change it. Ask an editor for changes.".into()
    };
    let page = EditorPage::build(
        layout(&ctx, &req, &authed, &page_title(&form, Some(id))),
        &ctx,
        &form,
        FieldErrors::default(),
        notice,
        false,
    );
    render::admin(&req, &page)
}

pub async fn new_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    form: FormData,
) -> WebResult<HttpResponse> {
    submit(state, req, authed, None, form).await
}

pub async fn edit_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    path: web::Path<i32>,
    form: FormData,
) -> WebResult<HttpResponse> {
    submit(state, req, authed, Some(path.into_inner()), form).await
}

async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    id: Option<i32>,
    raw: FormData,
) -> WebResult<HttpResponse> {
    authed.check_csrf(&raw)?;
    let tz = tz_of(&state).await?;
    let (mut form, date_error) = EditorForm::parse(&raw, tz);
    // Pressing Enter in a text field submits without a button: that means "save".
    let action = match raw.opt("action") {
        None | Some("") => Action::Save(SaveAction::Save),
        Some(a) => Action::parse(a)
            .ok_or_else(|| WebError::BadRequest(format!("unknown editor action `{a}`")))?,
    };

    if form.apply_edit(action) {
        let search = matches!(action, Action::SearchLinks);
        let ctx = context(&state, &authed, id, &form, search).await?;
        let notice = if action == Action::Merge {
            "Your version is open below, on top of the latest saved version. Merge what you need, then save.".to_owned()
        } else {
            "Not saved yet.".to_owned()
        };
        let page = EditorPage::build(
            layout(&ctx, &req, &authed, &page_title(&form, id)),
            &ctx,
            &form,
            FieldErrors::default(),
            notice,
            search,
        );
        return render::admin(&req, &page);
    }

    if action == Action::InsertImage {
        return insert_image(&state, &req, &authed, id, form).await;
    }

    if action == Action::Preview {
        let user = authed.user.clone();
        let input = form.input.clone();
        let full = state
            .db(move |conn| articles::preview(conn, &user, id, &input))
            .await?;
        return crate::public::article::preview(&state, full).await;
    }

    let Action::Save(save_action) = action else {
        return Err(WebError::BadRequest("unsupported action".into()));
    };
    if let Some(msg) = date_error {
        let mut errors = FieldErrors::default();
        errors.add("published_at", msg);
        return rerender(&state, &req, &authed, id, &form, errors).await;
    }
    let user = authed.user.clone();
    let input = form.input.clone();
    let expected = if id.is_some() { form.version } else { None };
    if id.is_some() && expected.is_none() {
        return Err(WebError::BadRequest(
            "the form has no version; reload the editor".into(),
        ));
    }
    // Plugins' article_before_save may reject (nothing is saved; the message
    // shows in the form) or amend the input; after_publish observes.
    let result = match crate::publishing::save_article(
        &state,
        &user,
        id,
        expected,
        input,
        save_action,
    )
    .await
    {
        Ok(Saved::Done(article)) => Ok(article),
        Ok(Saved::Rejected { message, field }) => {
            let mut errors = FieldErrors::default();
            errors.add(field.unwrap_or_else(|| "plugin".into()), message);
            return rerender(&state, &req, &authed, id, &form, errors).await;
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(article) => {
            let when = article
                .published_at
                .map(|t| util::date_time(t, tz))
                .unwrap_or_default();
            let msg = match (save_action, article.status()) {
                (SaveAction::Publish | SaveAction::Schedule, Status::Scheduled) => {
                    format!("Scheduled for {when}.")
                }
                (SaveAction::Publish, _) => {
                    format!("Published. It is live at /articles/{}", article.slug)
                }
                (SaveAction::Unpublish, _) => {
                    "Unpublished. The article is a draft again and no longer on the site.".into()
                }
                (SaveAction::Archive, _) => {
                    "Archived. The article is no longer on the site.".into()
                }
                (SaveAction::Save, Status::Draft) => "Draft saved.".into(),
                (SaveAction::Save, _) => "Saved.".into(),
                (SaveAction::Schedule, _) => "Saved.".into(),
            };
            Ok(render::redirect_flash(
                &format!("/admin/articles/{}/edit", article.id),
                "success",
                &msg,
            ))
        }
        Err(WebError::Core(CoreError::Validation(errors))) => {
            rerender(&state, &req, &authed, id, &form, errors).await
        }
        Err(WebError::Core(CoreError::Conflict(_))) => match id {
            Some(id) => conflict(&state, &req, &authed, id, form, raw.get("action")).await,
            None => Err(WebError::Internal("conflict on a new article".into())),
        },
        Err(e) => Err(e),
    }
}

/// Runs the plugins' `article_before_save` hooks on the blocking pool.
pub(super) async fn before_save(
    state: &AppState,
    authed: &Authed,
    id: Option<i32>,
    action: SaveAction,
    input: ArticleInput,
) -> WebResult<SaveVerdict> {
    crate::publishing::before_save(state, &authed.user, id, action, input).await
}

async fn rerender(
    state: &AppState,
    req: &HttpRequest,
    authed: &Authed,
    id: Option<i32>,
    form: &EditorForm,
    errors: FieldErrors,
) -> WebResult<HttpResponse> {
    let ctx = context(state, authed, id, form, false).await?;
    let n = errors.0.len();
    let notice = format!(
        "Not saved: {n} problem{} to fix below.",
        if n == 1 { "" } else { "s" }
    );
    let page = EditorPage::build(
        layout(&ctx, req, authed, &page_title(form, id)),
        &ctx,
        form,
        errors,
        notice,
        false,
    );
    render::admin_status(req, &page, StatusCode::UNPROCESSABLE_ENTITY)
}

/// Someone saved the article after this editor opened it: show both versions
/// and let the editor choose. Nothing has been written.
async fn conflict(
    state: &AppState,
    req: &HttpRequest,
    authed: &Authed,
    id: i32,
    mut yours: EditorForm,
    action: &str,
) -> WebResult<HttpResponse> {
    let (theirs_article, theirs, site) = state
        .db(move |conn| {
            let a = articles::find(conn, id)?;
            let input = articles::save::load_input(conn, &a)?;
            Ok((a, input, settings::load(conn)?))
        })
        .await?;
    let mut all_ids: Vec<i32> = theirs
        .links
        .iter()
        .chain(&yours.input.links)
        .filter_map(|l| l.target_article_id)
        .collect();
    all_ids.dedup();
    let titles = state
        .db(move |conn| articles::find_many(conn, &all_ids))
        .await?;
    let view = |i: &ArticleInput| VersionView {
        title: i.title.clone(),
        slug: i.slug.clone(),
        standfirst: i.standfirst.clone(),
        sections: i
            .sections
            .iter()
            .map(|s| (s.heading.clone(), s.body.clone()))
            .collect(),
        links: i
            .links
            .iter()
            .map(|l| match l.target_article_id {
                Some(t) => titles
                    .iter()
                    .find(|a| a.id == t)
                    .map_or_else(|| format!("Article #{t}"), |a| a.title.clone()),
                None => format!("{} <{}>", l.title, l.url),
            })
            .collect(),
    };
    let rows = ConflictPage::diff(&view(&theirs), &view(&yours.input));
    yours.version = Some(theirs_article.version);
    let page = ConflictPage {
        layout: AdminLayout::with_site(
            &site.title,
            req,
            authed,
            AdminNav::Articles,
            "Conflicting changes",
        ),
        article_id: id,
        theirs_version: theirs_article.version,
        theirs_updated: util::date_time(theirs_article.updated_at, site.tz()),
        rows,
        yours,
        yours_action: if Action::parse(action).is_some() {
            action.to_owned()
        } else {
            "save".into()
        },
    };
    render::admin_status(req, &page, StatusCode::CONFLICT)
}

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
async fn insert_image(
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
