//! Dispatch from the C entry points to the plugin's [`Plugin`] methods.

use std::sync::{Arc, OnceLock, RwLock};

use gazette_plugin_api::{hooks, status, views};
use serde::de::DeserializeOwned;

use crate::ffi::{self, HostRef};
use crate::types::PageView;
use crate::{Host, Plugin};

static PLUGIN: OnceLock<Box<dyn Plugin>> = OnceLock::new();
/// Replaced by each `init`: a host that starts again in the same process
/// (a restart inside a test, say) re-initialises the already-loaded library.
static HOST: RwLock<Option<Host>> = RwLock::new(None);

type Answer = (i32, Vec<u8>);

fn plugin() -> Result<&'static dyn Plugin, Answer> {
    let make = ffi::make().ok_or((status::ERROR, b"plugin entry was not called".to_vec()))?;
    Ok(PLUGIN.get_or_init(make).as_ref())
}

fn error(e: crate::Error) -> Answer {
    (status::ERROR, e.to_string().into_bytes())
}

fn parse<T: DeserializeOwned>(input: &[u8]) -> Result<T, Answer> {
    serde_json::from_slice(input).map_err(|e| {
        (
            status::BAD_INPUT,
            format!("bad hook payload: {e}").into_bytes(),
        )
    })
}

pub(crate) fn metadata() -> Answer {
    match plugin() {
        Ok(p) => (status::OK, p.metadata().to_json().into_bytes()),
        Err(a) => a,
    }
}

pub(crate) fn init(api: HostRef, _config: &[u8]) -> Answer {
    let p = match plugin() {
        Ok(p) => p,
        Err(a) => return a,
    };
    let host = Host { api };
    match HOST.write() {
        Ok(mut h) => *h = Some(host),
        Err(_) => return (status::ERROR, b"plugin state poisoned".to_vec()),
    }
    match p.init(&host) {
        Ok(()) => (status::OK, Vec::new()),
        Err(e) => error(e),
    }
}

pub(crate) fn call(hook: &[u8], input: &[u8]) -> Answer {
    match dispatch(hook, input) {
        Ok(a) | Err(a) => a,
    }
}

fn dispatch(hook: &[u8], input: &[u8]) -> Result<Answer, Answer> {
    let p = plugin()?;
    let host = HOST
        .read()
        .ok()
        .and_then(|h| *h)
        .ok_or((status::ERROR, b"plugin not initialised".to_vec()))?;
    let host = &host;
    let ok = |v: Vec<u8>| (status::OK, v);
    let hook = std::str::from_utf8(hook).unwrap_or("");
    Ok(match hook {
        hooks::PAGE_VIEW => p
            .page_view(host, &parse(input)?)
            .map_or_else(error, |()| ok(Vec::new())),
        hooks::PAGE_VIEWS => {
            let views = page_views(input)
                .map_err(|e| (status::BAD_INPUT, e.message().as_bytes().to_vec()))?;
            p.page_views(host, &views)
                .map_or_else(error, |()| ok(Vec::new()))
        }
        hooks::WIDGET => match p.widget(host, &parse(input)?) {
            Ok(Some(html)) => ok(html.into_string().into_bytes()),
            Ok(None) => ok(Vec::new()),
            Err(e) => error(e),
        },
        hooks::ARTICLE_BEFORE_SAVE => match p.article_before_save(host, &parse(input)?) {
            Ok(d) => ok(d.to_json().to_string().into_bytes()),
            Err(e) => error(e),
        },
        hooks::ARTICLE_AFTER_PUBLISH => p
            .article_after_publish(host, &parse(input)?)
            .map_or_else(error, |()| ok(Vec::new())),
        hooks::ARTICLE_AFTER_DELETE => p
            .article_after_delete(host, &parse(input)?)
            .map_or_else(error, |()| ok(Vec::new())),
        hooks::TICK => p
            .tick(host, &parse(input)?)
            .map_or_else(error, |()| ok(Vec::new())),
        _ => (status::UNSUPPORTED, Vec::new()),
    })
}

/// The `page_views` input (a binary batch, see `gazette_plugin_api::views`)
/// as views that share their strings: one `Arc<str>` per string of the batch.
fn page_views(input: &[u8]) -> std::result::Result<Vec<PageView>, views::DecodeError> {
    let mut shared: Vec<Arc<str>> = Vec::new();
    let mut out = Vec::with_capacity(input.len() / views::VIEW_SIZE);
    views::decode(input, |strings, v| {
        if shared.is_empty() {
            shared = strings.iter().map(|s| Arc::from(*s)).collect();
        }
        let s = |i: u32| shared[i as usize].clone();
        out.push(PageView {
            article_id: (v.article_id != 0).then_some(v.article_id),
            path: s(v.path),
            user_agent: s(v.user_agent),
            is_staff: v.flags & views::FLAG_STAFF != 0,
            visitor: v.visitor,
            timestamp: v.timestamp,
            day: s(v.day),
            count: v.count,
        });
    })?;
    Ok(out)
}
