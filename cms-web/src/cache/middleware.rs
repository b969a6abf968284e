//! The request side of the cache: which requests it serves, their keys,
//! answering hits (with content negotiation and `304`s) and the middleware
//! that stores opted-in misses and invalidates on admin writes.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};

use super::change::DECLARED;
use super::encoding::Bodies;
use super::{Change, Entry, Lookup, CACHEABLE, CACHE_STATUS, KEPT_HEADERS, WAIT_FOR_RENDER};
use crate::state::AppState;

fn is_cacheable_request(req: &ServiceRequest) -> bool {
    let path = req.path();
    (req.method() == Method::GET || req.method() == Method::HEAD)
        && !path.starts_with("/admin")
        && !path.starts_with("/api/v1/admin")
        && !path.starts_with("/static/")
        && !req.headers().contains_key(header::AUTHORIZATION)
        && req.cookie(crate::auth::SESSION_COOKIE).is_none()
}

fn is_admin_write(req_method: &Method, path: &str) -> bool {
    !matches!(*req_method, Method::GET | Method::HEAD | Method::OPTIONS)
        && (path.starts_with("/admin") || path.starts_with("/api/v1/admin"))
}

fn cache_key(req: &ServiceRequest) -> String {
    let h = |n: &str| {
        req.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    // The API's CORS header and key check depend on these request headers.
    format!(
        "{}?{}|{}|{}",
        req.path(),
        req.query_string(),
        h("origin"),
        h("x-gazette-key")
    )
}

fn accept_encoding(req: &ServiceRequest) -> Option<&str> {
    req.headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
}

/// Adds the body the client accepts best, marked with its encoding (an
/// identity body too, so the compression middleware leaves it alone).
fn with_body(
    mut b: actix_web::HttpResponseBuilder,
    bodies: &Bodies,
    accept_encoding: Option<&str>,
) -> HttpResponse {
    let (encoding, body) = bodies.pick(accept_encoding);
    b.insert_header((header::CONTENT_ENCODING, encoding.header_value()))
        .body(body)
}

fn respond(req: &ServiceRequest, e: &Entry) -> HttpResponse {
    let not_modified = e
        .etag
        .as_deref()
        .is_some_and(|etag| crate::util::etag_matches(req.headers(), etag));
    let mut b = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    for (k, v) in &e.headers {
        b.insert_header((k.clone(), v.clone()));
    }
    b.insert_header((CACHE_STATUS, "hit"));
    b.insert_header((header::VARY, "Accept-Encoding, Origin"));
    if not_modified {
        return b.finish();
    }
    with_body(b, &e.bodies, accept_encoding(req))
}

/// The middleware: serve hits, store opted-in misses, empty on admin writes.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let cache = state.cache.clone();
    if is_admin_write(req.method(), req.path()) {
        let declared = Rc::new(Cell::new(None));
        let res = DECLARED.scope(declared.clone(), next.call(req)).await?;
        if res.status().is_success() || res.status().is_redirection() {
            cache.invalidate(declared.get().unwrap_or(Change::Everything));
        }
        return Ok(res.map_into_boxed_body());
    }
    if !cache.enabled() || !is_cacheable_request(&req) {
        return next.call(req).await.map(|r| strip(r.map_into_boxed_body()));
    }
    let key = cache_key(&req);
    let head = req.method() == Method::HEAD;
    let mut lookup = if head {
        // A HEAD response is never stored: it must not hold others back.
        cache.get(&key).map_or(Lookup::Render(None), Lookup::Fresh)
    } else {
        cache.lookup(&key)
    };
    if let Lookup::Wait(mut rx) = lookup {
        // Ends when the render is done (the sender is dropped) or too slow.
        let _ = tokio::time::timeout(WAIT_FOR_RENDER, rx.changed()).await;
        lookup = cache.get(&key).map_or(Lookup::Render(None), Lookup::Fresh);
    }
    if matches!(lookup, Lookup::Stale(_)) {
        cache.stats.stale.fetch_add(1, Ordering::Relaxed);
    }
    let rendering = match lookup {
        Lookup::Fresh(e) | Lookup::Stale(e) => {
            cache.stats.hits.fetch_add(1, Ordering::Relaxed);
            if let Some(id) = e.article_id {
                crate::public::views::observe(&state, req.request(), id, false, Some(&e.path));
            }
            let resp = respond(&req, &e);
            return Ok(req.into_response(resp));
        }
        Lookup::Render(r) => r,
        Lookup::Wait(_) => None,
    };
    cache.stats.misses.fetch_add(1, Ordering::Relaxed);
    let generation = cache.generation.load(Ordering::SeqCst);
    let accepted = accept_encoding(&req).map(str::to_owned);
    let res = next.call(req).await?;
    let marker = res
        .headers()
        .get(CACHEABLE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (Some(marker), StatusCode::OK, false) = (marker, res.status(), head) else {
        return Ok(strip(res.map_into_boxed_body()));
    };
    let (request, response) = res.into_parts();
    let headers: HeaderMap = response.headers().clone();
    let bytes = match body::to_bytes(response.into_body()).await {
        Ok(b) => b,
        Err(_) => {
            return Ok(ServiceResponse::new(
                request,
                HttpResponse::InternalServerError().finish(),
            ))
        }
    };
    let entry = Entry {
        headers: KEPT_HEADERS
            .iter()
            .filter_map(|k| headers.get(k).map(|v| (k.clone(), v.clone())))
            .collect(),
        etag: headers
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        bodies: Bodies::new(bytes),
        article_id: marker.parse().ok(),
        path: crate::public::views::shared(request.path()),
        stored: Instant::now(),
        generation,
    };
    let mut b = HttpResponse::Ok();
    for (k, v) in &entry.headers {
        b.insert_header((k.clone(), v.clone()));
    }
    b.insert_header((CACHE_STATUS, "miss"));
    b.insert_header((header::VARY, "Accept-Encoding, Origin"));
    let resp = with_body(b, &entry.bodies, accepted.as_deref());
    cache.put(key, entry);
    drop(rendering);
    Ok(ServiceResponse::new(request, resp))
}

/// Removes the internal marker from responses that are not cached.
fn strip(mut res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    res.headers_mut().remove(CACHEABLE);
    res
}
