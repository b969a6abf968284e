//! The one application context handed to every handler.

use std::sync::Arc;

use actix_web::web;
use cms_core::{CoreResult, DbConnection, DbPool};

use crate::config::Config;
use crate::error::WebError;
use crate::hooks::{NoHooks, SiteHooks};

/// Shared by all workers. Holds no mutable state of its own, so any number of
/// nodes can serve the same database.
#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub config: Arc<Config>,
    /// Widget slots and page-view observation (plugins, later).
    pub hooks: Arc<dyn SiteHooks>,
}

impl AppState {
    pub fn new(pool: DbPool, config: Config) -> Self {
        Self {
            pool,
            config: Arc::new(config),
            hooks: Arc::new(NoHooks),
        }
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
