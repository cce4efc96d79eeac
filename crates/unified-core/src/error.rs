//! The one error model. Each variant knows its contract `code`, its HTTP status and whether a retry
//! may succeed; provider errors keep the provider's own status and body.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::validation::FieldError;

/// What a provider said when it refused a call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProviderFailure {
    /// The connector id (`hubspot`).
    pub id: String,
    /// The provider's HTTP status, when it answered at all.
    pub status: Option<u16>,
    /// The provider's own message.
    pub message: String,
    /// The provider's body (JSON, or the raw text as a JSON string).
    pub body: Option<serde_json::Value>,
    /// Field errors, mapped back to unified field names where possible.
    #[serde(skip)]
    pub details: Vec<FieldError>,
    /// When the provider said when to come back (a `Retry-After` on a refusal that is not a rate limit,
    /// such as HubSpot's 477 Migration in Progress): the envelope's `retryAfter`.
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

impl ProviderFailure {
    pub fn new(id: &str, status: Option<u16>, message: impl Into<String>) -> Self {
        Self { id: id.to_owned(), status, message: message.into(), body: None, details: Vec::new(), retry_after: None }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UnifiedError {
    #[error("Request body is invalid")]
    Validation { details: Vec<FieldError> },
    #[error("{message}")]
    InvalidQuery { message: String },
    #[error("Unknown provider `{id}`; registered providers: {}", known.join(", "))]
    UnknownProvider { id: String, known: Vec<&'static str> },
    #[error("Unknown resource `{name}`; resources: {}", crate::ResourceKind::names())]
    UnknownResource { name: String },
    #[error("Provider `{provider}` does not support the `{resource}` resource")]
    UnsupportedResource { provider: String, resource: String },
    #[error("Provider `{provider}` does not support `{operation}` on the `{resource}` resource")]
    UnsupportedOperation { provider: String, resource: String, operation: String },
    #[error("The cursor is not valid for this list: {reason}")]
    InvalidCursor { reason: String },
    #[error("{} has no such record: {}", .0.id, .0.message)]
    NotFound(ProviderFailure),
    #[error("{reason}")]
    Unauthorized { reason: String },
    #[error("No `{provider}` connection for end user `{end_user_id}`")]
    ConnectionNotFound { provider: String, end_user_id: String },
    #[error("Request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("{reason}")]
    IdempotencyConflict { reason: String },
    #[error("{} rejected the data: {}", .0.id, .0.message)]
    ProviderValidation(ProviderFailure),
    #[error("{} refused the credentials: {}", .0.id, .0.message)]
    ProviderAuth(ProviderFailure),
    #[error("{} rate limit still exceeded after retrying", .failure.id)]
    RateLimited { failure: ProviderFailure, retry_after: Option<u64> },
    #[error("{} is unavailable: {}", .0.id, .0.message)]
    ProviderUnavailable(ProviderFailure),
    #[error("{} did not answer in time", .0.id)]
    ProviderTimeout(ProviderFailure),
    #[error("Internal error")]
    Internal { message: String },
}

impl UnifiedError {
    /// The contract's `error.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Validation { .. } => "validation_error",
            Self::InvalidQuery { .. } => "invalid_query",
            Self::UnknownProvider { .. } => "unknown_provider",
            Self::UnknownResource { .. } => "unknown_resource",
            Self::UnsupportedResource { .. } => "unsupported_resource",
            Self::UnsupportedOperation { .. } => "unsupported_operation",
            Self::InvalidCursor { .. } => "invalid_cursor",
            Self::NotFound(_) => "not_found",
            Self::Unauthorized { .. } => "unauthorized",
            Self::ConnectionNotFound { .. } => "connection_not_found",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::IdempotencyConflict { .. } => "idempotency_conflict",
            Self::ProviderValidation(_) => "provider_validation_error",
            Self::ProviderAuth(_) => "provider_auth_error",
            Self::RateLimited { .. } => "rate_limited",
            Self::ProviderUnavailable(_) => "provider_unavailable",
            Self::ProviderTimeout(_) => "provider_timeout",
            Self::Internal { .. } => "internal_error",
        }
    }

    /// The HTTP status of the contract's error table.
    pub fn status(&self) -> u16 {
        match self {
            Self::Validation { .. }
            | Self::InvalidQuery { .. }
            | Self::UnknownProvider { .. }
            | Self::InvalidCursor { .. } => 400,
            Self::Unauthorized { .. } | Self::ProviderAuth(_) => 401,
            Self::UnknownResource { .. } | Self::ConnectionNotFound { .. } | Self::NotFound(_) => 404,
            Self::IdempotencyConflict { .. } => 409,
            Self::PayloadTooLarge { .. } => 413,
            Self::UnsupportedResource { .. } | Self::UnsupportedOperation { .. } | Self::ProviderValidation(_) => 422,
            Self::RateLimited { .. } => 429,
            Self::Internal { .. } => 500,
            Self::ProviderUnavailable(_) => 502,
            Self::ProviderTimeout(_) => 504,
        }
    }

    /// Whether the same call may succeed later, unchanged.
    pub fn retryable(&self) -> bool {
        matches!(self, Self::RateLimited { .. } | Self::ProviderUnavailable(_) | Self::ProviderTimeout(_))
    }

    /// The envelope's `message`: safe to show, never internals.
    pub fn message(&self) -> String {
        self.to_string()
    }

    pub fn details(&self) -> &[FieldError] {
        match self {
            Self::Validation { details } => details,
            Self::ProviderValidation(f) | Self::ProviderAuth(f) => &f.details,
            _ => &[],
        }
    }

    pub fn provider(&self) -> Option<&ProviderFailure> {
        match self {
            Self::ProviderValidation(f)
            | Self::ProviderAuth(f)
            | Self::NotFound(f)
            | Self::ProviderUnavailable(f)
            | Self::ProviderTimeout(f)
            | Self::RateLimited { failure: f, .. } => Some(f),
            _ => None,
        }
    }

    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::RateLimited { retry_after, .. } => *retry_after,
            Self::ProviderUnavailable(failure) => failure.retry_after,
            _ => None,
        }
    }

    pub fn unsupported_operation(provider: &str, resource: crate::ResourceKind, operation: crate::Operation) -> Self {
        Self::UnsupportedOperation {
            provider: provider.to_owned(),
            resource: resource.as_str().to_owned(),
            operation: operation.as_str().to_owned(),
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::Internal { message: message.into() }
    }

    /// The response body of the contract for this error.
    pub fn envelope(&self, request_id: Option<&str>) -> ErrorEnvelope {
        ErrorEnvelope {
            success: false,
            status_code: self.status(),
            message: self.message(),
            error: ErrorBody {
                code: self.code().to_owned(),
                details: self.details().to_vec(),
                provider: self.provider().cloned(),
                retry_after: self.retry_after(),
                request_id: request_id.map(str::to_owned),
            },
        }
    }
}

impl From<Vec<FieldError>> for UnifiedError {
    fn from(details: Vec<FieldError>) -> Self {
        Self::Validation { details }
    }
}

/// `{"success": false, "statusCode", "message", "error": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorEnvelope {
    pub success: bool,
    pub status_code: u16,
    pub message: String,
    pub error: ErrorBody,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub code: String,
    pub details: Vec<FieldError>,
    pub provider: Option<ProviderFailure>,
    pub retry_after: Option<u64>,
    pub request_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_the_contract_status_and_code() {
        let failure = ProviderFailure::new("hubspot", Some(400), "bad");
        let table = [
            (UnifiedError::Validation { details: vec![] }, 400, "validation_error", false),
            (UnifiedError::InvalidQuery { message: "x".into() }, 400, "invalid_query", false),
            (UnifiedError::UnknownProvider { id: "x".into(), known: vec!["hubspot"] }, 400, "unknown_provider", false),
            (UnifiedError::UnknownResource { name: "x".into() }, 404, "unknown_resource", false),
            (
                UnifiedError::UnsupportedResource { provider: "p".into(), resource: "r".into() },
                422,
                "unsupported_resource",
                false,
            ),
            (
                UnifiedError::UnsupportedOperation {
                    provider: "p".into(),
                    resource: "r".into(),
                    operation: "o".into(),
                },
                422,
                "unsupported_operation",
                false,
            ),
            (UnifiedError::InvalidCursor { reason: "x".into() }, 400, "invalid_cursor", false),
            (UnifiedError::NotFound(failure.clone()), 404, "not_found", false),
            (UnifiedError::Unauthorized { reason: "x".into() }, 401, "unauthorized", false),
            (
                UnifiedError::ConnectionNotFound { provider: "p".into(), end_user_id: "u".into() },
                404,
                "connection_not_found",
                false,
            ),
            (UnifiedError::PayloadTooLarge { limit: 1 }, 413, "payload_too_large", false),
            (UnifiedError::IdempotencyConflict { reason: "x".into() }, 409, "idempotency_conflict", false),
            (UnifiedError::ProviderValidation(failure.clone()), 422, "provider_validation_error", false),
            (UnifiedError::ProviderAuth(failure.clone()), 401, "provider_auth_error", false),
            (UnifiedError::RateLimited { failure: failure.clone(), retry_after: Some(3) }, 429, "rate_limited", true),
            (UnifiedError::ProviderUnavailable(failure.clone()), 502, "provider_unavailable", true),
            (UnifiedError::ProviderTimeout(failure), 504, "provider_timeout", true),
            (UnifiedError::internal("secret detail"), 500, "internal_error", false),
        ];
        for (error, status, code, retryable) in table {
            assert_eq!((error.status(), error.code(), error.retryable()), (status, code, retryable), "{error:?}");
        }
    }

    #[test]
    fn internal_errors_never_leak_their_detail() {
        let envelope = UnifiedError::internal("db password=hunter2").envelope(Some("req-1"));
        let text = serde_json::to_string(&envelope).unwrap();
        assert!(!text.contains("hunter2"));
        assert_eq!(envelope.error.request_id.as_deref(), Some("req-1"));
    }

    #[test]
    fn envelope_has_every_key() {
        let envelope = UnifiedError::RateLimited {
            failure: ProviderFailure::new("hubspot", Some(429), "slow down"),
            retry_after: Some(7),
        }
        .envelope(None);
        let value = serde_json::to_value(envelope).unwrap();
        assert_eq!(value["statusCode"], 429);
        assert_eq!(value["error"]["retryAfter"], 7);
        assert_eq!(value["error"]["provider"]["status"], 429);
        for key in ["code", "details", "provider", "retryAfter", "requestId"] {
            assert!(value["error"].get(key).is_some(), "{key}");
        }
    }
}
