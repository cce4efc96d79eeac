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
mod gate;
pub mod ids;
mod model;
mod oauth;
mod query;
pub mod schema;
mod sobjects;
mod store;
mod time;
mod validate;

#[cfg(test)]
mod tests;

use std::future::Future;
use std::pin::Pin;

use axum::Router;

pub use model::Salesforce;

/// A fresh emulator (an org with its users, its lead queue and its custom fields) as an axum router.
pub fn router() -> Router {
    unified_emulator::router::<Salesforce>()
}

/// Serves a fresh emulator on a bound listener until the process ends (the registry's `EmulatorFn`).
pub fn serve(listener: std::net::TcpListener) -> Pin<Box<dyn Future<Output = std::io::Result<()>> + Send>> {
    unified_emulator::serve::<Salesforce>(listener)
}

/// A running emulator on a loopback port, for tests (its base URL is the instance URL). Dropping it
/// stops the server.
pub type Emulator = unified_emulator::Emulator<Salesforce>;
