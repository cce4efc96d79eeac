//! HubSpot's response forms: the JSON content type, the error envelope
//! (`{"status":"error","message","correlationId","category","errors"?,"context"?}`), the
//! `Property values were not valid: [...]` list, and the random ids HubSpot puts in them.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

/// HubSpot's JSON content type, exactly as it sends it.
pub const JSON: &str = "application/json;charset=utf-8";

/// A JSON response with HubSpot's content type.
pub fn json(status: StatusCode, body: &impl Serialize) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON));
    response
}

/// `204 No Content`: HubSpot still names its JSON content type (the recorded deletes carry it).
pub fn no_content() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON));
    response
}

/// HubSpot's error envelope, in HubSpot's field order.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    pub status: &'static str,
    pub message: String,
    pub correlation_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
}

impl Envelope {
    pub fn new(category: Option<&'static str>, message: impl Into<String>) -> Self {
        Self {
            status: "error",
            message: message.into(),
            correlation_id: correlation_id(),
            category,
            errors: None,
            context: None,
        }
    }

    pub fn with_errors(mut self, errors: Vec<Value>) -> Self {
        self.errors = Some(errors);
        self
    }

    pub fn with_context(mut self, context: Value) -> Self {
        self.context = Some(context);
        self
    }

    pub fn into_response(self, status: StatusCode) -> Response {
        json(status, &self)
    }
}

/// `400 VALIDATION_ERROR` with a plain message.
pub fn validation(message: impl Into<String>) -> Response {
    Envelope::new(Some("VALIDATION_ERROR"), message).into_response(StatusCode::BAD_REQUEST)
}

/// `404 OBJECT_NOT_FOUND`, as HubSpot answers for a record or an owner that does not exist.
pub fn object_not_found() -> Response {
    Envelope::new(Some("OBJECT_NOT_FOUND"), "resource not found").into_response(StatusCode::NOT_FOUND)
}

/// `409 CONFLICT`: another live contact has this e-mail (HubSpot names it only inside the message).
pub fn contact_exists(existing: &str) -> Response {
    let message = format!("Contact already exists. Existing ID: {existing}");
    Envelope::new(Some("CONFLICT"), message).into_response(StatusCode::CONFLICT)
}

/// A path HubSpot does not serve (the router's fallback).
pub async fn unknown_path() -> Response {
    path_not_found()
}

/// HubSpot's `404` for a path it does not serve: no category.
pub fn path_not_found() -> Response {
    Envelope::new(None, "resource not found").into_response(StatusCode::NOT_FOUND)
}

/// One entry of the list a `VALIDATION_ERROR` embeds in its message, in HubSpot's field order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    pub is_valid: bool,
    pub message: String,
    pub error: &'static str,
    pub name: String,
}

impl Problem {
    pub fn new(name: &str, error: &'static str, message: impl Into<String>) -> Self {
        Self { is_valid: false, message: message.into(), error, name: name.to_owned() }
    }
}

/// `400 VALIDATION_ERROR` `Property values were not valid: [{"isValid":false,...}]`.
pub fn invalid_properties(problems: &[Problem]) -> Response {
    let list = serde_json::to_string(problems).unwrap_or_default();
    validation(format!("Property values were not valid: {list}"))
}

/// Random bytes from the OS.
pub fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness (never seen on a supported platform): std's randomly keyed hasher over a
        // counter still gives unique, unguessable-enough values for an emulator.
        use std::hash::{BuildHasher, RandomState};
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        for chunk in bytes.chunks_mut(8) {
            let word = RandomState::new().hash_one(COUNTER.fetch_add(1, Ordering::Relaxed)).to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
    }
    bytes
}

/// A UUID v4 in its text form, as HubSpot's `correlationId` and `requestId`.
pub fn correlation_id() -> String {
    let mut b = random::<16>();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correlation_ids_look_like_hubspots() {
        let id = correlation_id();
        let parts: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12]);
        assert_eq!(&id[14..15], "4");
        assert_ne!(id, correlation_id());
    }

    #[test]
    fn property_problems_are_embedded_as_json() {
        let problem =
            Problem::new("favourite_colour", "PROPERTY_DOESNT_EXIST", "Property \"favourite_colour\" does not exist");
        let list = serde_json::to_string(&[problem]).unwrap();
        assert_eq!(
            list,
            r#"[{"isValid":false,"message":"Property \"favourite_colour\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"favourite_colour"}]"#
        );
    }
}
