//! The admin panel under `/admin`. Works without JavaScript; every route checks
//! the session and the role, and every state-changing form its CSRF token.

pub mod api_access;
pub mod articles;
pub mod categories;
pub mod dashboard;
pub mod media;
pub mod profile;
pub mod session;
pub mod settings;
pub mod users;
pub mod webhooks;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    session::routes(cfg);
    api_access::routes(cfg);
    dashboard::routes(cfg);
    articles::routes(cfg);
    media::routes(cfg);
    categories::routes(cfg);
    users::routes(cfg);
    profile::routes(cfg);
    settings::routes(cfg);
    webhooks::routes(cfg);
    crate::plugins::admin::routes(cfg);
}
