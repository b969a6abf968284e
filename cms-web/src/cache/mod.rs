//! The render cache: public pages and Content API responses kept in memory,
//! pre-compressed, and served without touching the database or a template.
//!
//! What may be cached is decided by the handler, never guessed: a response
//! opts in with the internal [`CACHEABLE`] header (stripped before sending).
//! Only anonymous `GET`/`HEAD` requests are served from the cache; a request
//! with a session cookie or an `Authorization` header always reaches the
//! handler, so drafts, previews and admin pages can never come from here.
//!
//! Invalidation is decided per write, and errs towards forgetting more:
//!
//! * A successful write through `/admin` or `/api/v1/admin` empties this
//!   node's cache at once (so the next request after it shows the change),
//!   unless its handler declared a narrower [`Change`] with [`declare`].
//! * Saving an article declares what the save could have changed on a public
//!   page (see `publishing::change_of`): nothing for a draft, only that
//!   article's page and the listings for an edit that leaves its listing card
//!   (title, slug, standfirst, dates, status, author, category, cover) as it
//!   was, everything otherwise, because every article page shows other
//!   articles' cards in its widgets.
//! * Writes that no public page shows (signing in and out, API tokens,
//!   webhooks) declare [`Change::Nothing`].
//! * Every scheduled publication empties the cache.
//!
//! On PostgreSQL, every invalidation is also announced to the other nodes
//! sharing the database, which forget the same entries within 50 ms (see
//! [`sync`]). Entries also expire after `page_cache_ttl_ms`, which bounds how
//! long a view counter shown in a widget can lag, and another node's edit if
//! that announcement is lost.
//!
//! One render per page at a time. When an entry expires, the first request
//! for it renders the page again while the others are still served the
//! expired entry (for at most another TTL); when there is no entry at all
//! (first request, or after an invalidation), the others wait for that one
//! render instead of all rendering the same page at once. Without this, every
//! expiry of a popular page set all the connections asking for it rendering
//! together, once a second, and that burst was the long tail of the latency.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use actix_web::http::header::{self, HeaderName, HeaderValue};

mod change;
mod encoding;
mod middleware;
pub mod sync;

pub use change::{declare, Change};
pub use middleware::middleware;

use encoding::Bodies;

/// Set by a handler on a response that may be cached; the value is the id of
/// the article shown (for page-view counting on cache hits) or `-`.
pub const CACHEABLE: &str = "x-gazette-cacheable";

/// Tells (benchmarks, tests, operators) whether a response came from the cache.
pub const CACHE_STATUS: &str = "x-gazette-cache";

/// Response headers kept with a cached entry.
const KEPT_HEADERS: [HeaderName; 6] = [
    header::CONTENT_TYPE,
    header::ETAG,
    header::LAST_MODIFIED,
    header::CACHE_CONTROL,
    header::ACCESS_CONTROL_ALLOW_ORIGIN,
    header::ACCESS_CONTROL_EXPOSE_HEADERS,
];

struct Entry {
    headers: Vec<(HeaderName, HeaderValue)>,
    etag: Option<String>,
    bodies: Bodies,
    /// Set on an article's own page: the article shown, whose views are
    /// counted on hits. `None`: a page that lists or depends on many articles.
    article_id: Option<i32>,
    /// The page's path, shared with every view counted on a hit.
    path: Arc<str>,
    stored: Instant,
    generation: u64,
}

impl Entry {
    fn size(&self) -> usize {
        self.bodies.size() + 512
    }
}

/// Counters since the node started, shown on the admin dashboard.
#[derive(Debug, Default)]
pub struct Stats {
    /// Served from the cache (fresh or, while it is re-rendered, expired).
    pub hits: AtomicU64,
    /// Of the hits, expired copies served while another request re-rendered.
    pub stale: AtomicU64,
    /// Rendered by the handler (cacheable or not).
    pub misses: AtomicU64,
    /// Invalidations applied here, this node's and (PostgreSQL) the others'.
    pub invalidations: AtomicU64,
}

/// What the cache holds and has done, for the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub enabled: bool,
    pub entries: usize,
    pub bytes: usize,
    pub max_bytes: usize,
    pub hits: u64,
    pub stale: u64,
    pub misses: u64,
    pub invalidations: u64,
}

pub struct PageCache {
    entries: RwLock<HashMap<String, Arc<Entry>>>,
    /// Pages being rendered for the cache, by key; the sender is held by the
    /// request rendering it and closes when it is done (see [`Rendering`]).
    rendering: Mutex<HashMap<String, tokio::sync::watch::Receiver<()>>>,
    bytes: AtomicUsize,
    generation: AtomicU64,
    ttl: Duration,
    max_bytes: usize,
    pub stats: Stats,
    /// Where this node's invalidations go to be announced to the other
    /// nodes (set by [`sync::start`]; unset on SQLite).
    outbox: OnceLock<Sender<Change>>,
    /// Tells this node's announcements from the others'.
    node: u64,
}

impl PageCache {
    /// `ttl` zero disables the cache.
    pub fn new(ttl: Duration, max_bytes: usize) -> Self {
        Self {
            entries: RwLock::new(HashMap::new()),
            rendering: Mutex::new(HashMap::new()),
            bytes: AtomicUsize::new(0),
            generation: AtomicU64::new(1),
            ttl,
            max_bytes,
            stats: Stats::default(),
            outbox: OnceLock::new(),
            node: {
                use std::hash::BuildHasher;
                std::hash::RandomState::new().hash_one(std::process::id())
            },
        }
    }

    pub fn enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    pub fn summary(&self) -> Summary {
        let n = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Summary {
            enabled: self.enabled(),
            entries: self.entries.read().map_or(0, |m| m.len()),
            bytes: self.bytes.load(Ordering::Relaxed),
            max_bytes: self.max_bytes,
            hits: n(&self.stats.hits),
            stale: n(&self.stats.stale),
            misses: n(&self.stats.misses),
            invalidations: n(&self.stats.invalidations),
        }
    }

    /// Forgets everything cached on this node (after any content change).
    pub fn invalidate_all(&self) {
        self.invalidate(Change::Everything);
    }

    /// Forgets what `change`, made on this node, may have made stale, here
    /// and (on PostgreSQL) on the other nodes.
    pub fn invalidate(&self, change: Change) {
        if change == Change::Nothing {
            return;
        }
        self.invalidate_here(change);
        if let Some(outbox) = self.outbox.get() {
            let _ = outbox.send(change);
        }
    }

    /// Forgets what `change` may have made stale on this node only. Responses
    /// still being rendered when this is called are not stored (the
    /// generation moves on).
    fn invalidate_here(&self, change: Change) {
        if change == Change::Nothing {
            return;
        }
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.stats.invalidations.fetch_add(1, Ordering::Relaxed);
        let Ok(mut map) = self.entries.write() else {
            return;
        };
        match change {
            Change::Nothing => {}
            Change::Article(id) => {
                map.retain(|_, e| e.article_id.is_some_and(|a| a != id));
                self.bytes
                    .store(map.values().map(|e| e.size()).sum(), Ordering::Relaxed);
            }
            Change::Everything => {
                map.clear();
                self.bytes.store(0, Ordering::Relaxed);
            }
        }
    }

    fn get(&self, key: &str) -> Option<Arc<Entry>> {
        let map = self.entries.read().ok()?;
        let e = map.get(key)?;
        (e.stored.elapsed() < self.ttl).then(|| e.clone())
    }

    /// Looks `key` up for a request that would render the page on a miss.
    fn lookup(self: &Arc<Self>, key: &str) -> Lookup {
        let found = self.entries.read().ok().and_then(|m| m.get(key).cloned());
        let age = found.as_ref().map(|e| e.stored.elapsed());
        if let (Some(e), Some(age)) = (&found, age) {
            if age < self.ttl {
                return Lookup::Fresh(e.clone());
            }
        }
        let Ok(mut rendering) = self.rendering.lock() else {
            return Lookup::Render(None);
        };
        if let Some(rx) = rendering.get(key) {
            return match (found, age) {
                (Some(e), Some(age)) if age < self.ttl * 2 => Lookup::Stale(e),
                _ => Lookup::Wait(rx.clone()),
            };
        }
        let (tx, rx) = tokio::sync::watch::channel(());
        rendering.insert(key.to_owned(), rx);
        Lookup::Render(Some(Rendering {
            cache: self.clone(),
            key: key.to_owned(),
            _done: tx,
        }))
    }
}

/// What a request does about a cached page.
enum Lookup {
    /// Serve this entry.
    Fresh(Arc<Entry>),
    /// Serve this expired entry: another request is rendering the page.
    Stale(Arc<Entry>),
    /// Another request is rendering the page and nothing may be served yet:
    /// wait for it, then look again.
    Wait(tokio::sync::watch::Receiver<()>),
    /// Render the page (holding the [`Rendering`] mark while doing so).
    Render(Option<Rendering>),
}

/// Held by the one request rendering a page for the cache; dropping it (when
/// the response is stored, or the request fails or is cancelled) releases the
/// requests waiting for that page.
struct Rendering {
    cache: Arc<PageCache>,
    key: String,
    _done: tokio::sync::watch::Sender<()>,
}

impl Drop for Rendering {
    fn drop(&mut self) {
        if let Ok(mut r) = self.cache.rendering.lock() {
            r.remove(&self.key);
        }
    }
}

/// Longest a request waits for another's render of the same page before
/// rendering it itself.
const WAIT_FOR_RENDER: Duration = Duration::from_secs(5);

impl PageCache {
    fn put(&self, key: String, entry: Entry) {
        // An entry rendered before an invalidation must not be stored after it.
        if entry.generation != self.generation.load(Ordering::SeqCst)
            || entry.size() > self.max_bytes / 8
        {
            return;
        }
        let Ok(mut map) = self.entries.write() else {
            return;
        };
        let size = entry.size();
        if self.bytes.load(Ordering::Relaxed) + size > self.max_bytes {
            // Over budget: drop expired entries, then the older half.
            let ttl = self.ttl;
            map.retain(|_, e| e.stored.elapsed() < ttl);
            if map.values().map(|e| e.size()).sum::<usize>() + size > self.max_bytes {
                let mut ages: Vec<(String, Instant)> =
                    map.iter().map(|(k, e)| (k.clone(), e.stored)).collect();
                ages.sort_by_key(|(_, t)| *t);
                for (k, _) in ages.iter().take(ages.len() / 2 + 1) {
                    map.remove(k);
                }
            }
            self.bytes
                .store(map.values().map(|e| e.size()).sum(), Ordering::Relaxed);
        }
        if let Some(old) = map.insert(key, Arc::new(entry)) {
            self.bytes.fetch_sub(old.size(), Ordering::Relaxed);
        }
        self.bytes.fetch_add(size, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::web;

    fn entry(generation: u64, size: usize) -> Entry {
        Entry {
            headers: Vec::new(),
            etag: None,
            bodies: Bodies::new(web::Bytes::from(vec![b'x'; size])),
            article_id: None,
            path: Arc::from("/"),
            stored: Instant::now(),
            generation,
        }
    }

    #[test]
    fn invalidation_drops_entries_and_refuses_stale_puts() {
        let c = PageCache::new(Duration::from_secs(60), 1 << 20);
        c.put("a".into(), entry(1, 10));
        assert!(c.get("a").is_some());
        c.invalidate_all();
        assert!(c.get("a").is_none());
        // Rendered before the invalidation (generation 1): not stored.
        c.put("b".into(), entry(1, 10));
        assert!(c.get("b").is_none());
        c.put("b".into(), entry(2, 10));
        assert!(c.get("b").is_some());
    }

    fn page(article: Option<i32>) -> Entry {
        Entry {
            article_id: article,
            ..entry(1, 10)
        }
    }

    #[test]
    fn an_article_change_keeps_other_articles_pages() {
        let c = PageCache::new(Duration::from_secs(60), 1 << 20);
        c.put("/articles/one".into(), page(Some(1)));
        c.put("/articles/two".into(), page(Some(2)));
        c.put("/".into(), page(None));
        c.invalidate(Change::Nothing);
        assert!(c.get("/articles/one").is_some() && c.get("/").is_some());
        c.invalidate(Change::Article(1));
        assert!(c.get("/articles/one").is_none(), "the changed article");
        assert!(c.get("/").is_none(), "listings show every article");
        assert!(
            c.get("/articles/two").is_some(),
            "another article's page stays"
        );
        c.invalidate(Change::Everything);
        assert!(c.get("/articles/two").is_none());
    }

    #[test]
    fn entries_expire_and_budget_holds() {
        let c = PageCache::new(Duration::from_millis(1), 1 << 20);
        c.put("a".into(), entry(1, 10));
        std::thread::sleep(Duration::from_millis(5));
        assert!(c.get("a").is_none(), "expired");
        let c = PageCache::new(Duration::from_secs(60), 64 * 1024);
        for i in 0..100 {
            c.put(format!("k{i}"), entry(1, 4000));
        }
        assert!(c.bytes.load(Ordering::Relaxed) <= 64 * 1024);
    }
}
