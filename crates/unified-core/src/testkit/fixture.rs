//! The fixture format: `fixtures/<provider>/<resource>/<case>/{input.json, exchanges.json}`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::connector::Settings;
use crate::operation::Operation;
use crate::transport::{RawRequest, RawResponse, RequestBody};

/// `input.json`: the operation, where the provider's answers come from, the record id or list query,
/// the unified body a caller sends, and optionally connection settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaseInput {
    pub operation: Operation,
    /// Where the provider's side of `exchanges.json` comes from: the provider's documented example or
    /// spec, a public SDK's test data, or a recording from a real account. Never our own emulator.
    pub source: String,
    /// The record id, for get, update and delete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The list query, for list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<ListCase>,
    /// Kept as JSON so that a case may hold an invalid body on purpose (create and update).
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub body: Value,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub settings: Settings,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub include_remote_data: bool,
}

/// The list query of a list case: the pages it follows, each from the previous page's `nextCursor`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListCase {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_since: Option<crate::time::Timestamp>,
    /// How many pages to fetch (1 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
}

/// One recorded call: what was sent and what came back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exchange {
    pub request: RecordedRequest,
    pub response: RecordedResponse,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub query: BTreeMap<String, String>,
    /// JSON bodies as JSON; form bodies as their (redacted) text.
    #[serde(default)]
    pub body: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedResponse {
    /// The provider's status; absent when `failure` says the call got no answer.
    #[serde(default)]
    pub status: u16,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub body: Value,
    /// `timeout`, `connect` or `io`: the call got no answer (for fault cases).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
}

impl RecordedRequest {
    /// How a request is recorded and snapshotted: body decoded, secrets of form bodies redacted.
    pub fn from_raw(request: &RawRequest) -> Self {
        Self {
            method: request.method.to_string(),
            path: request.path.clone(),
            query: request.query.iter().cloned().collect(),
            body: match &request.body {
                None => Value::Null,
                Some(RequestBody::Json(bytes)) => serde_json::from_slice(bytes)
                    .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned())),
                Some(RequestBody::Form(bytes)) => Value::String(redact_form(&String::from_utf8_lossy(bytes))),
            },
        }
    }
}

impl RecordedResponse {
    pub fn from_raw(response: &RawResponse) -> Self {
        let headers = response
            .headers
            .iter()
            .filter(|(name, _)| KEPT_HEADERS.contains(&name.as_str()) || name.as_str().contains("ratelimit"))
            .filter_map(|(name, value)| Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned())))
            .collect();
        Self { status: response.status, headers, body: redact_json(response.body_value()), failure: None }
    }

    pub fn to_raw(&self) -> RawResponse {
        let mut headers = http::HeaderMap::new();
        for (name, value) in &self.headers {
            if let (Ok(name), Ok(value)) =
                (http::HeaderName::from_bytes(name.as_bytes()), http::HeaderValue::from_str(value))
            {
                headers.insert(name, value);
            }
        }
        let body = match &self.body {
            Value::Null => Vec::new(),
            Value::String(text) if !self.is_json() => text.clone().into_bytes(),
            other => serde_json::to_vec(other).unwrap_or_default(),
        };
        RawResponse { status: self.status, headers, body }
    }

    fn is_json(&self) -> bool {
        self.headers.get("content-type").is_none_or(|t| t.contains("json"))
    }
}

/// Response headers worth keeping in a recording (the rest is noise and may identify an account).
const KEPT_HEADERS: &[&str] = &["content-type", "retry-after"];

/// Keys whose values are secrets wherever they appear.
pub const SECRET_KEYS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "client_id",
    "code",
    "password",
    "api_key",
    "apikey",
];

pub const REDACTED: &str = "[REDACTED]";

/// Replaces the values of [`SECRET_KEYS`] in a JSON document, at any depth.
pub fn redact_json(mut value: Value) -> Value {
    fn walk(value: &mut Value) {
        match value {
            Value::Object(map) => {
                for (key, v) in map.iter_mut() {
                    if SECRET_KEYS.contains(&key.as_str()) && !v.is_null() {
                        *v = Value::String(REDACTED.to_owned());
                    } else {
                        walk(v);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut value);
    value
}

/// Replaces the values of [`SECRET_KEYS`] in a form-encoded body.
pub fn redact_form(form: &str) -> String {
    form.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if SECRET_KEYS.contains(&key) => format!("{key}={REDACTED}"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_tokens_at_any_depth() {
        let v = redact_json(serde_json::json!({"a": {"access_token": "x", "list": [{"refresh_token": "y"}]}, "ok": 1}));
        assert_eq!(
            v,
            serde_json::json!({"a": {"access_token": REDACTED, "list": [{"refresh_token": REDACTED}]}, "ok": 1})
        );
    }

    #[test]
    fn redacts_form_secrets() {
        assert_eq!(
            redact_form("grant_type=refresh_token&client_secret=s3cr3t&refresh_token=abc"),
            "grant_type=refresh_token&client_secret=[REDACTED]&refresh_token=[REDACTED]"
        );
    }
}
