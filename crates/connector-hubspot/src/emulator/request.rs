//! What a provider request names: its path parameters (under the legacy `v3`/`v4` paths and their
//! date-based twins, `/crm/objects/2026-03/...`) and its query string.

use axum::response::Response;
use serde::Deserialize;
use unified_emulator::form;

use super::errors;
use super::schema::ObjectType;

/// Every path parameter a CRM route has; each route fills the ones it names.
#[derive(Debug, Deserialize)]
pub struct PathParams {
    /// Only on the date-based paths.
    pub version: Option<String>,
    pub object_type: String,
    pub object_id: Option<String>,
    pub to_type: Option<String>,
    pub to_id: Option<String>,
}

impl PathParams {
    /// The object type of the path, after checking a date-based path's version: otherwise HubSpot's 404
    /// for a path it does not serve, or its 400 for a type it does not know.
    pub fn object_type(&self) -> Result<ObjectType, Response> {
        if self.version.as_deref().is_some_and(|v| !is_date_version(v)) {
            return Err(errors::path_not_found());
        }
        parse_type(&self.object_type)
    }

    pub fn id(&self) -> &str {
        self.object_id.as_deref().unwrap_or_default()
    }

    pub fn to_type(&self) -> Result<ObjectType, Response> {
        parse_type(self.to_type.as_deref().unwrap_or_default())
    }

    pub fn to_id(&self) -> &str {
        self.to_id.as_deref().unwrap_or_default()
    }
}

/// An object type path segment, or HubSpot's `400` for one it cannot read.
pub fn parse_type(segment: &str) -> Result<ObjectType, Response> {
    ObjectType::parse(segment).ok_or_else(|| errors::validation(format!("Unable to infer object type from: {segment}")))
}

/// `2026-03`: the date-based API versions.
pub fn is_date_version(version: &str) -> bool {
    let b = version.as_bytes();
    b.len() == 7 && b[4] == b'-' && b.iter().enumerate().all(|(i, c)| i == 4 || c.is_ascii_digit())
}

/// A decoded query string.
#[derive(Debug, Default)]
pub struct Query(Vec<(String, String)>);

impl Query {
    pub fn parse(raw: Option<&str>) -> Self {
        Self(form::pairs(raw.unwrap_or_default()))
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        form::get(&self.0, key)
    }

    /// `true` only for `key=true`.
    pub fn flag(&self, key: &str) -> bool {
        self.get(key) == Some("true")
    }

    /// A comma list, repeated keys joined: `properties=a,b&properties=c` → `[a, b, c]`.
    pub fn list(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// `associations=contacts,companies`; names HubSpot does not know are dropped.
    pub fn object_types(&self, key: &str) -> Vec<ObjectType> {
        let mut types: Vec<ObjectType> = self.list(key).iter().filter_map(|t| ObjectType::parse(t)).collect();
        types.dedup();
        types
    }

    /// The pairs in order, but `key`'s, as a query string (for the `paging.next.link` of a list).
    pub fn without(&self, key: &str) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.0.iter().filter(|(k, _)| k != key) {
            out.append_pair(k, v);
        }
        out.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_versions() {
        assert!(is_date_version("2026-03"));
        assert!(!is_date_version("v3") && !is_date_version("2026-3") && !is_date_version("2026_03"));
    }

    #[test]
    fn query_lists_and_flags() {
        let query =
            Query::parse(Some("properties=email,%20phone&properties=city&archived=true&associations=company,x"));
        assert_eq!(query.list("properties"), ["email", "phone", "city"]);
        assert!(query.flag("archived") && !query.flag("missing"));
        assert_eq!(query.object_types("associations"), [ObjectType::Companies]);
        assert_eq!(query.without("properties"), "archived=true&associations=company%2Cx");
    }
}
