//! Builds the workspace's plugin libraries along with the `gazette` binary, so
//! that `cargo run --release --bin gazette` on a fresh clone finds the shipped
//! plugins in `target/<profile>/plugins/` — the default plugins directory is
//! `plugins` next to the binary — and the tests find every plugin (test-only
//! ones included) in `target/<profile>/plugins-all/`.
//!
//! `cargo run`/`cargo test` never produce the `cdylib` outputs of other
//! workspace members, hence this step: a nested `cargo build` of the plugin
//! packages into a target directory of its own (the outer build holds the lock
//! on the main one). It shares the outer build's jobserver, and a failure here
//! is a warning, never a failed server build. Set `GAZETTE_SKIP_PLUGIN_BUILD=1`
//! to skip it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Shipped plugins: `(package, library file stem)`.
const SHIPPED: [(&str, &str); 4] = [
    ("view-counter", "view_counter"),
    ("latest-news", "latest_news"),
    ("related-news", "related_news"),
    ("popular", "popular"),
];

/// Example and test-only plugins (never copied next to the binary).
const EXTRA: [(&str, &str); 5] = [
    ("hello-widget", "hello_widget"),
    ("panicky", "panicky"),
    ("gatekeeper", "gatekeeper"),
    ("wrong-abi", "wrong_abi"),
    ("not-a-plugin", "not_a_plugin"),
];

fn lib_file(stem: &str) -> String {
    format!(
        "{}{stem}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

fn main() {
    println!("cargo:rerun-if-changed=../plugins");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=GAZETTE_SKIP_PLUGIN_BUILD");

    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    // OUT_DIR is <target>/<profile>/build/<package>-<hash>/out.
    let profile_dir = out_dir
        .ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("target"));
    let shipped_dir = profile_dir.join("plugins");
    let all_dir = profile_dir.join("plugins-all");
    println!(
        "cargo:rustc-env=GAZETTE_BUILT_PLUGINS_DIR={}",
        shipped_dir.display()
    );
    println!(
        "cargo:rustc-env=GAZETTE_BUILT_ALL_PLUGINS_DIR={}",
        all_dir.display()
    );
    if std::env::var_os("GAZETTE_SKIP_PLUGIN_BUILD").is_some_and(|v| !v.is_empty() && v != "0") {
        return;
    }

    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let workspace = manifest_dir.parent().unwrap_or(&manifest_dir).to_path_buf();
    let release = std::env::var("PROFILE").as_deref() == Ok("release");
    let nested_target = profile_dir.join("plugin-build");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());

    let mut cmd = Command::new(cargo);
    cmd.arg("build")
        .arg("--manifest-path")
        .arg(workspace.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&nested_target)
        .arg("--quiet");
    if release {
        cmd.arg("--release");
    }
    for (package, _) in SHIPPED.iter().chain(EXTRA.iter()) {
        cmd.arg("-p").arg(package);
    }
    // Settings meant for the outer build only.
    for var in [
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "CARGO_BUILD_TARGET_DIR",
        "RUSTC_WORKSPACE_WRAPPER",
    ] {
        cmd.env_remove(var);
    }
    let built = match cmd.output() {
        Ok(o) if o.status.success() => true,
        Ok(o) => {
            let err = String::from_utf8_lossy(&o.stderr);
            let first = err
                .lines()
                .find(|l| l.contains("error"))
                .unwrap_or("see `cargo build -p view-counter`");
            println!("cargo:warning=building the plugin libraries failed: {first}");
            false
        }
        Err(e) => {
            println!("cargo:warning=cannot run cargo to build the plugin libraries: {e}");
            false
        }
    };
    if !built {
        return;
    }
    let from = nested_target.join(if release { "release" } else { "debug" });
    for (dir, list) in [
        (&shipped_dir, &SHIPPED[..]),
        (&all_dir, &SHIPPED[..]),
        (&all_dir, &EXTRA[..]),
    ] {
        if let Err(e) = std::fs::create_dir_all(dir) {
            println!("cargo:warning=cannot create {}: {e}", dir.display());
            return;
        }
        for (_, stem) in list {
            let file = lib_file(stem);
            // Copy to a new name, then rename: a running server keeps its mapping of the old file.
            let tmp = dir.join(format!(".{file}.tmp"));
            let res = std::fs::copy(from.join(&file), &tmp)
                .and_then(|_| std::fs::rename(&tmp, dir.join(&file)));
            if let Err(e) = res {
                println!(
                    "cargo:warning=cannot copy plugin {file} to {}: {e}",
                    dir.display()
                );
            }
        }
    }
}
