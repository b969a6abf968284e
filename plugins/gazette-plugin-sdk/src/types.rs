//! Hook payloads and host-service results, as the JSON documented in
//! `plugins/README.md`. Unknown fields are ignored, so a newer host can add fields.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// The site a page belongs to.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SiteInfo {
    pub title: String,
    /// Without a trailing slash, e.g. `https://news.example.com`.
    pub base_url: String,
    /// IANA timezone of the site, e.g. `Europe/London`.
    pub timezone: String,
}

/// `page_view`: one public page served.
///
/// The strings are shared (`Arc<str>`): in a `page_views` batch, every view of
/// the same page, user agent or day holds the same string, so a plugin can
/// also tell them apart by address (`Arc::ptr_eq`) without comparing text.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PageView {
    /// The article shown, if the page is an article page.
    pub article_id: Option<i32>,
    pub path: Arc<str>,
    pub user_agent: Arc<str>,
    /// The visitor is logged in as staff (any admin-panel role).
    pub is_staff: bool,
    /// A keyed hash of the client address and the day (never the address
    /// itself): the same for the same visitor for a day, on one node. In
    /// `page_view` JSON it is `visitor_hash`, 16 hex digits (see
    /// [`PageView::visitor_hash`]).
    #[serde(rename = "visitor_hash", with = "hex16")]
    pub visitor: u64,
    /// When the page was served, Unix seconds (UTC).
    pub timestamp: i64,
    /// The same instant as a UTC day, `YYYY-MM-DD`.
    pub day: Arc<str>,
    /// In a `page_views` batch: how many identical views (same page, visitor,
    /// user agent and day, moments apart) this entry stands for; the
    /// timestamp is the latest. 0 or 1 means one view; always 1 in `page_view`.
    pub count: u32,
}

impl PageView {
    /// How many views this entry stands for (at least 1).
    pub fn views(&self) -> u32 {
        self.count.max(1)
    }

    /// The visitor as 16 hex digits, as `page_view` JSON carries it.
    pub fn visitor_hash(&self) -> String {
        format!("{:016x}", self.visitor)
    }
}

/// A `u64` as 16 hex digits in JSON; an empty string reads as 0.
mod hex16 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("{v:016x}"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        if s.is_empty() {
            return Ok(0);
        }
        u64::from_str_radix(&s, 16).map_err(serde::de::Error::custom)
    }
}

/// `widget`: the page a widget is asked to render on.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct WidgetContext {
    /// `sidebar`, `after_article` or `home_sidebar`.
    pub slot: String,
    pub site: SiteInfo,
    pub article_id: Option<i32>,
    pub category_id: Option<i32>,
    pub path: String,
}

/// A published article as plugins see it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ArticleItem {
    pub id: i32,
    pub title: String,
    pub slug: String,
    /// Site-relative URL of the article page, e.g. `/articles/my-story`.
    pub url: String,
    pub standfirst: String,
    pub author_name: String,
    pub author_slug: String,
    pub category_id: Option<i32>,
    pub category_name: Option<String>,
    pub category_slug: Option<String>,
    /// RFC 3339, UTC.
    pub published_at: Option<String>,
    /// The publication date in the site's timezone, e.g. `Nov 14, 2025`.
    pub published_date: String,
}

/// One of an article's curated related links, in order.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RelatedLink {
    /// The linked article (`None` for an external link).
    pub article_id: Option<i32>,
    pub title: String,
    /// Site-relative for internal links, absolute for external ones.
    pub url: String,
    pub external: bool,
    pub author_name: String,
    pub published_at: Option<String>,
    pub published_date: String,
}

/// The user performing a save.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct UserInfo {
    pub id: i32,
    pub name: String,
    /// `administrator`, `editor`, `author` or `contributor`.
    pub role: String,
}

/// An article as the editor submitted it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ArticleDraft {
    pub title: String,
    pub slug: String,
    pub standfirst: String,
    pub author_id: Option<i32>,
    pub category_id: Option<i32>,
    /// RFC 3339, UTC.
    pub published_at: Option<String>,
    pub sections: Vec<DraftSection>,
    pub links: Vec<DraftLink>,
    /// Search-engine title (empty: the article's title).
    pub meta_title: String,
    /// Search-engine description (empty: the standfirst).
    pub meta_description: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DraftSection {
    /// Empty for the untitled intro section.
    pub heading: String,
    /// Markdown.
    pub body: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DraftLink {
    pub target_article_id: Option<i32>,
    pub url: String,
    pub title: String,
}

/// `article_before_save`: an article about to be saved.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BeforeSave {
    /// `None` for a new article.
    pub article_id: Option<i32>,
    /// `save`, `publish`, `schedule`, `unpublish` or `archive`.
    pub action: String,
    pub user: UserInfo,
    pub article: ArticleDraft,
}

/// What `article_before_save` decides.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveDecision {
    /// Save as submitted.
    Accept,
    /// Save nothing; the editor sees `message` (next to `field`, if given).
    Reject {
        message: String,
        field: Option<String>,
    },
    /// Save this changed version instead (validation still applies).
    Amend(ArticleDraft),
}

impl SaveDecision {
    pub fn reject(message: impl Into<String>) -> SaveDecision {
        SaveDecision::Reject {
            message: message.into(),
            field: None,
        }
    }

    pub(crate) fn to_json(&self) -> serde_json::Value {
        match self {
            SaveDecision::Accept => serde_json::json!({"decision": "accept"}),
            SaveDecision::Reject { message, field } => {
                serde_json::json!({"decision": "reject", "message": message, "field": field})
            }
            SaveDecision::Amend(a) => serde_json::json!({"decision": "amend", "article": a}),
        }
    }
}

/// `article_after_delete`: what is left of a deleted article.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DeletedArticle {
    pub id: i32,
    pub title: String,
    pub slug: String,
}

/// `tick`: the time of the tick.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Tick {
    pub timestamp: i64,
    pub day: String,
}
