//! HubSpot's response forms: the JSON content type, the error envelope
//! (`{"status":"error","message","correlationId","category","errors"?,"context"?}`), the
//! `Property values were not valid: [...]` list.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use unified_emulator::{random, wire};

/// HubSpot's JSON content type, exactly as it sends it.
pub const JSON: &str = "application/json;charset=utf-8";

/// A JSON response with HubSpot's content type.
pub fn json(status: StatusCode, body: &impl Serialize) -> Response {
    wire::json(status, JSON, body)
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
            // HubSpot's correlation ids are UUIDs.
            correlation_id: random::uuid(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_carry_a_fresh_correlation_id_and_hubspots_content_type() {
        let one = Envelope::new(None, "x");
        assert!(random::is_uuid(&one.correlation_id), "{}", one.correlation_id);
        assert_ne!(one.correlation_id, Envelope::new(None, "x").correlation_id);
        assert_eq!(no_content().headers()[header::CONTENT_TYPE], JSON);
        assert_eq!(validation("bad").headers()[header::CONTENT_TYPE], JSON);
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
