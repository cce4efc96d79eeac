//! `record` against a local stand-in of HubSpot: the calls are recorded in order, the credential never
//! reaches `exchanges.json`, and the recording replays through the connector.

use std::fs;
use std::path::Path;

use unified_core::testkit::{Exchange, run_case};
use unified_core::transport::Credentials;
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};
use xtask::record::{Outcome, record};

const TOKEN: &str = "pat-na1-11111111-2222-3333-4444-555555555555";
const ACCESS_TOKEN: &str = "oauth-access-9f8e7d6c5b4a";

fn write_input(root: &Path, case: &str, input: serde_json::Value) {
    let dir = root.join("fixtures/hubspot/contact").join(case);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("input.json"), serde_json::to_string_pretty(&input).unwrap()).unwrap();
}

/// HubSpot's create answer, with the token echoed in a property and an `access_token` in the body.
fn created_contact() -> serde_json::Value {
    serde_json::json!({
        "id": "88415392071",
        "properties": {
            "createdate": "2024-05-14T16:27:13.954Z",
            "email": "jane.doe@example.com",
            "firstname": "Jane",
            "lastname": "Doe",
            "hs_object_id": "88415392071",
            "hubspot_owner_id": "77",
            "lastmodifieddate": "2024-05-14T16:27:13.954Z",
            "lifecyclestage": "lead",
            "hs_analytics_source_data_1": format!("API {TOKEN}")
        },
        "createdAt": "2024-05-14T16:27:13.954Z",
        "updatedAt": "2024-05-14T16:27:13.954Z",
        "archived": false,
        "integration": { "access_token": ACCESS_TOKEN, "expires_in": 1800 }
    })
}

fn owner() -> serde_json::Value {
    serde_json::json!({
        "id": "77",
        "email": "olivia.owner@example.com",
        "type": "PERSON",
        "firstName": "Olivia",
        "lastName": "Owner",
        "userId": 4242,
        "createdAt": "2023-01-10T09:00:00Z",
        "updatedAt": "2024-02-01T12:00:00Z",
        "archived": false
    })
}

/// HubSpot's properties API, which every HubSpot flow reads first (the portal's custom properties).
async fn properties(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/crm/v3/properties/contacts"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"results": [
            {"name": "email", "type": "string", "fieldType": "text", "hubspotDefined": true}
        ]})))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn records_the_calls_in_order_without_the_credential() {
    let server = MockServer::start().await;
    properties(&server).await;
    let bearer = format!("Bearer {TOKEN}");
    Mock::given(method("POST"))
        .and(path("/crm/v3/objects/contacts"))
        .and(header("authorization", bearer.as_str()))
        .and(body_partial_json(serde_json::json!({"properties": {"email": "jane.doe@example.com"}})))
        .respond_with(ResponseTemplate::new(201).set_body_json(created_contact()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/crm/v3/owners/77"))
        .and(header("authorization", bearer.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(owner()))
        .expect(1)
        .mount(&server)
        .await;

    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_input(
        root,
        "recorded",
        serde_json::json!({"operation": "create", "source": "a recording from a real account", "body": {"firstName": "Jane", "lastName": "Doe", "email": "jane.doe@example.com", "lifecycleStage": "lead", "ownerId": "77"}}),
    );

    let summary =
        record(root, "hubspot", "contact", "recorded", &Credentials::bearer(TOKEN), Some(&server.uri())).await.unwrap();
    assert_eq!(summary.outcome, Outcome::Done { operation: "create", id: Some("88415392071".into()), warnings: 0 });
    assert_eq!(summary.calls, 3);
    assert_eq!(summary.path, "fixtures/hubspot/contact/recorded/exchanges.json");
    let line = summary.to_string();
    assert!(line.contains("3 calls") && line.contains("88415392071") && !line.contains('\n'), "{line}");
    assert!(summary.next_steps().contains("cargo test -p connector-hubspot"));

    let case = root.join("fixtures/hubspot/contact/recorded");
    let text = fs::read_to_string(case.join("exchanges.json")).unwrap();
    assert!(text.ends_with("}\n]\n"), "pretty JSON with a trailing newline");
    assert!(!text.contains(TOKEN), "the token leaked:\n{text}");
    assert!(!text.contains(ACCESS_TOKEN), "the access_token leaked:\n{text}");
    assert!(text.contains("API [REDACTED]"), "{text}");

    let exchanges: Vec<Exchange> = serde_json::from_str(&text).unwrap();
    let calls: Vec<(&str, &str)> =
        exchanges.iter().map(|e| (e.request.method.as_str(), e.request.path.as_str())).collect();
    assert_eq!(
        calls,
        [("GET", "/crm/v3/properties/contacts"), ("POST", "/crm/v3/objects/contacts"), ("GET", "/crm/v3/owners/77")]
    );
    assert_eq!(exchanges[1].request.body["properties"]["email"], "jane.doe@example.com");
    assert_eq!(exchanges[1].request.body["properties"]["hubspot_owner_id"], "77");
    assert_eq!(exchanges[1].response.status, 201);
    assert_eq!(exchanges[1].response.body["integration"]["access_token"], "[REDACTED]");
    assert_eq!(exchanges[2].request.body, serde_json::Value::Null);
    assert_eq!(exchanges[2].response.body["email"], "olivia.owner@example.com");

    // The recording is a fixture: it replays through the connector with no mismatch.
    let descriptor = unified::registry::lookup("hubspot").unwrap();
    let outcome = std::thread::spawn(move || run_case(descriptor, &case)).join().unwrap();
    assert_eq!(outcome.problems, Vec::<String>::new());
    assert_eq!(outcome.result["data"]["id"], "88415392071");
    assert_eq!(outcome.result["data"]["ownerName"], "Olivia Owner");
}

#[tokio::test]
async fn a_provider_refusal_is_recorded_too() {
    let server = MockServer::start().await;
    properties(&server).await;
    Mock::given(method("POST"))
        .and(path("/crm/v3/objects/contacts"))
        .respond_with(ResponseTemplate::new(409).set_body_json(serde_json::json!({
            "status": "error",
            "message": "Contact already exists. Existing ID: 501",
            "correlationId": "5a4b3c2d-1e0f-4a5b-9c8d-7e6f5a4b3c2d",
            "category": "CONFLICT"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    write_input(
        dir.path(),
        "conflict",
        serde_json::json!({"operation": "create", "source": "a recording from a real account", "body": {"email": "jane.doe@example.com"}}),
    );

    let summary =
        record(dir.path(), "hubspot", "contact", "conflict", &Credentials::bearer(TOKEN), Some(&server.uri()))
            .await
            .unwrap();
    assert_eq!(summary.outcome, Outcome::Failed { code: "provider_validation_error".into(), status: 422 });
    assert_eq!(summary.calls, 2);
    assert!(dir.path().join("fixtures/hubspot/contact/conflict/exchanges.json").is_file());
}

#[tokio::test]
async fn a_missing_input_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let error = record(dir.path(), "hubspot", "contact", "nothing-here", &Credentials::bearer(TOKEN), None)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("fixtures/hubspot/contact/nothing-here/input.json does not exist"), "{error}");
    assert!(!dir.path().join("fixtures/hubspot/contact/nothing-here/exchanges.json").exists());
}

#[tokio::test]
async fn unknown_providers_resources_and_missing_credentials_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    write_input(
        dir.path(),
        "case",
        serde_json::json!({"operation": "create", "source": "a recording from a real account", "body": {"email": "jane.doe@example.com"}}),
    );
    let bearer = Credentials::bearer(TOKEN);

    let error = record(dir.path(), "nosuchcrm", "contact", "case", &bearer, None).await.unwrap_err().to_string();
    assert!(error.contains("nosuchcrm") && error.contains("hubspot"), "{error}");
    let error = record(dir.path(), "hubspot", "widget", "case", &bearer, None).await.unwrap_err().to_string();
    assert!(error.contains("widget") && error.contains("contact, lead, deal, meeting, company"), "{error}");
    let error = record(dir.path(), "hubspot", "contact", "../case", &bearer, None).await.unwrap_err().to_string();
    assert!(error.contains("single folder name"), "{error}");
    let error =
        record(dir.path(), "hubspot", "contact", "case", &Credentials::None, None).await.unwrap_err().to_string();
    assert!(error.contains("UNIFIED_RECORD_TOKEN"), "{error}");
}
