//! What happens to every provider call before and after its handler: it is counted, a pending fault
//! answers instead of the handler (or delays it), `/crm/*` calls need a valid bearer token, and every
//! answer carries HubSpot's rate-limit headers. The control plane (`/_emulator/*`) never comes here.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::faults::rate_limit_headers;
use super::oauth;
use super::request::is_date_version;
use super::schema::ObjectType;
use super::state::{Shared, lock};

pub async fn gate(State(shared): State<Shared>, request: Request, next: Next) -> Response {
    let route = route_key(request.method(), request.uri().path());
    let fault = {
        let mut state = lock(&shared);
        state.stats.request(route);
        state.faults.take()
    };
    if let Some(fault) = &fault
        && let Some(response) = fault.response(request.method(), request.uri().path())
    {
        let mut state = lock(&shared);
        state.stats.faults_served += 1;
        state.rate_limit_remaining();
        state.stats.response(response.status().as_u16());
        return response;
    }
    let refusal = if request.uri().path().starts_with("/crm/") {
        let token = oauth::bearer(request.headers());
        let mut state = lock(&shared);
        let now = state.now();
        let verdict = state.tokens.check(token, now);
        oauth::refusal(verdict, now)
    } else {
        None
    };
    let mut response = match refusal {
        Some(refusal) => refusal,
        // The handler runs in a task of its own: a slow provider still does the work when the caller
        // gives up waiting, and only the answer is late (the case a client's retries must survive).
        None => match tokio::spawn(next.run(request)).await {
            Ok(response) => response,
            Err(_) => axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        },
    };
    if let Some(fault) = &fault {
        tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
    }
    let remaining = {
        let mut state = lock(&shared);
        if fault.is_some() {
            state.stats.faults_served += 1;
        }
        state.stats.response(response.status().as_u16());
        state.rate_limit_remaining()
    };
    let headers = response.headers_mut();
    for (name, value) in rate_limit_headers(remaining) {
        headers.insert(name, value);
    }
    response
}

/// `POST /crm/v3/objects/contacts`, `GET /crm/v3/objects/contacts/{objectId}`, `GET /crm/v3/owners/{ownerId}`:
/// the method and route, record ids left out so that the counts stay few.
pub fn route_key(method: &Method, path: &str) -> String {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let route = match segments.as_slice() {
        ["crm", v @ ("v3" | "v4"), "objects", rest @ ..] => object_route(&format!("/crm/{v}/objects"), rest),
        ["crm", "objects", v, rest @ ..] => object_route(&format!("/crm/objects/{}", version(v)), rest),
        ["crm", "v4", "associations", from, to, "batch", "read"] => {
            Some(format!("/crm/v4/associations/{}/{}/batch/read", type_name(from), type_name(to)))
        }
        ["crm", "associations", v, from, to, "batch", "read"] => {
            Some(format!("/crm/associations/{}/{}/{}/batch/read", version(v), type_name(from), type_name(to)))
        }
        ["crm", "v3", "properties", ty] => Some(format!("/crm/v3/properties/{}", type_name(ty))),
        ["crm", "v3", "properties", ty, _] => Some(format!("/crm/v3/properties/{}/{{propertyName}}", type_name(ty))),
        ["crm", "properties", v, ty] => Some(format!("/crm/properties/{}/{}", version(v), type_name(ty))),
        ["crm", "properties", v, ty, _] => {
            Some(format!("/crm/properties/{}/{}/{{propertyName}}", version(v), type_name(ty)))
        }
        ["crm", "v3", "owners"] => Some("/crm/v3/owners".to_owned()),
        ["crm", "v3", "owners", _] => Some("/crm/v3/owners/{ownerId}".to_owned()),
        ["oauth", v, "token"] => Some(format!("/oauth/{}/token", version(v))),
        _ => None,
    };
    format!("{method} {}", route.as_deref().unwrap_or("(unknown path)"))
}

/// What follows `/crm/v3/objects` (or a twin): the object routes and the v4 record associations.
fn object_route(prefix: &str, rest: &[&str]) -> Option<String> {
    let tail = match rest {
        [ty] => type_name(ty).to_owned(),
        [ty, "search"] => format!("{}/search", type_name(ty)),
        [ty, "batch", "read"] => format!("{}/batch/read", type_name(ty)),
        [ty, _] => format!("{}/{{objectId}}", type_name(ty)),
        [ty, _, "associations", "default", to, _] => {
            format!("{}/{{objectId}}/associations/default/{}/{{toObjectId}}", type_name(ty), type_name(to))
        }
        [ty, _, "associations", to] => format!("{}/{{objectId}}/associations/{}", type_name(ty), type_name(to)),
        [ty, _, "associations", to, _] => {
            format!("{}/{{objectId}}/associations/{}/{{toObjectId}}", type_name(ty), type_name(to))
        }
        _ => return None,
    };
    Some(format!("{prefix}/{tail}"))
}

/// A known API version as is; anything else as a placeholder, so that junk paths add no keys.
fn version(segment: &str) -> &str {
    if matches!(segment, "v1" | "v3") || is_date_version(segment) { segment } else { "{version}" }
}

fn type_name(segment: &str) -> &'static str {
    ObjectType::parse(segment).map_or("{objectType}", ObjectType::name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_leave_ids_out() {
        assert_eq!(route_key(&Method::POST, "/crm/v3/objects/contact"), "POST /crm/v3/objects/contacts");
        assert_eq!(route_key(&Method::GET, "/crm/v3/objects/0-1/123"), "GET /crm/v3/objects/contacts/{objectId}");
        assert_eq!(route_key(&Method::GET, "/crm/v3/owners/67823451"), "GET /crm/v3/owners/{ownerId}");
        assert_eq!(route_key(&Method::POST, "/oauth/v1/token"), "POST /oauth/v1/token");
        assert_eq!(route_key(&Method::GET, "/nope/1/2/3"), "GET (unknown path)");
        assert_eq!(route_key(&Method::POST, "/crm/v3/objects/widgets"), "POST /crm/v3/objects/{objectType}");
        assert_eq!(
            route_key(&Method::POST, "/crm/objects/2026-03/0-3/search"),
            "POST /crm/objects/2026-03/deals/search"
        );
        assert_eq!(route_key(&Method::PATCH, "/crm/v3/objects/deals/42"), "PATCH /crm/v3/objects/deals/{objectId}");
        assert_eq!(
            route_key(&Method::PUT, "/crm/v4/objects/contacts/1/associations/default/companies/2"),
            "PUT /crm/v4/objects/contacts/{objectId}/associations/default/companies/{toObjectId}"
        );
        assert_eq!(
            route_key(&Method::POST, "/crm/v4/associations/contact/company/batch/read"),
            "POST /crm/v4/associations/contacts/companies/batch/read"
        );
        assert_eq!(
            route_key(&Method::GET, "/crm/v3/properties/deals/amount"),
            "GET /crm/v3/properties/deals/{propertyName}"
        );
    }
}
