//! OAuth: the token endpoint (`POST /oauth/v1/token`, `/oauth/v3/token`, `/oauth/2026-03/token`), the
//! tokens it issued, and HubSpot's `401` answers for unknown and expired access tokens.
//!
//! Tokens that start with `sandbox-` are valid as access and as refresh tokens without being issued
//! (sandbox connections hold such tokens), until an `expire_token` fault expires the access tokens.

use std::collections::{HashMap, HashSet};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::post;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use super::errors::{self, Envelope};
use super::form;
use super::request::is_date_version;
use super::state::{Shared, iso, lock};

/// The prefix of tokens that are always valid (sandbox connections).
pub const SANDBOX_PREFIX: &str = "sandbox-";
/// HubSpot's access-token lifetime.
pub const ACCESS_TOKEN_SECONDS: i64 = 1800;

#[derive(Debug, Default)]
pub struct Tokens {
    /// Access token → when it expires (`None`: a `sandbox-` token, valid until an `expire_token` fault).
    access: HashMap<String, Option<DateTime<Utc>>>,
    refresh: HashSet<String>,
    used_codes: HashSet<String>,
}

/// What an access token is worth now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    /// Missing, or neither issued here nor a `sandbox-` token.
    Unknown,
    Expired(DateTime<Utc>),
}

impl Tokens {
    /// Checks an access token; a `sandbox-` token seen for the first time is remembered, so that an
    /// `expire_token` fault can expire it.
    pub fn check(&mut self, token: Option<&str>, now: DateTime<Utc>) -> Verdict {
        let Some(token) = token.filter(|t| !t.is_empty()) else { return Verdict::Unknown };
        match self.access.get(token) {
            Some(Some(expiry)) if *expiry <= now => Verdict::Expired(*expiry),
            Some(_) => Verdict::Valid,
            None if token.starts_with(SANDBOX_PREFIX) => {
                self.access.insert(token.to_owned(), None);
                Verdict::Valid
            }
            None => Verdict::Unknown,
        }
    }

    pub fn knows_refresh_token(&self, token: &str) -> bool {
        token.starts_with(SANDBOX_PREFIX) || self.refresh.contains(token)
    }

    /// A new access token for a refresh token (which stays valid: HubSpot's refresh tokens do not rotate).
    pub fn issue(&mut self, refresh_token: &str, now: DateTime<Utc>) -> TokenAnswer {
        let access_token = access_token();
        self.access.insert(access_token.clone(), Some(now + chrono::Duration::seconds(ACCESS_TOKEN_SECONDS)));
        self.refresh.insert(refresh_token.to_owned());
        TokenAnswer {
            token_type: "bearer",
            refresh_token: refresh_token.to_owned(),
            access_token,
            expires_in: ACCESS_TOKEN_SECONDS,
        }
    }

    /// An authorization code works once.
    pub fn redeem_code(&mut self, code: &str) -> bool {
        self.used_codes.insert(code.to_owned())
    }

    /// The `expire_token` fault: every access token issued or accepted so far expires now.
    pub fn expire_all(&mut self, now: DateTime<Utc>) -> usize {
        let mut expired = 0;
        for expiry in self.access.values_mut() {
            if expiry.is_none_or(|at| at > now) {
                *expiry = Some(now);
                expired += 1;
            }
        }
        expired
    }
}

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
    let bytes = errors::random::<96>();
    let body: String = bytes.iter().map(|b| ALPHABET[usize::from(b & 63)] as char).collect();
    format!("CO{body}")
}

/// `na1-7f3c-2b8e-4d1a-9c6e-0a5b1f2e3d4c`: HubSpot's refresh-token shape.
fn refresh_token() -> String {
    let hex: String = errors::random::<14>().iter().map(|b| format!("{b:02x}")).collect();
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
        return errors::unknown_path().await;
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
    let answer = match param("grant_type") {
        Some("refresh_token") => {
            let Some(refresh) = param("refresh_token").filter(|t| state.tokens.knows_refresh_token(t)) else {
                return oauth_error("BAD_REFRESH_TOKEN", "invalid_grant", "missing or unknown refresh token");
            };
            state.stats.token_refreshes += 1;
            state.tokens.issue(refresh, now)
        }
        Some("authorization_code") => {
            let Some(code) = param("code") else {
                return oauth_error("BAD_AUTH_CODE", "invalid_grant", "missing or unknown auth code");
            };
            if !state.tokens.redeem_code(code) {
                return oauth_error("BAD_AUTH_CODE", "invalid_grant", "missing or unknown auth code");
            }
            state.tokens.issue(&refresh_token(), now)
        }
        _ => return oauth_error("BAD_GRANT_TYPE", "unsupported_grant_type", "missing or unknown grant type"),
    };
    state.stats.tokens_issued += 1;
    drop(state);
    errors::json(StatusCode::OK, &answer)
}

/// HubSpot's OAuth error: `{"status":"BAD_REFRESH_TOKEN","message":...}` (it also carries the RFC 6749
/// `error`/`error_description` pair).
fn oauth_error(status: &'static str, error: &'static str, message: &'static str) -> Response {
    let body = json!({
        "status": status,
        "message": message,
        "correlationId": errors::correlation_id(),
        "error": error,
        "error_description": message,
    });
    errors::json(StatusCode::BAD_REQUEST, &body)
}

/// `Authorization: Bearer <token>`.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// HubSpot's `401` for a refused token, or `None` for a valid one.
pub fn refusal(verdict: Verdict, now: DateTime<Utc>) -> Option<Response> {
    let envelope = match verdict {
        Verdict::Valid => return None,
        Verdict::Unknown => Envelope::new(
            Some("INVALID_AUTHENTICATION"),
            "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find \
             more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
        ),
        Verdict::Expired(at) => Envelope::new(
            Some("EXPIRED_AUTHENTICATION"),
            format!("The OAuth token used to make this call expired {} ago.", ago(now - at)),
        )
        .with_context(json!({ "expire time": [iso(at)] })),
    };
    Some(envelope.into_response(StatusCode::UNAUTHORIZED))
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
    fn issued_tokens_expire_after_1800_seconds() {
        let mut tokens = Tokens::default();
        let now = Utc::now();
        let answer = tokens.issue("na1-x", now);
        assert_eq!(tokens.check(Some(&answer.access_token), now), Verdict::Valid);
        let later = now + chrono::Duration::seconds(ACCESS_TOKEN_SECONDS);
        assert!(matches!(tokens.check(Some(&answer.access_token), later), Verdict::Expired(_)));
        assert_eq!(tokens.check(Some("pat-na1-unknown"), now), Verdict::Unknown);
        assert_eq!(tokens.check(None, now), Verdict::Unknown);
        assert!(tokens.knows_refresh_token("na1-x") && tokens.knows_refresh_token("sandbox-r"));
        assert!(!tokens.knows_refresh_token("na1-y"));
    }

    #[test]
    fn sandbox_tokens_are_valid_until_expired() {
        let mut tokens = Tokens::default();
        let now = Utc::now();
        assert_eq!(tokens.check(Some("sandbox-abc"), now), Verdict::Valid);
        assert_eq!(tokens.expire_all(now), 1);
        assert_eq!(tokens.check(Some("sandbox-abc"), now), Verdict::Expired(now));
        assert_eq!(tokens.check(Some("sandbox-new"), now), Verdict::Valid, "never seen before the fault");
    }

    #[test]
    fn token_shapes_and_wording() {
        let token = refresh_token();
        let parts: Vec<usize> = token.split('-').map(str::len).collect();
        assert_eq!(parts, [3, 4, 4, 4, 4, 12]);
        assert!(access_token().starts_with("CO"));
        assert_eq!(ago(chrono::Duration::seconds(0)), "0 second(s)");
        assert_eq!(ago(chrono::Duration::hours(5)), "5 hour(s)");
        assert_eq!(ago(chrono::Duration::days(19884)), "19884 day(s)");
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, "bearer sandbox-1".parse().unwrap());
        assert_eq!(bearer(&headers), Some("sandbox-1"));
    }
}
