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
