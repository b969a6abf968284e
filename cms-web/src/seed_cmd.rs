//! `gazette seed --articles N [--categories K] [--authors M]` with a progress bar.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use cms_core::seed::{self, SeedPlan};
use cms_core::{db, DatabaseUrl};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::{load_config, ServerArgs};

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// How many articles to create (about 1 in 25 is left as a draft).
    #[arg(long, default_value_t = 1000)]
    pub articles: u64,
    /// Categories to spread them over (existing ones with the same name are reused).
    #[arg(long, default_value_t = 12)]
    pub categories: u32,
    /// Authors to write them (accounts that cannot log in).
    #[arg(long, default_value_t = 40)]
    pub authors: u32,
    /// Random seed: the same seed gives the same content.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Articles per transaction.
    #[arg(long, default_value_t = 500)]
    pub batch: u64,
    /// No progress bar (for scripts and logs).
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub db: ServerArgs,
}

pub fn run(cli_config: Option<&PathBuf>, a: SeedArgs) -> anyhow::Result<()> {
    if a.articles == 0 || a.authors == 0 || a.batch == 0 {
        anyhow::bail!("seed: --articles, --authors and --batch must be at least 1");
    }
    let config = load_config(cli_config, &a.db)?;
    let url = DatabaseUrl::parse(&config.database_url)
        .map_err(|e| anyhow::anyhow!("database_url: {e}"))?;
    let pool = db::connect(&url, 1).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut conn = pool
        .get()
        .with_context(|| format!("cannot connect to {}", url.redacted()))?;
    db::run_migrations(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
    let bar = if a.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(a.articles)
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} seeding {bar:40} {pos}/{len} articles ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let plan = SeedPlan {
        articles: a.articles,
        categories: a.categories,
        authors: a.authors,
        seed: a.seed,
        batch: a.batch,
    };
    let started = Instant::now();
    // Without a terminal (CI, a log file) the bar does not draw: log every tenth.
    let log_progress = !a.quiet && !std::io::IsTerminal::is_terminal(&std::io::stderr());
    let step = (a.articles / 10).max(1);
    let mut next_log = step;
    let report = seed::run(&mut conn, &plan, &mut |done| {
        bar.set_position(done);
        if log_progress && done >= next_log {
            next_log = (done / step + 1) * step;
            tracing::info!(
                done,
                total = a.articles,
                seconds = started.elapsed().as_secs(),
                "seeding"
            );
        }
    })
    .map_err(|e| anyhow::anyhow!("seed: {e}"))?;
    bar.finish_and_clear();
    let seeded_secs = started.elapsed().as_secs_f64();
    // The triggers of migration 000010 left every block the seeder wrote
    // stale; computing them now (a pass over the new rows by id range) spares
    // the first visitor of the sitemap index or the API count that pass.
    let summary_started = Instant::now();
    let blocks_bar = if a.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(0)
    };
    blocks_bar.set_style(
        ProgressStyle::with_template("{spinner} summarising {bar:40} {pos}/{len} blocks of ids")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    cms_core::articles::blocks::refresh_with_progress(&mut conn, &mut |done, total| {
        blocks_bar.set_length(total as u64);
        blocks_bar.set_position(done as u64);
    })
    .map_err(|e| anyhow::anyhow!("seed: summarising the new articles: {e}"))?;
    blocks_bar.finish_and_clear();
    let summary_secs = summary_started.elapsed().as_secs_f64();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "Seeded {} articles ({} sections, {} related links; ids {}–{}), {} new categories, {} new authors into {} in {:.1} s ({:.0} articles/s; {:.1} s of it summarising them for the sitemap index).",
        report.articles,
        report.sections,
        report.links,
        report.first_article_id,
        report.last_article_id,
        report.categories,
        report.authors,
        url.redacted(),
        secs,
        report.articles as f64 / seeded_secs.max(0.001),
        summary_secs
    );
    tracing::info!(
        articles = report.articles,
        seconds = secs,
        "seeding finished"
    );
    Ok(())
}
