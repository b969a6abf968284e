//! Start-up and wiring, shared by the binary and the tests.
//!
//! Order: config → data dir → database pool → migrations → sample content →
//! plugins → server. [`build_app`] is the same for production and tests.

use std::net::TcpListener;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Compress, DefaultHeaders, Logger};
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use cms_core::{db, DatabaseUrl};

use crate::config::Config;
use crate::state::AppState;

/// Content-Security-Policy: no inline script or style anywhere; nothing from other origins.
pub const CSP: &str =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; \
object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Opens the database, migrates it and loads sample content into an empty site.
pub fn bootstrap(config: Config) -> anyhow::Result<AppState> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("data_dir: cannot create {}", config.data_dir.display()))?;
    let url = DatabaseUrl::parse(&config.database_url)
        .map_err(|e| anyhow::anyhow!("database_url: {e}"))?;
    let pool = db::connect(&url, config.db_pool_size).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut conn = pool
        .get()
        .with_context(|| format!("cannot connect to {}", url.redacted()))?;
    let applied = db::run_migrations(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
    for m in &applied {
        tracing::info!(migration = %m, "applied migration");
    }
    if config.sample_content {
        match cms_core::sample::load_if_new_site(&mut conn) {
            Ok(true) => tracing::info!(
                "loaded sample content (delete it from the dashboard when you are ready)"
            ),
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "could not load sample content"),
        }
    }
    drop(conn);
    tracing::info!(backend = url.backend_name(), database = %url.redacted(), "database ready");
    // Plugins: a refused or failing plugin is logged and shown on /admin/plugins;
    // it never stops the site from starting.
    let plugins = crate::plugins::PluginHost::load(&config.plugins_dir, &url);
    plugins.set_hang_limit(std::time::Duration::from_millis(config.plugin_hang_ms));
    Ok(AppState::new(pool, config).with_plugins(plugins))
}

/// Flushes the plugins' batched counters when the server's last worker has
/// let go of its app factory, i.e. when the server has stopped.
struct FlushPluginsOnStop(crate::plugins::PluginHost);

impl Drop for FlushPluginsOnStop {
    fn drop(&mut self) {
        self.0.shutdown();
    }
}

/// The whole application: middleware, routes and the 404 fallback.
pub fn build_app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let max_form = state.config.max_form_bytes;
    App::new()
        .app_data(web::Data::new(state))
        // Form and JSON bodies. Image uploads (multipart) stream past this and
        // are limited by `max_upload_bytes` in `crate::media::upload` instead.
        .app_data(web::PayloadConfig::new(max_form))
        // Innermost: cache hits still get the security headers and compression
        // decisions of the layers around it.
        .wrap(actix_web::middleware::from_fn(crate::cache::middleware))
        .wrap(
            DefaultHeaders::new()
                .add(("Content-Security-Policy", CSP))
                .add(("X-Content-Type-Options", "nosniff"))
                .add(("Referrer-Policy", "strict-origin-when-cross-origin"))
                .add(("X-Frame-Options", "DENY"))
                .add((
                    "Permissions-Policy",
                    "camera=(), microphone=(), geolocation=()",
                )),
        )
        .wrap(Compress::default())
        .wrap(Logger::new("%s %r %Dms").log_target("gazette::http"))
        .configure(crate::assets::routes)
        .configure(crate::media::routes)
        .configure(crate::api::routes)
        .configure(crate::admin::routes)
        .configure(crate::public::routes)
        .default_service(web::to(crate::public::not_found))
}

/// Starts the HTTP server (and the background scheduler) on a bound listener.
pub fn serve(state: AppState, listener: TcpListener) -> std::io::Result<Server> {
    crate::scheduler::spawn(state.clone());
    // Other nodes on the same PostgreSQL learn what this one invalidates.
    if let Ok(url) = cms_core::db::DatabaseUrl::parse(&state.config.database_url) {
        let plugins = state.plugins.clone();
        crate::cache::sync::start(&state.cache, &url, move |change| {
            // Plugin switches and settings are site-wide changes.
            if change == crate::cache::Change::Everything {
                plugins.refresh();
            }
        });
    }
    // Webhook deliveries: claimed from the outbox and sent in the background.
    crate::webhooks::spawn(state.clone());
    let workers = state.config.workers;
    let app_state = state.clone();
    // Held only by the server's app factories: dropped (→ plugin counters
    // flushed) once the server has stopped, gracefully or not.
    let on_stop = std::sync::Arc::new(FlushPluginsOnStop(state.plugins.clone()));
    let mut server = HttpServer::new(move || {
        let _held = &on_stop;
        build_app(app_state.clone())
    })
    .listen(listener)?;
    if let Some(w) = workers {
        server = server.workers(w);
    }
    Ok(server.run())
}
