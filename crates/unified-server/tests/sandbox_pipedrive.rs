//! Sandbox end to end for Pipedrive, over real sockets: a `sk_test_` key with no connection gets one to
//! the Pipedrive emulator on first use; the real Pipedrive connector talks real HTTP to it.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use unified_server::sandbox::Sandbox;
use unified_server::serve::serve_until_signal;
use unified_server::{AppState, ServerConfig};
use unified_store::Mode;

struct Running {
    base: String,
    emulator: String,
    test_key: String,
    live_key: String,
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
    let emulator = sandbox.base_url("pipedrive").expect("the Pipedrive emulator runs in sandbox mode").to_owned();
    let state = AppState::new(Arc::clone(&store), ServerConfig::default()).with_sandbox(Arc::new(sandbox));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(serve_until_signal(listener, state, Duration::from_secs(1), std::future::pending()));
    Running { base, emulator, test_key, live_key, http: reqwest::Client::new(), _dir: dir }
}

impl Running {
    async fn create(&self, key: &str, resource: &str, end_user: &str, body: &Value) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}/api/v1/{resource}?provider=pipedrive&endUserId={end_user}", self.base))
            .bearer_auth(key)
            .json(body)
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

fn warned(body: &Value) -> Vec<String> {
    body["data"]["warnings"].as_array().into_iter().flatten().map(|w| w["field"].as_str().unwrap().to_owned()).collect()
}

/// The record: `201`, `id` equal to `remoteId`, John Smith as the resolved owner, contract timestamps.
fn created(status: u16, body: &Value) -> &Value {
    assert_eq!(status, 201, "{body:#}");
    assert_eq!((body["success"].clone(), body["statusCode"].clone()), (json!(true), json!(201)));
    let record = &body["data"]["data"];
    assert_eq!(record["id"], record["remoteId"]);
    assert_eq!(record["ownerId"], "13374021");
    assert_eq!(record["ownerName"], "John Smith");
    assert_eq!(record["ownerEmail"], "john.smith@acme.com");
    assert_timestamp(&record["createdAt"]);
    assert_timestamp(&record["updatedAt"]);
    record
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_test_key_creates_a_contact_in_the_pipedrive_emulator() {
    let app = start().await;
    let contact = json!({"firstName": "Jane", "lastName": "Doe", "email": "jane.doe@example.com",
        "phone": "+1-555-0100", "company": "Acme Corp", "jobTitle": "VP of Sales",
        "address": {"street": "123 Main St", "city": "San Francisco", "state": "CA", "postalCode": "94105", "country": "US"},
        "lifecycleStage": "lead", "ownerId": "13374021", "tags": ["VIP"], "customFields": {"Loyalty score": 85}});
    let (status, body) = app.create(&app.test_key, "contact", "user-001", &contact).await;
    let record = created(status, &body);
    for field in ["firstName", "lastName", "email", "phone", "company", "jobTitle", "address"] {
        assert_eq!(record[field], contact[field], "{field}");
    }
    assert!(record["id"].as_str().unwrap().bytes().all(|b| b.is_ascii_digit()), "Pipedrive ids are numeric");
    assert_eq!(record["tags"], json!(["VIP"]));
    assert_eq!(record["customFields"], json!({"Loyalty score": 85}));
    assert_eq!(record["lifecycleStage"], Value::Null, "no lifecycleField setting on a sandbox connection");
    assert_eq!(warned(&body), ["lifecycleStage", "company"]);

    // What the emulator stored is what came back; the second contact finds the organization.
    let (status, second) = app
        .create(&app.test_key, "contact", "user-001", &json!({"email": "tom@acme.com", "company": "Acme Corp"}))
        .await;
    assert_eq!(status, 201, "{second:#}");
    assert!(!warned(&second).contains(&"company".to_owned()));
    let records = app.emulator_records().await;
    let stored = records["persons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| Some(p["id"].to_string().as_str()) == record["id"].as_str())
        .unwrap();
    assert_eq!(stored["emails"][0]["value"], "jane.doe@example.com");
    assert_eq!(stored["custom_fields"]["9c2e4f6a8b1d3e5f7a9c0b2d4e6f8a1c3e5b7d9f"], 85);
    assert_eq!(records["organizations"].as_array().map(Vec::len), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lead_deal_and_meeting_in_the_pipedrive_sandbox() {
    let app = start().await;
    let lead = json!({"firstName": "María", "lastName": "López", "email": "maria.lopez@northwind-logistics.com",
        "company": "Northwind Logistics", "ownerId": "13374021",
        "customFields": {"Region": "EMEA", "value": {"amount": 48000, "currency": "EUR"}}});
    let (status, body) = app.create(&app.test_key, "lead", "user-002", &lead).await;
    let record = created(status, &body);
    let id = record["id"].as_str().unwrap();
    assert_eq!((id.len(), id.matches('-').count()), (36, 4), "a lead's id is a UUID: {id}");
    assert_eq!(
        (record["firstName"].as_str(), record["company"].as_str()),
        (Some("María"), Some("Northwind Logistics"))
    );
    assert_eq!(record["customFields"], json!({"Region": "EMEA", "value": {"amount": 48000, "currency": "EUR"}}));

    let deal = json!({"name": "Northwind fleet", "amount": 48000, "currency": "EUR", "stage": "3", "pipeline": "1",
        "closeDate": "2026-12-31", "probability": 60, "ownerId": "13374021"});
    let (status, body) = app.create(&app.test_key, "deal", "user-002", &deal).await;
    let record = created(status, &body);
    assert_eq!((record["amount"].as_f64(), record["closeDate"].as_str()), (Some(48000.0), Some("2026-12-31")));
    assert_eq!((record["stage"].as_str(), record["pipeline"].as_str()), (Some("3"), Some("1")));
    let deal_id = record["id"].as_str().unwrap().to_owned();

    let meeting = json!({"title": "Discovery call", "startTime": "2026-06-02T15:00:00+02:00",
        "endTime": "2026-06-02T15:45:00+02:00", "dealId": deal_id, "ownerId": "13374021",
        "attendees": [{"email": "maria.lopez@northwind-logistics.com", "name": "María López"}]});
    let (status, body) = app.create(&app.test_key, "meeting", "user-002", &meeting).await;
    let record = created(status, &body);
    assert_eq!(record["startTime"], "2026-06-02T13:00:00.000Z");
    assert_eq!(record["endTime"], "2026-06-02T13:45:00.000Z");
    assert_eq!(record["dealId"], deal_id.as_str());
    assert_eq!(record["attendees"].as_array().map(Vec::len), Some(1));

    let records = app.emulator_records().await;
    assert_eq!(records["leads"].as_array().map(Vec::len), Some(1));
    assert_eq!(records["deals"].as_array().map(Vec::len), Some(1));
    let activity = &records["activities"][0];
    assert_eq!((activity["type"].as_str(), activity["due_time"].as_str()), (Some("meeting"), Some("13:00")));
    assert_eq!(activity["duration"], "00:45");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_come_back_in_the_contract_shape() {
    let app = start().await;
    let (status, body) = app
        .create(&app.test_key, "contact", "user-003", &json!({"lastName": "Doe", "customFields": {"Shoe size": 42}}))
        .await;
    assert_eq!(status, 400, "{body:#}");
    assert_eq!(body["error"]["code"], "validation_error");
    assert_eq!(body["error"]["details"][0]["field"], "customFields.Shoe size");
    let (status, body) = app.create(&app.test_key, "deal", "user-003", &json!({"name": "D", "stage": "99"})).await;
    assert_eq!(status, 422, "{body:#}");
    assert_eq!(body["error"]["code"], "provider_validation_error");
    assert_eq!(body["error"]["details"][0]["field"], "stage");
    let (status, body) = app.create(&app.live_key, "contact", "user-003", &json!({"email": "a@b.co"})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("connection_not_found")));
    assert!(app.emulator_records().await["persons"].as_array().is_none_or(Vec::is_empty));
}
