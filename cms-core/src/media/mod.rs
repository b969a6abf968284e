//! The media library: uploaded images, their resized variants, and who uses them.
//!
//! - [`process`] checks an upload (type by content, size and pixel limits) and
//!   makes the variants — CPU only, no database.
//! - [`storage`] is the [`MediaStorage`] interface and the local-disk store.
//! - This module keeps the `media` rows and ties the two together:
//!   [`store_upload`] is the one way in, for the admin panel, the Admin API and
//!   importers alike.
//!
//! A file's keys derive from its SHA-256, so URLs are immutable (served with a
//! year-long `Cache-Control`) and the same file uploaded twice is stored once:
//! the second upload returns the first row.
//!
//! Inside this module: `library` reads, lists and edits the rows (the
//! [`Media`] type), `uploads` stores a processed upload, `variants` picks the
//! resized copy to serve, `keys` says which keys the public `/media/` route
//! serves, `kind` names the accepted formats, and `usage` finds the articles
//! that use an image (and refuses to delete it while any do).

pub mod process;
pub mod storage;

mod keys;
mod kind;
mod library;
mod uploads;
mod usage;
mod variants;

pub use keys::{content_type_of, is_variant_key, URL_PREFIX};
pub use kind::ImageKind;
pub use library::{
    exists, find, find_by_hash, find_many, list, recent, update_alt, Media, MediaPage,
};
pub use process::{prepare, Limits, Prepared};
pub use storage::{LocalDiskStorage, MediaStorage, StoredObject};
pub use uploads::{save_prepared, store_upload, upload, Uploaded};
pub use usage::{delete, usage, Usage, UsedBy};
pub use variants::{Variant, INLINE_WIDTH};

/// Why an upload was refused (besides missing fields, which are ordinary
/// validation errors). The web layer picks the status from the variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    /// Over the byte limit (HTTP 413).
    #[error("{0}")]
    TooLarge(String),
    /// Not JPEG, PNG, WebP or GIF by content (HTTP 415).
    #[error("{0}")]
    Unsupported(String),
    /// A supported type, but too many pixels, too long a side, or damaged (HTTP 422).
    #[error("{0}")]
    Invalid(String),
    /// The store failed (HTTP 500); the message is for logs.
    #[error("media storage: {0}")]
    Storage(String),
}

impl MediaError {
    /// The form field an upload error belongs to.
    pub const FIELD: &'static str = "file";
}
