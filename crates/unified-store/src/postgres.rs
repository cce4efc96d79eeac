//! The PostgreSQL store, for several `unified serve` processes sharing one database: every claim is a single
//! statement (`INSERT ... ON CONFLICT`), so keys, connections and idempotency records hold across processes.

use std::time::Duration;

use async_trait::async_trait;
use sqlx::PgPool;
use sqlx::types::Json;

use crate::shared::{self, ApiKeyRow, ConnectionInsert, ConnectionRow, IdempotencyRow, PurgeClock};
use crate::{
    ApiKey, Connection, ConnectionStatus, IdempotencyBegin, MasterKey, Mode, NewApiKey, NewConnection, Result, Store,
    StoreError, StoredCredentials, Tenant, keys,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug)]
pub(crate) struct PostgresStore {
    pool: PgPool,
    key: MasterKey,
    purge: PurgeClock,
    refresh_locks: shared::RefreshLocks,
}

impl PostgresStore {
    /// Brings the schema up to date.
    pub(crate) async fn migrate(pool: &PgPool) -> Result<()> {
        MIGRATOR.run(pool).await?;
        Ok(())
    }

    /// A store on a migrated pool.
    pub(crate) fn new(pool: PgPool, key: MasterKey) -> Self {
        Self { pool, key, purge: PurgeClock::default(), refresh_locks: shared::RefreshLocks::default() }
    }
}

#[async_trait]
impl Store for PostgresStore {
    fn derived_key(&self, purpose: &[u8]) -> [u8; 32] {
        self.key.derive(purpose)
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn revision(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT value FROM revision WHERE id = 1").fetch_one(&self.pool).await?)
    }

    async fn tenant(&self, name: &str) -> Result<Tenant> {
        sqlx::query("INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
            .bind(shared::new_id("ten"))
            .bind(name)
            .bind(shared::now())
            .execute(&self.pool)
            .await?;
        let (id, name) = sqlx::query_as::<_, (String, String)>("SELECT id, name FROM tenants WHERE name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        Ok(Tenant { id, name })
    }

    async fn api_key_count(&self) -> Result<u64> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_keys").fetch_one(&self.pool).await?;
        Ok(count.unsigned_abs())
    }

    async fn create_api_key(&self, tenant_name: &str, mode: Mode) -> Result<NewApiKey> {
        let tenant = self.tenant(tenant_name).await?;
        let secret = keys::generate(mode);
        let prefix = keys::display_prefix(&secret).expect("a generated key is well-formed");
        let key = ApiKey {
            id: shared::new_id("key"),
            tenant_id: tenant.id,
            tenant_name: tenant.name,
            mode,
            prefix,
            created_at: shared::now(),
            revoked_at: None,
        };
        sqlx::query(
            "INSERT INTO api_keys (id, tenant_id, mode, prefix, digest, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&key.id)
        .bind(&key.tenant_id)
        .bind(mode.as_str())
        .bind(&key.prefix)
        .bind(&keys::digest(&secret)[..])
        .bind(key.created_at)
        .execute(&self.pool)
        .await?;
        Ok(NewApiKey { key, secret })
    }

    async fn authenticate(&self, presented: &str) -> Result<Option<ApiKey>> {
        let Some((mode, prefix)) = keys::parse(presented) else { return Ok(None) };
        let rows: Vec<ApiKeyRow> = sqlx::query_as(
            "SELECT k.id, k.tenant_id, t.name AS tenant_name, k.mode, k.prefix, k.digest, k.created_at, k.revoked_at \
             FROM api_keys k JOIN tenants t ON t.id = k.tenant_id WHERE k.prefix = $1",
        )
        .bind(prefix)
        .fetch_all(&self.pool)
        .await?;
        shared::authenticated(rows, presented, mode)
    }

    async fn list_api_keys(&self) -> Result<Vec<ApiKey>> {
        let rows: Vec<ApiKeyRow> = sqlx::query_as(
            "SELECT k.id, k.tenant_id, t.name AS tenant_name, k.mode, k.prefix, k.digest, k.created_at, k.revoked_at \
             FROM api_keys k JOIN tenants t ON t.id = k.tenant_id ORDER BY k.created_at, k.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(ApiKeyRow::into_api_key).collect()
    }

    async fn revoke_api_keys(&self, prefix: &str) -> Result<u64> {
        if !keys::revocable_prefix(prefix) {
            return Ok(0);
        }
        let done = sqlx::query(
            "UPDATE api_keys SET revoked_at = $1 WHERE revoked_at IS NULL AND substr(prefix, 1, length($2)) = $2",
        )
        .bind(shared::now())
        .bind(prefix)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    async fn insert_connection(&self, new: NewConnection) -> Result<Connection> {
        let insert = ConnectionInsert::new(&self.key, new);
        let connection = &insert.connection;
        sqlx::query(
            "INSERT INTO connections (id, tenant_id, mode, end_user_id, provider, credentials, settings, base_url, \
             status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        )
        .bind(&connection.id)
        .bind(&connection.tenant_id)
        .bind(connection.mode.as_str())
        .bind(&connection.end_user_id)
        .bind(&connection.provider)
        .bind(&insert.sealed)
        .bind(Json(&connection.settings))
        .bind(&connection.base_url)
        .bind(connection.status.as_str())
        .bind(connection.created_at)
        .execute(&self.pool)
        .await
        .map_err(|err| insert.error(err))?;
        Ok(insert.connection)
    }

    async fn find_connection(
        &self,
        tenant_id: &str,
        mode: Mode,
        end_user_id: &str,
        provider: &str,
    ) -> Result<Option<Connection>> {
        let row: Option<ConnectionRow> = sqlx::query_as(
            "SELECT id, tenant_id, mode, end_user_id, provider, credentials, settings, base_url, status, created_at, \
             updated_at FROM connections WHERE tenant_id = $1 AND mode = $2 AND end_user_id = $3 AND provider = $4",
        )
        .bind(tenant_id)
        .bind(mode.as_str())
        .bind(end_user_id)
        .bind(provider)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| row.open(&self.key)).transpose()
    }

    async fn list_connections(
        &self,
        tenant_id: Option<&str>,
        mode: Option<Mode>,
        end_user_id: Option<&str>,
    ) -> Result<Vec<Connection>> {
        let rows: Vec<ConnectionRow> = sqlx::query_as(
            "SELECT id, tenant_id, mode, end_user_id, provider, credentials, settings, base_url, status, created_at, \
             updated_at FROM connections WHERE ($1 IS NULL OR tenant_id = $1) AND ($2 IS NULL OR mode = $2) \
             AND ($3 IS NULL OR end_user_id = $3) ORDER BY created_at, id",
        )
        .bind(tenant_id)
        .bind(mode.map(Mode::as_str))
        .bind(end_user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(|row| row.open(&self.key)).collect()
    }

    async fn delete_connection(&self, tenant_id: Option<&str>, id: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM connections WHERE id = $1 AND ($2 IS NULL OR tenant_id = $2)")
            .bind(id)
            .bind(tenant_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn update_connection_credentials(
        &self,
        id: &str,
        credentials: &StoredCredentials,
        status: ConnectionStatus,
    ) -> Result<()> {
        let done = sqlx::query("UPDATE connections SET credentials = $1, status = $2, updated_at = $3 WHERE id = $4")
            .bind(shared::seal_credentials(&self.key, id, credentials))
            .bind(status.as_str())
            .bind(shared::now())
            .bind(id)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Database(sqlx::Error::RowNotFound));
        }
        Ok(())
    }

    async fn refresh_connection(&self, id: &str, refresh: crate::RefreshFn) -> Result<Connection> {
        // The process lock keeps this process's callers off the pool; the row lock keeps other processes.
        let _lock = self.refresh_locks.lock(id).await;
        let mut tx = self.pool.begin().await?;
        let row: Option<ConnectionRow> = sqlx::query_as(
            "SELECT id, tenant_id, mode, end_user_id, provider, credentials, settings, base_url, status, created_at, \
             updated_at FROM connections WHERE id = $1 FOR UPDATE",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let connection = row.ok_or(StoreError::Database(sqlx::Error::RowNotFound))?.open(&self.key)?;
        let Some((credentials, status)) = refresh(connection.clone()).await else {
            tx.commit().await?;
            return Ok(connection);
        };
        let now = shared::now();
        sqlx::query("UPDATE connections SET credentials = $1, status = $2, updated_at = $3 WHERE id = $4")
            .bind(shared::seal_credentials(&self.key, id, &credentials))
            .bind(status.as_str())
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Connection { credentials, status, updated_at: now, ..connection })
    }

    async fn idempotency_begin(
        &self,
        tenant_id: &str,
        key: &str,
        request_hash: &[u8; 32],
        ttl: Duration,
    ) -> Result<IdempotencyBegin> {
        let now = shared::now();
        if let Some(before) = self.purge.due(now, ttl) {
            sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1").bind(before).execute(&self.pool).await?;
        }
        for _ in 0..shared::IDEMPOTENCY_ATTEMPTS {
            // One statement claims a new key or an expired one; a live one is left alone and returns no row.
            let claimed = sqlx::query(
                "INSERT INTO idempotency_keys (tenant_id, key, request_hash, status, response, created_at) \
                 VALUES ($1, $2, $3, NULL, NULL, $4) \
                 ON CONFLICT (tenant_id, key) DO UPDATE SET request_hash = excluded.request_hash, status = NULL, \
                 response = NULL, created_at = excluded.created_at WHERE idempotency_keys.created_at < $5 \
                 RETURNING 1",
            )
            .bind(tenant_id)
            .bind(key)
            .bind(&request_hash[..])
            .bind(now)
            .bind(shared::cutoff(now, ttl))
            .fetch_optional(&self.pool)
            .await?;
            if claimed.is_some() {
                return Ok(IdempotencyBegin::Started);
            }
            let row: Option<IdempotencyRow> = sqlx::query_as(
                "SELECT request_hash, status, response FROM idempotency_keys WHERE tenant_id = $1 AND key = $2",
            )
            .bind(tenant_id)
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
            if let Some(row) = row {
                return row.begin(request_hash);
            }
        }
        Ok(IdempotencyBegin::InProgress)
    }

    async fn idempotency_complete(&self, tenant_id: &str, key: &str, status: u16, body: &[u8]) -> Result<()> {
        sqlx::query("UPDATE idempotency_keys SET status = $1, response = $2 WHERE tenant_id = $3 AND key = $4")
            .bind(i32::from(status))
            .bind(body)
            .bind(tenant_id)
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn idempotency_release(&self, tenant_id: &str, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM idempotency_keys WHERE tenant_id = $1 AND key = $2 AND status IS NULL")
            .bind(tenant_id)
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
