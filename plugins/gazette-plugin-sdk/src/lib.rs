//! Write Gazette plugins in safe Rust.
//!
//! Implement [`Plugin`] for a type, describe it with [`Metadata`], and export
//! it with [`declare_plugin!`]. The macro emits the two C symbols the host looks
//! for; the SDK turns every call into your trait methods, catches panics before
//! they reach the host, and frees what it allocated. Build the crate as a
//! `cdylib` and copy the library into Gazette's plugins directory.
//!
//! ```ignore
//! use gazette_plugin_sdk::prelude::*;
//!
//! #[derive(Default)]
//! struct Hello;
//!
//! impl Plugin for Hello {
//!     fn metadata(&self) -> Metadata {
//!         Metadata::new("hello-widget", env!("CARGO_PKG_VERSION"), "Says hello.")
//!             .widget(Slot::Sidebar, 50)
//!     }
//!     fn widget(&self, _host: &Host, _ctx: &WidgetContext) -> Result<Option<Html>> {
//!         Ok(Some(el("p").text("Hello!").into()))
//!     }
//! }
//!
//! declare_plugin!(Hello);
//! ```
//!
//! Plugins are called from several threads at once: keep state in `Mutex`es or
//! atomics, or better in the host's counters and key-value store, which every
//! node of a multi-node site shares.

mod ffi;
mod host;
pub mod html;
mod meta;
mod runtime;
mod time;
mod types;

pub use gazette_plugin_api as api;
pub use host::{Host, Settings};
pub use html::{el, Element, Html};
pub use meta::{Hook, Metadata, Setting, Slot};
pub use time::{day_of, days_back, now_unix};
pub use types::{
    ArticleDraft, ArticleItem, BeforeSave, DeletedArticle, DraftLink, DraftSection, PageView,
    RelatedLink, SaveDecision, SiteInfo, Tick, UserInfo, WidgetContext,
};

/// The SDK version, reported in the metadata and shown on the admin page.
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Everything a plugin usually needs.
pub mod prelude {
    pub use crate::{
        declare_plugin, el, ArticleDraft, ArticleItem, BeforeSave, DeletedArticle, Element, Error,
        Hook, Host, Html, Metadata, PageView, Plugin, RelatedLink, Result, SaveDecision, Setting,
        Slot, Tick, WidgetContext,
    };
}

/// An error a hook reports to the host. The host logs it under the plugin's
/// name and drops the hook's output; repeated errors disable the plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl Error {
    pub fn msg(message: impl Into<String>) -> Error {
        Error(message.into())
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Error {
        Error(format!("JSON: {e}"))
    }
}

impl From<String> for Error {
    fn from(s: String) -> Error {
        Error(s)
    }
}

impl From<&str> for Error {
    fn from(s: &str) -> Error {
        Error(s.to_owned())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A Gazette plugin. Every method but [`Plugin::metadata`] has a default that
/// does nothing; the host calls only the hooks the metadata declares.
pub trait Plugin: Send + Sync + 'static {
    /// Name, version, description, hooks, widget slots and settings.
    fn metadata(&self) -> Metadata;

    /// Called once, before any hook. An error refuses the plugin.
    fn init(&self, _host: &Host) -> Result<()> {
        Ok(())
    }

    /// A public page was served (delivered off the request path, in order,
    /// from one background thread; may be dropped under extreme load).
    fn page_view(&self, _host: &Host, _view: &PageView) -> Result<()> {
        Ok(())
    }

    /// Several page views at once, in the order they happened: under load
    /// the host sends every view waiting in its queue in one call. The
    /// default calls [`Plugin::page_view`] once per view (an entry with a
    /// `count` of identical views is called that many times); override it
    /// to do the per-call work once (read settings once, add counters up
    /// first). An error is reported once for the whole batch.
    fn page_views(&self, host: &Host, views: &[PageView]) -> Result<()> {
        let mut outcome = Ok(());
        for view in views {
            for _ in 0..view.views() {
                if let Err(e) = self.page_view(host, view) {
                    outcome = Err(e);
                }
            }
        }
        outcome
    }

    /// HTML for a slot of the page being rendered, or `None` for nothing.
    /// Runs while the visitor waits: keep it quick.
    fn widget(&self, _host: &Host, _ctx: &WidgetContext) -> Result<Option<Html>> {
        Ok(None)
    }

    /// An article is about to be saved: accept, reject with a message, or amend.
    fn article_before_save(&self, _host: &Host, _event: &BeforeSave) -> Result<SaveDecision> {
        Ok(SaveDecision::Accept)
    }

    /// An article went live (published now, or a scheduled one came due).
    fn article_after_publish(&self, _host: &Host, _article: &ArticleItem) -> Result<()> {
        Ok(())
    }

    /// An article was deleted.
    fn article_after_delete(&self, _host: &Host, _article: &DeletedArticle) -> Result<()> {
        Ok(())
    }

    /// Periodic background work, about every `Metadata::tick_every` seconds.
    fn tick(&self, _host: &Host, _tick: &Tick) -> Result<()> {
        Ok(())
    }
}

#[doc(hidden)]
pub mod __private {
    pub use crate::ffi::entry;
    pub use gazette_plugin_api::{PluginApi, ABI_VERSION};
}

/// Exports a [`Plugin`] type as a Gazette plugin.
///
/// `declare_plugin!(MyPlugin)` needs `MyPlugin: Default`;
/// `declare_plugin!(MyPlugin, MyPlugin::new())` uses any constructor expression.
/// Use it once per crate, at the top level of a `cdylib`.
#[macro_export]
macro_rules! declare_plugin {
    ($ty:ty) => {
        $crate::declare_plugin!($ty, <$ty as ::core::default::Default>::default());
    };
    ($ty:ty, $ctor:expr) => {
        /// ABI handshake: the ABI version this plugin was built against.
        #[allow(unsafe_code)]
        #[no_mangle]
        pub extern "C" fn gazette_plugin_abi_version() -> u32 {
            $crate::__private::ABI_VERSION
        }

        /// The plugin's function table.
        #[allow(unsafe_code)]
        #[no_mangle]
        pub extern "C" fn gazette_plugin_entry() -> *const $crate::__private::PluginApi {
            fn make() -> ::std::boxed::Box<dyn $crate::Plugin> {
                let p: $ty = $ctor;
                ::std::boxed::Box::new(p)
            }
            $crate::__private::entry(make)
        }
    };
}
