//! The record calls of api.md sections 1 and 6, for every resource: one table that the router mounts
//! and the OpenAPI document describes, and one handler generic over the operation.
//!
//! Order of checks: API key, resource, query, provider, resource and operation support, id, content
//! type, body size, body (every problem at once), `Idempotency-Key`, connection; only then the provider
//! is called.

mod connection;
mod execute;
pub mod query;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, on};
use serde::Deserialize;
use unified_core::{FieldError, Operation, ResourceKind, UnifiedError, pipeline, registry};

use crate::app::AppState;
use crate::auth::Caller;
use crate::idempotency::{self, Claim};
use crate::metrics::RequestTags;
use crate::reply::error_response;
use crate::request_id::RequestId;
use execute::{Body, Execution};
pub use execute::{DeletedRef, ListData, RecordData, cursor_key};
pub use query::RecordQuery;

/// One record operation as the API serves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordRoute {
    pub operation: Operation,
    pub method: &'static str,
    pub path: &'static str,
    /// The status and `message` of its success.
    pub status: u16,
    pub message: &'static str,
}

/// The routes of every record operation. The router mounts exactly these, and the OpenAPI document
/// describes exactly these, for every resource.
pub const RECORD_ROUTES: [RecordRoute; 5] = [
    RecordRoute {
        operation: Operation::Create,
        method: "POST",
        path: "/api/v1/{resource}",
        status: 201,
        message: "Created",
    },
    RecordRoute { operation: Operation::List, method: "GET", path: "/api/v1/{resource}", status: 200, message: "OK" },
    RecordRoute {
        operation: Operation::Get,
        method: "GET",
        path: "/api/v1/{resource}/{id}",
        status: 200,
        message: "OK",
    },
    RecordRoute {
        operation: Operation::Update,
        method: "PATCH",
        path: "/api/v1/{resource}/{id}",
        status: 200,
        message: "Updated",
    },
    RecordRoute {
        operation: Operation::Delete,
        method: "DELETE",
        path: "/api/v1/{resource}/{id}",
        status: 200,
        message: "Deleted",
    },
];

impl RecordRoute {
    pub fn of(operation: Operation) -> &'static RecordRoute {
        RECORD_ROUTES.iter().find(|r| r.operation == operation).expect("every operation has a route")
    }

    fn filter(&self) -> MethodFilter {
        match self.method {
            "POST" => MethodFilter::POST,
            "GET" => MethodFilter::GET,
            "PATCH" => MethodFilter::PATCH,
            _ => MethodFilter::DELETE,
        }
    }

    /// Whether the operation writes (and so takes an `Idempotency-Key`).
    pub fn writes(&self) -> bool {
        matches!(self.operation, Operation::Create | Operation::Update | Operation::Delete)
    }

    /// Whether the operation takes a JSON body.
    pub fn has_body(&self) -> bool {
        matches!(self.operation, Operation::Create | Operation::Update)
    }
}

/// Mounts [`RECORD_ROUTES`] on `router`.
pub fn mount(mut router: Router<AppState>) -> Router<AppState> {
    let mut by_path: Vec<(&'static str, axum::routing::MethodRouter<AppState>)> = Vec::new();
    for route in &RECORD_ROUTES {
        let operation = route.operation;
        let handler = on(
            route.filter(),
            move |state: State<AppState>,
                  request_id: RequestId,
                  caller: Caller,
                  path: Path<RecordPath>,
                  query: RawQuery,
                  headers: HeaderMap,
                  body: Result<Bytes, BytesRejection>| {
                record(operation, state, request_id, caller, path, query, headers, body)
            },
        );
        match by_path.iter_mut().find(|(path, _)| *path == route.path) {
            Some((_, methods)) => *methods = std::mem::take(methods).merge(handler),
            None => by_path.push((route.path, handler)),
        }
    }
    for (path, methods) in by_path {
        router = router.route(path, methods);
    }
    router
}

/// `/api/v1/{resource}` and `/api/v1/{resource}/{id}`.
#[derive(Debug, Deserialize)]
pub struct RecordPath {
    resource: String,
    #[serde(default)]
    id: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn record(
    operation: Operation,
    State(state): State<AppState>,
    request_id: RequestId,
    caller: Caller,
    Path(path): Path<RecordPath>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let mut tags = RequestTags { provider: "-".into(), resource: "-".into(), operation: operation.as_str() };
    let outcome =
        handle(operation, &state, &request_id, &caller, &path, query.as_deref(), &headers, body, &mut tags).await;
    let mut response = outcome.unwrap_or_else(|error| error_response(&error, Some(&request_id)));
    response.extensions_mut().insert(tags);
    response
}

#[allow(clippy::too_many_arguments)]
async fn handle(
    operation: Operation,
    state: &AppState,
    request_id: &RequestId,
    caller: &Caller,
    path: &RecordPath,
    query: Option<&str>,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    tags: &mut RequestTags,
) -> Result<Response, UnifiedError> {
    let route = RecordRoute::of(operation);
    let resource: ResourceKind = path.resource.parse()?;
    tags.resource = resource.as_str().to_owned();
    let query = RecordQuery::parse(operation, query)?;
    let descriptor = registry::lookup(&query.provider)?;
    tags.provider = descriptor.id.to_owned();
    pipeline::support_for(descriptor, resource, operation)?;
    let id = path.id.clone().unwrap_or_default();
    if path.id.is_some() {
        pipeline::check_id(&id)?;
    }
    let (parsed, raw) = if route.has_body() {
        json_content_type(headers)?;
        let raw = body_bytes(body, state.config.body_limit)?;
        let parsed = match operation {
            Operation::Create => Body::Input(pipeline::prepare_json(descriptor, resource, &raw)?),
            _ => Body::Patch(pipeline::prepare_patch(descriptor, resource, &raw)?),
        };
        (parsed, raw)
    } else {
        (Body::None, Bytes::new())
    };
    let idempotency_key = if route.writes() { idempotency::key_from(headers)? } else { None };
    let connection = connection::find(state, caller, descriptor, &query.end_user_id).await?;

    // Keys are scoped by tenant (in the store) and by mode (here): a test request never answers a live one.
    let claim = match &idempotency_key {
        None => Claim::None,
        Some(key) => {
            let hash = idempotency::record_hash(operation, resource, &id, &query, &raw);
            let scoped = format!("{}:{key}", caller.mode());
            idempotency::claim(state, caller.tenant_id(), &scoped, &hash, request_id).await?
        }
    };
    let key = match claim {
        Claim::Replay(response) => return Ok(response),
        Claim::Owned(key) => Some(key),
        Claim::None => None,
    };
    let execution = Execution {
        state: state.clone(),
        descriptor,
        connection,
        route,
        resource,
        id,
        body: parsed,
        query,
        request_id: request_id.clone(),
        tenant_id: caller.tenant_id().to_owned(),
        key,
    };
    if !route.writes() {
        return Ok(execution.run().await?.into_response());
    }
    // A write and its idempotency bookkeeping run in their own task: a client that hangs up does not
    // cancel them halfway, so the key is always completed or released. The task keeps the request's
    // span, so that its provider calls log with the request id.
    let owned_key = execution.key.clone();
    let task = tokio::spawn(tracing::Instrument::instrument(execution.run(), tracing::Span::current()));
    match task.await {
        Ok(done) => Ok(done?.into_response()),
        Err(join_error) => {
            if let Some(key) = &owned_key
                && let Err(e) = state.store.idempotency_release(caller.tenant_id(), key).await
            {
                tracing::error!(error = %e, "could not release the idempotency key");
            }
            Err(UnifiedError::internal(format!("the {operation} task failed: {join_error}")))
        }
    }
}

/// A body must say it is JSON (`application/json`, any parameters, or a `+json` type).
fn json_content_type(headers: &HeaderMap) -> Result<(), UnifiedError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    if essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json")) {
        Ok(())
    } else {
        let got = if content_type.is_empty() { "none".to_owned() } else { format!("`{content_type}`") };
        Err(UnifiedError::Validation {
            details: vec![FieldError::new("body", format!("Content-Type must be application/json (got {got})"))],
        })
    }
}

fn body_bytes(body: Result<Bytes, BytesRejection>, limit: usize) -> Result<Bytes, UnifiedError> {
    match body {
        Ok(bytes) if bytes.len() > limit => Err(UnifiedError::PayloadTooLarge { limit }),
        Ok(bytes) => Ok(bytes),
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            Err(UnifiedError::PayloadTooLarge { limit })
        }
        Err(rejection) => Err(UnifiedError::Validation {
            details: vec![FieldError::new("body", format!("could not be read: {}", rejection.body_text()))],
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        let with = |value: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, value.parse().unwrap());
            json_content_type(&h)
        };
        assert!(with("application/json").is_ok());
        assert!(with("Application/JSON; charset=utf-8").is_ok());
        assert!(with("application/vnd.api+json").is_ok());
        assert!(with("text/plain").is_err());
        assert!(json_content_type(&HeaderMap::new()).is_err());
    }

    #[test]
    fn every_operation_has_one_route() {
        for operation in Operation::ALL {
            assert_eq!(RECORD_ROUTES.iter().filter(|r| r.operation == operation).count(), 1, "{operation}");
        }
    }
}
