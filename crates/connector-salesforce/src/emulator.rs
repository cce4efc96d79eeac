//! A Salesforce emulator (feature `emulator`): the REST API endpoints this connector calls, in
//! Salesforce's own wire format, over an in-memory org. Sandbox mode runs it inside the server, `unified
//! emulator salesforce` runs it alone, and `tests/emulator_fidelity.rs` replays every recorded fixture
//! against it. Its base URL serves the REST API directly (it is its own `instance_url`).
//!
//! Provider endpoints (`{version}` is any of `v20.0` … `v66.0`):
//!
//! - `POST /services/data/{version}/sobjects/{SObject}/`: create `Account`, `Contact`, `Lead`,
//!   `Opportunity`, `OpportunityContactRole`, `Event`, `EventRelation`, with Salesforce's checks (unknown
//!   and read-only fields, JSON types, required fields, lengths, e-mails, restricted picklists, state and
//!   country picklists, lookups, event rules) and the standard duplicate rules of contacts and leads
//!   (same e-mail and last name: `DUPLICATES_DETECTED`, unless `Sforce-Duplicate-Rule-Header:
//!   allowSave=true`). Answers `201 {"id","success","errors"}` with an 18-character id of the object's key
//!   prefix (`003` Contact, `00Q` Lead, `006` Opportunity, `00U` Event, `001` Account, …).
//! - `GET /services/data/{version}/sobjects/{SObject}/{id}?fields=A,B`: the record, timestamps as
//!   `2026-05-14T09:31:02.000+0000`; also the seeded `User`s (`005…`) and the lead `Group` queue (`00G…`).
//! - `DELETE /services/data/{version}/sobjects/{SObject}/{id}`: `204`.
//! - `GET /services/data/{version}/query?q=SOQL`: `SELECT … FROM … [WHERE … AND …] [ORDER BY …]
//!   [LIMIT n]` with `=`, `!=` and `IN`, text compared ignoring case.
//! - `POST /services/data/{version}/composite/sobjects`: sObject Collections create (`allOrNone`).
//! - `GET /services/data/`: the versions. `POST /services/oauth2/token`: the `refresh_token` grant,
//!   any client id and secret; sessions last 7200 s.
//!
//! REST calls need `Authorization: Bearer <token>`: a token this emulator issued, or any token starting
//! with `sandbox-` (always valid until an `expire_token` fault); otherwise `401 INVALID_SESSION_ID`.
//! Every REST answer carries `Sforce-Limit-Info: api-usage=N/15000`; past 15,000 calls the org answers
//! `403 REQUEST_LIMIT_EXCEEDED` (`TotalRequests Limit exceeded.`) until reset.
//!
//! The control plane lives under `/_emulator/` (never a provider path; faults never apply to it):
//!
//! - `POST /_emulator/faults` `{"kind":"rate_limit"|"server_error"|"slow"|"expire_token","count":N,
//!   "limit":"TotalRequests"|"ConcurrentPerOrgLongTxn","retryAfter":S,"delayMs":MS,"status":500|502|503|504}`
//!   (`retryAfter` without `limit`: the short-window concurrency limit); `GET` lists the pending ones,
//!   `DELETE` clears them.
//! - `GET|POST /_emulator/org` `{"multiCurrency","stateCountryPicklists","sharedActivities"}`: the org's
//!   features (all off in a fresh org).
//! - `GET /_emulator/records`, `GET|POST /_emulator/records/{SObject}` (`POST` seeds `{"id"?,"fields":{}}`).
//! - `GET /_emulator/stats`, `POST /_emulator/reset`, `POST /_emulator/clock` `{"advanceSeconds":N}`.

mod control;
mod errors;
mod faults;
mod form;
mod gate;
pub mod ids;
mod oauth;
mod query;
pub mod schema;
mod sobjects;
mod state;
mod store;
mod validate;

#[cfg(test)]
mod tests;

use std::future::Future;
use std::net::Ipv4Addr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use axum::Router;

/// A fresh emulator (an org with its users, its lead queue and its custom fields) as an axum router.
pub fn router() -> Router {
    let shared = Arc::new(Mutex::new(state::State::new()));
    let provider = Router::new()
        .merge(sobjects::router())
        .merge(oauth::router())
        .fallback(errors::unknown_path)
        .layer(axum::middleware::from_fn_with_state(Arc::clone(&shared), gate::gate));
    Router::new()
        .route("/_emulator/", axum::routing::get(control::index))
        .nest("/_emulator", control::router())
        .merge(provider)
        .with_state(shared)
}

/// Serves a fresh emulator on a bound listener until the process ends (the registry's `EmulatorFn`).
pub fn serve(listener: std::net::TcpListener) -> Pin<Box<dyn Future<Output = std::io::Result<()>> + Send>> {
    Box::pin(async move {
        listener.set_nonblocking(true)?;
        let listener = tokio::net::TcpListener::from_std(listener)?;
        axum::serve(listener, router()).await
    })
}

/// A running emulator on a loopback port, for tests. Dropping it stops the server.
#[derive(Debug)]
pub struct Emulator {
    base_url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Emulator {
    /// Binds `127.0.0.1:0` and serves a fresh emulator on it (needs a tokio runtime).
    pub async fn start() -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let stop = async {
                let _ = stopped.await;
            };
            if let Err(error) = axum::serve(listener, router()).with_graceful_shutdown(stop).await {
                tracing::error!(%error, "the Salesforce emulator stopped");
            }
        });
        Ok(Self { base_url, shutdown: Some(shutdown) })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash: the instance URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The base URL joined with `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
