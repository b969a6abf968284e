//! RSS 2.0 and Atom feeds of the whole site, of each category and of each
//! author: `/feed.xml`, `/atom.xml`, `/category/{slug}/feed.xml`, … The
//! latest [`FEED_ITEMS`] public articles, newest first, with the standfirst
//! as the summary and the whole text (every section, headings included) as
//! the content.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;
use cms_core::articles::feeds::{self, FeedEntry, FEED_ITEMS};
use cms_core::articles::public::{self, Scope};
use cms_core::{categories, slugs, users};

use super::layout::SiteContext;
use super::seo::LANGUAGE;
use super::{not_found, respond_not_found, xml};
use crate::error::WebResult;
use crate::media::view::ShareImage;
use crate::state::AppState;
use crate::util;

/// Which articles a feed carries.
enum Source {
    Site,
    Category(String),
    Author(String),
}

#[derive(Clone, Copy)]
enum Format {
    Rss,
    Atom,
}

/// One feed, every string already made safe for XML.
pub struct FeedView {
    pub title: String,
    pub description: String,
    /// The HTML page this feed follows (home, category or author page).
    pub html_url: String,
    /// The feed's own URL (also the Atom feed's `id`).
    pub self_url: String,
    pub language: &'static str,
    pub updated_rfc822: String,
    pub updated_iso: String,
    pub items: Vec<ItemView>,
}

pub struct ItemView {
    pub title: String,
    /// The permalink (also the `guid` and the Atom `id`).
    pub url: String,
    pub author_name: String,
    pub author_url: String,
    /// Empty when the article has no category.
    pub category_name: String,
    pub category_slug: String,
    pub category_url: String,
    /// The standfirst.
    pub summary: String,
    /// The whole text as HTML (Atom escapes it).
    pub content_html: String,
    /// The same HTML as a CDATA section (RSS `content:encoded`).
    pub content_cdata: String,
    pub published_rfc822: String,
    pub published_iso: String,
    pub updated_iso: String,
    /// The cover image (largest size, absolute URL): RSS `<enclosure>`, Atom
    /// `<link rel="enclosure">`, and an `<img>` at the top of the content.
    pub image: Option<FeedImage>,
}

/// A cover image in a feed, its strings XML-safe.
pub struct FeedImage {
    pub url: String,
    pub mime: String,
    pub bytes: u64,
}

/// The cover as the first thing in an item's HTML (feed readers show it).
fn cover_html(image: &ShareImage) -> String {
    format!(
        "<p><img src=\"{}\" alt=\"{}\" width=\"{}\" height=\"{}\"></p>\n",
        escape_html(&image.url),
        escape_html(&image.alt),
        image.width,
        image.height
    )
}

#[derive(Template)]
#[template(path = "feeds/rss.xml")]
struct RssFeed {
    feed: FeedView,
}

#[derive(Template)]
#[template(path = "feeds/atom.xml")]
struct AtomFeed {
    feed: FeedView,
    /// The category scheme (`{base}/category/`).
    category_scheme: String,
}

/// What a feed says about itself besides its items.
struct FeedMeta {
    title: String,
    description: String,
    /// `""` for the site, `/category/city`, `/author/ada`.
    path: String,
    /// When the category or author itself last changed.
    updated: Option<NaiveDateTime>,
}

/// An article's text as one HTML document: each section's heading as `<h2>`,
/// then its body (sanitised when saved), links made absolute.
fn content_html(entry: &FeedEntry, base_url: &str) -> String {
    let mut html = String::new();
    for s in &entry.sections {
        if let Some(h) = s.heading.as_deref().filter(|h| !h.is_empty()) {
            html.push_str("<h2>");
            html.push_str(&escape_html(h));
            html.push_str("</h2>\n");
        }
        html.push_str(&s.body_html);
        html.push('\n');
    }
    xml::absolute_links(&html, base_url)
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

impl ItemView {
    fn new(entry: &FeedEntry, base_url: &str) -> Self {
        let a = &entry.article;
        let published = a.published_at.unwrap_or(a.created_at);
        let share = entry
            .cover
            .as_ref()
            .and_then(|m| ShareImage::new(m, base_url));
        let mut body = share.as_ref().map(cover_html).unwrap_or_default();
        body.push_str(&content_html(entry, base_url));
        let html = xml::text(&body);
        let category_slug = entry.category_slug.clone().unwrap_or_default();
        ItemView {
            title: xml::text(&a.title),
            url: format!("{base_url}/articles/{}", a.slug),
            author_name: xml::text(&entry.author_name),
            author_url: format!("{base_url}/author/{}", entry.author_slug),
            category_name: xml::text(entry.category_name.as_deref().unwrap_or_default()),
            category_url: if category_slug.is_empty() {
                String::new()
            } else {
                format!("{base_url}/category/{category_slug}")
            },
            category_slug,
            summary: xml::text(&a.standfirst),
            content_cdata: xml::cdata(&html),
            content_html: html,
            published_rfc822: xml::rfc822(published),
            published_iso: util::iso(published),
            updated_iso: util::iso(a.updated_at.max(published)),
            image: share.map(|i| FeedImage {
                url: xml::text(&i.url),
                mime: i.mime,
                bytes: i.bytes,
            }),
        }
    }
}

impl FeedView {
    fn new(site: &SiteContext, meta: &FeedMeta, entries: &[FeedEntry], format: Format) -> Self {
        let base = site.base_url();
        let file = match format {
            Format::Rss => "feed.xml",
            Format::Atom => "atom.xml",
        };
        let html_url = if meta.path.is_empty() {
            format!("{base}/")
        } else {
            format!("{base}{}", meta.path)
        };
        // Without any entry or timestamp, a fixed date keeps the feed (and its
        // ETag) the same from one request to the next.
        let updated = last_modified(meta, entries).unwrap_or_default();
        FeedView {
            title: xml::text(&meta.title),
            description: xml::text(if meta.description.trim().is_empty() {
                &meta.title
            } else {
                &meta.description
            }),
            self_url: format!("{base}{}/{file}", meta.path),
            html_url,
            language: LANGUAGE,
            updated_rfc822: xml::rfc822(updated),
            updated_iso: util::iso(updated),
            items: entries.iter().map(|e| ItemView::new(e, base)).collect(),
        }
    }
}

/// The newest change to anything the feed shows.
fn last_modified(meta: &FeedMeta, entries: &[FeedEntry]) -> Option<NaiveDateTime> {
    entries
        .iter()
        .map(|e| e.article.updated_at)
        .chain(meta.updated)
        .max()
}

pub async fn site_rss(state: web::Data<AppState>, req: HttpRequest) -> WebResult<HttpResponse> {
    feed(state, req, Source::Site, Format::Rss).await
}

pub async fn site_atom(state: web::Data<AppState>, req: HttpRequest) -> WebResult<HttpResponse> {
    feed(state, req, Source::Site, Format::Atom).await
}

pub async fn category_rss(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> WebResult<HttpResponse> {
    feed(state, req, Source::Category(slug.into_inner()), Format::Rss).await
}

pub async fn category_atom(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> WebResult<HttpResponse> {
    feed(
        state,
        req,
        Source::Category(slug.into_inner()),
        Format::Atom,
    )
    .await
}

pub async fn author_rss(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> WebResult<HttpResponse> {
    feed(state, req, Source::Author(slug.into_inner()), Format::Rss).await
}

pub async fn author_atom(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> WebResult<HttpResponse> {
    feed(state, req, Source::Author(slug.into_inner()), Format::Atom).await
}

async fn feed(
    state: web::Data<AppState>,
    req: HttpRequest,
    source: Source,
    format: Format,
) -> WebResult<HttpResponse> {
    if let Source::Category(slug) | Source::Author(slug) = &source {
        if slugs::validate(slug).is_err() {
            return Ok(not_found(req).await);
        }
    }
    let (site, found) = state
        .db(move |conn| {
            let site = SiteContext::load(conn)?;
            let site_title = site.settings.title.clone();
            let (scope, meta) = match source {
                Source::Site => (
                    Scope::All,
                    FeedMeta {
                        title: site_title,
                        description: site.settings.description.clone(),
                        path: String::new(),
                        updated: None,
                    },
                ),
                Source::Category(slug) => {
                    let Some(c) = categories::find_by_slug(conn, &slug)? else {
                        return Ok((site, None));
                    };
                    (
                        Scope::Category(c.id),
                        FeedMeta {
                            title: format!("{} · {site_title}", c.name),
                            description: c.description,
                            path: format!("/category/{}", c.slug),
                            updated: Some(c.updated_at),
                        },
                    )
                }
                Source::Author(slug) => {
                    let Some(u) = users::find_by_slug(conn, &slug)? else {
                        return Ok((site, None));
                    };
                    // Staff without public work have no public page, nor feed.
                    if !public::author_has_public(conn, u.id)? {
                        return Ok((site, None));
                    }
                    (
                        Scope::Author(u.id),
                        FeedMeta {
                            title: format!("{} · {site_title}", u.display_name),
                            description: u.bio,
                            path: format!("/author/{}", u.slug),
                            updated: Some(u.updated_at),
                        },
                    )
                }
            };
            let entries = feeds::latest(conn, scope, FEED_ITEMS)?;
            Ok((site, Some((meta, entries))))
        })
        .await?;
    let Some((meta, entries)) = found else {
        return respond_not_found(&req, &site);
    };
    let modified = last_modified(&meta, &entries);
    let view = FeedView::new(&site, &meta, &entries, format);
    match format {
        Format::Rss => xml::respond(&req, &RssFeed { feed: view }, modified, xml::RSS),
        Format::Atom => {
            let page = AtomFeed {
                category_scheme: format!("{}/category/", site.base_url()),
                feed: view,
            };
            xml::respond(&req, &page, modified, xml::ATOM)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_headings() {
        assert_eq!(
            escape_html(r#"<b>"A" & 'B'</b>"#),
            "&lt;b&gt;&quot;A&quot; &amp; &#39;B&#39;&lt;/b&gt;"
        );
    }
}
