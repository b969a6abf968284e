//! `/admin/plugins`: every discovered plugin with its status, enable/disable
//! without restart, and a settings form generated from each plugin's schema.
//! Administrators only; every POST checks the CSRF token.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use cms_core::plugins::can_manage_plugins;
use cms_core::FieldErrors;
use gazette_plugin_api::ABI_VERSION;
use serde_json::{Map, Value};

use super::meta::SettingSpec;
use super::{PluginHost, Status};
use crate::auth::Authed;
use crate::error::{WebError, WebResult};
use crate::forms::FormData;
use crate::layout::{AdminLayout, AdminNav};
use crate::render;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/plugins", web::get().to(list))
        .service(
            web::resource("/admin/plugins/{name}")
                .route(web::get().to(detail))
                .route(web::post().to(save_settings)),
        )
        .route("/admin/plugins/{name}/enable", web::post().to(enable))
        .route("/admin/plugins/{name}/disable", web::post().to(disable));
}

/// One row of the plugins table.
pub struct PluginRow {
    pub name: String,
    pub version: String,
    pub abi_version: String,
    pub sdk_version: String,
    pub description: String,
    pub hooks: String,
    pub slots: String,
    pub file: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub reason: String,
    /// Loaded (so it can be enabled, disabled and configured).
    pub loaded: bool,
    pub enabled: bool,
    pub has_settings: bool,
}

#[derive(Template)]
#[template(path = "admin/plugins.html")]
struct ListPage {
    layout: AdminLayout,
    dir: String,
    rows: Vec<PluginRow>,
}

/// One field of a plugin's settings form.
pub struct SettingField {
    pub name: String,
    pub label: String,
    pub help: String,
    pub kind: String,
    pub value: String,
    pub checked: bool,
    pub min: String,
    pub max: String,
    pub max_length: String,
    pub options: Vec<(String, String, bool)>,
    pub error: String,
}

#[derive(Template)]
#[template(path = "admin/plugins_detail.html")]
struct DetailPage {
    layout: AdminLayout,
    row: PluginRow,
    fields: Vec<SettingField>,
    has_errors: bool,
}

async fn site_title(state: &AppState) -> WebResult<String> {
    Ok(state.db(cms_core::settings::load).await?.title)
}

fn layout(title: &str, req: &HttpRequest, authed: &Authed, page: &str) -> AdminLayout {
    AdminLayout::with_site(title, req, authed, AdminNav::Plugins, page)
}

fn row_of(p: &super::Loaded) -> PluginRow {
    let (status, reason) = PluginHost::status_of(p);
    PluginRow {
        name: p.meta.name.clone(),
        version: p.meta.version.clone(),
        abi_version: ABI_VERSION.to_string(),
        sdk_version: p.meta.sdk_version.clone().unwrap_or_default(),
        description: p.meta.description.clone(),
        hooks: p.meta.hooks.join(", "),
        slots: p
            .meta
            .widgets
            .iter()
            .map(|w| w.slot.clone())
            .collect::<Vec<_>>()
            .join(", "),
        file: p.file.display().to_string(),
        status: status.as_str(),
        status_label: status.label(),
        reason: reason.unwrap_or_default(),
        loaded: true,
        enabled: status == Status::Enabled,
        has_settings: !p.meta.settings.is_empty(),
    }
}

fn rows(host: &PluginHost) -> Vec<PluginRow> {
    let mut rows: Vec<PluginRow> = host.loaded().iter().map(|p| row_of(p)).collect();
    rows.extend(host.refused().into_iter().map(|r| {
        PluginRow {
            name: r.name.unwrap_or_else(|| {
                r.file
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default()
            }),
            version: r.version.unwrap_or_default(),
            abi_version: r
                .abi_version
                .map(|v| v.to_string())
                .unwrap_or_else(|| "unknown".into()),
            sdk_version: String::new(),
            description: String::new(),
            hooks: String::new(),
            slots: String::new(),
            file: r.file.display().to_string(),
            status: Status::Refused.as_str(),
            status_label: Status::Refused.label(),
            reason: r.reason,
            loaded: false,
            enabled: false,
            has_settings: false,
        }
    }));
    rows
}

async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
) -> WebResult<HttpResponse> {
    authed.require(can_manage_plugins(&authed.user))?;
    let title = site_title(&state).await?;
    let page = ListPage {
        layout: layout(&title, &req, &authed, "Plugins"),
        dir: state.plugins.dir().display().to_string(),
        rows: rows(&state.plugins),
    };
    render::admin(&req, &page)
}

fn fields(
    specs: &[SettingSpec],
    values: &Map<String, Value>,
    raw: Option<&FormData>,
    errors: &FieldErrors,
) -> Vec<SettingField> {
    specs
        .iter()
        .map(|s| {
            let name = format!("setting_{}", s.key);
            let stored = values.get(&s.key).cloned().unwrap_or(Value::Null);
            let value = match raw {
                Some(f) => f.get(&name).to_owned(),
                None => match &stored {
                    Value::String(v) => v.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                },
            };
            let checked = match raw {
                Some(f) => f.has(&name),
                None => stored.as_bool().unwrap_or(false),
            };
            SettingField {
                options: s
                    .options
                    .iter()
                    .map(|o| (o.value.clone(), o.label.clone(), o.value == value))
                    .collect(),
                label: s.label.clone(),
                help: s.help.clone(),
                kind: s.kind.clone(),
                min: s
                    .min
                    .filter(|m| *m != i64::MIN)
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                max: s
                    .max
                    .filter(|m| *m != i64::MAX)
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                max_length: s.max_length.map(|m| m.to_string()).unwrap_or_default(),
                error: errors.get(&name).unwrap_or("").to_owned(),
                value,
                checked,
                name,
            }
        })
        .collect()
}

async fn detail(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    path: web::Path<String>,
) -> WebResult<HttpResponse> {
    authed.require(can_manage_plugins(&authed.user))?;
    let p = state.plugins.find(&path).ok_or(WebError::NotFound)?;
    let title = site_title(&state).await?;
    let values = PluginHost::settings_of(&p);
    let page = DetailPage {
        layout: layout(&title, &req, &authed, &format!("Plugin {}", p.meta.name)),
        fields: fields(&p.meta.settings, &values, None, &FieldErrors::default()),
        row: row_of(&p),
        has_errors: false,
    };
    render::admin(&req, &page)
}

async fn save_settings(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    path: web::Path<String>,
    form: FormData,
) -> WebResult<HttpResponse> {
    authed.check_csrf(&form)?;
    authed.require(can_manage_plugins(&authed.user))?;
    let p = state.plugins.find(&path).ok_or(WebError::NotFound)?;
    match p.meta.validate_form(&form) {
        Ok(settings) => {
            let host = state.plugins.clone();
            let name = p.meta.name.clone();
            web::block(move || host.save_settings(&name, &settings))
                .await
                .map_err(|e| WebError::Internal(format!("blocking task failed: {e}")))??;
            tracing::info!(plugin = %p.meta.name, by = authed.user.id, "plugin settings saved");
            Ok(render::redirect_flash(
                &format!("/admin/plugins/{}", p.meta.name),
                "success",
                &format!("Settings of {} saved.", p.meta.name),
            ))
        }
        Err(errors) => {
            let title = site_title(&state).await?;
            let values = PluginHost::settings_of(&p);
            let page = DetailPage {
                layout: layout(&title, &req, &authed, &format!("Plugin {}", p.meta.name)),
                fields: fields(&p.meta.settings, &values, Some(&form), &errors),
                row: row_of(&p),
                has_errors: true,
            };
            render::admin_status(&req, &page, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

async fn set_enabled(
    state: web::Data<AppState>,
    authed: Authed,
    name: String,
    form: FormData,
    enabled: bool,
) -> WebResult<HttpResponse> {
    authed.check_csrf(&form)?;
    authed.require(can_manage_plugins(&authed.user))?;
    if state.plugins.find(&name).is_none() {
        return Err(WebError::NotFound);
    }
    let host = state.plugins.clone();
    let n = name.clone();
    web::block(move || host.set_enabled(&n, enabled))
        .await
        .map_err(|e| WebError::Internal(format!("blocking task failed: {e}")))??;
    let msg = if enabled {
        format!("{name} is enabled.")
    } else {
        format!("{name} is disabled. Its widgets and hooks no longer run.")
    };
    let back = if form.get("back") == "detail" {
        format!("/admin/plugins/{name}")
    } else {
        "/admin/plugins".to_owned()
    };
    Ok(render::redirect_flash(&back, "success", &msg))
}

async fn enable(
    state: web::Data<AppState>,
    authed: Authed,
    path: web::Path<String>,
    form: FormData,
) -> WebResult<HttpResponse> {
    set_enabled(state, authed, path.into_inner(), form, true).await
}

async fn disable(
    state: web::Data<AppState>,
    authed: Authed,
    path: web::Path<String>,
    form: FormData,
) -> WebResult<HttpResponse> {
    set_enabled(state, authed, path.into_inner(), form, false).await
}
