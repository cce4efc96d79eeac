//! The one HTTP client every connector calls through.
//!
//! A connector builds [`RawRequest`]s and sends them with a [`ProviderClient`], which adds the base URL
//! and the auth header, applies the per-call timeout, retries within the [`RetryPolicy`] and classifies
//! the provider's answer into the error model. The bytes go over a [`Backend`]: reqwest in production
//! and sandbox, the recorded exchanges of a fixture in tests.

mod backend;
mod client;
mod credentials;
mod retry;
mod token;

pub use backend::{Backend, Outgoing, ReqwestBackend, SendError};
pub use client::{CallRecord, Observer, ProviderClient, ProviderClientBuilder};
pub use credentials::Credentials;
pub use retry::{RetryPolicy, parse_retry_after};
pub use token::TokenSource;

pub use http::Method;

use http::HeaderMap;
use serde::Deserialize;
use serde::Serialize;

use crate::error::{ProviderFailure, UnifiedError};
use crate::validation::FieldError;

/// A request relative to the connection's base URL.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRequest {
    pub method: Method,
    /// Starts with `/`, e.g. `/crm/v3/objects/contacts`.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<RequestBody>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RequestBody {
    Json(Vec<u8>),
    Form(Vec<u8>),
}

impl RequestBody {
    pub fn content_type(&self) -> &'static str {
        match self {
            Self::Json(_) => "application/json",
            Self::Form(_) => "application/x-www-form-urlencoded",
        }
    }

    pub fn bytes(&self) -> &[u8] {
        match self {
            Self::Json(b) | Self::Form(b) => b,
        }
    }
}

impl RawRequest {
    pub fn get(path: impl Into<String>) -> Self {
        Self { method: Method::GET, path: path.into(), query: Vec::new(), body: None }
    }

    /// A JSON body; serializing the connector's own wire types cannot fail short of a bug.
    pub fn post_json<B: Serialize + ?Sized>(path: impl Into<String>, body: &B) -> Result<Self, UnifiedError> {
        let bytes = encode_json(body).map_err(|e| UnifiedError::internal(format!("serializing a request: {e}")))?;
        Ok(Self { method: Method::POST, path: path.into(), query: Vec::new(), body: Some(RequestBody::Json(bytes)) })
    }

    /// A JSON body sent with `method` (PATCH, PUT).
    pub fn json<B: Serialize + ?Sized>(
        method: Method,
        path: impl Into<String>,
        body: &B,
    ) -> Result<Self, UnifiedError> {
        let mut request = Self::post_json(path, body)?;
        request.method = method;
        Ok(request)
    }

    pub fn delete(path: impl Into<String>) -> Self {
        Self { method: Method::DELETE, path: path.into(), query: Vec::new(), body: None }
    }

    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }
}

/// A record id as one path segment: percent-encoded, so that an id the caller sent can never name
/// another path on the provider's host (`1?archived=true`, `a/b`). The pipeline refuses the ids `.`
/// and `..`, which URL parsers treat as path steps even when encoded.
pub fn path_segment(id: &str) -> std::borrow::Cow<'_, str> {
    const KEEP: fn(u8) -> bool = |b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'~');
    if id.bytes().all(KEEP) {
        return std::borrow::Cow::Borrowed(id);
    }
    let mut out = String::with_capacity(id.len() * 3);
    for b in id.bytes() {
        if KEEP(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A provider's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct RawResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Decodes a success body into the connector's wire type. A body that does not match is the
    /// provider breaking its own contract: `provider_unavailable`, with the parser's reason.
    pub fn json<'a, T: Deserialize<'a>>(&'a self, provider: &str) -> Result<T, UnifiedError> {
        decode_json(&self.body).map_err(|e| {
            let mut failure =
                ProviderFailure::new(provider, Some(self.status), format!("unexpected response body: {e}"));
            failure.body = Some(self.body_value());
            UnifiedError::ProviderUnavailable(failure)
        })
    }

    /// The body as JSON, or as a JSON string when it is not JSON (for `remoteData` and error bodies).
    pub fn body_value(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&self.body).into_owned()))
    }
}

/// Serializes a JSON body into a buffer sized for a typical CRM record, so that it is written once
/// rather than grown through four reallocations.
pub fn encode_json<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    let mut buf = Vec::with_capacity(1024);
    serde_json::to_writer(&mut buf, value)?;
    Ok(buf)
}

/// Parses a JSON body: one UTF-8 check of the whole body, then a `&str` parse (which lets strings
/// borrow from the body and skips a UTF-8 check per string).
pub fn decode_json<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, serde_json::Error> {
    let text = std::str::from_utf8(body).map_err(|e| {
        <serde_json::Error as serde::de::Error>::custom(format_args!("invalid UTF-8 at offset {}", e.valid_up_to()))
    })?;
    serde_json::from_str(text)
}

/// How a refused call should be treated, when the status alone would say otherwise
/// (Salesforce's 403 `REQUEST_LIMIT_EXCEEDED` is a rate limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    Validation,
    Auth,
    /// The access token expired: a refresh may help.
    AuthExpired,
    RateLimited,
    Unavailable,
    /// The provider refused the call for now without acting on it (HubSpot's 423 Locked, 477 Migration in
    /// Progress): any method may be sent again after its `Retry-After`.
    Busy,
    /// No record at this id (a 404 on a record's path): `not_found`.
    NotFound,
}

impl FailureKind {
    pub fn from_status(status: u16) -> Self {
        match status {
            401 | 403 => Self::Auth,
            404 | 410 => Self::NotFound,
            429 => Self::RateLimited,
            500..=599 => Self::Unavailable,
            _ => Self::Validation,
        }
    }
}

/// What a connector reads from a refused call's body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProviderError {
    pub message: String,
    /// Field errors mapped back to unified field names where possible.
    pub details: Vec<FieldError>,
    /// Overrides the kind the status implies.
    pub kind: Option<FailureKind>,
    /// A wait the body asks for, when the provider sends no `Retry-After` header.
    pub retry_after: Option<u64>,
}

/// `fn(status, body) -> ProviderError`, one per connector.
pub type ParseErrorFn = fn(u16, &[u8]) -> ProviderError;

/// For providers with no error format of their own: the body's text is the message (an HTML error
/// page is no message: the status says more; the page stays in the failure's body).
pub fn parse_error_as_text(_status: u16, body: &[u8]) -> ProviderError {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    let message = if text.starts_with('<') { String::new() } else { text.chars().take(500).collect() };
    ProviderError { message, ..ProviderError::default() }
}
