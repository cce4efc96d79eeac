//! Credentials: OAuth access tokens (`Authorization: Bearer`), the token endpoint that issues them
//! (`POST /oauth/token`, Pipedrive's `oauth.pipedrive.com/oauth/token`) and API tokens (`x-api-token`).
//!
//! Tokens that start with `sandbox-` are valid as access tokens, refresh tokens and API tokens without
//! being issued (sandbox connections hold such tokens), acting as John Smith, until an `expire_token`
//! fault expires the access tokens. The token answer's `api_domain` is this emulator's own address,
//! as Pipedrive's is the company domain that API calls must go to.

use std::collections::{HashMap, HashSet};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::post;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use super::errors;
use super::form;
use super::schema::{COMPANY_ID, DEFAULT_USER};
use super::state::{Shared, lock};

/// The prefix of tokens that are always valid (sandbox connections).
pub const SANDBOX_PREFIX: &str = "sandbox-";
/// Pipedrive's access-token lifetime.
pub const ACCESS_TOKEN_SECONDS: i64 = 3599;
/// The scopes every token gets.
pub const SCOPE: &str = "base,deals:full,contacts:full,leads:full,activities:full,users:read";

#[derive(Debug, Default)]
pub struct Tokens {
    /// Access token → its user and expiry (`None`: a `sandbox-` token, valid until an `expire_token` fault).
    access: HashMap<String, (u64, Option<DateTime<Utc>>)>,
    /// Refresh token → its user.
    refresh: HashMap<String, u64>,
    used_codes: HashSet<String>,
}

/// What a credential is worth now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Valid, for this user.
    Valid(u64),
    /// Missing, or neither issued here nor a `sandbox-` token.
    Unknown,
    Expired,
}

impl Tokens {
    /// Checks an access token; a `sandbox-` token seen for the first time is remembered, so that an
    /// `expire_token` fault can expire it.
    pub fn check_bearer(&mut self, token: &str, now: DateTime<Utc>) -> Verdict {
        match self.access.get(token) {
            Some((_, Some(expiry))) if *expiry <= now => Verdict::Expired,
            Some((user, _)) => Verdict::Valid(*user),
            None if token.starts_with(SANDBOX_PREFIX) => {
                self.access.insert(token.to_owned(), (DEFAULT_USER, None));
                Verdict::Valid(DEFAULT_USER)
            }
            None => Verdict::Unknown,
        }
    }

    /// API tokens do not expire; here a `sandbox-` one is John Smith's.
    pub fn check_api_token(&self, token: &str) -> Verdict {
        if token.starts_with(SANDBOX_PREFIX) { Verdict::Valid(DEFAULT_USER) } else { Verdict::Unknown }
    }

    /// The user of a refresh token this emulator knows.
    pub fn refresh_user(&self, token: &str) -> Option<u64> {
        self.refresh.get(token).copied().or_else(|| token.starts_with(SANDBOX_PREFIX).then_some(DEFAULT_USER))
    }

    /// A new access token for a refresh token (which stays valid and is returned as is).
    pub fn issue(&mut self, user: u64, refresh_token: &str, now: DateTime<Utc>) -> TokenAnswer {
        let access_token = token(user);
        let expiry = now + chrono::Duration::seconds(ACCESS_TOKEN_SECONDS);
        self.access.insert(access_token.clone(), (user, Some(expiry)));
        self.refresh.insert(refresh_token.to_owned(), user);
        TokenAnswer {
            access_token,
            token_type: "Bearer",
            refresh_token: refresh_token.to_owned(),
            scope: SCOPE,
            expires_in: ACCESS_TOKEN_SECONDS,
            api_domain: String::new(),
        }
    }

    /// An authorization code works once.
    pub fn redeem_code(&mut self, code: &str) -> bool {
        self.used_codes.insert(code.to_owned())
    }

    /// The `expire_token` fault: every access token issued or accepted so far expires now.
    pub fn expire_all(&mut self, now: DateTime<Utc>) -> usize {
        let mut expired = 0;
        for (_, expiry) in self.access.values_mut() {
            if expiry.is_none_or(|at| at > now) {
                *expiry = Some(now);
                expired += 1;
            }
        }
        expired
    }
}

/// `13374021:9902154:4c1e2f7a93b04d558a2e6f0d1b7c9e21e0a2b6c1`: user, company, 40 hex characters.
pub fn token(user: u64) -> String {
    format!("{user}:{COMPANY_ID}:{}", errors::hex::<20>())
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
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().strip_prefix("Basic "))
        .is_some_and(|credentials| !credentials.trim().is_empty());
    if !basic && (param("client_id").is_none() || param("client_secret").is_none()) {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "Invalid client credentials");
    }
    let mut state = lock(&shared);
    let now = state.now();
    let mut answer = match param("grant_type") {
        Some("refresh_token") => {
            let Some((refresh, user)) = param("refresh_token").and_then(|t| Some((t, state.tokens.refresh_user(t)?)))
            else {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "Invalid refresh token");
            };
            state.stats.token_refreshes += 1;
            state.tokens.issue(user, refresh, now)
        }
        Some("authorization_code") => {
            let Some(code) = param("code") else {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "Invalid authorization code");
            };
            if !state.tokens.redeem_code(code) {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "Invalid authorization code");
            }
            let refresh = token(DEFAULT_USER);
            state.tokens.issue(DEFAULT_USER, &refresh, now)
        }
        _ => return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "Unsupported grant type"),
    };
    state.stats.tokens_issued += 1;
    drop(state);
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    answer.api_domain = format!("http://{host}");
    errors::json(StatusCode::OK, &answer)
}

/// The token endpoint's error: `{"success": false, "error": "<RFC 6749 code>", "message": "..."}`.
fn oauth_error(status: StatusCode, error: &str, message: &str) -> Response {
    errors::json(status, &json!({ "success": false, "error": error, "message": message }))
}

/// The credential of a call: `Authorization: Bearer <token>`, else `x-api-token: <token>`.
pub fn credential(headers: &HeaderMap) -> Option<(bool, &str)> {
    if let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let (scheme, token) = value.trim().split_once(' ')?;
        return scheme.eq_ignore_ascii_case("bearer").then(|| (true, token.trim())).filter(|(_, t)| !t.is_empty());
    }
    let token = headers.get("x-api-token")?.to_str().ok()?.trim();
    (!token.is_empty()).then_some((false, token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_expire_after_an_hour() {
        let mut tokens = Tokens::default();
        let now = Utc::now();
        let answer = tokens.issue(13_374_057, "r-1", now);
        assert_eq!(tokens.check_bearer(&answer.access_token, now), Verdict::Valid(13_374_057));
        let later = now + chrono::Duration::seconds(ACCESS_TOKEN_SECONDS);
        assert_eq!(tokens.check_bearer(&answer.access_token, later), Verdict::Expired);
        assert_eq!(tokens.check_bearer("13374021:9902154:nope", now), Verdict::Unknown);
        assert_eq!(tokens.refresh_user("r-1"), Some(13_374_057));
        assert_eq!(tokens.refresh_user("sandbox-r"), Some(DEFAULT_USER));
        assert_eq!(tokens.refresh_user("r-2"), None);
        let parts: Vec<usize> = answer.access_token.split(':').map(str::len).collect();
        assert_eq!(parts, [8, 7, 40]);
    }

    #[test]
    fn sandbox_tokens_are_valid_until_expired() {
        let mut tokens = Tokens::default();
        let now = Utc::now();
        assert_eq!(tokens.check_bearer("sandbox-abc", now), Verdict::Valid(DEFAULT_USER));
        assert_eq!(tokens.expire_all(now), 1);
        assert_eq!(tokens.check_bearer("sandbox-abc", now), Verdict::Expired);
        assert_eq!(tokens.check_api_token("sandbox-abc"), Verdict::Valid(DEFAULT_USER), "API tokens do not expire");
        assert_eq!(tokens.check_api_token("659c9fddb16335e48cc67114694b52074e812e03"), Verdict::Unknown);
    }

    #[test]
    fn credentials_from_either_header() {
        let mut headers = HeaderMap::new();
        headers.insert("x-api-token", "sandbox-k".parse().unwrap());
        assert_eq!(credential(&headers), Some((false, "sandbox-k")));
        headers.insert(header::AUTHORIZATION, "bearer sandbox-1".parse().unwrap());
        assert_eq!(credential(&headers), Some((true, "sandbox-1")));
        headers.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(credential(&headers), None);
    }
}
