//! The article editor: create, edit, the form-only editing actions, preview,
//! and the conflict page when someone else saved first.
//!
//! This module holds the editor's context, the form pages and saving; the
//! conflict page and the image actions live in submodules.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use cms_core::articles::{self, admin, public, ArticleInput, SaveAction, Status};
use cms_core::{categories, media, roles, settings, users, CoreError, FieldErrors};

use super::form::{Action, EditorForm};
use super::view::{EditorContext, EditorPage};
use crate::auth::Authed;
use crate::error::{WebError, WebResult};
use crate::forms::FormData;
use crate::hooks::SaveVerdict;
use crate::layout::{AdminLayout, AdminNav};
use crate::publishing::Saved;
use crate::render;
use crate::state::AppState;
use crate::util;

mod conflict;
mod images;

use conflict::conflict;
use images::insert_image;
pub use images::{edit_upload, new_upload};

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
