//! Categories: list, create, edit and delete (editors and administrators).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use cms_core::categories::{self, Category, CategoryInput};
use cms_core::{roles, CoreError, FieldErrors};

use crate::auth::Authed;
use crate::error::{WebError, WebResult};
use crate::forms::FormData;
use crate::layout::{AdminLayout, AdminNav};
use crate::render;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/categories", web::get().to(list))
        .service(
            web::resource("/admin/categories/new")
                .route(web::get().to(new_form))
                .route(web::post().to(create)),
        )
        .service(
            web::resource("/admin/categories/{id}/edit")
                .route(web::get().to(edit_form))
                .route(web::post().to(update)),
        )
        .service(
            web::resource("/admin/categories/{id}/delete")
                .route(web::get().to(delete_confirm))
                .route(web::post().to(delete)),
        );
}

const LIST: &str = "/admin/categories";

/// A path id that is not a number is simply a page that does not exist.
fn parse_id(raw: &str) -> WebResult<i32> {
    raw.parse().map_err(|_| WebError::NotFound)
}

fn require(authed: &Authed) -> WebResult<()> {
    authed.require(roles::can_manage_categories(&authed.user))
}

/// One row of the categories table.
struct CategoryRow {
    id: i32,
    name: String,
    slug: String,
    description: String,
    articles: i64,
    is_sample: bool,
}

#[derive(Template)]
#[template(path = "admin/categories.html")]
struct ListPage {
    layout: AdminLayout,
    rows: Vec<CategoryRow>,
}

async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
) -> WebResult<HttpResponse> {
    require(&authed)?;
    let (all, counts) = state
        .db(|conn| Ok((categories::list(conn)?, categories::article_counts(conn)?)))
        .await?;
    let rows = all
        .into_iter()
        .map(|c| CategoryRow {
            articles: counts.get(&c.id).copied().unwrap_or(0),
            id: c.id,
            name: c.name,
            slug: c.slug,
            description: c.description,
            is_sample: c.is_sample,
        })
        .collect();
    let page = ListPage {
        layout: AdminLayout::load(&state, &req, &authed, AdminNav::Categories, "Categories")
            .await?,
        rows,
    };
    render::admin(&req, &page)
}

/// The create and edit form (one template, two modes).
#[derive(Template)]
#[template(path = "admin/categories_form.html")]
struct FormPage {
    layout: AdminLayout,
    /// `None` while creating.
    id: Option<i32>,
    /// The saved slug, for the "view" link while editing.
    saved_slug: String,
    name: String,
    slug: String,
    description: String,
    errors: FieldErrors,
}

impl FormPage {
    fn err(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
    fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/admin/categories/{id}/edit"),
            None => "/admin/categories/new".into(),
        }
    }
}

/// An empty URL name is made from the name, so when the name itself is
/// missing the URL-name message would only repeat the problem.
fn without_derived_slug_error(mut errors: FieldErrors, typed_slug: &str) -> FieldErrors {
    if typed_slug.trim().is_empty() && errors.get("name").is_some() {
        errors.0.retain(|e| e.field != "slug");
    }
    errors
}

fn input_from(form: &FormData) -> CategoryInput {
    CategoryInput {
        name: form.get("name").to_owned(),
        slug: form.get("slug").to_owned(),
        description: form.get("description").to_owned(),
    }
}

async fn form_page(
    state: &AppState,
    req: &HttpRequest,
    authed: &Authed,
    existing: Option<&Category>,
    input: CategoryInput,
    errors: FieldErrors,
) -> WebResult<FormPage> {
    let title = match existing {
        Some(c) => format!("Edit “{}”", c.name),
        None => "New category".to_owned(),
    };
    Ok(FormPage {
        layout: AdminLayout::load(state, req, authed, AdminNav::Categories, title).await?,
        id: existing.map(|c| c.id),
        saved_slug: existing.map(|c| c.slug.clone()).unwrap_or_default(),
        name: input.name,
        slug: input.slug,
        description: input.description,
        errors,
    })
}

async fn new_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
) -> WebResult<HttpResponse> {
    require(&authed)?;
    let page = form_page(
        &state,
        &req,
        &authed,
        None,
        CategoryInput::default(),
        FieldErrors::default(),
    )
    .await?;
    render::admin(&req, &page)
}

async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    form: FormData,
) -> WebResult<HttpResponse> {
    authed.check_csrf(&form)?;
    require(&authed)?;
    let input = input_from(&form);
    let (actor, to_save) = (authed.user.clone(), input.clone());
    match state
        .db(move |conn| categories::create(conn, &actor, to_save))
        .await
    {
        Ok(c) => Ok(render::redirect_flash(
            LIST,
            "success",
            &format!("Created the category “{}”.", c.name),
        )),
        Err(WebError::Core(CoreError::Validation(errors))) => {
            let errors = without_derived_slug_error(errors, &input.slug);
            let page = form_page(&state, &req, &authed, None, input, errors).await?;
            render::admin_status(&req, &page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e),
    }
}

async fn edit_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    path: web::Path<String>,
) -> WebResult<HttpResponse> {
    require(&authed)?;
    let id = parse_id(&path)?;
    let c = state.db(move |conn| categories::find(conn, id)).await?;
    let input = CategoryInput {
        name: c.name.clone(),
        slug: c.slug.clone(),
        description: c.description.clone(),
    };
    let page = form_page(
        &state,
        &req,
        &authed,
        Some(&c),
        input,
        FieldErrors::default(),
    )
    .await?;
    render::admin(&req, &page)
}

async fn update(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    path: web::Path<String>,
    form: FormData,
) -> WebResult<HttpResponse> {
    authed.check_csrf(&form)?;
    require(&authed)?;
    let id = parse_id(&path)?;
    let existing = state.db(move |conn| categories::find(conn, id)).await?;
    let input = input_from(&form);
    let (actor, to_save) = (authed.user.clone(), input.clone());
    match state
        .db(move |conn| categories::update(conn, &actor, id, to_save))
        .await
    {
        Ok(c) => Ok(render::redirect_flash(
            LIST,
            "success",
            &format!("Saved the category “{}”.", c.name),
        )),
        Err(WebError::Core(CoreError::Validation(errors))) => {
            let errors = without_derived_slug_error(errors, &input.slug);
            let page = form_page(&state, &req, &authed, Some(&existing), input, errors).await?;
            render::admin_status(&req, &page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "admin/categories_delete.html")]
struct DeletePage {
    layout: AdminLayout,
    category: Category,
    articles: i64,
}

async fn delete_confirm(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    path: web::Path<String>,
) -> WebResult<HttpResponse> {
    require(&authed)?;
    let id = parse_id(&path)?;
    let (category, articles) = state
        .db(move |conn| {
            Ok((
                categories::find(conn, id)?,
                categories::article_count(conn, id)?,
            ))
        })
        .await?;
    let title = format!("Delete “{}”", category.name);
    let page = DeletePage {
        layout: AdminLayout::load(&state, &req, &authed, AdminNav::Categories, title).await?,
        category,
        articles,
    };
    render::admin(&req, &page)
}

async fn delete(
    state: web::Data<AppState>,
    authed: Authed,
    path: web::Path<String>,
    form: FormData,
) -> WebResult<HttpResponse> {
    authed.check_csrf(&form)?;
    require(&authed)?;
    let id = parse_id(&path)?;
    let actor = authed.user.clone();
    let name = state
        .db(move |conn| {
            let c = categories::find(conn, id)?;
            categories::delete(conn, &actor, id)?;
            Ok(c.name)
        })
        .await?;
    Ok(render::redirect_flash(
        LIST,
        "success",
        &format!("Deleted the category “{name}”. Its articles are kept, without a category."),
    ))
}
