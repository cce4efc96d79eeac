//! The HTTP contract of `/work/shared/design/api.md`, end to end and in process: the real router over a
//! temp SQLite store, the real HubSpot connector talking real HTTP to a `wiremock` stand-in of HubSpot.

mod common;

use std::time::Duration;

use axum::body::Body;
use common::*;
use http::{Method, Request, StatusCode};
use serde_json::{Value, json};
use unified_core::transport::RetryPolicy;
use unified_server::ServerConfig;
use unified_store::Mode;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, ResponseTemplate};

/// A connector that exists only in this test binary: it supports `contact` and nothing else, needs no
/// network, and panics when asked to create a contact named `Panic` (to test the 500 path).
mod onlycontacts {
    use unified_core::descriptor::{AuthKind, AuthScheme, ConnectorDescriptor, FieldSupport as F, ResourceSupport};
    use unified_core::operation::CREATE_ONLY;
    use unified_core::resource::{Company, Contact, ContactInput, Deal, Lead, Meeting, ResourceKind};
    use unified_core::{Call, Operations, Output, Provider, UnifiedError};

    #[derive(Debug)]
    pub struct OnlyContacts;

    impl Provider for OnlyContacts {}

    #[unified_core::__private::async_trait]
    impl Operations<Contact> for OnlyContacts {
        async fn create(&self, _call: Call<'_>, input: &ContactInput) -> Result<Output<Contact>, UnifiedError> {
            if input.first_name.as_deref() == Some("Panic") {
                panic!("the onlycontacts test connector panics on purpose");
            }
            Ok(Output::new(Contact { id: "oc-1".into(), remote_id: "oc-1".into(), ..Contact::default() }))
        }
    }

    impl Operations<Lead> for OnlyContacts {}
    impl Operations<Deal> for OnlyContacts {}
    impl Operations<Meeting> for OnlyContacts {}
    impl Operations<Company> for OnlyContacts {}

    const FIELDS: [F; 13] = [
        F::native("firstName"),
        F::native("lastName"),
        F::native("email"),
        F::native("phone"),
        F::native("company"),
        F::native("jobTitle"),
        F::native("address"),
        F::native("lifecycleStage"),
        F::native("companyId"),
        F::native("ownerId"),
        F::native("tags"),
        F::native("source"),
        F::native("customFields"),
    ];

    pub static DESCRIPTOR: ConnectorDescriptor = ConnectorDescriptor {
        id: "onlycontacts",
        name: "Only Contacts",
        auth: AuthKind::ApiKey,
        auth_scheme: AuthScheme::Bearer,
        api_key_scheme: None,
        base_url: "http://127.0.0.1:9",
        resources: &[ResourceSupport {
            resource: ResourceKind::Contact,
            operations: CREATE_ONLY,
            fields: &FIELDS,
            required: &[],
            example: unified_core::Example { create: r#"{"email":"a{n}@example.com"}"#, update: "{}" },
        }],
        parse_error: unified_core::transport::parse_error_as_text,
        connector: &OnlyContacts,
        emulator: None,
    };

    unified_core::register_connector!(DESCRIPTOR);
}

/// A connection to the `onlycontacts` test connector for `user-001`.
async fn onlycontacts_connection(h: &Harness, key: &Key) {
    h.store
        .insert_connection(unified_store::NewConnection {
            tenant_id: key.tenant_id.clone(),
            mode: Mode::Live,
            end_user_id: "user-001".into(),
            provider: "onlycontacts".into(),
            credentials: unified_store::StoredCredentials::ApiKey { api_key: "oc-key".into() },
            settings: Default::default(),
            base_url: None,
        })
        .await
        .unwrap();
}

const EMAIL_ONLY: &str = r#"{"email":"sam.taylor@example.com"}"#;

// ------------------------------------------------------------------------------------------------
// 1. The seed example
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn seed_example_creates_the_contact() {
    let hubspot = hubspot().await;
    Mock::given(method("POST"))
        .and(path("/crm/v3/objects/contacts"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(201).set_body_json(seed_created_body("12345678901")))
        .expect(1)
        .mount(&hubspot)
        .await;
    Mock::given(method("GET"))
        .and(path("/crm/v3/owners/67823451"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(owner_body()))
        .expect(1)
        .mount(&hubspot)
        .await;
    let h = Harness::new().await;
    let key = h.live(&hubspot.uri()).await;

    let reply = h.post(CREATE_CONTACT, &key, SEED).await;
    let body = reply.created();
    assert!(is_ulid(reply.request_id()), "{}", reply.request_id());
    assert_eq!(keys(&body["data"]), set(&["data", "warnings"]), "no remoteData unless asked: {body}");

    let record = &body["data"]["data"];
    assert_eq!(
        keys(record),
        set(&[
            "id",
            "remoteId",
            "firstName",
            "lastName",
            "email",
            "phone",
            "company",
            "jobTitle",
            "address",
            "lifecycleStage",
            "companyId",
            "ownerId",
            "ownerName",
            "ownerEmail",
            "tags",
            "source",
            "customFields",
            "createdAt",
            "updatedAt",
        ]),
        "{record}"
    );
    assert_eq!(record["id"], "12345678901");
    assert_eq!(record["id"], record["remoteId"]);
    assert_eq!(record["firstName"], "Jane");
    assert_eq!(record["lastName"], "Doe");
    assert_eq!(record["email"], "jane.doe@example.com");
    assert_eq!(record["phone"], "+1-555-0100");
    assert_eq!(record["company"], "Acme Corp");
    assert_eq!(record["jobTitle"], "VP of Sales");
    assert_eq!(
        record["address"],
        json!({"street": "123 Main St", "city": "San Francisco", "state": "CA", "postalCode": "94105", "country": "US"})
    );
    assert_eq!(record["lifecycleStage"], "lead");
    assert_eq!(record["ownerId"], "67823451");
    assert_eq!(record["ownerName"], "John Smith");
    assert_eq!(record["ownerEmail"], "john.smith@acme.com");
    assert_eq!(record["tags"], Value::Null, "HubSpot stores no tags");
    assert_eq!(record["source"], Value::Null, "no sourceProperty setting: not stored");
    assert_eq!(record["customFields"], json!({"loyaltyScore": "85"}), "read back as HubSpot stored it");
    for stamp in ["createdAt", "updatedAt"] {
        let text = record[stamp].as_str().unwrap_or_else(|| panic!("{stamp} is a string: {record}"));
        assert!(is_millis_timestamp(text), "{stamp} = {text}");
        assert_eq!(text, "2024-05-14T16:27:13.954Z");
    }

    let warnings = body["data"]["warnings"].as_array().expect("warnings");
    let fields: Vec<&str> = warnings.iter().map(|w| w["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["tags", "source"], "{warnings:?}");
    for warning in warnings {
        assert_eq!(keys(warning), set(&["field", "message"]));
        assert!(!warning["message"].as_str().unwrap().is_empty());
    }

    // Exactly what HubSpot received: every property a string, no associations, no tags, no source.
    let creates = contact_creates(&hubspot).await;
    assert_eq!(creates.len(), 1);
    assert_eq!(
        creates[0],
        json!({"properties": {
            "email": "jane.doe@example.com",
            "firstname": "Jane",
            "lastname": "Doe",
            "phone": "+1-555-0100",
            "company": "Acme Corp",
            "jobtitle": "VP of Sales",
            "address": "123 Main St",
            "city": "San Francisco",
            "state": "CA",
            "zip": "94105",
            "country": "US",
            "lifecyclestage": "lead",
            "hubspot_owner_id": "67823451",
            "loyaltyScore": "85"
        }})
    );
    let requests = hubspot.received_requests().await.unwrap();
    let post = requests.iter().find(|r| r.method.as_str() == "POST").unwrap();
    assert_eq!(post.headers.get("content-type").unwrap(), "application/json");
}

#[tokio::test]
async fn include_remote_data_returns_hubspots_raw_record() {
    let hubspot = hubspot().await;
    accept_contacts(&hubspot, "88415392074", "sam.taylor@example.com").await;
    let h = Harness::new().await;
    let key = h.live(&hubspot.uri()).await;
    let reply = h.post(&format!("{CREATE_CONTACT}&includeRemoteData=true"), &key, EMAIL_ONLY).await;
    let body = reply.created();
    assert_eq!(body["data"]["remoteData"], created_body("88415392074", "sam.taylor@example.com"));
    assert!(body["data"].get("warnings").is_none(), "warnings only when non-empty: {body}");
    let record = &body["data"]["data"];
    assert_eq!(record["address"], Value::Null);
    assert_eq!(record["ownerId"], Value::Null);
    assert_eq!(record["ownerName"], Value::Null);
    assert_eq!(record["customFields"], Value::Null);
    assert_eq!(record["createdAt"], "2026-05-14T09:33:00.000Z");
}

// ------------------------------------------------------------------------------------------------
// 2. Every error row of the contract's table
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn validation_error_reports_every_problem_at_once() {
    let hubspot = hubspot().await;
    let h = Harness::new().await;
    let key = h.live(&hubspot.uri()).await;
    let body = r#"{"emial":"jane@example.com","email":"not-an-email","lifecycleStage":"hot","firstName":"Jane"}"#;
    let reply = h.post(CREATE_CONTACT, &key, body).await;
    let envelope = reply.error(400, "validation_error");
    assert_eq!(envelope["message"], "Request body is invalid");
    assert_eq!(reply.detail_fields(), set(&["emial", "email", "lifecycleStage"]), "{envelope}");
    let details = envelope["error"]["details"].as_array().unwrap();
    assert_eq!(details.len(), 3, "{envelope}");
    let message = |field: &str| details.iter().find(|d| d["field"] == field).unwrap()["message"].as_str().unwrap();
    assert!(message("emial").contains("not a known field"), "{envelope}");
    assert!(message("lifecycleStage").contains("salesqualifiedlead"), "{envelope}");
    assert!(message("email").contains("email"), "{envelope}");
    assert_eq!(envelope["error"]["provider"], Value::Null);
    assert_eq!(envelope["error"]["retryAfter"], Value::Null);
    assert_eq!(received(&hubspot).await, 0, "nothing reaches HubSpot");
}

#[tokio::test]
async fn validation_error_for_missing_required_fields() {
    let hubspot = hubspot().await;
    let h = Harness::new().await;
    let key = h.live(&hubspot.uri()).await;
    // A contact needs one of firstName, lastName, email.
    let reply = h.post(CREATE_CONTACT, &key, r#"{"phone":"+1"}"#).await;
    let envelope = reply.error(400, "validation_error");
    assert!(!envelope["error"]["details"].as_array().unwrap().is_empty());
    // A deal needs a name (unified) and a stage (HubSpot), both reported at once.
    let reply = h.post("/api/v1/deal?provider=hubspot&endUserId=user-001", &key, r#"{"amount":5}"#).await;
    reply.error(400, "validation_error");
    assert_eq!(reply.detail_fields(), set(&["name", "stage"]));
    assert_eq!(received(&hubspot).await, 0);
}

#[tokio::test]
async fn invalid_query() {
    let h = Harness::new().await;
    let key = h.live("http://127.0.0.1:9").await;
    for (uri, needle) in [
        ("/api/v1/contact?endUserId=user-001", "provider"),
        ("/api/v1/contact?provider=hubspot", "endUserId"),
        ("/api/v1/contact", "provider"),
        ("/api/v1/contact?provider=hubspot&endUserId=", "endUserId"),
        ("/api/v1/contact?provider=hubspot&endUserId=user-001&foo=bar", "foo"),
        ("/api/v1/contact?provider=hubspot&provider=hubspot&endUserId=user-001", "provider"),
        ("/api/v1/contact?provider=hubspot&endUserId=user-001&includeRemoteData=yes", "includeRemoteData"),
    ] {
        let reply = h.post(uri, &key, EMAIL_ONLY).await;
        let envelope = reply.error(400, "invalid_query");
        let message = envelope["message"].as_str().unwrap();
        assert!(message.contains(needle), "{uri}: {message}");
    }
}

#[tokio::test]
async fn unknown_provider_lists_the_registered_ids() {
    let h = Harness::new().await;
    let key = h.live("http://127.0.0.1:9").await;
    let reply = h.post("/api/v1/contact?provider=nope&endUserId=user-001", &key, EMAIL_ONLY).await;
    let envelope = reply.error(400, "unknown_provider");
    let message = envelope["message"].as_str().unwrap();
    assert!(message.contains("nope") && message.contains("hubspot"), "{message}");
    // Ids are lowercase: `HubSpot` is not `hubspot`.
    let reply = h.post("/api/v1/contact?provider=HubSpot&endUserId=user-001", &key, EMAIL_ONLY).await;
    reply.error(400, "unknown_provider");
}

#[tokio::test]
async fn unknown_resource_lists_the_resources() {
    let h = Harness::new().await;
    let key = h.live("http://127.0.0.1:9").await;
    for resource in ["widget", "companies", "Contact", "contacts"] {
        let reply = h.post(&format!("/api/v1/{resource}?provider=hubspot&endUserId=user-001"), &key, EMAIL_ONLY).await;
        let envelope = reply.error(404, "unknown_resource");
        let message = envelope["message"].as_str().unwrap();
        assert!(message.contains("contact, lead, deal, meeting, company"), "{resource}: {message}");
    }
}

#[tokio::test]
async fn unsupported_resource() {
    let h = Harness::new().await;
    let key = h.key("acme", Mode::Live).await;
    onlycontacts_connection(&h, &key).await;
    let reply = h
        .post("/api/v1/deal?provider=onlycontacts&endUserId=user-001", &key, r#"{"name":"Big deal","stage":"won"}"#)
        .await;
    let envelope = reply.error(422, "unsupported_resource");
    let message = envelope["message"].as_str().unwrap();
    assert!(message.contains("onlycontacts") && message.contains("deal"), "{message}");
    // The same connector does create contacts.
    let reply = h.post("/api/v1/contact?provider=onlycontacts&endUserId=user-001", &key, EMAIL_ONLY).await;
    assert_eq!(reply.created()["data"]["data"]["id"], "oc-1");
}

#[tokio::test]
async fn unauthorized() {
    let hubspot = hubspot().await;
    accept_contacts(&hubspot, "1", "sam.taylor@example.com").await;
    let h = Harness::new().await;
    let key = h.live(&hubspot.uri()).await;
    let with_auth = |value: Option<String>| {
        let mut builder = post(CREATE_CONTACT);
        if let Some(value) = value {
            builder = builder.header("authorization", value);
        }
        builder.body(Body::from(EMAIL_ONLY)).unwrap()
    };
    let unknown = format!("Bearer sk_live_{}", "A".repeat(43));
    let cases = [
        ("no header", None),
        ("no scheme", Some(key.secret.clone())),
        ("basic", Some(format!("Basic {}", key.secret))),
        ("empty bearer", Some("Bearer ".to_owned())),
        ("not a key", Some("Bearer hello".to_owned())),
        ("unknown key", Some(unknown)),
        ("truncated key", Some(format!("Bearer {}", &key.secret[..key.secret.len() - 1]))),
        ("wrong mode prefix", Some(format!("Bearer {}", key.secret.replacen("sk_live_", "sk_test_", 1)))),
    ];
    for (what, value) in cases {
        let reply = h.send(with_auth(value)).await;
        let envelope = reply.error(401, "unauthorized");
        assert!(!reply.text().contains(&key.secret), "{what}: the key is never echoed");
        assert_eq!(envelope["error"]["provider"], Value::Null, "{what}");
    }
    // The key works until it is revoked.
    h.send(with_auth(Some(key.bearer()))).await.created();
    assert_eq!(h.store.revoke_api_keys(&key.prefix).await.unwrap(), 1);
    let reply = h.send(with_auth(Some(key.bearer()))).await;
    reply.error(401, "unauthorized");
    assert_eq!(contact_creates(&hubspot).await.len(), 1, "only the create before the revocation reached HubSpot");
}

#[tokio::test]
async fn unauthorized_comes_before_everything_else() {
    let h = Harness::new().await;
    // Unknown resource, unknown provider, bad body: still 401 without a key.
    let request = post("/api/v1/widget?provider=nope").body(Body::from("{")).unwrap();
    h.send(request).await.error(401, "unauthorized");
    // Other endpoints that need a key.
    h.get("/api/v1/connections", None).await.error(401, "unauthorized");
    let request = Request::builder().method(Method::DELETE).uri("/api/v1/connections/x").body(Body::empty()).unwrap();
    h.send(request).await.error(401, "unauthorized");
}

#[tokio::test]
async fn connection_not_found_without_a_connection() {
    let h = Harness::new().await;
    let key = h.key("acme", Mode::Live).await;
    let reply = h.post(CREATE_CONTACT, &key, EMAIL_ONLY).await;
    let envelope = reply.error(404, "connection_not_found");
    let message = envelope["message"].as_str().unwrap();
    assert!(message.contains("hubspot") && message.contains("user-001"), "{message}");
    // Another end user of the same tenant is not this one.
    let hubspot = hubspot().await;
    h.connection(&key, Mode::Live, "user-002", &hubspot.uri()).await;
    h.post(CREATE_CONTACT, &key, EMAIL_ONLY).await.error(404, "connection_not_found");
    assert_eq!(received(&hubspot).await, 0);
}

/// Without sandbox emulators (`AppState::new`), a test key has only the sandbox connections stored for it.
/// (With `AppState::with_sandbox`, the test key would get an emulator connection instead; the live
/// HubSpot would still never be called.)
#[tokio::test]
async fn connection_not_found_a_test_key_cannot_use_a_live_connection() {
    let hubspot = hubspot().await;
    accept_contacts(&hubspot, "1", "sam.taylor@example.com").await;
    let h = Harness::new().await;
    let live = h.live(&hubspot.uri()).await;
    let test = h.key("acme", Mode::Test).await;
    assert_eq!(live.tenant_id, test.tenant_id, "same tenant, other mode");
    h.post(CREATE_CONTACT, &test, EMAIL_ONLY).await.error(404, "connection_not_found");
    assert_eq!(received(&hubspot).await, 0, "the live HubSpot never hears of a test-mode call");
    // And the other way round: a live key does not see a sandbox connection.
    let sandbox = common::hubspot().await;
    h.connection(&test, Mode::Test, "user-009", &sandbox.uri()).await;
    h.post("/api/v1/contact?provider=hubspot&endUserId=user-009", &live, EMAIL_ONLY)
        .await
        .error(404, "connection_not_found");
    assert_eq!(received(&sandbox).await, 0);
    // The test-mode listing does not show the live connection, nor the live listing the sandbox one.
    let listed = h.get("/api/v1/connections", Some(&test)).await.json();
    let ids: Vec<&str> =
        listed["data"]["data"].as_array().unwrap().iter().map(|c| c["endUserId"].as_str().unwrap()).collect();
    assert_eq!(ids, ["user-009"]);
    let listed = h.get("/api/v1/connections", Some(&live)).await.json();
    let ids: Vec<&str> =
        listed["data"]["data"].as_array().unwrap().iter().map(|c| c["endUserId"].as_str().unwrap()).collect();
    assert_eq!(ids, ["user-001"]);
}

#[tokio::test]
async fn connection_not_found_across_tenants() {
    let hubspot = hubspot().await;
    accept_contacts(&hubspot, "1", "sam.taylor@example.com").await;
    let h = Harness::new().await;
    let a = h.live(&hubspot.uri()).await;
    let b = h.key("globex", Mode::Live).await;
    assert_ne!(a.tenant_id, b.tenant_id);
    h.post(CREATE_CONTACT, &b, EMAIL_ONLY).await.error(404, "connection_not_found");
    assert_eq!(received(&hubspot).await, 0);

    // B does not see A's connections, with or without the end user filter, and cannot delete them.
    for uri in ["/api/v1/connections", "/api/v1/connections?endUserId=user-001"] {
        let listed = h.get(uri, Some(&b)).await;
        assert_eq!(listed.status, StatusCode::OK);
        assert_eq!(listed.json()["data"]["data"], json!([]), "{uri}");
    }
    let a_connections = h.get("/api/v1/connections", Some(&a)).await.json();
    let a_id = a_connections["data"]["data"][0]["id"].as_str().unwrap().to_owned();
    let request = Request::builder()
        .method(Method::DELETE)
        .uri(format!("/api/v1/connections/{a_id}"))
        .header("authorization", b.bearer())
        .body(Body::empty())
        .unwrap();
    h.send(request).await.error(404, "connection_not_found");
    // A's connection is still there and still works for A.
    h.post(CREATE_CONTACT, &a, EMAIL_ONLY).await.created();
}

#[tokio::test]
async fn payload_too_large() {
    let hubspot = hubspot().await;
    let h = Harness::new().await;
    let key = h.live(&hubspot.uri()).await;
    let filler = "x".repeat(1024 * 1024);
    let body = format!(r#"{{"email":"a@example.com","customFields":{{"notes":"{filler}"}}}}"#);
    assert!(body.len() > 1024 * 1024);
    let reply = h.post(CREATE_CONTACT, &key, body).await;
    reply.error(413, "payload_too_large");
    // The connections endpoint has the same limit.
    let big = format!(r#"{{"endUserId":"{filler}","provider":"hubspot","credentials":{{"accessToken":"t"}}}}"#);
    h.post("/api/v1/connections", &key, big).await.error(413, "payload_too_large");
    assert_eq!(received(&hubspot).await, 0);
}

#[tokio::test]
async fn idempotency_conflict_same_key_different_body() {
    let hubspot = hubspot().await;
    accept_contacts(&hubspot, "1", "sam.taylor@example.com").await;
    let h = Harness::new().await;
    let key = h.live(&hubspot.uri()).await;
    let with_key = |body: &'static str| {
        post(CREATE_CONTACT)
            .header("authorization", key.bearer())
            .header("idempotency-key", "order-42")
            .body(Body::from(body))
            .unwrap()
    };
    h.send(with_key(EMAIL_ONLY)).await.created();
    let reply = h.send(with_key(r#"{"email":"someone.else@example.com"}"#)).await;
    let envelope = reply.error(409, "idempotency_conflict");
    assert!(envelope["message"].as_str().unwrap().contains("different request"), "{envelope}");
    assert!(reply.header("idempotent-replayed").is_none());
    // The same body under another query (another end user) is another request too.
    let reply = h
        .send(
            post("/api/v1/contact?provider=hubspot&endUserId=user-001&includeRemoteData=true")
                .header("authorization", key.bearer())
                .header("idempotency-key", "order-42")
                .body(Body::from(EMAIL_ONLY))
                .unwrap(),
        )
        .await;
    reply.error(409, "idempotency_conflict");
    assert_eq!(contact_creates(&hubspot).await.len(), 1);
}

#[tokio::test]
async fn idempotency_key_must_be_printable_and_short() {
    let hubspot = hubspot().await;
    let h = Harness::new().await;
    let key = h.live(&hubspot.uri()).await;
    for bad in ["x".repeat(256), String::new(), "tab\there".to_owned()] {
        let request = post(CREATE_CONTACT)
            .header("authorization", key.bearer())
            .header("idempotency-key", bad.as_str())
            .body(Body::from(EMAIL_ONLY))
            .unwrap();
        let reply = h.send(request).await;
        reply.error(400, "validation_error");
        assert_eq!(reply.detail_fields(), set(&["Idempotency-Key"]), "{bad:?}");
    }
    assert_eq!(received(&hubspot).await, 0);
}

#[tokio::test]
async fn provider_validation_error() {
    let hubspot = hubspot().await;
    on_create(&hubspot, ResponseTemplate::new(400).set_body_json(validation_error_body())).await;
    let h = Harness::new().await;
    let key = h.live(&hubspot.uri()).await;
    let body = r#"{"email":"jane.doe@example.com","customFields":{"favourite_colour":"blue"}}"#;
    let reply = h.post(CREATE_CONTACT, &key, body).await;
    let envelope = reply.error(422, "provider_validation_error");
    assert_eq!(reply.detail_fields(), set(&["customFields.favourite_colour"]));
    assert_eq!(envelope["error"]["details"][0]["message"], "Property \"favourite_colour\" does not exist");
    let provider = &envelope["error"]["provider"];
    assert_eq!(provider["id"], "hubspot");
    assert_eq!(provider["status"], 400);
    assert_eq!(provider["body"]["category"], "VALIDATION_ERROR");
    assert_eq!(envelope["error"]["retryAfter"], Value::Null);
    assert_eq!(
        contact_creates(&hubspot).await,
        [json!({"properties": {"email": "jane.doe@example.com", "favourite_colour": "blue"}})]
    );
}

#[tokio::test]
async fn provider_auth_error() {
    let hubspot = hubspot().await;
    on_create(&hubspot, ResponseTemplate::new(401).set_body_json(unauthorized_body())).await;
    let h = Harness::new().await;
    let key = h.live(&hubspot.uri()).await;
    let reply = h.post(CREATE_CONTACT, &key, EMAIL_ONLY).await;
    let envelope = reply.error(401, "provider_auth_error");
    assert_eq!(envelope["error"]["provider"]["status"], 401);
    assert_eq!(envelope["error"]["provider"]["id"], "hubspot");
    assert!(!reply.text().contains(TOKEN), "the token is never echoed");
    assert_eq!(contact_creates(&hubspot).await.len(), 1, "a refused POST is not re-sent");
}

#[tokio::test]
async fn rate_limited_without_retries() {
    let hubspot = hubspot().await;
    on_create(&hubspot, ResponseTemplate::new(429).set_body_json(rate_limit_body())).await;
    let h = Harness::with_config(ServerConfig { retry: RetryPolicy::none(), ..fast_config() }).await;
    let key = h.live(&hubspot.uri()).await;
    let reply = h.post(CREATE_CONTACT, &key, EMAIL_ONLY).await;
    let envelope = reply.error(429, "rate_limited");
    // HubSpot sends no Retry-After; its TEN_SECONDLY_ROLLING policy means one second.
    assert_eq!(envelope["error"]["retryAfter"], 1);
    assert_eq!(reply.header("retry-after"), Some("1"));
    assert_eq!(envelope["error"]["provider"]["status"], 429);
    assert_eq!(contact_creates(&hubspot).await.len(), 1);
}

#[tokio::test]
async fn rate_limited_after_the_retry_budget() {
    let hubspot = hubspot().await;
    on_create(&hubspot, ResponseTemplate::new(429).insert_header("retry-after", "0").set_body_json(rate_limit_body()))
        .await;
    let h = Harness::new().await;
    let key = h.live(&hubspot.uri()).await;
    let reply = h.post(CREATE_CONTACT, &key, EMAIL_ONLY).await;
    let envelope = reply.error(429, "rate_limited");
    let retry_after = envelope["error"]["retryAfter"].as_u64().expect("retryAfter is a number");
    assert_eq!(reply.header("retry-after"), Some(retry_after.to_string().as_str()));
    // A 429 is a refusal, so a POST may be retried: max_tries = 2.
    assert_eq!(contact_creates(&hubspot).await.len(), 2);
}

#[tokio::test]
async fn rate_limited_then_created_within_the_budget() {
    let hubspot = hubspot().await;
    Mock::given(method("POST"))
        .and(path("/crm/v3/objects/contacts"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0").set_body_json(rate_limit_body()))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&hubspot)
        .await;
    accept_contacts(&hubspot, "7", "sam.taylor@example.com").await;
    let h = Harness::new().await;
    let key = h.live(&hubspot.uri()).await;
    let body = h.post(CREATE_CONTACT, &key, EMAIL_ONLY).await.created();
    assert_eq!(body["data"]["data"]["id"], "7");
    assert_eq!(contact_creates(&hubspot).await.len(), 2);
}

#[tokio::test]
async fn provider_unavailable_and_a_post_is_never_resent() {
    let hubspot = hubspot().await;
    on_create(&hubspot, ResponseTemplate::new(503).set_body_string("Service Unavailable")).await;
    let h = Harness::new().await;
    let key = h.live(&hubspot.uri()).await;
    let reply = h.post(CREATE_CONTACT, &key, EMAIL_ONLY).await;
    let envelope = reply.error(502, "provider_unavailable");
    assert_eq!(envelope["error"]["provider"]["status"], 503);
    assert_eq!(envelope["error"]["retryAfter"], Value::Null);
    assert!(reply.header("retry-after").is_none());
    assert_eq!(contact_creates(&hubspot).await.len(), 1, "a POST is never re-sent after a 5xx");
}

#[tokio::test]
async fn provider_unavailable_when_nothing_listens() {
    let h = Harness::new().await;
    let key = h.live("http://127.0.0.1:9").await;
    let reply = h.post(CREATE_CONTACT, &key, EMAIL_ONLY).await;
    let envelope = reply.error(502, "provider_unavailable");
    assert_eq!(envelope["error"]["provider"]["status"], Value::Null);
    assert!(!envelope["message"].as_str().unwrap().contains("127.0.0.1"), "no URL in the message: {envelope}");
}

#[tokio::test]
async fn provider_timeout_and_a_post_is_never_resent() {
    let hubspot = hubspot().await;
    on_create(
        &hubspot,
        ResponseTemplate::new(201)
            .set_body_json(created_body("1", "sam.taylor@example.com"))
            .set_delay(Duration::from_secs(2)),
    )
    .await;
    let h = Harness::new().await;
    let key = h.live(&hubspot.uri()).await;
    let started = std::time::Instant::now();
    let reply = h.post(CREATE_CONTACT, &key, EMAIL_ONLY).await;
    let envelope = reply.error(504, "provider_timeout");
    assert!(started.elapsed() < Duration::from_millis(1500), "the 300 ms budget holds: {:?}", started.elapsed());
    assert_eq!(envelope["error"]["provider"]["id"], "hubspot");
    assert_eq!(contact_creates(&hubspot).await.len(), 1, "a timed-out POST is never re-sent");
}

#[tokio::test]
async fn a_panicking_connector_answers_500_with_a_request_id() {
    let h = Harness::new().await;
    let key = h.key("acme", Mode::Live).await;
    onlycontacts_connection(&h, &key).await;
    let request = post("/api/v1/contact?provider=onlycontacts&endUserId=user-001")
        .header("authorization", key.bearer())
        .header("x-request-id", "req-panic-1")
        .body(Body::from(r#"{"firstName":"Panic"}"#))
        .unwrap();
    let reply = h.send(request).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", reply.text());
    assert!(!reply.text().contains("on purpose"), "no internals in the answer: {}", reply.text());
    // The contract: every response carries x-request-id, and the same id is in error.requestId.
    assert_eq!(reply.header("x-request-id"), Some("req-panic-1"), "headers: {:?}", reply.headers);
    assert_eq!(reply.json()["error"]["requestId"], "req-panic-1", "{}", reply.text());
    reply.error(500, "internal_error");
}

// ------------------------------------------------------------------------------------------------
// 3. x-request-id
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn request_id_is_generated_when_absent() {
    let h = Harness::new().await;
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..3 {
        let reply = h.send(post(CREATE_CONTACT).body(Body::from(EMAIL_ONLY)).unwrap()).await;
        reply.error(401, "unauthorized");
        assert!(is_ulid(reply.request_id()), "{}", reply.request_id());
        seen.insert(reply.request_id().to_owned());
    }
    assert_eq!(seen.len(), 3, "a new id per request");
    // Success answers, health checks and the fallbacks carry one too.
    for uri in ["/healthz", "/readyz", "/metrics", "/api/v1/providers", "/nope"] {
        let reply = h.get(uri, None).await;
        assert!(is_ulid(reply.request_id()), "{uri}");
    }
}

#[tokio::test]
async fn request_id_is_echoed_when_sent() {
    let hubspot = hubspot().await;
    accept_contacts(&hubspot, "1", "sam.taylor@example.com").await;
    let h = Harness::new().await;
    let key = h.live(&hubspot.uri()).await;
    let request = post(CREATE_CONTACT)
        .header("authorization", key.bearer())
        .header("x-request-id", "my-trace-0001")
        .body(Body::from(EMAIL_ONLY))
        .unwrap();
    let reply = h.send(request).await;
    reply.created();
    assert_eq!(reply.request_id(), "my-trace-0001");

    let request = post(CREATE_CONTACT)
        .header("authorization", key.bearer())
        .header("x-request-id", "my-trace-0002")
        .body(Body::from("{"))
        .unwrap();
    let reply = h.send(request).await;
    let envelope = reply.error(400, "validation_error");
    assert_eq!(envelope["error"]["requestId"], "my-trace-0002");

    // An id that is not sane (spaces, too long) is replaced by a generated one.
    for bad in ["has spaces", &"x".repeat(129)] {
        let request = post(CREATE_CONTACT).header("x-request-id", bad).body(Body::from(EMAIL_ONLY)).unwrap();
        let reply = h.send(request).await;
        reply.error(401, "unauthorized");
        assert!(is_ulid(reply.request_id()), "{bad:?} → {}", reply.request_id());
    }
}

// ------------------------------------------------------------------------------------------------
// 4. Idempotency
// ------------------------------------------------------------------------------------------------

fn idempotent(key: &Key, idempotency_key: &str, body: &'static str) -> Request<Body> {
    post(CREATE_CONTACT)
        .header("authorization", key.bearer())
        .header("idempotency-key", idempotency_key)
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn idempotency_same_key_same_body_replays_the_first_answer() {
    let hubspot = hubspot().await;
    accept_contacts(&hubspot, "501", "sam.taylor@example.com").await;
    let h = Harness::new().await;
    let key = h.live(&hubspot.uri()).await;
    let first = h.send(idempotent(&key, "create-sam", EMAIL_ONLY)).await;
    first.created();
    assert!(first.header("idempotent-replayed").is_none());
    let second = h.send(idempotent(&key, "create-sam", EMAIL_ONLY)).await;
    assert_eq!(second.status, StatusCode::CREATED);
    assert_eq!(second.bytes, first.bytes, "the same answer, byte for byte");
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    assert_eq!(second.header("content-type"), Some("application/json"));
    assert!(is_ulid(second.request_id()));
    assert_eq!(contact_creates(&hubspot).await.len(), 1, "HubSpot saw one create");
    // Without the key, the same body is a new create.
    h.post(CREATE_CONTACT, &key, EMAIL_ONLY).await.created();
    assert_eq!(contact_creates(&hubspot).await.len(), 2);
}

#[tokio::test]
async fn idempotency_concurrent_requests_make_one_create() {
    let hubspot = hubspot().await;
    on_create(
        &hubspot,
        ResponseTemplate::new(201)
            .set_body_json(created_body("777", "sam.taylor@example.com"))
            .set_delay(Duration::from_millis(300)),
    )
    .await;
    let h = Harness::with_config(ServerConfig { provider_timeout: Duration::from_secs(5), ..fast_config() }).await;
    let key = h.live(&hubspot.uri()).await;
    let (app_a, app_b) = (h.app.clone(), h.app.clone());
    let (a, b) = tokio::join!(
        send(&app_a, idempotent(&key, "concurrent", EMAIL_ONLY)),
        send(&app_b, idempotent(&key, "concurrent", EMAIL_ONLY)),
    );
    let (a, b) = (a.created(), b.created());
    assert_eq!(a["data"]["data"]["id"], "777");
    assert_eq!(a["data"]["data"]["id"], b["data"]["data"]["id"]);
    assert_eq!(contact_creates(&hubspot).await.len(), 1, "exactly one provider create");
}

#[tokio::test]
async fn idempotency_keys_are_per_tenant() {
    let hubspot = hubspot().await;
    accept_contacts(&hubspot, "900", "sam.taylor@example.com").await;
    let h = Harness::new().await;
    let a = h.live(&hubspot.uri()).await;
    let b = h.key("globex", Mode::Live).await;
    h.connection(&b, Mode::Live, "user-001", &hubspot.uri()).await;
    let first = h.send(idempotent(&a, "shared-key", EMAIL_ONLY)).await;
    first.created();
    let second = h.send(idempotent(&b, "shared-key", EMAIL_ONLY)).await;
    second.created();
    assert!(second.header("idempotent-replayed").is_none(), "tenant B gets its own create");
    assert_eq!(contact_creates(&hubspot).await.len(), 2);
}

/// Connections are scoped by tenant *and* mode; an Idempotency-Key first used with a test key must not
/// answer a live request (the live CRM would never see the create).
#[tokio::test]
async fn idempotency_keys_are_per_mode() {
    let sandbox = common::hubspot().await;
    accept_contacts(&sandbox, "111", "sam.taylor@example.com").await;
    let live_hubspot = hubspot().await;
    accept_contacts(&live_hubspot, "222", "sam.taylor@example.com").await;
    let h = Harness::new().await;
    let test = h.key("acme", Mode::Test).await;
    h.connection(&test, Mode::Test, "user-001", &sandbox.uri()).await;
    let live = h.live(&live_hubspot.uri()).await;
    assert_eq!(test.tenant_id, live.tenant_id);

    let in_sandbox = h.send(idempotent(&test, "signup-77", EMAIL_ONLY)).await;
    assert_eq!(in_sandbox.created()["data"]["data"]["id"], "111");
    let in_live = h.send(idempotent(&live, "signup-77", EMAIL_ONLY)).await;
    assert!(in_live.header("idempotent-replayed").is_none(), "a sandbox answer replayed to a live key");
    assert_eq!(in_live.created()["data"]["data"]["id"], "222", "{}", in_live.text());
    assert_eq!(contact_creates(&live_hubspot).await.len(), 1, "the live HubSpot got the create");
}

#[tokio::test]
async fn idempotency_rate_limited_first_attempt_releases_the_key() {
    let hubspot = hubspot().await;
    Mock::given(method("POST"))
        .and(path("/crm/v3/objects/contacts"))
        .respond_with(ResponseTemplate::new(429).set_body_json(rate_limit_body()))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&hubspot)
        .await;
    accept_contacts(&hubspot, "321", "sam.taylor@example.com").await;
    let h = Harness::with_config(ServerConfig { retry: RetryPolicy::none(), ..fast_config() }).await;
    let key = h.live(&hubspot.uri()).await;
    let first = h.send(idempotent(&key, "retry-me", EMAIL_ONLY)).await;
    first.error(429, "rate_limited");
    let second = h.send(idempotent(&key, "retry-me", EMAIL_ONLY)).await;
    assert!(second.header("idempotent-replayed").is_none());
    assert_eq!(second.created()["data"]["data"]["id"], "321");
    assert_eq!(contact_creates(&hubspot).await.len(), 2, "the retry called HubSpot again");
    // Now the key holds the 201.
    let third = h.send(idempotent(&key, "retry-me", EMAIL_ONLY)).await;
    assert_eq!(third.header("idempotent-replayed"), Some("true"));
    assert_eq!(third.bytes, second.bytes);
    assert_eq!(contact_creates(&hubspot).await.len(), 2);
}

#[tokio::test]
async fn idempotency_validation_errors_do_not_take_the_key() {
    let hubspot = hubspot().await;
    accept_contacts(&hubspot, "1", "sam.taylor@example.com").await;
    let h = Harness::new().await;
    let key = h.live(&hubspot.uri()).await;
    h.send(idempotent(&key, "fix-and-retry", r#"{"email":"bad"}"#)).await.error(400, "validation_error");
    // The corrected body with the same key is not a conflict: nothing was claimed.
    h.send(idempotent(&key, "fix-and-retry", EMAIL_ONLY)).await.created();
}

/// A body that HubSpot's mapping rejects (a nested object in `customFields`) never reaches HubSpot, like
/// any other validation error; the corrected body with the same key must not be a 409.
#[tokio::test]
async fn idempotency_connector_validation_errors_do_not_take_the_key() {
    let hubspot = hubspot().await;
    accept_contacts(&hubspot, "1", "sam.taylor@example.com").await;
    let h = Harness::new().await;
    let key = h.live(&hubspot.uri()).await;
    let nested = r#"{"email":"sam.taylor@example.com","customFields":{"nested":{"a":1}}}"#;
    let first = h.send(idempotent(&key, "fix-the-mapping", nested)).await;
    first.error(400, "validation_error");
    assert_eq!(first.detail_fields(), set(&["customFields.nested"]));
    assert_eq!(received(&hubspot).await, 0, "nothing was sent");
    let corrected = h.send(idempotent(&key, "fix-the-mapping", EMAIL_ONLY)).await;
    assert_eq!(corrected.status, StatusCode::CREATED, "{}", corrected.text());
}

/// A replayed error is still the contract's envelope: its `error.requestId` matches `x-request-id`.
#[tokio::test]
async fn idempotency_replayed_error_keeps_request_id_consistent() {
    let hubspot = hubspot().await;
    on_create(&hubspot, ResponseTemplate::new(503)).await;
    let h = Harness::new().await;
    let key = h.live(&hubspot.uri()).await;
    let first = h.send(idempotent(&key, "flaky", EMAIL_ONLY)).await;
    first.error(502, "provider_unavailable");
    let second = h.send(idempotent(&key, "flaky", EMAIL_ONLY)).await;
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    assert_eq!(contact_creates(&hubspot).await.len(), 1, "a stored 502 is replayed, not re-sent");
    second.error(502, "provider_unavailable");
}

/// A caller that gives up (client disconnect: the handler future is dropped) must not leave its
/// Idempotency-Key locked "in progress" for the key's whole TTL.
#[tokio::test]
async fn idempotency_key_is_not_stuck_after_an_abandoned_request() {
    let hubspot = hubspot().await;
    on_create(
        &hubspot,
        ResponseTemplate::new(201)
            .set_body_json(created_body("4242", "sam.taylor@example.com"))
            .set_delay(Duration::from_millis(500)),
    )
    .await;
    let h = Harness::with_config(ServerConfig {
        provider_timeout: Duration::from_secs(5),
        idempotency_wait: Duration::from_secs(3),
        ..fast_config()
    })
    .await;
    let key = h.live(&hubspot.uri()).await;
    let abandoned =
        tokio::time::timeout(Duration::from_millis(150), send(&h.app, idempotent(&key, "impatient", EMAIL_ONLY))).await;
    assert!(abandoned.is_err(), "the first caller hung up before HubSpot answered");
    let retry = h.send(idempotent(&key, "impatient", EMAIL_ONLY)).await;
    // Either the first create finishes in the background and is replayed, or the key is free again;
    // a 409 "still in progress" for 24 hours is neither.
    assert_eq!(retry.status, StatusCode::CREATED, "{}", retry.text());
}

// ------------------------------------------------------------------------------------------------
// 5. Bad input: each a 4xx in the envelope, never a 500
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn bad_bodies_are_400_validation_errors() {
    let hubspot = hubspot().await;
    let h = Harness::new().await;
    let key = h.live(&hubspot.uri()).await;
    let deep =
        format!(r#"{{"email":"a@example.com","customFields":{{"x":{}1{}}}}}"#, "[".repeat(10_000), "]".repeat(10_000));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("malformed JSON", br#"{"email": "a@example.com""#.to_vec(), "body"),
        ("trailing garbage", br#"{"email": "a@example.com"} x"#.to_vec(), "body"),
        ("not an object", br#"["email"]"#.to_vec(), "body"),
        ("null", b"null".to_vec(), "body"),
        ("wrong types", br#"{"firstName": 5, "tags": "vip", "address": []}"#.to_vec(), "firstName"),
        ("huge number", br#"{"email":"a@example.com","customFields":{"n":1e999}}"#.to_vec(), "body"),
        ("deep nesting", deep.into_bytes(), "body"),
        ("invalid UTF-8", b"{\"firstName\": \"\xff\xfe\"}".to_vec(), "body"),
        ("empty body", Vec::new(), "body"),
        ("whitespace body", b"  \n ".to_vec(), "body"),
        ("UTF-8 BOM", b"\xef\xbb\xbf{\"email\":\"a@example.com\"}".to_vec(), "body"),
        ("duplicate key", br#"{"email":"a@example.com","email":"b@example.com"}"#.to_vec(), "body"),
    ];
    for (what, body, field) in cases {
        let reply = h.post(CREATE_CONTACT, &key, body).await;
        assert!(reply.status.is_client_error(), "{what}: {} {}", reply.status, reply.text());
        reply.error(400, "validation_error");
        assert!(reply.detail_fields().contains(field), "{what}: {}", reply.text());
    }
    assert_eq!(received(&hubspot).await, 0, "nothing reached HubSpot");
}

#[tokio::test]
async fn content_type_must_be_json() {
    let hubspot = hubspot().await;
    accept_contacts(&hubspot, "1", "sam.taylor@example.com").await;
    let h = Harness::new().await;
    let key = h.live(&hubspot.uri()).await;
    for content_type in
        [Some("text/plain"), None, Some("application/x-www-form-urlencoded"), Some("multipart/form-data")]
    {
        let mut builder =
            Request::builder().method(Method::POST).uri(CREATE_CONTACT).header("authorization", key.bearer());
        if let Some(content_type) = content_type {
            builder = builder.header("content-type", content_type);
        }
        let reply = h.send(builder.body(Body::from(EMAIL_ONLY)).unwrap()).await;
        reply.error(400, "validation_error");
        assert_eq!(reply.detail_fields(), set(&["body"]), "{content_type:?}");
        assert!(reply.text().contains("Content-Type"), "{content_type:?}: {}", reply.text());
    }
    assert_eq!(received(&hubspot).await, 0);
    // Parameters and `+json` types are JSON.
    for content_type in ["application/json; charset=utf-8", "application/vnd.api+json"] {
        let request = Request::builder()
            .method(Method::POST)
            .uri(CREATE_CONTACT)
            .header("authorization", key.bearer())
            .header("content-type", content_type)
            .body(Body::from(EMAIL_ONLY))
            .unwrap();
        h.send(request).await.created();
    }
}

#[tokio::test]
async fn bodies_hubspot_cannot_store_are_400_before_any_call() {
    let hubspot = hubspot().await;
    let h = Harness::new().await;
    let key = h.live(&hubspot.uri()).await;
    // A nested object in customFields, and a custom field that collides with a mapped property.
    let body = r#"{"email":"a@example.com","customFields":{"nested":{"a":1},"email":"x"}}"#;
    let reply = h.post(CREATE_CONTACT, &key, body).await;
    reply.error(400, "validation_error");
    assert_eq!(reply.detail_fields(), set(&["customFields.nested", "customFields.email"]));
    assert_eq!(received(&hubspot).await, 0);
}

// ------------------------------------------------------------------------------------------------
// 6. Arbitrary bodies: always an allowed status and the envelope, never a hang or a 500
// ------------------------------------------------------------------------------------------------

mod arbitrary {
    use proptest::prelude::*;

    const KNOWN: &[&str] = &[
        "firstName",
        "lastName",
        "email",
        "phone",
        "company",
        "jobTitle",
        "address",
        "lifecycleStage",
        "ownerId",
        "tags",
        "source",
        "customFields",
        "name",
        "amount",
        "currency",
        "stage",
        "closeDate",
        "probability",
        "title",
        "startTime",
        "endTime",
        "attendees",
        "status",
        "street",
        "postalCode",
    ];

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => proptest::sample::select(KNOWN).prop_map(str::to_owned),
            1 => "[a-zA-Z_]{1,8}",
            1 => "[^\"\\\\]{0,4}",
        ]
    }

    fn scalar() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("null".to_owned()),
            Just("true".to_owned()),
            Just("false".to_owned()),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| format!("{f:e}")),
            Just("1e999".to_owned()),
            Just("-0".to_owned()),
            Just("\"jane.doe@example.com\"".to_owned()),
            Just("\"not-an-email\"".to_owned()),
            Just("\"lead\"".to_owned()),
            Just("\"2026-07-31\"".to_owned()),
            Just("\"2026-06-02T13:00:00Z\"".to_owned()),
            Just("\"EUR\"".to_owned()),
            Just("\"\\u0000\\ud800\"".to_owned()),
            "[ -~&&[^\"\\\\]]{0,12}".prop_map(|s| format!("\"{s}\"")),
            "\\PC{0,6}".prop_map(|s| serde_json::to_string(&s).unwrap()),
        ]
    }

    fn value() -> impl Strategy<Value = String> {
        scalar().prop_recursive(3, 24, 5, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(|items| format!("[{}]", items.join(","))),
                proptest::collection::vec((key(), inner), 0..4).prop_map(|pairs| object(&pairs)),
            ]
        })
    }

    fn object(pairs: &[(String, String)]) -> String {
        let fields: Vec<String> =
            pairs.iter().map(|(k, v)| format!("{}:{v}", serde_json::to_string(k).unwrap())).collect();
        format!("{{{}}}", fields.join(","))
    }

    /// A JSON-ish body: an object of known and unknown keys, sometimes damaged.
    fn json_ish() -> impl Strategy<Value = Vec<u8>> {
        (proptest::collection::vec((key(), value()), 0..8), 0u8..8, any::<prop::sample::Index>()).prop_map(
            |(pairs, damage, at)| {
                let mut text = object(&pairs).into_bytes();
                let i = at.index(text.len() + 1);
                match damage {
                    0 => text.truncate(i),
                    1 => text.insert(i.min(text.len()), b','),
                    2 => text.insert(i.min(text.len()), 0xff),
                    _ => {}
                }
                text
            },
        )
    }

    /// Well-typed fields of each resource, so that a good share of bodies validates and reaches the
    /// (unreachable) provider.
    const VALID: &[(&str, &[(&str, &str)])] = &[
        (
            "contact",
            &[
                ("firstName", r#""Jane""#),
                ("lastName", r#""Doe""#),
                ("email", r#""jane.doe@example.com""#),
                ("phone", r#""+1-555-0100""#),
                ("company", r#""Acme""#),
                ("jobTitle", r#""VP""#),
                ("address", r#"{"city":"San Francisco","postalCode":"94105"}"#),
                ("lifecycleStage", r#""customer""#),
                ("ownerId", r#""67823451""#),
                ("tags", r#"["vip"]"#),
                ("source", r#""web""#),
                ("customFields", r#"{"score":85,"vip":true}"#),
            ],
        ),
        (
            "lead",
            &[
                ("lastName", r#""Doe""#),
                ("email", r#""jane.doe@example.com""#),
                ("company", r#""Acme""#),
                ("status", r#""new""#),
                ("lifecycleStage", r#""lead""#),
            ],
        ),
        (
            "deal",
            &[
                ("name", r#""Big deal""#),
                ("stage", r#""qualifiedtobuy""#),
                ("amount", "48000.5"),
                ("currency", r#""EUR""#),
                ("closeDate", r#""2026-07-31""#),
                ("pipeline", r#""default""#),
                ("contactIds", r#"["1"]"#),
            ],
        ),
        (
            "meeting",
            &[
                ("title", r#""Discovery""#),
                ("startTime", r#""2026-06-02T13:00:00Z""#),
                ("endTime", r#""2026-06-02T13:45:00Z""#),
                ("location", r#""Room 1""#),
                ("attendees", r#"[{"email":"a@example.com","name":"A"}]"#),
            ],
        ),
    ];

    /// Mostly valid bodies: a subset of a resource's well-typed fields, sometimes one arbitrary extra pair.
    fn valid_ish() -> impl Strategy<Value = (String, Vec<u8>)> {
        proptest::sample::select(VALID).prop_flat_map(|(resource, fields)| {
            let subset = proptest::sample::subsequence(fields, 0..=fields.len());
            let extra = proptest::option::weighted(0.2, (key(), value()));
            (Just(resource.to_owned()), subset, extra).prop_map(|(resource, subset, extra)| {
                let mut pairs: Vec<(String, String)> =
                    subset.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
                pairs.extend(extra);
                (resource, object(&pairs).into_bytes())
            })
        })
    }

    pub fn body() -> impl Strategy<Value = (String, Vec<u8>)> {
        let resource = proptest::sample::select(&["contact", "lead", "deal", "meeting", "widget"][..]);
        let any_body = prop_oneof![1 => proptest::collection::vec(any::<u8>(), 0..256), 3 => json_ish()];
        prop_oneof![1 => (resource.prop_map(str::to_owned), any_body), 1 => valid_ish()]
    }
}

#[test]
fn arbitrary_bodies_always_get_the_envelope() {
    use proptest::test_runner::{Config, TestCaseError, TestRunner};
    use proptest::{prop_assert, prop_assert_eq};
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (h, key) = runtime.block_on(async {
        let config = ServerConfig { retry: RetryPolicy::none(), ..fast_config() };
        let h = Harness::with_config(config).await;
        let key = h.live("http://127.0.0.1:9").await;
        (h, key)
    });
    let allowed = [201, 400, 401, 404, 409, 413, 422, 429, 502, 504];
    let mut runner = TestRunner::new(Config { cases: 64, failure_persistence: None, ..Config::default() });
    let started = std::time::Instant::now();
    runner
        .run(&arbitrary::body(), |(resource, body)| {
            let uri = format!("/api/v1/{resource}?provider=hubspot&endUserId=user-001");
            let reply = runtime.block_on(async {
                tokio::time::timeout(Duration::from_secs(5), h.post(&uri, &key, body.clone()))
                    .await
                    .map_err(|_| TestCaseError::fail("no answer within 5 s"))
            })?;
            let status = reply.status.as_u16();
            prop_assert!(
                allowed.contains(&status),
                "status {status} for {:?}: {}",
                String::from_utf8_lossy(&body),
                reply.text()
            );
            let envelope: Value = serde_json::from_slice(&reply.bytes)
                .map_err(|e| TestCaseError::fail(format!("not JSON ({e}): {}", reply.text())))?;
            prop_assert_eq!(&envelope["success"], &json!(status == 201));
            prop_assert_eq!(&envelope["statusCode"], &json!(status));
            if status != 201 {
                let code = envelope["error"]["code"].as_str().unwrap_or_default().to_owned();
                let outcome = std::panic::catch_unwind(|| assert_error_envelope(&envelope, status, &code));
                prop_assert!(outcome.is_ok(), "not the error envelope: {envelope}");
                prop_assert_eq!(envelope["error"]["requestId"].as_str(), Some(reply.request_id()));
            }
            Ok(())
        })
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(60), "took {:?}", started.elapsed());
}

// ------------------------------------------------------------------------------------------------
// 7. The other endpoints
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn providers_list_hubspot_with_field_support() {
    let h = Harness::new().await;
    let reply = h.get("/api/v1/providers", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    assert_eq!(body["success"], true);
    assert_eq!(body["statusCode"], 200);
    let providers = body["data"]["data"].as_array().unwrap();
    let ids: Vec<&str> = providers.iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"hubspot"), "{ids:?}");
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "sorted by id: {ids:?}");
    let hubspot = providers.iter().find(|p| p["id"] == "hubspot").unwrap();
    assert_eq!(hubspot["name"], "HubSpot");
    assert_eq!(hubspot["authKind"], "oauth2");
    assert_eq!(hubspot["resources"], json!(["contact", "lead", "deal", "meeting", "company"]));
    assert_eq!(hubspot["operations"]["contact"], json!(["create", "get", "list", "update", "delete"]));
    assert!(hubspot["examples"]["deal"]["create"]["stage"].is_string(), "{hubspot}");
    let contact_fields = hubspot["fields"]["contact"].as_array().unwrap();
    let field = |name: &str| contact_fields.iter().find(|f| f["field"] == name).unwrap_or_else(|| panic!("{name}"));
    assert_eq!(field("tags")["support"], "unsupported");
    assert!(field("tags")["note"].as_str().unwrap().contains("tags"));
    assert_eq!(field("firstName")["support"], "native");
    assert_eq!(field("source")["support"], "setting");
    assert_eq!(field("source")["setting"], "sourceProperty");
    assert_eq!(
        hubspot["fields"]["deal"].as_array().unwrap().iter().find(|f| f["field"] == "probability").unwrap()["support"],
        "unsupported"
    );
    assert_eq!(hubspot["required"]["deal"], json!(["stage"]));

    let one = h.get("/api/v1/providers/hubspot", None).await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(&one.json()["data"]["data"], hubspot);

    let nope = h.get("/api/v1/providers/nope", None).await;
    let envelope = nope.error(400, "unknown_provider");
    assert!(envelope["message"].as_str().unwrap().contains("hubspot"));
}

#[tokio::test]
async fn schemas() {
    let h = Harness::new().await;
    let reply = h.get("/api/v1/schemas/contact", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let schema = reply.json();
    assert_eq!(schema["additionalProperties"], false, "{schema}");
    assert_eq!(schema["type"], "object");
    let properties = schema["properties"].as_object().unwrap();
    for field in ["firstName", "lastName", "email", "address", "lifecycleStage", "customFields", "tags"] {
        assert!(properties.contains_key(field), "{field}");
    }
    assert!(!properties.contains_key("id"), "the input has no id");
    for resource in ["lead", "deal", "meeting"] {
        let reply = h.get(&format!("/api/v1/schemas/{resource}"), None).await;
        assert_eq!(reply.status, StatusCode::OK, "{resource}");
        assert_eq!(reply.json()["additionalProperties"], false, "{resource}");
    }
    let widget = h.get("/api/v1/schemas/widget", None).await;
    widget.error(404, "unknown_resource");

    let openapi = h.get("/api/v1/openapi.json", None).await;
    assert_eq!(openapi.status, StatusCode::OK);
    let document = openapi.json();
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"), "{}", document["openapi"]);
    assert!(document["paths"]["/api/v1/contact"]["post"].is_object());
}

#[tokio::test]
async fn health_and_readiness() {
    let h = Harness::new().await;
    let live = h.get("/healthz", None).await;
    assert_eq!(live.status, StatusCode::OK);
    assert_eq!(live.json()["status"], "ok");
    let ready = h.get("/readyz", None).await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.json()["status"], "ready");
}

#[tokio::test]
async fn metrics_count_requests_and_time_provider_calls() {
    let hubspot = hubspot().await;
    accept_contacts(&hubspot, "1", "sam.taylor@example.com").await;
    let h = Harness::new().await;
    let key = h.live(&hubspot.uri()).await;
    h.post(CREATE_CONTACT, &key, EMAIL_ONLY).await.created();
    h.post(CREATE_CONTACT, &key, "{").await.error(400, "validation_error");
    h.post("/api/v1/contact?provider=nope&endUserId=u", &key, EMAIL_ONLY).await.error(400, "unknown_provider");
    h.get("/api/v1/connections", None).await.error(401, "unauthorized");
    let reply = h.get("/metrics", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.header("content-type").unwrap().contains("text"), "{:?}", reply.header("content-type"));
    let text = reply.text();
    let has = |needle: &str| assert!(text.contains(needle), "missing {needle}:\n{text}");
    has(
        r#"unified_requests_total{route="/api/v1/{resource}",operation="create",provider="hubspot",resource="contact",status="201"} 1"#,
    );
    has(
        r#"unified_requests_total{route="/api/v1/{resource}",operation="create",provider="hubspot",resource="contact",status="400"} 1"#,
    );
    // An unknown provider never becomes a label value (bounded cardinality).
    has(
        r#"unified_requests_total{route="/api/v1/{resource}",operation="create",provider="-",resource="contact",status="400"} 1"#,
    );
    assert!(!text.contains("provider=\"nope\""), "{text}");
    // Requests the auth extractor rejects are counted too, by route template.
    has(
        r#"unified_requests_total{route="/api/v1/connections",operation="-",provider="-",resource="-",status="401"} 1"#,
    );
    has("# TYPE unified_provider_call_duration_seconds histogram");
    has(r#"unified_provider_call_duration_seconds_bucket{"#);
    has(r#"unified_provider_call_duration_seconds_count{provider="hubspot",status="201"} 1"#);
    has("# TYPE unified_request_duration_seconds histogram");
    assert!(!text.contains(TOKEN) && !text.contains(&key.secret));
}

#[tokio::test]
async fn connections_endpoints() {
    let h = Harness::new().await;
    let key = h.key("acme", Mode::Live).await;
    let token = "pat-na1-connections-endpoint-SECRET";
    let refresh = "na1-refresh-SECRET";
    let input = json!({
        "endUserId": "user-777",
        "provider": "hubspot",
        "credentials": { "accessToken": token, "refreshToken": refresh, "expiresAt": "2030-01-01T00:00:00Z" },
        "settings": { "sourceProperty": "lead_source" },
        "baseUrl": "http://127.0.0.1:9"
    });
    let reply = h.post("/api/v1/connections", &key, input.to_string()).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    let text = reply.text();
    for secret in [token, refresh, "accessToken", "refreshToken", "credentials"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    let body = reply.json();
    assert_eq!(body["success"], true);
    assert_eq!(body["statusCode"], 201);
    let view = &body["data"]["data"];
    assert_eq!(view["endUserId"], "user-777");
    assert_eq!(view["provider"], "hubspot");
    assert_eq!(view["mode"], "live");
    assert_eq!(view["authKind"], "oauth2");
    assert_eq!(view["settings"], json!({"sourceProperty": "lead_source"}));
    assert_eq!(view["baseUrl"], "http://127.0.0.1:9");
    let id = view["id"].as_str().unwrap().to_owned();

    // The credentials were stored (sealed) and work for the create call.
    let stored = h.store.find_connection(&key.tenant_id, Mode::Live, "user-777", "hubspot").await.unwrap().unwrap();
    assert_eq!(stored.credentials.expires_at().map(|t| t.to_rfc3339()), Some("2030-01-01T00:00:00+00:00".into()));

    let duplicate = h.post("/api/v1/connections", &key, input.to_string()).await;
    duplicate.error(409, "connection_exists");

    let other = json!({"endUserId": "user-778", "provider": "hubspot", "credentials": {"apiKey": "k-SECRET"}});
    let reply = h.post("/api/v1/connections", &key, other.to_string()).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert!(!reply.text().contains("k-SECRET"));
    assert_eq!(reply.json()["data"]["data"]["authKind"], "api_key");

    // A provider that takes no API key refuses one when it is registered, naming the field.
    let keyed = json!({"endUserId": "user-779", "provider": "salesforce", "credentials": {"apiKey": "sf-SECRET"}});
    let refused = h.post("/api/v1/connections", &key, keyed.to_string()).await.error(400, "validation_error");
    assert_eq!(refused["error"]["details"][0]["field"], "credentials.apiKey", "{refused}");
    let message = refused["error"]["details"][0]["message"].as_str().unwrap();
    assert!(message.contains("Salesforce takes no API keys"), "{message}");
    assert!(!refused.to_string().contains("sf-SECRET"));
    assert_eq!(h.store.find_connection(&key.tenant_id, Mode::Live, "user-779", "salesforce").await.unwrap(), None);

    let listed = h.get("/api/v1/connections?endUserId=user-777", Some(&key)).await;
    assert_eq!(listed.status, StatusCode::OK);
    let data = listed.json()["data"]["data"].clone();
    assert_eq!(data.as_array().unwrap().len(), 1, "{data}");
    assert_eq!(data[0]["id"], id.as_str());
    assert!(!listed.text().contains(token));
    let all = h.get("/api/v1/connections", Some(&key)).await.json();
    assert_eq!(all["data"]["data"].as_array().unwrap().len(), 2);
    h.get("/api/v1/connections?endUser=user-777", Some(&key)).await.error(400, "invalid_query");

    let delete = |id: String| {
        Request::builder()
            .method(Method::DELETE)
            .uri(format!("/api/v1/connections/{id}"))
            .header("authorization", key.bearer())
            .body(Body::empty())
            .unwrap()
    };
    let deleted = h.send(delete(id.clone())).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert!(deleted.bytes.is_empty());
    h.send(delete(id)).await.error(404, "connection_not_found");
    let listed = h.get("/api/v1/connections?endUserId=user-777", Some(&key)).await.json();
    assert_eq!(listed["data"]["data"], json!([]));
}

#[tokio::test]
async fn connections_input_is_validated() {
    let h = Harness::new().await;
    let key = h.key("acme", Mode::Live).await;
    let cases = [
        (json!({"endUserId": "u", "provider": "nope", "credentials": {"apiKey": "k"}}), 400, "unknown_provider"),
        (json!({"endUserId": "", "provider": "hubspot", "credentials": {"apiKey": "k"}}), 400, "validation_error"),
        (
            json!({"endUserId": "u", "provider": "hubspot", "credentials": {"apiKey": "k"}, "baseUrl": "ftp://x"}),
            400,
            "validation_error",
        ),
        (json!({"endUserId": "u", "provider": "hubspot", "credentials": {}}), 400, "validation_error"),
        (
            json!({"endUserId": "u", "provider": "hubspot", "credentials": {"apiKey": "k"}, "extra": 1}),
            400,
            "validation_error",
        ),
    ];
    for (input, status, code) in cases {
        let reply = h.post("/api/v1/connections", &key, input.to_string()).await;
        reply.error(status, code);
        assert!(!reply.text().contains("\"k\""), "{input}: {}", reply.text());
    }
    h.post("/api/v1/connections", &key, "{").await.error(400, "validation_error");
}

#[tokio::test]
async fn unknown_paths_and_methods_get_the_envelope() {
    let h = Harness::new().await;
    let key = h.key("acme", Mode::Live).await;
    for uri in ["/nope", "/api/v2/contact", "/api/v1/contact/123/notes", "/api"] {
        let reply = h.get(uri, Some(&key)).await;
        let envelope = reply.error(404, "not_found");
        assert_eq!(envelope["error"]["details"], json!([]), "{uri}");
    }
    let request = Request::builder().method(Method::PUT).uri(CREATE_CONTACT).body(Body::empty()).unwrap();
    let reply = h.send(request).await;
    reply.error(405, "method_not_allowed");
    assert!(reply.header("allow").is_some_and(|a| a.contains("POST")), "Allow header: {:?}", reply.headers);
    let request = Request::builder().method(Method::PUT).uri("/api/v1/providers").body(Body::empty()).unwrap();
    h.send(request).await.error(405, "method_not_allowed");
}

// ------------------------------------------------------------------------------------------------
// 8. No secret in the logs
// ------------------------------------------------------------------------------------------------
