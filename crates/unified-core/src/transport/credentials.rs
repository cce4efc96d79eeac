//! Credentials of one connection. Their `Debug` never shows a secret.

use std::fmt;

use chrono::{DateTime, Utc};

#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// An OAuth access token (or a static token such as a HubSpot private-app token).
    OAuth {
        access_token: String,
        refresh_token: Option<String>,
        expires_at: Option<DateTime<Utc>>,
    },
    ApiKey(String),
    /// No auth header (the replay of a recorded exchange needs none).
    None,
}

impl Credentials {
    pub fn bearer(token: impl Into<String>) -> Self {
        Self::OAuth { access_token: token.into(), refresh_token: None, expires_at: None }
    }

    pub fn api_key(key: impl Into<String>) -> Self {
        Self::ApiKey(key.into())
    }

    /// The secret sent on each call.
    pub fn secret(&self) -> Option<&str> {
        match self {
            Self::OAuth { access_token, .. } => Some(access_token),
            Self::ApiKey(key) => Some(key),
            Self::None => None,
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OAuth { refresh_token, expires_at, .. } => f
                .debug_struct("OAuth")
                .field("access_token", &"[REDACTED]")
                .field("refresh_token", &refresh_token.as_ref().map(|_| "[REDACTED]"))
                .field("expires_at", expires_at)
                .finish(),
            Self::ApiKey(_) => f.write_str("ApiKey([REDACTED])"),
            Self::None => f.write_str("None"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_secrets() {
        let c = Credentials::OAuth {
            access_token: "pat-na1-secret".into(),
            refresh_token: Some("refresh-secret".into()),
            expires_at: None,
        };
        let text = format!("{c:?} {:?}", Credentials::api_key("key-secret"));
        assert!(!text.contains("secret"), "{text}");
    }
}
