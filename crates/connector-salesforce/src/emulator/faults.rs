//! What Salesforce adds to the common fault request, and how its faults answer: `403
//! REQUEST_LIMIT_EXCEEDED` (its rate limit: the daily `TotalRequests` or a concurrency limit), `500
//! UNKNOWN_EXCEPTION` or a `502`/`503`/`504` page from its edge.

use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use unified_emulator::{Failure, Fault, FaultSpec, NoKind, wire};

use super::errors::{self, ApiError};

/// `limit`: `TotalRequests` (default, the daily limit) or `ConcurrentPerOrgLongTxn`.
#[derive(Debug, Deserialize)]
pub struct Extras {
    #[serde(default)]
    limit: Option<String>,
}

/// The limit a queued `rate_limit` fault says was exceeded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Limit {
    pub limit: &'static str,
}

impl FaultSpec for Extras {
    const KEYS: &'static [&'static str] = &["limit"];
    type Kind = NoKind;
    type Kept = Limit;

    /// The common `retryAfter` ("a short-window limit, try again after N seconds") stands for
    /// `ConcurrentPerOrgLongTxn` when no `limit` is given: Salesforce names no wait, and its short-window
    /// limit is the concurrency one. It is not kept, as no Salesforce answer says it.
    fn read(self, fault: &mut Fault<(), NoKind>) -> Result<Limit, String> {
        let short_window = fault.retry_after.take().is_some();
        let limit = match self.limit.as_deref() {
            None if short_window => "ConcurrentPerOrgLongTxn",
            None | Some("TotalRequests") => "TotalRequests",
            Some("ConcurrentPerOrgLongTxn") => "ConcurrentPerOrgLongTxn",
            Some(other) => return Err(format!("limit {other}: TotalRequests or ConcurrentPerOrgLongTxn")),
        };
        Ok(Limit { limit })
    }
}

/// The answer a fault gives instead of Salesforce's.
pub fn answer(failure: Failure<NoKind>, fault: &Fault<Limit, NoKind>) -> Response {
    match failure {
        Failure::RateLimit => limit_exceeded(fault.extra.limit),
        Failure::ServerError(500) => errors::one(
            StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::new(
                "UNKNOWN_EXCEPTION",
                "An unexpected error occurred. Please include this ErrorId if you contact support: 1429347614-86214 (-1489572093)",
            ),
        ),
        Failure::ServerError(status) => wire::gateway_page(status),
        Failure::Provider(kind) => match kind {},
    }
}

/// `403 REQUEST_LIMIT_EXCEEDED`: Salesforce's rate limit (no `Retry-After`).
pub fn limit_exceeded(limit: &str) -> Response {
    errors::one(StatusCode::FORBIDDEN, ApiError::new("REQUEST_LIMIT_EXCEEDED", format!("{limit} Limit exceeded.")))
}

#[cfg(test)]
mod tests {
    use unified_emulator::fault::FaultRequest;

    use super::*;

    fn fault(json: &str) -> Result<Fault<Limit, NoKind>, String> {
        FaultRequest::<Extras>::parse(json.as_bytes())?.into_fault()
    }

    #[test]
    fn a_wait_asks_for_the_short_window_limit_and_is_not_kept() {
        let short = fault(r#"{"kind":"rate_limit","retryAfter":1}"#).unwrap();
        assert_eq!((short.extra.limit, short.retry_after), ("ConcurrentPerOrgLongTxn", None));
        assert_eq!(fault(r#"{"kind":"rate_limit"}"#).unwrap().extra.limit, "TotalRequests");
        let named = fault(r#"{"kind":"rate_limit","limit":"TotalRequests","retryAfter":1}"#).unwrap();
        assert_eq!(named.extra.limit, "TotalRequests", "a named limit wins");
        assert_eq!(
            serde_json::to_value(&short).unwrap(),
            serde_json::json!({"kind": "rate_limit", "remaining": 1, "limit": "ConcurrentPerOrgLongTxn", "delayMs": 1000, "status": 503})
        );
    }

    #[test]
    fn bad_limits_are_refused() {
        assert_eq!(
            fault(r#"{"kind":"rate_limit","limit":"Hourly"}"#).unwrap_err(),
            "limit Hourly: TotalRequests or ConcurrentPerOrgLongTxn"
        );
        assert!(fault(r#"{"kind":"rate_limit","scope":"daily"}"#).unwrap_err().starts_with("unknown field `scope`"));
    }

    #[test]
    fn answers_in_salesforces_forms() {
        let limited = answer(Failure::RateLimit, &fault(r#"{"kind":"rate_limit","retryAfter":1}"#).unwrap());
        assert_eq!(limited.status(), StatusCode::FORBIDDEN);
        let server = fault(r#"{"kind":"server_error","status":500}"#).unwrap();
        assert_eq!(answer(Failure::ServerError(500), &server).headers()["content-type"], errors::JSON);
        assert_eq!(answer(Failure::ServerError(502), &server).headers()["content-type"], "text/html");
    }
}
