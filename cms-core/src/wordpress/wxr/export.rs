//! What a read export holds, as plain text fields: the channel's site URLs,
//! authors and categories, and one [`WxrItem`] per post, page, attachment,
//! menu item, ….

/// A `<wp:author>` of the channel.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WxrAuthor {
    pub login: String,
    pub email: String,
    pub display_name: String,
    pub first_name: String,
    pub last_name: String,
}

/// A `<wp:category>` of the channel.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WxrCategory {
    /// The URL name, as WordPress stores it (may be percent-encoded UTF-8).
    pub nicename: String,
    pub name: String,
    pub parent: String,
    pub description: String,
}

/// A `<category domain="…" nicename="…">Name</category>` of an item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WxrTerm {
    /// `category`, `post_tag`, `post_format`, …
    pub domain: String,
    pub nicename: String,
    pub name: String,
}

/// One `<item>`: the fields the importer uses, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WxrItem {
    /// Line of the `<item>` tag, for messages.
    pub line: u64,
    /// `wp:post_id`; `None` when missing or not a number.
    pub post_id: Option<i64>,
    pub title: String,
    /// The permalink (`<link>`).
    pub link: String,
    /// RSS `pubDate` (RFC 2822).
    pub pub_date: String,
    /// `dc:creator`: the author's login.
    pub creator: String,
    /// `content:encoded` (HTML, possibly with Gutenberg comments and shortcodes).
    pub content: String,
    /// `excerpt:encoded`.
    pub excerpt: String,
    /// `wp:post_date`, site-local `YYYY-MM-DD HH:MM:SS`.
    pub post_date: String,
    /// `wp:post_date_gmt`; `0000-00-00 00:00:00` for never-published drafts.
    pub post_date_gmt: String,
    pub post_modified_gmt: String,
    /// `wp:post_name` (may be empty for drafts, may be percent-encoded).
    pub post_name: String,
    /// `wp:status`: publish, future, draft, pending, private, trash, auto-draft, inherit.
    pub status: String,
    /// `wp:post_type`: post, page, attachment, nav_menu_item, …
    pub post_type: String,
    pub post_parent: Option<i64>,
    pub post_password: String,
    /// `wp:attachment_url` (attachments only).
    pub attachment_url: String,
    pub terms: Vec<WxrTerm>,
    /// `wp:postmeta` key/value pairs (custom fields), in order.
    pub meta: Vec<(String, String)>,
    /// How many `wp:comment`s the item carried (comments are not imported).
    pub comments: usize,
}

impl WxrItem {
    /// The first value of a custom field.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A whole export, read and checked.
#[derive(Debug, Clone, Default)]
pub struct WxrExport {
    /// `wp:wxr_version` (1.0, 1.1, 1.2).
    pub version: String,
    pub site_title: String,
    /// `wp:base_site_url`, else the channel's `<link>`.
    pub site_url: String,
    /// `wp:base_blog_url`, else the site URL.
    pub blog_url: String,
    pub authors: Vec<WxrAuthor>,
    pub categories: Vec<WxrCategory>,
    pub items: Vec<WxrItem>,
    /// Oddities that did not stop the reading (undeclared namespace prefixes, …).
    pub warnings: Vec<String>,
}

impl WxrExport {
    pub fn author(&self, login: &str) -> Option<&WxrAuthor> {
        self.authors.iter().find(|a| a.login == login)
    }
    pub fn category(&self, nicename: &str) -> Option<&WxrCategory> {
        self.categories.iter().find(|c| c.nicename == nicename)
    }
}
