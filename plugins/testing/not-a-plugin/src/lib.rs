//! A perfectly good shared library that is not a Gazette plugin (no
//! `gazette_plugin_abi_version` symbol). The host must refuse it.

#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn not_a_gazette_plugin() -> i32 {
    42
}
