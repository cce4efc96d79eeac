//! What Pipedrive adds to the common fault request, and how its faults answer: `429` with its
//! rate-limit headers and body (a burst, or the daily token budget spent), `500` with Pipedrive's JSON,
//! or a `502`/`503`/`504` page from its edge.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use unified_emulator::{Failure, Fault, FaultSpec, NoKind, wire};

use super::errors;
use super::model::{BURST_LIMIT, BURST_WINDOW, DAILY_BUDGET};

/// Which limit a `rate_limit` fault says was hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The token's 2-second window.
    Burst,
    /// The company's daily token budget (`x-daily-ratelimit-token-remaining: 0`).
    Daily,
}

/// `scope`: `burst` (default) or `daily`. (`retryAfter` also sends `Retry-After`, which Pipedrive does
/// not document.)
#[derive(Debug, Deserialize)]
pub struct Extras {
    #[serde(default)]
    scope: Option<Scope>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kept {
    pub scope: Scope,
}

impl FaultSpec for Extras {
    const KEYS: &'static [&'static str] = &["scope"];
    type Kind = NoKind;
    type Kept = Kept;

    fn read(self, _: &mut Fault<(), NoKind>) -> Result<Kept, String> {
        Ok(Kept { scope: self.scope.unwrap_or(Scope::Burst) })
    }
}

/// The answer a fault gives instead of Pipedrive's; `budget_left` is the daily budget the headers
/// report (0 for a daily fault).
pub fn answer(failure: Failure<NoKind>, fault: &Fault<Kept, NoKind>, budget_left: u64) -> Response {
    match failure {
        Failure::RateLimit => rate_limited(fault, budget_left),
        Failure::ServerError(500) => errors::error(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error"),
        Failure::ServerError(status) => wire::gateway_page(status),
        Failure::Provider(kind) => match kind {},
    }
}

fn rate_limited(fault: &Fault<Kept, NoKind>, budget_left: u64) -> Response {
    let (message, budget_left) = match fault.extra.scope {
        Scope::Burst => ("Request over limit", budget_left),
        Scope::Daily => ("Daily API token budget exceeded", 0),
    };
    let mut response = errors::coded(StatusCode::TOO_MANY_REQUESTS, message);
    let headers = response.headers_mut();
    for (name, value) in rate_limit_headers(0, budget_left) {
        headers.insert(name, value);
    }
    if let Some(seconds) = fault.retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
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

#[cfg(test)]
mod tests {
    use unified_emulator::fault::FaultRequest;

    use super::*;

    fn fault(json: &str) -> Result<Fault<Kept, NoKind>, String> {
        FaultRequest::<Extras>::parse(json.as_bytes())?.into_fault()
    }

    #[test]
    fn the_scope_defaults_to_a_burst() {
        assert_eq!(fault(r#"{"kind":"rate_limit"}"#).unwrap().extra.scope, Scope::Burst);
        let daily = fault(r#"{"kind":"rate_limit","scope":"daily","retryAfter":2}"#).unwrap();
        assert_eq!(
            serde_json::to_value(&daily).unwrap(),
            serde_json::json!({"kind": "rate_limit", "remaining": 1, "retryAfter": 2, "delayMs": 1000, "status": 503, "scope": "daily"})
        );
        assert!(
            fault(r#"{"kind":"rate_limit","scope":"hourly"}"#).unwrap_err().starts_with("unknown variant `hourly`")
        );
        assert!(fault(r#"{"kind":"rate_limit","limit":"x"}"#).unwrap_err().starts_with("unknown field `limit`"));
    }

    #[test]
    fn a_daily_fault_says_the_budget_is_spent() {
        let daily = answer(Failure::RateLimit, &fault(r#"{"kind":"rate_limit","scope":"daily"}"#).unwrap(), 500);
        assert_eq!(daily.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(daily.headers()["x-daily-ratelimit-token-remaining"], "0");
        assert!(daily.headers().get(header::RETRY_AFTER).is_none());
        let burst = answer(Failure::RateLimit, &fault(r#"{"kind":"rate_limit","retryAfter":3}"#).unwrap(), 500);
        assert_eq!(
            (&burst.headers()["x-daily-ratelimit-token-remaining"], &burst.headers()[header::RETRY_AFTER]),
            (&HeaderValue::from(500u64), &HeaderValue::from(3u64))
        );
        let server = fault(r#"{"kind":"server_error","status":500}"#).unwrap();
        assert_eq!(answer(Failure::ServerError(500), &server, 1).headers()["content-type"], errors::JSON);
    }
}
