//! Page views: the one place a public view is reported to the hooks.
//!
//! Called by the article handler after it has produced a 200 *or* a 304: a
//! browser revalidating a page it already holds is still a person reading it,
//! so both count. 404s, errors and `HEAD` requests are never counted.
//!
//! Visitors are not tracked across days or processes: the visitor hash is a
//! keyed hash (SipHash, with a random key made when the process starts) of
//! the client address and the UTC date, so it can tell repeat views apart
//! within a day but cannot be reversed into an address without the key, which
//! never leaves the process, or linked to the next day's hash. (It was
//! SHA-256 with a salt: a fifth of a cache hit's instructions went to it.)

use std::hash::BuildHasher;
use std::sync::LazyLock;

use actix_web::http::{header, Method};
use actix_web::HttpRequest;
use chrono::Datelike;

use crate::auth::client_addr;
use crate::hooks::PageView;
use crate::state::AppState;

/// Longest user agent passed on; real ones are far shorter.
const MAX_USER_AGENT: usize = 512;

static KEY: LazyLock<std::hash::RandomState> = LazyLock::new(std::hash::RandomState::new);

/// Reports one view of article `article_id`. `is_staff`: the request carries
/// a valid admin session (staff reading their own site).
pub fn observe(state: &AppState, req: &HttpRequest, article_id: i32, is_staff: bool) {
    // A HEAD request is a link checker or monitor, not a reader.
    if req.method() == Method::HEAD {
        return;
    }
    let addr = client_addr(req, state.config.trust_proxy_headers);
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| {
            // Fewer bytes than the limit means fewer characters too.
            let end = if ua.len() <= MAX_USER_AGENT {
                None
            } else {
                ua.char_indices().nth(MAX_USER_AGENT).map(|(i, _)| i)
            };
            ua[..end.unwrap_or(ua.len())].to_owned()
        })
        .unwrap_or_default();
    state.hooks.page_view(PageView {
        article_id: Some(article_id),
        path: req.path().to_owned(),
        user_agent,
        is_staff,
        visitor_hash: visitor_hash(&*KEY, &addr, chrono::Utc::now().date_naive()),
    });
}

/// Hex of the keyed hash of address and date.
fn visitor_hash(key: &impl BuildHasher, addr: &str, date: chrono::NaiveDate) -> String {
    format!("{:016x}", key.hash_one((addr, date.num_days_from_ce())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_depends_on_key_address_and_day() {
        let d1 = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).expect("date");
        let d2 = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).expect("date");
        let key = std::hash::RandomState::new();
        let a = visitor_hash(&key, "192.0.2.1", d1);
        assert_eq!(a.len(), 16);
        assert_eq!(a, visitor_hash(&key, "192.0.2.1", d1));
        assert_ne!(a, visitor_hash(&key, "192.0.2.2", d1));
        assert_ne!(a, visitor_hash(&key, "192.0.2.1", d2));
        assert_ne!(
            a,
            visitor_hash(&std::hash::RandomState::new(), "192.0.2.1", d1)
        );
        assert!(!a.contains("192"));
    }
}
