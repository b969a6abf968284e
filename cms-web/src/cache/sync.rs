//! Invalidation across nodes: several Gazette nodes on one PostgreSQL each
//! keep their own render cache, so a write on one node is announced to the
//! others (PostgreSQL `NOTIFY`, see `cms_core::notify`), which forget the same
//! entries within [`POLL`]. Without this, another node's edit would show only
//! when the entries expire (`page_cache_ttl_ms`).
//!
//! One thread per node holds a listening connection. It sends what this node
//! invalidated and applies what the others did. While it is disconnected
//! nothing is known about the other nodes' writes, so on every (re)connection
//! this node's cache is emptied, and changes it could not announce are sent
//! once it is back. SQLite sites are one node: no thread, no connection.

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Weak};
use std::time::Duration;

use cms_core::db::DatabaseUrl;
use cms_core::notify::Listener;

use super::{Change, PageCache};

/// The notification channel.
const CHANNEL: &str = "gazette_cache";
/// How often the listener looks for other nodes' messages.
pub const POLL: Duration = Duration::from_millis(50);
/// Longest wait before connecting again after a failure.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// Starts announcing and applying invalidations for `cache` when `url` is
/// PostgreSQL; does nothing for SQLite or when already started. The thread
/// ends when the cache is dropped. `before` runs on that thread before
/// another node's change is applied (to re-read state the change may have
/// touched, such as plugin settings, so the next render already uses it).
pub fn start(cache: &Arc<PageCache>, url: &DatabaseUrl, before: impl Fn(Change) + Send + 'static) {
    if !matches!(url, DatabaseUrl::Postgres(_)) {
        return;
    }
    let (tx, rx) = std::sync::mpsc::channel();
    if cache.outbox.set(tx).is_err() {
        return;
    }
    let weak = Arc::downgrade(cache);
    let node = cache.node;
    let url = url.clone();
    let spawned = std::thread::Builder::new()
        .name("gazette-cache-sync".into())
        .spawn(move || run(&weak, node, &url, &rx, &before));
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cache: cannot start the cross-node invalidation thread");
    }
}

fn run(
    weak: &Weak<PageCache>,
    node: u64,
    url: &DatabaseUrl,
    rx: &Receiver<Change>,
    before: &dyn Fn(Change),
) {
    let mut unsent: Vec<Change> = Vec::new();
    let mut backoff = Duration::from_millis(100);
    loop {
        let mut listener = match Listener::open(url, CHANNEL) {
            Ok(Some(l)) => l,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "cache: cannot listen for other nodes' changes; retrying");
                if !sleep_while_alive(weak, backoff) {
                    return;
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
                continue;
            }
        };
        backoff = Duration::from_millis(100);
        // Whatever the other nodes changed while this one was not listening.
        before(Change::Everything);
        match weak.upgrade() {
            Some(cache) => cache.invalidate_here(Change::Everything),
            None => return,
        }
        loop {
            // Announce this node's changes, oldest first; keep any not sent.
            unsent.extend(rx.try_iter());
            let mut sent = 0;
            for change in &unsent {
                if listener.send(&encode(node, *change)).is_err() {
                    break;
                }
                sent += 1;
            }
            unsent.drain(..sent);
            if !unsent.is_empty() {
                break;
            }
            let Ok(messages) = listener.received() else {
                break;
            };
            let Some(cache) = weak.upgrade() else { return };
            for m in messages {
                match decode(&m) {
                    Some((from, change)) if from != node => {
                        before(change);
                        cache.invalidate_here(change);
                    }
                    Some(_) => {}
                    None => tracing::warn!(message = %m, "cache: unreadable invalidation message"),
                }
            }
            drop(cache);
            match rx.recv_timeout(POLL) {
                Ok(change) => unsent.push(change),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        tracing::warn!("cache: lost the connection for other nodes' changes; reconnecting");
    }
}

/// Sleeps `d`, in steps, while the cache lives; false once it is dropped.
fn sleep_while_alive(weak: &Weak<PageCache>, d: Duration) -> bool {
    let mut left = d;
    while !left.is_zero() {
        let step = left.min(POLL);
        std::thread::sleep(step);
        left -= step;
        if weak.strong_count() == 0 {
            return false;
        }
    }
    true
}

/// `NODE:all`, `NODE:article:ID` (the node in hex).
fn encode(node: u64, change: Change) -> String {
    match change {
        Change::Nothing => format!("{node:x}:nothing"),
        Change::Article(id) => format!("{node:x}:article:{id}"),
        Change::Everything => format!("{node:x}:all"),
    }
}

fn decode(m: &str) -> Option<(u64, Change)> {
    let (node, rest) = m.split_once(':')?;
    let node = u64::from_str_radix(node, 16).ok()?;
    let change = match rest {
        "all" => Change::Everything,
        "nothing" => Change::Nothing,
        _ => Change::Article(rest.strip_prefix("article:")?.parse().ok()?),
    };
    Some((node, change))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_back() {
        for c in [Change::Nothing, Change::Article(42), Change::Everything] {
            assert_eq!(decode(&encode(0xabc, c)), Some((0xabc, c)));
        }
        assert_eq!(decode("zz:all"), None);
        assert_eq!(decode("1:article:x"), None);
        assert_eq!(decode("1:something"), None);
        assert_eq!(decode(""), None);
    }
}
