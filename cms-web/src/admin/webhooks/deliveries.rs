//! The delivery log of one webhook (with its retry schedule) and retrying a
//! failed delivery.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use cms_core::webhooks::{self, Delivery, DeliveryStatus, Webhook};
use cms_core::{settings, CoreError};

use super::{parse_id, require, status_class, when};
use crate::auth::Authed;
use crate::error::{WebError, WebResult};
use crate::forms::FormData;
use crate::layout::{AdminLayout, AdminNav};
use crate::render;
use crate::state::AppState;
use crate::util;

/// Deliveries shown on the log page (the log keeps up to 200 finished ones).
const LOG_ROWS: i64 = 200;

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

pub(super) async fn log(
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

pub(super) async fn retry(
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
