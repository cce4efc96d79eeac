//! OAuth: the token endpoint (`POST /oauth/v1/token`, `/oauth/v3/token`, `/oauth/2026-03/token`), in
//! HubSpot's answer and error forms, and HubSpot's `401` answers for unknown and expired access tokens.
//! The tokens it issues live in the toolkit's token book.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use unified_emulator::{form, lock, random};

use super::errors::{self, Envelope};
use super::model::Shared;
use super::request::is_date_version;
use super::time::iso;

/// HubSpot's access-token lifetime.
pub const ACCESS_TOKEN_SECONDS: i64 = 1800;

/// The token endpoint's answer, in HubSpot's field order.
#[derive(Debug, Serialize)]
pub struct TokenAnswer {
    pub token_type: &'static str,
    pub refresh_token: String,
    pub access_token: String,
    pub expires_in: i64,
}

/// Opaque, URL-safe and about as long as HubSpot's (which vary in length).
fn access_token() -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = random::bytes::<96>();
    let body: String = bytes.iter().map(|b| ALPHABET[usize::from(b & 63)] as char).collect();
    format!("CO{body}")
}

/// `na1-7f3c-2b8e-4d1a-9c6e-0a5b1f2e3d4c`: HubSpot's refresh-token shape.
fn refresh_token() -> String {
    let hex = random::hex::<14>();
    format!("na1-{}-{}-{}-{}-{}", &hex[0..4], &hex[4..8], &hex[8..12], &hex[12..16], &hex[16..28])
}

pub fn router() -> Router<Shared> {
    Router::new().route("/oauth/{version}/token", post(token))
}

/// Form body `grant_type=refresh_token&client_id&client_secret&refresh_token`, or
/// `grant_type=authorization_code&client_id&client_secret&code[&redirect_uri]`. Any client id and secret
/// are accepted; v1 also reads its parameters from the query string, v3 from the body only.
async fn token(
    State(shared): State<Shared>,
    Path(version): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    if version != "v1" && version != "v3" && !is_date_version(&version) {
        return errors::path_not_found();
    }
    let mut params = form::pairs(&String::from_utf8_lossy(&body));
    if version == "v1" {
        params.extend(form::pairs(query.as_deref().unwrap_or_default()));
    }
    let param = |key: &str| form::get(&params, key).filter(|v| !v.is_empty());
    if param("client_id").is_none() {
        return oauth_error("BAD_CLIENT_ID", "invalid_client", "missing or unknown client id");
    }
    if param("client_secret").is_none() {
        return oauth_error("BAD_CLIENT_SECRET", "invalid_client", "missing or invalid client secret");
    }
    let mut state = lock(&shared);
    let now = state.now();
    let refresh = match param("grant_type") {
        Some("refresh_token") => {
            let Some(refresh) = param("refresh_token").filter(|t| state.tokens.refresh_user(t).is_some()) else {
                return oauth_error("BAD_REFRESH_TOKEN", "invalid_grant", "missing or unknown refresh token");
            };
            state.stats.token_refreshes += 1;
            refresh.to_owned()
        }
        Some("authorization_code") => {
            let Some(code) = param("code") else {
                return oauth_error("BAD_AUTH_CODE", "invalid_grant", "missing or unknown auth code");
            };
            if !state.tokens.redeem_code(code) {
                return oauth_error("BAD_AUTH_CODE", "invalid_grant", "missing or unknown auth code");
            }
            refresh_token()
        }
        _ => return oauth_error("BAD_GRANT_TYPE", "unsupported_grant_type", "missing or unknown grant type"),
    };
    // HubSpot's refresh tokens do not rotate: a refresh answers the one it was given.
    let access_token = access_token();
    state.tokens.issue(&access_token, &refresh, (), now);
    state.stats.tokens_issued += 1;
    drop(state);
    let answer =
        TokenAnswer { token_type: "bearer", refresh_token: refresh, access_token, expires_in: ACCESS_TOKEN_SECONDS };
    errors::json(StatusCode::OK, &answer)
}

/// HubSpot's OAuth error: `{"status":"BAD_REFRESH_TOKEN","message":...}` (it also carries the RFC 6749
/// `error`/`error_description` pair).
fn oauth_error(status: &'static str, error: &'static str, message: &'static str) -> Response {
    let body = json!({
        "status": status,
        "message": message,
        "correlationId": random::uuid(),
        "error": error,
        "error_description": message,
    });
    errors::json(StatusCode::BAD_REQUEST, &body)
}

/// HubSpot's `401` for a refused token: `expired` says when an expired one did, `None` for a missing or
/// unknown one.
pub fn unauthorized(expired: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Response {
    let envelope = match expired {
        None => Envelope::new(
            Some("INVALID_AUTHENTICATION"),
            "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find \
             more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
        ),
        Some(at) => Envelope::new(
            Some("EXPIRED_AUTHENTICATION"),
            format!("The OAuth token used to make this call expired {} ago.", ago(now - at)),
        )
        .with_context(json!({ "expire time": [iso(at)] })),
    };
    envelope.into_response(StatusCode::UNAUTHORIZED)
}

/// `0 second(s)`, `5 minute(s)`, `5 hour(s)`, `19884 day(s)`, as HubSpot words it.
fn ago(elapsed: chrono::Duration) -> String {
    let seconds = elapsed.num_seconds().max(0);
    match seconds {
        0..60 => format!("{seconds} second(s)"),
        60..3600 => format!("{} minute(s)", seconds / 60),
        3600..86400 => format!("{} hour(s)", seconds / 3600),
        _ => format!("{} day(s)", seconds / 86400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_shapes_and_wording() {
        let token = refresh_token();
        let parts: Vec<usize> = token.split('-').map(str::len).collect();
        assert_eq!(parts, [3, 4, 4, 4, 4, 12]);
        let access = access_token();
        assert!(access.starts_with("CO") && access.len() == 98, "{access}");
        assert_ne!(access, access_token());
        assert_eq!(ago(chrono::Duration::seconds(0)), "0 second(s)");
        assert_eq!(ago(chrono::Duration::minutes(5)), "5 minute(s)");
        assert_eq!(ago(chrono::Duration::hours(5)), "5 hour(s)");
        assert_eq!(ago(chrono::Duration::days(19884)), "19884 day(s)");
    }

    async fn body(response: Response) -> serde_json::Value {
        serde_json::from_slice(&axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap()).unwrap()
    }

    #[tokio::test]
    async fn refusals_say_whether_the_token_expired() {
        let now = DateTime::parse_from_rfc3339("2026-05-14T09:31:02.487Z").unwrap().to_utc();
        let unknown = unauthorized(None, now);
        assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(body(unknown).await["category"], "INVALID_AUTHENTICATION");
        let expired = body(unauthorized(Some(now - chrono::Duration::minutes(3)), now)).await;
        assert_eq!(expired["category"], "EXPIRED_AUTHENTICATION");
        assert_eq!(expired["message"], "The OAuth token used to make this call expired 3 minute(s) ago.");
        assert_eq!(expired["context"], json!({"expire time": ["2026-05-14T09:28:02.487Z"]}));
    }
}
