//! The C boundary on the host side: opening libraries, the ABI handshake,
//! calling the plugin's table, and the host functions plugins call back.
//! All of cms-web's `unsafe` code is in this module.
//!
//! Rules kept here:
//! - the ABI version symbol is called first, and nothing else is touched
//!   unless it answers [`ABI_VERSION`];
//! - libraries are never unloaded (`dlclose` would leave dangling function
//!   pointers and thread-local destructors behind), so every `Library` is leaked;
//! - buffers are freed by the side that allocated them;
//! - no panic crosses the boundary in either direction.
#![allow(unsafe_code)]

use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use gazette_plugin_api::{
    status, GzBuf, GzStr, HostApi, PluginApi, ABI_VERSION, ABI_VERSION_SYMBOL, ENTRY_SYMBOL,
};
use libloading::Library;

use super::PluginCtx;

/// Why a file was not loaded, for the log and the admin page.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// The ABI version the file claims, if it answered the handshake.
    pub abi_version: Option<u32>,
    pub reason: String,
}

/// The outcome of one call into a plugin.
#[derive(Debug)]
pub enum CallOutcome {
    /// `OK` with the plugin's output (possibly empty).
    Ok(Vec<u8>),
    /// The plugin does not implement this hook.
    Unsupported,
    /// Anything else: the status code and the plugin's message.
    Failed { code: i32, message: String },
}

/// A plugin library that passed the handshake. Cheap to copy: it only points
/// at the library's static function table, which lives as long as the process.
#[derive(Clone, Copy)]
pub struct NativePlugin {
    api: &'static PluginApi,
}

// SAFETY: `PluginApi` holds only function pointers and integers in static
// memory; the ABI requires plugins to accept calls from any thread.
unsafe impl Send for NativePlugin {}
unsafe impl Sync for NativePlugin {}

fn sym_name(name: &str) -> Vec<u8> {
    let mut v = name.as_bytes().to_vec();
    v.push(0);
    v
}

/// Opens `path` and performs the handshake. Never unloads what it opened.
pub fn open(path: &Path) -> Result<NativePlugin, Refusal> {
    let refuse = |abi: Option<u32>, reason: String| Refusal {
        abi_version: abi,
        reason,
    };
    // SAFETY: loading runs the library's initialisers. We only load files from
    // the configured plugins directory, which the operator controls: plugins
    // are trusted native code by design.
    let lib = unsafe { Library::new(path) }
        .map_err(|e| refuse(None, format!("not a loadable shared library: {e}")))?;
    // Never dlclose: leak the handle for the life of the process.
    let lib: &'static Library = Box::leak(Box::new(lib));

    // SAFETY: the handshake symbol's signature is fixed forever by the ABI:
    // `extern "C" fn() -> u32`.
    let version_fn = unsafe { lib.get::<extern "C" fn() -> u32>(&sym_name(ABI_VERSION_SYMBOL)) }
        .map_err(|_| {
            refuse(
                None,
                format!("not a Gazette plugin: it does not export `{ABI_VERSION_SYMBOL}`"),
            )
        })?;
    let version = version_fn();
    if version != ABI_VERSION {
        return Err(refuse(
            Some(version),
            format!(
                "built for plugin ABI version {version}, but this Gazette speaks ABI version {ABI_VERSION}; rebuild the plugin against a matching gazette-plugin-sdk"
            ),
        ));
    }
    // SAFETY: with the ABI version confirmed, the entry symbol has the
    // signature this version defines.
    let entry = unsafe { lib.get::<extern "C" fn() -> *const PluginApi>(&sym_name(ENTRY_SYMBOL)) }
        .map_err(|_| {
            refuse(
                Some(version),
                format!("plugin does not export `{ENTRY_SYMBOL}`"),
            )
        })?;
    let table = catch_unwind(|| entry()).unwrap_or(std::ptr::null());
    if table.is_null() {
        return Err(refuse(
            Some(version),
            format!("`{ENTRY_SYMBOL}` returned no function table"),
        ));
    }
    // SAFETY: non-null, and the ABI requires the table to be static data.
    let api: &'static PluginApi = unsafe { &*table };
    if api.abi_version != ABI_VERSION || api.struct_size < std::mem::size_of::<PluginApi>() {
        return Err(refuse(
            Some(api.abi_version),
            format!(
                "function table says ABI version {} ({} bytes); expected version {ABI_VERSION} ({} bytes)",
                api.abi_version,
                api.struct_size,
                std::mem::size_of::<PluginApi>()
            ),
        ));
    }
    Ok(NativePlugin { api })
}

/// Copies the plugin's buffer and hands it back to the plugin's `free_buf`.
fn take(api: &PluginApi, out: GzBuf) -> Vec<u8> {
    if out.ptr.is_null() {
        return Vec::new();
    }
    // SAFETY: the plugin wrote `len` readable bytes at `ptr` and keeps them
    // until we give the buffer back, right below.
    let v = unsafe { std::slice::from_raw_parts(out.ptr, out.len) }.to_vec();
    (api.free_buf)(out);
    v
}

fn outcome(api: &PluginApi, code: i32, out: GzBuf) -> CallOutcome {
    let data = take(api, out);
    match code {
        status::OK => CallOutcome::Ok(data),
        status::UNSUPPORTED => CallOutcome::Unsupported,
        code => CallOutcome::Failed {
            code,
            message: String::from_utf8_lossy(&data).into_owned(),
        },
    }
}

impl NativePlugin {
    /// The metadata JSON.
    pub fn metadata(&self) -> CallOutcome {
        let mut out = GzBuf::EMPTY;
        let code = (self.api.metadata)(&mut out);
        outcome(self.api, code, out)
    }

    /// Hands the plugin its host table.
    pub fn init(&self, host: &'static HostApi, config: &[u8]) -> CallOutcome {
        let mut out = GzBuf::EMPTY;
        let code = (self.api.init)(host, GzStr::from_bytes(config), &mut out);
        outcome(self.api, code, out)
    }

    /// Calls a hook.
    pub fn call(&self, hook: &str, input: &[u8]) -> CallOutcome {
        let mut out = GzBuf::EMPTY;
        let code = (self.api.call)(
            GzStr::from_bytes(hook.as_bytes()),
            GzStr::from_bytes(input),
            &mut out,
        );
        outcome(self.api, code, out)
    }
}

// ---- the host side of the boundary: functions plugins call ----

/// Builds the host table for one plugin. `ctx` and the table are leaked: a
/// plugin may keep and use them for as long as the process lives.
pub fn host_table(ctx: PluginCtx) -> &'static HostApi {
    let ctx: &'static PluginCtx = Box::leak(Box::new(ctx));
    Box::leak(Box::new(HostApi {
        abi_version: ABI_VERSION,
        struct_size: std::mem::size_of::<HostApi>(),
        ctx: ctx as *const PluginCtx as *const c_void,
        log: host_log,
        counter_add: host_counter_add,
        call: host_call,
        free_buf: host_free,
    }))
}

fn ctx_of(ctx: *const c_void) -> Option<&'static PluginCtx> {
    // SAFETY: the only `ctx` we hand out is a leaked `PluginCtx` (above).
    unsafe { (ctx as *const PluginCtx).as_ref() }
}

fn borrowed(s: GzStr) -> &'static [u8] {
    if s.ptr.is_null() || s.len == 0 {
        &[]
    } else {
        // SAFETY: the plugin promises `len` readable bytes for this call; the
        // slice is used only until the call returns (the lifetime is a lie
        // confined to this module's callers, which copy what they keep).
        unsafe { std::slice::from_raw_parts(s.ptr, s.len) }
    }
}

extern "C" fn host_log(ctx: *const c_void, level: u32, message: GzStr) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        if let Some(ctx) = ctx_of(ctx) {
            ctx.log(level, &String::from_utf8_lossy(borrowed(message)));
        }
    }));
}

extern "C" fn host_counter_add(ctx: *const c_void, key: GzStr, delta: i64) -> i32 {
    catch_unwind(AssertUnwindSafe(|| match ctx_of(ctx) {
        Some(ctx) => ctx.counter_add(borrowed(key), delta),
        None => status::BAD_INPUT,
    }))
    .unwrap_or(status::PANIC)
}

extern "C" fn host_call(ctx: *const c_void, service: GzStr, input: GzStr, out: *mut GzBuf) -> i32 {
    let (code, data) = catch_unwind(AssertUnwindSafe(|| match ctx_of(ctx) {
        Some(ctx) => ctx.call(borrowed(service), borrowed(input)),
        None => (status::BAD_INPUT, b"unknown host context".to_vec()),
    }))
    .unwrap_or_else(|_| (status::PANIC, b"host service panicked".to_vec()));
    if !out.is_null() && !data.is_empty() {
        let boxed = data.into_boxed_slice();
        let len = boxed.len();
        let ptr = Box::into_raw(boxed) as *mut u8;
        // SAFETY: `out` points to a writable GzBuf the plugin provided for this call.
        unsafe { *out = GzBuf { ptr, len } };
    }
    code
}

extern "C" fn host_free(buf: GzBuf) {
    if buf.ptr.is_null() {
        return;
    }
    // SAFETY: every non-null buffer the host hands out is a leaked
    // `Box<[u8]>` of exactly `len` bytes (see `host_call`).
    drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(buf.ptr, buf.len)) });
}
