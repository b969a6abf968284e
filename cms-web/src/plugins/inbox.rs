//! Page views on their way to the events thread: one buffer per request
//! thread, emptied by the events thread in a single swap.
//!
//! A view used to go through the events queue (a bounded channel) like every
//! other event: at a cache hit's cost of ~45 000 instructions, the channel's
//! send was about 440 of them, a tenth of everything counting a view costs.
//! Now a request thread appends to its own buffer under a mutex only the
//! events thread ever contends for, and the events thread takes each
//! buffer's whole contents at once (swapping in an emptied vector, so neither
//! side allocates in the steady state).
//!
//! The events thread takes the buffers every [`super::runtime::VIEW_ROUND`]
//! rather than being woken for each view: waking a blocked thread costs a
//! system call, and a view's count is only written at the next counter
//! flush (every second) anyway.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::hooks::PageView;

/// Views one request thread may have waiting; more are dropped (and counted)
/// rather than let memory grow while the events thread is stuck.
pub const PER_THREAD: usize = 10_000;

/// Hosts whose buffer a thread remembers; an older one is looked up again.
/// A server has one host; tests start many in one process.
const REMEMBERED: usize = 4;

/// Distinguishes hosts in the per-thread lookup.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

type Buffer = Mutex<Vec<PageView>>;

thread_local! {
    /// This thread's buffer in each recently used host, newest last.
    static MINE: RefCell<Vec<(u64, Arc<Buffer>)>> = const { RefCell::new(Vec::new()) };
}

/// Every request thread's buffer of views for one host.
pub struct Inbox {
    id: u64,
    buffers: Mutex<Vec<Arc<Buffer>>>,
}

impl Default for Inbox {
    fn default() -> Self {
        Inbox {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            buffers: Mutex::new(Vec::new()),
        }
    }
}

impl Inbox {
    /// Adds a view to the calling thread's buffer; `false` when that is
    /// full and the view was dropped.
    pub fn push(&self, view: PageView) -> bool {
        self.with_mine(|buffer| {
            let mut views = buffer.lock().unwrap_or_else(|e| e.into_inner());
            if views.len() >= PER_THREAD {
                return false;
            }
            views.push(view);
            true
        })
    }

    /// Moves every waiting view into `out` (appending), thread by thread.
    /// `spare` is reused as each buffer's replacement, so capacity moves
    /// back and forth instead of being allocated again.
    pub fn take(&self, out: &mut Vec<PageView>, spare: &mut Vec<PageView>) {
        let buffers = self
            .buffers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        for b in &buffers {
            {
                let mut views = b.lock().unwrap_or_else(|e| e.into_inner());
                if views.is_empty() {
                    continue;
                }
                spare.clear();
                std::mem::swap(&mut *views, spare);
            }
            out.append(spare);
        }
    }

    /// Runs `f` on the calling thread's buffer, made and registered on the
    /// thread's first view.
    fn with_mine<R>(&self, f: impl FnOnce(&Buffer) -> R) -> R {
        MINE.with(|mine| {
            let mut mine = mine.borrow_mut();
            let i = match mine.iter().position(|(id, _)| *id == self.id) {
                Some(i) => i,
                None => {
                    let buffer: Arc<Buffer> = Arc::new(Mutex::new(Vec::new()));
                    self.buffers
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(buffer.clone());
                    if mine.len() >= REMEMBERED {
                        mine.remove(0);
                    }
                    mine.push((self.id, buffer));
                    mine.len() - 1
                }
            };
            f(&mine[i].1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(article: i32) -> PageView {
        PageView {
            article_id: Some(article),
            path: Arc::from("/a"),
            user_agent: Arc::from("ua"),
            is_staff: false,
            visitor: 1,
            at: 0,
        }
    }

    fn ids(views: &[PageView]) -> Vec<i32> {
        views.iter().filter_map(|v| v.article_id).collect()
    }

    #[test]
    fn views_from_every_thread_are_taken_in_order_per_thread() {
        let inbox = Arc::new(Inbox::default());
        for i in 0..3 {
            assert!(inbox.push(view(i)));
        }
        let other = inbox.clone();
        std::thread::spawn(move || {
            for i in 10..12 {
                other.push(view(i));
            }
        })
        .join()
        .expect("thread");
        let (mut out, mut spare) = (Vec::new(), Vec::new());
        inbox.take(&mut out, &mut spare);
        let mut got = ids(&out);
        got.sort_unstable();
        assert_eq!(got, vec![0, 1, 2, 10, 11]);
        let mine: Vec<i32> = ids(&out).into_iter().filter(|i| *i < 10).collect();
        assert_eq!(mine, vec![0, 1, 2], "one thread's views keep their order");
        out.clear();
        inbox.take(&mut out, &mut spare);
        assert!(out.is_empty(), "taken views are gone from the buffers");
    }

    #[test]
    fn a_full_buffer_drops_views() {
        let inbox = Inbox::default();
        for i in 0..PER_THREAD {
            assert!(inbox.push(view(i as i32)));
        }
        assert!(!inbox.push(view(-1)));
        let (mut out, mut spare) = (Vec::new(), Vec::new());
        inbox.take(&mut out, &mut spare);
        assert_eq!(out.len(), PER_THREAD);
        assert!(inbox.push(view(0)), "room again once taken");
    }

    #[test]
    fn hosts_keep_separate_buffers_on_one_thread() {
        let hosts: Vec<Inbox> = (0..REMEMBERED + 2).map(|_| Inbox::default()).collect();
        for round in 0..2 {
            for (i, h) in hosts.iter().enumerate() {
                h.push(view(i as i32 * 10 + round));
            }
        }
        for (i, h) in hosts.iter().enumerate() {
            let (mut out, mut spare) = (Vec::new(), Vec::new());
            h.take(&mut out, &mut spare);
            let i = i as i32;
            assert_eq!(
                ids(&out),
                vec![i * 10, i * 10 + 1],
                "a host this thread forgot gets a second buffer, never another host's"
            );
        }
    }
}
