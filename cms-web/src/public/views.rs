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

use std::cell::RefCell;
use std::collections::HashSet;
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::{Arc, LazyLock};

use actix_web::http::{header, Method};
use actix_web::HttpRequest;
use chrono::Datelike;

use crate::hooks::PageView;
use crate::state::AppState;

/// Longest user agent passed on; real ones are far shorter.
const MAX_USER_AGENT: usize = 512;

/// Strings kept per request thread for sharing (see [`shared`]).
const SHARED_STRINGS: usize = 1024;

static KEY: LazyLock<std::hash::RandomState> = LazyLock::new(std::hash::RandomState::new);

thread_local! {
    /// User agents and paths recently seen on this thread.
    static STRINGS: RefCell<HashSet<Arc<str>, foldhash::fast::RandomState>> =
        RefCell::new(HashSet::default());
}

/// `s` as a shared string, allocated only the first time this thread sees it.
///
/// A page view is made on a request thread and freed on the plugin events
/// thread. Memory allocated on one thread and freed on another costs both
/// threads more than the allocation itself (the allocator must give it back
/// across threads), and nearly every view repeats a user agent and a path
/// this thread has seen, so views share them instead of copying.
pub fn shared(s: &str) -> Arc<str> {
    STRINGS.with(|set| {
        let mut set = set.borrow_mut();
        if let Some(found) = set.get(s) {
            return found.clone();
        }
        if set.len() >= SHARED_STRINGS {
            set.clear();
        }
        let new: Arc<str> = Arc::from(s);
        set.insert(new.clone());
        new
    })
}

/// Reports one view of article `article_id`. `is_staff`: the request carries
/// a valid admin session (staff reading their own site). `path`: the
/// request's path as a shared string, when the caller has one (a cache entry
/// keeps its own), else it is made here.
pub fn observe(
    state: &AppState,
    req: &HttpRequest,
    article_id: i32,
    is_staff: bool,
    path: Option<&Arc<str>>,
) {
    // A HEAD request is a link checker or monitor, not a reader.
    if req.method() == Method::HEAD || !state.hooks.wants_page_views() {
        return;
    }
    let ua = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // Fewer bytes than the limit means fewer characters too.
    let end = if ua.len() <= MAX_USER_AGENT {
        None
    } else {
        ua.char_indices().nth(MAX_USER_AGENT).map(|(i, _)| i)
    };
    let day = chrono::Utc::now().date_naive();
    let forwarded = state
        .config
        .trust_proxy_headers
        .then(|| crate::auth::forwarded_for(req))
        .flatten();
    let visitor = match (forwarded, req.peer_addr()) {
        (Some(addr), _) => client_hash(&*KEY, addr, day),
        (None, Some(peer)) => ip_hash(&*KEY, peer.ip(), day),
        (None, None) => client_hash(&*KEY, "unknown", day),
    };
    state.hooks.page_view(PageView {
        article_id: Some(article_id),
        path: path.cloned().unwrap_or_else(|| shared(req.path())),
        user_agent: shared(&ua[..end.unwrap_or(ua.len())]),
        is_staff,
        visitor,
    });
}

/// The keyed hash of a client address (as `auth::client_addr` gives it) and
/// a day. An address that parses hashes as [`ip_hash`] of it, so the same
/// client has one hash whether or not proxy headers are trusted.
fn client_hash(key: &impl BuildHasher, addr: &str, date: chrono::NaiveDate) -> u64 {
    match addr.parse::<IpAddr>() {
        Ok(ip) => ip_hash(key, ip, date),
        Err(_) => key.hash_one((addr, date.num_days_from_ce())),
    }
}

fn ip_hash(key: &impl BuildHasher, ip: IpAddr, date: chrono::NaiveDate) -> u64 {
    key.hash_one((ip, date.num_days_from_ce()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_depends_on_key_address_and_day() {
        let d1 = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).expect("date");
        let d2 = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).expect("date");
        let key = std::hash::RandomState::new();
        let a = client_hash(&key, "192.0.2.1", d1);
        assert_eq!(a, client_hash(&key, "192.0.2.1", d1));
        assert_eq!(a, ip_hash(&key, [192, 0, 2, 1].into(), d1));
        assert_ne!(a, client_hash(&key, "192.0.2.2", d1));
        assert_ne!(a, client_hash(&key, "192.0.2.1", d2));
        assert_ne!(
            a,
            client_hash(&std::hash::RandomState::new(), "192.0.2.1", d1)
        );
        let odd = client_hash(&key, "unknown", d1);
        assert_eq!(odd, client_hash(&key, "unknown", d1));
        assert_ne!(odd, a);
    }

    #[test]
    fn strings_are_shared_not_copied() {
        let a = shared("Mozilla/5.0");
        let b = shared("Mozilla/5.0");
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(&*shared("/articles/x"), "/articles/x");
        for i in 0..SHARED_STRINGS + 10 {
            let _ = shared(&format!("agent {i}"));
        }
        STRINGS.with(|s| assert!(s.borrow().len() <= SHARED_STRINGS));
        assert_eq!(&*shared("Mozilla/5.0"), "Mozilla/5.0");
    }
}
