//! `POST /api/v1/{resource}?provider=&endUserId=`: the create call.
//!
//! Order of checks: API key, resource, query, provider, resource support, content type, body size,
//! body (every problem at once), connection, `Idempotency-Key`; only then the provider is called.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use unified_core::connector::Call;
use unified_core::resource::UnifiedRecord;
use unified_core::transport::{Credentials, ProviderClient, encode_json};
use unified_core::{
    ConnectorDescriptor, FieldError, ProviderFailure, ResourceKind, UnifiedError, UnifiedInput, Warning, pipeline,
    registry,
};
use unified_store::{Connection, ConnectionStatus, Mode, StoredCredentials};

use crate::app::AppState;
use crate::auth::Caller;
use crate::idempotency::{self, Claim};
use crate::metrics::RequestTags;
use crate::reply::{Success, error_response};
use crate::request_id::RequestId;
use crate::sandbox::EMULATOR_BASE_URL;
use crate::tokens::ConnectionTokens;
use std::sync::Arc;

/// The query of a create call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateQuery {
    pub provider: String,
    pub end_user_id: String,
    pub include_remote_data: bool,
}

const QUERY_KEYS: &str = "provider, endUserId, includeRemoteData";

impl CreateQuery {
    pub fn parse(raw: Option<&str>) -> Result<Self, UnifiedError> {
        let invalid = |message: String| UnifiedError::InvalidQuery { message };
        let (mut provider, mut end_user_id, mut include) = (None, None, None);
        for (key, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            let slot = match key.as_ref() {
                "provider" => &mut provider,
                "endUserId" => &mut end_user_id,
                "includeRemoteData" => &mut include,
                other => return Err(invalid(format!("Unknown query parameter `{other}`; allowed: {QUERY_KEYS}"))),
            };
            if slot.replace(value.into_owned()).is_some() {
                return Err(invalid(format!("Query parameter `{key}` is given more than once")));
            }
        }
        let required = |value: Option<String>, name: &str| {
            value
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| invalid(format!("Missing query parameter `{name}` (required: provider, endUserId)")))
        };
        let include_remote_data = match include.as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => return Err(invalid(format!("`includeRemoteData` must be true or false, not `{other}`"))),
        };
        Ok(Self {
            provider: required(provider, "provider")?,
            end_user_id: required(end_user_id, "endUserId")?,
            include_remote_data,
        })
    }
}

/// `data` of a 201: the record, and `warnings` / `remoteData` only when there are any.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedData {
    pub data: UnifiedRecord,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_data: Option<serde_json::Value>,
}

pub async fn create(
    State(state): State<AppState>,
    request_id: RequestId,
    caller: Caller,
    Path(resource): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let outcome = handle(&state, &request_id, &caller, &resource, query.as_deref(), &headers, body).await;
    let (mut response, (provider, resource)) = match outcome {
        Ok(done) => done,
        Err((error, labels)) => (error_response(&error, Some(&request_id)), labels),
    };
    response.extensions_mut().insert(RequestTags { provider, resource });
    response
}

/// (provider, resource) for the request counter; `-` where the request never got that far.
type Labels = (String, String);

async fn handle(
    state: &AppState,
    request_id: &RequestId,
    caller: &Caller,
    resource: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(Response, Labels), (UnifiedError, Labels)> {
    let mut labels: Labels = ("-".into(), "-".into());
    macro_rules! check {
        ($e:expr) => {
            match $e {
                Ok(v) => v,
                Err(e) => return Err((e, labels)),
            }
        };
    }
    let resource: ResourceKind = check!(resource.parse());
    labels.1 = resource.as_str().to_owned();
    let query = check!(CreateQuery::parse(query));
    let descriptor = check!(registry::lookup(&query.provider));
    labels.0 = descriptor.id.to_owned();
    if !descriptor.supports(resource) {
        return Err((
            UnifiedError::UnsupportedResource { provider: descriptor.id.into(), resource: resource.as_str().into() },
            labels,
        ));
    }
    check!(json_content_type(headers));
    let body = check!(body_bytes(body, state.config.body_limit));
    let input = check!(pipeline::prepare_json(descriptor, resource, &body));
    let idempotency_key = check!(idempotency::key_from(headers));
    let connection = check!(connection(state, caller, descriptor, &query).await);

    // Keys are scoped by tenant (in the store) and by mode (here): a test request never answers a live one.
    let claim = match &idempotency_key {
        None => Claim::None,
        Some(key) => {
            let hash = idempotency::request_hash(resource, &query, &body);
            let scoped = format!("{}:{key}", caller.mode());
            check!(idempotency::claim(state, caller.tenant_id(), &scoped, &hash, request_id).await)
        }
    };
    let owned_key = match claim {
        Claim::Replay(response) => return Ok((response, labels)),
        Claim::Owned(key) => Some(key),
        Claim::None => None,
    };

    // The provider call and the idempotency bookkeeping run in their own task: a client that hangs up
    // does not cancel them halfway, so the key is always completed or released.
    let execution = execute(Execution {
        state: state.clone(),
        descriptor,
        connection,
        input,
        include_remote_data: query.include_remote_data,
        request_id: request_id.clone(),
        tenant_id: caller.tenant_id().to_owned(),
        key: owned_key.clone(),
    });
    // The task keeps the request's span, so that its provider calls log with the request id.
    let task = tokio::spawn(tracing::Instrument::instrument(execution, tracing::Span::current()));
    let (status, bytes, retry_after) = match task.await {
        Ok(done) => check!(done),
        Err(join_error) => {
            if let Some(key) = &owned_key
                && let Err(e) = state.store.idempotency_release(caller.tenant_id(), key).await
            {
                tracing::error!(error = %e, "could not release the idempotency key");
            }
            return Err((UnifiedError::internal(format!("the create task failed: {join_error}")), labels));
        }
    };
    let mut response = json_response(status, bytes);
    if let Some(seconds) = retry_after
        && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    Ok((response, labels))
}

/// Everything the provider call needs, owned, so that it can run in a task of its own.
struct Execution {
    state: AppState,
    descriptor: &'static ConnectorDescriptor,
    connection: Connection,
    input: UnifiedInput,
    include_remote_data: bool,
    request_id: RequestId,
    tenant_id: String,
    /// The claimed (mode-scoped) idempotency key, if any.
    key: Option<String>,
}

/// Calls the provider, renders the answer, and completes or releases the idempotency key.
async fn execute(e: Execution) -> Result<(StatusCode, Vec<u8>, Option<u64>), UnifiedError> {
    let client = provider_client(&e.state, e.descriptor, &e.connection)?;
    let call = Call {
        client: &client,
        settings: &e.connection.settings,
        include_remote_data: e.include_remote_data,
        connection_id: &e.connection.id,
    };
    let outcome = pipeline::run(e.descriptor, call, &e.input).await;
    let encode =
        |result: Result<Vec<u8>, serde_json::Error>| result.map_err(|err| UnifiedError::internal(err.to_string()));
    let (status, bytes) = match &outcome {
        Ok(created) => {
            let data = CreatedData {
                data: created.record.clone(),
                warnings: created.warnings.clone(),
                remote_data: created.remote_data.clone(),
            };
            let body = Success { success: true, status_code: 201, message: "Created", data };
            (StatusCode::CREATED, encode(encode_json(&body))?)
        }
        Err(error) => {
            let envelope = error.envelope(Some(e.request_id.as_str()));
            let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, encode(encode_json(&envelope))?)
        }
    };
    if let Some(key) = &e.key {
        // Nothing was created when the provider refused the call (rate limit) or the connector's mapping
        // rejected the body before sending: give the key back so that a corrected retry runs. Anything
        // else, errors included, is remembered: a timed-out create may exist at the provider.
        let nothing_created =
            matches!(outcome, Err(UnifiedError::RateLimited { .. } | UnifiedError::Validation { .. }));
        let stored = if nothing_created {
            e.state.store.idempotency_release(&e.tenant_id, key).await
        } else {
            e.state.store.idempotency_complete(&e.tenant_id, key, status.as_u16(), &bytes).await
        };
        if let Err(err) = stored {
            tracing::error!(error = %err, "could not store the idempotent response");
        }
    }
    Ok((status, bytes, outcome.as_ref().err().and_then(UnifiedError::retry_after)))
}

pub fn json_response(status: StatusCode, bytes: Vec<u8>) -> Response {
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], bytes).into_response()
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

/// The caller's connection for this end user and provider, in its tenant and mode only.
async fn connection(
    state: &AppState,
    caller: &Caller,
    descriptor: &'static ConnectorDescriptor,
    query: &CreateQuery,
) -> Result<Connection, UnifiedError> {
    let store_error = |e: unified_store::StoreError| UnifiedError::internal(format!("finding the connection: {e}"));
    let mut found = state
        .store
        .find_connection(caller.tenant_id(), caller.mode(), &query.end_user_id, descriptor.id)
        .await
        .map_err(store_error)?;
    // Sandbox: a test key's first request for this end user and provider gets an emulator connection.
    if found.is_none()
        && caller.mode() == Mode::Test
        && let Some(sandbox) = &state.sandbox
    {
        found = sandbox
            .connection(state.store.as_ref(), caller.tenant_id(), &query.end_user_id, descriptor.id)
            .await
            .map_err(store_error)?;
    }
    found.ok_or_else(|| UnifiedError::ConnectionNotFound {
        provider: descriptor.id.to_owned(),
        end_user_id: query.end_user_id.clone(),
    })
}

/// The base URL a connection's calls go to: its override, the emulator for a sandbox connection (test
/// mode only: with a live key nothing of the sandbox is reachable), or the provider's live URL.
fn base_url(state: &AppState, connection: &Connection) -> Result<Option<String>, UnifiedError> {
    match connection.base_url.as_deref() {
        Some(EMULATOR_BASE_URL) => {
            let sandbox = state.sandbox.as_ref().filter(|_| connection.mode == Mode::Test);
            let url = sandbox.and_then(|s| s.base_url(&connection.provider)).ok_or_else(|| {
                UnifiedError::internal(format!(
                    "sandbox connection {} but no {} emulator",
                    connection.id, connection.provider
                ))
            })?;
            Ok(Some(url.to_owned()))
        }
        other => Ok(other.map(str::to_owned)),
    }
}

fn provider_client(
    state: &AppState,
    descriptor: &'static ConnectorDescriptor,
    connection: &Connection,
) -> Result<ProviderClient, UnifiedError> {
    if connection.status == ConnectionStatus::NeedsReauth {
        // No retry storm: a refused refresh token is not tried again until the end user re-authorises.
        let message = crate::tokens::needs_reauth_message(descriptor.id);
        return Err(UnifiedError::ProviderAuth(ProviderFailure::new(descriptor.id, None, message)));
    }
    let base_url = base_url(state, connection)?;
    let mut builder = ProviderClient::builder(descriptor)
        .timeout(state.config.provider_timeout)
        .policy(state.config.retry)
        .observer(state.metrics.provider_observer());
    builder = match &connection.credentials {
        StoredCredentials::Oauth { .. } => {
            let api = base_url.clone().unwrap_or_else(|| descriptor.base_url.to_owned());
            let tokens = ConnectionTokens::new(
                Arc::clone(&state.store),
                descriptor,
                connection,
                &api,
                state.config.provider_timeout,
            );
            builder.token_source(Arc::new(tokens))
        }
        StoredCredentials::ApiKey { api_key } => builder.credentials(Credentials::ApiKey(api_key.clone())),
    };
    if let Some(url) = base_url {
        builder = builder.base_url(url);
    }
    builder.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_rules() {
        let ok = CreateQuery::parse(Some("provider=hubspot&endUserId=user%20001&includeRemoteData=true")).unwrap();
        assert_eq!(
            (ok.provider.as_str(), ok.end_user_id.as_str(), ok.include_remote_data),
            ("hubspot", "user 001", true)
        );
        for bad in [
            None,
            Some("provider=hubspot"),
            Some("endUserId=u"),
            Some("provider=&endUserId=u"),
            Some("provider=h&endUserId=u&x=1"),
            Some("provider=h&provider=h&endUserId=u"),
            Some("provider=h&endUserId=u&includeRemoteData=yes"),
        ] {
            assert_eq!(CreateQuery::parse(bad).unwrap_err().code(), "invalid_query", "{bad:?}");
        }
    }

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
}
