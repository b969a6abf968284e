//! The native plugin host: discovers plugin libraries, loads those that pass
//! the ABI handshake, calls their hooks with fault containment, serves their
//! host-service requests, and implements [`SiteHooks`] for the page code.
//!
//! - `loader`: the C boundary (the only module allowed to call into foreign code).
//! - `meta`: metadata and settings validation.
//! - `services`: what plugins may ask the host (counters, key-value, content, …).
//! - `runtime`: background threads: page-view delivery, counter flushing, ticks
//!   and picking up state changes other nodes made.
//! - `admin`: `/admin/plugins`.
//! - `discovery`: finding plugin files and reading their metadata.
//! - `loading`: probing, registering and initialising them at start-up.
//! - `containment`: hook calls with failure counting, hang detection and
//!   automatic disabling.
//! - `site_hooks`: [`SiteHooks`] for the page code.
//!
//! Containment: every hook call's failure (error or caught panic) is logged with
//! the plugin's name and its output dropped; after [`MAX_CONSECUTIVE_FAILURES`]
//! failures in a row the plugin is disabled and the reason stored for the admin page.

pub mod admin;
mod containment;
mod counters;
mod discovery;
mod inbox;
mod loader;
mod loading;
pub mod meta;
mod runtime;
mod services;
mod site_hooks;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::Instant;

use cms_core::{plugins as store, DatabaseUrl, DbPool};
use gazette_plugin_api::{hooks as hook, level, status, ABI_VERSION};
use serde_json::{json, Map, Value};

use crate::hooks::{BeforeSave, DeletedArticle, PageView, SaveVerdict, SiteHooks, WidgetContext};
use containment::code_name;
use discovery::probe;
pub use discovery::{discover, inspect, Inspection, RefusedFile};
use loader::{CallOutcome, NativePlugin};
use meta::PluginMeta;

/// Failures in a row after which a plugin is disabled automatically.
pub const MAX_CONSECUTIVE_FAILURES: u32 = 5;

/// Where `cargo build` puts the shipped plugins of this source tree (written by
/// `cms-web/build.rs`; see `plugins/README.md`). Tests load plugins from here.
pub const BUILT_PLUGINS_DIR: &str = env!("GAZETTE_BUILT_PLUGINS_DIR");
/// Where `cms-web/build.rs` put every plugin library of the workspace,
/// including the test-only and example ones.
pub const BUILT_ALL_PLUGINS_DIR: &str = env!("GAZETTE_BUILT_ALL_PLUGINS_DIR");

/// The state a plugin is in, as the admin page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Enabled,
    Disabled,
    /// Disabled automatically after repeated failures.
    Failed,
    /// Not loaded at all (not a plugin, wrong ABI, failed init, …).
    Refused,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Enabled => "enabled",
            Status::Disabled => "disabled",
            Status::Failed => "failed",
            Status::Refused => "refused",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Status::Enabled => "Enabled",
            Status::Disabled => "Disabled",
            Status::Failed => "Failed",
            Status::Refused => "Refused",
        }
    }
}

/// What a plugin's live state is on this node.
#[derive(Debug, Clone)]
struct Live {
    enabled: bool,
    failure_reason: Option<String>,
    /// The stored settings JSON, to notice changes.
    stored: String,
    /// Effective settings: defaults overlaid with the stored values.
    settings: Map<String, Value>,
}

/// A loaded plugin.
pub struct Loaded {
    pub meta: PluginMeta,
    pub file: PathBuf,
    native: NativePlugin,
    live: RwLock<Live>,
    /// `live.enabled`, readable without the lock (checked on every page view).
    enabled: std::sync::atomic::AtomicBool,
    /// `meta.has_hook(page_view)`, checked on every page view.
    page_view: bool,
    failures: AtomicU32,
    next_tick: Mutex<Instant>,
    /// Hook calls under way (id, hook, start), watched for hangs.
    calls: Mutex<Vec<(u64, &'static str, Instant)>>,
    next_call: AtomicU64,
    /// Whether the plugin answers `page_views` (batches): [`BATCH_UNKNOWN`]
    /// until its first answer.
    batch_views: std::sync::atomic::AtomicU8,
}

const BATCH_UNKNOWN: u8 = 0;
const BATCH_YES: u8 = 1;
const BATCH_NO: u8 = 2;

impl Loaded {
    fn live(&self) -> Live {
        match self.live.read() {
            Ok(l) => l.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    fn is_enabled(&self) -> bool {
        self.enabled.load(Ordering::Acquire)
    }

    /// Calls one of the plugin's hooks, registered as under way meanwhile so
    /// the watchdog can tell a call that never returns.
    fn call(&self, hook: &'static str, input: &[u8]) -> CallOutcome {
        let id = self.next_call.fetch_add(1, Ordering::Relaxed);
        let mut calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
        calls.push((id, hook, Instant::now()));
        drop(calls);
        let outcome = self.native.call(hook, input);
        let mut calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
        calls.retain(|(i, _, _)| *i != id);
        outcome
    }

    /// The longest-running call under way: its hook and how long it has run.
    fn oldest_call(&self) -> Option<(&'static str, std::time::Duration)> {
        let calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
        calls
            .iter()
            .min_by_key(|(_, _, started)| *started)
            .map(|(_, hook, started)| (*hook, started.elapsed()))
    }

    fn set_live(&self, f: impl FnOnce(&mut Live)) {
        let mut l = self.live.write().unwrap_or_else(|p| p.into_inner());
        f(&mut l);
        self.enabled.store(l.enabled, Ordering::Release);
    }

    fn settings(&self) -> Map<String, Value> {
        self.live
            .read()
            .map(|l| l.settings.clone())
            .unwrap_or_default()
    }

    fn apply_state(&self, state: &store::PluginState) {
        let settings =
            (self.live().stored != state.settings).then(|| self.meta.effective(&state.settings));
        self.set_live(|l| {
            if !l.enabled && state.enabled {
                self.failures.store(0, Ordering::Relaxed);
            }
            l.enabled = state.enabled;
            l.failure_reason = state.failure_reason.clone();
            if let Some(s) = settings {
                l.stored = state.settings.clone();
                l.settings = s;
            }
        });
    }
}

/// Site details plugins see (refreshed every few seconds).
#[derive(Debug, Clone, Default)]
struct SiteInfo {
    title: String,
    base_url: String,
    timezone: String,
}

impl SiteInfo {
    fn tz(&self) -> chrono_tz::Tz {
        self.timezone.parse().unwrap_or(chrono_tz::UTC)
    }
    fn json(&self) -> Value {
        json!({"title": self.title, "base_url": self.base_url, "timezone": self.timezone})
    }
}

pub(crate) struct HostInner {
    dir: PathBuf,
    pool: Option<DbPool>,
    plugins: RwLock<Vec<Arc<Loaded>>>,
    refused: RwLock<Vec<RefusedFile>>,
    counters: counters::Pending,
    events: Option<std::sync::mpsc::SyncSender<runtime::Event>>,
    /// Page views waiting for the events thread (only used with `events`).
    inbox: inbox::Inbox,
    dropped_events: AtomicU64,
    site: RwLock<SiteInfo>,
    closing: AtomicBool,
    shut_down: AtomicBool,
    /// Serialises flushes, so a shutdown flush waits for one in progress.
    flush_lock: Mutex<()>,
    /// A hook call running longer than this (ms) gets its plugin disabled.
    hang_limit_ms: AtomicU64,
}

/// The plugin host. Cheap to clone; every clone is the same host.
#[derive(Clone)]
pub struct PluginHost {
    inner: Arc<HostInner>,
}

/// What the host hands each plugin as `ctx`: its name and a weak link back.
pub struct PluginCtx {
    host: Weak<HostInner>,
    name: String,
}

impl PluginCtx {
    fn log(&self, lvl: u32, message: &str) {
        let plugin = self.name.as_str();
        let message: String = message.chars().take(4000).collect();
        match lvl {
            level::ERROR => tracing::error!(target: "gazette::plugin", plugin, "{message}"),
            level::WARN => tracing::warn!(target: "gazette::plugin", plugin, "{message}"),
            level::INFO => tracing::info!(target: "gazette::plugin", plugin, "{message}"),
            level::DEBUG => tracing::debug!(target: "gazette::plugin", plugin, "{message}"),
            _ => tracing::trace!(target: "gazette::plugin", plugin, "{message}"),
        }
    }

    fn counter_add(&self, key: &[u8], delta: i64) -> i32 {
        let Some(host) = self.host.upgrade() else {
            return status::ERROR;
        };
        match services::counter_key(key) {
            Ok(k) => {
                host.counters.add(&self.name, k, delta);
                status::OK
            }
            Err(_) => status::BAD_INPUT,
        }
    }

    fn call(&self, service: &[u8], input: &[u8]) -> (i32, Vec<u8>) {
        let Some(host) = self.host.upgrade() else {
            return (status::ERROR, b"the host has shut down".to_vec());
        };
        let service = String::from_utf8_lossy(service);
        match services::call(&host, &self.name, &service, input) {
            Ok(v) => (status::OK, v.to_string().into_bytes()),
            Err(e) => (e.code, e.message.into_bytes()),
        }
    }
}

impl PluginHost {
    /// A host without plugins.
    pub fn empty() -> PluginHost {
        PluginHost {
            inner: Arc::new(HostInner::new(PathBuf::new(), None, None)),
        }
    }

    /// The directory plugins were loaded from.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// Loaded plugins (enabled or not), by name.
    pub fn loaded(&self) -> Vec<Arc<Loaded>> {
        let mut v = self
            .inner
            .plugins
            .read()
            .map(|p| p.clone())
            .unwrap_or_default();
        v.sort_by(|a, b| a.meta.name.cmp(&b.meta.name));
        v
    }

    /// Files that were not loaded, and why.
    pub fn refused(&self) -> Vec<RefusedFile> {
        self.inner
            .refused
            .read()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    pub fn find(&self, name: &str) -> Option<Arc<Loaded>> {
        self.inner.find(name)
    }

    /// A loaded plugin's status and reason.
    pub fn status_of(p: &Loaded) -> (Status, Option<String>) {
        let live = p.live();
        match (live.enabled, live.failure_reason) {
            (true, _) => (Status::Enabled, None),
            (false, Some(r)) => (Status::Failed, Some(r)),
            (false, None) => (Status::Disabled, None),
        }
    }

    /// A plugin's effective settings.
    pub fn settings_of(p: &Loaded) -> Map<String, Value> {
        p.settings()
    }

    /// Enables or disables a plugin here and in the database (other nodes pick
    /// it up within a few seconds).
    pub fn set_enabled(&self, name: &str, enabled: bool) -> Result<(), cms_core::CoreError> {
        let p = self.find(name).ok_or(cms_core::CoreError::NotFound)?;
        let mut conn = self.inner.conn()?;
        store::set_enabled(&mut conn, name, enabled)?;
        p.failures.store(0, Ordering::Relaxed);
        p.set_live(|l| {
            l.enabled = enabled;
            l.failure_reason = None;
        });
        tracing::info!(
            plugin = name,
            enabled,
            "plugin state changed by an administrator"
        );
        Ok(())
    }

    /// Stores validated settings and applies them at once.
    pub fn save_settings(
        &self,
        name: &str,
        settings: &Map<String, Value>,
    ) -> Result<(), cms_core::CoreError> {
        let p = self.find(name).ok_or(cms_core::CoreError::NotFound)?;
        let json = Value::Object(settings.clone()).to_string();
        let mut conn = self.inner.conn()?;
        store::save_settings(&mut conn, name, &json)?;
        let effective = p.meta.effective(&json);
        p.set_live(|l| {
            l.stored = json;
            l.settings = effective;
        });
        Ok(())
    }

    /// How long a hook call may run before its plugin is disabled.
    pub fn set_hang_limit(&self, limit: std::time::Duration) {
        let ms = u64::try_from(limit.as_millis()).unwrap_or(u64::MAX).max(1);
        self.inner.hang_limit_ms.store(ms, Ordering::Relaxed);
    }

    /// Writes batched counter increments now.
    pub fn flush(&self) {
        self.inner.flush_counters();
    }

    /// Re-reads every plugin's state from the database now (the background
    /// thread does this every few seconds).
    pub fn refresh(&self) {
        self.inner.refresh_states();
    }

    /// Views that were dropped because the delivery queue was full.
    pub fn dropped_events(&self) -> u64 {
        self.inner.dropped_events.load(Ordering::Relaxed)
    }

    /// Delivers queued events, then writes pending counters. Called when the
    /// server stops; safe to call more than once.
    pub fn shutdown(&self) {
        self.inner.shutdown();
    }

    /// Whether [`PluginHost::shutdown`] has completed.
    pub fn is_shut_down(&self) -> bool {
        self.inner.shut_down.load(Ordering::SeqCst)
    }

    /// Waits until every event queued so far has been delivered to plugins.
    pub fn drain(&self, timeout: std::time::Duration) -> bool {
        self.inner.drain(timeout)
    }
}

impl HostInner {
    fn new(
        dir: PathBuf,
        pool: Option<DbPool>,
        events: Option<std::sync::mpsc::SyncSender<runtime::Event>>,
    ) -> HostInner {
        HostInner {
            dir,
            pool,
            plugins: RwLock::new(Vec::new()),
            refused: RwLock::new(Vec::new()),
            counters: counters::Pending::default(),
            events,
            inbox: inbox::Inbox::default(),
            dropped_events: AtomicU64::new(0),
            site: RwLock::new(SiteInfo::default()),
            closing: AtomicBool::new(false),
            shut_down: AtomicBool::new(false),
            flush_lock: Mutex::new(()),
            hang_limit_ms: AtomicU64::new(10_000),
        }
    }

    fn conn(&self) -> Result<cms_core::db::PooledConn, cms_core::CoreError> {
        let pool = self
            .pool
            .as_ref()
            .ok_or_else(|| cms_core::CoreError::Config("no plugin database pool".into()))?;
        Ok(pool.get()?)
    }

    fn find(&self, name: &str) -> Option<Arc<Loaded>> {
        self.plugins
            .read()
            .ok()?
            .iter()
            .find(|p| p.meta.name == name)
            .cloned()
    }

    /// Whether an enabled plugin implements `hook` (cheap: no allocation;
    /// asked on every page view).
    fn any_enabled_with(&self, hook: &str) -> bool {
        let views = hook == hook::PAGE_VIEW;
        self.plugins.read().is_ok_and(|p| {
            p.iter().any(|p| {
                (if views {
                    p.page_view
                } else {
                    p.meta.has_hook(hook)
                }) && p.is_enabled()
            })
        })
    }

    /// Enabled plugins implementing `hook`, in a stable order.
    fn enabled_with(&self, hook: &str) -> Vec<Arc<Loaded>> {
        let mut v: Vec<Arc<Loaded>> = self
            .plugins
            .read()
            .map(|p| {
                p.iter()
                    .filter(|p| p.meta.has_hook(hook) && p.is_enabled())
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        v.sort_by(|a, b| a.meta.name.cmp(&b.meta.name));
        v
    }

    fn site(&self) -> SiteInfo {
        self.site.read().map(|s| s.clone()).unwrap_or_default()
    }

    fn refresh_site(&self) {
        let Ok(mut conn) = self.conn() else { return };
        match cms_core::settings::load(&mut conn) {
            Ok(s) => {
                if let Ok(mut site) = self.site.write() {
                    *site = SiteInfo {
                        title: s.title.clone(),
                        base_url: s.base_url.trim_end_matches('/').to_owned(),
                        timezone: s.timezone.clone(),
                    };
                }
            }
            Err(e) => tracing::warn!(error = %e, "plugins: cannot read site settings"),
        }
    }

    /// Picks up enable/disable and settings changes made on any node.
    fn refresh_states(&self) {
        let states = match self.conn().and_then(|mut c| store::states(&mut c)) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "plugins: cannot re-read plugin states");
                return;
            }
        };
        let plugins = self.plugins.read().map(|p| p.clone()).unwrap_or_default();
        for p in plugins {
            match states.iter().find(|s| s.name == p.meta.name) {
                Some(s) => p.apply_state(s),
                None => {
                    if let Ok(s) = self
                        .conn()
                        .and_then(|mut c| store::register(&mut c, &p.meta.name))
                    {
                        p.apply_state(&s);
                    }
                }
            }
        }
    }

    fn flush_counters(&self) {
        let _guard = self.flush_lock.lock();
        let batch = self.counters.take();
        if batch.is_empty() {
            return;
        }
        let res = self
            .conn()
            .and_then(|mut c| store::add_counters(&mut c, &batch));
        if let Err(e) = res {
            tracing::warn!(error = %e, n = batch.len(), "plugins: could not write counters; will retry");
            self.counters.restore(batch);
        }
    }

    fn drain(&self, timeout: std::time::Duration) -> bool {
        let Some(tx) = &self.events else { return true };
        let (ack_tx, ack_rx) = std::sync::mpsc::channel();
        let deadline = Instant::now() + timeout;
        let mut ev = runtime::Event::Drain(ack_tx);
        loop {
            match tx.try_send(ev) {
                Ok(()) => break,
                Err(std::sync::mpsc::TrySendError::Full(back)) => {
                    if Instant::now() >= deadline {
                        return false;
                    }
                    ev = back;
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                Err(std::sync::mpsc::TrySendError::Disconnected(_)) => return true,
            }
        }
        ack_rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .is_ok()
    }

    fn shutdown(&self) {
        self.closing.store(true, Ordering::SeqCst);
        if !self.drain(std::time::Duration::from_secs(10)) {
            tracing::warn!("plugins: some queued page views were not delivered before shutdown");
        }
        self.flush_counters();
        if !self.shut_down.swap(true, Ordering::SeqCst) && self.events.is_some() {
            tracing::info!("plugins: counters flushed at shutdown");
        }
    }
}

impl Drop for HostInner {
    fn drop(&mut self) {
        // Last chance: nothing batched may be lost when the host goes away.
        self.flush_counters();
    }
}
