//! Extension points the page code calls: widget slots, the page-view
//! observation and the article lifecycle. The plugin platform
//! (`crate::plugins::PluginHost`) implements [`SiteHooks`]; [`NoHooks`]
//! renders empty slots, ignores views and accepts every save.

use cms_core::articles::ArticleInput;
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
///
/// Made on a request thread and consumed on another, once per page view, so
/// it owns no memory of its own: the strings are shared (see
/// `public::views`), and the visitor hash stays a number until it is sent.
#[derive(Debug, Clone)]
pub struct PageView {
    pub article_id: Option<i32>,
    pub path: std::sync::Arc<str>,
    pub user_agent: std::sync::Arc<str>,
    /// A logged-in staff member viewing the public site.
    pub is_staff: bool,
    /// Keyed hash of the client address and the day; the raw address never
    /// leaves the host. Plugins receive it as 16 hex digits.
    pub visitor: u64,
    /// When it happened, in Unix seconds.
    pub at: i64,
}

/// An article about to be saved (`article_before_save`).
#[derive(Debug, Clone)]
pub struct BeforeSave {
    /// `None` for a new article.
    pub article_id: Option<i32>,
    /// `save`, `publish`, `schedule`, `unpublish` or `archive`.
    pub action: &'static str,
    pub user_id: i32,
    pub user_name: String,
    pub user_role: &'static str,
    pub input: ArticleInput,
}

/// What the `article_before_save` hooks decided.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveVerdict {
    /// Save the input as submitted.
    Accept,
    /// Save nothing; show `message` (next to `field` when given, e.g. `title`).
    Reject {
        message: String,
        field: Option<String>,
    },
    /// Save this amended input instead.
    Amend(ArticleInput),
}

/// A deleted article, for `article_after_delete`.
#[derive(Debug, Clone, Serialize)]
pub struct DeletedArticle {
    pub id: i32,
    pub title: String,
    pub slug: String,
}

pub trait SiteHooks: Send + Sync {
    /// HTML fragments for a slot, already safe to embed.
    fn widgets(&self, ctx: &WidgetContext) -> Vec<String>;
    /// Called once per public page served; must not block.
    fn page_view(&self, view: PageView);
    /// Whether anything listens to [`SiteHooks::page_view`]: when nothing
    /// does, a view is not even assembled.
    fn wants_page_views(&self) -> bool {
        true
    }
    /// Runs before an article is saved; may reject or amend. Blocking: call it
    /// from the blocking pool (inside `state.db`), never on an async worker.
    fn article_before_save(&self, _event: &BeforeSave) -> SaveVerdict {
        SaveVerdict::Accept
    }
    /// An article went live (published now, or a scheduled one came due).
    /// Never blocks: observers run in the background.
    fn article_after_publish(&self, _article_id: i32) {}
    /// An article was deleted. Never blocks.
    fn article_after_delete(&self, _article: &DeletedArticle) {}
    /// Whether an enabled plugin's widget replaces a built-in page block
    /// (`related_news`), so the page leaves its own version out.
    fn replaces_block(&self, _block: &str) -> bool {
        false
    }
}

/// No plugins: empty slots, views ignored.
pub struct NoHooks;

impl SiteHooks for NoHooks {
    fn widgets(&self, _ctx: &WidgetContext) -> Vec<String> {
        Vec::new()
    }
    fn page_view(&self, _view: PageView) {}
    fn wants_page_views(&self) -> bool {
        false
    }
}
