//! `robots.txt` and the sitemaps:
//!
//! - `/sitemap.xml`: the index, listing the others;
//! - `/sitemaps/pages.xml`: the home page, every category, every author with
//!   a public article;
//! - `/sitemaps/articles-{n}.xml`: the articles, split by id range into pages
//!   of [`feeds::DEFAULT_SITEMAP_PAGE_SIZE`] (2 000, as WordPress does: a
//!   million articles make 500 files of a few milliseconds each, where pages
//!   of 10 000 took 12-17 ms to render; none ever loads the whole table);
//! - `/sitemaps/news.xml`: Google News, the articles of the last 48 hours.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use cms_core::articles::feeds;

use super::layout::SiteContext;
use super::seo::LANGUAGE;
use super::{not_found, respond_not_found, xml};
use crate::error::WebResult;
use crate::render;
use crate::state::AppState;
use crate::util;

/// One `<sitemap>` of the index or `<url>` of a sitemap.
pub struct LocView {
    pub loc: String,
    /// W3C datetime, or empty.
    pub lastmod: String,
}

#[derive(Template)]
#[template(path = "feeds/sitemap_index.xml")]
struct SitemapIndex {
    sitemaps: Vec<LocView>,
}

#[derive(Template)]
#[template(path = "feeds/urlset.xml")]
struct UrlSet {
    urls: Vec<LocView>,
}

pub struct NewsView {
    pub loc: String,
    pub title: String,
    pub published: String,
}

#[derive(Template)]
#[template(path = "feeds/news.xml")]
struct NewsSitemap {
    /// The site's title.
    publication: String,
    language: &'static str,
    articles: Vec<NewsView>,
}

/// `/sitemap.xml`.
pub async fn index(state: web::Data<AppState>, req: HttpRequest) -> WebResult<HttpResponse> {
    let (site, pages) = state
        .db(|conn| {
            let site = SiteContext::load(conn)?;
            let size = feeds::sitemap_page_size(conn)?;
            Ok((site, feeds::sitemap_pages(conn, size)?))
        })
        .await?;
    let base = site.base_url();
    let mut sitemaps = vec![LocView {
        loc: format!("{base}/sitemaps/pages.xml"),
        lastmod: String::new(),
    }];
    sitemaps.extend(pages.iter().map(|p| LocView {
        loc: format!("{base}/sitemaps/articles-{}.xml", p.number),
        lastmod: p.lastmod.map(util::iso).unwrap_or_default(),
    }));
    sitemaps.push(LocView {
        loc: format!("{base}/sitemaps/news.xml"),
        lastmod: String::new(),
    });
    let modified = pages.iter().filter_map(|p| p.lastmod).max();
    xml::respond(&req, &SitemapIndex { sitemaps }, modified, xml::XML)
}

/// `/sitemaps/pages.xml`.
pub async fn pages(state: web::Data<AppState>, req: HttpRequest) -> WebResult<HttpResponse> {
    let (site, listing) = state
        .db(|conn| Ok((SiteContext::load(conn)?, feeds::listing_pages(conn)?)))
        .await?;
    let base = site.base_url();
    let home_modified = listing.home.max(site.nav_modified());
    let mut urls = vec![LocView {
        loc: format!("{base}/"),
        lastmod: home_modified.map(util::iso).unwrap_or_default(),
    }];
    urls.extend(listing.categories.iter().map(|(c, lastmod)| LocView {
        loc: format!("{base}/category/{}", c.slug),
        lastmod: util::iso(*lastmod),
    }));
    urls.extend(listing.authors.iter().map(|(u, lastmod)| LocView {
        loc: format!("{base}/author/{}", u.slug),
        lastmod: util::iso(*lastmod),
    }));
    let modified = listing
        .categories
        .iter()
        .map(|(_, m)| *m)
        .chain(listing.authors.iter().map(|(_, m)| *m))
        .max()
        .max(home_modified);
    xml::respond(&req, &UrlSet { urls }, modified, xml::XML)
}

/// `/sitemaps/articles-{n}.xml`: 404 for a page without public articles.
pub async fn articles(
    state: web::Data<AppState>,
    req: HttpRequest,
    number: web::Path<String>,
) -> WebResult<HttpResponse> {
    let Some(number) = number
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 1 && !number.starts_with('0'))
    else {
        return Ok(not_found(req).await);
    };
    let (site, rows) = state
        .db(move |conn| {
            let site = SiteContext::load(conn)?;
            let size = feeds::sitemap_page_size(conn)?;
            Ok((site, feeds::sitemap_articles(conn, number, size)?))
        })
        .await?;
    if rows.is_empty() {
        return respond_not_found(&req, &site);
    }
    let base = site.base_url();
    let modified = rows.iter().map(|r| r.updated_at).max();
    let urls = rows
        .iter()
        .map(|r| LocView {
            loc: format!("{base}/articles/{}", r.slug),
            lastmod: util::iso(r.updated_at),
        })
        .collect();
    xml::respond(&req, &UrlSet { urls }, modified, xml::XML)
}

/// `/sitemaps/news.xml`: may be empty (a quiet weekend), never a 404.
pub async fn news(state: web::Data<AppState>, req: HttpRequest) -> WebResult<HttpResponse> {
    let (site, rows) = state
        .db(|conn| Ok((SiteContext::load(conn)?, feeds::news(conn)?)))
        .await?;
    let base = site.base_url();
    let modified = rows.iter().map(|r| r.published_at).max();
    let page = NewsSitemap {
        publication: xml::text(&site.settings.title),
        language: LANGUAGE,
        articles: rows
            .iter()
            .map(|r| NewsView {
                loc: format!("{base}/articles/{}", r.slug),
                title: xml::text(&r.title),
                published: util::iso(r.published_at),
            })
            .collect(),
    };
    xml::respond(&req, &page, modified, xml::XML)
}

/// `/robots.txt`: everything but the admin panel and the Admin API may be
/// crawled; the sitemap index is named with its absolute URL.
pub async fn robots(state: web::Data<AppState>, req: HttpRequest) -> WebResult<HttpResponse> {
    let site = state.db(SiteContext::load).await?;
    Ok(render::public_body_typed(
        &req,
        robots_txt(site.base_url()),
        None,
        StatusCode::OK,
        xml::TEXT,
    ))
}

fn robots_txt(base_url: &str) -> String {
    // A line break in the stored base URL must not become a directive.
    let base: String = base_url.chars().filter(|c| !c.is_control()).collect();
    format!(
        "User-agent: *\n\
         Allow: /\n\
         Disallow: /admin\n\
         Disallow: /api/v1/admin\n\
         \n\
         Sitemap: {base}/sitemap.xml\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robots_names_the_sitemap() {
        let txt = robots_txt("https://news.example\n\nDisallow: /");
        assert!(txt.contains("Sitemap: https://news.exampleDisallow: //sitemap.xml\n"));
        assert_eq!(
            txt.lines().filter(|l| l.starts_with("Disallow:")).count(),
            2
        );
    }
}
