//! The example plugin of `plugins/README.md`: a greeting in the sidebar,
//! configurable on its admin page.

use gazette_plugin_sdk::prelude::*;

#[derive(Default)]
struct HelloWidget;

impl Plugin for HelloWidget {
    fn metadata(&self) -> Metadata {
        Metadata::new(
            "hello-widget",
            env!("CARGO_PKG_VERSION"),
            "Shows a greeting in the article sidebar.",
        )
        .widget(Slot::Sidebar, 90)
        .setting(
            Setting::text("greeting", "Greeting", "Hello from a plugin!")
                .max_length(100)
                .help("Shown in the sidebar of every article page."),
        )
    }

    fn widget(&self, host: &Host, _ctx: &WidgetContext) -> Result<Option<Html>> {
        let greeting = host.settings()?.text("greeting", "Hello from a plugin!");
        if greeting.trim().is_empty() {
            return Ok(None);
        }
        // `text` escapes: a greeting with `<script>` in it is shown, not run.
        let html = el("aside")
            .class("widget hello-widget")
            .child(el("p").text(greeting));
        Ok(Some(html.into()))
    }
}

declare_plugin!(HelloWidget);
