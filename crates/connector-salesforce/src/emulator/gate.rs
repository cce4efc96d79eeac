//! What Salesforce's side of the toolkit's gate is: REST calls need a session (`Bearer` or `OAuth`),
//! count against the org's daily limit, and every REST answer carries `Sforce-Limit-Info`; the stats
//! count calls by route, versions and record ids left out. The control plane never comes here.

use axum::http::{HeaderMap, HeaderValue, Method};
use axum::response::Response;
use unified_emulator::{Credential, auth};

use super::faults::limit_exceeded;
use super::model::{DAILY_API_LIMIT, Salesforce};
use super::schema::SObjectType;
use super::sobjects::is_version;

/// `/services/data/v66.0/…`: the REST API proper (the version listing needs no session).
fn is_rest(path: &str) -> bool {
    path.strip_prefix("/services/data/").and_then(|rest| rest.split('/').next()).is_some_and(|v| !v.is_empty())
}

/// A REST call's session token; other paths need none.
pub fn credential<'h>(path: &str, headers: &'h HeaderMap) -> Option<Credential<'h>> {
    is_rest(path).then(|| auth::bearer(headers, &["Bearer", "OAuth"]))
}

/// Counts a call with a valid session; past the daily limit the org refuses it.
pub fn count_against_the_daily_limit(org: &mut Salesforce) -> Option<Response> {
    org.api_usage += 1;
    (org.api_usage > DAILY_API_LIMIT).then(|| limit_exceeded("TotalRequests"))
}

/// `Sforce-Limit-Info: api-usage=N/15000`, on REST answers.
pub fn limit_info(org: &Salesforce, path: &str) -> Option<(&'static str, HeaderValue)> {
    let value = HeaderValue::from_str(&format!("api-usage={}/{DAILY_API_LIMIT}", org.api_usage)).ok()?;
    is_rest(path).then_some(("sforce-limit-info", value))
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
    }

    #[test]
    fn only_rest_calls_need_a_session_and_count() {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", "OAuth sandbox-1".parse().unwrap());
        assert_eq!(credential("/services/data/v66.0/query", &headers), Some(Credential::Bearer("sandbox-1")));
        assert_eq!(credential("/services/data/", &headers), None, "the version listing");
        assert_eq!(credential("/services/oauth2/token", &headers), None);
        let mut org = Salesforce { api_usage: DAILY_API_LIMIT - 1, ..Salesforce::default() };
        assert!(count_against_the_daily_limit(&mut org).is_none());
        assert_eq!(count_against_the_daily_limit(&mut org).map(|r| r.status().as_u16()), Some(403));
        assert_eq!(limit_info(&org, "/services/data/v66.0/query").unwrap().1, "api-usage=15001/15000");
        assert!(limit_info(&org, "/services/oauth2/token").is_none());
    }
}
