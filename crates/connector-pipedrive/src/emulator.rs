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
mod gate;
mod meta;
mod model;
mod oauth;
mod objects;
mod schema;
mod store;
mod time;
mod validate;

#[cfg(test)]
mod tests;

use std::future::Future;
use std::pin::Pin;

use axum::Router;

pub use model::Pipedrive;

/// A fresh emulator (an empty company with its seeded users and fields) as an axum router.
pub fn router() -> Router {
    unified_emulator::router::<Pipedrive>()
}

/// Serves a fresh emulator on a bound listener until the process ends (the registry's `EmulatorFn`).
pub fn serve(listener: std::net::TcpListener) -> Pin<Box<dyn Future<Output = std::io::Result<()>> + Send>> {
    unified_emulator::serve::<Pipedrive>(listener)
}

/// A running emulator on a loopback port, for tests. Dropping it stops the server.
pub type Emulator = unified_emulator::Emulator<Pipedrive>;
