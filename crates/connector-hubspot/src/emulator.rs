//! A HubSpot emulator (feature `emulator`): the endpoints this connector calls, in HubSpot's own wire
//! format, over an in-memory portal. Sandbox mode runs it inside the server, `unified emulator hubspot`
//! runs it alone, and `tests/emulator_fidelity.rs` replays every recorded fixture against it.
//!
//! Provider endpoints (also under the date-based paths: `/crm/objects/2026-03/contacts`,
//! `/crm/associations/2026-03/...`, `/crm/properties/2026-03/...`):
//!
//! - `POST /crm/v3/objects/{contacts|companies|deals|leads|meetings}`: create, with HubSpot's property
//!   validation, association checks and the duplicate-e-mail `409`.
//! - `GET /crm/v3/objects/{type}/{id}?properties=a,b&associations=contacts&idProperty=email&archived=true`
//! - `GET /crm/v3/objects/{type}?limit=&after=&properties=&associations=&archived=`: by id, 100 a page.
//! - `PATCH /crm/v3/objects/{type}/{id}` `{"properties":{…}}`: validated like a create, `""` clears.
//! - `DELETE /crm/v3/objects/{type}/{id}`: archives (`204`).
//! - `POST /crm/v3/objects/{type}/search`: filter groups, sorts, `query`, HubSpot's limits.
//! - `POST /crm/v3/objects/{type}/batch/read` `{"properties","idProperty"?,"inputs":[{"id"}]}`.
//! - `POST /crm/v4/associations/{from}/{to}/batch/read`, `GET /crm/v4/objects/{type}/{id}/associations/{to}`,
//!   `PUT /crm/v4/objects/{type}/{id}/associations/default/{to}/{toId}`, `PUT|DELETE
//!   /crm/v4/objects/{type}/{id}/associations/{to}/{toId}`.
//! - `GET /crm/v3/properties/{type}` and `GET /crm/v3/properties/{type}/{name}`: the portal's schema.
//! - `GET /crm/v3/owners/{ownerId}` and `GET /crm/v3/owners`: the portal's owners (three to start with).
//! - `POST /oauth/v1/token`, `/oauth/v3/token`, `/oauth/2026-03/token`: `authorization_code` and
//!   `refresh_token` grants, any client id and secret. Access tokens live 1800 s.
//!
//! `/crm/*` needs `Authorization: Bearer <token>`: a token this emulator issued, or any token starting
//! with `sandbox-` (always valid until an `expire_token` fault). Every provider response carries
//! HubSpot's rate-limit headers.
//!
//! The control plane lives under `/_emulator/` (never a provider path; faults never apply to it):
//!
//! - `POST /_emulator/faults` `{"kind":"rate_limit"|"server_error"|"slow"|"locked"|"migrating"|
//!   "missing_scopes"|"expire_token","count":N,"retryAfter":S,"delayMs":MS,"status":502|503,
//!   "policyName":"DAILY","scopes":["crm.objects.deals.write"]}`; `GET` lists the pending ones, `DELETE`
//!   clears them.
//! - `GET /_emulator/records` (`?archived=true` adds archived records), `GET|POST /_emulator/records/{type}`
//!   (`POST` seeds `{"id"?,"properties":{...},"createdAt"?,"updatedAt"?}`, an array of those, or a run
//!   `{"count":N,"properties":{"email":"c{i}@example.com"},"createdAt"?,"updatedAt"?,"stepMs"?}`; a `null`
//!   value is a cleared one, and records are stored in the body's order, which search ties follow).
//! - `POST /_emulator/associations` `[{"fromObjectType","fromObjectId","toObjectType","toObjectId",
//!   "associationTypeId"|"associationType"}]`: associations between stored records, as given.
//! - `GET|POST /_emulator/owners`: the owners, deactivated ones too; `POST` adds one or an array in
//!   HubSpot's owner shape.
//! - `GET /_emulator/stats`, `POST /_emulator/reset`, `POST /_emulator/clock` `{"advanceSeconds":N}`.

mod associations;
mod batch;
mod control;
mod errors;
mod faults;
mod filters;
mod form;
mod gate;
mod list;
mod oauth;
mod objects;
mod owners;
mod properties;
mod render;
mod request;
mod schema;
mod scopes;
mod search;
mod seed;
mod seed_links;
mod state;
mod store;
mod update;
mod validate;

#[cfg(test)]
mod tests;

use std::future::Future;
use std::net::Ipv4Addr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use axum::Router;

pub use schema::association_target;

/// A fresh emulator (empty portal, seeded owners and custom properties) as an axum router.
pub fn router() -> Router {
    let shared = Arc::new(Mutex::new(state::State::new()));
    let provider = Router::new()
        .merge(objects::router())
        .merge(associations::router())
        .merge(properties::router())
        .merge(owners::router())
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
                tracing::error!(%error, "the HubSpot emulator stopped");
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
