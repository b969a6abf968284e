//! A plugin's metadata JSON, and its settings: defaults, validation of the
//! admin form, and the effective values plugins read.

use cms_core::FieldErrors;
use gazette_plugin_api::{hooks, slots};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::forms::FormData;

/// What a plugin declares about itself (see `plugins/README.md`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PluginMeta {
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub sdk_version: Option<String>,
    #[serde(default)]
    pub hooks: Vec<String>,
    #[serde(default)]
    pub widgets: Vec<WidgetDecl>,
    #[serde(default)]
    pub settings: Vec<SettingSpec>,
    #[serde(default = "default_tick")]
    pub tick_secs: u64,
}

fn default_tick() -> u64 {
    60
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct WidgetDecl {
    pub slot: String,
    #[serde(default)]
    pub weight: i32,
    /// A built-in page block this widget takes the place of (e.g. `related_news`).
    #[serde(default)]
    pub replaces: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SelectOption {
    pub value: String,
    pub label: String,
}

/// One declared setting.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SettingSpec {
    pub key: String,
    pub label: String,
    #[serde(default)]
    pub help: String,
    /// `text`, `integer`, `boolean` or `select`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub default: Value,
    #[serde(default)]
    pub max_length: Option<usize>,
    #[serde(default)]
    pub min: Option<i64>,
    #[serde(default)]
    pub max: Option<i64>,
    #[serde(default)]
    pub options: Vec<SelectOption>,
}

const KINDS: [&str; 4] = ["text", "integer", "boolean", "select"];

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-')
}

impl PluginMeta {
    /// Parses and checks metadata; the error explains what is wrong.
    pub fn parse(json: &[u8]) -> Result<PluginMeta, String> {
        let mut m: PluginMeta =
            serde_json::from_slice(json).map_err(|e| format!("invalid metadata JSON: {e}"))?;
        if !valid_name(&m.name) {
            return Err(format!(
                "invalid plugin name `{}`: use 1-64 lowercase letters, digits and dashes",
                m.name
            ));
        }
        if m.version.trim().is_empty() || m.version.len() > 64 {
            return Err("metadata has no version".into());
        }
        m.description = m.description.chars().take(1000).collect();
        if let Some(h) = m.hooks.iter().find(|h| !hooks::ALL.contains(&h.as_str())) {
            return Err(format!(
                "unknown hook `{h}` (known: {})",
                hooks::ALL.join(", ")
            ));
        }
        if let Some(w) = m
            .widgets
            .iter()
            .find(|w| !slots::ALL.contains(&w.slot.as_str()))
        {
            return Err(format!(
                "unknown widget slot `{}` (known: {})",
                w.slot,
                slots::ALL.join(", ")
            ));
        }
        if !m.widgets.is_empty() && !m.has_hook(hooks::WIDGET) {
            m.hooks.push(hooks::WIDGET.into());
        }
        let mut seen = Vec::new();
        for s in &m.settings {
            if !valid_key(&s.key) || seen.contains(&s.key.as_str()) {
                return Err(format!("invalid or duplicate setting key `{}`", s.key));
            }
            seen.push(s.key.as_str());
            if !KINDS.contains(&s.kind.as_str()) {
                return Err(format!("setting `{}` has unknown type `{}`", s.key, s.kind));
            }
            if s.kind == "select" && s.options.is_empty() {
                return Err(format!("select setting `{}` has no options", s.key));
            }
        }
        m.tick_secs = m.tick_secs.clamp(1, 86_400);
        Ok(m)
    }

    pub fn has_hook(&self, hook: &str) -> bool {
        self.hooks.iter().any(|h| h == hook)
    }

    /// The weight of the widget in `slot`, if the plugin renders there.
    pub fn widget_weight(&self, slot: &str) -> Option<i32> {
        self.widgets
            .iter()
            .find(|w| w.slot == slot)
            .map(|w| w.weight)
    }

    /// The default value of every setting.
    pub fn defaults(&self) -> Map<String, Value> {
        self.settings
            .iter()
            .map(|s| (s.key.clone(), s.default.clone()))
            .collect()
    }

    /// Stored settings (JSON text) overlaid on the defaults; values of the
    /// wrong type, and keys no longer declared, are ignored.
    pub fn effective(&self, stored_json: &str) -> Map<String, Value> {
        let stored: Map<String, Value> = serde_json::from_str(stored_json).unwrap_or_default();
        let mut out = self.defaults();
        for spec in &self.settings {
            if let Some(v) = stored.get(&spec.key) {
                if spec.check(v).is_ok() {
                    out.insert(spec.key.clone(), v.clone());
                }
            }
        }
        out
    }

    /// Validates the settings form (`setting_<key>` fields). On success, the
    /// settings object to store.
    pub fn validate_form(&self, form: &FormData) -> Result<Map<String, Value>, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut out = Map::new();
        for spec in &self.settings {
            let field = format!("setting_{}", spec.key);
            let raw = form.get(&field);
            let value = match spec.kind.as_str() {
                "boolean" => Ok(Value::Bool(form.has(&field) && raw != "false")),
                "integer" => raw
                    .trim()
                    .parse::<i64>()
                    .map(Value::from)
                    .map_err(|_| "Enter a whole number.".to_owned()),
                _ => Ok(Value::String(raw.trim().to_owned())),
            }
            .and_then(|v| spec.check(&v).map(|()| v));
            match value {
                Ok(v) => {
                    out.insert(spec.key.clone(), v);
                }
                Err(m) => errors.add(field, m),
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }
}

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 64
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl SettingSpec {
    /// Whether `v` is an acceptable value; the message is for the form.
    pub fn check(&self, v: &Value) -> Result<(), String> {
        match self.kind.as_str() {
            "integer" => {
                let n = v.as_i64().ok_or("Enter a whole number.")?;
                let (min, max) = (self.min.unwrap_or(i64::MIN), self.max.unwrap_or(i64::MAX));
                if n < min || n > max {
                    return Err(format!("Enter a number from {min} to {max}."));
                }
                Ok(())
            }
            "boolean" => v
                .as_bool()
                .map(|_| ())
                .ok_or_else(|| "Choose yes or no.".into()),
            "select" => {
                let s = v.as_str().ok_or("Choose one of the options.")?;
                if self.options.iter().any(|o| o.value == s) {
                    Ok(())
                } else {
                    Err("Choose one of the options.".into())
                }
            }
            _ => {
                let s = v.as_str().ok_or("Enter text.")?;
                let max = self.max_length.unwrap_or(200);
                let n = s.chars().count();
                if n > max {
                    return Err(format!("Use at most {max} characters (this has {n})."));
                }
                if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
                    return Err("Remove control characters.".into());
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> PluginMeta {
        PluginMeta::parse(
            br#"{"name":"x","version":"1","hooks":[],"widgets":[{"slot":"sidebar","weight":3}],
                "settings":[{"key":"count","label":"Count","type":"integer","default":5,"min":1,"max":20},
                            {"key":"title","label":"Title","type":"text","default":"Hi","max_length":5},
                            {"key":"on","label":"On","type":"boolean","default":true}]}"#,
        )
        .expect("valid metadata")
    }

    #[test]
    fn parses_and_adds_widget_hook() {
        let m = meta();
        assert!(m.has_hook("widget"));
        assert_eq!(m.widget_weight("sidebar"), Some(3));
        assert!(PluginMeta::parse(br#"{"name":"Bad Name","version":"1"}"#).is_err());
        assert!(PluginMeta::parse(br#"{"name":"x","version":"1","hooks":["nope"]}"#).is_err());
    }

    #[test]
    fn effective_ignores_bad_values() {
        let m = meta();
        let e = m.effective(r#"{"count": 50, "title": "Yo", "gone": 1}"#);
        assert_eq!(e["count"], 5);
        assert_eq!(e["title"], "Yo");
        assert!(!e.contains_key("gone"));
    }

    #[test]
    fn validates_form() {
        let m = meta();
        let form = FormData::parse(b"setting_count=abc&setting_title=toolong");
        let errs = m.validate_form(&form).expect_err("invalid form");
        assert!(errs.get("setting_count").is_some());
        assert!(errs.get("setting_title").is_some());
        let ok = m
            .validate_form(&FormData::parse(b"setting_count=7&setting_title=ok"))
            .expect("valid");
        assert_eq!(ok["count"], 7);
        assert_eq!(ok["on"], false);
    }
}
