//! OAuth token refresh against the HubSpot emulator, over real sockets: an expired token is refreshed
//! once (however many requests find it expired), a token about to expire is refreshed before the call,
//! and a refused refresh marks the connection and stops calling the provider.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use serde_json::{Value, json};
use unified_server::sandbox::Sandbox;
use unified_server::serve::serve_until_signal;
use unified_server::{AppState, ServerConfig};
use unified_store::{Connection, ConnectionStatus, Mode, Store, StoredCredentials};

struct Running {
    base: String,
    emulator: String,
    key: String,
    tenant: String,
    store: Arc<dyn Store>,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

async fn start() -> Running {
    let dir = tempfile::tempdir().unwrap();
    let store = unified_store::open(&format!("sqlite://{}", dir.path().join("u.db").display())).await.unwrap();
    let key = store.create_api_key("default", Mode::Test).await.unwrap().secret;
    let tenant = store.authenticate(&key).await.unwrap().unwrap().tenant_id;
    let sandbox = Sandbox::start().await.unwrap();
    let emulator = sandbox.base_url("hubspot").unwrap().to_owned();
    let state = AppState::new(Arc::clone(&store), ServerConfig::default()).with_sandbox(Arc::new(sandbox));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(serve_until_signal(listener, state, Duration::from_secs(1), std::future::pending()));
    Running { base, emulator, key, tenant, store, http: reqwest::Client::new(), _dir: dir }
}

impl Running {
    async fn create(&self, n: usize) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}/api/v1/contact?provider=hubspot&endUserId=user-001", self.base))
            .bearer_auth(&self.key)
            .json(&json!({ "email": format!("refresh-{n}@example.com") }))
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    async fn stats(&self) -> Value {
        self.http.get(format!("{}/_emulator/stats", self.emulator)).send().await.unwrap().json().await.unwrap()
    }

    async fn expire_tokens(&self) {
        let fault = json!({ "kind": "expire_token", "count": 1 });
        let response = self.http.post(format!("{}/_emulator/faults", self.emulator)).json(&fault).send().await.unwrap();
        assert!(response.status().is_success());
    }

    async fn connection(&self) -> Connection {
        self.store.find_connection(&self.tenant, Mode::Test, "user-001", "hubspot").await.unwrap().unwrap()
    }

    fn access_token(connection: &Connection) -> String {
        match &connection.credentials {
            StoredCredentials::Oauth { access_token, .. } => access_token.clone(),
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_is_refreshed_and_the_create_goes_through() {
    let app = start().await;
    assert_eq!(app.create(0).await.0, 201);
    let before = Running::access_token(&app.connection().await);
    app.expire_tokens().await;
    let (status, body) = app.create(1).await;
    assert_eq!(status, 201, "{body:#}");
    let stats = app.stats().await;
    assert_eq!(stats["tokenRefreshes"], 1, "{stats}");
    assert_eq!(stats["responses"]["401"], 1, "one expired answer, then the refreshed call: {stats}");
    let after = app.connection().await;
    assert_ne!(Running::access_token(&after), before, "the new token is stored");
    assert_eq!(after.status, ConnectionStatus::Active);
    assert!(after.credentials.expires_at().is_some(), "the grant's expires_in is kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_on_an_expired_token_cause_one_refresh() {
    let app = Arc::new(start().await);
    assert_eq!(app.create(0).await.0, 201);
    app.expire_tokens().await;
    let tasks: Vec<_> = (1..=8)
        .map(|n| {
            let app = Arc::clone(&app);
            tokio::spawn(async move { app.create(n).await.0 })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), 201);
    }
    let stats = app.stats().await;
    assert_eq!(stats["tokenRefreshes"], 1, "single flight: {stats}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_about_to_expire_is_refreshed_before_the_call() {
    let app = start().await;
    assert_eq!(app.create(0).await.0, 201);
    let connection = app.connection().await;
    let StoredCredentials::Oauth { access_token, refresh_token, .. } = connection.credentials.clone() else { panic!() };
    let soon =
        StoredCredentials::Oauth { access_token, refresh_token, expires_at: Some(Utc::now() + TimeDelta::seconds(30)) };
    app.store.update_connection_credentials(&connection.id, &soon, ConnectionStatus::Active).await.unwrap();
    assert_eq!(app.create(1).await.0, 201);
    let stats = app.stats().await;
    assert_eq!(stats["tokenRefreshes"], 1, "{stats}");
    assert!(stats["responses"].get("401").is_none(), "refreshed ahead, never refused: {stats}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_refresh_marks_the_connection_and_stops_calling_the_provider() {
    let app = start().await;
    assert_eq!(app.create(0).await.0, 201);
    let connection = app.connection().await;
    let StoredCredentials::Oauth { access_token, .. } = connection.credentials.clone() else { panic!() };
    let revoked = StoredCredentials::Oauth {
        access_token,
        refresh_token: Some("revoked-refresh-token".into()),
        expires_at: None,
    };
    app.store.update_connection_credentials(&connection.id, &revoked, ConnectionStatus::Active).await.unwrap();
    app.expire_tokens().await;

    let (status, body) = app.create(1).await;
    assert_eq!(status, 401, "{body:#}");
    assert_eq!(body["error"]["code"], "provider_auth_error");
    assert!(body["message"].as_str().unwrap().contains("authorised again"), "{body:#}");
    assert_eq!(app.connection().await.status, ConnectionStatus::NeedsReauth);

    let calls_before = app.stats().await["totalRequests"].clone();
    let (status, body) = app.create(2).await;
    assert_eq!(status, 401, "{body:#}");
    assert_eq!(app.stats().await["totalRequests"], calls_before, "no call reaches the provider");
}
