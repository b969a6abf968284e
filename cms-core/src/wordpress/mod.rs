//! Importing a WordPress site from its WXR export (Tools → Export).
//!
//! - [`wxr`] reads the export (streaming XML, namespace-aware) into plain items.
//! - [`shortcodes`] and [`html`] turn post HTML into Gazette sections of Markdown.
//! - [`import`] writes articles, authors, categories and images through the same
//!   core operations the editor uses, one transaction per item, and records every
//!   imported item in `wordpress_imports` ([`records`]) so a re-run recognises it.
//! - [`redirects`] answers "where does this old WordPress URL live now?".
//! - [`urls`] normalises permalinks, slugs and upload paths for both.

pub mod html;
pub mod import;
pub mod records;
pub mod redirects;
pub mod shortcodes;
pub mod urls;
pub mod wxr;

pub use import::{run, ImportFailure, ImportOptions, ImportReport, Skipped};
pub use wxr::{parse, parse_bytes, WxrError, WxrExport};
