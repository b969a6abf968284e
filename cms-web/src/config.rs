//! Typed configuration: defaults, then `gazette.toml`, then `GAZETTE_*`
//! environment variables, then command-line flags. Every error names the key.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// How the server runs. Site settings editors change (title, timezone, …) live
/// in the database instead; this is what an operator sets.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on (`bind`, `GAZETTE_BIND`, `--bind`). Default `127.0.0.1:8080`.
    pub bind: String,
    /// `sqlite://PATH`, a plain path, or `postgres://…` (`database_url`,
    /// `GAZETTE_DATABASE_URL` or `DATABASE_URL`, `--database-url`).
    /// Default: `gazette.db` inside the data directory.
    pub database_url: String,
    /// Where Gazette keeps its files (`data_dir`, `GAZETTE_DATA_DIR`, `--data-dir`). Default `data`.
    pub data_dir: PathBuf,
    /// Load the sample articles into an empty site on first start (`sample_content`). Default true.
    pub sample_content: bool,
    /// Idle lifetime of a login session, in hours (`session_ttl_hours`). Default 336 (14 days).
    pub session_ttl_hours: i64,
    /// Database connections per node (`db_pool_size`). Default 8.
    pub db_pool_size: u32,
    /// Take the client address from `X-Forwarded-For` (`trust_proxy_headers`). Only
    /// enable behind a reverse proxy that sets it; otherwise clients could forge it
    /// and dodge login throttling. Default false.
    pub trust_proxy_headers: bool,
    /// How often the background scheduler publishes due articles, in seconds
    /// (`scheduler_interval_secs`). Default 15.
    pub scheduler_interval_secs: u64,
    /// Largest accepted form body in bytes (`max_form_bytes`). Default 4 MiB.
    pub max_form_bytes: usize,
    /// Largest image upload in bytes (`max_upload_bytes`, `GAZETTE_MAX_UPLOAD_BYTES`).
    /// Applies to the media library's upload forms and `POST /api/v1/admin/media`
    /// only; every other request keeps `max_form_bytes`. Default 20 MiB.
    pub max_upload_bytes: usize,
    /// HTTP worker threads (`workers`). Default: one per CPU core.
    pub workers: Option<usize>,
    /// Directory whose plugin libraries (`*.so`, `*.dylib`, `*.dll`) are loaded at
    /// start (`plugins_dir`, `GAZETTE_PLUGINS_DIR`). Default: `plugins` next to the
    /// `gazette` binary, where `cargo build` puts the shipped plugins.
    pub plugins_dir: PathBuf,
    /// First retry delay of a failed webhook delivery, in milliseconds
    /// (`webhook_retry_base_ms`, `GAZETTE_WEBHOOK_RETRY_BASE_MS`); later retries wait
    /// 3, 12, 60, 180, 360 and 720 times as long. Default 10000 (10 s … 2 h).
    pub webhook_retry_base_ms: u64,
    /// How long a rendered public page or Content API response may be served
    /// from memory, in milliseconds (`page_cache_ttl_ms`, `GAZETTE_PAGE_CACHE_TTL_MS`).
    /// Edits on this node clear the cache at once; this bounds how stale another
    /// node's edit or a widget's view count can be. 0 disables the cache. Default 1000.
    pub page_cache_ttl_ms: u64,
    /// Memory for the page cache, in MiB (`page_cache_max_mb`, `GAZETTE_PAGE_CACHE_MAX_MB`). Default 64.
    pub page_cache_max_mb: usize,
    /// A plugin hook call running longer than this, in milliseconds, gets its
    /// plugin disabled (`plugin_hang_ms`, `GAZETTE_PLUGIN_HANG_MS`). Default 10000.
    pub plugin_hang_ms: u64,
}

/// `plugins` in the directory of the running executable (falls back to
/// `./plugins` if the executable's path is unknown).
pub fn default_plugins_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|d| d.join("plugins")))
        .unwrap_or_else(|| PathBuf::from("plugins"))
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            database_url: String::new(),
            data_dir: PathBuf::from("data"),
            sample_content: true,
            session_ttl_hours: 24 * 14,
            db_pool_size: 8,
            trust_proxy_headers: false,
            scheduler_interval_secs: 15,
            max_form_bytes: 4 * 1024 * 1024,
            max_upload_bytes: cms_core::media::process::DEFAULT_MAX_BYTES,
            workers: None,
            plugins_dir: default_plugins_dir(),
            webhook_retry_base_ms: 10_000,
            page_cache_ttl_ms: 1000,
            page_cache_max_mb: 64,
            plugin_hang_ms: 10_000,
        }
    }
}

/// `gazette.toml`: every key optional, unknown keys refused (a typo must not be ignored).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    bind: Option<String>,
    database_url: Option<String>,
    data_dir: Option<PathBuf>,
    sample_content: Option<bool>,
    session_ttl_hours: Option<i64>,
    db_pool_size: Option<u32>,
    trust_proxy_headers: Option<bool>,
    scheduler_interval_secs: Option<u64>,
    max_form_bytes: Option<usize>,
    max_upload_bytes: Option<usize>,
    workers: Option<usize>,
    plugins_dir: Option<PathBuf>,
    webhook_retry_base_ms: Option<u64>,
    page_cache_ttl_ms: Option<u64>,
    page_cache_max_mb: Option<usize>,
    plugin_hang_ms: Option<u64>,
}

/// Values given on the command line, which win over everything else.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub bind: Option<String>,
    pub database_url: Option<String>,
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

fn parse_env<T: std::str::FromStr>(key: &str, raw: &str, expected: &str) -> Result<T, ConfigError> {
    raw.trim()
        .parse()
        .map_err(|_| ConfigError(format!("{key}: expected {expected}, got `{raw}`")))
}

fn parse_bool(key: &str, raw: &str) -> Result<bool, ConfigError> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(ConfigError(format!(
            "{key}: expected true or false, got `{raw}`"
        ))),
    }
}

impl Config {
    /// Loads configuration. `file`: an explicit config path (must exist); without
    /// it, `gazette.toml` in the working directory is read if present.
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
        overrides: &Overrides,
    ) -> Result<Config, ConfigError> {
        let mut c = Config::default();
        let fc = match file {
            Some(p) => Some(read_file(p)?),
            None if Path::new("gazette.toml").exists() => {
                Some(read_file(Path::new("gazette.toml"))?)
            }
            None => None,
        };
        if let Some(f) = fc {
            macro_rules! take { ($($k:ident),*) => { $( if let Some(v) = f.$k { c.$k = v; } )* } }
            take!(
                bind,
                database_url,
                data_dir,
                sample_content,
                session_ttl_hours,
                db_pool_size,
                trust_proxy_headers,
                scheduler_interval_secs,
                max_form_bytes,
                max_upload_bytes,
                webhook_retry_base_ms
            );
            if let Some(v) = f.page_cache_ttl_ms {
                c.page_cache_ttl_ms = v;
            }
            if let Some(v) = f.page_cache_max_mb {
                c.page_cache_max_mb = v;
            }
            if let Some(v) = f.plugin_hang_ms {
                c.plugin_hang_ms = v;
            }
            if f.workers.is_some() {
                c.workers = f.workers;
            }
            if let Some(d) = f.plugins_dir {
                c.plugins_dir = d;
            }
        }
        if let Some(v) = env("GAZETTE_BIND") {
            c.bind = v;
        }
        if let Some(v) = env("GAZETTE_DATABASE_URL").or_else(|| env("DATABASE_URL")) {
            c.database_url = v;
        }
        if let Some(v) = env("GAZETTE_DATA_DIR") {
            c.data_dir = PathBuf::from(v);
        }
        if let Some(v) = env("GAZETTE_SAMPLE_CONTENT") {
            c.sample_content = parse_bool("GAZETTE_SAMPLE_CONTENT", &v)?;
        }
        if let Some(v) = env("GAZETTE_SESSION_TTL_HOURS") {
            c.session_ttl_hours =
                parse_env("GAZETTE_SESSION_TTL_HOURS", &v, "a whole number of hours")?;
        }
        if let Some(v) = env("GAZETTE_DB_POOL_SIZE") {
            c.db_pool_size = parse_env("GAZETTE_DB_POOL_SIZE", &v, "a whole number")?;
        }
        if let Some(v) = env("GAZETTE_TRUST_PROXY_HEADERS") {
            c.trust_proxy_headers = parse_bool("GAZETTE_TRUST_PROXY_HEADERS", &v)?;
        }
        if let Some(v) = env("GAZETTE_SCHEDULER_INTERVAL_SECS") {
            c.scheduler_interval_secs = parse_env(
                "GAZETTE_SCHEDULER_INTERVAL_SECS",
                &v,
                "a whole number of seconds",
            )?;
        }
        if let Some(v) = env("GAZETTE_MAX_FORM_BYTES") {
            c.max_form_bytes = parse_env("GAZETTE_MAX_FORM_BYTES", &v, "a number of bytes")?;
        }
        if let Some(v) = env("GAZETTE_MAX_UPLOAD_BYTES") {
            c.max_upload_bytes = parse_env("GAZETTE_MAX_UPLOAD_BYTES", &v, "a number of bytes")?;
        }
        if let Some(v) = env("GAZETTE_PLUGINS_DIR") {
            c.plugins_dir = PathBuf::from(v);
        }
        if let Some(v) = env("GAZETTE_WEBHOOK_RETRY_BASE_MS") {
            c.webhook_retry_base_ms = parse_env(
                "GAZETTE_WEBHOOK_RETRY_BASE_MS",
                &v,
                "a whole number of milliseconds",
            )?;
        }
        if let Some(v) = env("GAZETTE_PAGE_CACHE_TTL_MS") {
            c.page_cache_ttl_ms =
                parse_env("GAZETTE_PAGE_CACHE_TTL_MS", &v, "a number of milliseconds")?;
        }
        if let Some(v) = env("GAZETTE_PAGE_CACHE_MAX_MB") {
            c.page_cache_max_mb = parse_env("GAZETTE_PAGE_CACHE_MAX_MB", &v, "a number of MiB")?;
        }
        if let Some(v) = env("GAZETTE_PLUGIN_HANG_MS") {
            c.plugin_hang_ms = parse_env("GAZETTE_PLUGIN_HANG_MS", &v, "a number of milliseconds")?;
        }
        if let Some(v) = env("GAZETTE_WORKERS") {
            c.workers = Some(parse_env("GAZETTE_WORKERS", &v, "a whole number")?);
        }
        if let Some(v) = &overrides.bind {
            c.bind = v.clone();
        }
        if let Some(v) = &overrides.database_url {
            c.database_url = v.clone();
        }
        if let Some(v) = &overrides.data_dir {
            c.data_dir = v.clone();
        }
        if c.database_url.trim().is_empty() {
            c.database_url = c.data_dir.join("gazette.db").to_string_lossy().into_owned();
        }
        c.validate()?;
        Ok(c)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.bind.parse::<std::net::SocketAddr>().is_err() {
            return Err(ConfigError(format!(
                "bind: expected HOST:PORT such as 127.0.0.1:8080, got `{}`",
                self.bind
            )));
        }
        cms_core::DatabaseUrl::parse(&self.database_url)
            .map_err(|e| ConfigError(format!("database_url: {e}")))?;
        if !(1..=24 * 365).contains(&self.session_ttl_hours) {
            return Err(ConfigError("session_ttl_hours: expected 1 to 8760".into()));
        }
        if !(1..=256).contains(&self.db_pool_size) {
            return Err(ConfigError("db_pool_size: expected 1 to 256".into()));
        }
        if self.scheduler_interval_secs == 0 || self.scheduler_interval_secs > 60 {
            return Err(ConfigError(
                "scheduler_interval_secs: expected 1 to 60 (articles must publish within a minute)"
                    .into(),
            ));
        }
        if self.max_form_bytes < 64 * 1024 {
            return Err(ConfigError(
                "max_form_bytes: expected at least 65536".into(),
            ));
        }
        if !(64 * 1024..=1024 * 1024 * 1024).contains(&self.max_upload_bytes) {
            return Err(ConfigError(
                "max_upload_bytes: expected 65536 to 1073741824 (64 KiB to 1 GiB)".into(),
            ));
        }
        if !(100..=3_600_000).contains(&self.webhook_retry_base_ms) {
            return Err(ConfigError(
                "webhook_retry_base_ms: expected 100 to 3600000 (0.1 s to 1 h)".into(),
            ));
        }
        if self.page_cache_ttl_ms > 60_000 {
            return Err(ConfigError(
                "page_cache_ttl_ms: expected 0 (off) to 60000".into(),
            ));
        }
        if self.page_cache_max_mb == 0 || self.page_cache_max_mb > 4096 {
            return Err(ConfigError("page_cache_max_mb: expected 1 to 4096".into()));
        }
        if !(100..=600_000).contains(&self.plugin_hang_ms) {
            return Err(ConfigError(
                "plugin_hang_ms: expected 100 to 600000 (0.1 s to 10 min)".into(),
            ));
        }
        if self.workers == Some(0) {
            return Err(ConfigError("workers: expected at least 1".into()));
        }
        Ok(())
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError(format!("config file {}: {e}", path.display())))?;
    toml::from_str(&text)
        .map_err(|e| ConfigError(format!("config file {}: {}", path.display(), e.message())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(a, _)| *a == k)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn defaults_and_env() {
        let c = Config::load(None, env_of(&[]), &Overrides::default()).expect("defaults");
        assert_eq!(c.bind, "127.0.0.1:8080");
        assert!(c.database_url.ends_with("gazette.db"));
        let c = Config::load(
            None,
            env_of(&[("GAZETTE_BIND", "0.0.0.0:9000")]),
            &Overrides::default(),
        )
        .expect("env");
        assert_eq!(c.bind, "0.0.0.0:9000");
    }

    #[test]
    fn errors_name_the_key() {
        let e = Config::load(
            None,
            env_of(&[("GAZETTE_SESSION_TTL_HOURS", "soon")]),
            &Overrides::default(),
        )
        .expect_err("refused");
        assert!(e.0.contains("GAZETTE_SESSION_TTL_HOURS"), "{e}");
        let e = Config::load(
            None,
            env_of(&[("GAZETTE_DATABASE_URL", "mysql://x")]),
            &Overrides::default(),
        )
        .expect_err("refused");
        assert!(e.0.contains("database_url"), "{e}");
        let e = Config::load(
            None,
            env_of(&[("GAZETTE_BIND", "nowhere")]),
            &Overrides::default(),
        )
        .expect_err("refused");
        assert!(e.0.contains("bind"), "{e}");
    }

    #[test]
    fn example_config_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../gazette.example.toml");
        Config::load(Some(&path), env_of(&[]), &Overrides::default())
            .expect("gazette.example.toml must stay valid");
    }

    #[test]
    fn unknown_file_keys_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("g.toml");
        std::fs::write(&p, "bnid = \"127.0.0.1:1\"\n").expect("write");
        let e = Config::load(Some(&p), env_of(&[]), &Overrides::default()).expect_err("refused");
        assert!(e.0.contains("bnid"), "{e}");
    }
}
