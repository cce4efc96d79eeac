//! What the SQLite and PostgreSQL stores share: ids, timestamps, the rows they read and how those become
//! model values (credentials opened, modes parsed, keys checked).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use sqlx::types::Json;

use crate::crypto::random_bytes;
use crate::{
    ApiKey, Connection, ConnectionStatus, IdempotencyBegin, MasterKey, Mode, NewConnection, Result, StoreError,
    StoredCredentials, keys,
};

/// Crockford's base32 alphabet, lower case (no i, l, o, u).
const BASE32: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// `<kind>_` and 26 characters in the ULID layout: 48 bits of milliseconds, then 80 random bits, so ids of
/// one kind sort by creation time.
pub(crate) fn new_id(kind: &str) -> String {
    let millis = u128::try_from(Utc::now().timestamp_millis()).unwrap_or(0) & ((1 << 48) - 1);
    let random: [u8; 10] = random_bytes();
    let value = (millis << 80) | random.iter().fold(0u128, |acc, byte| (acc << 8) | u128::from(*byte));
    let mut id = String::with_capacity(kind.len() + 27);
    id.push_str(kind);
    id.push('_');
    for index in (0..26).rev() {
        id.push(char::from(BASE32[((value >> (index * 5)) & 0x1f) as usize]));
    }
    id
}

/// One lock per connection id, for the refreshes that go through one store (one instance).
#[derive(Debug, Default)]
pub(crate) struct RefreshLocks(Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>);

impl RefreshLocks {
    pub(crate) async fn lock(&self, id: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut locks = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            // Forget the locks nobody holds, so that the map stays as small as the refreshes in flight.
            locks.retain(|_, lock| Arc::strong_count(lock) > 1);
            Arc::clone(locks.entry(id.to_owned()).or_default())
        };
        lock.lock_owned().await
    }
}

/// Now, to the microsecond both databases keep (so a value read back equals the one written).
pub(crate) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// `now - ttl`, saturating for absurd durations.
pub(crate) fn cutoff(now: DateTime<Utc>, ttl: Duration) -> DateTime<Utc> {
    TimeDelta::from_std(ttl).ok().and_then(|ttl| now.checked_sub_signed(ttl)).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Expired idempotency records are deleted now and then (at most once a minute per store), and only once a
/// day old whatever the ttl, so one caller's short ttl never removes another's live record.
#[derive(Debug, Default)]
pub(crate) struct PurgeClock(AtomicI64);

pub(crate) const PURGE_MIN_AGE: Duration = Duration::from_secs(24 * 60 * 60);

impl PurgeClock {
    /// The cutoff to purge before, when a purge is due.
    pub(crate) fn due(&self, now: DateTime<Utc>, ttl: Duration) -> Option<DateTime<Utc>> {
        let last = self.0.load(Ordering::Relaxed);
        let seconds = now.timestamp();
        if seconds - last < 60 || self.0.compare_exchange(last, seconds, Ordering::Relaxed, Ordering::Relaxed).is_err()
        {
            return None;
        }
        Some(cutoff(now, ttl.max(PURGE_MIN_AGE)))
    }
}

fn decode_error(message: String) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(message.into()))
}

fn parse_mode(text: &str) -> Result<Mode> {
    Mode::parse(text).ok_or_else(|| decode_error(format!("unknown mode {text:?}")))
}

/// Seals credentials for the connection `id` (the id is the associated data).
pub(crate) fn seal_credentials(key: &MasterKey, id: &str, credentials: &StoredCredentials) -> Vec<u8> {
    // Strings and timestamps always serialize.
    let plaintext = serde_json::to_vec(credentials).expect("credentials serialize to JSON");
    key.seal(id.as_bytes(), &plaintext)
}

fn open_credentials(key: &MasterKey, id: &str, sealed: &[u8]) -> Result<StoredCredentials> {
    let plaintext = key.open(id.as_bytes(), sealed).ok_or_else(|| StoreError::Decrypt(id.to_owned()))?;
    serde_json::from_slice(&plaintext).map_err(|_| StoreError::Decrypt(id.to_owned()))
}

/// A new connection as inserted (its id generated before its credentials are sealed).
pub(crate) struct ConnectionInsert {
    pub(crate) connection: Connection,
    pub(crate) sealed: Vec<u8>,
}

impl ConnectionInsert {
    pub(crate) fn new(key: &MasterKey, new: NewConnection) -> Self {
        let id = new_id("conn");
        let sealed = seal_credentials(key, &id, &new.credentials);
        let now = now();
        let connection = Connection {
            id,
            tenant_id: new.tenant_id,
            mode: new.mode,
            end_user_id: new.end_user_id,
            provider: new.provider,
            credentials: new.credentials,
            settings: new.settings,
            base_url: new.base_url,
            status: ConnectionStatus::Active,
            created_at: now,
            updated_at: now,
        };
        Self { connection, sealed }
    }

    /// A unique violation means the tenant has this connection already.
    pub(crate) fn error(&self, err: sqlx::Error) -> StoreError {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(format!(
                "a {} connection for end user {} already exists",
                self.connection.provider, self.connection.end_user_id
            )),
            _ => err.into(),
        }
    }
}

/// `connections` as both databases return it (`SELECT` the columns by these names).
#[derive(sqlx::FromRow)]
pub(crate) struct ConnectionRow {
    id: String,
    tenant_id: String,
    mode: String,
    end_user_id: String,
    provider: String,
    credentials: Vec<u8>,
    settings: Json<BTreeMap<String, String>>,
    base_url: Option<String>,
    status: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl ConnectionRow {
    pub(crate) fn open(self, key: &MasterKey) -> Result<Connection> {
        let credentials = open_credentials(key, &self.id, &self.credentials)?;
        let status = ConnectionStatus::parse(&self.status)
            .ok_or_else(|| decode_error(format!("unknown connection status {:?}", self.status)))?;
        Ok(Connection {
            mode: parse_mode(&self.mode)?,
            id: self.id,
            tenant_id: self.tenant_id,
            end_user_id: self.end_user_id,
            provider: self.provider,
            credentials,
            settings: self.settings.0,
            base_url: self.base_url,
            status,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// `api_keys` joined with the tenant's name.
#[derive(sqlx::FromRow)]
pub(crate) struct ApiKeyRow {
    id: String,
    tenant_id: String,
    tenant_name: String,
    mode: String,
    prefix: String,
    digest: Vec<u8>,
    created_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
}

impl ApiKeyRow {
    pub(crate) fn into_api_key(self) -> Result<ApiKey> {
        Ok(ApiKey {
            mode: parse_mode(&self.mode)?,
            id: self.id,
            tenant_id: self.tenant_id,
            tenant_name: self.tenant_name,
            prefix: self.prefix,
            created_at: self.created_at,
            revoked_at: self.revoked_at,
        })
    }
}

/// Of the rows sharing the presented key's display prefix, the one whose digest matches, unless it is
/// revoked or of another mode. Every digest is compared, in constant time.
pub(crate) fn authenticated(rows: Vec<ApiKeyRow>, presented: &str, mode: Mode) -> Result<Option<ApiKey>> {
    let digest = keys::digest(presented);
    let mut found = None;
    for row in rows {
        if keys::digests_equal(&row.digest, &digest) && found.is_none() {
            found = Some(row);
        }
    }
    match found {
        Some(row) if row.revoked_at.is_none() && parse_mode(&row.mode)? == mode => row.into_api_key().map(Some),
        _ => Ok(None),
    }
}

/// An `idempotency_keys` row that was not claimed.
#[derive(sqlx::FromRow)]
pub(crate) struct IdempotencyRow {
    request_hash: Vec<u8>,
    status: Option<i32>,
    response: Option<Vec<u8>>,
}

impl IdempotencyRow {
    pub(crate) fn begin(self, request_hash: &[u8; 32]) -> Result<IdempotencyBegin> {
        if self.request_hash != request_hash {
            return Ok(IdempotencyBegin::Mismatch);
        }
        match self.status {
            None => Ok(IdempotencyBegin::InProgress),
            Some(status) => Ok(IdempotencyBegin::Replay {
                status: u16::try_from(status)
                    .map_err(|_| decode_error(format!("idempotency status {status} out of range")))?,
                body: self.response.unwrap_or_default(),
            }),
        }
    }
}

/// How many times `idempotency_begin` tries to claim a key that its owner released between the claim and
/// the read; past that it answers `InProgress` (the client retries later).
pub(crate) const IDEMPOTENCY_ATTEMPTS: usize = 3;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_prefixed_sortable_and_distinct() {
        let first = new_id("conn");
        assert_eq!(first.len(), "conn_".len() + 26);
        assert!(first.starts_with("conn_"));
        assert!(first["conn_".len()..].bytes().all(|byte| BASE32.contains(&byte)));
        std::thread::sleep(Duration::from_millis(2));
        let second = new_id("conn");
        assert!(second > first, "{second} sorts after {first}");
        assert_ne!(new_id("key"), new_id("key"));
    }

    #[test]
    fn cutoff_saturates() {
        let now = now();
        assert_eq!(cutoff(now, Duration::from_secs(60)), now - TimeDelta::seconds(60));
        assert_eq!(cutoff(now, Duration::MAX), DateTime::<Utc>::MIN_UTC);
    }

    #[test]
    fn purge_runs_at_most_once_a_minute_and_keeps_a_day() {
        let clock = PurgeClock::default();
        let now = now();
        let cutoff = clock.due(now, Duration::from_millis(10)).unwrap();
        assert_eq!(cutoff, now - TimeDelta::days(1));
        assert_eq!(clock.due(now + TimeDelta::seconds(59), Duration::ZERO), None);
        assert!(clock.due(now + TimeDelta::seconds(60), Duration::ZERO).is_some());
    }
}
