//! `/`: the latest published articles, newest first, with the home sidebar.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use cms_core::articles::public::{self, Scope};

use super::cards::{page_number, page_path, CardView, Pagination};
use super::layout::{PublicLayout, SiteContext};
use super::{not_found, respond_not_found};
use crate::error::WebResult;
use crate::hooks::{Slot, WidgetContext};
use crate::render;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "public/home.html")]
struct HomePage {
    layout: PublicLayout,
    cards: Vec<CardView>,
    pagination: Pagination,
    /// HTML fragments from plugins for [`Slot::HomeSidebar`].
    sidebar_widgets: Vec<String>,
}

pub async fn home(state: web::Data<AppState>, req: HttpRequest) -> WebResult<HttpResponse> {
    // `/?p=123`: an imported WordPress post's old address.
    if let Some(moved) = super::legacy::for_home(&state, &req).await {
        return Ok(moved);
    }
    let Some(page) = page_number(req.query_string()) else {
        return Ok(not_found(req).await);
    };
    let hooks = state.hooks.clone();
    let path = req.path().to_owned();
    let (site, listing, modified, widgets) = state
        .db(move |conn| {
            let site = SiteContext::load(conn)?;
            let listing = public::listing(conn, Scope::All, page, site.settings.per_page)?;
            let modified = public::last_modified(conn)?;
            // Plugins run here, on the blocking pool, never on an async worker.
            let widgets = hooks.widgets(&WidgetContext {
                slot: Slot::HomeSidebar,
                site_title: site.settings.title.clone(),
                base_url: site.base_url().to_owned(),
                article_id: None,
                category_id: None,
                path,
            });
            Ok((site, listing, modified, widgets))
        })
        .await?;
    // Page 1 of an empty site is a friendly empty state; any later empty page does not exist.
    if listing.items.is_empty() && page > 1 {
        return respond_not_found(&req, &site);
    }
    let pagination = Pagination::new("/", page, listing.has_next);
    let title = if page > 1 {
        format!("Latest news, page {page}")
    } else {
        String::new()
    };
    let page_view = HomePage {
        layout: PublicLayout::new(&site, &page_path("/", page), title).with_pagination(&pagination),
        cards: CardView::list(&listing.items, site.tz()),
        pagination,
        sidebar_widgets: widgets,
    };
    render::public(&req, &page_view, modified.max(site.nav_modified()))
}
