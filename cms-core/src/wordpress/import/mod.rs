//! Writing a read export into Gazette: posts become articles through
//! [`articles::save`](crate::articles::save) (the editor's own write path:
//! validation, rendering and sanitising of sections, revisions, search index,
//! webhooks), attachments become media-library images through
//! [`media::upload`].
//!
//! **One transaction per item**, and the item's `wordpress_imports` record is
//! written in it, so an interrupted import leaves only whole articles behind and
//! a re-run picks up where it stopped. Authors and categories are created the
//! first time an imported post needs them, inside that post's transaction.
//!
//! **Re-runs** never duplicate: an item already imported is recognised by the
//! export's site URL and its WordPress post id. If what it would import is
//! exactly what the last run wrote (a fingerprint of the converted article),
//! it is *unchanged*. If it changed in WordPress (a newer export) and nobody
//! edited the article in Gazette since, the article is *updated* in place; if
//! an editor did change it, Gazette's version is kept and the item is reported
//! as skipped. An article or image deleted in Gazette is not brought back.
//!
//! **Dry run**: everything runs inside one transaction that is rolled back, and
//! no image file is stored, so the report is what a real run would do.
//!
//! The parts: `plan` sorts the export's items, `attachments` imports images,
//! `posts` imports articles (with `publication`, `authors` and `categories`
//! for their status and date, author and category), and `report` is what the
//! caller gets back.

mod attachments;
mod authors;
mod categories;
mod plan;
mod posts;
mod publication;
mod report;

use std::collections::HashMap;
use std::path::PathBuf;

use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::urls;
use super::wxr::{WxrExport, WxrItem};
use crate::db::DbConnection;
use crate::error::CoreError;
use crate::media::{self, MediaStorage};
use crate::roles::Role;
use crate::users::User;

pub use report::{ImportFailure, ImportReport, Skipped};

use attachments::import_attachment;
use plan::{label, plan};
use posts::import_post;
use report::plural;

/// Part of every fingerprint: raise it when the conversion changes, and the
/// next run refreshes every imported article nobody has edited since.
const CONVERTER_VERSION: u32 = 1;

/// Domain of the addresses given to authors whose export has none (`.invalid`
/// is reserved: it can never receive mail, so nobody is invited by mistake).
pub const PLACEHOLDER_EMAIL_DOMAIN: &str = "wordpress-import.invalid";

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Import pages as articles too (by default they are skipped).
    pub include_pages: bool,
    /// A copy of the site's `wp-content/uploads`: attachments are read from here.
    pub uploads_dir: Option<PathBuf>,
    /// Do everything, then roll it back: the report says what would happen.
    pub dry_run: bool,
    /// Size and pixel limits for imported images (the site's upload limits).
    pub media_limits: media::Limits,
}

/// Imports `export` as `actor` (an administrator, recorded as the saver of
/// every revision). `storage` is the media store for attached images (`None`:
/// attachments are skipped). `progress(done, total)` is called as items finish.
pub fn run(
    conn: &mut DbConnection,
    actor: &User,
    export: &WxrExport,
    opts: &ImportOptions,
    storage: Option<&dyn MediaStorage>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ImportReport, ImportFailure> {
    let mut report = ImportReport {
        dry_run: opts.dry_run,
        warnings: export.warnings.clone(),
        ..Default::default()
    };
    let fail = |context: &str, error: CoreError, report: &ImportReport| ImportFailure {
        context: context.to_owned(),
        error,
        report: Box::new(report.clone()),
    };
    if actor.role() != Role::Administrator {
        return Err(fail(
            "import",
            CoreError::Forbidden("only administrators import content".into()),
            &report,
        ));
    }
    let tz = crate::settings::load(conn)
        .map_err(|e| fail("reading the site settings", e, &report))?
        .tz();
    let mut ctx = Ctx {
        actor,
        export,
        source: urls::source_of(&export.site_url),
        tz,
        uploads_dir: opts.uploads_dir.clone(),
        dry_run: opts.dry_run,
        media_limits: opts.media_limits,
        storage,
        by_id: HashMap::new(),
        by_key: HashMap::new(),
    };
    let (attachments, posts) = plan(export, opts, &mut report);
    let comments: usize = export.items.iter().map(|i| i.comments).sum();
    if comments > 0 {
        report.warnings.push(format!(
            "{} not imported (Gazette has no comments)",
            plural(comments, "comment was", "comments were")
        ));
    }
    if opts.dry_run {
        let mut failure = None;
        let _ = conn.transaction::<(), diesel::result::Error, _>(|c| {
            if let Err((context, e)) =
                execute(c, &mut ctx, &attachments, &posts, &mut report, progress)
            {
                failure = Some((context, e));
            }
            Err(diesel::result::Error::RollbackTransaction)
        });
        if let Some((context, e)) = failure {
            return Err(fail(&context, e, &report));
        }
    } else if let Err((context, e)) =
        execute(conn, &mut ctx, &attachments, &posts, &mut report, progress)
    {
        return Err(fail(&context, e, &report));
    }
    Ok(report)
}

/// Shared state of one import.
struct Ctx<'a> {
    actor: &'a User,
    export: &'a WxrExport,
    source: String,
    tz: chrono_tz::Tz,
    uploads_dir: Option<PathBuf>,
    dry_run: bool,
    media_limits: media::Limits,
    storage: Option<&'a dyn MediaStorage>,
    /// Attachment post id → (media id, URL for use in sections).
    by_id: HashMap<i64, (i32, String)>,
    /// [`urls::upload_key`] of a file → (media id, URL).
    by_key: HashMap<String, (i32, String)>,
}

fn execute(
    conn: &mut DbConnection,
    ctx: &mut Ctx<'_>,
    attachments: &[&WxrItem],
    posts: &[&WxrItem],
    report: &mut ImportReport,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(), (String, CoreError)> {
    let total = attachments.len() + posts.len();
    let mut done = 0;
    progress(done, total);
    for item in attachments {
        match import_attachment(conn, ctx, item) {
            Ok(Outcome::Created) => report.images_imported += 1,
            Ok(Outcome::Unchanged) => report.images_unchanged += 1,
            Ok(Outcome::Updated) => report.images_imported += 1,
            Ok(Outcome::Skipped(reason)) => report.skipped.push(Skipped {
                item: label(item),
                reason,
            }),
            Err(e) => return Err((format!("importing {}", label(item)), e)),
        }
        done += 1;
        progress(done, total);
    }
    for item in posts {
        let mut warnings = Vec::new();
        let mut created = Created::default();
        // Only a committed post's authors, categories and warnings count: the
        // others' transactions were rolled back.
        let committed = match import_post(conn, ctx, item, &mut warnings, &mut created) {
            Ok(Outcome::Created) => {
                report.created += 1;
                true
            }
            Ok(Outcome::Updated) => {
                report.updated += 1;
                true
            }
            Ok(Outcome::Unchanged) => {
                report.unchanged += 1;
                false
            }
            Ok(Outcome::Skipped(reason)) => {
                report.skipped.push(Skipped {
                    item: label(item),
                    reason,
                });
                false
            }
            Err(e) => return Err((format!("importing {}", label(item)), e)),
        };
        if committed {
            report.authors_created += created.authors;
            report.categories_created += created.categories;
            let l = label(item);
            report
                .warnings
                .extend(warnings.into_iter().map(|w| format!("{l}: {w}")));
        }
        done += 1;
        progress(done, total);
    }
    Ok(())
}

enum Outcome {
    Created,
    Updated,
    Unchanged,
    Skipped(String),
}

/// Authors and categories a post's transaction created.
#[derive(Default)]
struct Created {
    authors: usize,
    categories: usize,
}

fn fingerprint<T: Serialize>(value: &T) -> String {
    let json = serde_json::to_vec(value).unwrap_or_default();
    hex::encode(Sha256::digest(&json))
}

/// At most `max` characters, ending in `…` when cut.
fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t = t.trim_end().to_owned();
    t.push('…');
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_with_ellipsis() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }
}
