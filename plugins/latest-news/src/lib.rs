//! latest-news: the "Latest News" list in the sidebars.

use gazette_plugin_sdk::prelude::*;

#[derive(Default)]
struct LatestNews;

/// One list item: the title as a link, then author and date.
fn item(a: &ArticleItem) -> Element {
    let mut meta = a.author_name.clone();
    if !a.published_date.is_empty() {
        if !meta.is_empty() {
            meta.push_str(" \u{2013} ");
        }
        meta.push_str(&a.published_date);
    }
    el("li")
        .child(el("a").href(&a.url).text(&a.title))
        .child(el("span").class("widget-meta").text(meta))
}

impl Plugin for LatestNews {
    fn metadata(&self) -> Metadata {
        Metadata::new(
            "latest-news",
            env!("CARGO_PKG_VERSION"),
            "\u{201c}Latest News\u{201d}: the newest published articles, in the article sidebar and beside the home page listing.",
        )
        .widget(Slot::Sidebar, 10)
        .widget(Slot::HomeSidebar, 10)
        .setting(Setting::text("title", "Heading", "Latest News").max_length(80))
        .setting(
            Setting::integer("count", "Number of articles", 5)
                .range(1, 20)
                .help("How many articles the list shows."),
        )
    }

    fn widget(&self, host: &Host, ctx: &WidgetContext) -> Result<Option<Html>> {
        let settings = host.settings()?;
        let count = settings.int("count", 5).clamp(1, 20) as usize;
        // Never list the article the visitor is reading.
        let exclude: Vec<i32> = ctx.article_id.into_iter().collect();
        let items = host.latest(count, None, &exclude)?;
        if items.is_empty() {
            return Ok(None);
        }
        let html = el("section")
            .class("widget latest-news")
            .attr("aria-label", settings.text("title", "Latest News"))
            .child(el("h2").text(settings.text("title", "Latest News")))
            .child(el("ul").children(items.iter().map(item)));
        Ok(Some(html.into()))
    }
}

declare_plugin!(LatestNews);
