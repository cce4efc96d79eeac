//! Two server instances on one PostgreSQL database (when `UNIFIED_TEST_POSTGRES_URL` is set; `.ci/run`
//! sets it): keys, connections and idempotency hold across them. Each instance has its own pool, as two
//! `unified serve` processes would.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use unified_server::serve::serve_until_signal;
use unified_server::{AppState, ServerConfig};
use unified_store::{CachedStore, MasterKey, Mode, Store};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// How often each instance checks for the other's changes (`unified serve --cache-poll-ms`).
const POLL: Duration = Duration::from_millis(100);

async fn instance(url: &str, key: &MasterKey) -> (String, Arc<dyn Store>) {
    // As `unified serve` runs it: keys and connections cached, other instances' changes polled for.
    let store = CachedStore::wrap(unified_store::open_with_key(url, Some(key.clone())).await.unwrap(), POLL);
    let state = AppState::new(Arc::clone(&store), ServerConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(serve_until_signal(listener, state, Duration::from_secs(1), std::future::pending()));
    (base, store)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_connections_and_idempotency_hold_across_two_instances() {
    let Some(base_url) = std::env::var("UNIFIED_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()) else {
        eprintln!("UNIFIED_TEST_POSTGRES_URL is not set: skipping the two-instance run");
        return;
    };
    let schema = unified_store::suite::unique("instances").to_ascii_lowercase().replace('-', "_");
    let separator = if base_url.contains('?') { '&' } else { '?' };
    let url = format!("{base_url}{separator}schema={schema}");
    let outcome = tokio::spawn(async move { two_instances(&url).await }).await;
    unified_store::suite::drop_postgres_schema(&base_url, &schema).await;
    if let Err(err) = outcome {
        std::panic::resume_unwind(err.into_panic());
    }
}

async fn two_instances(url: &str) {
    let master = MasterKey::generate();
    let (a, store_a) = instance(url, &master).await;
    let (b, _store_b) = instance(url, &master).await;
    let http = reqwest::Client::new();

    // A key made through one instance works on the other.
    let key = store_a.create_api_key("acme", Mode::Live).await.unwrap().secret;

    // A connection registered on A is used by B.
    let hubspot = MockServer::start().await;
    let created = json!({"id": "501", "properties": {"email": "twin@example.com", "hs_object_id": "501",
        "createdate": "2026-05-14T09:31:02.487Z", "lastmodifieddate": "2026-05-14T09:31:02.487Z"},
        "createdAt": "2026-05-14T09:31:02.487Z", "updatedAt": "2026-05-14T09:31:02.487Z", "archived": false});
    Mock::given(method("POST"))
        .and(path("/crm/v3/objects/contacts"))
        .respond_with(ResponseTemplate::new(201).set_body_json(created).set_delay(Duration::from_millis(300)))
        .mount(&hubspot)
        .await;
    let registered = http
        .post(format!("{a}/api/v1/connections"))
        .bearer_auth(&key)
        .json(&json!({"endUserId": "twin", "provider": "hubspot", "credentials": {"accessToken": "tok-twin-secret"},
            "baseUrl": hubspot.uri()}))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status().as_u16(), 201, "{}", registered.text().await.unwrap());
    let listed: Value = http
        .get(format!("{b}/api/v1/connections?endUserId=twin"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["data"]["data"].as_array().map(Vec::len), Some(1), "{listed}");

    // The same Idempotency-Key sent to both instances at once: one provider call, one answer.
    let create = |base: String| {
        let request = http
            .post(format!("{base}/api/v1/contact?provider=hubspot&endUserId=twin"))
            .bearer_auth(&key)
            .header("idempotency-key", "twin-create")
            .json(&json!({"email": "twin@example.com"}));
        async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.json::<Value>().await.unwrap())
        }
    };
    let ((status_a, body_a), (status_b, body_b)) = tokio::join!(create(a.clone()), create(b.clone()));
    assert_eq!((status_a, status_b), (201, 201), "{body_a:#} {body_b:#}");
    assert_eq!(body_a["data"]["data"]["id"], body_b["data"]["data"]["id"]);
    let calls = hubspot.received_requests().await.unwrap();
    assert_eq!(calls.iter().filter(|r| r.url.path() == "/crm/v3/objects/contacts").count(), 1);

    // A key revoked on one instance is refused there at once, and by the other within a few polls,
    // although both hold it in memory.
    let status = |base: String| {
        let request = http.get(format!("{base}/api/v1/connections")).bearer_auth(&key);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!((status(a.clone()).await, status(b.clone()).await), (200, 200));
    assert_eq!(store_a.revoke_api_keys(&key[..16]).await.unwrap(), 1);
    assert_eq!(status(a.clone()).await, 401, "refused at once where it was revoked");
    let deadline = tokio::time::Instant::now() + POLL * 30;
    while status(b.clone()).await != 401 {
        assert!(tokio::time::Instant::now() < deadline, "the other instance still takes a revoked key");
        tokio::time::sleep(POLL / 4).await;
    }
}
