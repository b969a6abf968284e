//! `/category/{slug}` and `/author/{slug}`: a heading, the description or
//! bio, and the paginated list of that category's or author's articles.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use cms_core::articles::public::{self, Scope};
use cms_core::{categories, slugs, users};

use super::cards::{page_number, page_path, CardView, Pagination};
use super::layout::{PublicLayout, SiteContext};
use super::{not_found, respond_not_found};
use crate::error::WebResult;
use crate::render;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "public/category.html")]
struct CategoryPage {
    layout: PublicLayout,
    name: String,
    /// The description, split into paragraphs.
    description: Vec<String>,
    cards: Vec<CardView>,
    pagination: Pagination,
}

#[derive(Template)]
#[template(path = "public/author.html")]
struct AuthorPage {
    layout: PublicLayout,
    name: String,
    /// The bio, split into paragraphs.
    bio: Vec<String>,
    cards: Vec<CardView>,
    pagination: Pagination,
}

/// The page number and slug of a listing request, or `None` for a URL that
/// cannot name one (saves a database lookup for obvious junk).
fn listing_params(req: &HttpRequest, slug: &str) -> Option<i64> {
    if slugs::validate(slug).is_err() {
        return None;
    }
    page_number(req.query_string())
}

/// Plain text split at blank lines (descriptions and bios are not Markdown).
fn paragraphs(text: &str) -> Vec<String> {
    text.replace("\r\n", "\n")
        .split("\n\n")
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

pub async fn category(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> WebResult<HttpResponse> {
    let slug = slug.into_inner();
    let Some(page) = listing_params(&req, &slug) else {
        return Ok(not_found(req).await);
    };
    let (site, found) = state
        .db(move |conn| {
            let site = SiteContext::load(conn)?;
            let Some(cat) = categories::find_by_slug(conn, &slug)? else {
                return Ok((site, None));
            };
            let listing =
                public::listing(conn, Scope::Category(cat.id), page, site.settings.per_page)?;
            let modified = public::last_modified(conn)?;
            Ok((site, Some((cat, listing, modified))))
        })
        .await?;
    let Some((cat, listing, modified)) = found else {
        return respond_not_found(&req, &site);
    };
    if listing.items.is_empty() && page > 1 {
        return respond_not_found(&req, &site);
    }
    let base = format!("/category/{}", cat.slug);
    let pagination = Pagination::new(&base, page, listing.has_next);
    let title = if page > 1 {
        format!("{}, page {page}", cat.name)
    } else {
        cat.name.clone()
    };
    let view = CategoryPage {
        layout: PublicLayout::new(&site, &page_path(&base, page), title)
            .with_description(&cat.description)
            .with_feeds(
                &site,
                &base,
                &format!("{} · {}", cat.name, site.settings.title),
            )
            .with_pagination(&pagination),
        name: cat.name,
        description: paragraphs(&cat.description),
        cards: CardView::list(&listing.items, site.tz()),
        pagination,
    };
    let modified = modified.max(Some(cat.updated_at)).max(site.nav_modified());
    render::public(&req, &view, modified)
}

pub async fn author(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> WebResult<HttpResponse> {
    let slug = slug.into_inner();
    let Some(page) = listing_params(&req, &slug) else {
        return Ok(not_found(req).await);
    };
    let (site, found) = state
        .db(move |conn| {
            let site = SiteContext::load(conn)?;
            let Some(user) = users::find_by_slug(conn, &slug)? else {
                return Ok((site, None));
            };
            let listing =
                public::listing(conn, Scope::Author(user.id), page, site.settings.per_page)?;
            let modified = public::last_modified(conn)?;
            Ok((site, Some((user, listing, modified))))
        })
        .await?;
    let Some((user, listing, modified)) = found else {
        return respond_not_found(&req, &site);
    };
    // A user without public articles has no public page: staff accounts that
    // never published are not listed or revealed.
    if listing.items.is_empty() {
        return respond_not_found(&req, &site);
    }
    let base = format!("/author/{}", user.slug);
    let pagination = Pagination::new(&base, page, listing.has_next);
    let title = if page > 1 {
        format!("{}, page {page}", user.display_name)
    } else {
        user.display_name.clone()
    };
    let mut layout = PublicLayout::new(&site, &page_path(&base, page), title)
        .with_description(&user.bio)
        .with_pagination(&pagination);
    let feed_title = format!("{} · {}", user.display_name, site.settings.title);
    layout = layout.with_feeds(&site, &base, &feed_title);
    let view = AuthorPage {
        layout,
        name: user.display_name,
        bio: paragraphs(&user.bio),
        cards: CardView::list(&listing.items, site.tz()),
        pagination,
    };
    let modified = modified.max(Some(user.updated_at)).max(site.nav_modified());
    render::public(&req, &view, modified)
}
