//! Site settings: title, description, base URL, timezone, articles per page,
//! and (in a form of its own) how many article revisions to keep
//! (administrators only).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use cms_core::settings::{self, SettingsInput, SiteSettings};
use cms_core::{roles, CoreError, FieldErrors};

use crate::auth::Authed;
use crate::error::{WebError, WebResult};
use crate::forms::FormData;
use crate::layout::{AdminLayout, AdminNav};
use crate::render;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/admin/settings")
            .route(web::get().to(show))
            .route(web::post().to(save)),
    )
    .service(web::resource("/admin/settings/revisions").route(web::post().to(save_revisions)));
}

/// Suggestions for the timezone field; any IANA name is accepted.
const COMMON_ZONES: &[&str] = &[
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Brussels",
    "Europe/Zurich",
    "Europe/Vienna",
    "Europe/Stockholm",
    "Europe/Oslo",
    "Europe/Copenhagen",
    "Europe/Helsinki",
    "Europe/Warsaw",
    "Europe/Prague",
    "Europe/Athens",
    "Europe/Istanbul",
    "Europe/Kyiv",
    "Europe/Moscow",
    "Africa/Cairo",
    "Africa/Lagos",
    "Africa/Nairobi",
    "Africa/Johannesburg",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "America/Toronto",
    "America/Vancouver",
    "America/Mexico_City",
    "America/Bogota",
    "America/Lima",
    "America/Santiago",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
    "Pacific/Honolulu",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Jakarta",
    "Asia/Singapore",
    "Asia/Hong_Kong",
    "Asia/Shanghai",
    "Asia/Taipei",
    "Asia/Seoul",
    "Asia/Tokyo",
    "Australia/Perth",
    "Australia/Adelaide",
    "Australia/Brisbane",
    "Australia/Sydney",
    "Pacific/Auckland",
];

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsPage {
    layout: AdminLayout,
    title: String,
    description: String,
    base_url: String,
    timezone: String,
    per_page: String,
    /// Whether the saved base URL is https (session cookies are `Secure`).
    saved_https: bool,
    zones: &'static [&'static str],
    /// "Revisions kept per article" as entered (0 = all).
    revisions_keep: String,
    errors: FieldErrors,
}

impl SettingsPage {
    fn err(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

fn page(
    req: &HttpRequest,
    authed: &Authed,
    saved: &SiteSettings,
    input: SettingsInput,
    revisions_keep: String,
    errors: FieldErrors,
) -> SettingsPage {
    SettingsPage {
        layout: AdminLayout::with_site(&saved.title, req, authed, AdminNav::Settings, "Settings"),
        title: input.title,
        description: input.description,
        base_url: input.base_url,
        timezone: input.timezone,
        per_page: input.per_page,
        saved_https: saved.is_https(),
        zones: COMMON_ZONES,
        revisions_keep,
        errors,
    }
}

/// The saved site settings and the revisions kept per article.
async fn load_saved(state: &AppState) -> WebResult<(SiteSettings, i64)> {
    state
        .db(|conn| {
            Ok((
                settings::load(conn)?,
                settings::revision_settings(conn)?.keep,
            ))
        })
        .await
}

fn input_of(saved: &SiteSettings) -> SettingsInput {
    SettingsInput {
        title: saved.title.clone(),
        description: saved.description.clone(),
        base_url: saved.base_url.clone(),
        timezone: saved.timezone.clone(),
        per_page: saved.per_page.to_string(),
    }
}

async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
) -> WebResult<HttpResponse> {
    authed.require(roles::can_manage_settings(&authed.user))?;
    let (saved, keep) = load_saved(&state).await?;
    let page = page(
        &req,
        &authed,
        &saved,
        input_of(&saved),
        keep.to_string(),
        FieldErrors::default(),
    );
    render::admin(&req, &page)
}

async fn save(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    form: FormData,
) -> WebResult<HttpResponse> {
    authed.check_csrf(&form)?;
    authed.require(roles::can_manage_settings(&authed.user))?;
    let input = SettingsInput {
        title: form.get("title").to_owned(),
        description: form.get("description").to_owned(),
        base_url: form.get("base_url").to_owned(),
        timezone: form.get("timezone").to_owned(),
        per_page: form.get("per_page").to_owned(),
    };
    let to_save = input.clone();
    match state.db(move |conn| settings::save(conn, &to_save)).await {
        Ok(_) => Ok(render::redirect_flash(
            "/admin/settings",
            "success",
            "Settings saved.",
        )),
        Err(WebError::Core(CoreError::Validation(errors))) => {
            let (saved, keep) = load_saved(&state).await?;
            let page = page(&req, &authed, &saved, input, keep.to_string(), errors);
            render::admin_status(&req, &page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e),
    }
}

/// POST /admin/settings/revisions: "keep the last N revisions" (0 = all).
/// Lowering it deletes older revisions of every article at once.
async fn save_revisions(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    form: FormData,
) -> WebResult<HttpResponse> {
    authed.check_csrf(&form)?;
    authed.require(roles::can_manage_settings(&authed.user))?;
    let raw = form.get("revisions_keep").to_owned();
    let to_save = raw.clone();
    match state
        .db(move |conn| settings::save_revision_settings(conn, &to_save))
        .await
    {
        Ok(s) => {
            let msg = match s.keep {
                0 => "Revision settings saved: every revision is kept.".to_owned(),
                n => format!(
                    "Revision settings saved: the newest {n} revision{} of each article are kept.",
                    if n == 1 { "" } else { "s" }
                ),
            };
            Ok(render::redirect_flash("/admin/settings", "success", &msg))
        }
        Err(WebError::Core(CoreError::Validation(errors))) => {
            let (saved, _) = load_saved(&state).await?;
            let page = page(&req, &authed, &saved, input_of(&saved), raw, errors);
            render::admin_status(&req, &page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e),
    }
}
