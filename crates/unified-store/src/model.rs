//! What the store holds. Credentials appear here in plaintext only in memory: at rest they are sealed
//! (see `crypto`), and their `Debug` never shows them.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Test keys use sandbox connections, live keys live ones; the two never see each other's connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Test,
    Live,
}

impl Mode {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Test => "test",
            Self::Live => "live",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "test" => Some(Self::Test),
            "live" => Some(Self::Live),
            _ => None,
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: String,
    pub name: String,
}

/// An API key as stored: never the key itself, only its SHA-256 digest (kept inside the store) and its
/// display prefix (`sk_test_AbCd1234`), which `keys list` shows and `keys revoke` takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: String,
    pub tenant_id: String,
    pub tenant_name: String,
    pub mode: Mode,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A freshly created key: the only moment the secret exists outside the caller's hands.
#[derive(Clone)]
pub struct NewApiKey {
    pub key: ApiKey,
    pub secret: String,
}

impl fmt::Debug for NewApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewApiKey").field("key", &self.key).field("secret", &"[REDACTED]").finish()
    }
}

/// A connection's credentials (sealed at rest, with the row id as associated data).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StoredCredentials {
    Oauth { access_token: String, refresh_token: Option<String>, expires_at: Option<DateTime<Utc>> },
    ApiKey { api_key: String },
}

impl fmt::Debug for StoredCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Oauth { expires_at, refresh_token, .. } => f
                .debug_struct("Oauth")
                .field("access_token", &"[REDACTED]")
                .field("refresh_token", &refresh_token.as_ref().map(|_| "[REDACTED]"))
                .field("expires_at", expires_at)
                .finish(),
            Self::ApiKey { .. } => f.write_str("ApiKey([REDACTED])"),
        }
    }
}

impl StoredCredentials {
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        match self {
            Self::Oauth { expires_at, .. } => *expires_at,
            Self::ApiKey { .. } => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    Active,
    /// The provider refused a token refresh (`invalid_grant`): the end user must authorise again.
    NeedsReauth,
}

impl ConnectionStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::NeedsReauth => "needs_reauth",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "active" => Some(Self::Active),
            "needs_reauth" => Some(Self::NeedsReauth),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConnection {
    pub tenant_id: String,
    pub mode: Mode,
    pub end_user_id: String,
    pub provider: String,
    pub credentials: StoredCredentials,
    pub settings: BTreeMap<String, String>,
    /// Overrides the provider's API base URL (regional hosts, self-hosted, emulators, tests).
    pub base_url: Option<String>,
}

/// A stored connection, credentials decrypted. Scoped by (tenant, mode, end user, provider).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub id: String,
    pub tenant_id: String,
    pub mode: Mode,
    pub end_user_id: String,
    pub provider: String,
    pub credentials: StoredCredentials,
    pub settings: BTreeMap<String, String>,
    pub base_url: Option<String>,
    pub status: ConnectionStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// How an `Idempotency-Key` stands when a request arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyBegin {
    /// The key is new (or expired): this request owns it and must `complete` or `release` it.
    Started,
    /// The same key and the same request completed before: send this response again.
    Replay { status: u16, body: Vec<u8> },
    /// The same key and the same request are being served right now by another request.
    InProgress,
    /// The same key came with a different request.
    Mismatch,
}
