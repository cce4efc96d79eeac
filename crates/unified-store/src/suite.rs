//! The one store test suite, run on SQLite and on PostgreSQL (`tests/store.rs`), and reusable by other
//! crates' tests. Every check panics on failure, like `assert!`, and names its tenants and end users with a
//! random suffix, so it passes on a database other runs share.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{TimeZone, Utc};

use crate::shared::new_id;
use crate::{
    ConnectionStatus, IdempotencyBegin, Mode, NewConnection, Store, StoreError, StoredCredentials, Tenant, keys,
};

/// Every check of one store, in turn.
pub async fn run_all(store: &dyn Store) {
    ping(store).await;
    revision(store).await;
    tenants(store).await;
    api_keys(store).await;
    api_key_revocation(store).await;
    connections(store).await;
    tenant_isolation(store).await;
    mode_isolation(store).await;
    idempotency(store).await;
    idempotency_expiry(store).await;
    idempotency_concurrency(store).await;
    refresh_single_flight(store, store).await;
}

/// Eight refreshes of one connection at once, spread over two stores (two instances when they are two):
/// each sees the row as the last one left it, so exactly one calls the "provider".
pub async fn refresh_single_flight(first: &dyn Store, second: &dyn Store) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let tenant = first.tenant(&unique("refresh")).await.unwrap();
    let connection =
        first.insert_connection(new_connection(&tenant, Mode::Live, "refresher", "hubspot")).await.unwrap();
    let stale = match &connection.credentials {
        crate::StoredCredentials::Oauth { access_token, .. } => access_token.clone(),
        other => panic!("oauth credentials expected, got {other:?}"),
    };
    let calls = Arc::new(AtomicUsize::new(0));
    let refresh = |store: &'static str| {
        let calls = Arc::clone(&calls);
        let stale = stale.clone();
        let f: crate::RefreshFn = Box::new(move |current: crate::Connection| {
            Box::pin(async move {
                let crate::StoredCredentials::Oauth { access_token, refresh_token, .. } = current.credentials else {
                    return None;
                };
                if access_token != stale {
                    return None; // refreshed meanwhile: use it
                }
                calls.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(50)).await; // the token endpoint's round trip
                let fresh = format!("fresh-from-{store}");
                Some((
                    crate::StoredCredentials::Oauth { access_token: fresh, refresh_token, expires_at: None },
                    ConnectionStatus::Active,
                ))
            })
        });
        f
    };
    let id = connection.id.as_str();
    let results = tokio::join!(
        first.refresh_connection(id, refresh("a")),
        second.refresh_connection(id, refresh("b")),
        first.refresh_connection(id, refresh("a")),
        second.refresh_connection(id, refresh("b")),
        first.refresh_connection(id, refresh("a")),
        second.refresh_connection(id, refresh("b")),
        first.refresh_connection(id, refresh("a")),
        second.refresh_connection(id, refresh("b")),
    );
    let tokens: Vec<String> = [results.0, results.1, results.2, results.3, results.4, results.5, results.6, results.7]
        .into_iter()
        .map(|r| match r.unwrap().credentials {
            crate::StoredCredentials::Oauth { access_token, .. } => access_token,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(calls.load(Ordering::SeqCst), 1, "one refresh for eight callers");
    assert!(tokens.iter().all(|t| t == &tokens[0] && t.starts_with("fresh-from-")), "{tokens:?}");
    let stored = second.find_connection(&tenant.id, Mode::Live, "refresher", "hubspot").await.unwrap().unwrap();
    assert_eq!(stored.credentials.expires_at(), None);
    assert!(
        matches!(stored.credentials, crate::StoredCredentials::Oauth { ref access_token, .. } if access_token == &tokens[0])
    );
}

/// A name no other run uses.
pub fn unique(label: &str) -> String {
    new_id(label)
}

/// OAuth credentials whose tokens contain `token`.
pub fn oauth(token: &str) -> StoredCredentials {
    StoredCredentials::Oauth {
        access_token: token.to_owned(),
        refresh_token: Some(format!("{token}-refresh")),
        expires_at: Some(Utc.with_ymd_and_hms(2031, 2, 3, 4, 5, 6).unwrap()),
    }
}

/// A connection of `tenant` for `end_user_id` to `provider`, with settings and a base URL.
pub fn new_connection(tenant: &Tenant, mode: Mode, end_user_id: &str, provider: &str) -> NewConnection {
    NewConnection {
        tenant_id: tenant.id.clone(),
        mode,
        end_user_id: end_user_id.to_owned(),
        provider: provider.to_owned(),
        credentials: oauth(&format!("access-{end_user_id}-{provider}-{mode}")),
        settings: BTreeMap::from([("portal_id".to_owned(), "1234".to_owned()), ("region".to_owned(), "eu".to_owned())]),
        base_url: Some("http://127.0.0.1:9/api".to_owned()),
    }
}

pub async fn ping(store: &dyn Store) {
    store.ping().await.expect("ping");
}

pub async fn tenants(store: &dyn Store) {
    let name = unique("acme");
    let first = store.tenant(&name).await.unwrap();
    assert_eq!(first.name, name);
    assert!(!first.id.is_empty());
    assert_eq!(store.tenant(&name).await.unwrap(), first, "the second call finds the same tenant");
    let other = store.tenant(&unique("globex")).await.unwrap();
    assert_ne!(other.id, first.id);

    // Concurrent first requests for one name agree on one tenant.
    let name = unique("race");
    let (a, b, c, d) = tokio::join!(store.tenant(&name), store.tenant(&name), store.tenant(&name), store.tenant(&name));
    let a = a.unwrap();
    for tenant in [b.unwrap(), c.unwrap(), d.unwrap()] {
        assert_eq!(tenant, a);
    }
}

pub async fn api_keys(store: &dyn Store) {
    let tenant_name = unique("keys");
    let before = store.api_key_count().await.unwrap();
    let test = store.create_api_key(&tenant_name, Mode::Test).await.unwrap();
    let live = store.create_api_key(&tenant_name, Mode::Live).await.unwrap();
    assert!(store.api_key_count().await.unwrap() >= before + 2);

    let tenant = store.tenant(&tenant_name).await.unwrap();
    for (new, mode) in [(&test, Mode::Test), (&live, Mode::Live)] {
        assert_eq!(new.key.mode, mode);
        assert_eq!(new.key.tenant_id, tenant.id);
        assert_eq!(new.key.tenant_name, tenant_name);
        assert_eq!(new.key.revoked_at, None);
        assert!(new.secret.starts_with(keys::mode_prefix(mode)));
        assert_eq!(keys::parse(&new.secret), Some((mode, new.key.prefix.clone())));
        assert!(!format!("{new:?}").contains(&new.secret), "Debug shows the secret");

        // The mode comes from the key.
        let found = store.authenticate(&new.secret).await.unwrap().expect("a fresh key authenticates");
        assert_eq!(found, new.key);
    }

    // The secret is nowhere in what the store lists.
    let listed = store.list_api_keys().await.unwrap();
    for new in [&test, &live] {
        let row = listed.iter().find(|key| key.id == new.key.id).expect("a created key is listed");
        assert_eq!(row, &new.key);
    }
    assert!(!format!("{listed:?}").contains(&test.secret[keys::TEST_PREFIX.len() + keys::DISPLAY_CHARS..]));

    // Same display prefix, another key: the digest decides.
    let random_len = keys::SECRET_CHARS - keys::DISPLAY_CHARS;
    let same_prefix = format!("{}{}", test.key.prefix, "A".repeat(random_len));
    assert_eq!(keys::display_prefix(&same_prefix).as_ref(), Some(&test.key.prefix));
    assert_eq!(store.authenticate(&same_prefix).await.unwrap(), None);
    let mut last_changed = test.secret.clone();
    let last = last_changed.pop().unwrap();
    last_changed.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(store.authenticate(&last_changed).await.unwrap(), None);

    // The live key's random part under the test prefix is another key.
    let swapped = format!("{}{}", keys::TEST_PREFIX, &live.secret[keys::LIVE_PREFIX.len()..]);
    assert_eq!(store.authenticate(&swapped).await.unwrap(), None);
    assert_eq!(store.authenticate(&keys::generate(Mode::Test)).await.unwrap(), None);

    for malformed in [
        String::new(),
        "sk_test_".to_owned(),
        test.key.prefix.clone(),
        format!("{}x", test.secret),
        test.secret[..test.secret.len() - 1].to_owned(),
        test.secret.replacen('_', "-", 1),
        format!("{}!{}", &test.secret[..20], &test.secret[21..]),
        format!("Bearer {}", test.secret),
        test.secret.to_uppercase(),
    ] {
        assert_eq!(store.authenticate(&malformed).await.unwrap(), None, "{malformed:?}");
    }
}

pub async fn api_key_revocation(store: &dyn Store) {
    let tenant_name = unique("revoke");
    let first = store.create_api_key(&tenant_name, Mode::Test).await.unwrap();
    let second = store.create_api_key(&tenant_name, Mode::Test).await.unwrap();
    let live = store.create_api_key(&tenant_name, Mode::Live).await.unwrap();

    // Short or empty prefixes revoke nothing.
    for prefix in ["", "sk_", "sk_test_", "sk_live_", &first.key.prefix[..keys::MIN_REVOKE_PREFIX - 1]] {
        assert_eq!(store.revoke_api_keys(prefix).await.unwrap(), 0, "{prefix:?}");
    }
    assert!(store.authenticate(&first.secret).await.unwrap().is_some());

    assert_eq!(store.revoke_api_keys(&first.key.prefix).await.unwrap(), 1);
    assert_eq!(store.authenticate(&first.secret).await.unwrap(), None, "a revoked key is refused");
    assert_eq!(store.revoke_api_keys(&first.key.prefix).await.unwrap(), 0, "already revoked");
    assert!(store.authenticate(&second.secret).await.unwrap().is_some(), "the other keys still work");
    assert!(store.authenticate(&live.secret).await.unwrap().is_some());

    // A shorter prefix (mode and 4 characters) revokes too.
    assert_eq!(store.revoke_api_keys(&live.key.prefix[..keys::MIN_REVOKE_PREFIX]).await.unwrap(), 1);
    assert_eq!(store.authenticate(&live.secret).await.unwrap(), None);

    let listed = store.list_api_keys().await.unwrap();
    let revoked_at = |id: &str| listed.iter().find(|key| key.id == id).expect("listed").revoked_at;
    assert!(revoked_at(&first.key.id).is_some(), "revoked keys stay listed");
    assert!(revoked_at(&live.key.id).is_some());
    assert_eq!(revoked_at(&second.key.id), None);
}

pub async fn connections(store: &dyn Store) {
    let tenant = store.tenant(&unique("crud")).await.unwrap();
    let end_user = unique("user");
    let new = new_connection(&tenant, Mode::Test, &end_user, "hubspot");
    let inserted = store.insert_connection(new.clone()).await.unwrap();
    assert!(!inserted.id.is_empty());
    assert_eq!(inserted.tenant_id, tenant.id);
    assert_eq!(
        (inserted.mode, inserted.end_user_id.as_str(), inserted.provider.as_str()),
        (Mode::Test, &*end_user, "hubspot")
    );
    assert_eq!(inserted.credentials, new.credentials);
    assert_eq!(inserted.settings, new.settings);
    assert_eq!(inserted.base_url, new.base_url);
    assert_eq!(inserted.status, ConnectionStatus::Active);
    assert_eq!(inserted.created_at, inserted.updated_at);

    let found = store.find_connection(&tenant.id, Mode::Test, &end_user, "hubspot").await.unwrap();
    assert_eq!(found.as_ref(), Some(&inserted), "what was inserted reads back unchanged");
    assert_eq!(store.find_connection(&tenant.id, Mode::Test, &end_user, "salesforce").await.unwrap(), None);
    assert_eq!(store.find_connection(&tenant.id, Mode::Test, &unique("nobody"), "hubspot").await.unwrap(), None);

    // One connection per (tenant, mode, end user, provider).
    let mut again = new.clone();
    again.credentials = StoredCredentials::ApiKey { api_key: "another".to_owned() };
    match store.insert_connection(again).await {
        Err(StoreError::Conflict(message)) => {
            assert!(message.contains("hubspot") && message.contains(&end_user), "{message}");
        }
        other => panic!("a duplicate connection must conflict, got {other:?}"),
    }
    assert_eq!(
        store.find_connection(&tenant.id, Mode::Test, &end_user, "hubspot").await.unwrap().unwrap().credentials,
        new.credentials,
        "the conflict changed nothing"
    );

    // Another provider for the same end user, with an API key, no settings and no base URL.
    let mut plain = new_connection(&tenant, Mode::Test, &end_user, "pipedrive");
    plain.credentials = StoredCredentials::ApiKey { api_key: format!("pd-{end_user}") };
    plain.settings.clear();
    plain.base_url = None;
    let plain = store.insert_connection(plain).await.unwrap();
    let found = store.find_connection(&tenant.id, Mode::Test, &end_user, "pipedrive").await.unwrap().unwrap();
    assert_eq!(found, plain);
    assert!(found.settings.is_empty() && found.base_url.is_none());

    let other_user = unique("user");
    let other = store.insert_connection(new_connection(&tenant, Mode::Test, &other_user, "hubspot")).await.unwrap();

    // Listing, narrowed.
    let ids = |connections: Vec<crate::Connection>| connections.into_iter().map(|c| c.id).collect::<Vec<_>>();
    let of_tenant = ids(store.list_connections(Some(&tenant.id), None, None).await.unwrap());
    assert_eq!(of_tenant, [inserted.id.clone(), plain.id.clone(), other.id.clone()], "oldest first");
    assert_eq!(
        ids(store.list_connections(Some(&tenant.id), Some(Mode::Test), Some(&end_user)).await.unwrap()),
        [inserted.id.clone(), plain.id.clone()]
    );
    assert_eq!(
        ids(store.list_connections(Some(&tenant.id), Some(Mode::Live), None).await.unwrap()),
        Vec::<String>::new()
    );
    assert_eq!(
        ids(store.list_connections(None, None, Some(&other_user)).await.unwrap()),
        std::slice::from_ref(&other.id)
    );
    let everything = ids(store.list_connections(None, None, None).await.unwrap());
    assert!(of_tenant.iter().all(|id| everything.contains(id)));

    // A token refresh, then a refused one.
    let refreshed = oauth(&format!("refreshed-{end_user}"));
    store.update_connection_credentials(&inserted.id, &refreshed, ConnectionStatus::Active).await.unwrap();
    let found = store.find_connection(&tenant.id, Mode::Test, &end_user, "hubspot").await.unwrap().unwrap();
    assert_eq!(found.credentials, refreshed);
    assert_eq!(found.status, ConnectionStatus::Active);
    assert_eq!(found.created_at, inserted.created_at);
    assert!(found.updated_at >= inserted.updated_at);
    assert_eq!((found.settings, found.base_url), (inserted.settings.clone(), inserted.base_url.clone()));
    store.update_connection_credentials(&inserted.id, &refreshed, ConnectionStatus::NeedsReauth).await.unwrap();
    let found = store.find_connection(&tenant.id, Mode::Test, &end_user, "hubspot").await.unwrap().unwrap();
    assert_eq!(found.status, ConnectionStatus::NeedsReauth);
    assert!(
        store.update_connection_credentials(&unique("conn"), &refreshed, ConnectionStatus::Active).await.is_err(),
        "updating a missing connection is an error"
    );

    // Deleting.
    assert!(store.delete_connection(Some(&tenant.id), &inserted.id).await.unwrap());
    assert!(!store.delete_connection(Some(&tenant.id), &inserted.id).await.unwrap(), "already gone");
    assert_eq!(store.find_connection(&tenant.id, Mode::Test, &end_user, "hubspot").await.unwrap(), None);
    assert!(store.delete_connection(None, &plain.id).await.unwrap(), "without a tenant (administration)");
    assert_eq!(
        ids(store.list_connections(Some(&tenant.id), None, None).await.unwrap()),
        std::slice::from_ref(&other.id)
    );

    // Once deleted, the same scope can connect again.
    let reconnected = store.insert_connection(new.clone()).await.unwrap();
    assert_ne!(reconnected.id, inserted.id);
    assert!(store.delete_connection(Some(&tenant.id), &reconnected.id).await.unwrap());
    assert!(store.delete_connection(Some(&tenant.id), &other.id).await.unwrap());
}

pub async fn tenant_isolation(store: &dyn Store) {
    let a = store.tenant(&unique("tenant-a")).await.unwrap();
    let b = store.tenant(&unique("tenant-b")).await.unwrap();
    let end_user = unique("shared-user");
    let of_b = store.insert_connection(new_connection(&b, Mode::Test, &end_user, "hubspot")).await.unwrap();

    assert_eq!(store.find_connection(&a.id, Mode::Test, &end_user, "hubspot").await.unwrap(), None);
    assert!(store.list_connections(Some(&a.id), None, None).await.unwrap().is_empty());
    assert!(store.list_connections(Some(&a.id), Some(Mode::Test), Some(&end_user)).await.unwrap().is_empty());
    assert!(!store.delete_connection(Some(&a.id), &of_b.id).await.unwrap(), "A cannot delete B's connection");
    assert_eq!(store.find_connection(&b.id, Mode::Test, &end_user, "hubspot").await.unwrap(), Some(of_b.clone()));

    // The same scope in tenant A is a separate connection, not a conflict.
    let of_a = store.insert_connection(new_connection(&a, Mode::Test, &end_user, "hubspot")).await.unwrap();
    assert_ne!(of_a.id, of_b.id);
    assert_eq!(store.find_connection(&a.id, Mode::Test, &end_user, "hubspot").await.unwrap(), Some(of_a.clone()));
    assert_eq!(store.find_connection(&b.id, Mode::Test, &end_user, "hubspot").await.unwrap(), Some(of_b.clone()));

    // Idempotency keys are per tenant too.
    let hash = [1u8; 32];
    assert_eq!(store.idempotency_begin(&a.id, "shared-key", &hash, HOUR).await.unwrap(), IdempotencyBegin::Started);
    assert_eq!(store.idempotency_begin(&b.id, "shared-key", &hash, HOUR).await.unwrap(), IdempotencyBegin::Started);
    store.idempotency_complete(&a.id, "shared-key", 201, b"a").await.unwrap();
    assert_eq!(store.idempotency_begin(&b.id, "shared-key", &hash, HOUR).await.unwrap(), IdempotencyBegin::InProgress);

    assert!(store.delete_connection(Some(&a.id), &of_a.id).await.unwrap());
    assert!(store.delete_connection(Some(&b.id), &of_b.id).await.unwrap());
}

pub async fn mode_isolation(store: &dyn Store) {
    let tenant = store.tenant(&unique("modes")).await.unwrap();
    let end_user = unique("user");
    let live = store.insert_connection(new_connection(&tenant, Mode::Live, &end_user, "hubspot")).await.unwrap();
    assert_eq!(store.find_connection(&tenant.id, Mode::Test, &end_user, "hubspot").await.unwrap(), None);
    assert!(store.list_connections(Some(&tenant.id), Some(Mode::Test), None).await.unwrap().is_empty());

    // A test connection for the same end user and provider is allowed, and each mode sees its own.
    let test = store.insert_connection(new_connection(&tenant, Mode::Test, &end_user, "hubspot")).await.unwrap();
    assert_eq!(store.find_connection(&tenant.id, Mode::Test, &end_user, "hubspot").await.unwrap(), Some(test.clone()));
    assert_eq!(store.find_connection(&tenant.id, Mode::Live, &end_user, "hubspot").await.unwrap(), Some(live.clone()));
    assert_ne!(test.credentials, live.credentials);
    assert!(store.delete_connection(Some(&tenant.id), &test.id).await.unwrap());
    assert!(store.delete_connection(Some(&tenant.id), &live.id).await.unwrap());
}

const HOUR: Duration = Duration::from_secs(3600);

pub async fn idempotency(store: &dyn Store) {
    let tenant = store.tenant(&unique("idem")).await.unwrap();
    let key = unique("idem-key");
    let hash = [7u8; 32];
    let other_hash = [8u8; 32];
    let begin = |hash: [u8; 32]| {
        let (tenant, key) = (tenant.id.clone(), key.clone());
        async move { store.idempotency_begin(&tenant, &key, &hash, HOUR).await.unwrap() }
    };

    assert_eq!(begin(hash).await, IdempotencyBegin::Started);
    assert_eq!(begin(hash).await, IdempotencyBegin::InProgress, "the same request while the first runs");
    assert_eq!(begin(other_hash).await, IdempotencyBegin::Mismatch, "another request with the key in flight");

    // Released (nothing was created): a retry runs again.
    store.idempotency_release(&tenant.id, &key).await.unwrap();
    assert_eq!(begin(other_hash).await, IdempotencyBegin::Started, "a released key is free for any request");
    store.idempotency_release(&tenant.id, &key).await.unwrap();
    assert_eq!(begin(hash).await, IdempotencyBegin::Started);

    let body = br#"{"id":"123","name":"Ada"}"#;
    store.idempotency_complete(&tenant.id, &key, 201, body).await.unwrap();
    assert_eq!(begin(hash).await, IdempotencyBegin::Replay { status: 201, body: body.to_vec() });
    assert_eq!(begin(hash).await, IdempotencyBegin::Replay { status: 201, body: body.to_vec() }, "again");
    assert_eq!(begin(other_hash).await, IdempotencyBegin::Mismatch);

    // Releasing a completed key changes nothing.
    store.idempotency_release(&tenant.id, &key).await.unwrap();
    assert_eq!(begin(hash).await, IdempotencyBegin::Replay { status: 201, body: body.to_vec() });

    // An empty body and another status.
    let empty = unique("idem-key");
    assert_eq!(store.idempotency_begin(&tenant.id, &empty, &hash, HOUR).await.unwrap(), IdempotencyBegin::Started);
    store.idempotency_complete(&tenant.id, &empty, 204, b"").await.unwrap();
    assert_eq!(
        store.idempotency_begin(&tenant.id, &empty, &hash, HOUR).await.unwrap(),
        IdempotencyBegin::Replay { status: 204, body: Vec::new() }
    );
}

pub async fn idempotency_expiry(store: &dyn Store) {
    let tenant = store.tenant(&unique("expiry")).await.unwrap();
    let ttl = Duration::from_millis(50);
    let (in_flight, completed) = (unique("idem-key"), unique("idem-key"));
    let hash = [3u8; 32];
    let begin = |key: &str, hash: [u8; 32], ttl: Duration| {
        let (tenant, key) = (tenant.id.clone(), key.to_owned());
        async move { store.idempotency_begin(&tenant, &key, &hash, ttl).await.unwrap() }
    };

    assert_eq!(begin(&in_flight, hash, ttl).await, IdempotencyBegin::Started);
    assert_eq!(begin(&completed, hash, ttl).await, IdempotencyBegin::Started);
    store.idempotency_complete(&tenant.id, &completed, 200, b"old").await.unwrap();
    assert_eq!(begin(&in_flight, hash, HOUR).await, IdempotencyBegin::InProgress);
    tokio::time::sleep(ttl * 3).await;

    // Older than the ttl: new again, whatever was stored (a crashed request, an old response).
    assert_eq!(begin(&in_flight, hash, HOUR).await, IdempotencyBegin::InProgress, "within an hour");
    assert_eq!(begin(&in_flight, hash, ttl).await, IdempotencyBegin::Started, "expired in-flight claim");
    // (Asserting with an hour from here on: a slow machine may take longer than `ttl` between two calls.)
    assert_eq!(begin(&in_flight, hash, HOUR).await, IdempotencyBegin::InProgress, "the new claim holds");
    assert_eq!(begin(&completed, [4u8; 32], ttl).await, IdempotencyBegin::Started, "expired response");
    store.idempotency_complete(&tenant.id, &completed, 200, b"new").await.unwrap();
    assert_eq!(
        begin(&completed, [4u8; 32], HOUR).await,
        IdempotencyBegin::Replay { status: 200, body: b"new".to_vec() }
    );
}

pub async fn idempotency_concurrency(store: &dyn Store) {
    let tenant = store.tenant(&unique("concurrent")).await.unwrap();
    let key = unique("idem-key");
    let hash = [9u8; 32];
    let begin = || store.idempotency_begin(&tenant.id, &key, &hash, HOUR);
    let results = tokio::join!(begin(), begin(), begin(), begin(), begin(), begin(), begin(), begin());
    let results = [results.0, results.1, results.2, results.3, results.4, results.5, results.6, results.7];
    let results: Vec<IdempotencyBegin> = results.into_iter().map(|result| result.unwrap()).collect();
    let started = results.iter().filter(|result| **result == IdempotencyBegin::Started).count();
    assert_eq!(started, 1, "exactly one of 8 concurrent claims starts: {results:?}");
    assert!(
        results.iter().all(|r| matches!(r, IdempotencyBegin::Started | IdempotencyBegin::InProgress)),
        "{results:?}"
    );
}

/// Two stores on one database (two `unified serve` processes): what one writes, the other sees, and of
/// concurrent claims across both exactly one starts.
pub async fn across_instances(first: &dyn Store, second: &dyn Store) {
    refresh_single_flight(first, second).await;
    let tenant_name = unique("shared");
    let (a, b) = tokio::join!(first.tenant(&tenant_name), second.tenant(&tenant_name));
    let tenant = a.unwrap();
    assert_eq!(b.unwrap(), tenant, "both instances agree on the tenant");

    let key = first.create_api_key(&tenant_name, Mode::Live).await.unwrap();
    assert_eq!(second.authenticate(&key.secret).await.unwrap(), Some(key.key.clone()));
    assert_eq!(second.revoke_api_keys(&key.key.prefix).await.unwrap(), 1);
    assert_eq!(first.authenticate(&key.secret).await.unwrap(), None, "revoked on the other instance");

    let end_user = unique("user");
    let inserted = first.insert_connection(new_connection(&tenant, Mode::Live, &end_user, "hubspot")).await.unwrap();
    let seen = second.find_connection(&tenant.id, Mode::Live, &end_user, "hubspot").await.unwrap();
    assert_eq!(seen, Some(inserted.clone()), "the other instance opens the credentials (same master key)");
    assert!(matches!(
        second.insert_connection(new_connection(&tenant, Mode::Live, &end_user, "hubspot")).await,
        Err(StoreError::Conflict(_))
    ));
    let refreshed = oauth("refreshed-across");
    second.update_connection_credentials(&inserted.id, &refreshed, ConnectionStatus::Active).await.unwrap();
    let seen = first.find_connection(&tenant.id, Mode::Live, &end_user, "hubspot").await.unwrap().unwrap();
    assert_eq!(seen.credentials, refreshed);
    assert!(second.delete_connection(Some(&tenant.id), &inserted.id).await.unwrap());
    assert_eq!(first.find_connection(&tenant.id, Mode::Live, &end_user, "hubspot").await.unwrap(), None);

    let idem = unique("idem-key");
    let hash = [5u8; 32];
    let on_first = || first.idempotency_begin(&tenant.id, &idem, &hash, HOUR);
    let on_second = || second.idempotency_begin(&tenant.id, &idem, &hash, HOUR);
    let results = tokio::join!(on_first(), on_second(), on_first(), on_second(), on_first(), on_second());
    let results = [results.0, results.1, results.2, results.3, results.4, results.5];
    let results: Vec<IdempotencyBegin> = results.into_iter().map(|result| result.unwrap()).collect();
    assert_eq!(results.iter().filter(|r| **r == IdempotencyBegin::Started).count(), 1, "{results:?}");
    first.idempotency_complete(&tenant.id, &idem, 201, b"done").await.unwrap();
    assert_eq!(
        second.idempotency_begin(&tenant.id, &idem, &hash, HOUR).await.unwrap(),
        IdempotencyBegin::Replay { status: 201, body: b"done".to_vec() }
    );
}

/// The revision counter moves with every change that can end or alter an authorisation.
pub async fn revision(store: &dyn Store) {
    let tenant = store.tenant(&unique("revision")).await.unwrap();
    let key = store.create_api_key(&tenant.name, Mode::Live).await.unwrap();
    let connection = store.insert_connection(new_connection(&tenant, Mode::Live, "rev", "hubspot")).await.unwrap();
    // (Whether reads leave it alone cannot be checked here: other runs may share the database.)
    let mut last = store.revision().await.unwrap();
    let mut moved = |now: i64, what: &str| {
        assert!(now > last, "the revision must move after {what} ({last} -> {now})");
        last = now;
    };

    store.update_connection_credentials(&connection.id, &oauth("rev-2"), ConnectionStatus::Active).await.unwrap();
    moved(store.revision().await.unwrap(), "a credentials update");
    let refresh: crate::RefreshFn =
        Box::new(|_| Box::pin(async { Some((oauth("rev-3"), ConnectionStatus::NeedsReauth)) }));
    store.refresh_connection(&connection.id, refresh).await.unwrap();
    moved(store.revision().await.unwrap(), "a refresh");
    assert_eq!(store.revoke_api_keys(&key.key.prefix).await.unwrap(), 1);
    moved(store.revision().await.unwrap(), "a revocation");
    assert!(store.delete_connection(Some(&tenant.id), &connection.id).await.unwrap());
    moved(store.revision().await.unwrap(), "a deletion");
}

/// `cached` (a [`crate::CachedStore`] polling every `poll`) and `other` (another process on the same
/// database): changes made through `cached` show at once, changes made by `other` within a few polls.
pub async fn cache_freshness(cached: &dyn Store, other: &dyn Store, poll: Duration) {
    let settle = || tokio::time::sleep(poll * 3);
    // Eventually true, within a deadline far above the poll interval.
    async fn within<F: std::future::Future<Output = bool>>(deadline: Duration, mut check: impl FnMut() -> F) -> bool {
        let until = tokio::time::Instant::now() + deadline;
        while tokio::time::Instant::now() < until {
            if check().await {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        check().await
    }
    let deadline = poll * 20 + Duration::from_secs(2);
    settle().await; // the first poll has run

    let tenant = cached.tenant(&unique("cache")).await.unwrap();
    // Revoked elsewhere: refused here within the deadline.
    let key = other.create_api_key(&tenant.name, Mode::Live).await.unwrap();
    assert_eq!(cached.authenticate(&key.secret).await.unwrap(), Some(key.key.clone()));
    assert_eq!(cached.authenticate(&key.secret).await.unwrap(), Some(key.key.clone()), "a cached hit");
    assert_eq!(other.revoke_api_keys(&key.key.prefix).await.unwrap(), 1);
    assert!(
        within(deadline, || async { cached.authenticate(&key.secret).await.unwrap().is_none() }).await,
        "a key revoked by another process must be refused within a few polls"
    );
    // Revoked here: refused at once.
    let key = other.create_api_key(&tenant.name, Mode::Test).await.unwrap();
    assert!(cached.authenticate(&key.secret).await.unwrap().is_some());
    assert_eq!(cached.revoke_api_keys(&key.key.prefix).await.unwrap(), 1);
    assert_eq!(cached.authenticate(&key.secret).await.unwrap(), None, "a local revocation is immediate");
    // Malformed and unknown keys are never "found".
    assert_eq!(cached.authenticate("sk_live_nope").await.unwrap(), None);

    // A connection refreshed elsewhere: the new credentials within the deadline; deleted here: gone at once.
    let end_user = unique("cached-user");
    let inserted = other.insert_connection(new_connection(&tenant, Mode::Live, &end_user, "hubspot")).await.unwrap();
    let find = || cached.find_connection(&tenant.id, Mode::Live, &end_user, "hubspot");
    assert_eq!(find().await.unwrap(), Some(inserted.clone()));
    let refreshed = oauth("refreshed-elsewhere");
    other.update_connection_credentials(&inserted.id, &refreshed, ConnectionStatus::Active).await.unwrap();
    assert!(
        within(deadline, || async { find().await.unwrap().is_some_and(|c| c.credentials == refreshed) }).await,
        "credentials refreshed by another process must show within a few polls"
    );
    let local = oauth("refreshed-here");
    cached.update_connection_credentials(&inserted.id, &local, ConnectionStatus::Active).await.unwrap();
    assert_eq!(find().await.unwrap().map(|c| c.credentials), Some(local), "a local update is immediate");
    assert!(cached.delete_connection(Some(&tenant.id), &inserted.id).await.unwrap());
    assert_eq!(find().await.unwrap(), None, "a local deletion is immediate");

    // Deleted elsewhere: gone within the deadline.
    let inserted = other.insert_connection(new_connection(&tenant, Mode::Live, &end_user, "hubspot")).await.unwrap();
    assert!(find().await.unwrap().is_some());
    assert!(other.delete_connection(Some(&tenant.id), &inserted.id).await.unwrap());
    assert!(
        within(deadline, || async { find().await.unwrap().is_none() }).await,
        "a connection deleted by another process must be gone within a few polls"
    );
}

/// Drops a PostgreSQL schema made for one test run (best effort: the run's result stands either way).
pub async fn drop_postgres_schema(base_url: &str, schema: &str) {
    let valid = !schema.is_empty() && schema.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !valid {
        return;
    }
    match sqlx::PgPool::connect(base_url).await {
        Ok(pool) => {
            let drop = format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
            if let Err(err) = sqlx::query(sqlx::AssertSqlSafe(drop)).execute(&pool).await {
                eprintln!("could not drop the schema {schema}: {err}");
            }
        }
        Err(err) => eprintln!("could not drop the schema {schema}: {err}"),
    }
}
