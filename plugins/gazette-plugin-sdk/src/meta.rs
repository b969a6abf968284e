//! What a plugin says about itself: name, version, hooks, widget slots and
//! settings. Serialised to the metadata JSON the host reads after the handshake.

use serde::Serialize;
use serde_json::{json, Value};

/// A hook the plugin implements. The host calls only declared hooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Hook {
    PageView,
    Widget,
    ArticleBeforeSave,
    ArticleAfterPublish,
    ArticleAfterDelete,
    Tick,
}

/// A named place in the public templates where widgets render.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Slot {
    /// Beside the article on article pages.
    Sidebar,
    /// Below the article body.
    AfterArticle,
    /// Beside the listing on the home page.
    HomeSidebar,
}

impl Slot {
    pub fn as_str(self) -> &'static str {
        match self {
            Slot::Sidebar => "sidebar",
            Slot::AfterArticle => "after_article",
            Slot::HomeSidebar => "home_sidebar",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
struct WidgetDecl {
    slot: Slot,
    weight: i32,
    /// A built-in block of the page this widget takes the place of.
    #[serde(skip_serializing_if = "Option::is_none")]
    replaces: Option<&'static str>,
}

/// One setting shown on the plugin's admin page.
#[derive(Debug, Clone)]
pub struct Setting {
    key: String,
    label: String,
    help: String,
    kind: Kind,
    default: Value,
}

#[derive(Debug, Clone)]
enum Kind {
    Text { max_length: usize },
    Integer { min: i64, max: i64 },
    Boolean,
    Select { options: Vec<(String, String)> },
}

impl Setting {
    /// A single-line text (at most 200 characters unless changed with [`Setting::max_length`]).
    pub fn text(key: &str, label: &str, default: &str) -> Setting {
        Setting::new(key, label, Kind::Text { max_length: 200 }, json!(default))
    }

    /// A whole number (any `i64` unless limited with [`Setting::range`]).
    pub fn integer(key: &str, label: &str, default: i64) -> Setting {
        Setting::new(
            key,
            label,
            Kind::Integer {
                min: i64::MIN,
                max: i64::MAX,
            },
            json!(default),
        )
    }

    /// A checkbox.
    pub fn boolean(key: &str, label: &str, default: bool) -> Setting {
        Setting::new(key, label, Kind::Boolean, json!(default))
    }

    /// One of fixed choices, given as `(value, label)` pairs.
    pub fn select(key: &str, label: &str, default: &str, options: &[(&str, &str)]) -> Setting {
        Setting::new(
            key,
            label,
            Kind::Select {
                options: options
                    .iter()
                    .map(|(v, l)| ((*v).to_owned(), (*l).to_owned()))
                    .collect(),
            },
            json!(default),
        )
    }

    fn new(key: &str, label: &str, kind: Kind, default: Value) -> Setting {
        Setting {
            key: key.to_owned(),
            label: label.to_owned(),
            help: String::new(),
            kind,
            default,
        }
    }

    /// A sentence shown under the field.
    pub fn help(mut self, help: &str) -> Setting {
        self.help = help.to_owned();
        self
    }

    /// Limits an integer setting to `min..=max`.
    pub fn range(mut self, min: i64, max: i64) -> Setting {
        if let Kind::Integer { .. } = self.kind {
            self.kind = Kind::Integer { min, max };
        }
        self
    }

    /// Limits a text setting's length in characters.
    pub fn max_length(mut self, n: usize) -> Setting {
        if let Kind::Text { .. } = self.kind {
            self.kind = Kind::Text { max_length: n };
        }
        self
    }

    fn to_json(&self) -> Value {
        let mut v = json!({
            "key": self.key,
            "label": self.label,
            "help": self.help,
            "default": self.default,
        });
        let extra = match &self.kind {
            Kind::Text { max_length } => json!({"type": "text", "max_length": max_length}),
            Kind::Integer { min, max } => json!({"type": "integer", "min": min, "max": max}),
            Kind::Boolean => json!({"type": "boolean"}),
            Kind::Select { options } => json!({
                "type": "select",
                "options": options.iter().map(|(v, l)| json!({"value": v, "label": l})).collect::<Vec<_>>(),
            }),
        };
        if let (Some(obj), Value::Object(extra)) = (v.as_object_mut(), extra) {
            obj.extend(extra);
        }
        v
    }
}

/// The plugin's description of itself. Build it with the chained methods:
///
/// ```
/// use gazette_plugin_sdk::{Metadata, Setting, Slot, Hook};
/// let m = Metadata::new("hello-widget", "0.1.0", "Says hello in the sidebar.")
///     .widget(Slot::Sidebar, 50)
///     .hook(Hook::PageView)
///     .setting(Setting::text("greeting", "Greeting", "Hello"));
/// assert!(m.to_json().contains("\"widget\""));
/// ```
#[derive(Debug, Clone)]
pub struct Metadata {
    name: String,
    version: String,
    description: String,
    hooks: Vec<Hook>,
    widgets: Vec<WidgetDecl>,
    settings: Vec<Setting>,
    tick_secs: u32,
}

impl Metadata {
    /// `name`: lowercase letters, digits and dashes, unique among installed plugins
    /// (it names the plugin's storage). `version`: usually `env!("CARGO_PKG_VERSION")`.
    pub fn new(name: &str, version: &str, description: &str) -> Metadata {
        Metadata {
            name: name.to_owned(),
            version: version.to_owned(),
            description: description.to_owned(),
            hooks: Vec::new(),
            widgets: Vec::new(),
            settings: Vec::new(),
            tick_secs: 60,
        }
    }

    /// Declares a hook.
    pub fn hook(mut self, hook: Hook) -> Metadata {
        if !self.hooks.contains(&hook) {
            self.hooks.push(hook);
        }
        self
    }

    /// Renders a widget in `slot`. Within a slot, lower weights come first.
    pub fn widget(mut self, slot: Slot, weight: i32) -> Metadata {
        self.widgets.retain(|w| w.slot != slot);
        self.widgets.push(WidgetDecl {
            slot,
            weight,
            replaces: None,
        });
        self.hook(Hook::Widget)
    }

    /// Declares that the widget in `slot` replaces a built-in block of the
    /// page while the plugin is enabled. Known blocks: `related_news` (the
    /// article page's list of related links).
    pub fn replacing(mut self, slot: Slot, block: &'static str) -> Metadata {
        for w in self.widgets.iter_mut().filter(|w| w.slot == slot) {
            w.replaces = Some(block);
        }
        self
    }

    /// Declares a setting.
    pub fn setting(mut self, setting: Setting) -> Metadata {
        self.settings.push(setting);
        self
    }

    /// Calls `tick` about every `secs` seconds (at least 1; default 60).
    pub fn tick_every(mut self, secs: u32) -> Metadata {
        self.tick_secs = secs.max(1);
        self.hook(Hook::Tick)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The metadata JSON as documented in `plugins/README.md`.
    pub fn to_json(&self) -> String {
        json!({
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "sdk_version": crate::SDK_VERSION,
            "hooks": self.hooks,
            "widgets": self.widgets,
            "settings": self.settings.iter().map(Setting::to_json).collect::<Vec<_>>(),
            "tick_secs": self.tick_secs,
        })
        .to_string()
    }
}
