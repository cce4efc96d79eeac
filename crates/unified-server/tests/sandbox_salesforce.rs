//! Sandbox end to end for Salesforce, over real sockets: a `sk_test_` key with no connection gets one to
//! the Salesforce emulator on first use (its base URL serves the REST API directly, as an instance URL
//! would); the real Salesforce connector talks real HTTP to it.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use unified_server::sandbox::Sandbox;
use unified_server::serve::serve_until_signal;
use unified_server::{AppState, ServerConfig};
use unified_store::Mode;

/// The emulated org's users and queue.
const JOHN: &str = "0058c00000AsDfGAAV";
const PRIYA: &str = "0058c00000BtEgHAAV";
const QUEUE: &str = "00G8c000004TqWeEAK";

struct Running {
    base: String,
    emulator: String,
    test_key: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

async fn start() -> Running {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("unified.db").display());
    let store = unified_store::open(&url).await.unwrap();
    let test_key = store.create_api_key("default", Mode::Test).await.unwrap().secret;
    let sandbox = Sandbox::start().await.unwrap();
    let emulator = sandbox.base_url("salesforce").expect("the Salesforce emulator runs in sandbox mode").to_owned();
    let state = AppState::new(Arc::clone(&store), ServerConfig::default()).with_sandbox(Arc::new(sandbox));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(serve_until_signal(listener, state, Duration::from_secs(1), std::future::pending()));
    Running { base, emulator, test_key, http: reqwest::Client::new(), _dir: dir }
}

impl Running {
    async fn create(&self, resource: &str, end_user: &str, body: &Value) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}/api/v1/{resource}?provider=salesforce&endUserId={end_user}", self.base))
            .bearer_auth(&self.test_key)
            .json(body)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    async fn emulator_records(&self, sobject: &str) -> Vec<Value> {
        let url = format!("{}/_emulator/records/{sobject}", self.emulator);
        self.http.get(url).send().await.unwrap().json().await.unwrap()
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

fn assert_created(status: u16, body: &Value) -> Value {
    assert_eq!(status, 201, "{body:#}");
    assert_eq!(
        (&body["success"], &body["statusCode"], &body["message"]),
        (&json!(true), &json!(201), &json!("Created"))
    );
    let record = body["data"]["data"].clone();
    assert_eq!(record["id"], record["remoteId"]);
    assert_timestamp(&record["createdAt"]);
    assert_timestamp(&record["updatedAt"]);
    record
}

fn warned(body: &Value) -> Vec<String> {
    body["data"]["warnings"].as_array().into_iter().flatten().map(|w| w["field"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_test_key_creates_a_contact_in_the_salesforce_emulator() {
    let app = start().await;
    let input = json!({
        "firstName": "Jane", "lastName": "Doe", "email": "jane.doe@example.com", "phone": "+1-555-0100",
        "company": "Acme Corp", "jobTitle": "VP of Sales",
        "address": {"street": "123 Main St", "city": "San Francisco", "state": "CA", "postalCode": "94105", "country": "US"},
        "lifecycleStage": "lead", "ownerId": JOHN, "tags": ["vip"], "source": "Web",
        "customFields": {"Loyalty_Score__c": 85}
    });
    let (status, body) = app.create("contact", "user-001", &input).await;
    let record = assert_created(status, &body);
    assert!(record["id"].as_str().is_some_and(|id| id.len() == 18 && id.starts_with("003")), "{record}");
    for field in ["firstName", "lastName", "email", "phone", "company", "jobTitle", "address", "ownerId", "source"] {
        assert_eq!(record[field], input[field], "{field}");
    }
    assert_eq!((&record["ownerName"], &record["ownerEmail"]), (&json!("John Smith"), &json!("john.smith@acme.com")));
    assert_eq!(record["customFields"]["Loyalty_Score__c"], 85.0);
    assert_eq!((&record["tags"], &record["lifecycleStage"]), (&Value::Null, &Value::Null));
    assert_eq!(warned(&body), ["lifecycleStage", "tags", "company"], "no lifecycle field set; the account was created");

    // What the emulator stored is what came back.
    let contacts = app.emulator_records("Contact").await;
    let stored = contacts.iter().find(|c| c["Id"] == record["id"]).expect("stored");
    assert_eq!((&stored["Email"], &stored["MailingPostalCode"]), (&json!("jane.doe@example.com"), &json!("94105")));
    let accounts = app.emulator_records("Account").await;
    assert_eq!(accounts.len(), 1);
    assert_eq!((&accounts[0]["Name"], &stored["AccountId"]), (&json!("Acme Corp"), &accounts[0]["Id"]));

    // A second contact of the same company finds the account; the same person again is a duplicate.
    let (status, body) = app.create("contact", "user-001", &json!({"lastName": "Roe", "company": "acme corp"})).await;
    assert_eq!(
        (assert_created(status, &body)["company"].clone(), warned(&body)),
        (json!("Acme Corp"), Vec::<String>::new())
    );
    let (status, body) = app.create("contact", "user-001", &input).await;
    assert_eq!(status, 422, "{body:#}");
    assert_eq!(
        (&body["error"]["code"], &body["error"]["details"][0]["field"]),
        (&json!("provider_validation_error"), &json!("email"))
    );

    // Salesforce's own required field, before any call.
    let (status, body) = app.create("contact", "user-001", &json!({"email": "only@example.com"})).await;
    assert_eq!((status, &body["error"]["details"][0]["field"]), (400, &json!("lastName")), "{body:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lead_deal_and_meeting_in_the_salesforce_sandbox() {
    let app = start().await;
    let lead = json!({"firstName": "María", "lastName": "López", "email": "maria.lopez@northwind-logistics.com",
        "company": "Northwind Logistics", "status": "in_progress", "ownerId": QUEUE});
    let (status, body) = app.create("lead", "user-002", &lead).await;
    let lead = assert_created(status, &body);
    assert!(lead["id"].as_str().unwrap().starts_with("00Q"));
    assert_eq!((&lead["status"], &lead["company"]), (&json!("in_progress"), &json!("Northwind Logistics")));
    assert_eq!((&lead["ownerName"], &lead["ownerEmail"]), (&json!("Inbound Leads Queue"), &Value::Null));
    let (status, body) = app.create("lead", "user-002", &json!({"lastName": "Okafor"})).await;
    assert_eq!((status, &body["error"]["details"][0]["field"]), (400, &json!("company")), "{body:#}");

    let (status, body) = app
        .create("contact", "user-002", &json!({"firstName": "Tom", "lastName": "Becker", "email": "tom@example.com"}))
        .await;
    let contact = assert_created(status, &body);

    let deal = json!({"name": "Northwind fleet", "amount": 48000, "stage": "Negotiation/Review", "closeDate": "2026-07-31",
        "contactIds": [contact["id"]], "ownerId": PRIYA});
    let (status, body) = app.create("deal", "user-002", &deal).await;
    let deal = assert_created(status, &body);
    assert!(deal["id"].as_str().unwrap().starts_with("006"));
    assert_eq!(
        (&deal["amount"], &deal["closeDate"], &deal["stage"]),
        (&json!(48000.0), &json!("2026-07-31"), &json!("Negotiation/Review"))
    );
    assert_eq!((&deal["probability"], &deal["contactIds"]), (&json!(90.0), &json!([contact["id"]])));
    assert_eq!((&deal["ownerName"], &deal["ownerEmail"]), (&json!("Priya Shah"), &json!("priya.shah@acme-demo.com")));
    assert_eq!(app.emulator_records("OpportunityContactRole").await.len(), 1);

    let meeting = json!({"title": "Discovery call", "startTime": "2026-06-02T15:00:00+02:00", "endTime": "2026-06-02T15:45:00+02:00",
        "contactIds": [contact["id"]], "dealId": deal["id"],
        "attendees": [{"email": "maria.lopez@northwind-logistics.com", "name": "María López"}, {"email": "guest@example.com"}]});
    let (status, body) = app.create("meeting", "user-002", &meeting).await;
    let event = assert_created(status, &body);
    assert!(event["id"].as_str().unwrap().starts_with("00U"));
    assert_eq!(
        (&event["startTime"], &event["endTime"]),
        (&json!("2026-06-02T13:00:00.000Z"), &json!("2026-06-02T13:45:00.000Z"))
    );
    assert_eq!((&event["contactIds"], &event["dealId"]), (&json!([contact["id"]]), &deal["id"]));
    assert_eq!(event["attendees"], json!([{"email": "maria.lopez@northwind-logistics.com", "name": "María López"}]));
    assert_eq!((&event["ownerName"], warned(&body)), (&json!("John Smith"), vec!["attendees[1]".to_owned()]));
    let relations = app.emulator_records("EventRelation").await;
    assert_eq!((relations.len(), &relations[0]["RelationId"]), (1, &lead["id"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_session_is_refreshed_at_the_emulators_token_endpoint() {
    let app = start().await;
    let (status, body) = app.create("lead", "user-003", &json!({"lastName": "Okafor", "company": "Brightline"})).await;
    assert_created(status, &body);
    let fault = json!({"kind": "expire_token"});
    let expired = app.http.post(format!("{}/_emulator/faults", app.emulator)).json(&fault).send().await.unwrap();
    assert!(expired.status().is_success());

    let (status, body) = app.create("lead", "user-003", &json!({"lastName": "Adeyemi", "company": "Brightline"})).await;
    assert_created(status, &body);
    let stats: Value =
        app.http.get(format!("{}/_emulator/stats", app.emulator)).send().await.unwrap().json().await.unwrap();
    assert_eq!(stats["tokenRefreshes"], 1, "{stats}");
    assert_eq!(stats["responses"]["401"], 1, "one INVALID_SESSION_ID, then the refreshed call: {stats}");
}
