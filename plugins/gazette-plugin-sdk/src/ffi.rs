//! The C boundary: the exported function table, buffers in both directions and
//! the host's function table. All of the SDK's `unsafe` is here.
#![allow(unsafe_code)]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use gazette_plugin_api::{status, GzBuf, GzStr, HostApi, PluginApi, ABI_VERSION};

/// The host's table. The host guarantees it (and its `ctx`) outlive the process
/// and may be used from any thread, which is what makes these impls sound.
#[derive(Clone, Copy)]
pub(crate) struct HostRef(&'static HostApi);

unsafe impl Send for HostRef {}
unsafe impl Sync for HostRef {}

impl HostRef {
    pub(crate) fn log(&self, level: u32, message: &str) {
        (self.0.log)(self.0.ctx, level, GzStr::from_bytes(message.as_bytes()));
    }

    pub(crate) fn counter_add(&self, key: &str, delta: i64) -> i32 {
        (self.0.counter_add)(self.0.ctx, GzStr::from_bytes(key.as_bytes()), delta)
    }

    /// Calls a host service; returns the status and a copy of the answer (the
    /// host's buffer is handed back to the host's `free_buf` at once).
    pub(crate) fn call(&self, service: &str, input: &[u8]) -> (i32, Vec<u8>) {
        let mut out = GzBuf::EMPTY;
        let code = (self.0.call)(
            self.0.ctx,
            GzStr::from_bytes(service.as_bytes()),
            GzStr::from_bytes(input),
            &mut out,
        );
        let bytes = if out.ptr.is_null() {
            Vec::new()
        } else {
            // SAFETY: the host wrote a buffer of `len` readable bytes and keeps
            // it alive until we pass it to its `free_buf`, right below.
            let v = unsafe { std::slice::from_raw_parts(out.ptr, out.len) }.to_vec();
            (self.0.free_buf)(out);
            v
        };
        (code, bytes)
    }
}

/// Reads borrowed bytes passed by the host.
fn bytes<'a>(s: GzStr) -> &'a [u8] {
    if s.ptr.is_null() || s.len == 0 {
        &[]
    } else {
        // SAFETY: the host promises `len` readable bytes for the whole call;
        // the slice is not kept beyond it.
        unsafe { std::slice::from_raw_parts(s.ptr, s.len) }
    }
}

/// Hands `data` to the host in `*out`; the host gives it back to [`free_buf`].
fn write_out(out: *mut GzBuf, data: Vec<u8>) {
    if out.is_null() || data.is_empty() {
        return;
    }
    let boxed: Box<[u8]> = data.into_boxed_slice();
    let len = boxed.len();
    let ptr = Box::into_raw(boxed) as *mut u8;
    // SAFETY: `out` is a valid, writable GzBuf provided by the host for this call.
    unsafe { *out = GzBuf { ptr, len } };
}

extern "C" fn free_buf(buf: GzBuf) {
    if buf.ptr.is_null() {
        return;
    }
    let _ = catch_unwind(|| {
        // SAFETY: every non-null buffer this plugin hands out comes from
        // `write_out`, i.e. a leaked `Box<[u8]>` of exactly `len` bytes.
        drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(buf.ptr, buf.len)) });
    });
}

/// Runs `f`, turning a panic into `PANIC` with the panic message.
fn guarded(out: *mut GzBuf, f: impl FnOnce() -> (i32, Vec<u8>)) -> i32 {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok((code, data)) => {
            write_out(out, data);
            code
        }
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".to_owned());
            write_out(out, format!("panicked: {msg}").into_bytes());
            status::PANIC
        }
    }
}

extern "C" fn metadata(out: *mut GzBuf) -> i32 {
    guarded(out, crate::runtime::metadata)
}

extern "C" fn init(host: *const HostApi, config: GzStr, out: *mut GzBuf) -> i32 {
    guarded(out, || {
        if host.is_null() {
            return (status::BAD_INPUT, b"host table is null".to_vec());
        }
        // SAFETY: non-null, and the host guarantees the table lives forever.
        let api: &'static HostApi = unsafe { &*host };
        if api.abi_version != ABI_VERSION || api.struct_size < std::mem::size_of::<HostApi>() {
            return (
                status::BAD_INPUT,
                format!(
                    "host ABI {} (table of {} bytes) does not match the plugin's ABI {}",
                    api.abi_version, api.struct_size, ABI_VERSION
                )
                .into_bytes(),
            );
        }
        crate::runtime::init(HostRef(api), bytes(config))
    })
}

extern "C" fn call(hook: GzStr, input: GzStr, out: *mut GzBuf) -> i32 {
    guarded(out, || crate::runtime::call(bytes(hook), bytes(input)))
}

static TABLE: PluginApi = PluginApi {
    abi_version: ABI_VERSION,
    struct_size: std::mem::size_of::<PluginApi>(),
    metadata,
    init,
    call,
    free_buf,
};

static MAKE: OnceLock<fn() -> Box<dyn crate::Plugin>> = OnceLock::new();

/// Called by the `gazette_plugin_entry` symbol that `declare_plugin!` emits.
#[doc(hidden)]
pub fn entry(make: fn() -> Box<dyn crate::Plugin>) -> *const PluginApi {
    let _ = MAKE.set(make);
    &TABLE
}

pub(crate) fn make() -> Option<fn() -> Box<dyn crate::Plugin>> {
    MAKE.get().copied()
}
