//! `Idempotency-Key`: the same key with the same request within the TTL returns the stored response
//! and calls no provider; a different request gets 409; concurrent holders wait for the first.

use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use unified_core::{FieldError, Operation, ResourceKind, UnifiedError};
use unified_store::IdempotencyBegin;

use crate::app::AppState;
use crate::reply::Reply;
use crate::request_id::RequestId;
use crate::routes::records::RecordQuery;

/// A replayed error names this request's id (the same as its `x-request-id`); a 201 has none.
fn with_request_id(body: Vec<u8>, request_id: &RequestId) -> Vec<u8> {
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(&body) else { return body };
    match value.pointer_mut("/error/requestId") {
        Some(slot) => *slot = serde_json::Value::String(request_id.as_str().to_owned()),
        None => return body,
    }
    serde_json::to_vec(&value).unwrap_or(body)
}

pub const HEADER: &str = "idempotency-key";

const MISMATCH: &str = "This Idempotency-Key was used with a different request";
const IN_PROGRESS: &str = "A request with this Idempotency-Key is still in progress; retry later";

/// What a request holds after claiming its key.
#[derive(Debug)]
pub enum Claim {
    /// No `Idempotency-Key` was sent.
    None,
    /// This request owns the key and must complete or release it.
    Owned(String),
    /// The stored response of the first request with this key.
    Replay(Response),
}

/// The header, when sent: printable ASCII, 1 to 255 characters.
pub fn key_from(headers: &HeaderMap) -> Result<Option<String>, UnifiedError> {
    let Some(value) = headers.get(HEADER) else { return Ok(None) };
    let text = value.to_str().unwrap_or_default();
    let valid = !text.is_empty() && text.len() <= 255 && text.bytes().all(|b| (0x20..0x7f).contains(&b));
    if valid {
        Ok(Some(text.to_owned()))
    } else {
        Err(UnifiedError::Validation {
            details: vec![FieldError::new("Idempotency-Key", "must be 1 to 255 printable ASCII characters")],
        })
    }
}

/// What identifies "the same record call": operation, resource, id, query and body bytes.
pub fn record_hash(
    operation: Operation,
    resource: ResourceKind,
    id: &str,
    query: &RecordQuery,
    body: &[u8],
) -> [u8; 32] {
    let include = if query.include_remote_data { "1" } else { "0" };
    request_hash(&[operation.as_str(), resource.as_str(), id, &query.provider, &query.end_user_id, include], body)
}

/// What identifies "the same request": its parts and body bytes.
pub fn request_hash(parts: &[&str], body: &[u8]) -> [u8; 32] {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hash.update(body);
    hash.finalize().into()
}

pub async fn claim(
    state: &AppState,
    tenant_id: &str,
    key: &str,
    hash: &[u8; 32],
    request_id: &RequestId,
) -> Result<Claim, UnifiedError> {
    let deadline = tokio::time::Instant::now() + state.config.idempotency_wait;
    loop {
        let begin = state
            .store
            .idempotency_begin(tenant_id, key, hash, state.config.idempotency_ttl)
            .await
            .map_err(|e| UnifiedError::internal(format!("claiming the idempotency key: {e}")))?;
        match begin {
            IdempotencyBegin::Started => return Ok(Claim::Owned(key.to_owned())),
            IdempotencyBegin::Replay { status, body } => {
                let mut response = Reply::stored(status, with_request_id(body, request_id)).into_response();
                response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
                return Ok(Claim::Replay(response));
            }
            IdempotencyBegin::Mismatch => return Err(UnifiedError::IdempotencyConflict { reason: MISMATCH.into() }),
            IdempotencyBegin::InProgress if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(std::time::Duration::from_millis(25)).await;
            }
            IdempotencyBegin::InProgress => {
                return Err(UnifiedError::IdempotencyConflict { reason: IN_PROGRESS.into() });
            }
        }
    }
}
