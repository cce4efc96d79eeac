//! What happens to every provider call before and after its handler: it is counted, a pending fault
//! answers instead of the handler (or delays it), `/api/*` calls need a valid token (OAuth bearer or
//! `x-api-token`), spend the daily token budget, and carry Pipedrive's rate-limit headers. The control
//! plane (`/_emulator/*`) never comes here.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::errors;
use super::faults::rate_limit_headers;
use super::oauth::{self, Verdict};
use super::state::{Shared, lock};

/// The user a call acts as (the token's), for handlers that default an owner.
#[derive(Debug, Clone, Copy)]
pub struct Caller(pub u64);

pub async fn gate(State(shared): State<Shared>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let api = path.starts_with("/api/");
    let cost = token_cost(request.method(), &path);
    let fault = {
        let mut state = lock(&shared);
        state.stats.request(route_key(request.method(), &path));
        state.faults.take()
    };
    if let Some(fault) = &fault {
        let budget_left = lock(&shared).budget_left();
        if let Some(response) = fault.response(budget_left) {
            // A fault's answer carries its own headers: a 429 Pipedrive's rate-limit ones, a gateway's
            // 5xx page none.
            let mut state = lock(&shared);
            state.stats.faults_served += 1;
            state.burst_remaining();
            state.stats.response(response.status().as_u16());
            return response;
        }
        tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
    }
    let refusal = if api {
        let mut state = lock(&shared);
        let now = state.now();
        let verdict = match oauth::credential(request.headers()) {
            Some((true, token)) => state.tokens.check_bearer(token, now),
            Some((false, token)) => state.tokens.check_api_token(token),
            None => Verdict::Unknown,
        };
        match verdict {
            Verdict::Valid(user) => {
                request.extensions_mut().insert(Caller(user));
                None
            }
            Verdict::Unknown | Verdict::Expired => Some(errors::unauthorized()),
        }
    } else {
        None
    };
    let exhausted = api && refusal.is_none() && lock(&shared).budget_left() == 0;
    let mut response = match (refusal, exhausted) {
        (Some(refusal), _) => refusal,
        (None, true) => errors::coded(StatusCode::TOO_MANY_REQUESTS, "Daily API token budget exceeded"),
        (None, false) => next.run(request).await,
    };
    let (burst, budget) = {
        let mut state = lock(&shared);
        if fault.is_some() {
            state.stats.faults_served += 1;
        }
        state.stats.response(response.status().as_u16());
        let budget = if api && !exhausted && response.status() != StatusCode::UNAUTHORIZED {
            state.stats.tokens_spent += cost;
            state.spend(cost)
        } else {
            state.budget_left()
        };
        (state.burst_remaining(), budget)
    };
    if api {
        for (name, value) in rate_limit_headers(burst, budget) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// What a call costs of the daily budget: v2 get 1, list 10, search 20, write 5; v1 about double.
pub fn token_cost(method: &Method, path: &str) -> u64 {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let v1 = segments.get(1) == Some(&"v1");
    let single = segments.len() >= 4 && segments.last().is_none_or(|s| *s != "search");
    let base = match *method {
        Method::GET if segments.last() == Some(&"search") => 20,
        Method::GET if single => 1,
        Method::GET => 10,
        Method::DELETE => 3,
        _ => 5,
    };
    if v1 { base * 2 } else { base }
}

/// `POST /api/v2/persons`, `GET /api/v2/persons/{id}`, `GET /api/v1/users/{id}`: the method and route,
/// record ids left out so that the counts stay few.
pub fn route_key(method: &Method, path: &str) -> String {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let known_v2 = ["persons", "organizations", "deals", "activities", "personFields", "dealFields"];
    let route = match segments.as_slice() {
        ["api", "v2", kind] if known_v2.contains(kind) => format!("/api/v2/{kind}"),
        ["api", "v2", kind, "search"] if matches!(*kind, "persons" | "organizations") => {
            format!("/api/v2/{kind}/search")
        }
        ["api", "v2", kind, _] if known_v2.contains(kind) => format!("/api/v2/{kind}/{{id}}"),
        ["api", "v1", kind] if matches!(*kind, "leads" | "leadLabels" | "users") => format!("/api/v1/{kind}"),
        ["api", "v1", "users", "me"] => "/api/v1/users/me".to_owned(),
        ["api", "v1", kind, _] if matches!(*kind, "leads" | "users") => format!("/api/v1/{kind}/{{id}}"),
        ["oauth", "token"] => "/oauth/token".to_owned(),
        _ => "(unknown path)".to_owned(),
    };
    format!("{method} {route}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_leave_ids_out() {
        assert_eq!(route_key(&Method::POST, "/api/v2/persons"), "POST /api/v2/persons");
        assert_eq!(route_key(&Method::GET, "/api/v2/persons/5821"), "GET /api/v2/persons/{id}");
        assert_eq!(route_key(&Method::GET, "/api/v2/organizations/search"), "GET /api/v2/organizations/search");
        assert_eq!(route_key(&Method::GET, "/api/v1/users/13374021"), "GET /api/v1/users/{id}");
        assert_eq!(route_key(&Method::GET, "/api/v1/users/me"), "GET /api/v1/users/me");
        assert_eq!(route_key(&Method::POST, "/oauth/token"), "POST /oauth/token");
        assert_eq!(route_key(&Method::GET, "/nope/1/2/3"), "GET (unknown path)");
    }

    #[test]
    fn token_costs() {
        assert_eq!(token_cost(&Method::POST, "/api/v2/persons"), 5);
        assert_eq!(token_cost(&Method::POST, "/api/v1/leads"), 10);
        assert_eq!(token_cost(&Method::GET, "/api/v2/persons/5821"), 1);
        assert_eq!(token_cost(&Method::GET, "/api/v2/personFields"), 10);
        assert_eq!(token_cost(&Method::GET, "/api/v2/organizations/search"), 20);
        assert_eq!(token_cost(&Method::GET, "/api/v1/users/13374021"), 2);
    }
}
