//! Safe wrappers over the host's function table: logging, counters, key-value
//! storage, published content, settings.

use std::collections::HashMap;

use gazette_plugin_api::{level, status};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::ffi::HostRef;
use crate::types::{ArticleItem, RelatedLink, SiteInfo};
use crate::Error;

/// The host, as seen from a plugin. Cheap to copy; usable from any thread.
#[derive(Clone, Copy)]
pub struct Host {
    pub(crate) api: HostRef,
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Host")
    }
}

/// A plugin's settings as the administrator saved them, with defaults filled in.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Settings(pub serde_json::Map<String, Value>);

impl Settings {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }
    pub fn int(&self, key: &str, default: i64) -> i64 {
        self.0.get(key).and_then(Value::as_i64).unwrap_or(default)
    }
    pub fn text(&self, key: &str, default: &str) -> String {
        self.0
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_owned()
    }
    pub fn flag(&self, key: &str, default: bool) -> bool {
        self.0.get(key).and_then(Value::as_bool).unwrap_or(default)
    }
}

#[derive(Deserialize)]
struct Items<T> {
    items: Vec<T>,
}

#[derive(Deserialize)]
struct TopItem {
    key: String,
    value: i64,
}

impl Host {
    /// Calls a host service with a JSON request and decodes the JSON answer.
    /// The typed methods below are shorthands for this.
    pub fn call<T: DeserializeOwned>(
        &self,
        service: &str,
        request: &impl Serialize,
    ) -> Result<T, Error> {
        let input = serde_json::to_vec(request)?;
        let (code, bytes) = self.api.call(service, &input);
        match code {
            status::OK => Ok(serde_json::from_slice(&bytes)?),
            _ => Err(Error::msg(format!(
                "host service {service} failed ({code}): {}",
                String::from_utf8_lossy(&bytes)
            ))),
        }
    }

    /// Writes to the host's log under the plugin's name.
    pub fn log(&self, level: u32, message: &str) {
        self.api.log(level, message);
    }
    pub fn error(&self, message: &str) {
        self.log(level::ERROR, message);
    }
    pub fn warn(&self, message: &str) {
        self.log(level::WARN, message);
    }
    pub fn info(&self, message: &str) {
        self.log(level::INFO, message);
    }
    pub fn debug(&self, message: &str) {
        self.log(level::DEBUG, message);
    }

    /// Adds `delta` to this plugin's counter `key`. Cheap: the host batches
    /// increments in memory and writes them about once a second.
    pub fn counter_add(&self, key: &str, delta: i64) -> Result<(), Error> {
        match self.api.counter_add(key, delta) {
            status::OK => Ok(()),
            code => Err(Error::msg(format!("counter_add({key}) failed ({code})"))),
        }
    }

    /// This plugin's counter (0 if never incremented).
    pub fn counter(&self, key: &str) -> Result<i64, Error> {
        self.counter_of(None, key)
    }

    /// Another plugin's counter (read only), or this plugin's with `None`.
    pub fn counter_of(&self, plugin: Option<&str>, key: &str) -> Result<i64, Error> {
        let v: Value = self.call("counter.get", &json!({"plugin": plugin, "key": key}))?;
        Ok(v.get("value").and_then(Value::as_i64).unwrap_or(0))
    }

    /// Several counters at once (missing ones are 0).
    pub fn counters_of(
        &self,
        plugin: Option<&str>,
        keys: &[String],
    ) -> Result<HashMap<String, i64>, Error> {
        #[derive(Deserialize)]
        struct Values {
            values: HashMap<String, i64>,
        }
        let v: Values = self.call("counter.get_many", &json!({"plugin": plugin, "keys": keys}))?;
        Ok(v.values)
    }

    /// The `limit` largest totals over counters whose keys start with any of
    /// `prefixes`, grouped by the rest of the key after the prefix. With the
    /// prefixes `day:2026-11-28:` and `day:2026-11-29:`, the key
    /// `day:2026-11-29:12` counts towards `12`.
    pub fn counter_top(
        &self,
        plugin: Option<&str>,
        prefixes: &[String],
        limit: usize,
    ) -> Result<Vec<(String, i64)>, Error> {
        let v: Items<TopItem> = self.call(
            "counter.top",
            &json!({"plugin": plugin, "prefixes": prefixes, "limit": limit}),
        )?;
        Ok(v.items.into_iter().map(|i| (i.key, i.value)).collect())
    }

    /// A value this plugin stored under `key`.
    pub fn kv_get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, Error> {
        let v: Value = self.call("kv.get", &json!({"key": key}))?;
        match v.get("value") {
            None | Some(Value::Null) => Ok(None),
            Some(x) => Ok(Some(serde_json::from_value(x.clone())?)),
        }
    }

    /// Stores any JSON-serialisable value under `key` (shared by all nodes).
    pub fn kv_set<T: Serialize>(&self, key: &str, value: &T) -> Result<(), Error> {
        let _: Value = self.call("kv.set", &json!({"key": key, "value": value}))?;
        Ok(())
    }

    pub fn kv_delete(&self, key: &str) -> Result<(), Error> {
        let _: Value = self.call("kv.delete", &json!({"key": key}))?;
        Ok(())
    }

    /// The newest published articles, optionally of one category, leaving out `exclude`.
    pub fn latest(
        &self,
        limit: usize,
        category_id: Option<i32>,
        exclude: &[i32],
    ) -> Result<Vec<ArticleItem>, Error> {
        let v: Items<ArticleItem> = self.call(
            "content.latest",
            &json!({"limit": limit, "category_id": category_id, "exclude_ids": exclude}),
        )?;
        Ok(v.items)
    }

    /// Published articles by id, in the order asked (unknown or unpublished ones left out).
    pub fn articles(&self, ids: &[i32]) -> Result<Vec<ArticleItem>, Error> {
        let v: Items<ArticleItem> = self.call("content.by_ids", &json!({"ids": ids}))?;
        Ok(v.items)
    }

    /// One published article.
    pub fn article(&self, id: i32) -> Result<Option<ArticleItem>, Error> {
        Ok(self.articles(&[id])?.into_iter().next())
    }

    /// An article's curated related links that visitors may see, in order.
    pub fn related_links(&self, article_id: i32) -> Result<Vec<RelatedLink>, Error> {
        let v: Items<RelatedLink> =
            self.call("content.related", &json!({"article_id": article_id}))?;
        Ok(v.items)
    }

    /// This plugin's current settings (they can change while the site runs:
    /// read them when needed rather than once at start).
    pub fn settings(&self) -> Result<Settings, Error> {
        #[derive(Deserialize)]
        struct S {
            settings: Settings,
        }
        let s: S = self.call("settings.get", &json!({}))?;
        Ok(s.settings)
    }

    /// Site title, base URL and timezone.
    pub fn site(&self) -> Result<SiteInfo, Error> {
        self.call("site.info", &json!({}))
    }
}
