//! Gazette's domain and storage layer.
//!
//! Everything that touches the database lives here and is exposed as operations
//! in domain words (`articles::save`, `sessions::authenticate`, …). No HTTP, no
//! templates: `cms-web` (and the CLI, and later the API) call into this crate, so
//! every interface enforces the same rules.

pub mod articles;
pub mod categories;
pub mod db;
pub mod error;
pub mod markdown;
pub mod roles;
pub mod sample;
pub mod schema;
pub mod sessions;
pub mod settings;
pub mod slugs;
pub mod throttle;
pub mod time;
pub mod tokens;
pub mod users;

pub use db::{DatabaseUrl, DbConnection, DbPool};
pub use error::{CoreError, CoreResult, FieldError, FieldErrors};
