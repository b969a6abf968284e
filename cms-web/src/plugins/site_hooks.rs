//! [`SiteHooks`] for the page code: widgets, page views and article events,
//! each delivered to the enabled plugins that declare the hook.

use super::*;

impl SiteHooks for PluginHost {
    fn replaces_block(&self, block: &str) -> bool {
        self.inner.enabled_with(hook::WIDGET).iter().any(|p| {
            p.meta
                .widgets
                .iter()
                .any(|w| w.replaces.as_deref() == Some(block))
        })
    }

    fn widgets(&self, ctx: &WidgetContext) -> Vec<String> {
        let slot = ctx.slot.as_str();
        let mut plugins: Vec<(i32, Arc<Loaded>)> = self
            .inner
            .enabled_with(hook::WIDGET)
            .into_iter()
            .filter_map(|p| p.meta.widget_weight(slot).map(|w| (w, p)))
            .collect();
        if plugins.is_empty() {
            return Vec::new();
        }
        plugins.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| a.1.meta.name.cmp(&b.1.meta.name))
        });
        let mut site = self.inner.site();
        site.title.clone_from(&ctx.site_title);
        site.base_url = ctx.base_url.trim_end_matches('/').to_owned();
        let payload = json!({
            "slot": slot,
            "site": site.json(),
            "article_id": ctx.article_id,
            "category_id": ctx.category_id,
            "path": ctx.path,
        })
        .to_string();
        let mut out = Vec::new();
        for (_, p) in plugins {
            let Some(bytes) = self.inner.invoke(&p, hook::WIDGET, payload.as_bytes()) else {
                continue;
            };
            match String::from_utf8(bytes) {
                Ok(html) if html.trim().is_empty() => {}
                Ok(html) => out.push(format!(
                    "<div class=\"plugin-widget\" data-plugin=\"{}\">{html}</div>",
                    p.meta.name
                )),
                Err(_) => self.inner.record_failure(
                    &p,
                    hook::WIDGET,
                    status::ERROR,
                    "widget HTML is not UTF-8",
                ),
            }
        }
        out
    }

    fn wants_page_views(&self) -> bool {
        self.inner.any_enabled_with(hook::PAGE_VIEW)
    }

    fn page_view(&self, view: PageView) {
        self.inner.add_view(view);
    }

    fn article_before_save(&self, event: &BeforeSave) -> SaveVerdict {
        services::before_save(&self.inner, event)
    }

    fn article_after_publish(&self, article_id: i32) {
        self.inner.enqueue(runtime::Event::Published(article_id));
    }

    fn article_after_delete(&self, article: &DeletedArticle) {
        self.inner.enqueue(runtime::Event::Deleted(article.clone()));
    }
}
