//! The token endpoint (`POST /services/oauth2/token`, the `refresh_token` grant, any client id and
//! secret, in the form or as HTTP Basic), in Salesforce's answer and error forms; the sessions it opens
//! live in the toolkit's token book.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::post;
use serde_json::json;
use unified_emulator::{auth, form, lock, random};

use super::errors;
use super::model::Shared;
use crate::wire::TokenResponse;

/// The org's session timeout (Salesforce's default is two hours; the token response does not say).
pub const SESSION_SECONDS: i64 = 7200;
/// The emulated org's id.
pub const ORG_ID: &str = "00D8c0000012AbCEAU";

pub fn router() -> Router<Shared> {
    Router::new().route("/services/oauth2/token", post(token))
}

fn oauth_error(error: &str, description: &str) -> Response {
    errors::json(StatusCode::BAD_REQUEST, &json!({"error": error, "error_description": description}))
}

/// `00D8c0000012AbC!…`: the org's 15-character id, `!`, then the session's random part.
fn access_token() -> String {
    format!("{}!{}", &ORG_ID[..15], random::alphanumeric(96))
}

/// `grant_type=refresh_token&refresh_token=…&client_id=…&client_secret=…` (or the client in HTTP Basic).
async fn token(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let form = form::pairs(&String::from_utf8_lossy(&body));
    let basic = auth::authorization(&headers).is_some_and(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"));
    match form::get(&form, "grant_type") {
        Some("refresh_token") => {}
        Some(_) => return oauth_error("unsupported_grant_type", "grant type not supported"),
        None => return oauth_error("invalid_request", "grant type not supported"),
    }
    if !basic && form::get(&form, "client_id").is_none_or(str::is_empty) {
        return oauth_error("invalid_client_id", "client identifier invalid");
    }
    let Some(refresh_token) = form::get(&form, "refresh_token").filter(|t| !t.is_empty()) else {
        return oauth_error("invalid_grant", "expired access/refresh token");
    };
    let instance = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map_or_else(|| "https://login.salesforce.com".to_owned(), |host| format!("http://{host}"));
    let mut state = lock(&shared);
    let Some(user) = state.tokens.refresh_user(refresh_token) else {
        return oauth_error("invalid_grant", "expired access/refresh token");
    };
    let now = state.now();
    let access_token = access_token();
    state.tokens.issue(&access_token, refresh_token, user.clone(), now);
    let issued_at = state.clock.exact().timestamp_millis().to_string();
    state.stats.tokens_issued += 1;
    state.stats.token_refreshes += 1;
    drop(state);
    let signature = base64ish(&random::alphanumeric(32));
    let answer = TokenResponse {
        access_token,
        refresh_token: None,
        signature,
        scope: "refresh_token api".to_owned(),
        id: format!("{instance}/id/{ORG_ID}/{user}"),
        instance_url: instance,
        token_type: "Bearer".to_owned(),
        issued_at,
    };
    errors::json(StatusCode::OK, &answer)
}

/// A signature-shaped value (base64-like, with its padding).
fn base64ish(text: &str) -> String {
    format!("{}=", &text[..text.len().min(43)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_and_signature_shapes() {
        let token = access_token();
        assert!(token.starts_with("00D8c0000012AbC!") && token.len() == 16 + 96, "{token}");
        assert_ne!(token, access_token());
        assert!(base64ish("abc").ends_with('='));
    }
}
