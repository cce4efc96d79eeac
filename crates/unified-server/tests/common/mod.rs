//! Helpers for the in-process API tests: a temp SQLite store per test, the real router driven with
//! `oneshot`, keys and connections, HubSpot stand-ins on `wiremock`, and the envelope checks.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tempfile::TempDir;
use tower::ServiceExt;
use unified_core::transport::RetryPolicy;
use unified_server::{AppState, ServerConfig, router};
use unified_store::{Connection, Mode, NewConnection, Store, StoredCredentials};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The seed example's body (`SEED_CONTACT` of `serve.rs`).
pub const SEED: &str = unified_server::serve::SEED_CONTACT;

pub const CREATE_CONTACT: &str = "/api/v1/contact?provider=hubspot&endUserId=user-001";

/// A HubSpot access token distinctive enough to search for in logs and bodies.
pub const TOKEN: &str = "pat-na1-11111111-2222-3333-4444-SECRETTOKEN";

/// Short budgets so that every provider failure answers within a second.
pub fn fast_config() -> ServerConfig {
    ServerConfig {
        provider_timeout: Duration::from_millis(300),
        retry: RetryPolicy {
            max_tries: 2,
            max_wait: Duration::from_secs(3),
            default_rate_limit_wait: Duration::ZERO,
            backoff: Duration::from_millis(10),
        },
        idempotency_wait: Duration::from_secs(5),
        ..ServerConfig::default()
    }
}

/// One app over one temp SQLite database.
pub struct Harness {
    pub store: Arc<dyn Store>,
    pub state: AppState,
    pub app: Router,
    _dir: TempDir,
}

/// A created API key: the secret to send and the tenant it belongs to.
#[derive(Debug, Clone)]
pub struct Key {
    pub secret: String,
    pub tenant_id: String,
    pub prefix: String,
}

impl Key {
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.secret)
    }
}

impl Harness {
    pub async fn new() -> Self {
        Self::with_config(fast_config()).await
    }

    pub async fn with_config(config: ServerConfig) -> Self {
        let dir = tempfile::tempdir().expect("a temp dir");
        let url = format!("sqlite://{}", dir.path().join("unified.db").display());
        let store = unified_store::open(&url).await.expect("the store opens");
        let state = AppState::new(Arc::clone(&store), config);
        let app = router(state.clone());
        Self { store, state, app, _dir: dir }
    }

    pub async fn key(&self, tenant: &str, mode: Mode) -> Key {
        let key = self.store.create_api_key(tenant, mode).await.expect("a key");
        Key { secret: key.secret, tenant_id: key.key.tenant_id, prefix: key.key.prefix }
    }

    /// A HubSpot connection for `end_user` in the key's tenant and mode, talking to `base_url`.
    pub async fn connection(&self, key: &Key, mode: Mode, end_user: &str, base_url: &str) -> Connection {
        self.store
            .insert_connection(NewConnection {
                tenant_id: key.tenant_id.clone(),
                mode,
                end_user_id: end_user.to_owned(),
                provider: "hubspot".to_owned(),
                credentials: StoredCredentials::Oauth {
                    access_token: TOKEN.to_owned(),
                    refresh_token: None,
                    expires_at: None,
                },
                settings: Default::default(),
                base_url: Some(base_url.to_owned()),
            })
            .await
            .expect("the connection is stored")
    }

    /// A live key for tenant `acme` with a live HubSpot connection for `user-001` at `base_url`.
    pub async fn live(&self, base_url: &str) -> Key {
        let key = self.key("acme", Mode::Live).await;
        self.connection(&key, Mode::Live, "user-001", base_url).await;
        key
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        send(&self.app, request).await
    }

    pub async fn get(&self, uri: &str, key: Option<&Key>) -> Reply {
        let mut builder = Request::builder().method(Method::GET).uri(uri);
        if let Some(key) = key {
            builder = builder.header("authorization", key.bearer());
        }
        self.send(builder.body(Body::empty()).unwrap()).await
    }

    /// POST a JSON body with this key.
    pub async fn post(&self, uri: &str, key: &Key, body: impl Into<Body>) -> Reply {
        self.send(post(uri).header("authorization", key.bearer()).body(body.into()).unwrap()).await
    }
}

/// A POST request builder with `Content-Type: application/json`.
pub fn post(uri: &str) -> http::request::Builder {
    Request::builder().method(Method::POST).uri(uri).header("content-type", "application/json")
}

pub async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.expect("the router is infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.expect("the body is readable").to_bytes().to_vec();
    Reply { status, headers, bytes }
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes)
            .unwrap_or_else(|e| panic!("the body is not JSON ({e}); status {}: {}", self.status, self.text()))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().expect("an ASCII header"))
    }

    pub fn request_id(&self) -> &str {
        self.header("x-request-id").expect("every response has an x-request-id")
    }

    /// Asserts the contract's error envelope, exactly, and returns it.
    #[track_caller]
    pub fn error(&self, status: u16, code: &str) -> Value {
        assert_eq!(self.status.as_u16(), status, "status; body: {}", self.text());
        let body = self.json();
        assert_error_envelope(&body, status, code);
        assert_eq!(
            body["error"]["requestId"].as_str(),
            Some(self.request_id()),
            "error.requestId equals the x-request-id header: {body}"
        );
        let content_type = self.header("content-type").unwrap_or_default();
        assert!(content_type.starts_with("application/json"), "content-type {content_type:?}");
        body
    }

    /// Asserts a 201 success envelope and returns it.
    #[track_caller]
    pub fn created(&self) -> Value {
        assert_eq!(self.status, StatusCode::CREATED, "body: {}", self.text());
        let body = self.json();
        assert_eq!(keys(&body), set(&["success", "statusCode", "message", "data"]), "{body}");
        assert_eq!(body["success"], true);
        assert_eq!(body["statusCode"], 201);
        assert_eq!(body["message"], "Created");
        assert!(body["data"]["data"].is_object(), "{body}");
        let ulid = self.request_id();
        assert!(!ulid.is_empty());
        body
    }

    /// The `field`s of `error.details`.
    pub fn detail_fields(&self) -> BTreeSet<String> {
        self.json()["error"]["details"]
            .as_array()
            .expect("details is an array")
            .iter()
            .map(|d| d["field"].as_str().expect("a field").to_owned())
            .collect()
    }
}

/// The error envelope of the contract: exactly these keys, `statusCode` equal to the status.
#[track_caller]
pub fn assert_error_envelope(body: &Value, status: u16, code: &str) {
    assert_eq!(keys(body), set(&["success", "statusCode", "message", "error"]), "{body}");
    assert_eq!(body["success"], false, "{body}");
    assert_eq!(body["statusCode"], status, "{body}");
    let message = body["message"].as_str().expect("message is a string");
    assert!(!message.is_empty(), "{body}");
    let error = &body["error"];
    assert_eq!(keys(error), set(&["code", "details", "provider", "retryAfter", "requestId"]), "{body}");
    assert_eq!(error["code"], code, "{body}");
    for detail in error["details"].as_array().expect("details is an array") {
        assert_eq!(keys(detail), set(&["field", "message"]), "{body}");
        assert!(detail["field"].is_string() && detail["message"].is_string(), "{body}");
    }
    assert!(error["provider"].is_null() || error["provider"].is_object(), "{body}");
    assert!(error["retryAfter"].is_null() || error["retryAfter"].is_u64(), "{body}");
    assert!(error["requestId"].is_string(), "{body}");
}

pub fn keys(value: &Value) -> BTreeSet<String> {
    value.as_object().unwrap_or_else(|| panic!("not an object: {value}")).keys().cloned().collect()
}

pub fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

/// `2024-05-14T16:27:13.954Z`: RFC 3339, UTC, milliseconds.
pub fn is_millis_timestamp(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| r.into_iter().all(|i| b[i].is_ascii_digit());
    b.len() == 24
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && b[19] == b'.'
        && digits(20..23)
        && b[23] == b'Z'
}

/// A 26-character Crockford base32 ULID.
pub fn is_ulid(text: &str) -> bool {
    text.len() == 26 && text.parse::<ulid::Ulid>().is_ok()
}

// --- HubSpot stand-ins -------------------------------------------------------------------------

/// A fresh (unpooled) HubSpot stand-in: each test gets its own port.
/// A HubSpot stand-in that answers the properties API (every connector call reads the portal's property
/// definitions first; its custom contact properties are `loyaltyScore` and `lead_source`).
pub async fn hubspot() -> MockServer {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex(r"^/crm/v3/properties/[a-z]+$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "results": [
            { "name": "email", "type": "string", "fieldType": "text", "hubspotDefined": true },
            { "name": "loyaltyScore", "type": "number", "fieldType": "number" },
            { "name": "lead_source", "type": "string", "fieldType": "text" }
        ]})))
        .mount(&server)
        .await;
    server
}

/// The requests a HubSpot stand-in received, the properties API aside.
pub async fn received_calls(server: &MockServer) -> Vec<wiremock::Request> {
    let all = server.received_requests().await.expect("request recording is on");
    all.into_iter().filter(|r| !r.url.path().starts_with("/crm/v3/properties/")).collect()
}

/// HubSpot's 201 for the seed contact (its recorded `create-full` answer, with `loyaltyScore`).
pub fn seed_created_body(id: &str) -> Value {
    json!({
        "id": id,
        "properties": {
            "address": "123 Main St",
            "city": "San Francisco",
            "company": "Acme Corp",
            "country": "US",
            "createdate": "2024-05-14T16:27:13.954Z",
            "email": "jane.doe@example.com",
            "firstname": "Jane",
            "hs_object_id": id,
            "hubspot_owner_id": "67823451",
            "jobtitle": "VP of Sales",
            "lastmodifieddate": "2024-05-14T16:27:13.954Z",
            "lastname": "Doe",
            "lifecyclestage": "lead",
            "loyaltyScore": "85",
            "phone": "+1-555-0100",
            "state": "CA",
            "zip": "94105"
        },
        "createdAt": "2024-05-14T16:27:13.954Z",
        "updatedAt": "2024-05-14T16:27:13.954Z",
        "archived": false
    })
}

/// A minimal HubSpot 201 for a contact with only an e-mail.
pub fn created_body(id: &str, email: &str) -> Value {
    json!({
        "id": id,
        "properties": {
            "createdate": "2026-05-14T09:33:00.000Z",
            "email": email,
            "hs_object_id": id,
            "lastmodifieddate": "2026-05-14T09:33:00.000Z"
        },
        "createdAt": "2026-05-14T09:33:00.000Z",
        "updatedAt": "2026-05-14T09:33:00.000Z",
        "archived": false
    })
}

pub fn owner_body() -> Value {
    json!({
        "id": "67823451",
        "email": "john.smith@acme.com",
        "type": "PERSON",
        "firstName": "John",
        "lastName": "Smith",
        "userId": 9586504,
        "userIdIncludingInactive": 9586504,
        "createdAt": "2024-02-19T10:12:44.118Z",
        "updatedAt": "2026-01-07T16:50:06.678Z",
        "archived": false,
        "teams": [{ "id": "178588", "name": "EMEA Sales", "primary": true }]
    })
}

pub fn validation_error_body() -> Value {
    json!({
        "status": "error",
        "message": "Property values were not valid: [{\"isValid\":false,\"message\":\"Property \\\"favourite_colour\\\" does not exist\",\"error\":\"PROPERTY_DOESNT_EXIST\",\"name\":\"favourite_colour\"}]",
        "correlationId": "4c1e2f7a-93b0-4d55-8a2e-6f0d1b7c9e21",
        "category": "VALIDATION_ERROR"
    })
}

pub fn unauthorized_body() -> Value {
    json!({
        "status": "error",
        "message": "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
        "correlationId": "9f3c1b2a-7e6d-4c5b-8a9f-0e1d2c3b4a59",
        "category": "INVALID_AUTHENTICATION"
    })
}

pub fn rate_limit_body() -> Value {
    json!({
        "status": "error",
        "message": "You have reached your secondly limit.",
        "correlationId": "0e8a5c1b-6f2d-4a93-b7e4-9d1c3f5a2b60",
        "errorType": "RATE_LIMIT",
        "policyName": "TEN_SECONDLY_ROLLING",
        "requestId": "a3f9c2d1-58e7-4b0a-9c6d-1e2f3a4b5c6d"
    })
}

/// `POST /crm/v3/objects/contacts` answers `template`.
pub async fn on_create(server: &MockServer, template: ResponseTemplate) {
    Mock::given(method("POST")).and(path("/crm/v3/objects/contacts")).respond_with(template).mount(server).await;
}

/// `POST /crm/v3/objects/contacts` answers a 201 for `email` with id `id`.
pub async fn accept_contacts(server: &MockServer, id: &str, email: &str) {
    on_create(server, ResponseTemplate::new(201).set_body_json(created_body(id, email))).await;
}

/// The bodies of the contact creates HubSpot received.
pub async fn contact_creates(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .expect("request recording is on")
        .into_iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path() == "/crm/v3/objects/contacts")
        .map(|r| r.body_json().expect("a JSON body"))
        .collect()
}

/// How many calls a HubSpot stand-in received (the properties API aside: see [`hubspot`]).
pub async fn received(server: &MockServer) -> usize {
    received_calls(server).await.len()
}
