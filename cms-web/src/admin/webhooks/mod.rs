//! `/admin/webhooks`: webhook URLs and their events, secrets, test pings and the
//! delivery log (administrators only; every POST checks its CSRF token).
//!
//! This module holds the routes and the helpers the pages share; each page
//! lives in its own submodule.

use actix_web::web;
use chrono::NaiveDateTime;
use cms_core::roles;
use cms_core::webhooks::{self, DeliveryStatus, Webhook};

use crate::auth::Authed;
use crate::error::{WebError, WebResult};
use crate::state::AppState;
use crate::util;

mod delete;
mod deliveries;
mod form;
mod list;

use delete::{delete, delete_confirm};
use deliveries::{log, retry};
use form::{create, edit_form, new_form, ping, regenerate_secret, update};
use list::list;

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

async fn load_hook(state: &AppState, authed: &Authed, id: i32) -> WebResult<Webhook> {
    let user = authed.user.clone();
    state.db(move |conn| webhooks::find(conn, &user, id)).await
}
