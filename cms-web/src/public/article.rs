//! `/articles/{slug}`: one published article with its table of contents,
//! sections, related news and widget slots.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{Duration, NaiveDateTime};
use cms_core::articles::{public, ArticleFull, RelatedLink};
use cms_core::slugs;

use super::layout::{PublicLayout, SiteContext};
use super::seo::ArticleSeo;
use super::{not_found, respond_not_found, views};
use crate::auth::MaybeAuthed;
use crate::error::WebResult;
use crate::hooks::{Slot, WidgetContext};
use crate::media::view::{ShareImage, COVER_SIZES};
use crate::media::ImageView;
use crate::render;
use crate::state::AppState;
use crate::util;

/// A table of contents appears only when there is something to navigate.
const MIN_TOC_ENTRIES: usize = 2;

/// An edit this long after publication is shown as "Updated …".
const UPDATE_NOTICE_AFTER: Duration = Duration::minutes(30);

pub struct TocEntry {
    pub anchor: String,
    pub heading: String,
}

pub struct SectionView {
    /// Empty for an untitled section (the intro).
    pub heading: String,
    pub anchor: String,
    /// Rendered and sanitised when the article was saved.
    pub html: String,
}

/// A "Related News" entry.
pub struct RelatedView {
    pub title: String,
    pub href: String,
    pub is_external: bool,
    /// Internal links: the target's author and date.
    pub author_name: String,
    pub date: String,
    pub date_iso: String,
    /// External links: the host shown instead, e.g. `example.org`.
    pub domain: String,
}

impl RelatedView {
    fn new(link: &RelatedLink, tz: chrono_tz::Tz) -> Self {
        if link.is_external() {
            RelatedView {
                title: link.title.clone(),
                href: link.url.clone(),
                is_external: true,
                author_name: String::new(),
                date: String::new(),
                date_iso: String::new(),
                domain: domain_of(&link.url),
            }
        } else {
            RelatedView {
                title: link.title.clone(),
                href: format!("/articles/{}", link.slug),
                is_external: false,
                author_name: link.author_name.clone(),
                date: link
                    .published_at
                    .map(|t| util::date_long(t, tz))
                    .unwrap_or_default(),
                date_iso: link.published_at.map(util::iso).unwrap_or_default(),
                domain: String::new(),
            }
        }
    }
}

/// `https://www.example.org/x` → `example.org`.
fn domain_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| h.trim_start_matches("www.").to_owned())
        })
        .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "public/article.html")]
struct ArticlePage {
    layout: PublicLayout,
    title: String,
    standfirst: String,
    author_name: String,
    author_href: String,
    /// Empty when the article has no category.
    category_name: String,
    category_href: String,
    published: String,
    published_iso: String,
    /// Empty unless the article was edited well after publication.
    updated: String,
    updated_iso: String,
    reading_minutes: usize,
    toc: Vec<TocEntry>,
    sections: Vec<SectionView>,
    related: Vec<RelatedView>,
    is_sample: bool,
    /// HTML fragments from plugins for [`Slot::Sidebar`] and [`Slot::AfterArticle`].
    sidebar_widgets: Vec<String>,
    after_widgets: Vec<String>,
    /// `article:*` tags and the JSON-LD block.
    seo: ArticleSeo,
    /// The cover image, eagerly loaded (it is the first thing on the page).
    cover: Option<ImageView>,
}

impl ArticlePage {
    fn new(site: &SiteContext, full: &ArticleFull, widgets: Widgets) -> Self {
        let tz = site.tz();
        let a = &full.article;
        let published_at = a.published_at.unwrap_or(a.created_at);
        let edited = a.updated_at > published_at + UPDATE_NOTICE_AFTER;
        let toc: Vec<TocEntry> = full
            .sections
            .iter()
            .filter_map(|s| {
                s.heading.as_ref().map(|h| TocEntry {
                    anchor: s.anchor.clone(),
                    heading: h.clone(),
                })
            })
            .collect();
        let path = format!("/articles/{}", a.slug);
        let mut layout = PublicLayout::new(site, &path, a.seo_title())
            .with_description(a.seo_description())
            .as_article();
        let canonical = format!("{}{path}", site.base_url());
        // The cover image: on the page, and (largest size, absolute) on share cards.
        let share = full
            .cover
            .as_ref()
            .and_then(|m| ShareImage::new(m, site.base_url()));
        let seo = ArticleSeo::new(
            site,
            full,
            &canonical,
            share.as_ref().map(|s| s.url.clone()),
        );
        layout = layout.with_image(share.as_ref());
        ArticlePage {
            layout,
            title: a.title.clone(),
            standfirst: a.standfirst.clone(),
            author_name: full.author.display_name.clone(),
            author_href: format!("/author/{}", full.author.slug),
            category_name: full
                .category
                .as_ref()
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            category_href: full
                .category
                .as_ref()
                .map(|c| format!("/category/{}", c.slug))
                .unwrap_or_default(),
            published: util::date_time(published_at, tz),
            published_iso: util::iso(published_at),
            updated: if edited {
                util::date_time(a.updated_at, tz)
            } else {
                String::new()
            },
            updated_iso: if edited {
                util::iso(a.updated_at)
            } else {
                String::new()
            },
            reading_minutes: full.reading_minutes(),
            toc: if toc.len() >= MIN_TOC_ENTRIES {
                toc
            } else {
                Vec::new()
            },
            sections: full
                .sections
                .iter()
                .map(|s| SectionView {
                    heading: s.heading.clone().unwrap_or_default(),
                    anchor: s.anchor.clone(),
                    html: s.body_html.clone(),
                })
                .collect(),
            related: if widgets.replaces_related {
                Vec::new()
            } else {
                full.links.iter().map(|l| RelatedView::new(l, tz)).collect()
            },
            is_sample: a.is_sample,
            sidebar_widgets: widgets.sidebar,
            after_widgets: widgets.after_article,
            seo,
            cover: full
                .cover
                .as_ref()
                .and_then(|m| ImageView::new(m, COVER_SIZES)),
        }
    }

    /// The newest change to anything shown: the article, its author's name,
    /// its category, the navigation.
    fn last_modified(site: &SiteContext, full: &ArticleFull) -> Option<NaiveDateTime> {
        [
            Some(full.article.updated_at),
            Some(full.author.updated_at),
            full.category.as_ref().map(|c| c.updated_at),
            site.nav_modified(),
        ]
        .into_iter()
        .flatten()
        .max()
    }
}

struct Widgets {
    sidebar: Vec<String>,
    after_article: Vec<String>,
    /// An enabled plugin (related-news) renders Related News itself.
    replaces_related: bool,
}

/// The article page. `who` only tells the page-view hook whether a staff
/// member is looking; the page itself is identical for everyone.
pub async fn article(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    who: MaybeAuthed,
) -> WebResult<HttpResponse> {
    let slug = slug.into_inner();
    if slugs::validate(&slug).is_err() {
        return Ok(not_found(req).await);
    }
    let hooks = state.hooks.clone();
    let path = req.path().to_owned();
    let (site, found) = state
        .db(move |conn| {
            let site = SiteContext::load(conn)?;
            let Some(full) = public::by_slug(conn, &slug)? else {
                return Ok((site, None));
            };
            // Plugins run here, on the blocking pool, never on an async worker.
            let ctx = |slot| WidgetContext {
                slot,
                site_title: site.settings.title.clone(),
                base_url: site.base_url().to_owned(),
                article_id: Some(full.article.id),
                category_id: full.article.category_id,
                path: path.clone(),
            };
            let widgets = Widgets {
                sidebar: hooks.widgets(&ctx(Slot::Sidebar)),
                after_article: hooks.widgets(&ctx(Slot::AfterArticle)),
                replaces_related: hooks.replaces_block("related_news"),
            };
            Ok((site, Some((full, widgets))))
        })
        .await?;
    let Some((full, widgets)) = found else {
        return respond_not_found(&req, &site);
    };
    let modified = ArticlePage::last_modified(&site, &full);
    let page = ArticlePage::new(&site, &full, widgets);
    let mut resp = render::public(&req, &page, modified)?;
    if resp.status() == actix_web::http::StatusCode::OK {
        // Cache hits count the view in the cache layer, by this id.
        if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&full.article.id.to_string())
        {
            resp.headers_mut().insert(
                actix_web::http::header::HeaderName::from_static(crate::cache::CACHEABLE),
                v,
            );
        }
    }
    // Counted for 200 and 304 alike: a revalidated revisit is still a view.
    views::observe(&state, &req, full.article.id, who.0.is_some(), None);
    Ok(resp)
}

/// The editor's preview: an unsaved article rendered by exactly the same
/// template, layout and widget slots as the public page. Never cached, never
/// counted as a view, never indexed.
pub async fn preview(state: &AppState, full: ArticleFull) -> WebResult<HttpResponse> {
    let hooks = state.hooks.clone();
    let path = format!("/articles/{}", full.article.slug);
    let (site, full, widgets) = state
        .db(move |conn| {
            let site = SiteContext::load(conn)?;
            let ctx = |slot| WidgetContext {
                slot,
                site_title: site.settings.title.clone(),
                base_url: site.base_url().to_owned(),
                article_id: Some(full.article.id).filter(|id| *id > 0),
                category_id: full.article.category_id,
                path: path.clone(),
            };
            let widgets = Widgets {
                sidebar: hooks.widgets(&ctx(Slot::Sidebar)),
                after_article: hooks.widgets(&ctx(Slot::AfterArticle)),
                replaces_related: hooks.replaces_block("related_news"),
            };
            Ok((site, full, widgets))
        })
        .await?;
    let page = ArticlePage::new(&site, &full, widgets);
    let body = render::render_string(&page)?;
    Ok(HttpResponse::Ok()
        .insert_header((
            actix_web::http::header::CONTENT_TYPE,
            "text/html; charset=utf-8",
        ))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .insert_header(("X-Robots-Tag", "noindex"))
        .body(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains() {
        assert_eq!(domain_of("https://www.example.org/a/b"), "example.org");
        assert_eq!(domain_of("http://news.example.com"), "news.example.com");
        assert_eq!(domain_of("not a url"), "");
    }
}
