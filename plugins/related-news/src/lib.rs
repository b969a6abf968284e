//! related-news: "Related News" under an article — its curated related links
//! first, then the newest articles of the same category — each with title,
//! author, date and views (read from view-counter's `article:<id>` counters).

use std::collections::HashMap;

use gazette_plugin_sdk::prelude::*;

#[derive(Default)]
struct RelatedNews;

/// An entry of the list, internal or external.
struct Entry {
    article_id: Option<i32>,
    title: String,
    url: String,
    author: String,
    date: String,
}

fn views_label(n: i64) -> String {
    if n == 1 {
        "1 View".to_owned()
    } else {
        format!("{n} Views")
    }
}

impl Plugin for RelatedNews {
    fn metadata(&self) -> Metadata {
        Metadata::new(
            "related-news",
            env!("CARGO_PKG_VERSION"),
            "\u{201c}Related News\u{201d} under each article: its related links first, then recent articles of the same category, with author, date and views.",
        )
        .widget(Slot::AfterArticle, 20)
        // Curated links come first in this widget, so the page's own list would repeat them.
        .replacing(Slot::AfterArticle, "related_news")
        .setting(
            Setting::integer("count", "Number of items", 5)
                .range(1, 20)
                .help("Curated links always come first; the rest is filled from the same category."),
        )
        .setting(Setting::boolean("show_views", "Show view counts (needs view-counter)", true))
    }

    fn widget(&self, host: &Host, ctx: &WidgetContext) -> Result<Option<Html>> {
        let Some(article_id) = ctx.article_id else {
            return Ok(None);
        };
        let settings = host.settings()?;
        let count = settings.int("count", 5).clamp(1, 20) as usize;
        let mut entries: Vec<Entry> = host
            .related_links(article_id)?
            .into_iter()
            .map(|l| Entry {
                article_id: l.article_id,
                title: l.title,
                url: l.url,
                author: l.author_name,
                date: l.published_date,
            })
            .take(count)
            .collect();
        if entries.len() < count {
            if let Some(category) = ctx.category_id {
                let mut exclude: Vec<i32> = entries.iter().filter_map(|e| e.article_id).collect();
                exclude.push(article_id);
                let fill = host.latest(count - entries.len(), Some(category), &exclude)?;
                entries.extend(fill.into_iter().map(|a| Entry {
                    article_id: Some(a.id),
                    title: a.title,
                    url: a.url,
                    author: a.author_name,
                    date: a.published_date,
                }));
            }
        }
        if entries.is_empty() {
            return Ok(None);
        }
        let views: HashMap<String, i64> = if settings.flag("show_views", true) {
            let keys: Vec<String> = entries
                .iter()
                .filter_map(|e| e.article_id.map(|id| format!("article:{id}")))
                .collect();
            // view-counter may be missing or disabled: then there are no counts to show.
            host.counters_of(Some("view-counter"), &keys)
                .unwrap_or_default()
        } else {
            HashMap::new()
        };
        let items = entries.iter().map(|e| {
            let mut meta = el("p").class("widget-meta");
            if !e.author.is_empty() {
                meta = meta.child(el("span").class("author").text(&e.author));
            }
            if !e.date.is_empty() {
                meta = meta.child(el("span").class("date").text(&e.date));
            }
            if let Some(n) = e
                .article_id
                .and_then(|id| views.get(&format!("article:{id}")))
            {
                meta = meta.child(el("span").class("views").text(views_label(*n)));
            }
            let mut link = el("a").href(&e.url).text(&e.title);
            if e.article_id.is_none() {
                link = link.attr("rel", "noopener external");
            }
            el("li").child(el("h3").child(link)).child(meta)
        });
        let html = el("section")
            .class("widget related-news")
            .attr("aria-label", "Related News")
            .child(el("h2").text("Related News"))
            .child(el("ul").children(items));
        Ok(Some(html.into()))
    }
}

declare_plugin!(RelatedNews);
