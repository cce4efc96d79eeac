//! The router, its middleware and its shared state.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use tower_http::catch_panic::CatchPanicLayer;
use unified_core::UnifiedError;
use unified_core::cursor::CursorKey;
use unified_core::transport::RetryPolicy;
use unified_store::Store;

use crate::metrics::Metrics;
use crate::reply::plain_error;
use crate::request_id::RequestId;
use crate::routes::{connections, health, providers, records, schemas};
use crate::sandbox::Sandbox;

/// Limits and budgets of the API. Defaults follow the contract.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest accepted request body (413 beyond).
    pub body_limit: usize,
    /// Per provider call.
    pub provider_timeout: Duration,
    pub retry: RetryPolicy,
    /// How long an `Idempotency-Key` is remembered.
    pub idempotency_ttl: Duration,
    /// How long a request waits for another one holding the same `Idempotency-Key`.
    pub idempotency_wait: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            body_limit: 1024 * 1024,
            provider_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            idempotency_ttl: Duration::from_secs(24 * 3600),
            idempotency_wait: Duration::from_secs(60),
        }
    }
}

#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub metrics: Arc<Metrics>,
    pub config: Arc<ServerConfig>,
    /// The provider emulators, when sandbox mode is on (`sk_test_` keys).
    pub sandbox: Option<Arc<Sandbox>>,
    /// Seals list cursors (derived from the store's master key).
    pub cursor_key: Arc<CursorKey>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: ServerConfig) -> Self {
        let cursor_key = Arc::new(records::cursor_key(store.as_ref()));
        Self { store, metrics: Arc::new(Metrics::new()), config: Arc::new(config), sandbox: None, cursor_key }
    }

    pub fn with_sandbox(mut self, sandbox: Arc<Sandbox>) -> Self {
        self.sandbox = Some(sandbox);
        self
    }
}

pub fn router(state: AppState) -> Router {
    let body_limit = state.config.body_limit;
    records::mount(Router::new())
        .route("/api/v1/providers", get(providers::list))
        .route("/api/v1/providers/{id}", get(providers::one))
        .route("/api/v1/schemas/{resource}", get(schemas::one))
        .route("/api/v1/openapi.json", get(crate::openapi::serve))
        .route("/api/v1/connections", post(connections::create).get(connections::list))
        .route("/api/v1/connections/{id}", delete(connections::remove))
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .route("/metrics", get(crate::metrics::serve))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(CatchPanicLayer::custom(panicked))
        .layer(middleware::from_fn_with_state(state.clone(), crate::metrics::track))
        // Outermost: every response, a panic's included, carries the request id.
        .layer(middleware::from_fn(crate::request_id::assign))
        .with_state(state)
}

async fn not_found(request_id: RequestId) -> Response {
    plain_error(Some(&request_id), StatusCode::NOT_FOUND, "not_found", "No such endpoint")
}

async fn method_not_allowed(request_id: RequestId) -> Response {
    plain_error(
        Some(&request_id),
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Method not allowed on this endpoint",
    )
}

/// A panic is a bug: the caller gets the contract's 500, with nothing of the panic in it. The request-id
/// middleware sees the marker and renders the envelope with the request's id.
fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a handler panicked");
    let mut response = crate::reply::error_response(&UnifiedError::internal("panic"), None).into_response();
    response.extensions_mut().insert(Panicked);
    response
}

/// Marks the response of a panicked handler.
#[derive(Debug, Clone, Copy)]
pub struct Panicked;
