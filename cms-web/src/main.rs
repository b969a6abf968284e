//! `gazette`: run the site, migrate, manage users.

use std::net::TcpListener;
use std::process::ExitCode;

use clap::Parser;
use cms_web::cli::{self, Cli, Command, ServerArgs};
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("GAZETTE_LOG")
                .or_else(|_| EnvFilter::try_from_default_env())
                .unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_target(false)
        .init();
    let args = Cli::parse();
    let result = match args.command {
        None => serve(args.config.as_ref(), ServerArgs::default()),
        Some(Command::Serve(s)) => serve(args.config.as_ref(), s),
        Some(Command::Migrate(s)) => {
            cli::load_config(args.config.as_ref(), &s).and_then(|c| cli::migrate(&c))
        }
        Some(Command::User(u)) => cli::user(args.config.as_ref(), u),
        Some(Command::Plugin(p)) => cli::plugin(args.config.as_ref(), p),
        Some(Command::Seed(s)) => cms_web::seed_cmd::run(args.config.as_ref(), s),
        Some(Command::Import(i)) => cms_web::import_cmd::run(args.config.as_ref(), i),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gazette: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn serve(cli_config: Option<&std::path::PathBuf>, s: ServerArgs) -> anyhow::Result<()> {
    let config = cli::load_config(cli_config, &s)?;
    let bind = config.bind.clone();
    let state = cms_web::bootstrap(config)?;
    let listener = TcpListener::bind(&bind)
        .map_err(|e| anyhow::anyhow!("bind: cannot listen on {bind}: {e}"))?;
    let needs_setup = {
        let mut conn = state.pool.get()?;
        cms_core::users::count_login_capable(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))? == 0
    };
    let url = format!("http://{bind}");
    println!("Gazette is running at {url}/");
    if needs_setup {
        println!("Create the first administrator at {url}/admin/setup");
    } else {
        println!("Admin panel: {url}/admin");
    }
    let plugins = state.plugins.clone();
    actix_rt::System::new().block_on(async move {
        let server = cms_web::serve(state, listener)?;
        server.await
    })?;
    // The server has stopped: deliver queued events and write batched plugin
    // counters before the process exits (idempotent; `serve` does it too).
    plugins.shutdown();
    Ok(())
}
