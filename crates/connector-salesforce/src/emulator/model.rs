//! The emulated org as the toolkit's model: its records and features, the REST calls counted against its
//! daily limit, and how the toolkit's gate, faults and control plane speak Salesforce.

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use unified_emulator::{Answered, Call, Credential, Failure, Profile, QueuedFault, Slow, State};

use super::schema::{API_USER, Org};
use super::store::Store;
use super::{control, errors, faults, gate, ids, oauth, sobjects, time};

pub type Shared = unified_emulator::Shared<Salesforce>;

/// A Developer Edition org's daily API requests (rolling 24 hours).
pub const DAILY_API_LIMIT: u64 = 15_000;

#[derive(Debug)]
pub struct Salesforce {
    pub store: Store,
    pub org: Org,
    /// REST calls counted against the daily limit since the last reset.
    pub api_usage: u64,
}

impl Default for Salesforce {
    /// A fresh org: its users and queue only, default features.
    fn default() -> Self {
        Self { store: Store::new(Utc::now()), org: Org::default(), api_usage: 0 }
    }
}

impl unified_emulator::Model for Salesforce {
    const PROFILE: Profile = Profile {
        name: "salesforce",
        clock_digits: 0,
        time_format: time::FORMAT,
        token_seconds: oauth::SESSION_SECONDS,
        expired_key: "expiredSessions",
        slow: Slow::BeforeCall,
        fault_example: r#"{"kind":"rate_limit|server_error|slow|expire_token","count":1,"limit":"TotalRequests|ConcurrentPerOrgLongTxn","delayMs":1000,"status":503}"#,
        control_endpoints: control::ENDPOINTS,
        clock_example: r#"{"advanceSeconds":7200}"#,
    };
    /// The session's user id (the default owner of what a call creates).
    type User = String;
    type Faults = faults::Extras;

    fn sandbox_user() -> String {
        ids::to18(API_USER)
    }

    fn routes() -> Router<Shared> {
        Router::new().merge(sobjects::router()).merge(oauth::router()).fallback(errors::unknown_path)
    }

    fn control_routes() -> Router<Shared> {
        control::router()
    }

    fn index(state: &State<Self>) -> Map<String, Value> {
        control::index(&state.model)
    }

    fn stats(state: &State<Self>) -> Map<String, Value> {
        Map::from_iter([("apiUsage".to_owned(), Value::from(state.model.api_usage))])
    }

    fn route_key(method: &Method, path: &str) -> String {
        gate::route_key(method, path)
    }

    fn credential<'h>(path: &str, headers: &'h HeaderMap) -> Option<Credential<'h>> {
        gate::credential(path, headers)
    }

    /// Salesforce answers a missing, unknown or expired session alike.
    fn unauthorized(_expired: Option<DateTime<Utc>>, _now: DateTime<Utc>) -> Response {
        errors::invalid_session()
    }

    fn admitted(state: &mut State<Self>, _call: &Call, _user: &String) -> Option<Response> {
        gate::count_against_the_daily_limit(&mut state.model)
    }

    fn fault_answer(
        _state: &mut State<Self>,
        failure: Failure<unified_emulator::NoKind>,
        fault: &QueuedFault<Self>,
        _call: &Call,
    ) -> Response {
        faults::answer(failure, fault)
    }

    fn finish(state: &mut State<Self>, call: &Call, _answered: Answered) -> Vec<(&'static str, HeaderValue)> {
        gate::limit_info(&state.model, &call.path).into_iter().collect()
    }
}
