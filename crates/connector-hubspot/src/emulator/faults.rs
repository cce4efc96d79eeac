//! Fault switches: `POST /_emulator/faults` queues them, and each provider call takes one unit from
//! the front of the queue. A fault answers the way HubSpot fails: `429` with its rate-limit headers and
//! body, `502`/`503` with an HTML page (`500` with HubSpot's JSON), `423 Locked` (its 2-second lock on
//! records written in bursts), `477 Migration in Progress` with `Retry-After`, `403 MISSING_SCOPES`
//! naming the scopes the call needs, or a slow but normal answer.

use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::errors;
use super::scopes;
use super::state::{RATE_LIMIT_MAX, RATE_LIMIT_WINDOW};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    RateLimit,
    ServerError,
    Slow,
    /// `423 Locked`.
    Locked,
    /// `477 Migration in Progress`, with `Retry-After` in seconds.
    Migrating,
    /// `403 MISSING_SCOPES`.
    MissingScopes,
    /// Not queued: expires every access token at once (see `control`).
    ExpireToken,
}

/// How long a `migrating` fault tells the caller to wait, unless `retryAfter` says.
pub const MIGRATION_RETRY_AFTER: u64 = 60;

/// `POST /_emulator/faults`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRequest {
    pub kind: FaultKind,
    /// How many provider calls fail this way (default 1).
    #[serde(default)]
    pub count: Option<u32>,
    /// `rate_limit`: also send `Retry-After` (HubSpot itself does not); `migrating`: its `Retry-After`
    /// (default 60).
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// `slow`: how long the answer is late (default 1000); the work itself is done at once.
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// `server_error`: 500, 502, 503 (default) or 504.
    #[serde(default)]
    pub status: Option<u16>,
    /// `rate_limit`: `TEN_SECONDLY_ROLLING` (default) or `DAILY`.
    #[serde(default)]
    pub policy_name: Option<String>,
    /// `missing_scopes`: the scopes to name (default: those the faulted call needs).
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
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
    pub policy_name: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
}

impl Fault {
    /// Checks a request's parameters; `Err` says what is wrong.
    pub fn from_request(request: &FaultRequest) -> Result<Self, String> {
        let status = request.status.unwrap_or(503);
        if request.kind == FaultKind::ServerError && ![500, 502, 503, 504].contains(&status) {
            return Err(format!("status {status}: a server_error fault answers 500, 502, 503 or 504"));
        }
        let policy_name = match request.policy_name.as_deref() {
            None | Some("TEN_SECONDLY_ROLLING") => "TEN_SECONDLY_ROLLING",
            Some("DAILY") => "DAILY",
            Some(other) => return Err(format!("policyName {other}: TEN_SECONDLY_ROLLING or DAILY")),
        };
        let remaining = request.count.unwrap_or(1);
        if remaining == 0 {
            return Err("count must be at least 1".to_owned());
        }
        let retry_after = match request.kind {
            FaultKind::Migrating => Some(request.retry_after.unwrap_or(MIGRATION_RETRY_AFTER)),
            _ => request.retry_after,
        };
        Ok(Self {
            kind: request.kind,
            remaining,
            retry_after,
            delay_ms: request.delay_ms.unwrap_or(1000),
            status,
            policy_name,
            scopes: request.scopes.clone().unwrap_or_default(),
        })
    }

    /// The answer this fault gives instead of the provider's to `method path` (`None` for `slow`, which
    /// answers normally).
    pub fn response(&self, method: &Method, path: &str) -> Option<Response> {
        match self.kind {
            FaultKind::RateLimit => Some(self.rate_limited()),
            FaultKind::ServerError => Some(self.server_error()),
            FaultKind::Locked => Some(locked()),
            FaultKind::Migrating => Some(self.migrating()),
            FaultKind::MissingScopes => Some(self.missing_scopes(method, path)),
            FaultKind::Slow | FaultKind::ExpireToken => None,
        }
    }

    fn migrating(&self) -> Response {
        let seconds = self.retry_after.unwrap_or(MIGRATION_RETRY_AFTER);
        let message = "This account is being migrated to another data hosting location. Please retry after the time \
                       given in the Retry-After header.";
        let status = StatusCode::from_u16(477).expect("a status code in range");
        let mut response = errors::Envelope::new(None, message).into_response(status);
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        response
    }

    fn missing_scopes(&self, method: &Method, path: &str) -> Response {
        let scopes = if self.scopes.is_empty() { scopes::required(method, path) } else { self.scopes.clone() };
        let body = MissingScopes {
            status: "error",
            message: "This app hasn't been granted all required scopes to make this call. Read more about required \
                      scopes here: https://developers.hubspot.com/scopes.",
            correlation_id: errors::correlation_id(),
            errors: vec![ScopeError {
                message: "One or more of the following scopes are required.",
                context: ScopeContext { required_granular_scopes: scopes },
            }],
            links: ScopeLinks { scopes: "https://developers.hubspot.com/scopes" },
            category: "MISSING_SCOPES",
        };
        errors::json(StatusCode::FORBIDDEN, &body)
    }

    fn rate_limited(&self) -> Response {
        let message = if self.policy_name == "DAILY" {
            "You have reached your daily limit."
        } else {
            "You have reached your secondly limit."
        };
        let body = RateLimited {
            status: "error",
            message,
            error_type: "RATE_LIMIT",
            correlation_id: errors::correlation_id(),
            policy_name: self.policy_name,
            request_id: errors::correlation_id(),
        };
        let mut response = errors::json(StatusCode::TOO_MANY_REQUESTS, &body);
        let headers = response.headers_mut();
        for (name, value) in rate_limit_headers(0) {
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
            return errors::Envelope::new(None, "internal error").into_response(status);
        }
        let reason = status.canonical_reason().unwrap_or("Error");
        let page = format!("<html><body><h1>{} {reason}</h1></body></html>", status.as_u16());
        let mut response = (status, page).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
        response
    }
}

/// `423 Locked`: HubSpot locks records for about 2 seconds when they are written in bursts.
fn locked() -> Response {
    let message = "The record is locked by another request; retry in a few seconds.";
    errors::Envelope::new(None, message).into_response(StatusCode::LOCKED)
}

/// HubSpot's `403 MISSING_SCOPES` body, in its field order.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct MissingScopes {
    status: &'static str,
    message: &'static str,
    correlation_id: String,
    errors: Vec<ScopeError>,
    links: ScopeLinks,
    category: &'static str,
}

#[derive(Debug, Serialize)]
struct ScopeError {
    message: &'static str,
    context: ScopeContext,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ScopeContext {
    required_granular_scopes: Vec<String>,
}

#[derive(Debug, Serialize)]
struct ScopeLinks {
    scopes: &'static str,
}

/// HubSpot's `429` body, in its field order.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RateLimited {
    status: &'static str,
    message: &'static str,
    error_type: &'static str,
    correlation_id: String,
    policy_name: &'static str,
    request_id: String,
}

/// `X-HubSpot-RateLimit-Max`, `-Remaining` and `-Interval-Milliseconds`.
pub fn rate_limit_headers(remaining: usize) -> [(&'static str, HeaderValue); 3] {
    [
        ("x-hubspot-ratelimit-max", HeaderValue::from(RATE_LIMIT_MAX)),
        ("x-hubspot-ratelimit-remaining", HeaderValue::from(remaining)),
        ("x-hubspot-ratelimit-interval-milliseconds", HeaderValue::from(RATE_LIMIT_WINDOW.as_millis() as u64)),
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
        faults.push(Fault::from_request(&request(r#"{"kind":"rate_limit","count":2}"#)).unwrap());
        faults.push(Fault::from_request(&request(r#"{"kind":"slow","delayMs":5}"#)).unwrap());
        assert_eq!(faults.pending()[0].remaining, 2);
        assert_eq!(faults.take().unwrap().kind, FaultKind::RateLimit);
        assert_eq!(faults.pending()[0].remaining, 1);
        assert_eq!(faults.take().unwrap().kind, FaultKind::RateLimit);
        assert_eq!(faults.take().unwrap().delay_ms, 5);
        assert_eq!(faults.take(), None);
    }

    #[test]
    fn migrating_defaults_its_retry_after_and_scopes_follow_the_call() {
        let migrating = Fault::from_request(&request(r#"{"kind":"migrating"}"#)).unwrap();
        let response = migrating.response(&Method::GET, "/crm/v3/objects/contacts").unwrap();
        assert_eq!(response.status().as_u16(), 477);
        assert_eq!(response.headers()[header::RETRY_AFTER], "60");
        let named = Fault::from_request(&request(r#"{"kind":"missing_scopes","scopes":["a.b"]}"#)).unwrap();
        assert_eq!(named.scopes, ["a.b"]);
        let locked = Fault::from_request(&request(r#"{"kind":"locked"}"#)).unwrap();
        assert_eq!(locked.response(&Method::POST, "/x").unwrap().status(), StatusCode::LOCKED);
    }

    #[test]
    fn bad_requests_are_refused() {
        assert!(Fault::from_request(&request(r#"{"kind":"server_error","status":404}"#)).is_err());
        assert!(Fault::from_request(&request(r#"{"kind":"rate_limit","count":0}"#)).is_err());
        assert!(Fault::from_request(&request(r#"{"kind":"rate_limit","policyName":"HOURLY"}"#)).is_err());
        assert!(serde_json::from_str::<FaultRequest>(r#"{"kind":"explode"}"#).is_err());
        assert!(serde_json::from_str::<FaultRequest>(r#"{"kind":"slow","delay":5}"#).is_err());
    }
}
