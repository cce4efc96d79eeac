//! Salesforce's response forms: the JSON content type and the error body (always an array of
//! `{"message", "errorCode", "fields"?}`).

use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;
use serde_json::{Value, json};

/// Salesforce's JSON content type, exactly as it sends it.
pub const JSON: &str = "application/json;charset=UTF-8";

pub fn json(status: StatusCode, body: &impl Serialize) -> Response {
    unified_emulator::wire::json(status, JSON, body)
}

/// One error of an error body. `fields` is left out where Salesforce leaves it out.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    pub message: String,
    pub error_code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_result: Option<Value>,
}

impl ApiError {
    pub fn new(error_code: &'static str, message: impl Into<String>) -> Self {
        Self { message: message.into(), error_code, fields: None, duplicate_result: None }
    }

    pub fn on(error_code: &'static str, message: impl Into<String>, fields: &[&str]) -> Self {
        Self { fields: Some(fields.iter().map(|f| (*f).to_owned()).collect()), ..Self::new(error_code, message) }
    }

    /// The same error as a collection's per-record error (`statusCode`, always with `fields`).
    pub fn as_record_error(&self) -> Value {
        json!({"statusCode": self.error_code, "message": self.message, "fields": self.fields.clone().unwrap_or_default()})
    }
}

pub fn errors(status: StatusCode, errors: &[ApiError]) -> Response {
    json(status, &errors)
}

pub fn one(status: StatusCode, error: ApiError) -> Response {
    errors(status, &[error])
}

/// `404 NOT_FOUND`, for a record that does not exist and a path Salesforce does not serve.
pub fn not_found() -> Response {
    one(StatusCode::NOT_FOUND, ApiError::new("NOT_FOUND", "The requested resource does not exist"))
}

pub async fn unknown_path() -> Response {
    not_found()
}

/// `401 INVALID_SESSION_ID`: a missing, unknown or expired session alike.
pub fn invalid_session() -> Response {
    one(StatusCode::UNAUTHORIZED, ApiError::new("INVALID_SESSION_ID", "Session expired or invalid"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_leave_out_absent_fields() {
        let body = serde_json::to_string(&[ApiError::new("INVALID_SESSION_ID", "Session expired or invalid")]).unwrap();
        assert_eq!(body, r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#);
        let with = ApiError::on("REQUIRED_FIELD_MISSING", "Required fields are missing: [LastName]", &["LastName"]);
        assert_eq!(with.as_record_error()["statusCode"], "REQUIRED_FIELD_MISSING");
    }
}
