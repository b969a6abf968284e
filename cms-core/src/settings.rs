//! Site settings, stored as key/value rows so new settings need no migration.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConnection;
use crate::error::{CoreResult, FieldErrors};
use crate::schema::settings;

/// The settings editors see on the Settings page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteSettings {
    /// The site's name, shown in the header and page titles.
    pub title: String,
    /// One sentence about the site, used in the home page's description.
    pub description: String,
    /// Public base URL, e.g. `https://news.example.com`. Session cookies get
    /// the `Secure` flag when it is https.
    pub base_url: String,
    /// IANA timezone in which dates are shown, e.g. `Europe/London`.
    pub timezone: String,
    /// Articles per page on the home, category and author pages.
    pub per_page: i64,
}

impl Default for SiteSettings {
    fn default() -> Self {
        Self {
            title: "Gazette".into(),
            description: "News, written and published with Gazette.".into(),
            base_url: "http://127.0.0.1:8080".into(),
            timezone: "UTC".into(),
            per_page: 10,
        }
    }
}

impl SiteSettings {
    pub fn tz(&self) -> chrono_tz::Tz {
        self.timezone.parse().unwrap_or(chrono_tz::UTC)
    }
    pub fn is_https(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

/// Raw form input for the settings page.
#[derive(Debug, Clone, Default)]
pub struct SettingsInput {
    pub title: String,
    pub description: String,
    pub base_url: String,
    pub timezone: String,
    pub per_page: String,
}

fn load_map(conn: &mut DbConnection) -> CoreResult<HashMap<String, String>> {
    Ok(settings::table
        .select((settings::key, settings::value))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

pub fn load(conn: &mut DbConnection) -> CoreResult<SiteSettings> {
    let map = load_map(conn)?;
    let d = SiteSettings::default();
    Ok(SiteSettings {
        title: map.get("site.title").cloned().unwrap_or(d.title),
        description: map
            .get("site.description")
            .cloned()
            .unwrap_or(d.description),
        base_url: map.get("site.base_url").cloned().unwrap_or(d.base_url),
        timezone: map.get("site.timezone").cloned().unwrap_or(d.timezone),
        per_page: map
            .get("site.per_page")
            .and_then(|v| v.parse().ok())
            .unwrap_or(d.per_page),
    })
}

/// Reads one internal flag (not shown on the settings page).
pub fn get_flag(conn: &mut DbConnection, key: &str) -> CoreResult<Option<String>> {
    Ok(settings::table
        .find(key)
        .select(settings::value)
        .first(conn)
        .optional()?)
}

pub fn set_value(conn: &mut DbConnection, key: &str, value: &str) -> CoreResult<()> {
    // An update-then-insert inside a transaction works the same on both backends.
    conn.transaction(|conn| {
        let n = diesel::update(settings::table.find(key))
            .set(settings::value.eq(value))
            .execute(conn)?;
        if n == 0 {
            diesel::insert_into(settings::table)
                .values((settings::key.eq(key), settings::value.eq(value)))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// Validates and stores the settings form.
pub fn save(conn: &mut DbConnection, input: &SettingsInput) -> CoreResult<SiteSettings> {
    let mut errors = FieldErrors::default();
    let title = input.title.trim();
    if title.is_empty() {
        errors.add("title", "Enter the site's title.");
    } else if title.chars().count() > 120 {
        errors.add("title", "Use at most 120 characters.");
    }
    if input.description.chars().count() > 500 {
        errors.add("description", "Use at most 500 characters.");
    }
    let base_url = input.base_url.trim().trim_end_matches('/').to_owned();
    match url::Url::parse(&base_url) {
        Ok(u) if (u.scheme() == "http" || u.scheme() == "https") && u.host().is_some() => {}
        _ => errors.add(
            "base_url",
            "Enter the full public address, e.g. https://news.example.com",
        ),
    }
    let tz = input.timezone.trim();
    if tz.parse::<chrono_tz::Tz>().is_err() {
        errors.add(
            "timezone",
            "Enter an IANA timezone such as UTC, Europe/Paris or America/New_York.",
        );
    }
    let per_page = input
        .per_page
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=100).contains(n));
    if per_page.is_none() {
        errors.add("per_page", "Enter a number from 1 to 100.");
    }
    errors.into_result()?;
    let s = SiteSettings {
        title: title.to_owned(),
        description: input.description.trim().to_owned(),
        base_url,
        timezone: tz.to_owned(),
        per_page: per_page.unwrap_or(10),
    };
    conn.transaction(|conn| {
        set_value(conn, "site.title", &s.title)?;
        set_value(conn, "site.description", &s.description)?;
        set_value(conn, "site.base_url", &s.base_url)?;
        set_value(conn, "site.timezone", &s.timezone)?;
        set_value(conn, "site.per_page", &s.per_page.to_string())
    })?;
    Ok(s)
}

/// Content API access settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ApiSettings {
    /// The Content API key frontends send (`?key=` or `X-Gazette-Key`).
    pub content_key: String,
    /// When true, the Content API refuses requests without the key.
    pub key_required: bool,
    /// Origins allowed to call the Content API from browsers (`*` for any).
    pub cors_origins: Vec<String>,
}

pub fn api_settings(conn: &mut DbConnection) -> CoreResult<ApiSettings> {
    let map = load_map(conn)?;
    Ok(ApiSettings {
        content_key: map.get("api.content_key").cloned().unwrap_or_default(),
        key_required: map.get("api.key_required").is_some_and(|v| v == "true"),
        cors_origins: map
            .get("api.cors_origins")
            .map(|v| {
                v.split([',', '\n', ' '])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// Saves the Content API settings; an empty key is generated.
pub fn save_api_settings(
    conn: &mut DbConnection,
    key_required: bool,
    cors_origins: &str,
    regenerate_key: bool,
) -> CoreResult<ApiSettings> {
    let mut errors = FieldErrors::default();
    let origins: Vec<String> = cors_origins
        .split([',', '\n', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_end_matches('/').to_owned())
        .collect();
    for o in &origins {
        let ok = o == "*"
            || url::Url::parse(o).is_ok_and(|u| {
                matches!(u.scheme(), "http" | "https") && u.host().is_some() && u.path() == "/"
            });
        if !ok {
            errors.add(
                "cors_origins",
                format!("`{o}` is not an origin like https://www.example.com (or *)."),
            );
        }
    }
    errors.into_result()?;
    conn.transaction(|conn| {
        let current = api_settings(conn)?;
        if regenerate_key || current.content_key.is_empty() {
            set_value(
                conn,
                "api.content_key",
                &crate::tokens::random_token()[..26],
            )?;
        }
        set_value(
            conn,
            "api.key_required",
            if key_required { "true" } else { "false" },
        )?;
        set_value(conn, "api.cors_origins", &origins.join(","))?;
        api_settings(conn)
    })
}

/// How much article history to keep (Settings → Revisions).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RevisionSettings {
    /// Revisions kept per article, the newest ones; 0 (the default) keeps all.
    pub keep: i64,
}

/// The largest "keep the last N revisions" the settings page accepts.
pub const MAX_REVISIONS_KEPT: i64 = 100_000;

/// Reads the revision settings (read on every article save, so one row only).
pub fn revision_settings(conn: &mut DbConnection) -> CoreResult<RevisionSettings> {
    let keep = get_flag(conn, "revisions.keep")?
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or(0)
        .max(0);
    Ok(RevisionSettings { keep })
}

/// Validates and stores "keep the last N revisions" (`keep`: the form's text;
/// empty or 0 keeps all), pruning every article's history to match at once.
pub fn save_revision_settings(conn: &mut DbConnection, keep: &str) -> CoreResult<RevisionSettings> {
    let keep = keep.trim();
    let parsed = if keep.is_empty() {
        Some(0)
    } else {
        keep.parse::<i64>().ok()
    };
    let Some(keep) = parsed.filter(|n| (0..=MAX_REVISIONS_KEPT).contains(n)) else {
        return Err(crate::CoreError::invalid(
            "revisions_keep",
            format!("Enter 0 to keep every revision, or a number from 1 to {MAX_REVISIONS_KEPT}."),
        ));
    };
    conn.transaction(|conn| {
        set_value(conn, "revisions.keep", &keep.to_string())?;
        crate::revisions::prune_all(conn, keep)?;
        Ok(RevisionSettings { keep })
    })
}
