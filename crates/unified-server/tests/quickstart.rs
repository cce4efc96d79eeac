//! The README's quickstart, over real sockets: the seed curl with a `sk_test_` key and no connection gets
//! one to the HubSpot emulator on first use (the real HubSpot connector talks real HTTP to it), and a live
//! key never reaches the sandbox. Every connector's own sandbox behaviour is the behaviour suite's
//! (`behaviour.rs`), for every registered connector at once.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use unified_server::sandbox::Sandbox;
use unified_server::serve::{SEED_CONTACT, serve_until_signal};
use unified_server::{AppState, ServerConfig};
use unified_store::{Mode, Store};

struct Running {
    base: String,
    emulator: String,
    test_key: String,
    live_key: String,
    store: Arc<dyn Store>,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

async fn start() -> Running {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("unified.db").display());
    let store = unified_store::open(&url).await.unwrap();
    let test_key = store.create_api_key("default", Mode::Test).await.unwrap().secret;
    let live_key = store.create_api_key("default", Mode::Live).await.unwrap().secret;
    let sandbox = Sandbox::start().await.unwrap();
    let emulator = sandbox.base_url("hubspot").expect("the HubSpot emulator runs in sandbox mode").to_owned();
    let state = AppState::new(Arc::clone(&store), ServerConfig::default()).with_sandbox(Arc::new(sandbox));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(serve_until_signal(listener, state, Duration::from_secs(1), std::future::pending()));
    Running { base, emulator, test_key, live_key, store, http: reqwest::Client::new(), _dir: dir }
}

impl Running {
    async fn create(&self, key: &str, resource: &str, end_user: &str, body: &str) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}/api/v1/{resource}?provider=hubspot&endUserId={end_user}", self.base))
            .bearer_auth(key)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    async fn emulator_records(&self) -> Value {
        self.http.get(format!("{}/_emulator/records", self.emulator)).send().await.unwrap().json().await.unwrap()
    }
}

fn assert_timestamp(value: &Value) {
    let text = value.as_str().unwrap_or_else(|| panic!("a timestamp, not {value}"));
    let ok = text.len() == 24
        && text.ends_with('Z')
        && chrono::DateTime::parse_from_rfc3339(text).is_ok()
        && text.as_bytes()[19] == b'.';
    assert!(ok, "RFC 3339 UTC with milliseconds: {text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_curl_with_a_test_key_creates_a_contact_in_the_emulator() {
    let app = start().await;
    let (status, body) = app.create(&app.test_key, "contact", "user-001", SEED_CONTACT).await;
    assert_eq!(status, 201, "{body:#}");
    assert_eq!(
        (body["success"].clone(), body["statusCode"].clone(), body["message"].clone()),
        (json!(true), json!(201), json!("Created"))
    );
    let record = &body["data"]["data"];
    assert_eq!(record["id"], record["remoteId"]);
    let seed: Value = serde_json::from_str(SEED_CONTACT).unwrap();
    for field in
        ["firstName", "lastName", "email", "phone", "company", "jobTitle", "address", "lifecycleStage", "ownerId"]
    {
        assert_eq!(record[field], seed[field], "{field}");
    }
    assert_eq!(record["ownerName"], "John Smith");
    assert_eq!(record["ownerEmail"], "john.smith@acme.com");
    assert_eq!(record["customFields"]["loyaltyScore"], "85");
    assert_eq!(record["tags"], Value::Null);
    assert_timestamp(&record["createdAt"]);
    assert_timestamp(&record["updatedAt"]);
    let warned: Vec<&str> =
        body["data"]["warnings"].as_array().unwrap().iter().map(|w| w["field"].as_str().unwrap()).collect();
    assert_eq!(warned, ["tags", "source"]);

    // What the emulator stored is what came back.
    let records = app.emulator_records().await;
    let stored = records["contacts"].as_array().unwrap().iter().find(|c| c["id"] == record["id"]).expect("stored");
    assert_eq!(stored["properties"]["email"], "jane.doe@example.com");
    assert_eq!(stored["properties"]["zip"], "94105");

    // The sandbox connection was created once, in test mode, and is reused.
    let (status, _) = app.create(&app.test_key, "contact", "user-001", r#"{"email":"second@example.com"}"#).await;
    assert_eq!(status, 201);
    let tenant = app.store.authenticate(&app.test_key).await.unwrap().unwrap().tenant_id;
    let connections = app.store.list_connections(Some(&tenant), Some(Mode::Test), Some("user-001")).await.unwrap();
    assert_eq!(connections.len(), 1);

    // The same e-mail again: HubSpot's duplicate rule, through the emulator.
    let (status, body) = app.create(&app.test_key, "contact", "user-001", SEED_CONTACT).await;
    assert_eq!(status, 422, "{body:#}");
    assert_eq!(body["error"]["code"], "provider_validation_error");
    assert_eq!(body["error"]["details"][0]["field"], "email");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_key_never_reaches_the_sandbox() {
    let app = start().await;
    let (status, body) = app.create(&app.live_key, "contact", "user-001", SEED_CONTACT).await;
    assert_eq!(status, 404, "{body:#}");
    assert_eq!(body["error"]["code"], "connection_not_found");
    let records = app.emulator_records().await;
    assert!(records["contacts"].as_array().is_none_or(Vec::is_empty), "{records}");
}
