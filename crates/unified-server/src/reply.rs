//! The contract's envelopes, rendered in one place for every endpoint: `{"success": true, "statusCode",
//! "message", "data"}` and the error envelope. A [`Reply`] is rendered bytes, so that an idempotent
//! request can store exactly what it answered.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use unified_core::UnifiedError;
use unified_core::transport::encode_json;

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

/// The `data` of an answer that is one object or one list: `{"data": ...}`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(rename = "{T}Data")]
pub struct Data<T> {
    pub data: T,
}

/// A rendered answer: status, JSON body, and the `Retry-After` it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Vec<u8>,
    pub retry_after: Option<u64>,
}

impl Reply {
    /// A success whose `data` is `data` as it is (record calls put `warnings` and the like beside `data.data`).
    pub fn success<D: Serialize>(status: StatusCode, message: &'static str, data: &D) -> Result<Self, UnifiedError> {
        let body = Success { success: true, status_code: status.as_u16(), message, data };
        let body = encode_json(&body).map_err(|e| UnifiedError::internal(format!("rendering a response: {e}")))?;
        Ok(Self { status, body, retry_after: None })
    }

    /// The error envelope. Internal errors are logged, never shown.
    pub fn error(error: &UnifiedError, request_id: Option<&RequestId>) -> Self {
        if let UnifiedError::Internal { message } = error {
            tracing::error!(request_id = request_id.map(RequestId::as_str), %message, "internal error");
        }
        let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let envelope = error.envelope(request_id.map(RequestId::as_str));
        // The envelope is plain data: it always serializes.
        let body = encode_json(&envelope).unwrap_or_default();
        Self { status, body, retry_after: error.retry_after() }
    }

    /// A stored answer, replayed.
    pub fn stored(status: u16, body: Vec<u8>) -> Self {
        Self { status: StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body, retry_after: None }
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut response =
            (self.status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], self.body)
                .into_response();
        if let Some(seconds) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// `200 OK` with `{"data": data}`.
pub fn ok<T: Serialize>(data: T) -> Response {
    success(StatusCode::OK, "OK", data)
}

/// `status` with `{"data": data}`.
pub fn success<T: Serialize>(status: StatusCode, message: &'static str, data: T) -> Response {
    match Reply::success(status, message, &Data { data }) {
        Ok(reply) => reply.into_response(),
        Err(error) => error_response(&error, None),
    }
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

/// The error envelope; a 429 also says `Retry-After`.
pub fn error_response(error: &UnifiedError, request_id: Option<&RequestId>) -> Response {
    Reply::error(error, request_id).into_response()
}

/// An envelope for the few answers outside the contract's table (unknown path, wrong method).
pub fn plain_error(request_id: Option<&RequestId>, status: StatusCode, code: &str, message: &str) -> Response {
    let mut envelope = UnifiedError::internal("").envelope(request_id.map(RequestId::as_str));
    envelope.status_code = status.as_u16();
    envelope.message = message.to_owned();
    envelope.error.code = code.to_owned();
    let body = encode_json(&envelope).unwrap_or_default();
    Reply { status, body, retry_after: None }.into_response()
}
