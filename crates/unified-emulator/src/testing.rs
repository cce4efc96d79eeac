//! A model as small as a provider's can be, for the toolkit's own tests, and a harness that calls the
//! assembled emulator in process.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Extension, State as Extract};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, request};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use tower::ServiceExt;

use crate::auth::{self, Credential};
use crate::fault::{Failure, Fault, FaultSpec, Kind, NoExtras, ProviderKind};
use crate::gate::Caller;
use crate::model::{Answered, Call, Model, Profile, QueuedFault, Slow};
use crate::state::{Shared, State, lock};
use crate::wire;

pub const TOKEN: &str = "sandbox-tests";

/// `SLOW_AFTER`: whether a `slow` fault delays the answer after the handler ran (else before).
#[derive(Debug, Default)]
pub struct Echo<const SLOW_AFTER: bool = false> {
    /// Calls finished (the rate limit the `x-left` header counts down).
    pub seen: u64,
    /// Calls whose handler ran.
    pub handled: u64,
}

async fn me<const A: bool>(
    Extract(shared): Extract<Shared<Echo<A>>>,
    Extension(Caller(user)): Extension<Caller<u64>>,
) -> Json<Value> {
    lock(&shared).model.handled += 1;
    Json(json!({ "caller": user }))
}

impl<const SLOW_AFTER: bool> Model for Echo<SLOW_AFTER> {
    const PROFILE: Profile = Profile {
        name: "echo",
        clock_digits: 0,
        time_format: "%Y-%m-%dT%H:%M:%SZ",
        token_seconds: 60,
        expired_key: "expiredTokens",
        slow: if SLOW_AFTER { Slow::AfterCall } else { Slow::BeforeCall },
        fault_example: r#"{"kind":"rate_limit"}"#,
        control_endpoints: &["GET /_emulator/records"],
        clock_example: r#"{"advanceSeconds":60}"#,
    };
    type User = u64;
    type Faults = NoExtras;

    fn sandbox_user() -> u64 {
        1
    }

    fn routes() -> Router<Shared<Self>> {
        Router::new()
            .route("/api/me", get(me::<SLOW_AFTER>))
            .route("/open", get(|| async { "open" }))
            .fallback(|| async { (StatusCode::NOT_FOUND, Json(json!({ "unknown": true }))) })
    }

    fn control_routes() -> Router<Shared<Self>> {
        Router::new().route("/records", get(|| async { Json(json!([])) }))
    }

    fn index(_: &State<Self>) -> Map<String, Value> {
        Map::from_iter([("greeting".to_owned(), json!("hello"))])
    }

    fn stats(state: &State<Self>) -> Map<String, Value> {
        Map::from_iter([("seen".to_owned(), json!(state.model.seen))])
    }

    fn route_key(method: &Method, path: &str) -> String {
        format!("{method} {path}")
    }

    fn credential<'h>(path: &str, headers: &'h HeaderMap) -> Option<Credential<'h>> {
        let key = headers.get("x-key").and_then(|v| v.to_str().ok());
        path.starts_with("/api/").then(|| key.map_or_else(|| auth::bearer(headers, &["Bearer"]), Credential::Key))
    }

    fn unauthorized(expired: Option<DateTime<Utc>>, _: DateTime<Utc>) -> Response {
        let why = if expired.is_some() { "expired" } else { "unknown" };
        (StatusCode::UNAUTHORIZED, Json(json!({ "refused": why }))).into_response()
    }

    fn admitted(_: &mut State<Self>, call: &Call, _: &u64) -> Option<Response> {
        (call.path == "/api/deny").then(|| (StatusCode::FORBIDDEN, Json(json!({ "denied": true }))).into_response())
    }

    fn fault_answer(
        _: &mut State<Self>,
        failure: Failure<crate::NoKind>,
        _: &QueuedFault<Self>,
        call: &Call,
    ) -> Response {
        match failure {
            Failure::RateLimit => {
                let route = format!("{} {}", call.method, call.path);
                (StatusCode::TOO_MANY_REQUESTS, Json(json!({ "limited": route }))).into_response()
            }
            Failure::ServerError(status) => wire::gateway_page(status),
            Failure::Provider(kind) => match kind {},
        }
    }

    fn finish(state: &mut State<Self>, _: &Call, _: Answered) -> Vec<(&'static str, HeaderValue)> {
        state.model.seen += 1;
        vec![("x-left", HeaderValue::from(10u64.saturating_sub(state.model.seen)))]
    }
}

/// Fault extras and a kind of a provider's own, as HubSpot has (`policyName`, `scopes`, `locked`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Extras {
    #[serde(default)]
    pub policy_name: Option<String>,
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locked;

impl ProviderKind for Locked {
    const NAMES: &'static [&'static str] = &["locked"];

    fn parse(name: &str) -> Option<Self> {
        (name == "locked").then_some(Locked)
    }

    fn name(self) -> &'static str {
        "locked"
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    pub policy_name: &'static str,
}

impl FaultSpec for Extras {
    const KEYS: &'static [&'static str] = &["policyName", "scopes"];
    type Kind = Locked;
    type Kept = Policy;

    /// A lock says how long to wait; the policy is one of two.
    fn read(self, fault: &mut Fault<(), Locked>) -> Result<Policy, String> {
        if fault.kind == Kind::Provider(Locked) {
            fault.retry_after.get_or_insert(2);
        }
        match self.policy_name.as_deref() {
            None | Some("TEN_SECONDLY_ROLLING") => Ok(Policy { policy_name: "TEN_SECONDLY_ROLLING" }),
            Some("DAILY") => Ok(Policy { policy_name: "DAILY" }),
            Some(other) => Err(format!("policyName {other}: TEN_SECONDLY_ROLLING or DAILY")),
        }
    }
}

pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

pub struct Harness<M: Model = Echo> {
    shared: Shared<M>,
    router: Router,
}

/// A harness over [`Echo`].
pub fn harness() -> Harness {
    Harness::start()
}

impl<M: Model> Harness<M> {
    pub fn start() -> Self {
        let shared = Arc::new(Mutex::new(State::<M>::new()));
        Self { router: crate::serve::assemble(Arc::clone(&shared)), shared }
    }

    pub fn request(&self, method: &str, path: &str) -> request::Builder {
        axum::http::Request::builder().method(method).uri(path)
    }

    pub async fn send(&self, request: request::Builder) -> Answer {
        self.send_body(request, Body::empty()).await
    }

    pub async fn send_body(&self, request: request::Builder, body: Body) -> Answer {
        let response = self.router.clone().oneshot(request.body(body).unwrap()).await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        let body =
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        Answer { status, headers, body }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        let mut request = self.request("GET", path);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        self.send(request).await
    }

    pub async fn control(&self, path: &str, body: Value) -> Answer {
        let request = self.request("POST", &format!("/_emulator{path}")).header("content-type", "application/json");
        self.send_body(request, Body::from(body.to_string())).await
    }

    pub async fn control_get(&self, path: &str) -> Value {
        self.get(&format!("/_emulator{path}"), None).await.body
    }

    pub fn state<T>(&self, f: impl FnOnce(&mut State<M>) -> T) -> T {
        f(&mut lock(&self.shared))
    }
}
