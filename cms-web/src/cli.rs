//! The `gazette` command line.

use std::io::BufRead;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use cms_core::users::{self, NewUserInput};
use cms_core::{db, CoreError, DatabaseUrl};

use crate::config::{Config, Overrides};

#[derive(Debug, Parser)]
#[command(
    name = "gazette",
    version,
    about = "Gazette: a headless CMS for news publishers"
)]
pub struct Cli {
    /// Configuration file (default: ./gazette.toml if it exists).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args, Default, Clone)]
pub struct ServerArgs {
    /// Address to listen on, e.g. 127.0.0.1:8080 (GAZETTE_BIND).
    #[arg(long)]
    pub bind: Option<String>,
    /// sqlite://PATH, a path, or postgres://… (GAZETTE_DATABASE_URL or DATABASE_URL).
    #[arg(long)]
    pub database_url: Option<String>,
    /// Directory for Gazette's files (GAZETTE_DATA_DIR).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (the default).
    Serve(ServerArgs),
    /// Apply pending database migrations and exit.
    Migrate(ServerArgs),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Inspect plugins.
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// Fill the database with generated articles, authors and categories (benchmarks, demos).
    Seed(crate::seed_cmd::SeedArgs),
    /// Import content from another CMS.
    #[command(subcommand)]
    Import(crate::import_cmd::ImportCommand),
}

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// List the plugin libraries in the plugins directory: what would load, and why not.
    List {
        /// Plugins directory (default: `plugins_dir` from the configuration).
        #[arg(long, value_name = "DIR")]
        plugins_dir: Option<PathBuf>,
        #[command(flatten)]
        db: ServerArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user (e.g. the first administrator).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// administrator, editor, author or contributor.
        #[arg(long, default_value = "administrator")]
        role: String,
        /// Read the password from the first line of standard input; otherwise one is generated and printed.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        db: ServerArgs,
    },
    /// Set a new password for a user (ends their sessions).
    ResetPassword {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        db: ServerArgs,
    },
}

pub fn load_config(cli_config: Option<&PathBuf>, args: &ServerArgs) -> anyhow::Result<Config> {
    let overrides = Overrides {
        bind: args.bind.clone(),
        database_url: args.database_url.clone(),
        data_dir: args.data_dir.clone(),
    };
    Config::load(
        cli_config.map(PathBuf::as_path),
        |k| std::env::var(k).ok(),
        &overrides,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))
}

fn read_password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        let pw = line.trim_end_matches(['\r', '\n']).to_owned();
        if pw.is_empty() {
            bail!("password: standard input was empty");
        }
        Ok((pw, false))
    } else {
        Ok((cms_core::tokens::random_token()[..20].to_owned(), true))
    }
}

fn open(config: &Config) -> anyhow::Result<cms_core::db::PooledConn> {
    let url = DatabaseUrl::parse(&config.database_url)
        .map_err(|e| anyhow::anyhow!("database_url: {e}"))?;
    let pool = db::connect(&url, 1).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut conn = pool
        .get()
        .with_context(|| format!("cannot connect to {}", url.redacted()))?;
    db::run_migrations(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(conn)
}

fn describe(e: CoreError) -> anyhow::Error {
    match e {
        CoreError::Validation(errs) => anyhow::anyhow!("{errs}"),
        other => anyhow::anyhow!("{other}"),
    }
}

pub fn migrate(config: &Config) -> anyhow::Result<()> {
    let url = DatabaseUrl::parse(&config.database_url)
        .map_err(|e| anyhow::anyhow!("database_url: {e}"))?;
    let pool = db::connect(&url, 1).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut conn = pool
        .get()
        .with_context(|| format!("cannot connect to {}", url.redacted()))?;
    let applied = db::run_migrations(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
    if applied.is_empty() {
        println!("Database {} is up to date.", url.redacted());
    } else {
        for m in applied {
            println!("applied {m}");
        }
    }
    Ok(())
}

pub fn user(cli_config: Option<&PathBuf>, cmd: UserCommand) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Create {
            email,
            name,
            role,
            password_stdin,
            db,
        } => {
            let config = load_config(cli_config, &db)?;
            let mut conn = open(&config)?;
            let (password, generated) = read_password(password_stdin)?;
            let user = users::create(
                &mut conn,
                NewUserInput {
                    email,
                    display_name: name,
                    role,
                    password: Some(password.clone()),
                    ..Default::default()
                },
            )
            .map_err(describe)?;
            println!(
                "Created {} <{}> as {}.",
                user.display_name,
                user.email,
                user.role()
            );
            if generated {
                println!("Password (shown once): {password}");
            }
            Ok(())
        }
        UserCommand::ResetPassword {
            email,
            password_stdin,
            db,
        } => {
            let config = load_config(cli_config, &db)?;
            let mut conn = open(&config)?;
            let user = users::find_by_email(&mut conn, &email)
                .map_err(describe)?
                .with_context(|| format!("no user with email {email}"))?;
            let (password, generated) = read_password(password_stdin)?;
            users::set_password(&mut conn, user.id, &password).map_err(describe)?;
            println!(
                "Password changed for {}; their sessions were ended.",
                user.email
            );
            if generated {
                println!("New password (shown once): {password}");
            }
            Ok(())
        }
    }
}

/// `gazette plugin list`: opens every library in the plugins directory (ABI
/// handshake and metadata only, nothing is initialised) and prints what would
/// load, with the state stored in the database when it can be read.
pub fn plugin(cli_config: Option<&PathBuf>, cmd: PluginCommand) -> anyhow::Result<()> {
    let PluginCommand::List { plugins_dir, db } = cmd;
    let config = load_config(cli_config, &db)?;
    let dir = plugins_dir.unwrap_or_else(|| config.plugins_dir.clone());
    println!(
        "Plugins directory: {} (plugin ABI version {})",
        dir.display(),
        gazette_plugin_api::ABI_VERSION
    );
    if !dir.is_dir() {
        println!("  (the directory does not exist: no plugin would load)");
        return Ok(());
    }
    // The stored states are a bonus: listing works without a database.
    let states: Vec<cms_core::plugins::PluginState> = DatabaseUrl::parse(&config.database_url)
        .ok()
        .filter(db::sqlite_file_exists)
        .and_then(|url| db::connect(&url, 1).ok())
        .and_then(|pool| pool.get().ok())
        .and_then(|mut conn| cms_core::plugins::states(&mut conn).ok())
        .unwrap_or_default();
    let found = crate::plugins::inspect(&dir);
    if found.is_empty() {
        println!("  (no plugin libraries found)");
    }
    for i in found {
        let file = i
            .file
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        match i.result {
            Ok(meta) => {
                let state = states.iter().find(|s| s.name == meta.name);
                let status = match state {
                    None => "would load (new: enabled)".to_owned(),
                    Some(s) if s.enabled => "would load (enabled)".to_owned(),
                    Some(s) => match &s.failure_reason {
                        Some(r) => format!("would load, but failed earlier and is disabled: {r}"),
                        None => "would load (disabled by an administrator)".to_owned(),
                    },
                };
                println!("  {} {}  [{file}]  {status}", meta.name, meta.version);
                println!("      hooks: {}", meta.hooks.join(", "));
                if !meta.description.is_empty() {
                    println!("      {}", meta.description);
                }
            }
            Err(r) => println!("  {file}  REFUSED: {}", r.reason),
        }
    }
    Ok(())
}
