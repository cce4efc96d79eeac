//! The control plane under `/_emulator/`: faults, statistics, reset, the clock and the index page, with
//! the provider's own control routes (its records) merged in. Plain JSON; errors are `{"error": "..."}`.
//! Faults never apply here.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::fault::{FaultRequest, Kind};
use crate::model::Model;
use crate::state::{self, Shared, lock};

pub fn router<M: Model>() -> Router<Shared<M>> {
    Router::new()
        .route("/", get(index::<M>))
        .route("/faults", post(add_fault::<M>).get(list_faults::<M>).delete(clear_faults::<M>))
        .route("/stats", get(stats::<M>))
        .route("/reset", post(reset::<M>))
        .route("/clock", post(clock::<M>))
        .merge(M::control_routes())
        .fallback(not_found::<M>)
}

/// A control-plane error: `{"error": "..."}`.
pub fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

/// What the control plane serves, the provider's routes among the common ones.
pub fn endpoints<M: Model>() -> Vec<String> {
    let profile = M::PROFILE;
    let mut lines =
        vec![format!("POST /_emulator/faults {}", profile.fault_example), "GET|DELETE /_emulator/faults".into()];
    lines.extend(profile.control_endpoints.iter().map(|line| (*line).to_owned()));
    lines.extend(["GET /_emulator/stats".into(), "POST /_emulator/reset".into()]);
    lines.push(format!("POST /_emulator/clock {}", profile.clock_example));
    lines
}

/// The index page: the emulator's name, its endpoints and what the provider adds.
pub async fn index<M: Model>(State(shared): State<Shared<M>>) -> Json<Value> {
    let mut body = M::index(&lock(&shared));
    body.insert("emulator".into(), json!(M::PROFILE.name));
    body.insert("endpoints".into(), json!(endpoints::<M>()));
    Json(Value::Object(body))
}

async fn not_found<M: Model>() -> Response {
    (StatusCode::NOT_FOUND, Json(json!({ "error": "no such control endpoint", "endpoints": endpoints::<M>() })))
        .into_response()
}

/// Queues a fault for the next provider calls; `expire_token` instead expires every access token now.
async fn add_fault<M: Model>(State(shared): State<Shared<M>>, body: Bytes) -> Response {
    let request = match FaultRequest::<M::Faults>::parse(&body) {
        Ok(request) => request,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("not a fault: {e}")),
    };
    let mut state = lock(&shared);
    if request.kind == Kind::ExpireToken {
        let now = state.now();
        let expired = state.tokens.expire_all(now);
        return Json(json!({ "kind": "expire_token", (M::PROFILE.expired_key): expired })).into_response();
    }
    match request.into_fault() {
        Ok(fault) => {
            state.faults.push(fault);
            (StatusCode::CREATED, Json(json!({ "pending": state.faults.pending() }))).into_response()
        }
        Err(message) => error(StatusCode::BAD_REQUEST, message),
    }
}

async fn list_faults<M: Model>(State(shared): State<Shared<M>>) -> Json<Value> {
    Json(json!({ "pending": lock(&shared).faults.pending() }))
}

async fn clear_faults<M: Model>(State(shared): State<Shared<M>>) -> StatusCode {
    lock(&shared).faults.clear();
    StatusCode::NO_CONTENT
}

async fn stats<M: Model>(State(shared): State<Shared<M>>) -> Json<Value> {
    let state = lock(&shared);
    let mut body = json!(state.stats);
    body["pendingFaults"] = json!(state.faults.len());
    for (key, value) in M::stats(&state) {
        body[key] = value;
    }
    Json(body)
}

/// A fresh emulator: the model's records, tokens, faults and statistics are dropped, the clock is real.
async fn reset<M: Model>(State(shared): State<Shared<M>>) -> StatusCode {
    lock(&shared).reset();
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Clock {
    advance_seconds: i64,
}

/// At most ten years at a time, so that the clock stays a real date.
const MAX_ADVANCE_SECONDS: i64 = 10 * 366 * 86_400;

/// Moves the emulated clock forward (token expiry, timestamps, daily budgets); reset undoes it.
async fn clock<M: Model>(State(shared): State<Shared<M>>, body: Bytes) -> Response {
    let by = match serde_json::from_slice::<Clock>(&body) {
        Ok(clock) if (0..=MAX_ADVANCE_SECONDS).contains(&clock.advance_seconds) => {
            chrono::Duration::seconds(clock.advance_seconds)
        }
        _ => return error(StatusCode::BAD_REQUEST, "expected {\"advanceSeconds\": N}, 0 <= N <= 10 years"),
    };
    let mut state = lock(&shared);
    state.clock.advance(by);
    Json(json!({ "now": state::State::<M>::time_text(state.now()) })).into_response()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::testing::{TOKEN, harness};

    #[tokio::test]
    async fn the_index_lists_the_common_and_the_providers_endpoints() {
        let h = harness();
        let index = h.control_get("/").await;
        assert_eq!(index["emulator"], "echo");
        assert_eq!(index["greeting"], "hello", "the provider's own keys");
        let endpoints = index["endpoints"].as_array().unwrap();
        assert_eq!(endpoints.first().unwrap(), r#"POST /_emulator/faults {"kind":"rate_limit"}"#);
        assert_eq!(endpoints[2], "GET /_emulator/records");
        assert_eq!(endpoints.last().unwrap(), r#"POST /_emulator/clock {"advanceSeconds":60}"#);
        assert_eq!(h.control_get("").await, index, "with or without the slash");
        let missing = h.get("/_emulator/nope", None).await;
        assert_eq!((missing.status, &missing.body["endpoints"]), (404, &index["endpoints"]));
        assert_eq!(h.control_get("/records").await, json!([]), "the provider's control route");
    }

    #[tokio::test]
    async fn faults_are_queued_listed_and_cleared() {
        let h = harness();
        let queued = h.control("/faults", json!({"kind": "rate_limit", "count": 2})).await;
        assert_eq!(queued.status, 201);
        assert_eq!(
            queued.body["pending"][0],
            json!({"kind": "rate_limit", "remaining": 2, "delayMs": 1000, "status": 503})
        );
        assert_eq!(h.control_get("/faults").await["pending"].as_array().map(Vec::len), Some(1));
        assert_eq!(h.control_get("/stats").await["pendingFaults"], 1);
        let refused = h.control("/faults", json!({"kind": "explode"})).await;
        assert_eq!(refused.status, 400);
        assert!(refused.body["error"].as_str().unwrap().starts_with("not a fault: unknown variant `explode`"));
        assert_eq!(h.control("/faults", json!({"kind": "server_error", "status": 404})).await.status, 400);
        let cleared = h.send(h.request("DELETE", "/_emulator/faults")).await;
        assert_eq!(cleared.status, 204);
        assert_eq!(h.control_get("/faults").await, json!({"pending": []}));
    }

    #[tokio::test]
    async fn expire_token_ends_every_session_at_once() {
        let h = harness();
        assert_eq!(h.get("/api/me", Some(TOKEN)).await.status, 200);
        let expired = h.control("/faults", json!({"kind": "expire_token"})).await;
        assert_eq!((expired.status, &expired.body), (200, &json!({"kind": "expire_token", "expiredTokens": 1})));
        assert_eq!(h.get("/api/me", Some(TOKEN)).await.body, json!({"refused": "expired"}));
        assert_eq!(h.control_get("/faults").await, json!({"pending": []}), "not queued");
    }

    #[tokio::test]
    async fn the_clock_moves_forward_and_a_reset_undoes_everything() {
        let h = harness();
        let before = h.state(|state| state.now());
        let moved = h.control("/clock", json!({"advanceSeconds": 86_400})).await;
        assert_eq!(moved.status, 200);
        let now = chrono::DateTime::parse_from_rfc3339(moved.body["now"].as_str().unwrap()).unwrap();
        assert!(now.to_utc() - before >= chrono::Duration::seconds(86_399));
        for wrong in [json!({"advanceSeconds": -1}), json!({"seconds": 1}), json!({"advanceSeconds": 400_000_000})] {
            assert_eq!(h.control("/clock", wrong).await.status, 400);
        }
        h.get("/api/me", Some(TOKEN)).await;
        assert_eq!(h.send(h.request("POST", "/_emulator/reset")).await.status, 204);
        let stats = h.control_get("/stats").await;
        assert_eq!((&stats["totalRequests"], &stats["seen"]), (&json!(0), &json!(0)));
        assert!(h.state(|state| state.now()) - before < chrono::Duration::hours(1), "the real time again");
    }
}
