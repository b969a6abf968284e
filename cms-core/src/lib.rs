//! Gazette's domain and storage layer.
//!
//! Everything that touches the database lives here and is exposed as operations
//! in domain words (`articles::save`, `sessions::authenticate`, …). No HTTP, no
//! templates: `cms-web` (and the CLI, and later the API) call into this crate, so
//! every interface enforces the same rules.

pub mod api_tokens;
pub mod articles;
pub mod categories;
pub mod db;
pub mod error;
pub mod markdown;
pub mod media;
pub mod notify;
pub mod plugins;
pub mod revisions;
pub mod roles;
pub mod sample;
pub mod schema;
pub mod search;
pub mod seed;
pub mod sessions;
pub mod settings;
pub mod slugs;
#[cfg(any(test, feature = "test-support"))]
pub mod testdb;
pub mod throttle;
pub mod time;
pub mod tokens;
pub mod users;
pub mod webhooks;
pub mod wordpress;

pub use db::{DatabaseUrl, DbConnection, DbPool};
pub use error::{CoreError, CoreResult, FieldError, FieldErrors};
