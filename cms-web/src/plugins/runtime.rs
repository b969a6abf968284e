//! The host's background threads (plain threads, independent of the HTTP
//! server's runtime, holding only weak references so a dropped host ends them):
//!
//! - **events**: delivers page views and lifecycle events to plugins, in order,
//!   off the request path. The queue is bounded; when it is full a view is
//!   dropped and counted, never waited for.
//! - **flusher**: writes batched counter increments every second.
//! - **ticker**: re-reads plugin states and site settings every few seconds
//!   (so a change made on another node applies here), and calls `tick` hooks.

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

    fn deliver(&self, ev: Event) {
        match ev {
            Event::View(v, at) => {
                let payload = json!({
                    "article_id": v.article_id,
                    "path": v.path,
                    "user_agent": v.user_agent,
                    "is_staff": v.is_staff,
                    "visitor_hash": v.visitor_hash,
                    "timestamp": at,
                    "day": services::utc_day(at),
                })
                .to_string();
                for p in self.enabled_with(hook::PAGE_VIEW) {
                    self.invoke(&p, hook::PAGE_VIEW, payload.as_bytes());
                }
            }
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
    spawn("gazette-plugin-events", move || {
        for ev in rx {
            let Some(host) = w.upgrade() else { break };
            host.deliver(ev);
        }
    });
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
