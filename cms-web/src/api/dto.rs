//! JSON shapes of the API (documented in the OpenAPI schema).

use chrono::{DateTime, NaiveDateTime, Utc};
use cms_core::articles::{Article, ArticleFull, RelatedLink, Section};
use cms_core::categories::Category;
use cms_core::users::User;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// A short reference to an author.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuthorRef {
    pub id: i32,
    pub name: String,
    pub slug: String,
}

/// An author (a user who writes).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuthorOut {
    pub id: i32,
    pub name: String,
    pub slug: String,
    pub bio: String,
    /// Public author page.
    pub url: String,
}

impl AuthorOut {
    pub fn from(u: &User, base: &str) -> Self {
        AuthorOut {
            id: u.id,
            name: u.display_name.clone(),
            slug: u.slug.clone(),
            bio: u.bio.clone(),
            url: format!("{base}/author/{}", u.slug),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryOut {
    pub id: i32,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub url: String,
}

impl CategoryOut {
    pub fn from(c: &Category, base: &str) -> Self {
        CategoryOut {
            id: c.id,
            name: c.name.clone(),
            slug: c.slug.clone(),
            description: c.description.clone(),
            url: format!("{base}/category/{}", c.slug),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SectionOut {
    pub position: i32,
    /// Absent for an untitled section (the intro).
    pub heading: Option<String>,
    /// Stable id of the section on the article page.
    pub anchor: String,
    pub markdown: String,
    /// Sanitised HTML rendered from the Markdown.
    pub html: String,
}

impl From<&Section> for SectionOut {
    fn from(s: &Section) -> Self {
        SectionOut {
            position: s.position,
            heading: s.heading.clone(),
            anchor: s.anchor.clone(),
            markdown: s.body_markdown.clone(),
            html: s.body_html.clone(),
        }
    }
}

/// A related-news link, resolved to the target's current title, author and date.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RelatedOut {
    /// `article` (another Gazette article) or `external`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    /// Internal links: the article's id and slug.
    pub article_id: Option<i32>,
    pub slug: Option<String>,
    pub url: String,
    pub author: Option<AuthorRef>,
    pub published_at: Option<DateTime<Utc>>,
    /// View count, when the view-counter plugin is enabled.
    pub views: Option<i64>,
}

impl RelatedOut {
    pub fn from(l: &RelatedLink, base: &str) -> Self {
        match l.target_article_id {
            Some(id) => RelatedOut {
                kind: "article".into(),
                title: l.title.clone(),
                article_id: Some(id),
                slug: Some(l.slug.clone()),
                url: format!("{base}/articles/{}", l.slug),
                author: Some(AuthorRef {
                    id: 0,
                    name: l.author_name.clone(),
                    slug: l.author_slug.clone(),
                }),
                published_at: l.published_at.map(utc),
                views: None,
            },
            None => RelatedOut {
                kind: "external".into(),
                title: l.title.clone(),
                article_id: None,
                slug: None,
                url: l.url.clone(),
                author: None,
                published_at: None,
                views: None,
            },
        }
    }
}

/// A published article as the Content API returns it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleOut {
    pub id: i32,
    pub title: String,
    pub slug: String,
    pub standfirst: String,
    /// The public page.
    pub url: String,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub author: AuthorRef,
    pub category: Option<CategoryRef>,
    pub reading_minutes: usize,
    /// With `include=sections` (always on single-article endpoints).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sections: Option<Vec<SectionOut>>,
    /// With `include=related` (always on single-article endpoints).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related: Option<Vec<RelatedOut>>,
    /// The cover image, when the article has one.
    pub cover: Option<ImageOut>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryRef {
    pub id: i32,
    pub name: String,
    pub slug: String,
}

impl ArticleOut {
    pub fn from_full(f: &ArticleFull, base: &str, sections: bool, related: bool) -> Self {
        let a = &f.article;
        ArticleOut {
            id: a.id,
            title: a.title.clone(),
            slug: a.slug.clone(),
            standfirst: a.standfirst.clone(),
            url: format!("{base}/articles/{}", a.slug),
            published_at: a.published_at.map(utc),
            updated_at: utc(a.updated_at),
            author: AuthorRef {
                id: f.author.id,
                name: f.author.display_name.clone(),
                slug: f.author.slug.clone(),
            },
            category: f.category.as_ref().map(|c| CategoryRef {
                id: c.id,
                name: c.name.clone(),
                slug: c.slug.clone(),
            }),
            reading_minutes: f.reading_minutes(),
            sections: sections.then(|| f.sections.iter().map(SectionOut::from).collect()),
            related: related.then(|| {
                f.links
                    .iter()
                    .filter(|l| l.visible)
                    .map(|l| RelatedOut::from(l, base))
                    .collect()
            }),
            cover: f.cover.as_ref().map(|m| ImageOut::from(m, base)),
        }
    }
}

/// Pagination links and counts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PageMeta {
    /// URL of the next page, if any.
    pub next: Option<String>,
    /// URL of the previous page, if any.
    pub prev: Option<String>,
    pub limit: i64,
    /// With `total=true`: how many articles match. A filtered list is
    /// counted up to 10 000 and a search (`q`) up to 1 000 (its pages go no
    /// further); the list of every article is counted exactly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
    /// With `total=true`: `false` when more articles match than `total`
    /// says (it is the cap the count stopped at).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_exact: Option<bool>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleList {
    pub data: Vec<serde_json::Value>,
    pub meta: PageMeta,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryList {
    pub data: Vec<CategoryOut>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuthorList {
    pub data: Vec<AuthorOut>,
}

// ---------- Admin API ----------

/// An article of any status, as the Admin API returns it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdminArticleOut {
    pub id: i32,
    pub title: String,
    pub slug: String,
    pub standfirst: String,
    /// draft, scheduled, published or archived.
    pub status: String,
    pub author_id: i32,
    pub category_id: Option<i32>,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Send back with writes (or as `If-Match: "<version>"`).
    pub version: i32,
    pub sections: Vec<SectionWrite>,
    pub related: Vec<LinkWrite>,
    /// SEO title override; empty: the title is used.
    pub meta_title: String,
    /// SEO description override; empty: the standfirst is used.
    pub meta_description: String,
    /// The cover image's id in the media library (`/api/v1/admin/media/{id}`).
    pub cover_media_id: Option<i32>,
}

impl AdminArticleOut {
    pub fn from(a: &Article, input: &cms_core::articles::ArticleInput) -> Self {
        AdminArticleOut {
            id: a.id,
            title: a.title.clone(),
            slug: a.slug.clone(),
            standfirst: a.standfirst.clone(),
            status: a.status_name.clone(),
            author_id: a.author_id,
            category_id: a.category_id,
            published_at: a.published_at.map(utc),
            created_at: utc(a.created_at),
            updated_at: utc(a.updated_at),
            version: a.version,
            sections: input
                .sections
                .iter()
                .map(|s| SectionWrite {
                    heading: Some(s.heading.clone()).filter(|h| !h.is_empty()),
                    body: s.body.clone(),
                })
                .collect(),
            related: input
                .links
                .iter()
                .map(|l| LinkWrite {
                    article_id: l.target_article_id,
                    url: Some(l.url.clone()).filter(|u| !u.is_empty()),
                    title: Some(l.title.clone()).filter(|t| !t.is_empty()),
                })
                .collect(),
            meta_title: a.meta_title.clone(),
            meta_description: a.meta_description.clone(),
            cover_media_id: a.cover_media_id,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SectionWrite {
    /// Omit (or null) for an untitled section.
    #[serde(default)]
    pub heading: Option<String>,
    /// Markdown.
    pub body: String,
}

/// Either `article_id`, or `url` and `title`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkWrite {
    #[serde(default)]
    pub article_id: Option<i32>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
}

/// Fields of an article write. On `POST` and `PUT` every field not sent is
/// empty; on `PATCH` fields not sent keep their current value.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleWrite {
    pub title: Option<String>,
    pub slug: Option<String>,
    pub standfirst: Option<String>,
    pub author_id: Option<i32>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub category_id: Option<Option<i32>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub published_at: Option<Option<DateTime<Utc>>>,
    pub sections: Option<Vec<SectionWrite>>,
    pub related: Option<Vec<LinkWrite>>,
    /// SEO title override, at most 70 characters; empty: the title is used.
    pub meta_title: Option<String>,
    /// SEO description override, at most 200 characters; empty: the standfirst is used.
    pub meta_description: Option<String>,
    /// The cover image: an id from `POST /api/v1/admin/media`; `null` removes it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub cover_media_id: Option<Option<i32>>,
    /// The version you read (required on updates unless `If-Match` is sent).
    pub version: Option<i32>,
}

/// Distinguishes "absent" (outer None) from "null" (Some(None)).
fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Body of publish / unpublish / schedule.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    pub version: Option<i32>,
    /// Schedule: when to publish (required, in the future). Publish: optional back-dating.
    pub published_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdminArticleList {
    pub data: Vec<AdminArticleSummary>,
    pub meta: AdminPageMeta,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdminArticleSummary {
    pub id: i32,
    pub title: String,
    pub slug: String,
    pub status: String,
    pub author: String,
    pub category: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdminPageMeta {
    pub page: i64,
    pub limit: i64,
    pub total: i64,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryWrite {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub description: Option<String>,
}

/// A user as administrators see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserOut {
    pub id: i32,
    pub email: String,
    pub name: String,
    pub slug: String,
    pub bio: String,
    pub role: String,
    pub can_log_in: bool,
    pub created_at: DateTime<Utc>,
}

impl From<&User> for UserOut {
    fn from(u: &User) -> Self {
        UserOut {
            id: u.id,
            email: u.email.clone(),
            name: u.display_name.clone(),
            slug: u.slug.clone(),
            bio: u.bio.clone(),
            role: u.role_name.clone(),
            can_log_in: u.can_log_in(),
            created_at: utc(u.created_at),
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserWrite {
    pub email: Option<String>,
    pub name: Option<String>,
    pub slug: Option<String>,
    pub bio: Option<String>,
    pub role: Option<String>,
    /// Only on create; omit to create an account that cannot log in yet.
    pub password: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserList {
    pub data: Vec<UserOut>,
}

// ---------- media ----------

/// One size of an image.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VariantOut {
    /// Absolute URL; immutable (cached for a year).
    pub url: String,
    pub width: u32,
    pub height: u32,
    /// The original's type, or `image/webp`.
    pub mime: String,
    pub bytes: u64,
}

impl VariantOut {
    pub fn from(v: &cms_core::media::Variant, base: &str) -> Self {
        VariantOut {
            url: format!("{base}{}", v.path()),
            width: v.width,
            height: v.height,
            mime: v.mime.clone(),
            bytes: v.bytes,
        }
    }
}

/// An image as a frontend shows it: the largest size plus every variant
/// (build `srcset` from them).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImageOut {
    /// The largest size in the original's format (absolute URL).
    pub url: String,
    pub alt: String,
    pub width: u32,
    pub height: u32,
    pub variants: Vec<VariantOut>,
}

impl ImageOut {
    pub fn from(m: &cms_core::media::Media, base: &str) -> Self {
        let largest = m.largest();
        ImageOut {
            url: largest
                .map(|v| format!("{base}{}", v.path()))
                .unwrap_or_default(),
            alt: m.alt.clone(),
            width: largest.map_or(0, |v| v.width),
            height: largest.map_or(0, |v| v.height),
            variants: m
                .variants
                .iter()
                .map(|v| VariantOut::from(v, base))
                .collect(),
        }
    }
}

/// An image in the media library.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MediaOut {
    pub id: i32,
    /// The largest served size, in the original's format (absolute URL).
    pub url: String,
    pub alt: String,
    /// Of the original upload (after EXIF rotation).
    pub width: i32,
    pub height: i32,
    /// The original's type: image/jpeg, image/png, image/gif or image/webp.
    pub mime: String,
    /// Size of the original upload.
    pub bytes: i64,
    /// The file name it was uploaded as.
    pub original_name: String,
    pub uploader_id: Option<i32>,
    pub created_at: DateTime<Utc>,
    /// Every served size: the original's format and WebP, 320 to 1600 pixels wide (never upscaled).
    pub variants: Vec<VariantOut>,
    /// Markdown that places the image in a section.
    pub markdown: String,
}

impl MediaOut {
    pub fn from(m: &cms_core::media::Media, base: &str) -> Self {
        MediaOut {
            id: m.id,
            url: m
                .largest()
                .map(|v| format!("{base}{}", v.path()))
                .unwrap_or_default(),
            alt: m.alt.clone(),
            width: m.width,
            height: m.height,
            mime: m.mime.clone(),
            bytes: m.bytes,
            original_name: m.original_name.clone(),
            uploader_id: m.uploader_id,
            created_at: utc(m.created_at),
            variants: m
                .variants
                .iter()
                .map(|v| VariantOut::from(v, base))
                .collect(),
            markdown: m.markdown(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MediaList {
    pub data: Vec<MediaOut>,
    pub meta: AdminPageMeta,
}

/// `multipart/form-data` body of an upload.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct MediaUpload {
    /// The image: JPEG, PNG, WebP or GIF (by content; the name does not matter),
    /// at most `max_upload_bytes` (20 MiB by default), 40 megapixels and 12 000 pixels a side.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// What the image shows, for people who cannot see it. Required.
    pub alt: String,
}

/// Changes to an image.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MediaWrite {
    pub alt: Option<String>,
}
