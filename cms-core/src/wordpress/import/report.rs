//! What an import did, for whoever ran it: counts, the items skipped and why,
//! warnings about items imported not quite as they were, and the error an
//! import that stopped part-way returns along with what it had done.

use std::fmt;

use crate::error::CoreError;

/// An item that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// E.g. `page 110 “About us”`.
    pub item: String,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub skipped: Vec<Skipped>,
    /// Things that were imported, but not quite as they were.
    pub warnings: Vec<String>,
    pub authors_created: usize,
    pub categories_created: usize,
    pub images_imported: usize,
    /// Images imported by an earlier run.
    pub images_unchanged: usize,
    pub dry_run: bool,
}

impl ImportReport {
    /// `3 created, 0 updated, 1 unchanged, 4 skipped`.
    pub fn summary(&self) -> String {
        format!(
            "{} created, {} updated, {} unchanged, {} skipped",
            self.created,
            self.updated,
            self.unchanged,
            self.skipped.len()
        )
    }
}

pub(super) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Articles: {}.", self.summary())?;
        writeln!(
            f,
            "{} and {} created; {} imported ({} already there).",
            plural(self.authors_created, "author", "authors"),
            plural(self.categories_created, "category", "categories"),
            plural(self.images_imported, "image", "images"),
            self.images_unchanged
        )?;
        if !self.skipped.is_empty() {
            writeln!(f, "Skipped:")?;
            for s in &self.skipped {
                writeln!(f, "  - {}: {}", s.item, s.reason)?;
            }
        }
        if !self.warnings.is_empty() {
            writeln!(f, "Warnings:")?;
            for w in &self.warnings {
                writeln!(f, "  - {w}")?;
            }
        }
        if self.dry_run {
            writeln!(f, "Dry run: nothing was written.")?;
        }
        Ok(())
    }
}

/// An import that stopped on a database (not a data) problem. Items before it
/// were imported (each in its own transaction); a re-run continues.
#[derive(Debug, thiserror::Error)]
#[error("{context}: {error}")]
pub struct ImportFailure {
    pub context: String,
    #[source]
    pub error: CoreError,
    /// What had been done before it stopped.
    pub report: Box<ImportReport>,
}
