//! Search and sharing metadata of an article page: the `article:*` Open Graph
//! tags and the JSON-LD `NewsArticle` block. The `<title>`, description,
//! canonical URL and the `og:*`/`twitter:*` tags every page has are in
//! [`PublicLayout`](super::layout::PublicLayout).

use cms_core::articles::ArticleFull;
use serde_json::{json, Value};

use super::layout::SiteContext;
use crate::util;

/// The language of the site's content (feeds, the Google News sitemap, JSON-LD).
/// One place to change until the site has a language setting.
pub const LANGUAGE: &str = "en";

/// What an article page adds to the page head.
pub struct ArticleSeo {
    /// RFC 3339 (`article:published_time`, `datePublished`).
    pub published_iso: String,
    /// RFC 3339 (`article:modified_time`, `dateModified`).
    pub modified_iso: String,
    /// Absolute URL of the author page (`article:author`).
    pub author_url: String,
    /// The category's name (`article:section`); empty without one.
    pub section: String,
    /// Absolute URL of the article's cover image, when it has one (the media
    /// library provides it); omitted from every tag when `None`.
    pub image_url: Option<String>,
    /// The JSON-LD object, ready to sit inside `<script type="application/ld+json">`.
    pub json_ld: String,
}

impl ArticleSeo {
    /// `canonical` is the article's absolute URL.
    pub fn new(
        site: &SiteContext,
        full: &ArticleFull,
        canonical: &str,
        image_url: Option<String>,
    ) -> Self {
        let a = &full.article;
        let published = util::iso(a.published_at.unwrap_or(a.created_at));
        let modified = util::iso(a.updated_at);
        let author_url = format!("{}/author/{}", site.base_url(), full.author.slug);
        let section = full
            .category
            .as_ref()
            .map(|c| c.name.clone())
            .unwrap_or_default();
        let mut ld = json!({
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": a.title,
            "url": canonical,
            "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
            "datePublished": published,
            "dateModified": modified,
            "author": [{
                "@type": "Person",
                "name": full.author.display_name,
                "url": author_url,
            }],
            "publisher": {
                "@type": "Organization",
                "name": site.settings.title,
                "url": format!("{}/", site.base_url()),
            },
            "inLanguage": LANGUAGE,
        });
        if let Value::Object(map) = &mut ld {
            let description = a.seo_description();
            if !description.is_empty() {
                map.insert("description".into(), description.into());
            }
            if !section.is_empty() {
                map.insert("articleSection".into(), section.clone().into());
            }
            if let Some(image) = &image_url {
                map.insert("image".into(), json!([image]));
            }
        }
        ArticleSeo {
            published_iso: published,
            modified_iso: modified,
            author_url,
            section,
            image_url,
            json_ld: script_json(&ld),
        }
    }
}

/// JSON for a `<script>` data block: `<`, `>` and `&` become `\u003c`,
/// `\u003e` and `\u0026` (still the same JSON strings), so no text an author
/// typed can close the element (`</script>`) or open a comment (`<!--`).
pub fn script_json(value: &Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_the_element() {
        let v = json!({"headline": "</script><script>alert(1)</script> <!-- & -->"});
        let out = script_json(&v);
        assert!(
            !out.contains('<') && !out.contains('>') && !out.contains('&'),
            "{out}"
        );
        let back: Value = serde_json::from_str(&out).expect("still JSON");
        assert_eq!(back, v);
    }
}
