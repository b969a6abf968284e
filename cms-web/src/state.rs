//! The one application context handed to every handler.

use std::sync::Arc;

use actix_web::web;
use cms_core::media::{Limits as MediaLimits, LocalDiskStorage, MediaStorage};
use cms_core::{CoreResult, DbConnection, DbPool};

use crate::cache::PageCache;
use crate::config::Config;
use crate::error::WebError;
use crate::hooks::{NoHooks, SiteHooks};
use crate::plugins::PluginHost;

/// Shared by all workers. Holds no mutable state of its own, so any number of
/// nodes can serve the same database.
#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub config: Arc<Config>,
    /// Widget slots, page-view observation and article lifecycle hooks: the
    /// plugin host once plugins are loaded ([`AppState::with_plugins`]).
    pub hooks: Arc<dyn SiteHooks>,
    /// The loaded plugins, for the admin page and shutdown.
    pub plugins: PluginHost,
    /// Where uploaded images are kept: `<data_dir>/media` on local disk.
    pub media: Arc<dyn MediaStorage>,
    /// Rendered public pages and Content API responses (see `cache.rs`).
    pub cache: Arc<PageCache>,
}

impl AppState {
    pub fn new(pool: DbPool, config: Config) -> Self {
        Self {
            pool,
            hooks: Arc::new(NoHooks),
            plugins: PluginHost::empty(),
            media: Arc::new(LocalDiskStorage::in_data_dir(&config.data_dir)),
            cache: Arc::new(PageCache::new(
                std::time::Duration::from_millis(config.page_cache_ttl_ms),
                config.page_cache_max_mb * 1024 * 1024,
            )),
            config: Arc::new(config),
        }
    }

    /// What an upload may be: the configured byte limit, the core's pixel limits.
    pub fn media_limits(&self) -> MediaLimits {
        MediaLimits::with_max_bytes(self.config.max_upload_bytes)
    }

    /// Uses `host` for the plugins page and as the site's hooks.
    pub fn with_plugins(mut self, host: PluginHost) -> Self {
        self.hooks = Arc::new(host.clone());
        self.plugins = host;
        self
    }

    /// Runs blocking database work on the blocking thread pool, never on the
    /// async workers.
    pub async fn db<T, F>(&self, f: F) -> Result<T, WebError>
    where
        F: FnOnce(&mut DbConnection) -> CoreResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let result = web::block(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await
        .map_err(|e| WebError::Internal(format!("blocking task failed: {e}")))?;
        Ok(result?)
    }

    pub fn session_ttl(&self) -> chrono::Duration {
        chrono::Duration::hours(self.config.session_ttl_hours)
    }
}
