//! Provider faults, injected through the emulator's control plane, against the server over real sockets:
//! the API keeps its contract, creates nothing twice and loses nothing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use unified_core::transport::RetryPolicy;
use unified_server::sandbox::Sandbox;
use unified_server::serve::serve_until_signal;
use unified_server::{AppState, ServerConfig};
use unified_store::Mode;

struct Running {
    base: String,
    emulator: String,
    key: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

async fn start(config: ServerConfig) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let store = unified_store::open(&format!("sqlite://{}", dir.path().join("u.db").display())).await.unwrap();
    let key = store.create_api_key("default", Mode::Test).await.unwrap().secret;
    let sandbox = Sandbox::start().await.unwrap();
    let emulator = sandbox.base_url("hubspot").unwrap().to_owned();
    let state = AppState::new(store, config).with_sandbox(Arc::new(sandbox));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(serve_until_signal(listener, state, Duration::from_secs(1), std::future::pending()));
    let running = Running { base, emulator, key, http: reqwest::Client::new(), _dir: dir };
    running.warm_up().await;
    running
}

impl Running {
    /// Makes the connection and reads the portal's property definitions (the connector caches them), so
    /// that a fault queued next meets the call the test is about, and no record is made.
    async fn warm_up(&self) {
        let url = format!("{}/api/v1/contact?provider=hubspot&endUserId=user-001&limit=1", self.base);
        let response = self.http.get(url).bearer_auth(&self.key).send().await.unwrap();
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    }

    async fn fault(&self, fault: Value) {
        let response = self.http.post(format!("{}/_emulator/faults", self.emulator)).json(&fault).send().await.unwrap();
        assert!(response.status().is_success(), "{}", response.text().await.unwrap());
    }

    async fn create(&self, email: &str, idempotency_key: Option<&str>) -> (u16, Option<String>, Value) {
        let mut request = self
            .http
            .post(format!("{}/api/v1/contact?provider=hubspot&endUserId=user-001", self.base))
            .bearer_auth(&self.key)
            .json(&json!({ "firstName": "Jane", "email": email }));
        if let Some(key) = idempotency_key {
            request = request.header("idempotency-key", key);
        }
        let response = request.send().await.unwrap();
        let retry_after = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
        (response.status().as_u16(), retry_after, response.json().await.unwrap())
    }

    async fn contacts_stored(&self) -> usize {
        let records: Value =
            self.http.get(format!("{}/_emulator/records", self.emulator)).send().await.unwrap().json().await.unwrap();
        records["contacts"].as_array().map_or(0, Vec::len)
    }
}

fn config(timeout: Duration) -> ServerConfig {
    ServerConfig { provider_timeout: timeout, ..ServerConfig::default() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limited_twice_then_created_after_the_waits() {
    let app = start(config(Duration::from_secs(5))).await;
    app.fault(json!({ "kind": "rate_limit", "count": 2, "retryAfter": 1 })).await;
    let started = Instant::now();
    let (status, _, body) = app.create("twice@example.com", None).await;
    assert_eq!(status, 201, "{body:#}");
    assert!(started.elapsed() >= Duration::from_secs(2), "waited for both Retry-After: {:?}", started.elapsed());
    assert_eq!(app.contacts_stored().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limited_beyond_the_budget_answers_429_with_retry_after() {
    let app = start(config(Duration::from_secs(5))).await;
    app.fault(json!({ "kind": "rate_limit", "count": 10, "retryAfter": 30 })).await;
    let started = Instant::now();
    let (status, retry_after, body) = app.create("limited@example.com", None).await;
    assert_eq!(status, 429, "{body:#}");
    assert_eq!(body["error"]["code"], "rate_limited");
    assert_eq!(body["error"]["retryAfter"], 30);
    assert_eq!(retry_after.as_deref(), Some("30"));
    assert!(started.elapsed() < Duration::from_secs(5), "a wait past the budget is not waited");
    assert_eq!(app.contacts_stored().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_error_on_a_create_is_502_and_never_resent() {
    let app = start(config(Duration::from_secs(5))).await;
    app.fault(json!({ "kind": "server_error", "count": 1 })).await;
    let (status, _, body) = app.create("fivehundred@example.com", None).await;
    assert_eq!(status, 502, "{body:#}");
    assert_eq!(body["error"]["code"], "provider_unavailable");
    assert!(app.contacts_stored().await <= 1);
    let stats: Value =
        app.http.get(format!("{}/_emulator/stats", app.emulator)).send().await.unwrap().json().await.unwrap();
    assert_eq!(stats.to_string().matches("POST /crm/v3/objects/contacts").count(), 1, "{stats}");
    assert_eq!(stats["requests"]["POST /crm/v3/objects/contacts"], 1, "the POST was sent once: {stats}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_connection_on_a_create_is_502() {
    // A "provider" that accepts the connection, reads the request and hangs up.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            let mut buf = [0u8; 4096];
            let _ = tokio::io::AsyncReadExt::read(&mut socket, &mut buf).await;
            drop(socket);
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let store = unified_store::open(&format!("sqlite://{}", dir.path().join("u.db").display())).await.unwrap();
    let key = store.create_api_key("acme", Mode::Live).await.unwrap().secret;
    let tenant = store.tenant("acme").await.unwrap();
    store
        .insert_connection(unified_store::NewConnection {
            tenant_id: tenant.id,
            mode: Mode::Live,
            end_user_id: "user-001".into(),
            provider: "hubspot".into(),
            credentials: unified_store::StoredCredentials::ApiKey { api_key: "pat-na1-dropped".into() },
            settings: Default::default(),
            base_url: Some(url),
        })
        .await
        .unwrap();
    let state = AppState::new(store, ServerConfig { retry: RetryPolicy::default(), ..config(Duration::from_secs(5)) });
    let app = unified_server::router(state);
    let request = axum::http::Request::post("/api/v1/contact?provider=hubspot&endUserId=user-001")
        .header("authorization", format!("Bearer {key}"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(r#"{"email":"dropped@example.com"}"#))
        .unwrap();
    let response = tower::ServiceExt::oneshot(app, request).await.unwrap();
    assert_eq!(response.status().as_u16(), 502);
    let body = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["error"]["code"], "provider_unavailable");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slower_than_the_provider_timeout_is_504() {
    let app = start(config(Duration::from_millis(300))).await;
    app.fault(json!({ "kind": "slow", "count": 1, "delayMs": 1500 })).await;
    let (status, _, body) = app.create("slow@example.com", None).await;
    assert_eq!(status, 504, "{body:#}");
    assert_eq!(body["error"]["code"], "provider_timeout");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retrying_a_timed_out_create_with_the_same_key_ends_with_exactly_one_record() {
    let app = start(config(Duration::from_millis(300))).await;
    // The provider does the work but answers late: the create exists although the call timed out.
    app.fault(json!({ "kind": "slow", "count": 1, "delayMs": 1500 })).await;
    let (first, _, body) = app.create("once@example.com", Some("retry-me")).await;
    assert_eq!(first, 504, "{body:#}");
    tokio::time::sleep(Duration::from_millis(100)).await;
    for _ in 0..3 {
        let (status, _, _) = app.create("once@example.com", Some("retry-me")).await;
        assert_eq!(status, 504, "the stored answer is replayed; nothing is sent again");
    }
    assert_eq!(app.contacts_stored().await, 1, "exactly one record");
}
