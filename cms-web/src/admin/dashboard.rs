//! The dashboard: my drafts, scheduled, recently published, sample content.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use cms_core::articles::admin::{self, AdminRow};
use cms_core::{roles, sample};

use crate::auth::Authed;
use crate::error::WebResult;
use crate::forms::FormData;
use crate::layout::{AdminLayout, AdminNav};
use crate::render;
use crate::state::AppState;
use crate::util;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin", web::get().to(dashboard))
        .route("/admin/", web::get().to(dashboard))
        .route(
            "/admin/sample-content/delete",
            web::post().to(delete_sample),
        );
}

/// A row of a dashboard or list table, ready to print.
pub struct RowView {
    pub id: i32,
    pub title: String,
    pub slug: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub author: String,
    pub category: String,
    pub date: String,
    pub updated: String,
    pub is_sample: bool,
}

impl RowView {
    pub fn from_row(r: &AdminRow, tz: chrono_tz::Tz) -> Self {
        RowView {
            id: r.card.id,
            title: r.card.title.clone(),
            slug: r.card.slug.clone(),
            status: r.status.as_str(),
            status_label: r.status.label(),
            author: r.card.author_name.clone(),
            category: r.card.category_name.clone().unwrap_or_default(),
            date: r
                .card
                .published_at
                .map(|t| util::date_time(t, tz))
                .unwrap_or_default(),
            updated: util::date_time(r.updated_at, tz),
            is_sample: r.card.is_sample,
        }
    }
}

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct DashboardPage {
    layout: AdminLayout,
    drafts: Vec<RowView>,
    scheduled: Vec<RowView>,
    published: Vec<RowView>,
    has_sample: bool,
    can_delete_sample: bool,
    /// This node's render cache, for those who manage the site.
    cache: Option<CacheView>,
}

/// The render cache's figures, ready to print.
struct CacheView {
    enabled: bool,
    entries: usize,
    used: String,
    budget: String,
    hits: u64,
    stale: u64,
    misses: u64,
    hit_rate: String,
    invalidations: u64,
}

impl CacheView {
    fn new(s: crate::cache::Summary) -> Self {
        let mib = |b: usize| format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0));
        let served = s.hits + s.misses;
        CacheView {
            enabled: s.enabled,
            entries: s.entries,
            used: mib(s.bytes),
            budget: mib(s.max_bytes),
            hits: s.hits,
            stale: s.stale,
            misses: s.misses,
            hit_rate: if served == 0 {
                "—".into()
            } else {
                format!("{:.1} %", s.hits as f64 * 100.0 / served as f64)
            },
            invalidations: s.invalidations,
        }
    }
}

async fn dashboard(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
) -> WebResult<HttpResponse> {
    let user = authed.user.clone();
    let (site, dash, has_sample) = state
        .db(move |conn| {
            Ok((
                cms_core::settings::load(conn)?,
                admin::dashboard(conn, &user)?,
                sample::exists(conn)?,
            ))
        })
        .await?;
    let tz = site.tz();
    let conv = |rows: &[AdminRow]| {
        rows.iter()
            .map(|r| RowView::from_row(r, tz))
            .collect::<Vec<_>>()
    };
    let page = DashboardPage {
        layout: AdminLayout::with_site(
            &site.title,
            &req,
            &authed,
            AdminNav::Dashboard,
            "Dashboard",
        ),
        drafts: conv(&dash.my_drafts),
        scheduled: conv(&dash.scheduled),
        published: conv(&dash.recently_published),
        has_sample,
        can_delete_sample: roles::edits_all_articles(&authed.user),
        cache: roles::can_manage_settings(&authed.user)
            .then(|| CacheView::new(state.cache.summary())),
    };
    render::admin(&req, &page)
}

async fn delete_sample(
    state: web::Data<AppState>,
    authed: Authed,
    form: FormData,
) -> WebResult<HttpResponse> {
    authed.check_csrf(&form)?;
    authed.require(roles::edits_all_articles(&authed.user))?;
    let user = authed.user.clone();
    let n = state
        .db(move |conn| sample::delete_all(conn, &user))
        .await?;
    Ok(render::redirect_flash(
        "/admin",
        "success",
        &format!("Deleted the sample content ({n} articles)."),
    ))
}
