//! OAuth: the token endpoint (`POST /services/oauth2/token`, the `refresh_token` grant, any client id
//! and secret, in the form or as HTTP Basic), the sessions it opened, and what a session is worth.
//!
//! Tokens that start with `sandbox-` are valid as access and as refresh tokens without being issued
//! (sandbox connections hold such tokens), until an `expire_token` fault expires the sessions.

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::post;
use chrono::{DateTime, Utc};
use serde_json::json;

use super::errors::{self, random_text};
use super::form;
use super::ids;
use super::schema::API_USER;
use super::state::{Shared, lock};
use crate::wire::TokenResponse;

/// The prefix of tokens that are always valid (sandbox connections).
pub const SANDBOX_PREFIX: &str = "sandbox-";
/// The org's session timeout (Salesforce's default is two hours; the token response does not say).
pub const SESSION_SECONDS: i64 = 7200;
/// The emulated org's id.
pub const ORG_ID: &str = "00D8c0000012AbCEAU";

#[derive(Debug, Clone)]
struct Session {
    user: String,
    /// `None`: a `sandbox-` token, valid until an `expire_token` fault.
    expires: Option<DateTime<Utc>>,
}

#[derive(Debug, Default)]
pub struct Tokens {
    access: HashMap<String, Session>,
    /// Refresh token → its user.
    refresh: HashMap<String, String>,
}

/// What an access token is worth now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The session's user id.
    Valid(String),
    /// Missing, unknown or expired: Salesforce answers all three alike.
    Invalid,
}

impl Tokens {
    /// Checks an access token; a `sandbox-` token seen for the first time is remembered, so that an
    /// `expire_token` fault can expire it.
    pub fn check(&mut self, token: Option<&str>, now: DateTime<Utc>) -> Verdict {
        let Some(token) = token.filter(|t| !t.is_empty()) else { return Verdict::Invalid };
        match self.access.get(token) {
            Some(Session { expires: Some(at), .. }) if *at <= now => Verdict::Invalid,
            Some(session) => Verdict::Valid(session.user.clone()),
            None if token.starts_with(SANDBOX_PREFIX) => {
                let user = ids::to18(API_USER);
                self.access.insert(token.to_owned(), Session { user: user.clone(), expires: None });
                Verdict::Valid(user)
            }
            None => Verdict::Invalid,
        }
    }

    /// The user of a refresh token this org knows.
    pub fn refresh_user(&self, token: &str) -> Option<String> {
        if token.starts_with(SANDBOX_PREFIX) {
            return Some(ids::to18(API_USER));
        }
        self.refresh.get(token).cloned()
    }

    /// A new session for a refresh token (which stays valid: no rotation in this org).
    pub fn issue(&mut self, refresh_token: &str, user: &str, now: DateTime<Utc>) -> String {
        let access = format!("{}!{}", &ORG_ID[..15], random_text(96));
        let expires = Some(now + chrono::Duration::seconds(SESSION_SECONDS));
        self.access.insert(access.clone(), Session { user: user.to_owned(), expires });
        self.refresh.insert(refresh_token.to_owned(), user.to_owned());
        access
    }

    /// The `expire_token` fault: every session opened or accepted so far ends now.
    pub fn expire_all(&mut self, now: DateTime<Utc>) -> usize {
        let mut expired = 0;
        for session in self.access.values_mut() {
            if session.expires.is_none_or(|at| at > now) {
                session.expires = Some(now);
                expired += 1;
            }
        }
        expired
    }
}

pub fn router() -> Router<Shared> {
    Router::new().route("/services/oauth2/token", post(token))
}

fn oauth_error(error: &str, description: &str) -> Response {
    errors::json(StatusCode::BAD_REQUEST, &json!({"error": error, "error_description": description}))
}

/// `grant_type=refresh_token&refresh_token=…&client_id=…&client_secret=…` (or the client in HTTP Basic).
async fn token(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let form = form::pairs(&String::from_utf8_lossy(&body));
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.len() > 6 && v[..6].eq_ignore_ascii_case("basic "));
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
    let access_token = state.tokens.issue(refresh_token, &user, now);
    let issued_at = state.now_millis().to_string();
    state.stats.tokens_issued += 1;
    state.stats.token_refreshes += 1;
    let signature = base64ish(&random_text(32));
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

/// A signature-shaped value (44 characters, base64 with its padding).
fn base64ish(text: &str) -> String {
    format!("{}=", &text[..text.len().min(43)])
}

/// `Authorization: Bearer <token>` (Salesforce also takes `OAuth <token>`).
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth")).then(|| token.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_expire_after_the_timeout() {
        let mut tokens = Tokens::default();
        let now = Utc::now();
        let access = tokens.issue("5Aep861-refresh", "005A", now);
        assert!(access.starts_with("00D8c0000012AbC!"));
        assert_eq!(tokens.check(Some(&access), now), Verdict::Valid("005A".into()));
        let later = now + chrono::Duration::seconds(SESSION_SECONDS);
        assert_eq!(tokens.check(Some(&access), later), Verdict::Invalid);
        assert_eq!(tokens.check(Some("00Dunknown"), now), Verdict::Invalid);
        assert_eq!(tokens.check(None, now), Verdict::Invalid);
        assert_eq!(tokens.refresh_user("5Aep861-refresh").as_deref(), Some("005A"));
        assert!(tokens.refresh_user("sandbox-refresh-x").is_some() && tokens.refresh_user("nope").is_none());
    }

    #[test]
    fn sandbox_tokens_are_valid_until_expired() {
        let mut tokens = Tokens::default();
        let now = Utc::now();
        assert!(matches!(tokens.check(Some("sandbox-abc"), now), Verdict::Valid(_)));
        assert_eq!(tokens.expire_all(now), 1);
        assert_eq!(tokens.check(Some("sandbox-abc"), now), Verdict::Invalid);
        assert!(matches!(tokens.check(Some("sandbox-new"), now), Verdict::Valid(_)), "never seen before the fault");
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, "OAuth sandbox-1".parse().unwrap());
        assert_eq!(bearer(&headers), Some("sandbox-1"));
    }
}
