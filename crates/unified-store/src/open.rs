//! Opening a store from a database URL: `sqlite://PATH` (created when missing), `sqlite::memory:` (tests),
//! or `postgres://...` (optionally `?schema=NAME`). Migrations run on every open.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};

use crate::crypto::MASTER_KEY_ENV;
use crate::postgres::PostgresStore;
use crate::sqlite::SqliteStore;
use crate::{MasterKey, Result, Store, StoreError};

/// Opens the store at `url`, the master key taken from `UNIFIED_MASTER_KEY` or, for SQLite, from the key file
/// beside the database (see [`open_with_key`]).
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    open_with_key(url, None).await
}

/// Opens the store at `url` and brings its schema up to date.
///
/// The master key is `key` when given, else `UNIFIED_MASTER_KEY`, else (SQLite on disk only) the file
/// `<database>.key` beside the database, generated on first start with mode 0600. An in-memory database
/// without a key gets a random one: its data dies with it. PostgreSQL needs the key from the caller or the
/// environment, since every instance sharing the database must use the same one.
///
/// URLs: `sqlite://PATH` or `sqlite:PATH` (the file and its folder are created when missing), `sqlite::memory:`
/// (one connection, kept open), `postgres://...` or `postgresql://...`, where a `schema=NAME` query parameter
/// (lower-case letters, digits, `_`) puts the tables in that schema, created when missing.
pub async fn open_with_key(url: &str, key: Option<MasterKey>) -> Result<Arc<dyn Store>> {
    let key = match key {
        Some(key) => Some(key),
        None => key_from_env()?,
    };
    if url.starts_with("sqlite:") {
        open_sqlite(url, key).await
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        open_postgres(url, key).await
    } else {
        let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
        Err(StoreError::Config(format!(
            "unsupported database URL scheme {scheme:?}: expected sqlite://PATH, sqlite::memory: or postgres://..."
        )))
    }
}

fn key_from_env() -> Result<Option<MasterKey>> {
    match std::env::var(MASTER_KEY_ENV) {
        Ok(text) if !text.trim().is_empty() => MasterKey::from_env_text(&text)
            .map(Some)
            .map_err(|err| StoreError::Config(format!("{MASTER_KEY_ENV}: {err}"))),
        Ok(_) | Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(StoreError::Config(format!("{MASTER_KEY_ENV} is not valid UTF-8")))
        }
    }
}

fn is_memory(url: &str) -> bool {
    url == "sqlite::memory:" || url.contains(":memory:") || url.contains("mode=memory")
}

/// `<database>.key`: `unified.db` keeps its key in `unified.db.key`.
fn key_file(database: &Path) -> PathBuf {
    let mut path = OsString::from(database.as_os_str());
    path.push(".key");
    PathBuf::from(path)
}

async fn open_sqlite(url: &str, key: Option<MasterKey>) -> Result<Arc<dyn Store>> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    if is_memory(url) {
        // Every connection would get its own empty database: keep exactly one, for the store's lifetime.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        SqliteStore::migrate(&pool).await?;
        return Ok(Arc::new(SqliteStore::new(pool, key.unwrap_or_else(MasterKey::generate))));
    }

    let database = options.get_filename().to_owned();
    if let Some(folder) = database.parent().filter(|folder| !folder.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)
            .map_err(|err| StoreError::Config(format!("cannot create the folder {}: {err}", folder.display())))?;
    }
    let pool = SqlitePoolOptions::new().connect_with(options.journal_mode(SqliteJournalMode::Wal)).await?;
    SqliteStore::migrate(&pool).await?;
    let key = match key {
        Some(key) => key,
        None => {
            let key_file = key_file(&database);
            if !key_file.exists() && SqliteStore::has_connections(&pool).await? {
                // A new key would leave every stored credential unreadable.
                return Err(StoreError::Config(format!(
                    "{} holds connections but its master key file {} is missing: restore the file or set \
                     {MASTER_KEY_ENV} to the key the credentials were sealed with",
                    database.display(),
                    key_file.display()
                )));
            }
            MasterKey::load_or_create_file(&key_file)?
        }
    };
    Ok(Arc::new(SqliteStore::new(pool, key)))
}

async fn open_postgres(url: &str, key: Option<MasterKey>) -> Result<Arc<dyn Store>> {
    let key = key.ok_or_else(|| {
        StoreError::Config(format!(
            "PostgreSQL needs a master key: set {MASTER_KEY_ENV} (32 bytes as base64 or 64 hex digits, e.g. \
             `openssl rand -base64 32`); every instance sharing the database must use the same one"
        ))
    })?;
    let (url, schema) = split_schema(url)?;
    let mut options = PgConnectOptions::from_str(&url)?;
    if let Some(schema) = &schema {
        options = options.options([("search_path", schema)]);
    }
    let pool = PgPoolOptions::new().connect_with(options).await?;
    if let Some(schema) = &schema {
        // The name is checked (lower-case letters, digits, `_`), so quoting it is enough.
        let create = sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\"")));
        match create.execute(&pool).await {
            Ok(_) => {}
            // Two processes creating it at once: the other one won.
            Err(sqlx::Error::Database(err)) if err.is_unique_violation() => {}
            Err(err) => return Err(err.into()),
        }
    }
    PostgresStore::migrate(&pool).await?;
    Ok(Arc::new(PostgresStore::new(pool, key)))
}

/// The URL without its `schema=NAME` query parameter, and the name.
fn split_schema(url: &str) -> Result<(String, Option<String>)> {
    let Some((base, query)) = url.split_once('?') else { return Ok((url.to_owned(), None)) };
    let mut schema = None;
    let mut rest = Vec::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        match pair.strip_prefix("schema=") {
            Some(name) => schema = Some(name.to_owned()),
            None => rest.push(pair),
        }
    }
    if let Some(name) = &schema {
        let valid = !name.is_empty()
            && name.len() <= 63
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid {
            return Err(StoreError::Config(format!(
                "schema {name:?}: use 1 to 63 lower-case letters, digits and `_`, not starting with a digit"
            )));
        }
    }
    let url = if rest.is_empty() { base.to_owned() } else { format!("{base}?{}", rest.join("&")) };
    Ok((url, schema))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_is_split_from_the_url() {
        let split = |url: &str| split_schema(url).unwrap();
        assert_eq!(split("postgres://h/db"), ("postgres://h/db".to_owned(), None));
        assert_eq!(split("postgres://h/db?schema=test_1"), ("postgres://h/db".to_owned(), Some("test_1".to_owned())));
        assert_eq!(
            split("postgres://u:p@h:5432/db?sslmode=disable&schema=s&application_name=x"),
            ("postgres://u:p@h:5432/db?sslmode=disable&application_name=x".to_owned(), Some("s".to_owned()))
        );
        assert_eq!(split("postgres://h/db?sslmode=disable"), ("postgres://h/db?sslmode=disable".to_owned(), None));
        for bad in [
            "postgres://h/db?schema=",
            "postgres://h/db?schema=Test",
            "postgres://h/db?schema=a%22b",
            "postgres://h/db?schema=1a",
        ] {
            assert!(matches!(split_schema(bad), Err(StoreError::Config(_))), "{bad}");
        }
    }

    #[test]
    fn key_file_sits_beside_the_database() {
        assert_eq!(key_file(Path::new("/var/lib/unified/unified.db")), Path::new("/var/lib/unified/unified.db.key"));
        assert_eq!(key_file(Path::new("unified.db")), Path::new("unified.db.key"));
    }

    #[test]
    fn memory_urls() {
        assert!(is_memory("sqlite::memory:"));
        assert!(is_memory("sqlite://file:x?mode=memory&cache=shared"));
        assert!(!is_memory("sqlite://unified.db"));
    }

    #[tokio::test]
    async fn unsupported_scheme_is_a_config_error() {
        let err = open_with_key("mysql://user:secret@h/db", Some(MasterKey::generate())).await.unwrap_err();
        assert!(matches!(&err, StoreError::Config(message) if message.contains("\"mysql\"")), "{err}");
        assert!(!err.to_string().contains("secret"));
    }
}
