//! Test-only: every hook panics. Proves the host contains panics (the page
//! still answers, the slot is empty) and disables the plugin after repeated failures.

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

    fn widget(&self, _host: &Host, _ctx: &WidgetContext) -> Result<Option<Html>> {
        panic!("panicky: deliberate panic in widget");
    }
}

declare_plugin!(Panicky);
