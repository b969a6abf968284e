//! Extension points the page code calls: widget slots and the page-view
//! observation. The plugin platform implements [`SiteHooks`]; until a plugin
//! is loaded, [`NoHooks`] renders empty slots and ignores views.

use serde::Serialize;

/// Named places in the public templates where widgets render.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Slot {
    /// Beside the article on article pages.
    Sidebar,
    /// Below the article body (e.g. "Related News").
    AfterArticle,
    /// Beside the listing on the home page.
    HomeSidebar,
}

impl Slot {
    pub fn as_str(self) -> &'static str {
        match self {
            Slot::Sidebar => "sidebar",
            Slot::AfterArticle => "after_article",
            Slot::HomeSidebar => "home_sidebar",
        }
    }
}

/// What a widget may know about the page it renders on.
#[derive(Debug, Clone, Serialize)]
pub struct WidgetContext {
    pub slot: Slot,
    pub site_title: String,
    pub base_url: String,
    /// The article being shown, if any.
    pub article_id: Option<i32>,
    pub category_id: Option<i32>,
    pub path: String,
}

/// One observed public page view (the single place views are reported).
#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    pub article_id: Option<i32>,
    pub path: String,
    pub user_agent: String,
    /// A logged-in staff member viewing the public site.
    pub is_staff: bool,
    /// Salted hash of the client address; the raw address never leaves the host.
    pub visitor_hash: String,
}

pub trait SiteHooks: Send + Sync {
    /// HTML fragments for a slot, already safe to embed.
    fn widgets(&self, ctx: &WidgetContext) -> Vec<String>;
    /// Called once per public page served; must not block.
    fn page_view(&self, view: PageView);
}

/// No plugins: empty slots, views ignored.
pub struct NoHooks;

impl SiteHooks for NoHooks {
    fn widgets(&self, _ctx: &WidgetContext) -> Vec<String> {
        Vec::new()
    }
    fn page_view(&self, _view: PageView) {}
}
