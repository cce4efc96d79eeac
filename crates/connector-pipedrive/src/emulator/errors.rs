//! Pipedrive's response forms: the JSON content type, the success envelope
//! (`{"success": true, "data", "additional_data"?}`), the error envelope
//! (`{"success": false, "error", "error_info", "data": null, "additional_data": null}`, with `errorCode` on
//! 401 and 429), v2's `Validation failed: <field>: <why>` messages, and random ids.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

/// Pipedrive's JSON content type, as it sends it.
pub const JSON: &str = "application/json; charset=utf-8";
/// Where every Pipedrive error points.
pub const ERROR_INFO: &str = "Please check developers.pipedrive.com";

/// A JSON response with Pipedrive's content type.
pub fn json(status: StatusCode, body: &impl Serialize) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON));
    response
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

/// Random bytes from the OS.
pub fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness (never seen on a supported platform): std's randomly keyed hasher over a
        // counter still gives unique values for an emulator.
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

/// `n` random bytes as lowercase hex.
pub fn hex<const N: usize>() -> String {
    random::<N>().iter().map(|b| format!("{b:02x}")).collect()
}

/// A UUID v4: a lead's id.
pub fn uuid() -> String {
    let mut b = random::<16>();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

pub fn is_uuid(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_look_like_pipedrives() {
        let id = uuid();
        assert!(is_uuid(&id), "{id}");
        assert_eq!(&id[14..15], "4");
        assert_ne!(id, uuid());
        assert_eq!(hex::<20>().len(), 40);
        assert!(!is_uuid("adf21080-0e10-11eb-879b") && !is_uuid("ADF21080-0E10-11EB-879B-05D71FB426EC"));
    }
}
