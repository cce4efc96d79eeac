//! Fault switches: `POST /_emulator/faults` queues them, and each provider call takes one unit from the
//! front of the queue. A fault answers the way Pipedrive fails: `429` with its rate-limit headers and
//! body (a burst, or the daily token budget spent), `502`/`503`/`504` with a gateway's HTML page (`500`
//! with Pipedrive's JSON), or a slow but normal answer.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::errors;
use super::state::{BURST_LIMIT, BURST_WINDOW, DAILY_BUDGET};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    RateLimit,
    ServerError,
    Slow,
    /// Not queued: expires every OAuth access token at once (see `control`).
    ExpireToken,
}

/// Which limit a `rate_limit` fault says was hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The token's 2-second window.
    Burst,
    /// The company's daily token budget (`x-daily-ratelimit-token-remaining: 0`).
    Daily,
}

/// `POST /_emulator/faults`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRequest {
    pub kind: FaultKind,
    /// How many provider calls fail this way (default 1).
    #[serde(default)]
    pub count: Option<u32>,
    /// `rate_limit`: also send `Retry-After` (Pipedrive does not document one).
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// `slow`: how long to wait before answering (default 1000).
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// `server_error`: 500, 502, 503 (default) or 504.
    #[serde(default)]
    pub status: Option<u16>,
    /// `rate_limit`: `burst` (default) or `daily`.
    #[serde(default)]
    pub scope: Option<Scope>,
}

/// A queued fault and how many calls it still applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    pub kind: FaultKind,
    pub remaining: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    pub delay_ms: u64,
    pub status: u16,
    pub scope: Scope,
}

impl Fault {
    /// Checks a request's parameters; `Err` says what is wrong.
    pub fn from_request(request: &FaultRequest) -> Result<Self, String> {
        let status = request.status.unwrap_or(503);
        if request.kind == FaultKind::ServerError && ![500, 502, 503, 504].contains(&status) {
            return Err(format!("status {status}: a server_error fault answers 500, 502, 503 or 504"));
        }
        let remaining = request.count.unwrap_or(1);
        if remaining == 0 {
            return Err("count must be at least 1".to_owned());
        }
        Ok(Self {
            kind: request.kind,
            remaining,
            retry_after: request.retry_after,
            delay_ms: request.delay_ms.unwrap_or(1000),
            status,
            scope: request.scope.unwrap_or(Scope::Burst),
        })
    }

    /// The answer this fault gives instead of the provider's (`None` for `slow`, which answers normally).
    /// `budget_left` is the daily budget the headers report (0 for a daily fault).
    pub fn response(&self, budget_left: u64) -> Option<Response> {
        match self.kind {
            FaultKind::RateLimit => Some(self.rate_limited(budget_left)),
            FaultKind::ServerError => Some(self.server_error()),
            FaultKind::Slow | FaultKind::ExpireToken => None,
        }
    }

    fn rate_limited(&self, budget_left: u64) -> Response {
        let (message, budget_left) = match self.scope {
            Scope::Burst => ("Request over limit", budget_left),
            Scope::Daily => ("Daily API token budget exceeded", 0),
        };
        let mut response = errors::coded(StatusCode::TOO_MANY_REQUESTS, message);
        let headers = response.headers_mut();
        for (name, value) in rate_limit_headers(0, budget_left) {
            headers.insert(name, value);
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }

    fn server_error(&self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            return errors::error(status, "Internal server error");
        }
        let reason = status.canonical_reason().unwrap_or("Error");
        let page = format!("<html><body><h1>{} {reason}</h1></body></html>", status.as_u16());
        let mut response = (status, page).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
        response
    }
}

/// `x-ratelimit-limit`, `-remaining`, `-reset` (the 2-second burst window) and the daily token budget's
/// `x-daily-ratelimit-token-limit` and `-remaining`.
pub fn rate_limit_headers(burst_left: usize, budget_left: u64) -> [(&'static str, HeaderValue); 5] {
    [
        ("x-ratelimit-limit", HeaderValue::from(BURST_LIMIT)),
        ("x-ratelimit-remaining", HeaderValue::from(burst_left)),
        ("x-ratelimit-reset", HeaderValue::from(BURST_WINDOW.as_secs())),
        ("x-daily-ratelimit-token-limit", HeaderValue::from(DAILY_BUDGET)),
        ("x-daily-ratelimit-token-remaining", HeaderValue::from(budget_left)),
    ]
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
        faults.push(Fault::from_request(&request(r#"{"kind":"rate_limit","count":2,"scope":"daily"}"#)).unwrap());
        faults.push(Fault::from_request(&request(r#"{"kind":"slow","delayMs":5}"#)).unwrap());
        assert_eq!(faults.pending()[0].remaining, 2);
        assert_eq!(faults.take().unwrap().scope, Scope::Daily);
        assert_eq!(faults.take().unwrap().kind, FaultKind::RateLimit);
        assert_eq!(faults.take().unwrap().delay_ms, 5);
        assert_eq!(faults.take(), None);
    }

    #[test]
    fn bad_requests_are_refused() {
        assert!(Fault::from_request(&request(r#"{"kind":"server_error","status":404}"#)).is_err());
        assert!(Fault::from_request(&request(r#"{"kind":"rate_limit","count":0}"#)).is_err());
        assert!(serde_json::from_str::<FaultRequest>(r#"{"kind":"rate_limit","scope":"hourly"}"#).is_err());
        assert!(serde_json::from_str::<FaultRequest>(r#"{"kind":"explode"}"#).is_err());
    }
}
