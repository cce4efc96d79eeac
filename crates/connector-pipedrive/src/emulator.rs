//! A Pipedrive emulator (feature `emulator`): the endpoints this connector calls, in Pipedrive's own wire
//! format, over an in-memory company. Sandbox mode runs it inside the server, `unified emulator pipedrive`
//! runs it alone, and `tests/emulator_fidelity.rs` replays every recorded fixture against it.
//!
//! Provider endpoints (v2 answers `200` to a create, v1 `201`):
//!
//! - `POST /api/v2/persons`, `GET|DELETE /api/v2/persons/{id}`, `GET /api/v2/persons/search?term&fields
//!   &exact_match`; the same for `organizations`; `POST /api/v2/deals`, `GET /api/v2/deals/{id}`;
//!   `POST /api/v2/activities`, `GET /api/v2/activities/{id}?include_fields=attendees`. Strict v2
//!   validation (types, references, custom fields by type), every problem in one
//!   `400 Validation failed: <field>: <why>; ...`.
//! - `POST /api/v1/leads`, `GET /api/v1/leads/{uuid}`: flat custom fields, UUID ids.
//! - `GET /api/v2/personFields`, `/api/v2/dealFields` (`?limit=&cursor=`), `GET /api/v1/leadLabels`,
//!   `GET /api/v1/users`, `/api/v1/users/{id}`, `/api/v1/users/me`: the seeded company (John Smith
//!   `13374021` john.smith@acme.com, Lena Vogel, a deactivated Casey Nguyen; custom fields keyed by
//!   40-character hashes; lead labels Hot, Warm, Cold; pipelines 1 and 2).
//! - `POST /oauth/token`: `refresh_token` and `authorization_code` grants, any client id and secret
//!   (Basic auth or form); answers `api_domain` (this emulator). Access tokens live 3599 s.
//!
//! `/api/*` needs `Authorization: Bearer <token>` (issued here, or any `sandbox-` token) or
//! `x-api-token: sandbox-...`. Every `/api` answer carries Pipedrive's rate-limit headers
//! (`x-ratelimit-*`, `x-daily-ratelimit-token-*`) and spends the daily token budget.
//!
//! The control plane lives under `/_emulator/` (never a provider path; faults never apply to it):
//!
//! - `POST /_emulator/faults` `{"kind":"rate_limit"|"server_error"|"slow"|"expire_token","count":N,
//!   "scope":"burst"|"daily","retryAfter":S,"delayMs":MS,"status":500|502|503|504}`; `GET` lists the
//!   pending ones, `DELETE` clears them.
//! - `GET /_emulator/records` (`?deleted=true` adds deleted records), `GET|POST /_emulator/records/{kind}`
//!   (`POST` seeds a record given in Pipedrive's form).
//! - `GET /_emulator/stats`, `POST /_emulator/reset`, `POST /_emulator/clock` `{"advanceSeconds":N}`.

mod control;
mod errors;
mod faults;
mod form;
mod gate;
mod meta;
mod oauth;
mod objects;
mod schema;
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

/// A fresh emulator (an empty company with its seeded users and fields) as an axum router.
pub fn router() -> Router {
    let shared = Arc::new(Mutex::new(state::State::new()));
    let provider = Router::new()
        .merge(objects::router())
        .merge(meta::router())
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
                tracing::error!(%error, "the Pipedrive emulator stopped");
            }
        });
        Ok(Self { base_url, shutdown: Some(shutdown) })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
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
