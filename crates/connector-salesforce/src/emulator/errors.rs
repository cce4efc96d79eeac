//! Salesforce's response forms: the JSON content type, the error body (always an array of
//! `{"message", "errorCode", "fields"?}`), and random values for tokens.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

/// Salesforce's JSON content type, exactly as it sends it.
pub const JSON: &str = "application/json;charset=UTF-8";

pub fn json(status: StatusCode, body: &impl Serialize) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON));
    response
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

/// `n` random characters of `[A-Za-z0-9]`.
pub fn random_text(n: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(n);
    while out.len() < n {
        for byte in random::<32>() {
            if out.len() < n && usize::from(byte) < 248 {
                out.push(char::from(ALPHABET[usize::from(byte) % ALPHABET.len()]));
            }
        }
    }
    out
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
        let text = random_text(40);
        assert!(text.len() == 40 && text.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(text, random_text(40));
    }
}
