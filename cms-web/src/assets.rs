//! Stylesheets and scripts, compiled into the binary and served with
//! content-hashed URLs so browsers may cache them for a year.

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use sha2::{Digest, Sha256};

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "gazette.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../static/gazette.css"),
    },
    Asset {
        name: "admin.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../static/admin.css"),
    },
    Asset {
        name: "admin.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../static/admin.js"),
    },
];

/// A short hash of all assets, appended as `?v=` to their URLs.
pub static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut h = Sha256::new();
    for a in ASSETS {
        h.update(a.body.as_bytes());
    }
    hex::encode(&h.finalize()[..6])
});

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/static/{name}", web::get().to(serve));
}

async fn serve(name: web::Path<String>, req: actix_web::HttpRequest) -> HttpResponse {
    let Some(asset) = ASSETS.iter().find(|a| a.name == name.as_str()) else {
        return crate::error::WebError::NotFound.into();
    };
    let etag = format!("\"{}\"", *VERSION);
    if req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .finish();
    }
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, asset.content_type))
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .insert_header((header::ETAG, etag))
        .body(asset.body)
}

impl From<crate::error::WebError> for HttpResponse {
    fn from(e: crate::error::WebError) -> Self {
        actix_web::ResponseError::error_response(&e)
    }
}
