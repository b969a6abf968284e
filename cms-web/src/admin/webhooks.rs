//! `/admin/webhooks`: webhook URLs and their events, secrets, test pings and the
//! delivery log (administrators only; every POST checks its CSRF token).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;
use cms_core::webhooks::{self, Delivery, DeliveryStatus, Event, Webhook, WebhookInput};
use cms_core::{roles, settings, CoreError, FieldErrors};

use crate::auth::Authed;
use crate::error::{WebError, WebResult};
use crate::forms::FormData;
use crate::layout::{AdminLayout, AdminNav};
use crate::render;
use crate::state::AppState;
use crate::util;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/webhooks", web::get().to(list))
        .service(
            web::resource("/admin/webhooks/new")
                .route(web::get().to(new_form))
                .route(web::post().to(create)),
        )
        .service(
            web::resource("/admin/webhooks/{id}/edit")
                .route(web::get().to(edit_form))
                .route(web::post().to(update)),
        )
        .service(
            web::resource("/admin/webhooks/{id}/delete")
                .route(web::get().to(delete_confirm))
                .route(web::post().to(delete)),
        )
        .route(
            "/admin/webhooks/{id}/secret",
            web::post().to(regenerate_secret),
        )
        .route("/admin/webhooks/{id}/ping", web::post().to(ping))
        .route("/admin/webhooks/{id}/deliveries", web::get().to(log))
        .route(
            "/admin/webhooks/{id}/deliveries/{delivery}/retry",
            web::post().to(retry),
        );
}

const LIST: &str = "/admin/webhooks";
/// Deliveries shown on the log page (the log keeps up to 200 finished ones).
const LOG_ROWS: i64 = 200;

fn require(authed: &Authed) -> WebResult<()> {
    authed.require(roles::can_manage_settings(&authed.user))
}

/// A path id that is not a number is simply a page that does not exist.
fn parse_id(raw: &str) -> WebResult<i32> {
    raw.parse().map_err(|_| WebError::NotFound)
}

fn when(t: Option<NaiveDateTime>, tz: chrono_tz::Tz) -> String {
    t.map(|t| util::date_time(t, tz)).unwrap_or_default()
}

/// CSS class of a delivery's status badge (the article status colours).
fn status_class(s: DeliveryStatus) -> &'static str {
    match s {
        DeliveryStatus::Pending => "status-scheduled",
        DeliveryStatus::Delivered => "status-published",
        DeliveryStatus::Failed => "status-archived",
        DeliveryStatus::Dropped => "status-draft",
    }
}

/// "HTTP 200", "HTTP 500: …", "Could not connect: …", or "" before any attempt.
fn last_result(d: &Delivery) -> String {
    match (&d.last_error, d.last_status) {
        (Some(e), _) => e.clone(),
        (None, Some(s)) => format!("HTTP {s}"),
        (None, None) => String::new(),
    }
}

/// "10 s", "2 min", "1 h", "250 ms".
fn human(d: std::time::Duration) -> String {
    let ms = d.as_millis();
    match ms {
        0..=999 => format!("{ms} ms"),
        _ if ms.is_multiple_of(3_600_000) => format!("{} h", ms / 3_600_000),
        _ if ms.is_multiple_of(60_000) => format!("{} min", ms / 60_000),
        _ if ms.is_multiple_of(1_000) => format!("{} s", ms / 1_000),
        _ => format!("{:.1} s", d.as_secs_f64()),
    }
}

/// The waits between attempts with this base, e.g. "10 s, 30 s, 2 min, …".
fn retry_schedule(base: std::time::Duration) -> String {
    (1..webhooks::MAX_ATTEMPTS)
        .map(|a| human(webhooks::backoff(a, base)))
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------- list

struct HookRow {
    id: i32,
    name: String,
    url: String,
    events: String,
    enabled: bool,
    auto_disabled: String,
    failures: i32,
    pending: i64,
    last_event: String,
    last_status: String,
    last_class: &'static str,
    last_when: String,
}

#[derive(Template)]
#[template(path = "admin/webhooks.html")]
struct ListPage {
    layout: AdminLayout,
    rows: Vec<HookRow>,
    max_webhooks: i64,
}

async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
) -> WebResult<HttpResponse> {
    require(&authed)?;
    let user = authed.user.clone();
    let (site, hooks) = state
        .db(move |conn| Ok((settings::load(conn)?, webhooks::list(conn, &user)?)))
        .await?;
    let tz = site.tz();
    let rows = hooks
        .into_iter()
        .map(|s| {
            let last = s.last.as_ref();
            HookRow {
                id: s.webhook.id,
                events: s
                    .webhook
                    .events()
                    .iter()
                    .map(|e| e.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                enabled: s.webhook.enabled,
                auto_disabled: when(s.webhook.auto_disabled_at, tz),
                failures: s.webhook.consecutive_failures,
                pending: s.pending,
                last_event: last.map(|d| d.event.clone()).unwrap_or_default(),
                last_status: last
                    .map(|d| d.status().label().to_owned())
                    .unwrap_or_default(),
                last_class: last.map_or("", |d| status_class(d.status())),
                last_when: last
                    .map(|d| {
                        when(
                            Some(d.delivered_at.or(d.last_attempt_at).unwrap_or(d.created_at)),
                            tz,
                        )
                    })
                    .unwrap_or_default(),
                name: s.webhook.name,
                url: s.webhook.url,
            }
        })
        .collect();
    let page = ListPage {
        layout: AdminLayout::with_site(&site.title, &req, &authed, AdminNav::Webhooks, "Webhooks"),
        rows,
        max_webhooks: webhooks::MAX_WEBHOOKS,
    };
    render::admin(&req, &page)
}

// ---------------------------------------------------------------- form

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

async fn new_form(
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

async fn create(
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

async fn load_hook(state: &AppState, authed: &Authed, id: i32) -> WebResult<Webhook> {
    let user = authed.user.clone();
    state.db(move |conn| webhooks::find(conn, &user, id)).await
}

async fn edit_form(
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

async fn update(
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

async fn regenerate_secret(
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

async fn ping(
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

// ---------------------------------------------------------------- delete

#[derive(Template)]
#[template(path = "admin/webhooks_delete.html")]
struct DeletePage {
    layout: AdminLayout,
    hook: Webhook,
}

async fn delete_confirm(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    path: web::Path<String>,
) -> WebResult<HttpResponse> {
    require(&authed)?;
    let hook = load_hook(&state, &authed, parse_id(&path)?).await?;
    let title = format!("Delete “{}”", hook.name);
    let page = DeletePage {
        layout: AdminLayout::load(&state, &req, &authed, AdminNav::Webhooks, title).await?,
        hook,
    };
    render::admin(&req, &page)
}

async fn delete(
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
    let hook = state
        .db(move |conn| webhooks::delete(conn, &user, id))
        .await?;
    tracing::info!(webhook = id, user = authed.user.id, "webhook deleted");
    Ok(render::redirect_flash(
        LIST,
        "success",
        &format!("Deleted the webhook “{}” and its delivery log.", hook.name),
    ))
}

// ---------------------------------------------------------------- log

struct DeliveryRow {
    id: i32,
    uuid: String,
    event: String,
    status: &'static str,
    status_class: &'static str,
    attempts: i32,
    result: String,
    created: String,
    last_attempt: String,
    next_attempt: String,
    delivered: String,
    can_retry: bool,
    retry_label: &'static str,
    payload: String,
}

#[derive(Template)]
#[template(path = "admin/webhooks_log.html")]
struct LogPage {
    layout: AdminLayout,
    hook: Webhook,
    rows: Vec<DeliveryRow>,
    /// e.g. "3 delivered, 1 pending".
    summary: String,
    max_attempts: i32,
    max_pending: i64,
    /// The retry waits, e.g. "10 s, 30 s, 2 min, …".
    schedule: String,
    keep_rows: i64,
    keep_days: i64,
}

async fn log(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    path: web::Path<String>,
) -> WebResult<HttpResponse> {
    require(&authed)?;
    let (id, user) = (parse_id(&path)?, authed.user.clone());
    let (site, hook, list, counts) = state
        .db(move |conn| {
            Ok((
                settings::load(conn)?,
                webhooks::find(conn, &user, id)?,
                webhooks::deliveries(conn, &user, id, LOG_ROWS)?,
                webhooks::status_counts(conn, &user, id)?,
            ))
        })
        .await?;
    let tz = site.tz();
    let t = cms_core::time::now();
    let summary = [
        DeliveryStatus::Pending,
        DeliveryStatus::Delivered,
        DeliveryStatus::Failed,
        DeliveryStatus::Dropped,
    ]
    .into_iter()
    .filter_map(|s| {
        counts
            .get(s.as_str())
            .map(|n| format!("{n} {}", s.as_str()))
    })
    .collect::<Vec<_>>()
    .join(", ");
    let rows = list
        .into_iter()
        .map(|d| {
            let status = d.status();
            let waiting = status == DeliveryStatus::Pending && !d.in_flight_at(t);
            DeliveryRow {
                id: d.id,
                event: d.event.clone(),
                status: if d.in_flight_at(t) {
                    "Sending"
                } else {
                    status.label()
                },
                status_class: status_class(status),
                attempts: d.attempts,
                result: last_result(&d),
                created: util::date_time(d.created_at, tz),
                last_attempt: when(d.last_attempt_at, tz),
                next_attempt: if waiting {
                    util::date_time(d.next_attempt_at, tz)
                } else {
                    String::new()
                },
                delivered: when(d.delivered_at, tz),
                can_retry: d.can_retry_at(t),
                retry_label: if status == DeliveryStatus::Pending {
                    "Send now"
                } else {
                    "Retry"
                },
                payload: serde_json::from_str::<serde_json::Value>(&d.payload)
                    .and_then(|v| serde_json::to_string_pretty(&v))
                    .unwrap_or(d.payload),
                uuid: d.uuid,
            }
        })
        .collect();
    let title = format!("Deliveries of “{}”", hook.name);
    let page = LogPage {
        layout: AdminLayout::with_site(&site.title, &req, &authed, AdminNav::Webhooks, title),
        hook,
        rows,
        summary,
        max_attempts: webhooks::MAX_ATTEMPTS,
        max_pending: webhooks::MAX_PENDING_PER_WEBHOOK,
        schedule: retry_schedule(std::time::Duration::from_millis(
            state.config.webhook_retry_base_ms,
        )),
        keep_rows: webhooks::KEEP_LOG_PER_WEBHOOK,
        keep_days: webhooks::KEEP_LOG_DAYS,
    };
    render::admin(&req, &page)
}

async fn retry(
    state: web::Data<AppState>,
    authed: Authed,
    path: web::Path<(String, String)>,
    form: FormData,
) -> WebResult<HttpResponse> {
    // Nothing a visitor sees: the public cache stays.
    crate::cache::declare(crate::cache::Change::Nothing);
    authed.check_csrf(&form)?;
    require(&authed)?;
    let (id, delivery) = (parse_id(&path.0)?, parse_id(&path.1)?);
    let user = authed.user.clone();
    let back = format!("/admin/webhooks/{id}/deliveries");
    match state
        .db(move |conn| webhooks::retry(conn, &user, id, delivery))
        .await
    {
        Ok(_) => Ok(render::redirect_flash(
            &back,
            "success",
            "Delivery queued; it is sent within a few seconds.",
        )),
        Err(WebError::Core(CoreError::Conflict(m))) => Ok(render::redirect_flash(
            &back,
            "error",
            &format!("Not retried: {m}."),
        )),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn describes_the_retry_schedule() {
        assert_eq!(
            retry_schedule(Duration::from_secs(10)),
            "10 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h"
        );
        assert_eq!(human(Duration::from_millis(250)), "250 ms");
        assert_eq!(human(Duration::from_millis(1500)), "1.5 s");
    }
}
