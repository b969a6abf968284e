//! popular: "Most read" over the last N days, from view-counter's per-day
//! counters `day:<YYYY-MM-DD>:article:<id>`.
//!
//! Summing many day counters is a query over the counters table, so the list
//! is computed at most once a minute per node and kept in memory.

use std::sync::Mutex;

use gazette_plugin_sdk::prelude::*;

/// How long a computed list is reused, in seconds.
const REFRESH_SECS: i64 = 60;

/// Articles with their views over the period, most read first.
type Ranking = Vec<(ArticleItem, i64)>;

/// A computed ranking: when, for how many days and items.
struct Cached {
    at: i64,
    days: i64,
    count: usize,
    list: Ranking,
}

#[derive(Default)]
struct Popular {
    cache: Mutex<Option<Cached>>,
}

impl Popular {
    fn compute(&self, host: &Host, now: i64, days: i64, count: usize) -> Result<Ranking> {
        let prefixes: Vec<String> = gazette_plugin_sdk::days_back(now, days as usize)
            .into_iter()
            .map(|d| format!("day:{d}:article:"))
            .collect();
        // Ask for a few more than shown: some may have been unpublished since.
        let top = host.counter_top(Some("view-counter"), &prefixes, count + 5)?;
        let ids: Vec<i32> = top.iter().filter_map(|(k, _)| k.parse().ok()).collect();
        let articles = host.articles(&ids)?;
        Ok(top
            .iter()
            .filter_map(|(k, v)| {
                let id: i32 = k.parse().ok()?;
                articles
                    .iter()
                    .find(|a| a.id == id)
                    .map(|a| (a.clone(), *v))
            })
            .take(count)
            .collect())
    }

    fn list(&self, host: &Host, days: i64, count: usize) -> Result<Ranking> {
        let now = gazette_plugin_sdk::now_unix();
        if let Ok(cache) = self.cache.lock() {
            if let Some(c) = cache.as_ref() {
                if now - c.at < REFRESH_SECS && c.days == days && c.count == count {
                    return Ok(c.list.clone());
                }
            }
        }
        let list = self.compute(host, now, days, count)?;
        if let Ok(mut cache) = self.cache.lock() {
            *cache = Some(Cached {
                at: now,
                days,
                count,
                list: list.clone(),
            });
        }
        Ok(list)
    }
}

impl Plugin for Popular {
    fn metadata(&self) -> Metadata {
        Metadata::new(
            "popular",
            env!("CARGO_PKG_VERSION"),
            "\u{201c}Most read\u{201d}: the most viewed articles of the last days, counted by view-counter.",
        )
        .widget(Slot::Sidebar, 30)
        .widget(Slot::HomeSidebar, 30)
        .setting(Setting::integer("days", "Over the last … days", 7).range(1, 90))
        .setting(Setting::integer("count", "Number of articles", 5).range(1, 20))
    }

    fn widget(&self, host: &Host, ctx: &WidgetContext) -> Result<Option<Html>> {
        let settings = host.settings()?;
        let days = settings.int("days", 7).clamp(1, 90);
        let count = settings.int("count", 5).clamp(1, 20) as usize;
        let list = self.list(host, days, count)?;
        if list.is_empty() {
            return Ok(None);
        }
        let items = list.iter().map(|(a, views)| {
            let current = ctx.article_id == Some(a.id);
            let mut link = el("a").href(&a.url).text(&a.title);
            if current {
                link = link.attr("aria-current", "page");
            }
            el("li")
                .child(link)
                .child(el("span").class("widget-meta").text(if *views == 1 {
                    "1 view".to_owned()
                } else {
                    format!("{views} views")
                }))
        });
        let html = el("section")
            .class("widget popular")
            .attr("aria-label", "Most read")
            .child(el("h2").text("Most read"))
            .child(el("ol").children(items));
        Ok(Some(html.into()))
    }
}

declare_plugin!(Popular);
