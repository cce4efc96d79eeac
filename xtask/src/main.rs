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
    }
    Ok(())
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
