//! The unified CRM API server: an axum app over the connector registry and the store.
//!
//! - [`app`]: the router, its middleware and shared state.
//! - [`routes`]: one module per endpoint group; handlers are thin: extract, call, wrap.
//! - [`auth`]: the API key extractor. [`reply`]: success and error envelopes.
//! - [`idempotency`]: `Idempotency-Key` handling. [`metrics`]: Prometheus counters and histograms.
//! - [`openapi`]: the OpenAPI 3.1 document, generated from the same schemars types.
//! - [`serve`]: listening, first-start seeding, graceful shutdown. [`telemetry`]: logs.

pub mod app;
pub mod auth;
pub mod idempotency;
pub mod metrics;
pub mod openapi;
pub mod reply;
pub mod request_id;
pub mod routes;
pub mod sandbox;
pub mod serve;
pub mod telemetry;
pub mod tokens;

pub use app::{AppState, ServerConfig, router};

// Names the facade so that every connector crate it links (and each one's registration) is part of
// whatever links this library: a dependency nothing names is not linked at all.
use unified as _;
