//! Listing views shared by the home, category and author pages: article
//! cards with their display strings precomputed, and prev/next pagination.

use cms_core::articles::public::ArticleCard;

use crate::util;

/// Pages beyond this are refused outright (a 404), so a crawler following
/// `?page=999999999` never makes the database skip millions of rows.
pub const MAX_PAGE: i64 = 10_000;

/// An article in a listing, ready to print.
pub struct CardView {
    pub title: String,
    pub href: String,
    pub standfirst: String,
    pub author_name: String,
    pub author_href: String,
    pub category_name: String,
    /// Empty when the article has no category.
    pub category_href: String,
    pub date: String,
    pub date_iso: String,
    pub is_sample: bool,
    /// The cover image, lazily loaded in listings.
    pub cover: Option<crate::media::ImageView>,
}

impl CardView {
    pub fn new(card: &ArticleCard, tz: chrono_tz::Tz) -> Self {
        CardView {
            title: card.title.clone(),
            href: format!("/articles/{}", card.slug),
            standfirst: card.standfirst.clone(),
            author_name: card.author_name.clone(),
            author_href: if card.author_slug.is_empty() {
                String::new()
            } else {
                format!("/author/{}", card.author_slug)
            },
            category_name: card.category_name.clone().unwrap_or_default(),
            category_href: card
                .category_slug
                .as_deref()
                .map(|s| format!("/category/{s}"))
                .unwrap_or_default(),
            date: card
                .published_at
                .map(|t| util::date_long(t, tz))
                .unwrap_or_default(),
            date_iso: card.published_at.map(util::iso).unwrap_or_default(),
            is_sample: card.is_sample,
            cover: card
                .cover
                .as_ref()
                .and_then(|m| crate::media::ImageView::new(m, crate::media::view::CARD_SIZES)),
        }
    }

    pub fn list(cards: &[ArticleCard], tz: chrono_tz::Tz) -> Vec<CardView> {
        cards.iter().map(|c| CardView::new(c, tz)).collect()
    }
}

/// Previous/next links of a paginated listing.
pub struct Pagination {
    pub page: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pagination {
    pub fn new(base_path: &str, page: i64, has_next: bool) -> Self {
        Pagination {
            page,
            prev: (page > 1).then(|| page_path(base_path, page - 1)),
            next: has_next.then(|| page_path(base_path, page + 1)),
        }
    }

    pub fn is_needed(&self) -> bool {
        self.prev.is_some() || self.next.is_some()
    }
}

/// `/category/city?page=3`; page 1 is the bare path (one URL per page).
pub fn page_path(base_path: &str, page: i64) -> String {
    if page <= 1 {
        base_path.to_owned()
    } else {
        format!("{base_path}?page={page}")
    }
}

/// The `?page=` of a listing: 1 when absent, `None` (→ 404) when it is not
/// a page number we serve.
pub fn page_number(query: &str) -> Option<i64> {
    let mut page = 1;
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        if k == "page" {
            page = v
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=MAX_PAGE).contains(n))?;
        }
    }
    Some(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_page_numbers() {
        assert_eq!(page_number(""), Some(1));
        assert_eq!(page_number("page=3"), Some(3));
        assert_eq!(page_number("utm_source=x&page=2"), Some(2));
        assert_eq!(page_number("page=0"), None);
        assert_eq!(page_number("page=-1"), None);
        assert_eq!(page_number("page=abc"), None);
        assert_eq!(page_number("page=99999999999999999999"), None);
    }

    #[test]
    fn page_links() {
        let p = Pagination::new("/", 2, true);
        assert_eq!(p.prev.as_deref(), Some("/"));
        assert_eq!(p.next.as_deref(), Some("/?page=3"));
        let first = Pagination::new("/category/city", 1, false);
        assert!(!first.is_needed());
    }
}
