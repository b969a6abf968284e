//! The host's background threads (plain threads, independent of the HTTP
//! server's runtime, holding only weak references so a dropped host ends them):
//!
//! - **events**: delivers page views and lifecycle events to plugins, in order,
//!   off the request path. The queue is bounded; when it is full a view is
//!   dropped and counted, never waited for.
//! - **flusher**: writes batched counter increments every second.
//! - **ticker**: re-reads plugin states and site settings every few seconds
//!   (so a change made on another node applies here), and calls `tick` hooks.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, Sender, TrySendError};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use gazette_plugin_api::hooks as hook;
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
    /// A page view and when it happened (Unix seconds).
    View(PageView, i64),
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
            Event::View(..) => hook::PAGE_VIEW,
            Event::Published(_) => hook::ARTICLE_AFTER_PUBLISH,
            Event::Deleted(_) => hook::ARTICLE_AFTER_DELETE,
            Event::Drain(_) => "",
        };
        if !wanted.is_empty() && self.enabled_with(wanted).is_empty() {
            return;
        }
        match tx.try_send(ev) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                let n = self.dropped_events.fetch_add(1, Ordering::Relaxed) + 1;
                if n == 1 || n % 1000 == 0 {
                    tracing::warn!(
                        dropped = n,
                        "plugins: event queue full; dropping page views"
                    );
                }
            }
            Err(TrySendError::Disconnected(_)) => {}
        }
    }

    /// Delivers page views, all at once to plugins that take batches.
    fn deliver_views(&self, views: &[(PageView, i64)]) {
        let plugins = self.enabled_with(hook::PAGE_VIEW);
        if plugins.is_empty() || views.is_empty() {
            return;
        }
        // Views in a batch are nearly always from one day: format each day once.
        let mut days: Vec<(i64, String)> = Vec::new();
        for (_, at) in views {
            let n = at.div_euclid(86_400);
            if !days.iter().any(|(m, _)| *m == n) {
                days.push((n, services::utc_day(*at)));
            }
        }
        let json: Vec<ViewJson<'_>> = views
            .iter()
            .map(|(v, at)| {
                let n = at.div_euclid(86_400);
                let d = days
                    .iter()
                    .find(|(m, _)| *m == n)
                    .map_or("", |(_, d)| d.as_str());
                ViewJson {
                    article_id: v.article_id,
                    path: &v.path,
                    user_agent: &v.user_agent,
                    is_staff: v.is_staff,
                    visitor_hash: &v.visitor_hash,
                    timestamp: *at,
                    day: d,
                    count: 1,
                }
            })
            .collect();
        // A batch sends identical views (same page, visitor, agent and day)
        // once, with their count, in order of first appearance.
        let mut grouped: Vec<ViewJson<'_>> = Vec::new();
        let mut index: HashMap<GroupKey<'_>, usize> = HashMap::new();
        for v in &json {
            let key = (
                v.article_id,
                v.path,
                v.user_agent,
                v.is_staff,
                v.visitor_hash,
                v.day,
            );
            match index.get(&key) {
                Some(&i) => {
                    let g = &mut grouped[i];
                    g.count += 1;
                    g.timestamp = g.timestamp.max(v.timestamp);
                }
                None => {
                    index.insert(key, grouped.len());
                    grouped.push(v.clone());
                }
            }
        }
        let mut batch = Vec::with_capacity(64 + grouped.len() * 320);
        if serde_json::to_writer(&mut batch, &ViewBatch { views: &grouped }).is_err() {
            return;
        }
        // One payload per view, made only if some plugin takes views singly.
        let singles = std::cell::OnceCell::new();
        let singles = || {
            singles.get_or_init(|| {
                json.iter()
                    .map(|v| serde_json::to_vec(v).unwrap_or_default())
                    .collect::<Vec<_>>()
            })
        };
        for p in plugins {
            self.invoke_views(&p, &batch, &singles);
        }
    }

    fn deliver(&self, ev: Event) {
        match ev {
            Event::View(v, at) => self.deliver_views(&[(v, at)]),
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

/// What makes two page views identical for a batch.
type GroupKey<'a> = (Option<i32>, &'a str, &'a str, bool, &'a str, &'a str);

/// A page view as plugins receive it (the `page_view` input; `count` is
/// more than 1 only in a `page_views` batch).
#[derive(Clone, serde::Serialize)]
struct ViewJson<'a> {
    article_id: Option<i32>,
    path: &'a str,
    user_agent: &'a str,
    is_staff: bool,
    visitor_hash: &'a str,
    timestamp: i64,
    day: &'a str,
    count: u32,
}

/// The `page_views` input.
#[derive(serde::Serialize)]
struct ViewBatch<'a> {
    views: &'a [ViewJson<'a>],
}

/// Views delivered in one batch at most.
const MAX_BATCH: usize = 1000;

/// Waiting events that mean the site is busy (see [`run_events`]).
const BUSY: usize = 16;
/// How long the events thread naps between batches while the site is busy.
const BUSY_NAP: Duration = Duration::from_millis(20);

/// The events thread: delivers events in order; consecutive page views that
/// are already waiting go out together as one batch.
///
/// While the site is quiet it blocks on the queue, so an event is delivered
/// at once. While it is busy (the last round delivered [`BUSY`] events or
/// more) it naps between rounds instead: a thread blocked on the queue must
/// be woken by a system call on every single send, which on a busy site cost
/// the request threads more than delivering the views did.
fn run_events(weak: &Weak<HostInner>, rx: &Receiver<Event>) {
    let mut views: Vec<(PageView, i64)> = Vec::new();
    let mut busy = false;
    loop {
        let first = if busy {
            std::thread::sleep(BUSY_NAP);
            match rx.try_recv() {
                Ok(ev) => ev,
                Err(std::sync::mpsc::TryRecvError::Empty) => {
                    busy = false;
                    continue;
                }
                Err(std::sync::mpsc::TryRecvError::Disconnected) => return,
            }
        } else {
            match rx.recv() {
                Ok(ev) => ev,
                Err(_) => return,
            }
        };
        let mut delivered = 0;
        let mut next = Some(first);
        while let Some(ev) = next.take() {
            let Some(host) = weak.upgrade() else { return };
            delivered += 1;
            match ev {
                Event::View(v, at) => {
                    views.push((v, at));
                    if views.len() < MAX_BATCH {
                        next = rx.try_recv().ok();
                    }
                    if next.as_ref().is_none_or(|e| !matches!(e, Event::View(..))) {
                        host.deliver_views(&views);
                        views.clear();
                    }
                }
                other => host.deliver(other),
            }
            // Drain the queue (views still go out MAX_BATCH at a time).
            if next.is_none() {
                next = rx.try_recv().ok();
            }
        }
        busy = delivered >= BUSY;
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
