//! Gazette's web layer: public pages, the admin panel, and start-up wiring.
//! Handlers are thin: extract, authorise, call `cms-core`, respond.

pub mod admin;
pub mod api;
pub mod app;
pub mod assets;
pub mod auth;
pub mod cache;
pub mod config;
pub mod error;
pub mod forms;
pub mod hooks;
pub mod import_cmd;
pub mod layout;
pub mod media;
pub mod plugins;
pub mod public;
pub mod publishing;
pub mod render;
pub mod scheduler;
pub mod seed_cmd;
pub mod state;
pub mod util;
pub mod webhooks;

pub use app::{bootstrap, build_app, serve};
pub use config::Config;
pub use state::AppState;
pub mod cli;
