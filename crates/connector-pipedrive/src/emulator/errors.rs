//! Pipedrive's response forms: the JSON content type, the success envelope
//! (`{"success": true, "data", "additional_data"?}`), the error envelope
//! (`{"success": false, "error", "error_info", "data": null, "additional_data": null}`, with `errorCode` on
//! 401 and 429) and v2's `Validation failed: <field>: <why>` messages.

use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;
use serde_json::{Value, json};

/// Pipedrive's JSON content type, as it sends it.
pub const JSON: &str = "application/json; charset=utf-8";
/// Where every Pipedrive error points.
pub const ERROR_INFO: &str = "Please check developers.pipedrive.com";

/// A JSON response with Pipedrive's content type.
pub fn json(status: StatusCode, body: &impl Serialize) -> Response {
    unified_emulator::wire::json(status, JSON, body)
}

/// `{"success": true, "data": ...}`.
pub fn data(status: StatusCode, data: Value) -> Response {
    json(status, &json!({ "success": true, "data": data }))
}

/// `{"success": true, "data": [...], "additional_data": {"next_cursor": ...}}`: a v2 list or search.
pub fn page(data: Value, next_cursor: Option<String>) -> Response {
    json(StatusCode::OK, &json!({ "success": true, "data": data, "additional_data": { "next_cursor": next_cursor } }))
}

/// The error envelope.
pub fn error(status: StatusCode, message: impl Into<String>) -> Response {
    json(
        status,
        &json!({"success": false, "error": message.into(), "error_info": ERROR_INFO, "data": null, "additional_data": null}),
    )
}

/// The error envelope with `errorCode` (Pipedrive adds it to 401 and 429 answers).
pub fn coded(status: StatusCode, message: &str) -> Response {
    json(
        status,
        &json!({"success": false, "error": message, "errorCode": status.as_u16(), "error_info": ERROR_INFO,
                "data": null, "additional_data": null}),
    )
}

/// `401`: a missing, unknown or expired token.
pub fn unauthorized() -> Response {
    coded(StatusCode::UNAUTHORIZED, "unauthorized access")
}

/// One problem with one field of a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

impl Problem {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// `400 Validation failed: <field>: <why>; ...`, every problem at once.
pub fn validation(problems: &[Problem]) -> Response {
    let list: Vec<String> = problems.iter().map(|p| format!("{}: {}", p.field, p.message)).collect();
    error(StatusCode::BAD_REQUEST, format!("Validation failed: {}", list.join("; ")))
}

/// `404 <Thing> not found`.
pub fn not_found(thing: &str) -> Response {
    error(StatusCode::NOT_FOUND, format!("{thing} not found"))
}

/// A path Pipedrive does not serve.
pub async fn unknown_path() -> Response {
    error(StatusCode::NOT_FOUND, "Unknown method .")
}
