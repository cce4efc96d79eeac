//! `unified`: the server and its administration commands.
//!
//! Exit codes: 0 success, 2 usage error, 1 anything else (one line on stderr).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use unified_server::serve::{ServeOptions, redact_url};
use unified_server::telemetry::{self, LogFormat};
use unified_store::{Mode, NewConnection, StoredCredentials};

#[derive(Debug, Parser)]
#[command(name = "unified", version, about = "The unified CRM API: one create call for every CRM")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP API.
    Serve(ServeArgs),
    /// Manage API keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Manage end users' provider connections.
    #[command(subcommand)]
    Connections(Box<ConnectionsCommand>),
    /// Run one provider's emulator alone (load tests, trying the API).
    Emulator(EmulatorArgs),
}

#[derive(Debug, Args)]
struct EmulatorArgs {
    /// A registered provider id (`hubspot`).
    provider: String,
    #[arg(long, env = "UNIFIED_EMULATOR_LISTEN", default_value = "127.0.0.1:5002")]
    listen: SocketAddr,
    #[arg(long, env = "UNIFIED_LOG_FORMAT", value_enum, default_value = "pretty")]
    log_format: LogFormat,
}

#[derive(Debug, Args)]
struct Database {
    /// `sqlite://PATH` (created on first start) or `postgres://...`.
    #[arg(long, env = "UNIFIED_DATABASE_URL", default_value = "sqlite://unified.db")]
    database_url: String,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "UNIFIED_LISTEN", default_value = "127.0.0.1:5001")]
    listen: SocketAddr,
    #[command(flatten)]
    database: Database,
    /// Log line format.
    #[arg(long, env = "UNIFIED_LOG_FORMAT", value_enum, default_value = "pretty")]
    log_format: LogFormat,
    /// Seconds that in-flight requests get to finish after SIGTERM or Ctrl-C.
    #[arg(long, env = "UNIFIED_SHUTDOWN_GRACE", default_value_t = 30)]
    shutdown_grace: u64,
    /// Milliseconds between checks for keys and connections changed by other processes; authenticated
    /// keys and connections are kept in memory meanwhile. 0 reads them from the database on every request.
    #[arg(long, env = "UNIFIED_CACHE_POLL_MS", default_value_t = 1000)]
    cache_poll_ms: u64,
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Create an API key; prints the key, and nothing else, on stdout.
    Create {
        #[arg(long, value_parser = ["test", "live"])]
        mode: String,
        #[arg(long, env = "UNIFIED_TENANT", default_value = "default")]
        tenant: String,
        #[command(flatten)]
        database: Database,
    },
    /// List keys (display prefixes only; keys are never stored).
    List {
        #[command(flatten)]
        database: Database,
    },
    /// Revoke the keys whose display prefix starts with PREFIX.
    Revoke {
        prefix: String,
        #[command(flatten)]
        database: Database,
    },
}

#[derive(Debug, Subcommand)]
enum ConnectionsCommand {
    /// Register an end user's connection to a provider.
    Add(Box<AddConnection>),
    /// List connections.
    List {
        #[arg(long)]
        end_user: Option<String>,
        #[command(flatten)]
        database: Database,
    },
    /// Remove a connection by id.
    Remove {
        id: String,
        #[command(flatten)]
        database: Database,
    },
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("credential").required(true).args(["access_token", "api_key"])))]
struct AddConnection {
    #[arg(long)]
    end_user: String,
    #[arg(long)]
    provider: String,
    #[arg(long)]
    access_token: Option<String>,
    #[arg(long, requires = "access_token")]
    refresh_token: Option<String>,
    /// RFC 3339.
    #[arg(long, requires = "access_token")]
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
    #[arg(long)]
    api_key: Option<String>,
    /// Provider setting, `key=value`; repeatable.
    #[arg(long = "setting", value_parser = parse_setting)]
    settings: Vec<(String, String)>,
    /// Overrides the provider's API base URL (regional or self-hosted endpoints, tests).
    #[arg(long)]
    base_url: Option<url::Url>,
    #[arg(long, value_parser = ["live", "test"], default_value = "live")]
    mode: String,
    #[arg(long, env = "UNIFIED_TENANT", default_value = "default")]
    tenant: String,
    #[command(flatten)]
    database: Database,
}

fn parse_setting(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err(format!("`{text}` is not key=value")),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => return fail(&anyhow::Error::from(e)),
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn fail(error: &anyhow::Error) -> ExitCode {
    eprintln!("error: {}", format!("{error:#}").replace('\n', " "));
    ExitCode::FAILURE
}

async fn run(command: Command) -> Result<()> {
    match command {
        Command::Serve(args) => {
            telemetry::init(args.log_format);
            unified_server::serve::run(ServeOptions {
                listen: args.listen,
                database_url: args.database.database_url,
                grace: Duration::from_secs(args.shutdown_grace),
                cache_poll: (args.cache_poll_ms > 0).then(|| Duration::from_millis(args.cache_poll_ms)),
                config: Default::default(),
            })
            .await
        }
        Command::Keys(command) => keys(command).await,
        Command::Connections(command) => connections(*command).await,
        Command::Emulator(args) => emulator(args).await,
    }
}

async fn emulator(args: EmulatorArgs) -> Result<()> {
    telemetry::init(args.log_format);
    let descriptor = unified::registry::lookup(&args.provider).map_err(|e| anyhow::anyhow!(e.message()))?;
    let Some(serve) = descriptor.emulator else { bail!("{} has no emulator in this build", descriptor.name) };
    let listener = std::net::TcpListener::bind(args.listen).with_context(|| format!("listening on {}", args.listen))?;
    let address = listener.local_addr()?;
    println!("{} emulator on http://{address} (control plane: http://{address}/_emulator/)", descriptor.name);
    tokio::select! {
        result = serve(listener) => result.context("the emulator stopped")?,
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(())
}

async fn open(database: &Database) -> Result<std::sync::Arc<dyn unified_store::Store>> {
    unified_store::open(&database.database_url)
        .await
        .with_context(|| format!("opening the store at {}", redact_url(&database.database_url)))
}

async fn keys(command: KeysCommand) -> Result<()> {
    match command {
        KeysCommand::Create { mode, tenant, database } => {
            let mode = Mode::parse(&mode).context("mode")?;
            let key = open(&database).await?.create_api_key(&tenant, mode).await?;
            println!("{}", key.secret);
        }
        KeysCommand::List { database } => {
            println!("{:<20} {:<16} {:<5} {:<25} REVOKED", "PREFIX", "TENANT", "MODE", "CREATED");
            for key in open(&database).await?.list_api_keys().await? {
                let revoked = key.revoked_at.map_or_else(|| "-".to_owned(), |t| t.to_rfc3339());
                println!(
                    "{:<20} {:<16} {:<5} {:<25} {revoked}",
                    key.prefix,
                    key.tenant_name,
                    key.mode,
                    key.created_at.to_rfc3339()
                );
            }
        }
        KeysCommand::Revoke { prefix, database } => {
            let count = open(&database).await?.revoke_api_keys(&prefix).await?;
            if count == 0 {
                bail!("no active key has the prefix `{prefix}` (see `unified keys list`)");
            }
            println!("revoked {count} key(s)");
        }
    }
    Ok(())
}

async fn connections(command: ConnectionsCommand) -> Result<()> {
    match command {
        ConnectionsCommand::Add(args) => {
            let descriptor = unified::registry::lookup(&args.provider).map_err(|e| anyhow::anyhow!(e.message()))?;
            let credentials = match (args.access_token, args.api_key) {
                (Some(access_token), None) => StoredCredentials::Oauth {
                    access_token,
                    refresh_token: args.refresh_token,
                    expires_at: args.expires_at,
                },
                (None, Some(api_key)) => StoredCredentials::ApiKey { api_key },
                _ => bail!("give exactly one of --access-token and --api-key"),
            };
            if let Some(problem) = unified_server::routes::connections::credential_problem(descriptor, &credentials) {
                bail!("{problem}");
            }
            let store = open(&args.database).await?;
            let tenant = store.tenant(&args.tenant).await?;
            let connection = store
                .insert_connection(NewConnection {
                    tenant_id: tenant.id,
                    mode: Mode::parse(&args.mode).context("mode")?,
                    end_user_id: args.end_user,
                    provider: descriptor.id.to_owned(),
                    credentials,
                    settings: args.settings.into_iter().collect(),
                    base_url: args.base_url.map(|u| u.to_string().trim_end_matches('/').to_owned()),
                })
                .await?;
            println!("{}", connection.id);
        }
        ConnectionsCommand::List { end_user, database } => {
            println!("{:<32} {:<5} {:<20} {:<12} {:<13} CREATED", "ID", "MODE", "END USER", "PROVIDER", "STATUS");
            for c in open(&database).await?.list_connections(None, None, end_user.as_deref()).await? {
                println!(
                    "{:<32} {:<5} {:<20} {:<12} {:<13} {}",
                    c.id,
                    c.mode,
                    c.end_user_id,
                    c.provider,
                    c.status.as_str(),
                    c.created_at.to_rfc3339()
                );
            }
        }
        ConnectionsCommand::Remove { id, database } => {
            if !open(&database).await?.delete_connection(None, &id).await? {
                bail!("no connection with id `{id}`");
            }
            println!("removed {id}");
        }
    }
    Ok(())
}
