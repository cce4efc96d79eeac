//! The contract's envelopes: `{"success": true, "statusCode", "message", "data"}` and the error envelope.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use unified_core::UnifiedError;

use crate::request_id::RequestId;

/// `{"success": true, "statusCode", "message", "data"}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Success<T> {
    pub success: bool,
    pub status_code: u16,
    pub message: &'static str,
    pub data: T,
}

pub fn ok<T: Serialize>(data: T) -> Response {
    success(StatusCode::OK, "OK", data)
}

pub fn success<T: Serialize>(status: StatusCode, message: &'static str, data: T) -> Response {
    let body = Success { success: true, status_code: status.as_u16(), message, data };
    (status, Json(body)).into_response()
}

/// An error with the request id it belongs to; renders the contract's error envelope.
#[derive(Debug)]
pub struct ApiError {
    pub error: UnifiedError,
    pub request_id: Option<RequestId>,
}

impl ApiError {
    pub fn new(error: UnifiedError, request_id: &RequestId) -> Self {
        Self { error, request_id: Some(request_id.clone()) }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error_response(&self.error, self.request_id.as_ref())
    }
}

/// The error envelope; a 429 also says `Retry-After`. Internal errors are logged, never shown.
pub fn error_response(error: &UnifiedError, request_id: Option<&RequestId>) -> Response {
    if let UnifiedError::Internal { message } = error {
        tracing::error!(request_id = request_id.map(RequestId::as_str), %message, "internal error");
    }
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let envelope = error.envelope(request_id.map(RequestId::as_str));
    let mut response = (status, Json(envelope)).into_response();
    if let Some(seconds) = error.retry_after()
        && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// An envelope for the few answers outside the contract's table (unknown path, wrong method).
pub fn plain_error(request_id: Option<&RequestId>, status: StatusCode, code: &str, message: &str) -> Response {
    let mut envelope = UnifiedError::internal("").envelope(request_id.map(RequestId::as_str));
    envelope.status_code = status.as_u16();
    envelope.message = message.to_owned();
    envelope.error.code = code.to_owned();
    (status, Json(envelope)).into_response()
}
