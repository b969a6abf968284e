//! The binary interface between Gazette and a native plugin.
//!
//! This crate holds only `#[repr(C)]` types, symbol names and constants, and has
//! no dependencies, so it can be mirrored in a C header (see `plugins/README.md`).
//! Plugin authors use `gazette-plugin-sdk` instead of this crate directly.
//!
//! # The contract in one paragraph
//! A plugin is a shared library exporting two symbols. The host first calls
//! [`ABI_VERSION_SYMBOL`] (`extern "C" fn() -> u32`, a signature that never
//! changes) and refuses the library unless it returns [`ABI_VERSION`]. Only then
//! does it call [`ENTRY_SYMBOL`] (`extern "C" fn() -> *const PluginApi`) and use
//! the returned function table. Everything crossing the boundary is bytes
//! (UTF-8 JSON, UTF-8 HTML or UTF-8 text, and one fixed binary layout for
//! batches of page views, see [`views`]): a [`GzStr`] is borrowed for the length
//! of one call, a [`GzBuf`] is owned by the side that allocated it and is given
//! back to that side's `free_buf` to release. No Rust types, no unwinding, and
//! the host never unloads a library.

#![cfg_attr(not(test), no_std)]

use core::ffi::c_void;

pub mod views;

/// The ABI this crate describes. Bumped on any change to a struct layout, a
/// function signature, a status code or the meaning of a field.
pub const ABI_VERSION: u32 = 1;

/// `extern "C" fn() -> u32`: returns the ABI version the plugin was built for.
/// Its signature never changes, so the host can always ask it first.
pub const ABI_VERSION_SYMBOL: &str = "gazette_plugin_abi_version";

/// `extern "C" fn() -> *const PluginApi`: the plugin's function table, a pointer
/// to static data valid for the life of the process.
pub const ENTRY_SYMBOL: &str = "gazette_plugin_entry";

/// Status codes returned by every fallible function on either side.
pub mod status {
    /// Success; the output buffer (if any) holds the result.
    pub const OK: i32 = 0;
    /// The callee reports an error; the output buffer holds a UTF-8 message.
    pub const ERROR: i32 = 1;
    /// The callee panicked (caught before unwinding across the boundary);
    /// the output buffer may hold the panic message.
    pub const PANIC: i32 = 2;
    /// The hook or host service name is not implemented. Not a failure: the host
    /// treats a hook answering this as having produced nothing.
    pub const UNSUPPORTED: i32 = 3;
    /// The input was not valid UTF-8 / JSON of the expected shape; the output
    /// buffer holds a UTF-8 message.
    pub const BAD_INPUT: i32 = 4;
}

/// Log levels for [`HostApi::log`].
pub mod level {
    pub const ERROR: u32 = 1;
    pub const WARN: u32 = 2;
    pub const INFO: u32 = 3;
    pub const DEBUG: u32 = 4;
    pub const TRACE: u32 = 5;
}

/// Borrowed bytes, valid only for the duration of the call they are passed to.
/// `ptr` may be null when `len` is 0.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct GzStr {
    pub ptr: *const u8,
    pub len: usize,
}

impl GzStr {
    pub const EMPTY: GzStr = GzStr {
        ptr: core::ptr::null(),
        len: 0,
    };

    /// Borrows a byte slice for one call.
    pub fn from_bytes(bytes: &[u8]) -> GzStr {
        GzStr {
            ptr: bytes.as_ptr(),
            len: bytes.len(),
        }
    }
}

/// Owned bytes handed from one side to the other. The receiver reads
/// `len` bytes at `ptr` and then passes the struct, unchanged, to the *sender's*
/// `free_buf`. `ptr` null means "no buffer" (nothing to free).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct GzBuf {
    pub ptr: *mut u8,
    pub len: usize,
}

impl GzBuf {
    pub const EMPTY: GzBuf = GzBuf {
        ptr: core::ptr::null_mut(),
        len: 0,
    };
}

/// Writes a log line into the host's log, attributed to the plugin.
pub type LogFn = extern "C" fn(ctx: *const c_void, level: u32, message: GzStr);

/// Adds `delta` to one of the calling plugin's counters. Batched in memory by
/// the host (never a database write per call). Returns a status code.
pub type CounterAddFn = extern "C" fn(ctx: *const c_void, key: GzStr, delta: i64) -> i32;

/// Calls a host service by name (`"kv.get"`, `"content.latest"`, …) with a
/// JSON request. On return `*out` holds a host-allocated buffer (JSON result, or
/// an error message when the status is not `OK`) or is empty.
pub type HostCallFn =
    extern "C" fn(ctx: *const c_void, service: GzStr, input: GzStr, out: *mut GzBuf) -> i32;

/// Frees a buffer the host allocated.
pub type HostFreeFn = extern "C" fn(buf: GzBuf);

/// The host's function table, given to the plugin's `init`. It and `ctx` stay
/// valid for the life of the process; the plugin may keep the pointer and call
/// these functions from any thread, at any time after `init` returned.
#[repr(C)]
pub struct HostApi {
    /// [`ABI_VERSION`] of the host.
    pub abi_version: u32,
    /// `size_of::<HostApi>()` on the host, for forward compatibility checks.
    pub struct_size: usize,
    /// Opaque; passed back as the first argument of every function below.
    pub ctx: *const c_void,
    pub log: LogFn,
    pub counter_add: CounterAddFn,
    pub call: HostCallFn,
    pub free_buf: HostFreeFn,
}

/// Returns the plugin's metadata JSON in `*out`.
pub type MetadataFn = extern "C" fn(out: *mut GzBuf) -> i32;

/// Initialises the plugin once, before any hook. `config` is JSON
/// (`{"name": …, "settings": {…}, "host_version": …}`); on failure `*out` holds a message.
pub type InitFn = extern "C" fn(host: *const HostApi, config: GzStr, out: *mut GzBuf) -> i32;

/// Calls a hook by name with a JSON payload; the result (if any) goes to `*out`.
pub type CallFn = extern "C" fn(hook: GzStr, input: GzStr, out: *mut GzBuf) -> i32;

/// Frees a buffer the plugin allocated.
pub type PluginFreeFn = extern "C" fn(buf: GzBuf);

/// The plugin's function table, returned by [`ENTRY_SYMBOL`]. Must point to
/// static data: the host keeps using it for the life of the process.
#[repr(C)]
pub struct PluginApi {
    /// Must equal [`ABI_VERSION`] (checked again after the handshake).
    pub abi_version: u32,
    /// `size_of::<PluginApi>()` in the plugin.
    pub struct_size: usize,
    pub metadata: MetadataFn,
    pub init: InitFn,
    pub call: CallFn,
    pub free_buf: PluginFreeFn,
}

/// Hook names the host calls through [`PluginApi::call`].
pub mod hooks {
    pub const PAGE_VIEW: &str = "page_view";
    pub const WIDGET: &str = "widget";
    pub const ARTICLE_BEFORE_SAVE: &str = "article_before_save";
    pub const ARTICLE_AFTER_PUBLISH: &str = "article_after_publish";
    pub const ARTICLE_AFTER_DELETE: &str = "article_after_delete";
    pub const TICK: &str = "tick";
    /// Several page views at once (each server thread's in the order it
    /// served them), as plain bytes in the layout of [`crate::views`] (not
    /// JSON: this hook runs for every page served); identical views in a row
    /// (same page, visitor, user agent and day) come once, with a count. Not declared in metadata: a plugin
    /// that declares [`PAGE_VIEW`] may also answer this, and the host then
    /// sends views in batches (as many as are waiting); a plugin that answers
    /// [`crate::status::UNSUPPORTED`] gets them one `page_view` call each.
    pub const PAGE_VIEWS: &str = "page_views";
    /// Every hook name a plugin may declare, in documentation order.
    pub const ALL: [&str; 6] = [
        PAGE_VIEW,
        WIDGET,
        ARTICLE_BEFORE_SAVE,
        ARTICLE_AFTER_PUBLISH,
        ARTICLE_AFTER_DELETE,
        TICK,
    ];
}

/// Widget slot names (the `slot` of a widget call).
pub mod slots {
    pub const SIDEBAR: &str = "sidebar";
    pub const AFTER_ARTICLE: &str = "after_article";
    pub const HOME_SIDEBAR: &str = "home_sidebar";
    pub const ALL: [&str; 3] = [SIDEBAR, AFTER_ARTICLE, HOME_SIDEBAR];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_are_stable() {
        let w = core::mem::size_of::<usize>();
        assert_eq!(core::mem::size_of::<GzStr>(), 2 * w);
        assert_eq!(core::mem::size_of::<GzBuf>(), 2 * w);
        // u32 (padded) + usize + 4 function pointers.
        assert_eq!(core::mem::size_of::<PluginApi>(), 6 * w);
        // u32 (padded) + usize + ctx + 4 function pointers.
        assert_eq!(core::mem::size_of::<HostApi>(), 7 * w);
    }
}
