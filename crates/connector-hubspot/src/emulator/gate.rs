//! What HubSpot's side of the toolkit's gate is: `/crm/*` calls need a bearer token, every answer
//! carries HubSpot's rate-limit headers (see the model), and the stats count calls by route, record ids
//! left out. The control plane never comes here.

use axum::http::{HeaderMap, Method};
use unified_emulator::{Credential, auth};

use super::request::is_date_version;
use super::schema::ObjectType;

/// A `/crm/` call's token: `Authorization: Bearer <token>`; other paths (OAuth) need none.
pub fn credential<'h>(path: &str, headers: &'h HeaderMap) -> Option<Credential<'h>> {
    path.starts_with("/crm/").then(|| auth::bearer(headers, &["Bearer"]))
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

    #[test]
    fn only_crm_calls_need_a_bearer_token() {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", "bearer  sandbox-1 ".parse().unwrap());
        assert_eq!(credential("/crm/v3/owners", &headers), Some(Credential::Bearer("sandbox-1")));
        assert_eq!(credential("/oauth/v1/token", &headers), None);
        headers.insert("authorization", "Basic abc".parse().unwrap());
        assert_eq!(credential("/crm/v3/owners", &headers), Some(Credential::Missing));
    }
}
