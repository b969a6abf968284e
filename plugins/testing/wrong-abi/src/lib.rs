//! A library built against an ABI version Gazette does not speak. The host
//! must refuse it after the handshake and never call its entry point.

/// Claims ABI version 999.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn gazette_plugin_abi_version() -> u32 {
    999
}

/// Never called by a correct host: calling it kills the process, which a test would notice.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn gazette_plugin_entry() -> *const u8 {
    std::process::abort()
}
