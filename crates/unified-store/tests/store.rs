//! The store suite on SQLite (a temporary file, and in memory) and, when `UNIFIED_TEST_POSTGRES_URL` is set,
//! on PostgreSQL in a fresh schema `test_<random>` dropped afterwards; plus what only raw access can show:
//! no plaintext secret on disk, the key file's mode, a wrong master key, credentials moved between rows.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::SqlitePool;
use unified_store::suite::{self, new_connection, unique};
use unified_store::{CachedStore, MasterKey, Mode, Store, StoreError, StoredCredentials, open, open_with_key};

const POSTGRES_URL_ENV: &str = "UNIFIED_TEST_POSTGRES_URL";

/// How often the cached stores under test poll the revision counter.
const POLL: std::time::Duration = std::time::Duration::from_millis(50);

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

fn master_key_in_env() -> bool {
    std::env::var_os("UNIFIED_MASTER_KEY").is_some_and(|value| !value.is_empty())
}

/// SQL against the store's tables, bypassing the store.
enum Raw {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Raw {
    async fn execute(&self, sql: &'static str, first: &str, second: &str) -> u64 {
        match self {
            Self::Sqlite(pool) => {
                sqlx::query(sql).bind(first).bind(second).execute(pool).await.unwrap().rows_affected()
            }
            Self::Postgres(pool) => {
                sqlx::query(sql).bind(first).bind(second).execute(pool).await.unwrap().rows_affected()
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------- checks

/// A database opened with another master key refuses to hand out the credentials.
async fn wrong_master_key_cannot_decrypt(url: &str) {
    let store = open_with_key(url, Some(MasterKey::generate())).await.unwrap();
    let tenant = store.tenant(&unique("sealed")).await.unwrap();
    let end_user = unique("user");
    let inserted = store.insert_connection(new_connection(&tenant, Mode::Test, &end_user, "hubspot")).await.unwrap();

    let other = open_with_key(url, Some(MasterKey::generate())).await.unwrap();
    match other.find_connection(&tenant.id, Mode::Test, &end_user, "hubspot").await {
        Err(StoreError::Decrypt(id)) => assert_eq!(id, inserted.id),
        other => panic!("another master key must fail with Decrypt, got {other:?}"),
    }
    assert!(matches!(other.list_connections(Some(&tenant.id), None, None).await, Err(StoreError::Decrypt(_))));
    let message = other.find_connection(&tenant.id, Mode::Test, &end_user, "hubspot").await.unwrap_err().to_string();
    assert!(message.contains(&inserted.id) && message.contains("master key"), "{message}");
    assert!(!message.contains("access-"), "{message}");

    // The right key still opens them.
    assert_eq!(
        store.find_connection(&tenant.id, Mode::Test, &end_user, "hubspot").await.unwrap(),
        Some(inserted.clone())
    );
    assert!(store.delete_connection(None, &inserted.id).await.unwrap());
}

/// Sealed credentials copied into another row do not open there (the row id is the associated data).
async fn moved_credentials_do_not_open(url: &str, raw: Raw) {
    let store = open_with_key(url, Some(MasterKey::generate())).await.unwrap();
    let tenant = store.tenant(&unique("moved")).await.unwrap();
    let (victim, attacker) = (unique("victim"), unique("attacker"));
    let source = store.insert_connection(new_connection(&tenant, Mode::Test, &victim, "hubspot")).await.unwrap();
    let target = store.insert_connection(new_connection(&tenant, Mode::Test, &attacker, "hubspot")).await.unwrap();

    let moved = raw
        .execute(
            "UPDATE connections SET credentials = (SELECT credentials FROM connections WHERE id = $1) WHERE id = $2",
            &source.id,
            &target.id,
        )
        .await;
    assert_eq!(moved, 1);
    match store.find_connection(&tenant.id, Mode::Test, &attacker, "hubspot").await {
        Err(StoreError::Decrypt(id)) => assert_eq!(id, target.id),
        other => panic!("credentials moved to another row must not open, got {other:?}"),
    }
    assert_eq!(store.find_connection(&tenant.id, Mode::Test, &victim, "hubspot").await.unwrap(), Some(source.clone()));

    // Swapping the row ids back and forth does not help either: the id travels with the row.
    let renamed = format!("{}x", source.id);
    assert_eq!(raw.execute("UPDATE connections SET id = $2 WHERE id = $1", &source.id, &renamed).await, 1);
    assert!(matches!(
        store.find_connection(&tenant.id, Mode::Test, &victim, "hubspot").await,
        Err(StoreError::Decrypt(id)) if id == renamed
    ));
    assert!(store.delete_connection(None, &renamed).await.unwrap());
    assert!(store.delete_connection(None, &target.id).await.unwrap());
}

/// The mode comes from the key: a row whose mode no longer matches the key's prefix authenticates nothing.
async fn key_mode_must_match_the_row(url: &str, raw: Raw) {
    let store = open_with_key(url, Some(MasterKey::generate())).await.unwrap();
    let new = store.create_api_key(&unique("tampered"), Mode::Test).await.unwrap();
    assert!(store.authenticate(&new.secret).await.unwrap().is_some());
    assert_eq!(
        raw.execute("UPDATE api_keys SET mode = 'live' WHERE id = $1 AND mode = $2", &new.key.id, "test").await,
        1
    );
    assert_eq!(store.authenticate(&new.secret).await.unwrap(), None);
}

// ---------------------------------------------------------------------------------------------- SQLite

#[tokio::test]
async fn sqlite_file_suite() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with_key(&sqlite_url(&dir.path().join("unified.db")), Some(MasterKey::generate())).await.unwrap();
    suite::run_all(&*store).await;
}

#[tokio::test]
async fn sqlite_memory_suite() {
    let store = open_with_key("sqlite::memory:", None).await.unwrap();
    suite::run_all(&*store).await;
}

#[tokio::test]
async fn sqlite_two_instances_on_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir.path().join("unified.db"));
    let key = MasterKey::generate();
    let first = open_with_key(&url, Some(key.clone())).await.unwrap();
    let second = open_with_key(&url, Some(key)).await.unwrap();
    suite::across_instances(&*first, &*second).await;
}

#[tokio::test]
async fn sqlite_cache_sees_other_processes() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir.path().join("unified.db"));
    let key = MasterKey::generate();
    let cached = CachedStore::wrap(open_with_key(&url, Some(key.clone())).await.unwrap(), POLL);
    let other = open_with_key(&url, Some(key)).await.unwrap();
    suite::cache_freshness(&*cached, &*other, POLL).await;
}

/// What the cache holds is served without the database until the revision moves: with the revoke
/// trigger gone, a revocation stays invisible to the cache, and shows once the counter is bumped by hand.
#[tokio::test]
async fn sqlite_cache_serves_hits_until_the_revision_moves() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir.path().join("unified.db"));
    let key = MasterKey::generate();
    let cached = CachedStore::wrap(open_with_key(&url, Some(key.clone())).await.unwrap(), POLL);
    let uncached = open_with_key(&url, Some(key)).await.unwrap();
    let pool = SqlitePool::connect(&url).await.unwrap();
    tokio::time::sleep(POLL * 3).await;

    let new = uncached.create_api_key(&unique("hits"), Mode::Live).await.unwrap();
    assert!(cached.authenticate(&new.secret).await.unwrap().is_some());
    sqlx::query("DROP TRIGGER api_keys_changed").execute(&pool).await.unwrap();
    assert_eq!(uncached.revoke_api_keys(&new.key.prefix).await.unwrap(), 1);
    assert_eq!(uncached.authenticate(&new.secret).await.unwrap(), None, "the database says revoked");
    tokio::time::sleep(POLL * 3).await;
    assert!(cached.authenticate(&new.secret).await.unwrap().is_some(), "served from memory");

    sqlx::query("UPDATE revision SET value = value + 1").execute(&pool).await.unwrap();
    tokio::time::sleep(POLL * 3).await;
    assert_eq!(cached.authenticate(&new.secret).await.unwrap(), None, "the revision moved: read again");
}

#[tokio::test]
async fn sqlite_wrong_master_key_cannot_decrypt() {
    let dir = tempfile::tempdir().unwrap();
    wrong_master_key_cannot_decrypt(&sqlite_url(&dir.path().join("unified.db"))).await;
}

#[tokio::test]
async fn sqlite_tampered_rows_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir.path().join("unified.db"));
    let store = open_with_key(&url, Some(MasterKey::generate())).await.unwrap();
    drop(store); // creates the schema
    moved_credentials_do_not_open(&url, Raw::Sqlite(SqlitePool::connect(&url).await.unwrap())).await;
    key_mode_must_match_the_row(&url, Raw::Sqlite(SqlitePool::connect(&url).await.unwrap())).await;
}

/// Every file in `dir` (the database, its WAL and shared memory, the key file), with its raw bytes.
fn files_beside(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            files.push((path, bytes));
        }
    }
    files
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

#[tokio::test]
async fn sqlite_file_holds_no_plaintext_secret() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir.path().join("unified.db"));
    let store = open_with_key(&url, None).await.unwrap();
    let tenant = store.tenant(&unique("plaintext")).await.unwrap();
    let end_user = unique("visible-end-user");

    let access_token = "tok_CANARY_access_8d1f6b2e4a9c";
    let refresh_token = "tok_CANARY_refresh_3e7a0c5d9b1f";
    let refreshed_token = "tok_CANARY_refreshed_6c2b8e0a4d7f";
    let api_key = "tok_CANARY_apikey_1a9e5c3f7b0d";
    let mut oauth = new_connection(&tenant, Mode::Live, &end_user, "hubspot");
    oauth.credentials = StoredCredentials::Oauth {
        access_token: access_token.to_owned(),
        refresh_token: Some(refresh_token.to_owned()),
        expires_at: None,
    };
    let oauth = store.insert_connection(oauth).await.unwrap();
    let mut keyed = new_connection(&tenant, Mode::Live, &end_user, "pipedrive");
    keyed.credentials = StoredCredentials::ApiKey { api_key: api_key.to_owned() };
    store.insert_connection(keyed).await.unwrap();
    let refreshed = StoredCredentials::Oauth {
        access_token: refreshed_token.to_owned(),
        refresh_token: Some(refresh_token.to_owned()),
        expires_at: None,
    };
    store.update_connection_credentials(&oauth.id, &refreshed, unified_store::ConnectionStatus::Active).await.unwrap();
    let new_key = store.create_api_key(&tenant.name, Mode::Live).await.unwrap();
    assert_eq!(
        store.find_connection(&tenant.id, Mode::Live, &end_user, "hubspot").await.unwrap().unwrap().credentials,
        refreshed
    );

    let files = files_beside(dir.path());
    let names: Vec<String> =
        files.iter().map(|(path, _)| path.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert!(names.iter().any(|name| name == "unified.db"), "{names:?}");
    // The search sees what was written: the end user's id (not a secret) is there in plain.
    assert!(files.iter().any(|(_, bytes)| contains(bytes, end_user.as_bytes())), "the check reads the data: {names:?}");
    assert!(files.iter().any(|(_, bytes)| contains(bytes, new_key.key.prefix.as_bytes())));

    let key_random_part = &new_key.secret[new_key.key.prefix.len()..];
    for secret in
        [access_token, refresh_token, refreshed_token, api_key, "tok_CANARY", &new_key.secret, key_random_part]
    {
        for (path, bytes) in &files {
            assert!(!contains(bytes, secret.as_bytes()), "{secret:?} is in {} in plaintext", path.display());
        }
    }
}

#[tokio::test]
async fn sqlite_key_file_is_created_beside_the_database_with_mode_0600() {
    if master_key_in_env() {
        eprintln!("UNIFIED_MASTER_KEY is set: the key file is not used, skipping");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("data").join("unified.db");
    let key_file = dir.path().join("data").join("unified.db.key");
    let url = sqlite_url(&database);

    let store = open(&url).await.unwrap();
    assert!(database.exists(), "the database and its folder are created");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let tenant = store.tenant(&unique("keyfile")).await.unwrap();
    let inserted = store.insert_connection(new_connection(&tenant, Mode::Test, "u1", "hubspot")).await.unwrap();
    drop(store);

    // The next start reads the same key.
    let text = std::fs::read_to_string(&key_file).unwrap();
    assert_eq!(MasterKey::from_env_text(&text).unwrap(), MasterKey::load_or_create_file(&key_file).unwrap());
    let reopened = open(&url).await.unwrap();
    assert_eq!(reopened.find_connection(&tenant.id, Mode::Test, "u1", "hubspot").await.unwrap(), Some(inserted));
    drop(reopened);

    // Without its key file, a database holding connections does not start with a new key.
    std::fs::remove_file(&key_file).unwrap();
    match open(&url).await {
        Err(StoreError::Config(message)) => assert!(message.contains("unified.db.key"), "{message}"),
        other => panic!("a missing key file must be a Config error, got {other:?}"),
    }
    assert!(!key_file.exists(), "no new key was written");
}

#[tokio::test]
async fn postgres_needs_a_master_key() {
    if master_key_in_env() {
        eprintln!("UNIFIED_MASTER_KEY is set: skipping");
        return;
    }
    // The key is checked before connecting: no server needed.
    match open("postgres://postgres@127.0.0.1:1/none").await {
        Err(StoreError::Config(message)) => {
            assert!(message.contains("UNIFIED_MASTER_KEY") && message.contains("same"), "{message}");
        }
        other => panic!("PostgreSQL without a master key must be a Config error, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------- PostgreSQL

/// Runs `test` with the URL of a fresh schema and its name, then drops the schema (also when `test` panics).
async fn in_fresh_schema<F, Fut>(test: F)
where
    F: FnOnce(String, String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(base) = std::env::var(POSTGRES_URL_ENV).ok().filter(|url| !url.is_empty()) else {
        eprintln!("{POSTGRES_URL_ENV} is not set: skipping the PostgreSQL run");
        return;
    };
    let schema = unique("test");
    let separator = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{separator}schema={schema}");
    let outcome = tokio::spawn(test(url, schema.clone())).await;
    match PgPool::connect(&base).await {
        Ok(pool) => {
            let drop = format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
            if let Err(err) = sqlx::query(sqlx::AssertSqlSafe(drop)).execute(&pool).await {
                eprintln!("could not drop the schema {schema}: {err}");
            }
        }
        Err(err) => eprintln!("could not drop the schema {schema}: {err}"),
    }
    if let Err(err) = outcome {
        match err.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(err) => panic!("{err}"),
        }
    }
}

async fn raw_postgres(schema: &str) -> Raw {
    let base = std::env::var(POSTGRES_URL_ENV).unwrap();
    let options = PgConnectOptions::from_str(&base).unwrap().options([("search_path", schema)]);
    Raw::Postgres(PgPoolOptions::new().max_connections(1).connect_with(options).await.unwrap())
}

#[tokio::test]
async fn postgres_suite() {
    in_fresh_schema(|url, _| async move {
        let store = open_with_key(&url, Some(MasterKey::generate())).await.unwrap();
        suite::run_all(&*store).await;
    })
    .await;
}

#[tokio::test]
async fn postgres_two_instances_on_one_database() {
    in_fresh_schema(|url, _| async move {
        let key = MasterKey::generate();
        // Two instances starting at once: both migrate, both create the schema.
        let (first, second) = tokio::join!(open_with_key(&url, Some(key.clone())), open_with_key(&url, Some(key)));
        suite::across_instances(&*first.unwrap(), &*second.unwrap()).await;
    })
    .await;
}

#[tokio::test]
async fn postgres_cache_sees_other_instances() {
    in_fresh_schema(|url, _| async move {
        let key = MasterKey::generate();
        let cached = CachedStore::wrap(open_with_key(&url, Some(key.clone())).await.unwrap(), POLL);
        let other = open_with_key(&url, Some(key)).await.unwrap();
        suite::cache_freshness(&*cached, &*other, POLL).await;
    })
    .await;
}

#[tokio::test]
async fn postgres_wrong_master_key_and_tampered_rows() {
    in_fresh_schema(|url, schema| async move {
        wrong_master_key_cannot_decrypt(&url).await;
        moved_credentials_do_not_open(&url, raw_postgres(&schema).await).await;
        key_mode_must_match_the_row(&url, raw_postgres(&schema).await).await;
        // The tables live in the schema, not in `public`.
        let Raw::Postgres(pool) = raw_postgres(&schema).await else { unreachable!() };
        let schemas: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT table_schema::text FROM information_schema.tables WHERE table_name = 'connections' \
             AND table_schema = $1",
        )
        .bind(&schema)
        .fetch_all(&pool)
        .await
        .unwrap();
        assert_eq!(schemas, [schema]);
    })
    .await;
}

/// The suite reused on a store behind `Arc<dyn Store>`, as the server holds it.
#[tokio::test]
async fn the_suite_runs_through_an_arc() {
    let store: std::sync::Arc<dyn Store> = open_with_key("sqlite::memory:", Some(MasterKey::generate())).await.unwrap();
    suite::ping(store.as_ref()).await;
    suite::idempotency_concurrency(store.as_ref()).await;
}
