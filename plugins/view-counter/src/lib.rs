//! view-counter: counts article page views and shows "N views" under articles.
//!
//! Counters (readable by other plugins as `view-counter`'s counters):
//! - `article:<id>`: all-time views of an article;
//! - `day:<YYYY-MM-DD>:article:<id>`: views on one UTC day (used by `popular`).
//!
//! Bots (by user agent) and logged-in staff are not counted. With a dedupe
//! window, the same visitor viewing the same article again within it is not
//! counted again; the window is remembered per node, in memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use gazette_plugin_sdk::prelude::*;

/// Lower-case substrings of user agents that are not people.
const BOT_MARKERS: &[&str] = &[
    "bot",
    "crawl",
    "spider",
    "slurp",
    "curl/",
    "wget/",
    "python-requests",
    "python-urllib",
    "httpclient",
    "http-client",
    "go-http-client",
    "java/",
    "okhttp",
    "libwww",
    "scrapy",
    "axios",
    "node-fetch",
    "headless",
    "phantomjs",
    "lighthouse",
    "pingdom",
    "uptime",
    "monitor",
    "facebookexternalhit",
    "embedly",
    "preview",
    "feedfetcher",
    "mediapartners",
    "ia_archiver",
    "archive.org",
];

type Fast = foldhash::fast::RandomState;

/// (visitor, article) pairs remembered for the dedupe window at most, about
/// 40 MB; past that, views may be counted twice rather than memory grow.
const MAX_REMEMBERED: usize = 1_000_000;

#[derive(Default)]
struct ViewCounter {
    /// (visitor, article) → last counted view, Unix seconds.
    recent: Mutex<HashMap<(u64, i32), i64, Fast>>,
}

/// Whether a user agent looks like a bot (an empty one does too).
fn is_bot(user_agent: &str, extra: &str) -> bool {
    let ua = user_agent.trim().to_ascii_lowercase();
    if ua.is_empty() {
        return true;
    }
    BOT_MARKERS.iter().any(|m| ua.contains(m))
        || extra
            .split(',')
            .map(|s| s.trim().to_ascii_lowercase())
            .any(|m| !m.is_empty() && ua.contains(&m))
}

fn plural(n: i64) -> String {
    if n == 1 {
        "1 view".to_owned()
    } else {
        format!("{n} views")
    }
}

impl ViewCounter {
    /// False if this visitor's view of this article was counted within the window.
    fn first_in_window(&self, visitor: u64, article: i32, now: i64, window_secs: i64) -> bool {
        if window_secs <= 0 || visitor == 0 {
            return true;
        }
        let Ok(mut recent) = self.recent.lock() else {
            return true;
        };
        let key = (visitor, article);
        match recent.get(&key) {
            Some(&t) if now - t < window_secs => false,
            _ => {
                if recent.len() >= MAX_REMEMBERED {
                    // Every visitor is new (a crawl, a flood of addresses):
                    // forget what is out of the window, and everything if
                    // that is not enough, rather than grow without bound.
                    recent.retain(|_, t| now - *t < window_secs);
                    if recent.len() >= MAX_REMEMBERED / 2 {
                        recent.clear();
                    }
                }
                recent.insert(key, now);
                true
            }
        }
    }
}

impl Plugin for ViewCounter {
    fn metadata(&self) -> Metadata {
        Metadata::new(
            "view-counter",
            env!("CARGO_PKG_VERSION"),
            "Counts article page views (not bots, not logged-in staff) and shows \u{201c}N views\u{201d} under each article. Other widgets read its counts.",
        )
        .hook(Hook::PageView)
        .widget(Slot::AfterArticle, 0)
        .tick_every(300)
        .setting(
            Setting::integer("dedupe_minutes", "Count a visitor once per article every … minutes", 0)
                .range(0, 1440)
                .help("0 counts every view. The window is remembered per server node."),
        )
        .setting(
            Setting::text("extra_bots", "More bot user agents", "")
                .max_length(500)
                .help("Comma-separated words; a user agent containing one is not counted."),
        )
        .setting(Setting::boolean("show_count", "Show \u{201c}N views\u{201d} under articles", true))
    }

    fn page_view(&self, host: &Host, view: &PageView) -> Result<()> {
        self.page_views(host, std::slice::from_ref(view))
    }

    /// Reads the settings once per batch and adds the counts up first, so a
    /// busy article costs two counter calls per batch, not two per view.
    fn page_views(&self, host: &Host, views: &[PageView]) -> Result<()> {
        let settings = host.settings()?;
        let extra_bots = settings.text("extra_bots", "");
        let window = settings.int("dedupe_minutes", 0).clamp(0, 1440) * 60;
        // Maps that live for one batch: a fast seeded hash is enough (the
        // default SipHash was half of what counting a view cost here).
        // Views of a batch share one string per day: group by its address.
        let mut counts: HashMap<(i32, *const u8), (&str, i64), Fast> = HashMap::default();
        // Most views in a batch share a handful of user agents, and views of
        // one agent share one string: classify each once, found by address.
        let mut bots: HashMap<*const u8, bool, Fast> = HashMap::default();
        for view in views {
            let Some(article) = view.article_id else {
                continue;
            };
            if view.is_staff
                || *bots
                    .entry(Arc::as_ptr(&view.user_agent).cast::<u8>())
                    .or_insert_with(|| is_bot(&view.user_agent, &extra_bots))
                || !self.first_in_window(view.visitor, article, view.timestamp, window)
            {
                continue;
            }
            // With a dedupe window, identical views moments apart count once.
            let n = if window > 0 {
                1
            } else {
                i64::from(view.views())
            };
            counts
                .entry((article, Arc::as_ptr(&view.day).cast::<u8>()))
                .or_insert((&*view.day, 0))
                .1 += n;
        }
        let mut totals: HashMap<i32, i64, Fast> = HashMap::default();
        for (&(article, _), &(day, n)) in &counts {
            host.counter_add(&format!("day:{day}:article:{article}"), n)?;
            *totals.entry(article).or_default() += n;
        }
        for (article, n) in totals {
            host.counter_add(&format!("article:{article}"), n)?;
        }
        Ok(())
    }

    fn widget(&self, host: &Host, ctx: &WidgetContext) -> Result<Option<Html>> {
        let Some(article) = ctx.article_id else {
            return Ok(None);
        };
        if !host.settings()?.flag("show_count", true) {
            return Ok(None);
        }
        let n = host.counter(&format!("article:{article}"))?;
        Ok(Some(
            el("p").class("widget view-count").text(plural(n)).into(),
        ))
    }

    fn tick(&self, host: &Host, tick: &Tick) -> Result<()> {
        // Forget dedupe entries older than the window as it is set now.
        let window = host.settings()?.int("dedupe_minutes", 0).clamp(0, 1440) * 60;
        if let Ok(mut recent) = self.recent.lock() {
            recent.retain(|_, t| tick.timestamp - *t < window);
        }
        Ok(())
    }
}

declare_plugin!(ViewCounter);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bots_are_recognised() {
        assert!(is_bot("Mozilla/5.0 (compatible; Googlebot/2.1)", ""));
        assert!(is_bot("", ""));
        assert!(is_bot("curl/8.0", ""));
        assert!(is_bot("MyMonitor 1.0", ""));
        assert!(is_bot("Acme Fetcher", "fetcher"));
        assert!(!is_bot("Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0", ""));
    }

    #[test]
    fn dedupe_window() {
        let v = ViewCounter::default();
        assert!(v.first_in_window(0xa, 1, 1000, 60));
        assert!(!v.first_in_window(0xa, 1, 1030, 60));
        assert!(v.first_in_window(0xa, 2, 1030, 60));
        assert!(v.first_in_window(0xa, 1, 1061, 60));
        assert!(v.first_in_window(0xa, 1, 1062, 0));
    }

    #[test]
    fn dedupe_memory_is_bounded() {
        let v = ViewCounter::default();
        for visitor in 1..=(MAX_REMEMBERED as u64 + 10) {
            assert!(v.first_in_window(visitor, 1, 1000, 60));
        }
        let n = v.recent.lock().expect("lock").len();
        assert!(n <= MAX_REMEMBERED, "{n} entries");
        assert!(
            !v.first_in_window(MAX_REMEMBERED as u64 + 10, 1, 1001, 60),
            "the newest visitors are still remembered"
        );
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(1), "1 view");
        assert_eq!(plural(0), "0 views");
    }
}
