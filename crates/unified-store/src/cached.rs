//! A store in front of a store that keeps authenticated API keys and found connections in memory, so
//! that a request reads neither from the database.
//!
//! Freshness: a change made through this store (a key revoked, a connection deleted or refreshed)
//! empties the cache at once. A change made by another process (a second instance on PostgreSQL, or
//! `unified keys revoke` on the SQLite file) bumps the database's `revision` counter in the same
//! transaction; a background task polls that counter every `poll` and empties the cache when it moved.
//! So another process's revocation takes effect here within one poll interval. While the counter cannot
//! be read, nothing is served from the cache.
//!
//! Only hits are kept (never "no such key"): a random key an attacker sends costs a database read, not
//! memory. The maps are bounded; a full one is emptied rather than grown. Keys are kept by the SHA-256
//! digest of the presented secret, never the secret; connections hold their credentials opened, as every
//! request holds them while it runs, in this process's memory only.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

use async_trait::async_trait;

use crate::{
    ApiKey, Connection, ConnectionStatus, IdempotencyBegin, Mode, NewApiKey, NewConnection, RefreshFn, Result, Store,
    StoredCredentials, Tenant, keys,
};

/// Most keys and connections kept; past these the map starts over.
const MAX_KEYS: usize = 10_000;
const MAX_CONNECTIONS: usize = 100_000;

/// (tenant id, mode, end user id, provider): what a create call looks a connection up by.
type ConnectionKey = (String, Mode, String, String);

#[derive(Debug)]
pub struct CachedStore {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    inner: Arc<dyn Store>,
    /// Bumped by every invalidation; a read that began under an older generation does not fill the cache.
    generation: AtomicU64,
    /// Whether the last poll of the revision counter succeeded: only then is the cache trusted.
    synced: AtomicBool,
    keys: RwLock<HashMap<[u8; 32], ApiKey>>,
    connections: RwLock<HashMap<ConnectionKey, Connection>>,
}

impl CachedStore {
    /// Wraps `inner`, polling its revision counter every `poll` on a task of the current tokio runtime
    /// (which this must be called on). The task ends when the store is dropped.
    pub fn wrap(inner: Arc<dyn Store>, poll: Duration) -> Arc<dyn Store> {
        let shared = Arc::new(Shared {
            inner,
            generation: AtomicU64::new(0),
            synced: AtomicBool::new(false),
            keys: RwLock::default(),
            connections: RwLock::default(),
        });
        tokio::spawn(watch(Arc::downgrade(&shared), poll));
        Arc::new(Self { shared })
    }
}

/// Polls the revision counter until the store is gone. The first successful read also empties the cache:
/// anything cached before it may predate a change.
async fn watch(shared: Weak<Shared>, poll: Duration) {
    let mut ticks = tokio::time::interval(poll);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut seen: Option<i64> = None;
    loop {
        ticks.tick().await;
        let Some(shared) = shared.upgrade() else { return };
        match shared.inner.revision().await {
            Ok(revision) => {
                if seen != Some(revision) {
                    shared.invalidate();
                    seen = Some(revision);
                }
                shared.synced.store(true, Ordering::SeqCst);
            }
            Err(error) => {
                if shared.synced.swap(false, Ordering::SeqCst) {
                    tracing::warn!(%error, "cannot read the store's revision: caching of keys and connections is off");
                }
                shared.invalidate();
                seen = None;
            }
        }
    }
}

impl Shared {
    fn invalidate(&self) {
        // The generation moves first: a read in flight that saw the old one will not put back what it read.
        self.generation.fetch_add(1, Ordering::SeqCst);
        write(&self.keys).clear();
        write(&self.connections).clear();
    }

    /// The generation to tag a database read with, or `None` when the cache is not to be used.
    fn read_ticket(&self) -> Option<u64> {
        self.synced.load(Ordering::SeqCst).then(|| self.generation.load(Ordering::SeqCst))
    }

    fn get<K: Eq + Hash, V: Clone>(&self, map: &RwLock<HashMap<K, V>>, key: &K) -> Option<V> {
        if !self.synced.load(Ordering::SeqCst) {
            return None;
        }
        map.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(key).cloned()
    }

    /// Keeps `value` unless an invalidation happened since `ticket` was taken.
    fn put<K: Eq + Hash, V>(&self, map: &RwLock<HashMap<K, V>>, ticket: Option<u64>, max: usize, key: K, value: V) {
        let mut map = write(map);
        if ticket.is_none() || ticket != Some(self.generation.load(Ordering::SeqCst)) {
            return;
        }
        if map.len() >= max {
            map.clear();
        }
        map.insert(key, value);
    }
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[async_trait]
impl Store for CachedStore {
    async fn ping(&self) -> Result<()> {
        self.shared.inner.ping().await
    }

    fn derived_key(&self, purpose: &[u8]) -> [u8; 32] {
        self.shared.inner.derived_key(purpose)
    }

    async fn revision(&self) -> Result<i64> {
        self.shared.inner.revision().await
    }

    async fn tenant(&self, name: &str) -> Result<Tenant> {
        self.shared.inner.tenant(name).await
    }

    async fn api_key_count(&self) -> Result<u64> {
        self.shared.inner.api_key_count().await
    }

    async fn create_api_key(&self, tenant_name: &str, mode: Mode) -> Result<NewApiKey> {
        self.shared.inner.create_api_key(tenant_name, mode).await
    }

    async fn authenticate(&self, presented: &str) -> Result<Option<ApiKey>> {
        if keys::parse(presented).is_none() {
            return Ok(None);
        }
        let digest = keys::digest(presented);
        if let Some(key) = self.shared.get(&self.shared.keys, &digest) {
            return Ok(Some(key));
        }
        let ticket = self.shared.read_ticket();
        let found = self.shared.inner.authenticate(presented).await?;
        if let Some(key) = &found {
            self.shared.put(&self.shared.keys, ticket, MAX_KEYS, digest, key.clone());
        }
        Ok(found)
    }

    async fn list_api_keys(&self) -> Result<Vec<ApiKey>> {
        self.shared.inner.list_api_keys().await
    }

    async fn revoke_api_keys(&self, prefix: &str) -> Result<u64> {
        let revoked = self.shared.inner.revoke_api_keys(prefix).await;
        self.shared.invalidate();
        revoked
    }

    async fn insert_connection(&self, new: NewConnection) -> Result<Connection> {
        self.shared.inner.insert_connection(new).await
    }

    async fn find_connection(
        &self,
        tenant_id: &str,
        mode: Mode,
        end_user_id: &str,
        provider: &str,
    ) -> Result<Option<Connection>> {
        let key = (tenant_id.to_owned(), mode, end_user_id.to_owned(), provider.to_owned());
        if let Some(connection) = self.shared.get(&self.shared.connections, &key) {
            return Ok(Some(connection));
        }
        let ticket = self.shared.read_ticket();
        let found = self.shared.inner.find_connection(tenant_id, mode, end_user_id, provider).await?;
        if let Some(connection) = &found {
            self.shared.put(&self.shared.connections, ticket, MAX_CONNECTIONS, key, connection.clone());
        }
        Ok(found)
    }

    async fn list_connections(
        &self,
        tenant_id: Option<&str>,
        mode: Option<Mode>,
        end_user_id: Option<&str>,
    ) -> Result<Vec<Connection>> {
        self.shared.inner.list_connections(tenant_id, mode, end_user_id).await
    }

    async fn delete_connection(&self, tenant_id: Option<&str>, id: &str) -> Result<bool> {
        let deleted = self.shared.inner.delete_connection(tenant_id, id).await;
        self.shared.invalidate();
        deleted
    }

    async fn update_connection_credentials(
        &self,
        id: &str,
        credentials: &StoredCredentials,
        status: ConnectionStatus,
    ) -> Result<()> {
        let updated = self.shared.inner.update_connection_credentials(id, credentials, status).await;
        self.shared.invalidate();
        updated
    }

    async fn refresh_connection(&self, id: &str, refresh: RefreshFn) -> Result<Connection> {
        let refreshed = self.shared.inner.refresh_connection(id, refresh).await;
        self.shared.invalidate();
        refreshed
    }

    async fn idempotency_begin(
        &self,
        tenant_id: &str,
        key: &str,
        request_hash: &[u8; 32],
        ttl: Duration,
    ) -> Result<IdempotencyBegin> {
        self.shared.inner.idempotency_begin(tenant_id, key, request_hash, ttl).await
    }

    async fn idempotency_complete(&self, tenant_id: &str, key: &str, status: u16, body: &[u8]) -> Result<()> {
        self.shared.inner.idempotency_complete(tenant_id, key, status, body).await
    }

    async fn idempotency_release(&self, tenant_id: &str, key: &str) -> Result<()> {
        self.shared.inner.idempotency_release(tenant_id, key).await
    }
}
