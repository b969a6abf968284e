//! Loading the plugins directory: each file is probed (ABI handshake and
//! metadata) before anything else, registered with its stored state, and
//! initialised; a file that fails any step is refused with its reason.

use super::*;

impl PluginHost {
    /// Loads every plugin in `dir`. Never fails: files that cannot be used are
    /// refused with a logged reason and listed on the admin page. Plugins get a
    /// small connection pool of their own, so a plugin's query never waits for
    /// a connection held by the page that called it.
    pub fn load(dir: &Path, url: &DatabaseUrl) -> PluginHost {
        let files = discover(dir);
        if files.is_empty() {
            tracing::info!(dir = %dir.display(), "no plugins found");
            return PluginHost {
                inner: Arc::new(HostInner::new(dir.to_owned(), None, None)),
            };
        }
        let mut refused = Vec::new();
        let mut candidates: Vec<(PathBuf, NativePlugin, PluginMeta)> = Vec::new();
        for file in files {
            match probe(&file) {
                Ok((native, meta)) => {
                    if let Some((other, _, _)) =
                        candidates.iter().find(|(_, _, m)| m.name == meta.name)
                    {
                        refused.push(RefusedFile {
                            file: file.clone(),
                            name: Some(meta.name.clone()),
                            version: Some(meta.version.clone()),
                            abi_version: Some(ABI_VERSION),
                            reason: format!(
                                "a plugin named `{}` was already loaded from {}",
                                meta.name,
                                other.display()
                            ),
                        });
                    } else {
                        candidates.push((file, native, meta));
                    }
                }
                Err(r) => refused.push(r),
            }
        }
        let pool = if candidates.is_empty() {
            None
        } else {
            match cms_core::db::connect(url, 4) {
                Ok(p) => Some(p),
                Err(e) => {
                    tracing::error!(error = %e, "plugins: cannot open their database pool; no plugin loaded");
                    for (file, _, meta) in candidates.drain(..) {
                        refused.push(RefusedFile {
                            file,
                            name: Some(meta.name.clone()),
                            version: Some(meta.version.clone()),
                            abi_version: Some(ABI_VERSION),
                            reason: format!("database unavailable: {e}"),
                        });
                    }
                    None
                }
            }
        };
        let (tx, rx) = std::sync::mpsc::sync_channel(runtime::EVENT_QUEUE);
        let inner = Arc::new(HostInner::new(dir.to_owned(), pool, Some(tx)));
        inner.refresh_site();
        for (file, native, meta) in candidates {
            match inner.start_plugin(&file, native, meta.clone()) {
                Ok(()) => tracing::info!(
                    plugin = %meta.name,
                    version = %meta.version,
                    hooks = %meta.hooks.join(","),
                    file = %file.display(),
                    "plugin loaded"
                ),
                Err(reason) => refused.push(RefusedFile {
                    file,
                    name: Some(meta.name),
                    version: Some(meta.version),
                    abi_version: Some(ABI_VERSION),
                    reason,
                }),
            }
        }
        for r in &refused {
            tracing::warn!(file = %r.file.display(), reason = %r.reason, "plugin refused");
        }
        if let Ok(mut list) = inner.refused.write() {
            *list = refused;
        }
        let loaded = inner.plugins.read().map(|p| p.len()).unwrap_or(0);
        if loaded > 0 {
            runtime::start(&inner, rx);
        }
        PluginHost { inner }
    }
}

impl HostInner {
    /// Registers, adds and initialises one plugin; on failure it is removed again.
    pub(super) fn start_plugin(
        self: &Arc<Self>,
        file: &Path,
        native: NativePlugin,
        meta: PluginMeta,
    ) -> Result<(), String> {
        let state = self
            .conn()
            .and_then(|mut c| store::register(&mut c, &meta.name))
            .map_err(|e| format!("cannot read its state from the database: {e}"))?;
        let loaded = Arc::new(Loaded {
            live: RwLock::new(Live {
                enabled: state.enabled,
                failure_reason: state.failure_reason.clone(),
                settings: meta.effective(&state.settings),
                stored: state.settings.clone(),
            }),
            enabled: std::sync::atomic::AtomicBool::new(state.enabled),
            page_view: meta.has_hook(hook::PAGE_VIEW),
            meta,
            file: file.to_owned(),
            native,
            failures: AtomicU32::new(0),
            next_tick: Mutex::new(Instant::now()),
            calls: Mutex::new(Vec::new()),
            next_call: AtomicU64::new(0),
            batch_views: std::sync::atomic::AtomicU8::new(BATCH_UNKNOWN),
        });
        let name = loaded.meta.name.clone();
        if let Ok(mut list) = self.plugins.write() {
            list.push(loaded.clone());
        }
        let table = loader::host_table(PluginCtx {
            host: Arc::downgrade(self),
            name: name.clone(),
        });
        let config = json!({
            "name": name,
            "settings": loaded.settings(),
            "host_version": env!("CARGO_PKG_VERSION"),
        })
        .to_string();
        match native.init(table, config.as_bytes()) {
            CallOutcome::Ok(_) | CallOutcome::Unsupported => Ok(()),
            CallOutcome::Failed { code, message } => {
                if let Ok(mut list) = self.plugins.write() {
                    list.retain(|p| p.meta.name != name);
                }
                Err(format!("init failed ({}): {message}", code_name(code)))
            }
        }
    }
}
