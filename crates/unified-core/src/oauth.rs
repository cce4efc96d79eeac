//! The OAuth 2 refresh-token grant (RFC 6749 §6), through a transport backend: every parameter in a
//! form body (HubSpot's v3 endpoint refuses them in the query).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use crate::transport::{Backend, Method, Outgoing, RawRequest, RequestBody};

/// What a token endpoint grants.
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct TokenGrant {
    pub access_token: String,
    /// A rotated refresh token, when the provider rotates them.
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// Seconds until the access token expires.
    #[serde(default)]
    pub expires_in: Option<u64>,
    /// Provider extras (`api_domain`, `instance_url`, ...).
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl std::fmt::Debug for TokenGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenGrant")
            .field("access_token", &"[REDACTED]")
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "[REDACTED]"))
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefreshError {
    /// The provider refused the refresh token (`invalid_grant` and the like): authorise again.
    #[error("the provider refused the refresh token: {0}")]
    Rejected(String),
    /// The token endpoint did not answer usefully; a later try may work.
    #[error("the token endpoint is unavailable: {0}")]
    Unavailable(String),
}

/// The client credentials of a provider's OAuth app.
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthApp {
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthApp").field("client_id", &self.client_id).field("client_secret", &"[REDACTED]").finish()
    }
}

/// `POST token_url` with `grant_type=refresh_token`.
pub async fn refresh(
    backend: &dyn Backend,
    token_url: &str,
    app: &OAuthApp,
    refresh_token: &str,
    timeout: Duration,
) -> Result<TokenGrant, RefreshError> {
    let url = url::Url::parse(token_url).map_err(|e| RefreshError::Unavailable(format!("bad token URL: {e}")))?;
    let base = url.origin().ascii_serialization();
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "refresh_token")
        .append_pair("client_id", &app.client_id)
        .append_pair("client_secret", &app.client_secret)
        .append_pair("refresh_token", refresh_token)
        .finish();
    let request = RawRequest {
        method: Method::POST,
        path: url.path().to_owned(),
        query: url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect(),
        body: Some(RequestBody::Form(form.into_bytes())),
    };
    let outgoing = Outgoing { base_url: &base, request: &request, auth: None };
    let response = match tokio::time::timeout(timeout, backend.execute(outgoing)).await {
        Ok(Ok(response)) => response,
        Ok(Err(e)) => return Err(RefreshError::Unavailable(e.to_string())),
        Err(_) => return Err(RefreshError::Unavailable("timed out".into())),
    };
    match response.status {
        200..=299 => serde_json::from_slice(&response.body)
            .map_err(|e| RefreshError::Unavailable(format!("unexpected token response: {e}"))),
        // 400/401: the grant itself was refused (invalid_grant, an unknown or revoked refresh token).
        400 | 401 => Err(RefreshError::Rejected(describe(&response.body))),
        status => Err(RefreshError::Unavailable(format!("HTTP {status}: {}", describe(&response.body)))),
    }
}

/// The reason a token endpoint gives, from the usual fields, never the whole body (it may echo secrets).
fn describe(body: &[u8]) -> String {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else { return "no JSON body".into() };
    ["error_description", "message", "error", "status"]
        .iter()
        .find_map(|key| value.get(*key).and_then(|v| v.as_str()))
        .unwrap_or("no reason given")
        .chars()
        .take(200)
        .collect()
}
