//! Deleting a webhook: the confirmation page and the delete itself.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use cms_core::webhooks::{self, Webhook};

use super::{load_hook, parse_id, require, LIST};
use crate::auth::Authed;
use crate::error::WebResult;
use crate::forms::FormData;
use crate::layout::{AdminLayout, AdminNav};
use crate::render;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "admin/webhooks_delete.html")]
struct DeletePage {
    layout: AdminLayout,
    hook: Webhook,
}

pub(super) async fn delete_confirm(
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

pub(super) async fn delete(
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
