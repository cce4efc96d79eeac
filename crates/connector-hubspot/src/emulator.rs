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
mod gate;
mod list;
mod model;
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
mod store;
mod time;
mod update;
mod validate;

#[cfg(test)]
mod tests;

use std::future::Future;
use std::pin::Pin;

use axum::Router;

pub use model::HubSpot;
pub use schema::association_target;

/// A fresh emulator (empty portal, seeded owners and custom properties) as an axum router.
pub fn router() -> Router {
    unified_emulator::router::<HubSpot>()
}

/// Serves a fresh emulator on a bound listener until the process ends (the registry's `EmulatorFn`).
pub fn serve(listener: std::net::TcpListener) -> Pin<Box<dyn Future<Output = std::io::Result<()>> + Send>> {
    unified_emulator::serve::<HubSpot>(listener)
}

/// A running emulator on a loopback port, for tests. Dropping it stops the server.
pub type Emulator = unified_emulator::Emulator<HubSpot>;
