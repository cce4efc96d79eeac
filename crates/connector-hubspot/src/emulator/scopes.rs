//! The OAuth scopes HubSpot requires for a provider call: what a `403 MISSING_SCOPES` answer names.
//! Meetings (engagements) have no scopes of their own: HubSpot puts them under the contacts' scopes.

use axum::http::Method;

use super::schema::ObjectType;

/// The scopes of `method path`, any one of which would do; none for a path without scopes (OAuth).
pub fn required(method: &Method, path: &str) -> Vec<String> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let reads = |tail: &[&str]| {
        *method == Method::GET || (*method == Method::POST && matches!(tail, ["search"] | ["batch", "read"]))
    };
    let object = |ty: &str, tail: &[&str]| -> Vec<String> {
        let Some(ty) = ObjectType::parse(ty) else { return Vec::new() };
        let access = if reads(tail) { "read" } else { "write" };
        vec![format!("crm.objects.{}.{access}", scope_name(ty))]
    };
    match segments.as_slice() {
        ["crm", "v3" | "v4", "objects", ty, tail @ ..] => object(ty, tail),
        ["crm", "objects", _, ty, tail @ ..] => object(ty, tail),
        ["crm", "v4", "associations", ty, _, "batch", "read"] | ["crm", "associations", _, ty, _, "batch", "read"] => {
            object(ty, &["batch", "read"])
        }
        ["crm", "v3", "properties", ty, ..] | ["crm", "properties", _, ty, ..] => {
            ObjectType::parse(ty).map(|ty| vec![format!("crm.schemas.{}.read", scope_name(ty))]).unwrap_or_default()
        }
        ["crm", "v3", "owners", ..] => vec!["crm.objects.owners.read".to_owned()],
        _ => Vec::new(),
    }
}

fn scope_name(ty: ObjectType) -> &'static str {
    match ty {
        ObjectType::Meetings => "contacts",
        other => other.name(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_follow_the_object_and_the_access() {
        let scopes = |method: Method, path: &str| required(&method, path);
        assert_eq!(scopes(Method::POST, "/crm/v3/objects/deals"), ["crm.objects.deals.write"]);
        assert_eq!(scopes(Method::GET, "/crm/v3/objects/contacts/1"), ["crm.objects.contacts.read"]);
        assert_eq!(scopes(Method::POST, "/crm/objects/2026-03/leads/search"), ["crm.objects.leads.read"]);
        assert_eq!(scopes(Method::PATCH, "/crm/v3/objects/meetings/1"), ["crm.objects.contacts.write"]);
        assert_eq!(scopes(Method::POST, "/crm/v3/objects/companies/batch/read"), ["crm.objects.companies.read"]);
        assert_eq!(
            scopes(Method::POST, "/crm/v4/associations/contacts/companies/batch/read"),
            ["crm.objects.contacts.read"]
        );
        assert_eq!(
            scopes(Method::PUT, "/crm/v4/objects/contacts/1/associations/default/companies/2"),
            ["crm.objects.contacts.write"]
        );
        assert_eq!(scopes(Method::GET, "/crm/v3/properties/deals"), ["crm.schemas.deals.read"]);
        assert_eq!(scopes(Method::GET, "/crm/properties/2026-03/contacts/email"), ["crm.schemas.contacts.read"]);
        assert_eq!(scopes(Method::GET, "/crm/v3/owners/1"), ["crm.objects.owners.read"]);
        assert!(scopes(Method::POST, "/oauth/v3/token").is_empty());
    }
}
