//! The webhook list page: every webhook with its events, failures, pending
//! deliveries and last result.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use cms_core::{settings, webhooks};

use super::{require, status_class, when};
use crate::auth::Authed;
use crate::error::WebResult;
use crate::layout::{AdminLayout, AdminNav};
use crate::render;
use crate::state::AppState;

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

pub(super) async fn list(
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
