//! Test-only: every hook panics. Proves the host contains panics (the page
//! still answers, the slot is empty) and disables the plugin after repeated
//! failures. On a page whose path contains `hang`, the widget instead sleeps
//! for three seconds (the host's hang watchdog must disable the plugin).

use gazette_plugin_sdk::prelude::*;

#[derive(Default)]
struct Panicky;

impl Plugin for Panicky {
    fn metadata(&self) -> Metadata {
        Metadata::new(
            "panicky",
            env!("CARGO_PKG_VERSION"),
            "Test plugin whose hooks panic.",
        )
        .widget(Slot::Sidebar, 99)
        .widget(Slot::AfterArticle, 99)
        .widget(Slot::HomeSidebar, 99)
        .hook(Hook::PageView)
    }

    fn page_view(&self, _host: &Host, _view: &PageView) -> Result<()> {
        panic!("panicky: deliberate panic in page_view");
    }

    fn widget(&self, _host: &Host, ctx: &WidgetContext) -> Result<Option<Html>> {
        if ctx.path.contains("hang") {
            std::thread::sleep(std::time::Duration::from_secs(3));
            return Ok(None);
        }
        panic!("panicky: deliberate panic in widget");
    }
}

declare_plugin!(Panicky);
