//! What happens to every provider call before and after its handler: it is counted, a pending fault
//! answers instead of the handler (or delays it), a call to a guarded path needs a valid credential
//! (whose user the handler reads as [`Caller`]), and the answer carries the provider's rate-limit
//! headers. The control plane (`/_emulator/*`) never comes here.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::Credential;
use crate::model::{Answered, Call, Model, Slow};
use crate::state::{Shared, lock};
use crate::tokens::Verdict;

/// The user a call acts as (its credential's), for handlers that default an owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller<U>(pub U);

pub async fn gate<M: Model>(State(shared): State<Shared<M>>, mut request: Request, next: Next) -> Response {
    let call = Call { method: request.method().clone(), path: request.uri().path().to_owned() };
    let fault = {
        let mut state = lock(&shared);
        state.stats.request(M::route_key(&call.method, &call.path));
        state.faults.take()
    };
    if let Some(fault) = &fault
        && let Some(failure) = fault.failure()
    {
        let mut state = lock(&shared);
        let response = M::fault_answer(&mut state, failure, fault, &call);
        state.stats.faults_served += 1;
        state.stats.response(response.status().as_u16());
        return response;
    }
    let delay = fault.as_ref().map(|f| Duration::from_millis(f.delay_ms));
    let slow = M::PROFILE.slow;
    if let (Some(delay), Slow::BeforeCall) = (delay, slow) {
        tokio::time::sleep(delay).await;
    }
    let (mut response, answered) = match admit(&shared, &call, &mut request) {
        Some(refusal) => (refusal, Answered::Gate),
        None if slow == Slow::AfterCall => match tokio::spawn(next.run(request)).await {
            Ok(response) => (response, Answered::Handler),
            Err(_) => (StatusCode::INTERNAL_SERVER_ERROR.into_response(), Answered::Handler),
        },
        None => (next.run(request).await, Answered::Handler),
    };
    if let (Some(delay), Slow::AfterCall) = (delay, slow) {
        tokio::time::sleep(delay).await;
    }
    let headers = {
        let mut state = lock(&shared);
        if fault.is_some() {
            state.stats.faults_served += 1;
        }
        state.stats.response(response.status().as_u16());
        M::finish(&mut state, &call, answered)
    };
    for (name, value) in headers {
        response.headers_mut().insert(name, value);
    }
    response
}

/// Checks the call's credential where its path needs one; `Some` is the refusal.
fn admit<M: Model>(shared: &Shared<M>, call: &Call, request: &mut Request) -> Option<Response> {
    let credential = M::credential(&call.path, request.headers())?;
    let mut state = lock(shared);
    let now = state.now();
    let verdict = match credential {
        Credential::Missing => Verdict::Unknown,
        Credential::Bearer(token) => state.tokens.check(token, now),
        Credential::Key(key) => state.tokens.check_key(key),
    };
    match verdict {
        Verdict::Valid(user) => {
            let refusal = M::admitted(&mut state, call, &user);
            request.extensions_mut().insert(Caller(user));
            refusal
        }
        Verdict::Unknown => Some(M::unauthorized(None, now)),
        Verdict::Expired(at) => Some(M::unauthorized(Some(at), now)),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use serde_json::json;

    use crate::testing::{Echo, Harness, TOKEN, harness};

    #[tokio::test]
    async fn calls_are_counted_and_carry_the_providers_headers() {
        let h = harness();
        let answer = h.get("/api/me", Some(TOKEN)).await;
        assert_eq!((answer.status, &answer.body), (200, &json!({"caller": 1})));
        assert_eq!(answer.headers["x-left"], "9");
        let open = h.get("/open", None).await;
        assert_eq!((open.status, open.headers["x-left"].to_str().unwrap()), (200, "8"), "open paths are counted too");
        let stats = h.control_get("/stats").await;
        assert_eq!(stats["totalRequests"], 2);
        assert_eq!(stats["requests"]["GET /api/me"], 1);
        assert_eq!(stats["responses"]["200"], 2);
        assert_eq!(stats["seen"], 2, "the provider's own count");
    }

    #[tokio::test]
    async fn guarded_paths_need_a_valid_credential() {
        let h = harness();
        let missing = h.get("/api/me", None).await;
        assert_eq!((missing.status, &missing.body), (401, &json!({"refused": "unknown"})));
        assert_eq!(missing.headers["x-left"], "9", "a refusal still spends the limit");
        assert_eq!(h.get("/api/me", Some("made-up")).await.status, 401);
        h.state(|state| state.tokens.issue("issued", "r", 5, state.now()));
        assert_eq!(h.get("/api/me", Some("issued")).await.body, json!({"caller": 5}));
        h.state(|state| state.clock.advance(chrono::Duration::seconds(60)));
        assert_eq!(h.get("/api/me", Some("issued")).await.body, json!({"refused": "expired"}));
        let key = h.send(h.request("GET", "/api/me").header("x-key", "sandbox-key")).await;
        assert_eq!(key.body, json!({"caller": 1}), "API keys do not expire");
        let denied = h.get("/api/deny", Some(TOKEN)).await;
        assert_eq!((denied.status, &denied.body), (403, &json!({"denied": true})), "the model's last word");
    }

    #[tokio::test]
    async fn faults_answer_in_the_providers_words_in_order() {
        let h = harness();
        h.control("/faults", json!({"kind": "rate_limit", "count": 2})).await;
        h.control("/faults", json!({"kind": "server_error", "status": 502})).await;
        for _ in 0..2 {
            let limited = h.get("/api/me", None).await;
            assert_eq!((limited.status, &limited.body), (429, &json!({"limited": "GET /api/me"})));
        }
        assert_eq!(h.get("/api/me", Some(TOKEN)).await.status, 502);
        assert_eq!(h.get("/api/me", Some(TOKEN)).await.status, 200);
        let stats = h.control_get("/stats").await;
        assert_eq!((&stats["faultsServed"], &stats["responses"]["429"]), (&json!(3), &json!(2)));
    }

    #[tokio::test]
    async fn a_slow_fault_delays_a_normal_answer() {
        let h = harness();
        h.control("/faults", json!({"kind": "slow", "delayMs": 120})).await;
        let started = Instant::now();
        let answer = h.get("/api/me", Some(TOKEN)).await;
        assert!(started.elapsed().as_millis() >= 120);
        assert_eq!(answer.status, 200);
        assert_eq!(h.control_get("/stats").await["faultsServed"], 1);
    }

    /// Gives up on a call slowed by 300 ms after 50 ms, and says whether its handler ran anyway.
    async fn handled_after_giving_up<const SLOW_AFTER: bool>() -> u64 {
        let h = Harness::<Echo<SLOW_AFTER>>::start();
        h.control("/faults", json!({"kind": "slow", "delayMs": 300})).await;
        let call = h.get("/api/me", Some(TOKEN));
        assert!(tokio::time::timeout(std::time::Duration::from_millis(50), call).await.is_err(), "still waiting");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        h.state(|state| state.model.handled)
    }

    #[tokio::test]
    async fn a_slow_provider_after_the_call_still_does_the_work() {
        assert_eq!(handled_after_giving_up::<true>().await, 1, "the handler ran in its own task");
        assert_eq!(handled_after_giving_up::<false>().await, 0, "the call waited before its handler");
    }
}
