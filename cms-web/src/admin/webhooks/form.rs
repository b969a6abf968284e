//! The webhook create and edit form, plus the form's own actions: regenerating
//! the signing secret and sending a test ping.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use cms_core::webhooks::{self, Event, Webhook, WebhookInput};
use cms_core::{settings, CoreError, FieldErrors};

use super::{load_hook, parse_id, require, when, LIST};
use crate::auth::Authed;
use crate::error::{WebError, WebResult};
use crate::forms::FormData;
use crate::layout::{AdminLayout, AdminNav};
use crate::render;
use crate::state::AppState;

struct EventChoice {
    value: &'static str,
    description: &'static str,
    checked: bool,
}

/// The create and edit form (one template, two modes).
#[derive(Template)]
#[template(path = "admin/webhooks_form.html")]
struct FormPage {
    layout: AdminLayout,
    /// `None` while creating.
    id: Option<i32>,
    name: String,
    url: String,
    events: Vec<EventChoice>,
    enabled: bool,
    secret: String,
    failures: i32,
    failing_since: String,
    auto_disabled: String,
    errors: FieldErrors,
}

impl FormPage {
    fn err(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
    fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/admin/webhooks/{id}/edit"),
            None => "/admin/webhooks/new".into(),
        }
    }
}

fn input_from(form: &FormData) -> WebhookInput {
    WebhookInput {
        name: form.get("name").to_owned(),
        url: form.get("url").to_owned(),
        events: form.all("events").into_iter().map(str::to_owned).collect(),
        enabled: form.get("enabled") == "on",
    }
}

async fn form_page(
    state: &AppState,
    req: &HttpRequest,
    authed: &Authed,
    existing: Option<&Webhook>,
    input: WebhookInput,
    errors: FieldErrors,
) -> WebResult<FormPage> {
    let site = state.db(settings::load).await?;
    let tz = site.tz();
    let title = match existing {
        Some(h) => format!("Webhook “{}”", h.name),
        None => "New webhook".to_owned(),
    };
    Ok(FormPage {
        layout: AdminLayout::with_site(&site.title, req, authed, AdminNav::Webhooks, title),
        id: existing.map(|h| h.id),
        events: Event::SUBSCRIBABLE
            .into_iter()
            .map(|e| EventChoice {
                value: e.as_str(),
                description: e.description(),
                checked: input.events.iter().any(|c| c == e.as_str()),
            })
            .collect(),
        name: input.name,
        url: input.url,
        enabled: input.enabled,
        secret: existing.map(|h| h.secret.clone()).unwrap_or_default(),
        failures: existing.map_or(0, |h| h.consecutive_failures),
        failing_since: when(existing.and_then(|h| h.failing_since), tz),
        auto_disabled: when(existing.and_then(|h| h.auto_disabled_at), tz),
        errors,
    })
}

pub(super) async fn new_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
) -> WebResult<HttpResponse> {
    require(&authed)?;
    let input = WebhookInput {
        events: Event::SUBSCRIBABLE
            .iter()
            .map(|e| e.as_str().to_owned())
            .collect(),
        enabled: true,
        ..WebhookInput::default()
    };
    let page = form_page(&state, &req, &authed, None, input, FieldErrors::default()).await?;
    render::admin(&req, &page)
}

pub(super) async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    form: FormData,
) -> WebResult<HttpResponse> {
    // Nothing a visitor sees: the public cache stays.
    crate::cache::declare(crate::cache::Change::Nothing);
    authed.check_csrf(&form)?;
    require(&authed)?;
    let input = input_from(&form);
    let (user, to_save) = (authed.user.clone(), input.clone());
    match state
        .db(move |conn| webhooks::create(conn, &user, to_save))
        .await
    {
        Ok(h) => {
            tracing::info!(webhook = h.id, user = authed.user.id, "webhook created");
            Ok(render::redirect_flash(
                &format!("/admin/webhooks/{}/edit", h.id),
                "success",
                &format!("Created the webhook “{}”. Give its secret to the receiver so it can check signatures.", h.name),
            ))
        }
        Err(WebError::Core(CoreError::Validation(errors))) => {
            let page = form_page(&state, &req, &authed, None, input, errors).await?;
            render::admin_status(&req, &page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e),
    }
}

pub(super) async fn edit_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    path: web::Path<String>,
) -> WebResult<HttpResponse> {
    require(&authed)?;
    let hook = load_hook(&state, &authed, parse_id(&path)?).await?;
    let input = WebhookInput {
        name: hook.name.clone(),
        url: hook.url.clone(),
        events: hook
            .events()
            .iter()
            .map(|e| e.as_str().to_owned())
            .collect(),
        enabled: hook.enabled,
    };
    let page = form_page(
        &state,
        &req,
        &authed,
        Some(&hook),
        input,
        FieldErrors::default(),
    )
    .await?;
    render::admin(&req, &page)
}

pub(super) async fn update(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    path: web::Path<String>,
    form: FormData,
) -> WebResult<HttpResponse> {
    // Nothing a visitor sees: the public cache stays.
    crate::cache::declare(crate::cache::Change::Nothing);
    authed.check_csrf(&form)?;
    require(&authed)?;
    let id = parse_id(&path)?;
    let existing = load_hook(&state, &authed, id).await?;
    let input = input_from(&form);
    let (user, to_save) = (authed.user.clone(), input.clone());
    match state
        .db(move |conn| webhooks::update(conn, &user, id, to_save))
        .await
    {
        Ok(h) => Ok(render::redirect_flash(
            LIST,
            "success",
            &format!("Saved the webhook “{}”.", h.name),
        )),
        Err(WebError::Core(CoreError::Validation(errors))) => {
            let page = form_page(&state, &req, &authed, Some(&existing), input, errors).await?;
            render::admin_status(&req, &page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e),
    }
}

pub(super) async fn regenerate_secret(
    state: web::Data<AppState>,
    authed: Authed,
    path: web::Path<String>,
    form: FormData,
) -> WebResult<HttpResponse> {
    // Nothing a visitor sees: the public cache stays.
    crate::cache::declare(crate::cache::Change::Nothing);
    authed.check_csrf(&form)?;
    require(&authed)?;
    let (id, user) = (parse_id(&path)?, authed.user.clone());
    state
        .db(move |conn| webhooks::regenerate_secret(conn, &user, id))
        .await?;
    Ok(render::redirect_flash(
        &format!("/admin/webhooks/{id}/edit"),
        "success",
        "New secret generated. Deliveries are signed with it from now on; update the receiver.",
    ))
}

pub(super) async fn ping(
    state: web::Data<AppState>,
    authed: Authed,
    path: web::Path<String>,
    form: FormData,
) -> WebResult<HttpResponse> {
    // Nothing a visitor sees: the public cache stays.
    crate::cache::declare(crate::cache::Change::Nothing);
    authed.check_csrf(&form)?;
    require(&authed)?;
    let (id, user) = (parse_id(&path)?, authed.user.clone());
    let (hook, _) = state
        .db(move |conn| {
            let d = webhooks::ping(conn, &user, id)?;
            Ok((webhooks::find(conn, &user, id)?, d))
        })
        .await?;
    let message = if hook.enabled {
        "Test ping queued; it is sent within a few seconds. Its result appears below."
    } else {
        "Test ping queued. This webhook is disabled: the ping is sent once you enable it."
    };
    Ok(render::redirect_flash(
        &format!("/admin/webhooks/{id}/deliveries"),
        "success",
        message,
    ))
}
