//! Permanent redirects from a WordPress site's old addresses to the articles
//! imported from it (`gazette import wordpress`): `/?p=123`, `/%postname%/`,
//! `/YYYY/MM/slug/`, `/YYYY/MM/DD/slug/`, each post's own recorded permalink,
//! and old `/wp-content/uploads/…` image URLs.
//!
//! Asked only for requests that would otherwise be a 404 (and for the home
//! page when it carries `?p=`), so ordinary pages pay nothing; a lookup is one
//! or two indexed queries (see `cms_core::wordpress::redirects`).

use actix_web::http::{header, Method};
use actix_web::{HttpRequest, HttpResponse};
use cms_core::wordpress::redirects;

use crate::state::AppState;

/// Browsers keep a 301 as long as they like unless told: a day, so an article
/// unpublished later stops being a redirect target soon enough.
const CACHE_CONTROL: &str = "public, max-age=86400";

/// Prefixes that belong to Gazette itself; never WordPress permalinks.
const OWN_PREFIXES: &[&str] = &["/admin", "/api/", "/static/", "/media/"];

/// The post id in WordPress's plain links: `?p=123` or `?page_id=123`.
pub fn post_id_param(query: &str) -> Option<i64> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "p" || k == "page_id")
        .and_then(|(_, v)| v.trim().parse::<i64>().ok())
        .filter(|&id| id > 0)
}

/// `/?p=123` on the home page: the imported article, if it is public.
pub async fn for_home(state: &AppState, req: &HttpRequest) -> Option<HttpResponse> {
    let id = post_id_param(req.query_string())?;
    let target = state
        .db(move |c| redirects::for_post_id(c, id))
        .await
        .ok()
        .flatten()?;
    Some(moved(&target))
}

/// Any other old address, asked by the 404 handler before it renders.
pub async fn for_unknown_path(state: &AppState, req: &HttpRequest) -> Option<HttpResponse> {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return None;
    }
    let path = req.path();
    if path.len() <= 1 || path.len() > 512 || OWN_PREFIXES.iter().any(|p| path.starts_with(p)) {
        return None;
    }
    // WordPress without rewrite rules: `/index.php?p=123`, `/index.php/2024/05/slug/`.
    if path == "/index.php" {
        return for_home(state, req).await;
    }
    let path = path.strip_prefix("/index.php").unwrap_or(path).to_owned();
    let target = state
        .db(move |c| redirects::for_path(c, &path))
        .await
        .ok()
        .flatten()?;
    Some(moved(&target))
}

fn moved(target: &str) -> HttpResponse {
    HttpResponse::MovedPermanently()
        .insert_header((header::LOCATION, target))
        .insert_header((header::CACHE_CONTROL, CACHE_CONTROL))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_post_ids() {
        assert_eq!(post_id_param("p=123"), Some(123));
        assert_eq!(post_id_param("utm_source=x&page_id=7"), Some(7));
        assert_eq!(post_id_param("page=2"), None);
        assert_eq!(post_id_param("p=abc"), None);
        assert_eq!(post_id_param("p=-4"), None);
        assert_eq!(post_id_param(""), None);
    }
}
