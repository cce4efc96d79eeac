//! `cargo xtask <command>`: project tasks (alias in `.cargo/config.toml`).
//!
//! Exit codes: 0 on success, 2 for a usage error (clap), 1 with a one-line message otherwise.

use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Parser;
use unified_core::transport::Credentials;
use xtask::workspace_root;

#[derive(Debug, Parser)]
#[command(name = "xtask", bin_name = "cargo xtask", about = "Project tasks of the unified CRM API workspace")]
enum Command {
    /// Scaffold crates/connector-<id>, its first fixture case and the `unified` facade feature.
    NewConnector {
        /// Lowercase ASCII letters and digits, starting with a letter (`?provider=<id>`).
        id: String,
    },
    /// Record fixtures/<provider>/<resource>/<case>/exchanges.json against the live provider API.
    ///
    /// Credentials come from the environment: UNIFIED_RECORD_TOKEN (OAuth or bearer token) or
    /// UNIFIED_RECORD_API_KEY. UNIFIED_RECORD_BASE_URL overrides the provider's base URL.
    Record {
        /// A registered connector id (`hubspot`).
        provider: String,
        /// `contact`, `lead`, `deal` or `meeting`.
        resource: String,
        /// The case folder, which must already hold an `input.json`.
        case: String,
    },
    /// Load benchmark: the same creates straight at a HubSpot emulator, then through `unified serve` (sandbox).
    ///
    /// Builds `unified` in release and runs both on loopback in a temp dir. Prints requests/s, p50, p99 and
    /// errors of both, the server's peak RSS, the throughput ratio and whether the emulator stored exactly
    /// what was answered 201; the last line is one JSON object. Exits 1 on errors or lost records.
    Load {
        /// Creates per phase.
        #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
        requests: u32,
        /// Requests in flight at once.
        #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=4_096))]
        concurrency: u32,
        /// Seconds both phases together may take; requests not sent by then count as errors.
        #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
        timeout: u64,
    },
}

fn main() -> ExitCode {
    let command = Command::parse();
    match run(command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", format!("{error:#}").replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result<()> {
    let root = workspace_root();
    match command {
        Command::NewConnector { id } => {
            let scaffold = xtask::new_connector(&root, &id)?;
            println!("created {}", scaffold.created.join(", "));
            println!("edited {}", scaffold.edited.join(", "));
            println!(
                "next: `cargo test -p connector-{id} -p unified`, then describe {id}'s API in crates/connector-{id} (see its README)"
            );
        }
        Command::Record { provider, resource, case } => {
            let credentials = credentials_from_env()?;
            let base_url = env("UNIFIED_RECORD_BASE_URL");
            let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
            let summary = runtime.block_on(xtask::record(
                &root,
                &provider,
                &resource,
                &case,
                &credentials,
                base_url.as_deref(),
            ))?;
            println!("{summary}");
            println!("{}", summary.next_steps());
        }
        Command::Load { requests, concurrency, timeout } => {
            if cfg!(debug_assertions) && std::env::var_os(RERUN_ENV).is_none() {
                rerun_in_release(&root);
            }
            let options = xtask::LoadOptions {
                requests: requests as usize,
                concurrency: concurrency as usize,
                timeout: std::time::Duration::from_secs(timeout),
            };
            let report = xtask::load(&root, &options)?;
            print!("{}", report.table());
            println!("{}", report.json_line());
            if let Some(failure) = report.failure() {
                bail!(failure);
            }
        }
    }
    Ok(())
}

/// Set on the release re-run of `cargo xtask load`, so that it never re-runs itself again.
const RERUN_ENV: &str = "XTASK_LOAD_RELEASE_RERUN";

/// `cargo xtask` builds unoptimized, and an unoptimized load generator is the bottleneck (it caps the
/// lone emulator at about a quarter of what it serves to an optimized one), so `load` runs itself again
/// with `cargo run --release -p xtask` and exits with its status.
fn rerun_in_release(root: &std::path::Path) -> ! {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("load: running the load generator optimized: cargo run --release -p xtask -- load ...");
    let status = std::process::Command::new(cargo)
        .args(["run", "--release", "-p", "xtask", "--"])
        .args(std::env::args_os().skip(1))
        .env(RERUN_ENV, "1")
        .current_dir(root)
        .status();
    match status {
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(error) => {
            eprintln!("error: running cargo run --release -p xtask: {error}");
            std::process::exit(1)
        }
    }
}

fn credentials_from_env() -> Result<Credentials> {
    match (env("UNIFIED_RECORD_TOKEN"), env("UNIFIED_RECORD_API_KEY")) {
        (Some(token), None) => Ok(Credentials::bearer(token)),
        (None, Some(key)) => Ok(Credentials::api_key(key)),
        (Some(_), Some(_)) => bail!("set only one of UNIFIED_RECORD_TOKEN and UNIFIED_RECORD_API_KEY"),
        (None, None) => bail!("no credential: set UNIFIED_RECORD_TOKEN (OAuth/bearer) or UNIFIED_RECORD_API_KEY"),
    }
}

/// A non-empty environment variable.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}
