//! Layout context shared by every admin page (`templates/admin/base.html`).

use actix_web::HttpRequest;
use cms_core::roles;

use crate::auth::{read_flash, Authed, Flash};
use crate::error::WebResult;
use crate::state::AppState;

/// Admin navigation sections, to mark the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminNav {
    Dashboard,
    Articles,
    Media,
    Categories,
    Users,
    Settings,
    Profile,
    Api,
    Plugins,
    Webhooks,
}

pub struct AdminLayout {
    pub site_title: String,
    pub page_title: String,
    pub user_name: String,
    pub user_role: String,
    pub csrf: String,
    pub flash: Option<Flash>,
    pub nav: AdminNav,
    pub asset_version: String,
    pub can_manage_users: bool,
    pub can_manage_settings: bool,
    pub can_manage_categories: bool,
}

impl AdminLayout {
    pub async fn load(
        state: &AppState,
        req: &HttpRequest,
        authed: &Authed,
        nav: AdminNav,
        page_title: impl Into<String>,
    ) -> WebResult<Self> {
        let site = state.db(cms_core::settings::load).await?;
        Ok(Self::with_site(&site.title, req, authed, nav, page_title))
    }

    pub fn with_site(
        site_title: &str,
        req: &HttpRequest,
        authed: &Authed,
        nav: AdminNav,
        page_title: impl Into<String>,
    ) -> Self {
        let u = &authed.user;
        Self {
            site_title: site_title.to_owned(),
            page_title: page_title.into(),
            user_name: u.display_name.clone(),
            user_role: u.role().label().to_owned(),
            csrf: authed.csrf().to_owned(),
            flash: read_flash(req),
            nav,
            asset_version: crate::assets::VERSION.clone(),
            can_manage_users: roles::can_manage_users(u),
            can_manage_settings: roles::can_manage_settings(u),
            can_manage_categories: roles::can_manage_categories(u),
        }
    }

    pub fn is(&self, nav: AdminNav) -> bool {
        self.nav == nav
    }
}

/// Layout for admin pages shown before login (setup, login).
pub struct BareLayout {
    pub site_title: String,
    pub page_title: String,
    pub asset_version: String,
    pub flash: Option<Flash>,
}

impl BareLayout {
    pub fn new(site_title: &str, req: &HttpRequest, page_title: impl Into<String>) -> Self {
        Self {
            site_title: site_title.to_owned(),
            page_title: page_title.into(),
            asset_version: crate::assets::VERSION.clone(),
            flash: read_flash(req),
        }
    }
}
