//! Fault switches: `POST /_emulator/faults` queues them, and each provider call takes one unit from the
//! front of the queue. A fault answers the way Salesforce fails: `403 REQUEST_LIMIT_EXCEEDED` (its rate
//! limit: the daily `TotalRequests` or a concurrency limit), `500 UNKNOWN_EXCEPTION` or a `502`/`503`/
//! `504` page from its edge, or a slow but normal answer.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::errors::{self, ApiError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    RateLimit,
    ServerError,
    Slow,
    /// Not queued: ends every session at once (see `control`).
    ExpireToken,
}

/// `POST /_emulator/faults`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRequest {
    pub kind: FaultKind,
    /// How many provider calls fail this way (default 1).
    #[serde(default)]
    pub count: Option<u32>,
    /// `rate_limit`: `TotalRequests` (default, the daily limit) or `ConcurrentPerOrgLongTxn`.
    #[serde(default)]
    pub limit: Option<String>,
    /// `slow`: how long to wait before answering (default 1000).
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// `server_error`: 500, 502, 503 (default) or 504.
    #[serde(default)]
    pub status: Option<u16>,
    /// `rate_limit`: the control plane's common "a short-window limit, try again after N seconds".
    /// Salesforce names no wait; its short-window limit is the concurrency one, so this stands for
    /// `ConcurrentPerOrgLongTxn` when no `limit` is given.
    #[serde(default)]
    pub retry_after: Option<u64>,
}

/// A queued fault and how many calls it still applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    pub kind: FaultKind,
    pub remaining: u32,
    pub limit: &'static str,
    pub delay_ms: u64,
    pub status: u16,
}

impl Fault {
    pub fn from_request(request: &FaultRequest) -> Result<Self, String> {
        let status = request.status.unwrap_or(503);
        if request.kind == FaultKind::ServerError && ![500, 502, 503, 504].contains(&status) {
            return Err(format!("status {status}: a server_error fault answers 500, 502, 503 or 504"));
        }
        let limit = match request.limit.as_deref() {
            None if request.retry_after.is_some() => "ConcurrentPerOrgLongTxn",
            None | Some("TotalRequests") => "TotalRequests",
            Some("ConcurrentPerOrgLongTxn") => "ConcurrentPerOrgLongTxn",
            Some(other) => return Err(format!("limit {other}: TotalRequests or ConcurrentPerOrgLongTxn")),
        };
        let remaining = request.count.unwrap_or(1);
        if remaining == 0 {
            return Err("count must be at least 1".to_owned());
        }
        Ok(Self { kind: request.kind, remaining, limit, delay_ms: request.delay_ms.unwrap_or(1000), status })
    }

    /// The answer this fault gives instead of Salesforce's (`None` for `slow`, which answers normally).
    pub fn response(&self) -> Option<Response> {
        match self.kind {
            FaultKind::RateLimit => Some(limit_exceeded(self.limit)),
            FaultKind::ServerError => Some(self.server_error()),
            FaultKind::Slow | FaultKind::ExpireToken => None,
        }
    }

    fn server_error(&self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            let error = ApiError::new(
                "UNKNOWN_EXCEPTION",
                "An unexpected error occurred. Please include this ErrorId if you contact support: 1429347614-86214 (-1489572093)",
            );
            return errors::one(status, error);
        }
        let reason = status.canonical_reason().unwrap_or("Error");
        let page = format!("<html><body><h1>{} {reason}</h1></body></html>", status.as_u16());
        let mut response = (status, page).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
        response
    }
}

/// `403 REQUEST_LIMIT_EXCEEDED`: Salesforce's rate limit (no `Retry-After`).
pub fn limit_exceeded(limit: &str) -> Response {
    errors::one(StatusCode::FORBIDDEN, ApiError::new("REQUEST_LIMIT_EXCEEDED", format!("{limit} Limit exceeded.")))
}

/// The pending faults, oldest first (the queue every emulator shares).
pub type Faults = unified_core::emulator::FaultQueue<Fault>;

impl unified_core::emulator::CountedFault for Fault {
    fn remaining(&mut self) -> &mut u32 {
        &mut self.remaining
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(json: &str) -> FaultRequest {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn counts_decrement_in_order() {
        let mut faults = Faults::default();
        faults.push(
            Fault::from_request(&request(r#"{"kind":"rate_limit","count":2,"limit":"ConcurrentPerOrgLongTxn"}"#))
                .unwrap(),
        );
        faults.push(Fault::from_request(&request(r#"{"kind":"slow","delayMs":5}"#)).unwrap());
        assert_eq!(faults.pending()[0].remaining, 2);
        assert_eq!(faults.take().unwrap().limit, "ConcurrentPerOrgLongTxn");
        assert_eq!(faults.take().unwrap().kind, FaultKind::RateLimit);
        assert_eq!(faults.take().unwrap().delay_ms, 5);
        assert_eq!(faults.take(), None);
    }

    #[test]
    fn a_wait_asks_for_the_short_window_limit() {
        let fault = Fault::from_request(&request(r#"{"kind":"rate_limit","retryAfter":1}"#)).unwrap();
        assert_eq!(fault.limit, "ConcurrentPerOrgLongTxn");
        assert_eq!(Fault::from_request(&request(r#"{"kind":"rate_limit"}"#)).unwrap().limit, "TotalRequests");
    }

    #[test]
    fn bad_requests_are_refused() {
        assert!(Fault::from_request(&request(r#"{"kind":"server_error","status":404}"#)).is_err());
        assert!(Fault::from_request(&request(r#"{"kind":"rate_limit","count":0}"#)).is_err());
        assert!(Fault::from_request(&request(r#"{"kind":"rate_limit","limit":"Hourly"}"#)).is_err());
        assert!(serde_json::from_str::<FaultRequest>(r#"{"kind":"explode"}"#).is_err());
    }
}
