//! The token endpoint (`POST /oauth/token`, Pipedrive's `oauth.pipedrive.com/oauth/token`) in
//! Pipedrive's answer and error forms; the tokens it issues live in the toolkit's token book. The
//! answer's `api_domain` is this emulator's own address, as Pipedrive's is the company domain that API
//! calls must go to.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::post;
use serde::Serialize;
use serde_json::json;
use unified_emulator::{auth, form, lock, random};

use super::errors;
use super::model::Shared;
use super::schema::{COMPANY_ID, DEFAULT_USER};

/// Pipedrive's access-token lifetime.
pub const ACCESS_TOKEN_SECONDS: i64 = 3599;
/// The scopes every token gets.
pub const SCOPE: &str = "base,deals:full,contacts:full,leads:full,activities:full,users:read";

/// `13374021:9902154:4c1e2f7a93b04d558a2e6f0d1b7c9e21e0a2b6c1`: user, company, 40 hex characters.
pub fn token(user: u64) -> String {
    format!("{user}:{COMPANY_ID}:{}", random::hex::<20>())
}

/// The token endpoint's answer, in Pipedrive's field order.
#[derive(Debug, Serialize)]
pub struct TokenAnswer {
    pub access_token: String,
    pub token_type: &'static str,
    pub refresh_token: String,
    pub scope: &'static str,
    pub expires_in: i64,
    pub api_domain: String,
}

pub fn router() -> Router<Shared> {
    Router::new().route("/oauth/token", post(issue))
}

/// Form body `grant_type=refresh_token&refresh_token=...` or `grant_type=authorization_code&code=...
/// &redirect_uri=...`; the client authenticates with `Authorization: Basic base64(id:secret)` (or
/// `client_id` and `client_secret` in the body). Any client id and secret are accepted.
async fn issue(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let params = form::pairs(&String::from_utf8_lossy(&body));
    let param = |key: &str| form::get(&params, key).filter(|v| !v.is_empty());
    let basic = auth::authorization(&headers).is_some_and(|(scheme, client)| scheme == "Basic" && !client.is_empty());
    if !basic && (param("client_id").is_none() || param("client_secret").is_none()) {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "Invalid client credentials");
    }
    let mut state = lock(&shared);
    let now = state.now();
    let (user, refresh) = match param("grant_type") {
        Some("refresh_token") => {
            let Some((refresh, user)) = param("refresh_token").and_then(|t| Some((t, state.tokens.refresh_user(t)?)))
            else {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "Invalid refresh token");
            };
            state.stats.token_refreshes += 1;
            (user, refresh.to_owned())
        }
        Some("authorization_code") => {
            let Some(code) = param("code") else {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "Invalid authorization code");
            };
            if !state.tokens.redeem_code(code) {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "Invalid authorization code");
            }
            (DEFAULT_USER, token(DEFAULT_USER))
        }
        _ => return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "Unsupported grant type"),
    };
    let access_token = token(user);
    state.tokens.issue(&access_token, &refresh, user, now);
    state.stats.tokens_issued += 1;
    drop(state);
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    let answer = TokenAnswer {
        access_token,
        token_type: "Bearer",
        refresh_token: refresh,
        scope: SCOPE,
        expires_in: ACCESS_TOKEN_SECONDS,
        api_domain: format!("http://{host}"),
    };
    errors::json(StatusCode::OK, &answer)
}

/// The token endpoint's error: `{"success": false, "error": "<RFC 6749 code>", "message": "..."}`.
fn oauth_error(status: StatusCode, error: &str, message: &str) -> Response {
    errors::json(status, &json!({ "success": false, "error": error, "message": message }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_name_their_user_and_company() {
        let parts: Vec<String> = token(13_374_057).split(':').map(str::to_owned).collect();
        assert_eq!((parts[0].as_str(), parts[1].as_str(), parts[2].len()), ("13374057", "9902154", 40));
        assert_ne!(token(1), token(1));
    }
}
