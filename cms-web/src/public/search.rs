//! `/search?q=…&page=N`: full-text search of the published articles, best
//! match first, with the matching words highlighted. Result pages are not
//! indexed by search engines (`noindex`) and have no canonical URL.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use cms_core::articles::public;
use cms_core::search::{self, SearchQuery};

use super::cards::{page_number, CardView};
use super::layout::{PublicLayout, SiteContext};
use super::{not_found, respond_not_found};
use crate::error::WebResult;
use crate::render;
use crate::state::AppState;
use crate::util::urlencode;

/// Longer queries are cut (the search uses at most a dozen words anyway).
const MAX_QUERY_CHARS: usize = 200;

/// One result, ready to print. `title_html` and `snippet_html` are escaped
/// text with `<mark>` around the matches (built by `cms_core::search`).
struct ResultView {
    title_html: String,
    snippet_html: String,
    card: CardView,
}

#[derive(Template)]
#[template(path = "public/search.html")]
struct SearchPage {
    layout: PublicLayout,
    /// The query as typed (trimmed), for the form and the headings.
    q: String,
    /// A query was given (otherwise the page is just the form).
    searched: bool,
    total: i64,
    /// More than `total` matches (the cap): the newest `total` are shown.
    more: bool,
    page: i64,
    results: Vec<ResultView>,
    prev_href: Option<String>,
    next_href: Option<String>,
}

impl SearchPage {
    /// "1 result" / "12 results" / "More than 1000 results; the newest 1000".
    fn total_label(&self) -> String {
        match (self.total, self.more) {
            (n, true) => format!("More than {n} results; the newest {n}"),
            (1, false) => "1 result".to_owned(),
            (n, false) => format!("{n} results"),
        }
    }
}

fn page_href(q: &str, page: i64) -> String {
    if page <= 1 {
        format!("/search?q={}", urlencode(q))
    } else {
        format!("/search?q={}&page={page}", urlencode(q))
    }
}

/// The `q` parameter, trimmed and cut to [`MAX_QUERY_CHARS`].
fn query_text(query_string: &str) -> String {
    let q = form_urlencoded::parse(query_string.as_bytes())
        .filter(|(k, _)| k == "q")
        .map(|(_, v)| v.into_owned())
        .last()
        .unwrap_or_default();
    q.trim()
        .chars()
        .take(MAX_QUERY_CHARS)
        .collect::<String>()
        .trim()
        .to_owned()
}

pub async fn search(state: web::Data<AppState>, req: HttpRequest) -> WebResult<HttpResponse> {
    let Some(page) = page_number(req.query_string()) else {
        return Ok(not_found(req).await);
    };
    let q = query_text(req.query_string());
    let searched = !q.is_empty();
    let text = q.clone();
    let (site, found, cards, modified) = state
        .db(move |conn| {
            let site = SiteContext::load(conn)?;
            let modified = public::last_modified(conn)?;
            if !searched {
                return Ok((site, None, Vec::new(), modified));
            }
            let found = search::search(
                conn,
                &SearchQuery::public(text, page, site.settings.per_page),
            )?;
            let cards =
                public::cards(conn, found.hits.iter().map(|h| h.article.clone()).collect())?;
            Ok((site, Some(found), cards, modified))
        })
        .await?;
    let (total, more, has_next, hits) = match found {
        Some(f) => (f.total, f.more, f.has_next(), f.hits),
        None => (0, false, false, Vec::new()),
    };
    if hits.is_empty() && page > 1 {
        return respond_not_found(&req, &site);
    }
    let title = match (searched, page) {
        (false, _) => "Search".to_owned(),
        (true, 1) => format!("Search: {q}"),
        (true, n) => format!("Search: {q}, page {n}"),
    };
    let mut layout = PublicLayout::new(&site, "/search", title);
    layout.noindex = true;
    layout.canonical = None;
    let tz = site.tz();
    let results = hits
        .into_iter()
        .zip(cards.iter())
        .map(|(hit, card)| ResultView {
            title_html: hit.title_html,
            snippet_html: hit.snippet_html,
            card: CardView::new(card, tz),
        })
        .collect();
    let view = SearchPage {
        layout,
        prev_href: (page > 1).then(|| page_href(&q, page - 1)),
        next_href: has_next.then(|| page_href(&q, page + 1)),
        q,
        searched,
        total,
        more,
        page,
        results,
    };
    render::public(&req, &view, modified.max(site.nav_modified()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_query() {
        assert_eq!(query_text("q=budget+vote&page=2"), "budget vote");
        assert_eq!(query_text("q=%20%20x%20"), "x");
        assert_eq!(query_text("page=2"), "");
        assert_eq!(query_text("q=a&q=b"), "b");
        assert_eq!(
            query_text(&format!("q={}", "x".repeat(500))).len(),
            MAX_QUERY_CHARS
        );
    }

    #[test]
    fn page_links_keep_the_query() {
        assert_eq!(page_href("a&b c", 1), "/search?q=a%26b+c");
        assert_eq!(page_href("a&b c", 3), "/search?q=a%26b+c&page=3");
    }
}
