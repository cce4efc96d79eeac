//! What Pipedrive's side of the toolkit's gate is: `/api/*` calls need a token (OAuth bearer or
//! `x-api-token`), spend the daily token budget and carry Pipedrive's rate-limit headers; the stats count
//! calls by route, record ids left out. The control plane never comes here.

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use chrono::{DateTime, Utc};
use unified_emulator::{Answered, Call, Credential, auth};

use super::errors;
use super::faults::rate_limit_headers;
use super::model::Pipedrive;

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// An `/api` call's credential: `Authorization: Bearer <token>`, else `x-api-token: <token>`.
pub fn credential<'h>(path: &str, headers: &'h HeaderMap) -> Option<Credential<'h>> {
    if !is_api(path) {
        return None;
    }
    if headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).is_some() {
        return Some(auth::bearer(headers, &["Bearer"]));
    }
    let key = headers.get("x-api-token").and_then(|v| v.to_str().ok()).map(str::trim).filter(|k| !k.is_empty());
    Some(key.map_or(Credential::Missing, Credential::Key))
}

/// A valid call when today's budget is spent.
pub fn budget_spent(budget_left: u64) -> Option<Response> {
    (budget_left == 0).then(|| errors::coded(StatusCode::TOO_MANY_REQUESTS, "Daily API token budget exceeded"))
}

/// Counts a call in the burst window, spends its cost when its handler answered an `/api` call, and
/// says what is left of both.
pub fn spend(
    company: &mut Pipedrive,
    call: &Call,
    answered: Answered,
    now: DateTime<Utc>,
) -> Vec<(&'static str, HeaderValue)> {
    let api = is_api(&call.path);
    let budget = match answered {
        Answered::Handler if api => company.spend(token_cost(&call.method, &call.path), now),
        _ => company.budget_left(now),
    };
    let burst = company.burst_remaining();
    if api { rate_limit_headers(burst, budget).into() } else { Vec::new() }
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

    #[test]
    fn credentials_from_either_header() {
        let mut headers = HeaderMap::new();
        headers.insert("x-api-token", "sandbox-k".parse().unwrap());
        assert_eq!(credential("/api/v2/persons", &headers), Some(Credential::Key("sandbox-k")));
        assert_eq!(credential("/oauth/token", &headers), None, "the token endpoint needs none");
        headers.insert(header::AUTHORIZATION, "bearer sandbox-1".parse().unwrap());
        assert_eq!(credential("/api/v2/persons", &headers), Some(Credential::Bearer("sandbox-1")));
        headers.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(credential("/api/v2/persons", &headers), Some(Credential::Missing), "no fallback to the key");
    }

    #[test]
    fn only_calls_a_handler_answered_spend_the_budget() {
        let mut company = Pipedrive::default();
        let now = Utc::now();
        let create = Call { method: Method::POST, path: "/api/v2/persons".into() };
        let headers = spend(&mut company, &create, Answered::Handler, now);
        assert_eq!(headers[4], ("x-daily-ratelimit-token-remaining", HeaderValue::from(300_000u64 - 5)));
        spend(&mut company, &create, Answered::Gate, now);
        assert_eq!(company.tokens_spent, 5, "a refused call costs nothing");
        let token = Call { method: Method::POST, path: "/oauth/token".into() };
        assert!(spend(&mut company, &token, Answered::Handler, now).is_empty());
        assert_eq!(budget_spent(0).map(|r| r.status()), Some(StatusCode::TOO_MANY_REQUESTS));
        assert!(budget_spent(1).is_none());
    }
}
