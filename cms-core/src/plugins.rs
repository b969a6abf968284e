//! Storage for the plugin platform: each plugin's enabled state and settings,
//! its key-value store and its counters, plus the read-only content queries
//! plugins may make. The loading and calling of plugins lives in `cms-web`.
//!
//! Counters are only ever changed by adding (`value = value + n` in an
//! upsert), never by writing back a value read earlier, so any number of nodes
//! can flush their batched increments into the same rows.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::upsert::excluded;
use serde::Serialize;

use crate::articles::public::{cards, ArticleCard};
use crate::articles::{self, Article, RelatedLink};
use crate::db::DbConnection;
use crate::error::CoreResult;
use crate::roles::Role;
use crate::time::now;
use crate::users::User;
use crate::with_backend;

diesel::table! {
    plugins (name) {
        name -> Text,
        enabled -> Bool,
        failure_reason -> Nullable<Text>,
        settings -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    plugin_kv (plugin, key) {
        plugin -> Text,
        key -> Text,
        value -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    plugin_counters (plugin, key) {
        plugin -> Text,
        key -> Text,
        value -> BigInt,
        updated_at -> Timestamp,
    }
}

/// Only administrators manage plugins.
pub fn can_manage_plugins(user: &User) -> bool {
    user.role() == Role::Administrator
}

/// A plugin's persisted state, shared by every node.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize)]
#[diesel(table_name = plugins)]
pub struct PluginState {
    pub name: String,
    pub enabled: bool,
    /// Why the plugin was disabled automatically; `None` otherwise.
    pub failure_reason: Option<String>,
    /// The administrator's settings, a JSON object.
    pub settings: String,
    pub updated_at: NaiveDateTime,
}

/// Every plugin's state.
pub fn states(conn: &mut DbConnection) -> CoreResult<Vec<PluginState>> {
    Ok(plugins::table
        .order(plugins::name.asc())
        .select(PluginState::as_select())
        .load(conn)?)
}

/// A plugin's state, created (enabled, default settings) the first time a
/// plugin of that name is loaded.
pub fn register(conn: &mut DbConnection, name: &str) -> CoreResult<PluginState> {
    let t = now();
    with_backend!(conn, |c| diesel::insert_into(plugins::table)
        .values((
            plugins::name.eq(name),
            plugins::enabled.eq(true),
            plugins::settings.eq("{}"),
            plugins::updated_at.eq(t),
        ))
        .on_conflict(plugins::name)
        .do_nothing()
        .execute(c))?;
    Ok(plugins::table
        .find(name)
        .select(PluginState::as_select())
        .first(conn)?)
}

/// Enables or disables a plugin by an administrator's choice; enabling clears
/// an automatic disable's reason.
pub fn set_enabled(conn: &mut DbConnection, name: &str, enabled: bool) -> CoreResult<()> {
    let reason: Option<String> = None;
    let n = diesel::update(plugins::table.find(name))
        .set((
            plugins::enabled.eq(enabled),
            plugins::failure_reason.eq(reason),
            plugins::updated_at.eq(now()),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(crate::CoreError::NotFound);
    }
    Ok(())
}

/// Disables a plugin automatically, keeping the reason for the admin page.
pub fn mark_failed(conn: &mut DbConnection, name: &str, reason: &str) -> CoreResult<()> {
    diesel::update(plugins::table.find(name))
        .set((
            plugins::enabled.eq(false),
            plugins::failure_reason.eq(Some(reason)),
            plugins::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Stores a plugin's (already validated) settings object.
pub fn save_settings(conn: &mut DbConnection, name: &str, settings_json: &str) -> CoreResult<()> {
    let n = diesel::update(plugins::table.find(name))
        .set((
            plugins::settings.eq(settings_json),
            plugins::updated_at.eq(now()),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(crate::CoreError::NotFound);
    }
    Ok(())
}

// ---- key-value storage ----

pub fn kv_get(conn: &mut DbConnection, plugin: &str, key: &str) -> CoreResult<Option<String>> {
    Ok(plugin_kv::table
        .find((plugin, key))
        .select(plugin_kv::value)
        .first(conn)
        .optional()?)
}

pub fn kv_set(conn: &mut DbConnection, plugin: &str, key: &str, value: &str) -> CoreResult<()> {
    let t = now();
    with_backend!(conn, |c| diesel::insert_into(plugin_kv::table)
        .values((
            plugin_kv::plugin.eq(plugin),
            plugin_kv::key.eq(key),
            plugin_kv::value.eq(value),
            plugin_kv::updated_at.eq(t),
        ))
        .on_conflict((plugin_kv::plugin, plugin_kv::key))
        .do_update()
        .set((
            plugin_kv::value.eq(excluded(plugin_kv::value)),
            plugin_kv::updated_at.eq(excluded(plugin_kv::updated_at)),
        ))
        .execute(c))?;
    Ok(())
}

pub fn kv_delete(conn: &mut DbConnection, plugin: &str, key: &str) -> CoreResult<()> {
    diesel::delete(plugin_kv::table.find((plugin, key))).execute(conn)?;
    Ok(())
}

// ---- counters ----

/// One batched increment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterDelta {
    pub plugin: String,
    pub key: String,
    pub delta: i64,
}

/// Adds every delta in one transaction (`value = value + delta`).
pub fn add_counters(conn: &mut DbConnection, deltas: &[CounterDelta]) -> CoreResult<()> {
    if deltas.is_empty() {
        return Ok(());
    }
    let t = now();
    conn.transaction(|conn| {
        for d in deltas {
            with_backend!(&mut *conn, |c| diesel::insert_into(plugin_counters::table)
                .values((
                    plugin_counters::plugin.eq(&d.plugin),
                    plugin_counters::key.eq(&d.key),
                    plugin_counters::value.eq(d.delta),
                    plugin_counters::updated_at.eq(t),
                ))
                .on_conflict((plugin_counters::plugin, plugin_counters::key))
                .do_update()
                .set((
                    plugin_counters::value
                        .eq(plugin_counters::value + excluded(plugin_counters::value)),
                    plugin_counters::updated_at.eq(excluded(plugin_counters::updated_at)),
                ))
                .execute(c))?;
        }
        Ok(())
    })
}

/// Counter values by key (keys never incremented are absent).
pub fn counters(
    conn: &mut DbConnection,
    plugin: &str,
    keys: &[String],
) -> CoreResult<HashMap<String, i64>> {
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, i64)> = plugin_counters::table
        .filter(plugin_counters::plugin.eq(plugin))
        .filter(plugin_counters::key.eq_any(keys))
        .select((plugin_counters::key, plugin_counters::value))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

fn like_prefix(prefix: &str) -> String {
    let mut p = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// Sums counters whose key starts with any of `prefixes`, grouped by the rest
/// of the key, and returns the `limit` largest totals (ties by key).
pub fn top_counters(
    conn: &mut DbConnection,
    plugin: &str,
    prefixes: &[String],
    limit: usize,
) -> CoreResult<Vec<(String, i64)>> {
    let mut totals: HashMap<String, i64> = HashMap::new();
    for prefix in prefixes.iter().filter(|p| !p.is_empty()) {
        let rows: Vec<(String, i64)> = plugin_counters::table
            .filter(plugin_counters::plugin.eq(plugin))
            .filter(plugin_counters::key.like(like_prefix(prefix)).escape('\\'))
            .select((plugin_counters::key, plugin_counters::value))
            .load(conn)?;
        // SQLite's LIKE ignores ASCII case: keep exact prefixes only.
        for (key, value) in rows {
            if let Some(rest) = key.strip_prefix(prefix.as_str()) {
                *totals.entry(rest.to_owned()).or_default() += value;
            }
        }
    }
    let mut list: Vec<(String, i64)> = totals.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    list.truncate(limit);
    Ok(list)
}

// ---- read-only published content ----

/// A published article for a plugin: its listing card and its category id.
#[derive(Debug, Clone, Serialize)]
pub struct PublishedItem {
    pub card: ArticleCard,
    pub category_id: Option<i32>,
}

fn items(conn: &mut DbConnection, rows: Vec<Article>) -> CoreResult<Vec<PublishedItem>> {
    let cats: Vec<Option<i32>> = rows.iter().map(|a| a.category_id).collect();
    Ok(cards(conn, rows)?
        .into_iter()
        .zip(cats)
        .map(|(card, category_id)| PublishedItem { card, category_id })
        .collect())
}

/// The newest published articles, optionally of one category, without `exclude`.
pub fn latest_published(
    conn: &mut DbConnection,
    limit: i64,
    category_id: Option<i32>,
    exclude: &[i32],
) -> CoreResult<Vec<PublishedItem>> {
    use crate::schema::articles as a;
    let mut q = a::table.filter(crate::articles::live()).into_boxed();
    if let Some(c) = category_id {
        q = q.filter(a::category_id.eq(c));
    }
    if !exclude.is_empty() {
        q = q.filter(a::id.ne_all(exclude.to_vec()));
    }
    let rows: Vec<Article> = q
        .order((a::published_at.desc(), a::id.desc()))
        .limit(limit.clamp(1, 100))
        .select(Article::as_select())
        .load(conn)?;
    items(conn, rows)
}

/// Published articles by id, in the order of `ids`; others are left out.
pub fn published_by_ids(conn: &mut DbConnection, ids: &[i32]) -> CoreResult<Vec<PublishedItem>> {
    let ids: Vec<i32> = ids.iter().copied().take(100).collect();
    let t = now();
    let found: Vec<Article> = articles::find_many(conn, &ids)?
        .into_iter()
        .filter(|a| a.is_public_at(t))
        .collect();
    let mut list = items(conn, found)?;
    list.sort_by_key(|c| ids.iter().position(|i| *i == c.card.id));
    Ok(list)
}

/// The visible related links of a published article, in order (empty for an
/// article visitors cannot see).
pub fn published_related(conn: &mut DbConnection, article_id: i32) -> CoreResult<Vec<RelatedLink>> {
    match articles::find(conn, article_id) {
        Ok(a) if a.is_public() => {}
        Ok(_) | Err(crate::CoreError::NotFound) => return Ok(Vec::new()),
        Err(e) => return Err(e),
    }
    Ok(articles::resolve_links(conn, article_id)?
        .into_iter()
        .filter(|l| l.visible)
        .collect())
}
