//! The public layout (`templates/public/base.html`): masthead, category
//! navigation, canonical URL and footer, shared by every public page.

use chrono::NaiveDateTime;
use cms_core::categories::{self, Category};
use cms_core::settings::{self, SiteSettings};
use cms_core::{CoreResult, DbConnection};

use super::cards::Pagination;

/// What every public page needs from the database besides its own content:
/// the site settings and the categories for the navigation. Loaded inside the
/// page's own `state.db` call, so a page costs one trip to the blocking pool.
pub struct SiteContext {
    pub settings: SiteSettings,
    pub categories: Vec<Category>,
}

impl SiteContext {
    pub fn load(conn: &mut DbConnection) -> CoreResult<Self> {
        Ok(Self {
            settings: settings::load(conn)?,
            categories: categories::list(conn)?,
        })
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        self.settings.tz()
    }

    /// The base URL without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.settings.base_url.trim_end_matches('/')
    }

    /// When the navigation last changed (a renamed category changes every page).
    pub fn nav_modified(&self) -> Option<NaiveDateTime> {
        self.categories.iter().map(|c| c.updated_at).max()
    }
}

/// One entry of the category navigation.
pub struct NavLink {
    pub name: String,
    pub href: String,
    /// This entry is the page being shown (`aria-current="page"`).
    pub current: bool,
}

/// A feed offered in the page head (`<link rel="alternate">`).
pub struct FeedLink {
    pub title: String,
    /// Absolute URL.
    pub href: String,
    /// `application/rss+xml` or `application/atom+xml`.
    pub mime: &'static str,
}

impl FeedLink {
    /// The RSS and Atom feeds of the listing at `base_path` (`""` for the
    /// whole site, `/category/city`, `/author/ada`), titled `title`.
    pub fn pair(site: &SiteContext, base_path: &str, title: &str) -> [FeedLink; 2] {
        let base = format!("{}{base_path}", site.base_url());
        [
            FeedLink {
                title: format!("{title} (RSS)"),
                href: format!("{base}/feed.xml"),
                mime: "application/rss+xml",
            },
            FeedLink {
                title: format!("{title} (Atom)"),
                href: format!("{base}/atom.xml"),
                mime: "application/atom+xml",
            },
        ]
    }
}

/// Layout context for `public/base.html`.
pub struct PublicLayout {
    pub site_title: String,
    pub site_description: String,
    /// Empty on the home page, whose `<title>` is the site title alone.
    pub page_title: String,
    /// `<meta name="description">`.
    pub description: String,
    /// Absolute canonical URL; `None` on error pages.
    pub canonical: Option<String>,
    /// Open Graph type: `website` or `article`.
    pub og_type: &'static str,
    pub home_current: bool,
    pub nav: Vec<NavLink>,
    /// `<link rel="prev/next">` for paginated listings.
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    /// Error pages must not be indexed.
    pub noindex: bool,
    /// Feed discovery: the site's feeds, then the page's own (category, author).
    pub feeds: Vec<FeedLink>,
    /// Absolute URL of the page's share image (`og:image`, a large Twitter
    /// card); `None` shows a small card without an image.
    pub image_url: Option<String>,
    /// Its size in pixels (`og:image:width`/`height`; 0 when unknown) and alt text.
    pub image_width: u32,
    pub image_height: u32,
    pub image_alt: String,
    pub asset_version: String,
    /// The current year in the site's timezone, for the footer.
    pub year: String,
}

impl PublicLayout {
    /// A layout for the page at `path` (`/category/city`, `/?page=2`, …),
    /// which also becomes the canonical URL.
    pub fn new(site: &SiteContext, path: &str, page_title: impl Into<String>) -> Self {
        let path_only = path.split('?').next().unwrap_or(path);
        let nav = site
            .categories
            .iter()
            .map(|c| {
                let href = format!("/category/{}", c.slug);
                NavLink {
                    current: href == path_only,
                    name: c.name.clone(),
                    href,
                }
            })
            .collect();
        Self {
            site_title: site.settings.title.clone(),
            site_description: site.settings.description.clone(),
            page_title: page_title.into(),
            description: site.settings.description.clone(),
            canonical: Some(format!("{}{}", site.base_url(), path)),
            og_type: "website",
            home_current: path_only == "/",
            nav,
            prev_href: None,
            next_href: None,
            noindex: false,
            feeds: FeedLink::pair(site, "", &site.settings.title).into(),
            image_url: None,
            image_width: 0,
            image_height: 0,
            image_alt: String::new(),
            asset_version: crate::assets::VERSION.clone(),
            year: chrono::Utc::now()
                .with_timezone(&site.tz())
                .format("%Y")
                .to_string(),
        }
    }

    /// Replaces the meta description (kept if `text` is blank).
    pub fn with_description(mut self, text: &str) -> Self {
        let text = text.trim();
        if !text.is_empty() {
            self.description = text.chars().take(300).collect();
        }
        self
    }

    /// The page's share image (a cover from the media library).
    pub fn with_image(mut self, image: Option<&crate::media::view::ShareImage>) -> Self {
        if let Some(i) = image {
            self.image_url = Some(i.url.clone());
            self.image_width = i.width;
            self.image_height = i.height;
            self.image_alt = i.alt.clone();
        }
        self
    }

    pub fn as_article(mut self) -> Self {
        self.og_type = "article";
        self
    }

    /// Adds the RSS and Atom feeds of the listing at `base_path`.
    pub fn with_feeds(mut self, site: &SiteContext, base_path: &str, title: &str) -> Self {
        self.feeds.extend(FeedLink::pair(site, base_path, title));
        self
    }

    /// The Twitter card type: a large image when there is one.
    pub fn twitter_card(&self) -> &'static str {
        if self.image_url.is_some() {
            "summary_large_image"
        } else {
            "summary"
        }
    }

    /// `og:title`: the page's own title, or the site's on the home page.
    pub fn og_title(&self) -> &str {
        if self.page_title.is_empty() {
            &self.site_title
        } else {
            &self.page_title
        }
    }

    pub fn with_pagination(mut self, p: &Pagination) -> Self {
        self.prev_href = p.prev.clone();
        self.next_href = p.next.clone();
        self
    }

    /// For the 404 page: no canonical URL, not indexed.
    pub fn for_error(mut self) -> Self {
        self.canonical = None;
        self.noindex = true;
        self
    }

    /// The full `<title>`.
    pub fn title(&self) -> String {
        if self.page_title.is_empty() {
            self.site_title.clone()
        } else {
            format!("{} · {}", self.page_title, self.site_title)
        }
    }
}
