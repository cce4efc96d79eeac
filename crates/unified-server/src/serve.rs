//! `unified serve`: open the store (migrations run on every start), seed a first key on an empty
//! database, listen, and on SIGTERM or Ctrl-C stop accepting and let in-flight requests finish
//! within a grace period.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use unified_store::{CachedStore, Mode, Store};

use crate::app::{AppState, ServerConfig, router};
use crate::sandbox::Sandbox;

/// The seed example: the body a newcomer pastes first.
pub const SEED_CONTACT: &str = r#"{"firstName":"Jane","lastName":"Doe","email":"jane.doe@example.com","phone":"+1-555-0100","company":"Acme Corp","jobTitle":"VP of Sales","address":{"street":"123 Main St","city":"San Francisco","state":"CA","postalCode":"94105","country":"US"},"lifecycleStage":"lead","ownerId":"67823451","tags":["vip","prospect"],"source":"website","customFields":{"loyaltyScore":85}}"#;

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub listen: SocketAddr,
    pub database_url: String,
    /// How long in-flight requests may take to finish after a shutdown signal.
    pub grace: Duration,
    /// Keep authenticated keys and connections in memory, checking the database for other processes'
    /// changes this often (see [`unified_store::CachedStore`]); `None` reads them on every request.
    pub cache_poll: Option<Duration>,
    pub config: ServerConfig,
}

pub async fn run(options: ServeOptions) -> anyhow::Result<()> {
    let store = unified_store::open(&options.database_url)
        .await
        .with_context(|| format!("opening the store at {}", redact_url(&options.database_url)))?;
    let store = match options.cache_poll {
        Some(poll) => CachedStore::wrap(store, poll),
        None => store,
    };
    let listener =
        TcpListener::bind(options.listen).await.with_context(|| format!("listening on {}", options.listen))?;
    let address = listener.local_addr()?;
    if let Some(key) = seed_first_key(store.as_ref()).await? {
        // Not `println!`: a closed stdout must not take the server down.
        let _ = writeln!(std::io::stdout(), "{}", first_start_message(&key, address));
    }
    let sandbox = Sandbox::start().await.context("starting the sandbox emulators")?;
    let state = AppState::new(Arc::clone(&store), options.config).with_sandbox(Arc::new(sandbox));
    tracing::info!(%address, database = %redact_url(&options.database_url), "unified is listening");
    serve_until_signal(listener, state, options.grace, shutdown_signal()).await
}

/// Serves until `signal` resolves, then drains: new connections are refused, in-flight requests finish
/// (up to `grace`).
pub async fn serve_until_signal(
    listener: TcpListener,
    state: AppState,
    grace: Duration,
    signal: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let app = router(state);
    let (signalled_tx, mut signalled_rx) = tokio::sync::watch::channel(false);
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        signal.await;
        tracing::info!("shutting down: no new connections; finishing in-flight requests");
        let _ = signalled_tx.send(true);
    });
    let grace_over = async move {
        let _ = signalled_rx.wait_for(|s| *s).await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        result = server => result.context("serving")?,
        () = grace_over => tracing::warn!(grace_secs = grace.as_secs(), "grace period over; exiting with requests in flight"),
    }
    tracing::info!("stopped");
    Ok(())
}

/// On a database with no API key at all: tenant `default` and one test-mode key.
pub async fn seed_first_key(store: &dyn Store) -> anyhow::Result<Option<String>> {
    if store.api_key_count().await? > 0 {
        return Ok(None);
    }
    let key = store.create_api_key("default", Mode::Test).await?;
    Ok(Some(key.secret))
}

pub fn first_start_message(key: &str, address: SocketAddr) -> String {
    format!(
        "Created tenant `default` and a test-mode API key. It is shown once; keep it:\n\n    {key}\n\n\
         Try the seed example:\n\n\
         curl -X POST 'http://{address}/api/v1/contact?provider=hubspot&endUserId=user-001' \\\n  \
         -H 'Authorization: Bearer {key}' \\\n  \
         -H 'Content-Type: application/json' \\\n  \
         -d '{SEED_CONTACT}'\n"
    )
}

/// `postgres://user:password@host/db` → the password never reaches a log line.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("REDACTED"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_body_is_a_valid_contact() {
        let input = unified_core::UnifiedInput::parse(unified_core::ResourceKind::Contact, SEED_CONTACT.as_bytes());
        assert!(input.is_ok(), "{input:?}");
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact_url("postgres://u:secret@h/db"), "postgres://u:REDACTED@h/db");
        assert_eq!(redact_url("sqlite://unified.db"), "sqlite://unified.db");
    }
}
