//! `gazette import wordpress FILE [--uploads-dir DIR] [--dry-run] [--include-pages] [--as EMAIL]`:
//! reads a WordPress export completely (a damaged file imports nothing), then
//! imports it with a progress bar and prints what was created, updated, left
//! unchanged and skipped, and why. Safe to run again.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use cms_core::media::{Limits, LocalDiskStorage};
use cms_core::roles::Role;
use cms_core::users::{self, User};
use cms_core::wordpress::{self, ImportOptions};
use cms_core::{db, DatabaseUrl, DbConnection};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::{load_config, ServerArgs};

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import a WordPress site from its export file (WordPress: Tools → Export → All content).
    ///
    /// Posts become articles (each <h2> starts a section), with their authors (as
    /// contributors without passwords, to be invited), categories, dates, status
    /// and URL names; old WordPress addresses redirect to the new articles.
    /// Running it again never duplicates anything.
    Wordpress(WordpressArgs),
}

#[derive(Debug, Args)]
pub struct WordpressArgs {
    /// The WXR export file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// A copy of the site's wp-content/uploads directory: attached images are
    /// imported into the media library from here (the export holds only their URLs).
    #[arg(long, value_name = "DIR")]
    pub uploads_dir: Option<PathBuf>,
    /// Show what would be imported, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Import pages as articles too (by default they are skipped).
    #[arg(long)]
    pub include_pages: bool,
    /// The administrator to import as (recorded in each article's history);
    /// default: the first administrator.
    #[arg(long = "as", value_name = "EMAIL")]
    pub as_user: Option<String>,
    /// No progress bar (for scripts and logs).
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub db: ServerArgs,
}

pub fn run(cli_config: Option<&PathBuf>, cmd: ImportCommand) -> anyhow::Result<()> {
    let ImportCommand::Wordpress(a) = cmd;
    let size = std::fs::metadata(&a.file)
        .with_context(|| format!("{}: cannot read the export", a.file.display()))?
        .len();
    if let Some(dir) = &a.uploads_dir {
        if !dir.is_dir() {
            bail!("--uploads-dir {}: not a directory", dir.display());
        }
    }
    let config = load_config(cli_config, &a.db)?;

    // 1. Read the whole export first: a truncated or broken file stops here,
    //    before anything is written.
    let reading = bar(
        a.quiet,
        size,
        "{spinner} reading  {bar:40} {bytes}/{total_bytes}",
    );
    let export = wordpress::parse(|| File::open(&a.file).map(BufReader::new), &mut |bytes| {
        reading.set_position(bytes)
    })
    .map_err(|e| anyhow::anyhow!("{}: {e}; nothing was imported", a.file.display()))?;
    reading.finish_and_clear();

    // 2. Import, one item per transaction.
    let url = DatabaseUrl::parse(&config.database_url)
        .map_err(|e| anyhow::anyhow!("database_url: {e}"))?;
    let pool = db::connect(&url, 1).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut conn = pool
        .get()
        .with_context(|| format!("cannot connect to {}", url.redacted()))?;
    db::run_migrations(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
    let actor = importer(&mut conn, a.as_user.as_deref())?;
    let storage = LocalDiskStorage::in_data_dir(&config.data_dir);
    let opts = ImportOptions {
        include_pages: a.include_pages,
        uploads_dir: a.uploads_dir.clone(),
        dry_run: a.dry_run,
        media_limits: Limits::with_max_bytes(config.max_upload_bytes),
    };
    let importing = bar(
        a.quiet,
        0,
        "{spinner} importing {bar:40} {pos}/{len} items (eta {eta})",
    );
    let result = wordpress::run(
        &mut conn,
        &actor,
        &export,
        &opts,
        Some(&storage),
        &mut |done, total| {
            importing.set_length(total as u64);
            importing.set_position(done as u64);
        },
    );
    importing.finish_and_clear();

    let site = if export.site_title.is_empty() {
        &export.site_url
    } else {
        &export.site_title
    };
    match result {
        Ok(report) => {
            println!(
                "WordPress import of {} ({site}) into {}, as {}:",
                a.file.display(),
                url.redacted(),
                actor.email
            );
            print!("{report}");
            tracing::debug!(summary = %report.summary(), dry_run = a.dry_run, "WordPress import finished");
            Ok(())
        }
        Err(failure) => {
            print!("{}", failure.report);
            bail!(
                "the import stopped while {}: {}. Items imported before it are kept; running the import again continues from there",
                failure.context,
                failure.error
            )
        }
    }
}

/// `--as EMAIL`, else the first administrator who can log in.
fn importer(conn: &mut DbConnection, email: Option<&str>) -> anyhow::Result<User> {
    let user = match email {
        Some(email) => users::find_by_email(conn, email)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .with_context(|| format!("--as {email}: no such user"))?,
        None => users::list(conn)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .into_iter()
            .filter(|u| u.role() == Role::Administrator && u.can_log_in())
            .min_by_key(|u| u.id)
            .context(
                "there is no administrator to import as: create one first \
                 (gazette user create --email … --name … --role administrator), or name one with --as EMAIL",
            )?,
    };
    if user.role() != Role::Administrator {
        bail!("--as {}: only administrators import content", user.email);
    }
    Ok(user)
}

fn bar(quiet: bool, len: u64, template: &str) -> ProgressBar {
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(len)
    };
    bar.set_style(
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
