//! What happens to every provider call before and after its handler: it is counted, a pending fault
//! answers instead of the handler (or delays it), REST calls need a valid session (whose user the
//! handlers see) and count against the org's daily limit, and every REST answer carries
//! `Sforce-Limit-Info`. The control plane (`/_emulator/*`) never comes here.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;

use super::errors;
use super::faults::limit_exceeded;
use super::oauth::{self, Verdict};
use super::schema::{API_USER, SObjectType};
use super::sobjects::is_version;
use super::state::{DAILY_API_LIMIT, Shared, lock};

/// The session's user, for the handlers (the default owner of what they create).
#[derive(Debug, Clone)]
pub struct Session {
    pub user: String,
}

/// `/services/data/v66.0/…`: the REST API proper (the version listing needs no session).
fn is_rest(path: &str) -> bool {
    path.strip_prefix("/services/data/").and_then(|rest| rest.split('/').next()).is_some_and(|v| !v.is_empty())
}

pub async fn gate(State(shared): State<Shared>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let route = route_key(request.method(), &path);
    let fault = {
        let mut state = lock(&shared);
        state.stats.request(route);
        state.faults.take()
    };
    if let Some(fault) = &fault {
        if let Some(response) = fault.response() {
            let mut state = lock(&shared);
            state.stats.faults_served += 1;
            state.stats.response(response.status().as_u16());
            return response;
        }
        tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
    }
    let rest = is_rest(&path);
    let refusal = {
        let mut state = lock(&shared);
        if rest {
            let now = state.now();
            match state.tokens.check(oauth::bearer(request.headers()), now) {
                Verdict::Invalid => Some(errors::invalid_session()),
                Verdict::Valid(user) => {
                    state.api_usage += 1;
                    request.extensions_mut().insert(Session { user });
                    (state.api_usage > DAILY_API_LIMIT).then(|| limit_exceeded("TotalRequests"))
                }
            }
        } else {
            request.extensions_mut().insert(Session { user: super::ids::to18(API_USER) });
            None
        }
    };
    let mut response = match refusal {
        Some(refusal) => refusal,
        None => next.run(request).await,
    };
    let usage = {
        let mut state = lock(&shared);
        if fault.is_some() {
            state.stats.faults_served += 1;
        }
        state.stats.response(response.status().as_u16());
        state.api_usage
    };
    if rest && let Ok(value) = HeaderValue::from_str(&format!("api-usage={usage}/{DAILY_API_LIMIT}")) {
        response.headers_mut().insert("sforce-limit-info", value);
    }
    response
}

/// `POST /services/data/{version}/sobjects/Contact`, `GET /services/data/{version}/sobjects/Contact/{id}`:
/// the method and route, versions and record ids left out so that the counts stay few.
pub fn route_key(method: &Method, path: &str) -> String {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let object = |name: &str| SObjectType::parse(name).map_or("{sobject}", SObjectType::name);
    let route = match segments.as_slice() {
        ["services", "data"] => "/services/data".to_owned(),
        ["services", "data", v, rest @ ..] if is_version(v) => match rest {
            [] => "/services/data/{version}".to_owned(),
            ["sobjects", o] => format!("/services/data/{{version}}/sobjects/{}", object(o)),
            ["sobjects", o, _] => format!("/services/data/{{version}}/sobjects/{}/{{id}}", object(o)),
            ["query"] => "/services/data/{version}/query".to_owned(),
            ["composite", "sobjects"] => "/services/data/{version}/composite/sobjects".to_owned(),
            _ => "(unknown path)".to_owned(),
        },
        ["services", "oauth2", "token"] => "/services/oauth2/token".to_owned(),
        _ => "(unknown path)".to_owned(),
    };
    format!("{method} {route}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_leave_versions_and_ids_out() {
        assert_eq!(
            route_key(&Method::POST, "/services/data/v66.0/sobjects/contact/"),
            "POST /services/data/{version}/sobjects/Contact"
        );
        assert_eq!(
            route_key(&Method::GET, "/services/data/v66.0/sobjects/User/0058c00000AsDfGAAR"),
            "GET /services/data/{version}/sobjects/User/{id}"
        );
        assert_eq!(route_key(&Method::GET, "/services/data/v60.0/query"), "GET /services/data/{version}/query");
        assert_eq!(route_key(&Method::POST, "/services/oauth2/token"), "POST /services/oauth2/token");
        assert_eq!(route_key(&Method::GET, "/services/data/v99.0/query"), "GET (unknown path)");
        assert_eq!(
            route_key(&Method::POST, "/services/data/v66.0/sobjects/Widget"),
            "POST /services/data/{version}/sobjects/{sobject}"
        );
        assert!(
            is_rest("/services/data/v66.0/query") && !is_rest("/services/data/") && !is_rest("/services/oauth2/token")
        );
    }
}
