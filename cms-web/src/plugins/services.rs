//! Host services: what a plugin may ask through `HostApi::call`. Requests and
//! answers are JSON (documented in `plugins/README.md`). A plugin writes only
//! its own counters and key-value entries; it may read any plugin's counters
//! (that is how view counts reach other widgets) and only published content.

use cms_core::articles::{ArticleInput, LinkInput, SectionInput};
use cms_core::plugins::{self as store, PublishedItem};
use cms_core::{articles::RelatedLink, CoreError};
use gazette_plugin_api::{hooks as hook, status};
use serde::Deserialize;
use serde_json::{json, Value};

use super::HostInner;
use crate::hooks::{BeforeSave, SaveVerdict};

/// A failed service call: a status code and a message for the plugin.
#[derive(Debug)]
pub struct ServiceError {
    pub code: i32,
    pub message: String,
}

fn bad(message: impl Into<String>) -> ServiceError {
    ServiceError {
        code: status::BAD_INPUT,
        message: message.into(),
    }
}

impl From<CoreError> for ServiceError {
    fn from(e: CoreError) -> Self {
        ServiceError {
            code: status::ERROR,
            message: e.to_string(),
        }
    }
}

const MAX_KEY_BYTES: usize = 200;
const MAX_VALUE_BYTES: usize = 64 * 1024;
const MAX_KEYS: usize = 1000;

/// Checks a counter or key-value key: 1-200 bytes of UTF-8 without control characters.
pub fn counter_key(raw: &[u8]) -> Result<&str, ServiceError> {
    let k = std::str::from_utf8(raw).map_err(|_| bad("key is not UTF-8"))?;
    if k.is_empty() || k.len() > MAX_KEY_BYTES || k.chars().any(char::is_control) {
        return Err(bad(format!(
            "key must be 1-{MAX_KEY_BYTES} bytes without control characters"
        )));
    }
    Ok(k)
}

/// `YYYY-MM-DD` (UTC) of a Unix timestamp.
pub fn utc_day(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn iso(t: chrono::NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn short_date(t: chrono::NaiveDateTime, tz: chrono_tz::Tz) -> String {
    t.and_utc()
        .with_timezone(&tz)
        .format("%b %-d, %Y")
        .to_string()
}

fn item_json(item: &PublishedItem, tz: chrono_tz::Tz) -> Value {
    let c = &item.card;
    json!({
        "id": c.id,
        "title": c.title,
        "slug": c.slug,
        "url": format!("/articles/{}", c.slug),
        "standfirst": c.standfirst,
        "author_name": c.author_name,
        "author_slug": c.author_slug,
        "category_id": item.category_id,
        "category_name": c.category_name,
        "category_slug": c.category_slug,
        "published_at": c.published_at.map(iso),
        "published_date": c.published_at.map(|t| short_date(t, tz)).unwrap_or_default(),
    })
}

fn link_json(l: &RelatedLink, tz: chrono_tz::Tz) -> Value {
    json!({
        "article_id": l.target_article_id,
        "title": l.title,
        "url": if l.is_external() { l.url.clone() } else { format!("/articles/{}", l.slug) },
        "external": l.is_external(),
        "author_name": l.author_name,
        "published_at": l.published_at.map(iso),
        "published_date": l.published_at.map(|t| short_date(t, tz)).unwrap_or_default(),
    })
}

/// A published article as the `article_after_publish` payload.
pub fn article_item(host: &HostInner, id: i32) -> Result<Option<Value>, CoreError> {
    let mut conn = host.conn()?;
    let tz = host.site().tz();
    Ok(store::published_by_ids(&mut conn, &[id])?
        .first()
        .map(|i| item_json(i, tz)))
}

#[derive(Deserialize)]
struct KeyReq {
    #[serde(default)]
    plugin: Option<String>,
    key: String,
}

#[derive(Deserialize)]
struct KeysReq {
    #[serde(default)]
    plugin: Option<String>,
    keys: Vec<String>,
}

#[derive(Deserialize)]
struct TopReq {
    #[serde(default)]
    plugin: Option<String>,
    #[serde(default)]
    prefix: Option<String>,
    #[serde(default)]
    prefixes: Vec<String>,
    #[serde(default = "ten")]
    limit: usize,
}

fn ten() -> usize {
    10
}

#[derive(Deserialize)]
struct AddReq {
    key: String,
    #[serde(default = "one")]
    delta: i64,
}

fn one() -> i64 {
    1
}

#[derive(Deserialize)]
struct KvSetReq {
    key: String,
    value: Value,
}

#[derive(Deserialize)]
struct LatestReq {
    #[serde(default = "five")]
    limit: i64,
    #[serde(default)]
    category_id: Option<i32>,
    #[serde(default)]
    exclude_ids: Vec<i32>,
}

fn five() -> i64 {
    5
}

#[derive(Deserialize)]
struct IdsReq {
    ids: Vec<i32>,
}

#[derive(Deserialize)]
struct RelatedReq {
    article_id: i32,
}

fn parse<'a, T: Deserialize<'a>>(input: &'a [u8]) -> Result<T, ServiceError> {
    let input: &[u8] = if input.is_empty() { b"{}" } else { input };
    serde_json::from_slice(input).map_err(|e| bad(format!("bad request: {e}")))
}

/// Whose counters a request reads: another plugin's when named, else the caller's.
fn owner<'a>(caller: &'a str, named: &'a Option<String>) -> &'a str {
    named.as_deref().filter(|n| !n.is_empty()).unwrap_or(caller)
}

/// Answers one host-service request from plugin `caller`.
pub fn call(
    host: &HostInner,
    caller: &str,
    service: &str,
    input: &[u8],
) -> Result<Value, ServiceError> {
    match service {
        "counter.add" => {
            let r: AddReq = parse(input)?;
            let key = counter_key(r.key.as_bytes())?;
            host.counters.add(caller, key, r.delta);
            Ok(json!({}))
        }
        "counter.get" => {
            let r: KeyReq = parse(input)?;
            let who = owner(caller, &r.plugin);
            counter_key(r.key.as_bytes())?;
            let stored = store::counters(&mut *host.conn()?, who, std::slice::from_ref(&r.key))?;
            let v = stored.get(&r.key).copied().unwrap_or(0) + host.counters.get(who, &r.key);
            Ok(json!({"value": v}))
        }
        "counter.get_many" => {
            let r: KeysReq = parse(input)?;
            if r.keys.len() > MAX_KEYS {
                return Err(bad(format!("at most {MAX_KEYS} keys per request")));
            }
            let who = owner(caller, &r.plugin);
            let stored = store::counters(&mut *host.conn()?, who, &r.keys)?;
            let values: serde_json::Map<String, Value> = r
                .keys
                .iter()
                .map(|k| {
                    let v = stored.get(k).copied().unwrap_or(0) + host.counters.get(who, k);
                    (k.clone(), Value::from(v))
                })
                .collect();
            Ok(json!({"values": values}))
        }
        "counter.top" => {
            let r: TopReq = parse(input)?;
            let mut prefixes = r.prefixes;
            prefixes.extend(r.prefix);
            if prefixes.is_empty() || prefixes.len() > 400 {
                return Err(bad("give 1-400 prefixes"));
            }
            let who = owner(caller, &r.plugin);
            let top =
                store::top_counters(&mut *host.conn()?, who, &prefixes, r.limit.clamp(1, 100))?;
            let items: Vec<Value> = top
                .into_iter()
                .map(|(k, v)| json!({"key": k, "value": v}))
                .collect();
            Ok(json!({"items": items}))
        }
        "kv.get" => {
            let r: KeyReq = parse(input)?;
            counter_key(r.key.as_bytes())?;
            let raw = store::kv_get(&mut *host.conn()?, caller, &r.key)?;
            let value = raw
                .and_then(|s| serde_json::from_str::<Value>(&s).ok())
                .unwrap_or(Value::Null);
            Ok(json!({"value": value}))
        }
        "kv.set" => {
            let r: KvSetReq = parse(input)?;
            counter_key(r.key.as_bytes())?;
            let text = r.value.to_string();
            if text.len() > MAX_VALUE_BYTES {
                return Err(bad(format!("value larger than {MAX_VALUE_BYTES} bytes")));
            }
            store::kv_set(&mut *host.conn()?, caller, &r.key, &text)?;
            Ok(json!({}))
        }
        "kv.delete" => {
            let r: KeyReq = parse(input)?;
            store::kv_delete(&mut *host.conn()?, caller, &r.key)?;
            Ok(json!({}))
        }
        "content.latest" | "content.by_category" => {
            let r: LatestReq = parse(input)?;
            let tz = host.site().tz();
            let items = store::latest_published(
                &mut *host.conn()?,
                r.limit.clamp(1, 50),
                r.category_id,
                &r.exclude_ids,
            )?;
            Ok(json!({"items": items.iter().map(|i| item_json(i, tz)).collect::<Vec<_>>()}))
        }
        "content.by_ids" => {
            let r: IdsReq = parse(input)?;
            let tz = host.site().tz();
            let items = store::published_by_ids(&mut *host.conn()?, &r.ids)?;
            Ok(json!({"items": items.iter().map(|i| item_json(i, tz)).collect::<Vec<_>>()}))
        }
        "content.related" => {
            let r: RelatedReq = parse(input)?;
            let tz = host.site().tz();
            let links = store::published_related(&mut *host.conn()?, r.article_id)?;
            Ok(json!({"items": links.iter().map(|l| link_json(l, tz)).collect::<Vec<_>>()}))
        }
        "settings.get" => {
            let settings = host.find(caller).map(|p| p.settings()).unwrap_or_default();
            Ok(json!({"settings": settings}))
        }
        "site.info" => Ok(host.site().json()),
        other => Err(ServiceError {
            code: status::UNSUPPORTED,
            message: format!("unknown host service `{other}`"),
        }),
    }
}

// ---- article_before_save ----

fn draft_json(input: &ArticleInput) -> Value {
    json!({
        "title": input.title,
        "slug": input.slug,
        "standfirst": input.standfirst,
        "author_id": input.author_id,
        "category_id": input.category_id,
        "published_at": input.published_at.map(iso),
        "sections": input.sections.iter().map(|s| json!({"heading": s.heading, "body": s.body})).collect::<Vec<_>>(),
        "links": input.links.iter().map(|l| json!({"target_article_id": l.target_article_id, "url": l.url, "title": l.title})).collect::<Vec<_>>(),
        "meta_title": input.meta_title,
        "meta_description": input.meta_description,
    })
}

#[derive(Deserialize)]
struct Draft {
    #[serde(default)]
    title: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    standfirst: String,
    #[serde(default)]
    author_id: Option<i32>,
    #[serde(default)]
    category_id: Option<i32>,
    #[serde(default)]
    published_at: Option<String>,
    #[serde(default)]
    sections: Vec<DraftSection>,
    #[serde(default)]
    links: Vec<DraftLink>,
    /// Absent: kept as they were (plugins written before these fields existed).
    #[serde(default)]
    meta_title: Option<String>,
    #[serde(default)]
    meta_description: Option<String>,
}

#[derive(Deserialize)]
struct DraftSection {
    #[serde(default)]
    heading: String,
    #[serde(default)]
    body: String,
}

#[derive(Deserialize)]
struct DraftLink {
    #[serde(default)]
    target_article_id: Option<i32>,
    #[serde(default)]
    url: String,
    #[serde(default)]
    title: String,
}

fn draft_input(d: Draft, before: &ArticleInput) -> Result<ArticleInput, String> {
    let published_at = match d.published_at.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            chrono::DateTime::parse_from_rfc3339(s)
                .map_err(|e| format!("published_at `{s}`: {e}"))?
                .naive_utc(),
        ),
    };
    Ok(ArticleInput {
        title: d.title,
        slug: d.slug,
        standfirst: d.standfirst,
        author_id: d.author_id,
        category_id: d.category_id,
        published_at,
        sections: d
            .sections
            .into_iter()
            .map(|s| SectionInput {
                heading: s.heading,
                body: s.body,
            })
            .collect(),
        links: d
            .links
            .into_iter()
            .map(|l| LinkInput {
                target_article_id: l.target_article_id,
                url: l.url,
                title: l.title,
            })
            .collect(),
        meta_title: d.meta_title.unwrap_or_else(|| before.meta_title.clone()),
        meta_description: d
            .meta_description
            .unwrap_or_else(|| before.meta_description.clone()),
        // Plugins' drafts do not choose images: the cover stays as it was.
        cover_media_id: before.cover_media_id,
    })
}

#[derive(Deserialize)]
struct Decision {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    field: Option<String>,
    #[serde(default)]
    article: Option<Draft>,
}

/// Runs every enabled `article_before_save` hook in turn; each sees the
/// previous one's amendments. The first rejection wins. A failing plugin is
/// contained like any other hook and does not block the save.
pub fn before_save(host: &HostInner, event: &BeforeSave) -> SaveVerdict {
    let plugins = host.enabled_with(hook::ARTICLE_BEFORE_SAVE);
    if plugins.is_empty() {
        return SaveVerdict::Accept;
    }
    let mut input = event.input.clone();
    let mut amended = false;
    for p in plugins {
        let payload = json!({
            "article_id": event.article_id,
            "action": event.action,
            "user": {"id": event.user_id, "name": event.user_name, "role": event.user_role},
            "article": draft_json(&input),
        })
        .to_string();
        let Some(out) = host.invoke(&p, hook::ARTICLE_BEFORE_SAVE, payload.as_bytes()) else {
            continue;
        };
        if out.is_empty() {
            continue;
        }
        let decision: Decision = match serde_json::from_slice(&out) {
            Ok(d) => d,
            Err(e) => {
                host.record_failure(
                    &p,
                    hook::ARTICLE_BEFORE_SAVE,
                    status::ERROR,
                    &format!("unreadable decision: {e}"),
                );
                continue;
            }
        };
        match decision.decision.as_str() {
            "reject" => {
                let message = if decision.message.trim().is_empty() {
                    format!("The {} plugin refused this save.", p.meta.name)
                } else {
                    decision.message.chars().take(500).collect()
                };
                tracing::info!(plugin = %p.meta.name, article = ?event.article_id, "article save rejected by a plugin");
                return SaveVerdict::Reject {
                    message,
                    field: decision.field.filter(|f| !f.is_empty()),
                };
            }
            "amend" => match decision.article.map(|d| draft_input(d, &input)) {
                Some(Ok(new_input)) => {
                    input = new_input;
                    amended = true;
                }
                Some(Err(e)) => {
                    host.record_failure(&p, hook::ARTICLE_BEFORE_SAVE, status::ERROR, &e)
                }
                None => host.record_failure(
                    &p,
                    hook::ARTICLE_BEFORE_SAVE,
                    status::ERROR,
                    "amend without an article",
                ),
            },
            _ => {}
        }
    }
    if amended {
        SaveVerdict::Amend(input)
    } else {
        SaveVerdict::Accept
    }
}
