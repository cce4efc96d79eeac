//! The store of the unified server: tenants, API keys (SHA-256 digests, compared in constant time),
//! connections (credentials sealed with XChaCha20-Poly1305 under a master key, the row id bound as
//! associated data) and idempotency records. SQLite by default, PostgreSQL for several instances; one
//! test suite runs on both.

mod cached;
pub mod crypto;
pub mod keys;
mod model;
mod open;
mod postgres;
mod shared;
mod sqlite;
pub mod suite;

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;

pub use cached::CachedStore;
pub use crypto::MasterKey;
pub use model::*;
pub use open::{open, open_with_key};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A row with the same unique key exists (a second connection for the same end user and provider).
    #[error("{0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Sealed credentials that do not open: a wrong master key, or a row tampered with or moved.
    #[error("credentials of connection {0} cannot be decrypted (wrong master key?)")]
    Decrypt(String),
    #[error("{0}")]
    Config(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What a token refresh decided: new credentials and status to store, or `None` to leave the row as it is.
pub type RefreshOutcome = Option<(StoredCredentials, ConnectionStatus)>;

/// The refresh itself, run under the connection's lock (see [`Store::refresh_connection`]).
pub type RefreshFn =
    Box<dyn FnOnce(Connection) -> std::pin::Pin<Box<dyn std::future::Future<Output = RefreshOutcome> + Send>> + Send>;

#[async_trait]
pub trait Store: Send + Sync + fmt::Debug + 'static {
    /// Readiness: the database answers.
    async fn ping(&self) -> Result<()>;

    /// A key for `purpose` derived from the master key (the same in every instance on the database).
    fn derived_key(&self, purpose: &[u8]) -> [u8; 32];

    /// A counter that moves with every change that can end or alter an authorisation (a key revoked, a
    /// connection updated or deleted), made by any process on the database; see [`CachedStore`].
    async fn revision(&self) -> Result<i64>;

    /// The tenant of this name, created when missing.
    async fn tenant(&self, name: &str) -> Result<Tenant>;

    /// Keys of every tenant, revoked ones included (the first start creates a key when there is none).
    async fn api_key_count(&self) -> Result<u64>;

    /// A new key `sk_<mode>_<43 url-safe chars>` (32 random bytes) for the tenant `tenant_name`
    /// (created when missing). Only its digest and display prefix are stored.
    async fn create_api_key(&self, tenant_name: &str, mode: Mode) -> Result<NewApiKey>;

    /// The key a request presented, when it is well-formed, known and not revoked.
    async fn authenticate(&self, presented: &str) -> Result<Option<ApiKey>>;

    async fn list_api_keys(&self) -> Result<Vec<ApiKey>>;

    /// Revokes every key whose display prefix starts with `prefix`; returns how many. An empty or
    /// ambiguous-by-design short prefix (shorter than `sk_test_` + 4) revokes nothing.
    async fn revoke_api_keys(&self, prefix: &str) -> Result<u64>;

    /// Fails with [`StoreError::Conflict`] when the tenant already has a connection for this mode,
    /// end user and provider.
    async fn insert_connection(&self, new: NewConnection) -> Result<Connection>;

    async fn find_connection(
        &self,
        tenant_id: &str,
        mode: Mode,
        end_user_id: &str,
        provider: &str,
    ) -> Result<Option<Connection>>;

    /// Connections, optionally narrowed to a tenant, a mode and an end user.
    async fn list_connections(
        &self,
        tenant_id: Option<&str>,
        mode: Option<Mode>,
        end_user_id: Option<&str>,
    ) -> Result<Vec<Connection>>;

    /// Deletes the connection `id` (within `tenant_id` when given); returns whether it existed.
    async fn delete_connection(&self, tenant_id: Option<&str>, id: &str) -> Result<bool>;

    /// Replaces a connection's credentials (a token refresh), and its status.
    async fn update_connection_credentials(
        &self,
        id: &str,
        credentials: &StoredCredentials,
        status: ConnectionStatus,
    ) -> Result<()>;

    /// Refreshes connection `id`'s credentials with no other refresh of it running at the same time, in
    /// this process or in another one on the same database (PostgreSQL: a row lock held across the
    /// refresh; SQLite, a one-process database: a lock per connection). `refresh` sees the connection as
    /// stored now (another caller may have refreshed it already) and returns what to store, which is
    /// stored before the lock is let go. Returns the connection as stored afterwards.
    async fn refresh_connection(&self, id: &str, refresh: RefreshFn) -> Result<Connection>;

    /// Claims `key` for this request (`request_hash` identifies the request: method, path, query,
    /// body). A key older than `ttl` counts as new. Atomic: of two concurrent claims, one gets `Started`.
    async fn idempotency_begin(
        &self,
        tenant_id: &str,
        key: &str,
        request_hash: &[u8; 32],
        ttl: Duration,
    ) -> Result<IdempotencyBegin>;

    /// Stores the response of a request that owned `key`.
    async fn idempotency_complete(&self, tenant_id: &str, key: &str, status: u16, body: &[u8]) -> Result<()>;

    /// Gives `key` up (the provider refused the call, nothing was created: a retry may run again).
    async fn idempotency_release(&self, tenant_id: &str, key: &str) -> Result<()>;
}
