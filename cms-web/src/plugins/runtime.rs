//! The host's background threads (plain threads, independent of the HTTP
//! server's runtime, holding only weak references so a dropped host ends them):
//!
//! - **events**: delivers page views and lifecycle events to plugins off the
//!   request path. Lifecycle events come through a bounded queue, in order;
//!   page views through per-thread buffers (`inbox`). When either is full an
//!   event is dropped and counted, never waited for.
//! - **flusher**: writes batched counter increments every second, and
//!   disables a plugin whose hook call has run longer than `plugin_hang_ms`.
//! - **ticker**: re-reads plugin states and site settings every few seconds
//!   (so a change made on another node applies here), and calls `tick` hooks.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TrySendError};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use gazette_plugin_api::hooks as hook;
use gazette_plugin_api::views::{self as wire, ViewRecord};
use serde_json::json;

use super::{services, HostInner};
use crate::hooks::{DeletedArticle, PageView};

/// Events waiting for delivery at most; more are dropped.
pub const EVENT_QUEUE: usize = 10_000;
/// How often batched counters are written.
pub const FLUSH_EVERY: Duration = Duration::from_secs(1);
/// How often plugin states and site settings are re-read from the database.
pub const STATE_POLL_EVERY: Duration = Duration::from_secs(3);

pub enum Event {
    Published(i32),
    Deleted(DeletedArticle),
    /// Answered once everything queued before it was delivered.
    Drain(Sender<()>),
}

impl HostInner {
    /// Queues an event without ever blocking; drops it when the queue is full.
    pub(super) fn enqueue(&self, ev: Event) {
        let Some(tx) = &self.events else { return };
        if self.closing.load(Ordering::Relaxed) {
            return;
        }
        let wanted = match &ev {
            Event::Published(_) => hook::ARTICLE_AFTER_PUBLISH,
            Event::Deleted(_) => hook::ARTICLE_AFTER_DELETE,
            Event::Drain(_) => "",
        };
        if !wanted.is_empty() && !self.any_enabled_with(wanted) {
            return;
        }
        match tx.try_send(ev) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => self.count_dropped(),
            Err(TrySendError::Disconnected(_)) => {}
        }
    }

    /// Queues a page view (in the inbox's per-thread buffer, see `inbox`).
    /// Never blocks; drops the view when the buffer is full.
    pub(super) fn add_view(&self, view: PageView) {
        if self.events.is_none() || self.closing.load(Ordering::Relaxed) {
            return;
        }
        if !self.inbox.push(view) {
            self.count_dropped();
        }
    }

    fn count_dropped(&self) {
        let n = self.dropped_events.fetch_add(1, Ordering::Relaxed) + 1;
        if n == 1 || n.is_multiple_of(1000) {
            tracing::warn!(
                dropped = n,
                "plugins: events are not being delivered fast enough; dropping page views"
            );
        }
    }

    /// Delivers every view waiting in the inbox, [`MAX_BATCH`] at a time.
    fn deliver_waiting(&self, views: &mut Vec<PageView>, spare: &mut Vec<PageView>) {
        self.inbox.take(views, spare);
        for batch in views.chunks(MAX_BATCH) {
            self.deliver_views(batch);
        }
        views.clear();
    }

    /// Delivers page views, all at once to plugins that take batches.
    fn deliver_views(&self, views: &[PageView]) {
        let plugins = self.enabled_with(hook::PAGE_VIEW);
        if plugins.is_empty() || views.is_empty() {
            return;
        }
        let mut strings = Strings::default();
        // Views in a batch are nearly always from one day: format each day
        // once (its string goes into the batch when first seen).
        let mut days: Vec<(i64, String)> = Vec::new();
        for v in views {
            let n = v.at.div_euclid(86_400);
            if !days.iter().any(|(m, _)| *m == n) {
                days.push((n, services::utc_day(v.at)));
            }
        }
        let mut day_index: Vec<(i64, u32)> =
            days.iter().map(|(n, d)| (*n, strings.text(d))).collect();
        day_index.sort_unstable();
        // Identical views in a row (same page, visitor, agent and day: a
        // reader reloading, a thread's buffer keeps them together) go once,
        // with their count. Grouping every identical view of the batch took
        // a hash map insert per view, the dearest step here.
        let mut grouped: Vec<ViewRecord> = Vec::with_capacity(views.len());
        for v in views {
            let at = &v.at;
            let n = at.div_euclid(86_400);
            let day = match day_index.binary_search_by_key(&n, |(m, _)| *m) {
                Ok(i) => day_index[i].1,
                Err(_) => strings.text(""),
            };
            let view = ViewRecord {
                article_id: v.article_id.unwrap_or(0),
                path: strings.shared(&v.path),
                user_agent: strings.shared(&v.user_agent),
                day,
                visitor: v.visitor,
                timestamp: *at,
                count: 1,
                flags: if v.is_staff { wire::FLAG_STAFF } else { 0 },
            };
            match grouped.last_mut() {
                Some(g) if same_view(g, &view) => {
                    g.count += 1;
                    g.timestamp = g.timestamp.max(*at);
                }
                _ => grouped.push(view),
            }
        }
        let batch = wire::encode(&strings.list, &grouped);
        // One payload per view, made only if some plugin takes views singly.
        let singles = std::cell::OnceCell::new();
        let singles = || {
            singles.get_or_init(|| {
                views
                    .iter()
                    .map(|v| {
                        let at = &v.at;
                        let n = at.div_euclid(86_400);
                        let day = days
                            .iter()
                            .find(|(m, _)| *m == n)
                            .map_or("", |(_, d)| d.as_str());
                        serde_json::to_vec(&SingleView {
                            article_id: v.article_id,
                            path: &v.path,
                            user_agent: &v.user_agent,
                            is_staff: v.is_staff,
                            visitor_hash: Hex(v.visitor),
                            timestamp: *at,
                            day,
                        })
                        .unwrap_or_default()
                    })
                    .collect::<Vec<_>>()
            })
        };
        for p in plugins {
            self.invoke_views(&p, &batch, &singles);
        }
    }

    fn deliver(&self, ev: Event) {
        match ev {
            Event::Published(id) => {
                let plugins = self.enabled_with(hook::ARTICLE_AFTER_PUBLISH);
                if plugins.is_empty() {
                    return;
                }
                let item = match services::article_item(self, id) {
                    Ok(Some(item)) => item,
                    Ok(None) => return,
                    Err(e) => {
                        tracing::warn!(article = id, error = %e, "plugins: cannot load a published article");
                        return;
                    }
                };
                let payload = item.to_string();
                for p in plugins {
                    self.invoke(&p, hook::ARTICLE_AFTER_PUBLISH, payload.as_bytes());
                }
            }
            Event::Deleted(a) => {
                let payload = json!({"id": a.id, "title": a.title, "slug": a.slug}).to_string();
                for p in self.enabled_with(hook::ARTICLE_AFTER_DELETE) {
                    self.invoke(&p, hook::ARTICLE_AFTER_DELETE, payload.as_bytes());
                }
            }
            Event::Drain(ack) => {
                let _ = ack.send(());
            }
        }
    }

    fn tick(&self) {
        let now = chrono::Utc::now().timestamp();
        let payload = json!({"timestamp": now, "day": services::utc_day(now)}).to_string();
        for p in self.enabled_with(hook::TICK) {
            let due = {
                let mut next = p.next_tick.lock().unwrap_or_else(|e| e.into_inner());
                if Instant::now() >= *next {
                    *next = Instant::now() + Duration::from_secs(p.meta.tick_secs);
                    true
                } else {
                    false
                }
            };
            if due {
                self.invoke(&p, hook::TICK, payload.as_bytes());
            }
        }
    }
}

/// A visitor hash as plugins see it: 16 lower-case hex digits.
#[derive(Clone, Copy)]
struct Hex(u64);

impl serde::Serialize for Hex {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = [0u8; 16];
        for (i, d) in out.iter_mut().enumerate() {
            *d = DIGITS[((self.0 >> (60 - 4 * i)) & 0xf) as usize];
        }
        s.serialize_str(std::str::from_utf8(&out).unwrap_or_default())
    }
}

/// The strings of a `page_views` batch (see `gazette_plugin_api::views`),
/// each sent once: a batch of a thousand views names a handful of pages,
/// user agents and days.
#[derive(Default)]
struct Strings<'a> {
    list: Vec<&'a str>,
    by_text: HashMap<&'a str, u32, Fast>,
    /// Views share their strings (see `public::views`): most are found by
    /// address, without hashing their text.
    by_address: HashMap<usize, u32, Fast>,
    /// The addresses found last, checked before the map: a batch's views
    /// name a handful of pages and agents, so most are here.
    recent: [(usize, u32); 4],
    next_recent: usize,
}

/// Hashing for the maps of one batch: they live for one call and hold at
/// most a batch's worth of entries, so a fast seeded hash is enough.
type Fast = foldhash::fast::RandomState;

impl<'a> Strings<'a> {
    fn shared(&mut self, s: &'a std::sync::Arc<str>) -> u32 {
        let address = std::sync::Arc::as_ptr(s).cast::<u8>() as usize;
        if let Some(&(_, i)) = self.recent.iter().find(|(a, _)| *a == address) {
            return i;
        }
        let i = match self.by_address.get(&address) {
            Some(&i) => i,
            None => {
                let i = self.text(s);
                self.by_address.insert(address, i);
                i
            }
        };
        self.recent[self.next_recent % self.recent.len()] = (address, i);
        self.next_recent = self.next_recent.wrapping_add(1);
        i
    }

    fn text(&mut self, s: &'a str) -> u32 {
        let list = &mut self.list;
        *self.by_text.entry(s).or_insert_with(|| {
            list.push(s);
            u32::try_from(list.len() - 1).unwrap_or(u32::MAX)
        })
    }
}

/// Whether two page views are identical for a batch: article, path, user
/// agent, flags, visitor and day.
fn same_view(a: &ViewRecord, b: &ViewRecord) -> bool {
    a.visitor == b.visitor
        && a.article_id == b.article_id
        && a.path == b.path
        && a.user_agent == b.user_agent
        && a.flags == b.flags
        && a.day == b.day
}

/// The `page_view` input.
#[derive(serde::Serialize)]
struct SingleView<'a> {
    article_id: Option<i32>,
    path: &'a str,
    user_agent: &'a str,
    is_staff: bool,
    visitor_hash: Hex,
    timestamp: i64,
    day: &'a str,
}

/// Views delivered in one batch at most.
const MAX_BATCH: usize = 1000;

/// How often the events thread takes the page views waiting in the inbox.
/// Counts are written every [`FLUSH_EVERY`], so this delay is never seen;
/// what it buys is batches: one plugin call per round instead of one per
/// view, whatever the traffic.
pub const VIEW_ROUND: Duration = Duration::from_millis(100);

/// The events thread. Lifecycle events are delivered as they arrive, in the
/// order they were queued; every [`VIEW_ROUND`] the page views waiting in the
/// inbox go out as batches. A view and a lifecycle event queued at about the
/// same time may be delivered in either order; `Drain` is answered only after
/// every event queued and every view added before it was delivered.
fn run_events(weak: &Weak<HostInner>, rx: &Receiver<Event>) {
    let mut views: Vec<PageView> = Vec::new();
    let mut spare: Vec<PageView> = Vec::new();
    let mut next_round = Instant::now() + VIEW_ROUND;
    loop {
        // No strong reference while waiting: dropping the host closes the queue.
        let first = match rx.recv_timeout(next_round.saturating_duration_since(Instant::now())) {
            Ok(ev) => Some(ev),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        let Some(host) = weak.upgrade() else { return };
        let mut next = first;
        while let Some(ev) = next.take() {
            host.handle(ev, &mut views, &mut spare);
            next = rx.try_recv().ok();
        }
        if Instant::now() >= next_round {
            host.deliver_waiting(&mut views, &mut spare);
            next_round = Instant::now() + VIEW_ROUND;
        }
    }
}

impl HostInner {
    /// Delivers one event from the queue (for `Drain`, the waiting views first).
    fn handle(&self, ev: Event, views: &mut Vec<PageView>, spare: &mut Vec<PageView>) {
        match ev {
            Event::Drain(ack) => {
                self.deliver_waiting(views, spare);
                let _ = ack.send(());
            }
            other => self.deliver(other),
        }
    }
}

fn spawn(name: &str, f: impl FnOnce() + Send + 'static) {
    if let Err(e) = std::thread::Builder::new().name(name.to_owned()).spawn(f) {
        tracing::error!(thread = name, error = %e, "plugins: cannot start a background thread");
    }
}

/// Starts the background threads for a host with plugins.
pub fn start(inner: &Arc<HostInner>, rx: Receiver<Event>) {
    let weak: Weak<HostInner> = Arc::downgrade(inner);
    // The receiver ends when the host (holding the sender) is dropped.
    let w = weak.clone();
    spawn("gazette-plugin-events", move || run_events(&w, &rx));
    let w = weak.clone();
    spawn("gazette-plugin-flush", move || loop {
        std::thread::sleep(FLUSH_EVERY);
        let Some(host) = w.upgrade() else { break };
        host.flush_counters();
        // Here, not on the ticker: a hung `tick` hook would stop the watchdog.
        host.check_hangs();
        if host.shut_down.load(Ordering::SeqCst) {
            break;
        }
    });
    spawn("gazette-plugin-tick", move || {
        let mut last_poll = Instant::now();
        loop {
            std::thread::sleep(Duration::from_secs(1));
            let Some(host) = weak.upgrade() else { break };
            if host.shut_down.load(Ordering::SeqCst) {
                break;
            }
            if last_poll.elapsed() >= STATE_POLL_EVERY {
                last_poll = Instant::now();
                host.refresh_states();
                host.refresh_site();
            }
            host.tick();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::Hex;

    #[test]
    fn visitor_hashes_go_out_as_sixteen_hex_digits() {
        assert_eq!(
            serde_json::to_string(&Hex(0xab)).expect("json"),
            "\"00000000000000ab\""
        );
        assert_eq!(
            serde_json::to_string(&Hex(u64::MAX)).expect("json"),
            "\"ffffffffffffffff\""
        );
    }
}
