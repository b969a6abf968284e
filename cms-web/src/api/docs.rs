//! The OpenAPI 3.1 document (generated from the handlers' annotations) and a
//! readable API reference rendered from it, with no third-party assets.

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::HttpResponse;
use askama::Template;
use serde_json::Value;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{admin, content, dto, media, problem};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .description(Some(
                            "An Admin API token (Admin → API tokens). Read tokens may only GET.",
                        ))
                        .build(),
                ),
            );
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Gazette API",
        version = "1",
        description = "The Content API (`/api/v1`) serves published content to frontends; the Admin API (`/api/v1/admin`) \
            lets integrations write. Errors are RFC 9457 `application/problem+json`. Writes carry the version they are based on \
            (`version` in the body or `If-Match`); a stale write changes nothing and gets 409 (body) or 412 (If-Match)."
    ),
    paths(
        content::list_articles, content::article_by_id, content::article_by_slug, content::list_categories, content::category,
        content::list_authors, content::author,
        admin::list_articles, admin::get_article, admin::create_article, admin::put_article, admin::patch_article,
        admin::change_status, admin::delete_article,
        admin::list_categories, admin::get_category, admin::create_category, admin::patch_category, admin::delete_category,
        admin::list_users, admin::get_user, admin::create_user, admin::patch_user, admin::delete_user,
        media::list_media, media::upload_media, media::get_media, media::patch_media, media::delete_media,
    ),
    components(schemas(
        problem::Problem, problem::FieldErrorDoc, dto::ArticleOut, dto::ArticleList, dto::PageMeta, dto::SectionOut, dto::RelatedOut,
        dto::AuthorRef, dto::AuthorOut, dto::AuthorList, dto::CategoryRef, dto::CategoryOut, dto::CategoryList,
        dto::AdminArticleOut, dto::AdminArticleList, dto::AdminArticleSummary, dto::AdminPageMeta, dto::ArticleWrite,
        dto::SectionWrite, dto::LinkWrite, dto::StatusChange, dto::CategoryWrite, dto::UserOut, dto::UserWrite, dto::UserList,
        dto::MediaOut, dto::MediaList, dto::MediaUpload, dto::MediaWrite, dto::VariantOut, dto::ImageOut,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "content", description = "Published content, read-only. Public, or with the site's Content API key."),
        (name = "admin", description = "Create, change and delete content. Bearer token or the admin session (plus X-CSRF-Token)."),
    )
)]
pub struct ApiDoc;

/// The document as JSON, built once.
pub static OPENAPI_JSON: LazyLock<String> = LazyLock::new(|| {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
});

pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(OPENAPI_JSON.as_str())
}

struct Param {
    name: String,
    location: String,
    required: bool,
    description: String,
}

struct Resp {
    status: String,
    description: String,
    schema: String,
}

struct Operation {
    anchor: String,
    method: String,
    path: String,
    tag: String,
    params: Vec<Param>,
    body: String,
    responses: Vec<Resp>,
    secured: bool,
}

struct Field {
    name: String,
    kind: String,
    description: String,
}

struct SchemaView {
    name: String,
    description: String,
    fields: Vec<Field>,
}

#[derive(Template)]
#[template(path = "api/docs.html")]
struct DocsPage {
    title: String,
    description: String,
    operations: Vec<Operation>,
    schemas: Vec<SchemaView>,
    asset_version: String,
}

fn ref_name(v: &Value) -> String {
    if let Some(r) = v.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or(r).to_owned();
    }
    if let Some(items) = v.get("items") {
        return format!("array of {}", ref_name(items));
    }
    if let Some(any) = v
        .get("oneOf")
        .or_else(|| v.get("anyOf"))
        .and_then(Value::as_array)
    {
        return any
            .iter()
            .map(ref_name)
            .filter(|s| s != "null")
            .collect::<Vec<_>>()
            .join(" or ");
    }
    match v.get("type") {
        Some(Value::String(t)) => match v.get("format").and_then(Value::as_str) {
            Some(f) => format!("{t} ({f})"),
            None => t.clone(),
        },
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect::<Vec<_>>()
            .join(" or "),
        _ => String::new(),
    }
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_owned()
}

/// `/api/docs`: every operation and schema, as plain HTML.
pub async fn reference() -> HttpResponse {
    let doc: Value = serde_json::from_str(&OPENAPI_JSON).unwrap_or(Value::Null);
    let mut operations = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in ["get", "post", "put", "patch", "delete"] {
                let Some(op) = item.get(method) else { continue };
                let params = op
                    .get("parameters")
                    .and_then(Value::as_array)
                    .map(|ps| {
                        ps.iter()
                            .map(|p| Param {
                                name: text(p, "name"),
                                location: text(p, "in"),
                                required: p
                                    .get("required")
                                    .and_then(Value::as_bool)
                                    .unwrap_or(false),
                                description: text(p, "description"),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let body = op
                    .pointer("/requestBody/content/application~1json/schema")
                    .map(ref_name)
                    .unwrap_or_default();
                let responses = op
                    .get("responses")
                    .and_then(Value::as_object)
                    .map(|rs| {
                        rs.iter()
                            .map(|(status, r)| Resp {
                                status: status.clone(),
                                description: text(r, "description"),
                                schema: r
                                    .get("content")
                                    .and_then(Value::as_object)
                                    .and_then(|c| c.values().next())
                                    .and_then(|c| c.get("schema"))
                                    .map(ref_name)
                                    .unwrap_or_default(),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                operations.push(Operation {
                    anchor: format!("{method}-{}", path.replace(['/', '{', '}'], "-")),
                    method: method.to_uppercase(),
                    path: path.clone(),
                    tag: op
                        .get("tags")
                        .and_then(|t| t.get(0))
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_owned(),
                    params,
                    body,
                    responses,
                    secured: op.get("security").is_some(),
                });
            }
        }
    }
    operations.sort_by(|a, b| (a.tag != "content", &a.path).cmp(&(b.tag != "content", &b.path)));
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|s| {
            s.iter()
                .map(|(name, sch)| SchemaView {
                    name: name.clone(),
                    description: text(sch, "description"),
                    fields: sch
                        .get("properties")
                        .and_then(Value::as_object)
                        .map(|props| {
                            props
                                .iter()
                                .map(|(f, p)| Field {
                                    name: f.clone(),
                                    kind: ref_name(p),
                                    description: text(p, "description"),
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    let page = DocsPage {
        title: text(&doc["info"], "title"),
        description: text(&doc["info"], "description"),
        operations,
        schemas,
        asset_version: crate::assets::VERSION.clone(),
    };
    match page.render() {
        Ok(html) => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
            .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
            .body(html),
        Err(e) => crate::error::WebError::Internal(e.to_string()).into(),
    }
}
