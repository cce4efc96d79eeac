//! What HubSpot adds to the common fault request (its `policyName` and `scopes`, and three kinds of its
//! own), and how its faults answer: `429` with its rate-limit headers and body, `500` with HubSpot's
//! JSON or a `502`/`503`/`504` page from its edge, `423 Locked` (its 2-second lock on records written in
//! bursts), `477 Migration in Progress` with `Retry-After`, or `403 MISSING_SCOPES` naming the scopes
//! the call needs.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use unified_emulator::{Call, Failure, Fault, FaultSpec, ProviderKind, random, wire};

use super::errors::{self, Envelope};
use super::model::{RATE_LIMIT_MAX, RATE_LIMIT_WINDOW};
use super::scopes;

/// HubSpot's own fault kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `423 Locked`.
    Locked,
    /// `477 Migration in Progress`, with `Retry-After` in seconds.
    Migrating,
    /// `403 MISSING_SCOPES`.
    MissingScopes,
}

impl ProviderKind for Kind {
    const NAMES: &'static [&'static str] = &["locked", "migrating", "missing_scopes"];

    fn parse(name: &str) -> Option<Self> {
        match name {
            "locked" => Some(Self::Locked),
            "migrating" => Some(Self::Migrating),
            "missing_scopes" => Some(Self::MissingScopes),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Locked => "locked",
            Self::Migrating => "migrating",
            Self::MissingScopes => "missing_scopes",
        }
    }
}

/// How long a `migrating` fault tells the caller to wait, unless `retryAfter` says.
pub const MIGRATION_RETRY_AFTER: u64 = 60;

/// `policyName`: `rate_limit`'s `TEN_SECONDLY_ROLLING` (default) or `DAILY`; `scopes`: what
/// `missing_scopes` names (default: what the faulted call needs). `retryAfter` on a `rate_limit` also
/// sends `Retry-After`, which HubSpot itself does not.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Extras {
    #[serde(default)]
    policy_name: Option<String>,
    #[serde(default)]
    scopes: Option<Vec<String>>,
}

/// What a queued fault keeps of the extras (listed with it: `policyName` always, `scopes` when named).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Kept {
    pub policy_name: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
}

impl FaultSpec for Extras {
    const KEYS: &'static [&'static str] = &["policyName", "scopes"];
    type Kind = Kind;
    type Kept = Kept;

    fn read(self, fault: &mut Fault<(), Kind>) -> Result<Kept, String> {
        let policy_name = match self.policy_name.as_deref() {
            None | Some("TEN_SECONDLY_ROLLING") => "TEN_SECONDLY_ROLLING",
            Some("DAILY") => "DAILY",
            Some(other) => return Err(format!("policyName {other}: TEN_SECONDLY_ROLLING or DAILY")),
        };
        if fault.kind == unified_emulator::Kind::Provider(Kind::Migrating) {
            fault.retry_after.get_or_insert(MIGRATION_RETRY_AFTER);
        }
        Ok(Kept { policy_name, scopes: self.scopes.unwrap_or_default() })
    }
}

/// The answer a fault gives instead of HubSpot's to `call`.
pub fn answer(failure: Failure<Kind>, fault: &Fault<Kept, Kind>, call: &Call) -> Response {
    match failure {
        Failure::RateLimit => rate_limited(fault),
        Failure::ServerError(500) => {
            Envelope::new(None, "internal error").into_response(StatusCode::INTERNAL_SERVER_ERROR)
        }
        Failure::ServerError(status) => wire::gateway_page(status),
        Failure::Provider(Kind::Locked) => locked(),
        Failure::Provider(Kind::Migrating) => migrating(fault.retry_after.unwrap_or(MIGRATION_RETRY_AFTER)),
        Failure::Provider(Kind::MissingScopes) => {
            let named = &fault.extra.scopes;
            missing_scopes(if named.is_empty() { scopes::required(&call.method, &call.path) } else { named.clone() })
        }
    }
}

/// `423 Locked`: HubSpot locks records for about 2 seconds when they are written in bursts.
fn locked() -> Response {
    let message = "The record is locked by another request; retry in a few seconds.";
    Envelope::new(None, message).into_response(StatusCode::LOCKED)
}

fn migrating(seconds: u64) -> Response {
    let message = "This account is being migrated to another data hosting location. Please retry after the time \
                   given in the Retry-After header.";
    let status = StatusCode::from_u16(477).expect("a status code in range");
    let mut response = Envelope::new(None, message).into_response(status);
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

fn missing_scopes(scopes: Vec<String>) -> Response {
    let body = MissingScopes {
        status: "error",
        message: "This app hasn't been granted all required scopes to make this call. Read more about required \
                  scopes here: https://developers.hubspot.com/scopes.",
        correlation_id: random::uuid(),
        errors: vec![ScopeError {
            message: "One or more of the following scopes are required.",
            context: ScopeContext { required_granular_scopes: scopes },
        }],
        links: ScopeLinks { scopes: "https://developers.hubspot.com/scopes" },
        category: "MISSING_SCOPES",
    };
    errors::json(StatusCode::FORBIDDEN, &body)
}

/// `429`: the window is spent (its headers say 0 left).
fn rate_limited(fault: &Fault<Kept, Kind>) -> Response {
    let policy_name = fault.extra.policy_name;
    let message = if policy_name == "DAILY" {
        "You have reached your daily limit."
    } else {
        "You have reached your secondly limit."
    };
    let body = RateLimited {
        status: "error",
        message,
        error_type: "RATE_LIMIT",
        correlation_id: random::uuid(),
        policy_name,
        request_id: random::uuid(),
    };
    let mut response = errors::json(StatusCode::TOO_MANY_REQUESTS, &body);
    let headers = response.headers_mut();
    for (name, value) in rate_limit_headers(0) {
        headers.insert(name, value);
    }
    if let Some(seconds) = fault.retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
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

#[cfg(test)]
mod tests {
    use axum::http::Method;
    use unified_emulator::fault::FaultRequest;

    use super::*;

    fn fault(json: &str) -> Result<Fault<Kept, Kind>, String> {
        FaultRequest::<Extras>::parse(json.as_bytes())?.into_fault()
    }

    fn call(method: Method, path: &str) -> Call {
        Call { method, path: path.to_owned() }
    }

    #[test]
    fn migrating_defaults_its_retry_after_and_scopes_follow_the_call() {
        let migrating = fault(r#"{"kind":"migrating"}"#).unwrap();
        assert_eq!(migrating.retry_after, Some(60), "listed with the fault too");
        let response = answer(migrating.failure().unwrap(), &migrating, &call(Method::GET, "/crm/v3/objects/contacts"));
        assert_eq!(response.status().as_u16(), 477);
        assert_eq!(response.headers()[header::RETRY_AFTER], "60");
        let named = fault(r#"{"kind":"missing_scopes","scopes":["a.b"]}"#).unwrap();
        assert_eq!(named.extra.scopes, ["a.b"]);
        let locked = fault(r#"{"kind":"locked"}"#).unwrap();
        assert_eq!(locked.retry_after, None, "only a migration names a wait");
        assert_eq!(answer(locked.failure().unwrap(), &locked, &call(Method::POST, "/x")).status(), StatusCode::LOCKED);
    }

    #[test]
    fn faults_list_with_hubspots_extras() {
        assert_eq!(
            serde_json::to_value(fault(r#"{"kind":"slow","delayMs":5}"#).unwrap()).unwrap(),
            serde_json::json!({"kind": "slow", "remaining": 1, "delayMs": 5, "status": 503,
                               "policyName": "TEN_SECONDLY_ROLLING"})
        );
        let daily = fault(r#"{"kind":"rate_limit","policyName":"DAILY","scopes":["x"],"count":2}"#).unwrap();
        assert_eq!((daily.extra.policy_name, daily.remaining, daily.extra.scopes.len()), ("DAILY", 2, 1));
    }

    #[test]
    fn bad_requests_are_refused_in_hubspots_old_order() {
        assert_eq!(
            fault(r#"{"kind":"explode"}"#).unwrap_err(),
            "unknown variant `explode`, expected one of `rate_limit`, `server_error`, `slow`, `locked`, `migrating`, \
             `missing_scopes`, `expire_token` at line 1 column 17"
        );
        assert_eq!(
            fault(r#"{"kind":"rate_limit","count":0,"policyName":"HOURLY"}"#).unwrap_err(),
            "policyName HOURLY: TEN_SECONDLY_ROLLING or DAILY"
        );
        assert!(
            fault(r#"{"kind":"slow","delay":5}"#).unwrap_err().ends_with("`policyName`, `scopes` at line 1 column 22")
        );
    }

    #[test]
    fn rate_limits_and_server_errors_in_hubspots_forms() {
        let daily = fault(r#"{"kind":"rate_limit","policyName":"DAILY","retryAfter":3}"#).unwrap();
        let limited = answer(Failure::RateLimit, &daily, &call(Method::GET, "/crm/v3/owners"));
        assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            (&limited.headers()["x-hubspot-ratelimit-remaining"], &limited.headers()[header::RETRY_AFTER]),
            (&HeaderValue::from(0u64), &HeaderValue::from(3u64))
        );
        let server = fault(r#"{"kind":"server_error","status":500}"#).unwrap();
        let json = answer(Failure::ServerError(500), &server, &call(Method::GET, "/crm/v3/owners"));
        assert_eq!(json.headers()[header::CONTENT_TYPE], errors::JSON);
        let page = answer(Failure::ServerError(502), &server, &call(Method::GET, "/crm/v3/owners"));
        assert_eq!(page.headers()[header::CONTENT_TYPE], "text/html");
        assert!(page.headers().get("x-hubspot-ratelimit-remaining").is_none(), "an edge page has no limits");
    }
}
