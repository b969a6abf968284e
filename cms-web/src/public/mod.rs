//! The public site: home, article, category, author and search pages, and the 404.
//!
//! Every page here is the same for every visitor: nothing depends on who is
//! logged in, so responses carry validators and may be cached by proxies.
//! Handlers answer `GET` and `HEAD` (actix sends no body for `HEAD`).

pub mod article;
pub mod cards;
pub mod feeds;
pub mod home;
pub mod layout;
pub mod legacy;
pub mod listings;
pub mod search;
pub mod seo;
pub mod sitemaps;
pub mod views;
pub mod xml;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use crate::error::{WebError, WebResult};
use crate::render;
use crate::state::AppState;
use layout::{PublicLayout, SiteContext};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/")
            .route(web::get().to(home::home))
            .route(web::head().to(home::home)),
    )
    .service(
        web::resource("/articles/{slug}")
            .route(web::get().to(article::article))
            .route(web::head().to(article::article)),
    )
    .service(
        web::resource("/category/{slug}")
            .route(web::get().to(listings::category))
            .route(web::head().to(listings::category)),
    )
    .service(
        web::resource("/author/{slug}")
            .route(web::get().to(listings::author))
            .route(web::head().to(listings::author)),
    )
    .service(
        web::resource("/search")
            .route(web::get().to(search::search))
            .route(web::head().to(search::search)),
    );
    feed_routes(cfg);
}

/// Feeds, sitemaps and `robots.txt` (GET and HEAD, like the pages).
fn feed_routes(cfg: &mut web::ServiceConfig) {
    macro_rules! get_head {
        ($path:expr, $handler:expr) => {
            cfg.service(
                web::resource($path)
                    .route(web::get().to($handler))
                    .route(web::head().to($handler)),
            );
        };
    }
    get_head!("/feed.xml", feeds::site_rss);
    get_head!("/atom.xml", feeds::site_atom);
    get_head!("/category/{slug}/feed.xml", feeds::category_rss);
    get_head!("/category/{slug}/atom.xml", feeds::category_atom);
    get_head!("/author/{slug}/feed.xml", feeds::author_rss);
    get_head!("/author/{slug}/atom.xml", feeds::author_atom);
    get_head!("/sitemap.xml", sitemaps::index);
    get_head!("/sitemaps/pages.xml", sitemaps::pages);
    get_head!("/sitemaps/news.xml", sitemaps::news);
    get_head!("/sitemaps/articles-{n}.xml", sitemaps::articles);
    get_head!("/robots.txt", sitemaps::robots);
}

#[derive(Template)]
#[template(path = "public/not_found.html")]
struct NotFoundPage {
    layout: PublicLayout,
}

/// The styled 404 for any unknown path (the app's default service).
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return WebError::NotFound.into();
    };
    // An old WordPress address of an imported article: 301 instead of 404.
    if let Some(moved) = legacy::for_unknown_path(&state, &req).await {
        return moved;
    }
    match state.db(SiteContext::load).await {
        Ok(site) => not_found_page(&req, &site),
        // Without the database, the plain error page still says "not found".
        Err(_) => WebError::NotFound.into(),
    }
}

/// The 404 page inside the public layout, for a site already loaded.
pub fn not_found_page(req: &HttpRequest, site: &SiteContext) -> HttpResponse {
    let page = NotFoundPage {
        layout: PublicLayout::new(site, req.path(), "Page not found").for_error(),
    };
    match render::render_string(&page) {
        Ok(body) => render::public_body(req, body, None, StatusCode::NOT_FOUND),
        Err(_) => WebError::NotFound.into(),
    }
}

/// Shorthand for handlers: a 404 response as a successful result.
pub(crate) fn respond_not_found(req: &HttpRequest, site: &SiteContext) -> WebResult<HttpResponse> {
    Ok(not_found_page(req, site))
}

#[cfg(test)]
mod tests;
