//! `ProviderClient` against a real HTTP server (wiremock): auth, bodies, error classification, the retry
//! budget (429, 5xx, timeouts, connection failures), the POST-is-never-re-sent rule and the observer.
//!
//! Real sockets, so real time: every wait here is at most a couple of seconds and the tests run in parallel.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use serde_json::{Value, json};
use unified_core::resource as unified;
use unified_core::transport::{
    CallRecord, Credentials, FailureKind, ProviderClient, ProviderError, RetryPolicy, parse_error_as_text,
};
use unified_core::{AuthKind, AuthScheme, ConnectorDescriptor, Operations, Provider, UnifiedError};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "tok-123";

#[derive(Debug)]
struct Dummy;

// Declares no resource: every operation is the trait's default, `unsupported_operation`.
impl Provider for Dummy {}
impl Operations<unified::Contact> for Dummy {}
impl Operations<unified::Lead> for Dummy {}
impl Operations<unified::Deal> for Dummy {}
impl Operations<unified::Meeting> for Dummy {}
impl Operations<unified::Company> for Dummy {}

static DESCRIPTOR: ConnectorDescriptor = ConnectorDescriptor {
    id: "testcrm",
    name: "Test CRM",
    auth: AuthKind::Oauth2,
    auth_scheme: AuthScheme::Bearer,
    api_key_scheme: None,
    base_url: "https://api.testcrm.invalid",
    resources: &[],
    parse_error: parse_error_as_text,
    connector: &Dummy,
    emulator: None,
};

/// Salesforce-style: a 403 whose body says `REQUEST_LIMIT_EXCEEDED` is a rate limit, and the body hints a wait.
fn parse_limit_error(status: u16, body: &[u8]) -> ProviderError {
    let text = String::from_utf8_lossy(body);
    if status == 403 && text.contains("REQUEST_LIMIT_EXCEEDED") {
        return ProviderError {
            message: "request limit exceeded".into(),
            kind: Some(FailureKind::RateLimited),
            retry_after: Some(7),
            ..ProviderError::default()
        };
    }
    parse_error_as_text(status, body)
}

static LIMITED: ConnectorDescriptor = ConnectorDescriptor {
    id: "limitcrm",
    name: "Limit CRM",
    auth: AuthKind::Oauth2,
    auth_scheme: AuthScheme::Bearer,
    api_key_scheme: None,
    base_url: "https://api.limitcrm.invalid",
    resources: &[],
    parse_error: parse_limit_error,
    connector: &Dummy,
    emulator: None,
};

static API_KEY: ConnectorDescriptor = ConnectorDescriptor {
    id: "keycrm",
    name: "Key CRM",
    auth: AuthKind::ApiKey,
    auth_scheme: AuthScheme::Header("x-api-token"),
    api_key_scheme: None,
    base_url: "https://api.keycrm.invalid",
    resources: &[],
    parse_error: parse_error_as_text,
    connector: &Dummy,
    emulator: None,
};

/// Three tries, no default rate-limit wait to speak of, a 10 ms first backoff.
fn fast() -> RetryPolicy {
    RetryPolicy {
        max_tries: 3,
        max_wait: Duration::from_secs(10),
        default_rate_limit_wait: Duration::ZERO,
        backoff: Duration::from_millis(10),
    }
}

fn client_for(descriptor: &'static ConnectorDescriptor, base_url: &str, policy: RetryPolicy) -> ProviderClient {
    ProviderClient::builder(descriptor)
        .base_url(base_url)
        .credentials(Credentials::bearer(TOKEN))
        .policy(policy)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

fn client(server: &MockServer, policy: RetryPolicy) -> ProviderClient {
    client_for(&DESCRIPTOR, &server.uri(), policy)
}

/// A client whose per-attempt timeout is 200 ms.
fn impatient(server: &MockServer, policy: RetryPolicy) -> ProviderClient {
    ProviderClient::builder(&DESCRIPTOR)
        .base_url(server.uri())
        .credentials(Credentials::bearer(TOKEN))
        .policy(policy)
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap()
}

async fn received(server: &MockServer) -> usize {
    server.received_requests().await.expect("request recording is on").len()
}

/// A base URL where nothing listens: bind an ephemeral port, then free it.
fn refused_base_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

type Seen = Arc<Mutex<Vec<(String, String, String, Option<u16>)>>>;

/// An observer that records (provider, method, path, status) of each attempt.
fn recording_observer() -> (Seen, unified_core::transport::Observer) {
    let seen: Seen = Arc::default();
    let sink = seen.clone();
    let observer = Arc::new(move |record: &CallRecord<'_>| {
        sink.lock().unwrap().push((
            record.provider.to_owned(),
            record.method.to_string(),
            record.path.to_owned(),
            record.status,
        ));
    });
    (seen, observer)
}

// --- 1. What goes on the wire -------------------------------------------------------------------------

#[tokio::test]
async fn post_json_sends_bearer_auth_json_body_and_content_type() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/crm/v3/contacts"))
        .and(header("authorization", "Bearer tok-123"))
        .and(header("content-type", "application/json"))
        .and(header("accept", "application/json"))
        .and(body_json(json!({"email": "ada@example.com", "tags": ["a", "b"]})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "42"})))
        .expect(1)
        .mount(&server)
        .await;

    let response = client(&server, fast())
        .post_json("/crm/v3/contacts", &json!({"email": "ada@example.com", "tags": ["a", "b"]}))
        .await
        .unwrap();
    assert_eq!(response.status, 201);
    assert_eq!(response.body_value(), json!({"id": "42"}));

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.headers.get("authorization").unwrap(), "Bearer tok-123");
    assert_eq!(request.headers.get("content-type").unwrap(), "application/json");
    assert_eq!(request.body_json::<Value>().unwrap(), json!({"email": "ada@example.com", "tags": ["a", "b"]}));
    assert_eq!(request.url.query(), None, "a POST without query has no query string");
}

#[tokio::test]
async fn get_sends_query_params_and_auth_without_a_body() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/crm/v3/contacts/search"))
        .and(header("authorization", "Bearer tok-123"))
        .and(query_param("limit", "10"))
        .and(query_param("q", "a b&c=d"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": []})))
        .expect(1)
        .mount(&server)
        .await;

    let response =
        client(&server, fast()).get("/crm/v3/contacts/search", &[("limit", "10"), ("q", "a b&c=d")]).await.unwrap();
    assert_eq!(response.status, 200);

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let pairs: Vec<(String, String)> = requests[0].url.query_pairs().map(|(k, v)| (k.into(), v.into())).collect();
    assert_eq!(pairs, [("limit".into(), "10".into()), ("q".into(), "a b&c=d".into())]);
    assert!(requests[0].body.is_empty());
    assert!(requests[0].headers.get("content-type").is_none());
}

#[tokio::test]
async fn a_trailing_slash_on_the_base_url_is_not_doubled() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).and(path("/v1/ping")).respond_with(ResponseTemplate::new(204)).mount(&server).await;

    let client = client_for(&DESCRIPTOR, &format!("{}/", server.uri()), fast());
    let response = client.get("/v1/ping", &[]).await.unwrap();
    assert_eq!(response.status, 204);
    assert_eq!(server.received_requests().await.unwrap()[0].url.path(), "/v1/ping");
}

#[tokio::test]
async fn header_scheme_sends_the_key_in_its_own_header_and_no_credentials_send_none() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).mount(&server).await;

    let keyed = ProviderClient::builder(&API_KEY)
        .base_url(server.uri())
        .credentials(Credentials::api_key("key-9"))
        .build()
        .unwrap();
    keyed.get("/a", &[]).await.unwrap();
    let anonymous = ProviderClient::builder(&DESCRIPTOR).base_url(server.uri()).build().unwrap();
    anonymous.get("/b", &[]).await.unwrap();

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].headers.get("x-api-token").unwrap(), "key-9");
    assert!(requests[0].headers.get("authorization").is_none());
    assert!(requests[1].headers.get("authorization").is_none());
    assert!(requests[1].headers.get("x-api-token").is_none());
}

/// OAuth first, API keys too (Pipedrive): each credential travels in its own scheme.
static BOTH: ConnectorDescriptor = ConnectorDescriptor {
    id: "bothcrm",
    name: "Both CRM",
    auth: AuthKind::Oauth2,
    auth_scheme: AuthScheme::Bearer,
    api_key_scheme: Some(AuthScheme::Header("x-api-token")),
    base_url: "https://api.bothcrm.invalid",
    resources: &[],
    parse_error: parse_error_as_text,
    connector: &Dummy,
    emulator: None,
};

#[tokio::test]
async fn each_credential_kind_travels_in_its_own_scheme() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let client = |credentials| ProviderClient::builder(&BOTH).base_url(server.uri()).credentials(credentials).build();

    client(Credentials::bearer("oauth-1")).unwrap().get("/oauth", &[]).await.unwrap();
    client(Credentials::api_key("key-1")).unwrap().get("/key", &[]).await.unwrap();

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].headers.get("authorization").unwrap(), "Bearer oauth-1");
    assert!(requests[0].headers.get("x-api-token").is_none());
    assert_eq!(requests[1].headers.get("x-api-token").unwrap(), "key-1");
    assert!(requests[1].headers.get("authorization").is_none());

    // A provider that takes no API key refuses one before any call, and says which credential it wants.
    let refused = ProviderClient::builder(&DESCRIPTOR).credentials(Credentials::api_key("key-2")).build().unwrap_err();
    assert_eq!(refused.code(), "provider_auth_error");
    assert!(refused.message().contains("takes no API keys"), "{}", refused.message());
    assert!(!format!("{refused:?}").contains("key-2"));
}

// --- 2. Success and decoding --------------------------------------------------------------------------

#[derive(Debug, serde::Deserialize)]
struct Contact {
    id: String,
    email: String,
}

#[tokio::test]
async fn success_returns_the_body_and_decodes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/contacts/7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "7", "email": "a@b.co"})))
        .mount(&server)
        .await;

    let response = client(&server, fast()).get("/contacts/7", &[]).await.unwrap();
    assert!(response.is_success());
    let contact: Contact = response.json("testcrm").unwrap();
    assert_eq!((contact.id.as_str(), contact.email.as_str()), ("7", "a@b.co"));
}

#[tokio::test]
async fn a_body_that_does_not_match_the_wire_type_is_provider_unavailable() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/contacts/7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 7})))
        .mount(&server)
        .await;

    let response = client(&server, fast()).get("/contacts/7", &[]).await.unwrap();
    let error = response.json::<Contact>("testcrm").unwrap_err();
    assert_eq!(error.code(), "provider_unavailable");
    let failure = error.provider().unwrap();
    assert_eq!(failure.id, "testcrm");
    assert_eq!(failure.status, Some(200));
    assert_eq!(failure.body, Some(json!({"id": 7})));
    assert!(failure.message.starts_with("unexpected response body"), "{}", failure.message);
    assert_eq!(received(&server).await, 1);
}

// --- 3. Classification --------------------------------------------------------------------------------

/// Mounts `POST /status/<code>` answering `code` with `body`.
async fn mount_status(server: &MockServer, code: u16, body: ResponseTemplate) {
    Mock::given(method("POST")).and(path(format!("/status/{code}"))).respond_with(body).mount(server).await;
}

async fn post_status(client: &ProviderClient, code: u16) -> UnifiedError {
    client.post_json(&format!("/status/{code}"), &json!({})).await.unwrap_err()
}

#[tokio::test]
async fn client_errors_are_provider_validation_errors_with_status_and_json_body() {
    let server = MockServer::start().await;
    for code in [400, 409, 422] {
        let body = json!({"message": format!("bad request {code}"), "field": "email"});
        mount_status(&server, code, ResponseTemplate::new(code).set_body_json(body)).await;
    }
    let client = client(&server, fast());
    for code in [400, 409, 422] {
        let error = post_status(&client, code).await;
        assert_eq!(error.code(), "provider_validation_error", "{code}: {error:?}");
        let failure = error.provider().unwrap();
        assert_eq!(failure.id, "testcrm");
        assert_eq!(failure.status, Some(code));
        assert_eq!(failure.body, Some(json!({"message": format!("bad request {code}"), "field": "email"})));
        // parse_error_as_text: the body's text is the message.
        assert!(failure.message.contains(&format!("bad request {code}")), "{}", failure.message);
        assert!(!error.retryable());
    }
    assert_eq!(received(&server).await, 3, "client errors are never retried");
}

#[tokio::test]
async fn a_text_body_is_kept_as_a_json_string_and_an_empty_body_gets_a_status_message() {
    let server = MockServer::start().await;
    mount_status(&server, 400, ResponseTemplate::new(400).set_body_string("plain words")).await;
    mount_status(&server, 422, ResponseTemplate::new(422)).await;
    let client = client(&server, fast());

    let failure = post_status(&client, 400).await.provider().cloned().unwrap();
    assert_eq!(failure.body, Some(Value::String("plain words".into())));
    assert_eq!(failure.message, "plain words");

    let failure = post_status(&client, 422).await.provider().cloned().unwrap();
    assert_eq!(failure.body, None);
    assert_eq!(failure.message, "HTTP 422");
}

#[tokio::test]
async fn unauthorized_and_forbidden_are_provider_auth_errors() {
    let server = MockServer::start().await;
    for code in [401, 403] {
        mount_status(&server, code, ResponseTemplate::new(code).set_body_json(json!({"error": "nope"}))).await;
    }
    let client = client(&server, fast());
    for code in [401, 403] {
        let error = post_status(&client, code).await;
        assert_eq!(error.code(), "provider_auth_error", "{code}: {error:?}");
        assert_eq!(error.provider().unwrap().status, Some(code));
        assert_eq!(error.provider().unwrap().body, Some(json!({"error": "nope"})));
    }
    // GETs are not retried on auth errors either.
    Mock::given(method("GET")).and(path("/me")).respond_with(ResponseTemplate::new(401)).mount(&server).await;
    assert_eq!(client.get("/me", &[]).await.unwrap_err().code(), "provider_auth_error");
    assert_eq!(received(&server).await, 3);
}

#[tokio::test]
async fn server_errors_are_provider_unavailable() {
    let server = MockServer::start().await;
    for code in [500, 502, 503] {
        mount_status(&server, code, ResponseTemplate::new(code).set_body_string("upstream down")).await;
    }
    let client = client(&server, fast());
    for code in [500, 502, 503] {
        let error = post_status(&client, code).await;
        assert_eq!(error.code(), "provider_unavailable", "{code}: {error:?}");
        assert_eq!(error.provider().unwrap().status, Some(code));
        assert!(error.retryable());
    }
}

#[tokio::test]
async fn a_slow_provider_is_provider_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/slow"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .mount(&server)
        .await;

    let started = Instant::now();
    let error = impatient(&server, RetryPolicy::none()).get("/slow", &[]).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
    assert_eq!(error.code(), "provider_timeout");
    let failure = error.provider().unwrap();
    assert_eq!(failure.id, "testcrm");
    assert_eq!(failure.status, None);
    assert_eq!(received(&server).await, 1);
}

#[tokio::test]
async fn a_refused_connection_is_provider_unavailable_and_leaks_no_query() {
    let client = client_for(&DESCRIPTOR, &refused_base_url(), RetryPolicy::none());
    let error = client.get("/contacts", &[("hapikey", "sekret-key")]).await.unwrap_err();
    assert_eq!(error.code(), "provider_unavailable", "{error:?}");
    let failure = error.provider().unwrap();
    assert_eq!(failure.status, None);
    assert_eq!(failure.body, None);
    let text = format!("{error} {error:?}");
    assert!(!text.contains("sekret-key"), "{text}");
    assert!(!text.contains(TOKEN), "{text}");
}

// --- 4./5. Rate limits --------------------------------------------------------------------------------

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_and_retried_even_for_post() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/deals"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/deals"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "d1"})))
        .mount(&server)
        .await;

    let started = Instant::now();
    let response = client(&server, fast()).post_json("/deals", &json!({"name": "big"})).await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(response.status, 201);
    assert_eq!(response.body_value(), json!({"id": "d1"}));
    assert_eq!(received(&server).await, 3);
    assert!(elapsed >= Duration::from_secs(2), "Retry-After: 1 twice was not waited out: {elapsed:?}");
    assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");
}

#[tokio::test]
async fn a_429_past_max_tries_is_rate_limited_with_the_providers_wait() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0").set_body_json(json!({"x": 1})))
        .mount(&server)
        .await;

    let error = client(&server, fast()).post_json("/deals", &json!({})).await.unwrap_err();
    assert_eq!(error.code(), "rate_limited", "{error:?}");
    assert_eq!(error.retry_after(), Some(0), "the header's value, not the default");
    assert_eq!(error.provider().unwrap().status, Some(429));
    assert_eq!(error.provider().unwrap().body, Some(json!({"x": 1})));
    assert_eq!(received(&server).await, 3);
}

#[tokio::test]
async fn a_429_asking_for_more_than_max_wait_returns_at_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "60"))
        .mount(&server)
        .await;

    let started = Instant::now();
    let error = client(&server, fast()).get("/contacts", &[]).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
    assert_eq!(error.code(), "rate_limited");
    assert_eq!(error.retry_after(), Some(60));
    assert_eq!(received(&server).await, 1);
}

#[tokio::test]
async fn a_429_without_retry_after_reports_the_default_wait() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(429)).mount(&server).await;

    let policy = RetryPolicy { default_rate_limit_wait: Duration::from_secs(5), ..RetryPolicy::none() };
    let error = client(&server, policy).get("/contacts", &[]).await.unwrap_err();
    assert_eq!(error.code(), "rate_limited");
    assert_eq!(error.retry_after(), Some(5));
    assert_eq!(received(&server).await, 1);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let server = MockServer::start().await;
    let at = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
    Mock::given(method("GET"))
        .and(path("/soon"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", at.as_str()))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET")).and(path("/soon")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let far = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
    Mock::given(method("GET"))
        .and(path("/later"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", far.as_str()))
        .mount(&server)
        .await;
    let client = client(&server, fast());

    // A date ~2 s ahead (whole seconds, so 1-2 s from now): waited out, then retried.
    let started = Instant::now();
    let response = client.get("/soon", &[]).await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(response.status, 200);
    assert!(elapsed >= Duration::from_millis(900), "the HTTP-date was not waited for: {elapsed:?}");
    assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");
    assert_eq!(received(&server).await, 2);

    // A date 30 s ahead is past max_wait: returned at once, with the wait in seconds.
    let error = client.get("/later", &[]).await.unwrap_err();
    assert_eq!(error.code(), "rate_limited");
    let wait = error.retry_after().unwrap();
    assert!((28..=30).contains(&wait), "{wait}");
    assert_eq!(received(&server).await, 3);
}

// --- 6. Which failures are retried --------------------------------------------------------------------

#[tokio::test]
async fn a_post_answered_500_is_not_resent() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(500)).mount(&server).await;

    let error = client(&server, fast()).post_json("/contacts", &json!({"a": 1})).await.unwrap_err();
    assert_eq!(error.code(), "provider_unavailable");
    assert_eq!(error.provider().unwrap().status, Some(500));
    assert_eq!(received(&server).await, 1);
}

#[tokio::test]
async fn a_post_that_times_out_is_not_resent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_delay(Duration::from_secs(2)))
        .mount(&server)
        .await;

    let started = Instant::now();
    let error = impatient(&server, fast()).post_json("/contacts", &json!({"a": 1})).await.unwrap_err();
    assert_eq!(error.code(), "provider_timeout");
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
    assert_eq!(received(&server).await, 1);
}

#[tokio::test]
async fn a_post_to_a_refused_connection_is_not_retried() {
    let (seen, observer) = recording_observer();
    let client = ProviderClient::builder(&DESCRIPTOR)
        .base_url(refused_base_url())
        .credentials(Credentials::bearer(TOKEN))
        .policy(fast())
        .observer(observer)
        .build()
        .unwrap();
    let error = client.post_json("/contacts", &json!({})).await.unwrap_err();
    assert_eq!(error.code(), "provider_unavailable");
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_get_answered_503_then_200_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .mount(&server)
        .await;

    let response = client(&server, fast()).get("/contacts", &[("limit", "1")]).await.unwrap();
    assert_eq!(response.body_value(), json!({"ok": true}));
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].url.query(), Some("limit=1"), "the retry is the same request");
    assert_eq!(requests[1].headers.get("authorization").unwrap(), "Bearer tok-123");
}

#[tokio::test]
async fn a_get_that_keeps_failing_stops_at_max_tries() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(503)).mount(&server).await;

    let error = client(&server, fast()).get("/contacts", &[]).await.unwrap_err();
    assert_eq!(error.code(), "provider_unavailable");
    assert_eq!(error.provider().unwrap().status, Some(503));
    assert_eq!(received(&server).await, 3);
}

#[tokio::test]
async fn a_get_stops_when_the_backoff_would_pass_max_wait() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(502)).mount(&server).await;

    // Backoffs of 100 ms then 200 ms: the second would bring the total to 300 ms > 250 ms.
    let policy = RetryPolicy {
        max_tries: 10,
        max_wait: Duration::from_millis(250),
        default_rate_limit_wait: Duration::ZERO,
        backoff: Duration::from_millis(100),
    };
    let started = Instant::now();
    let error = client(&server, policy).get("/contacts", &[]).await.unwrap_err();
    assert_eq!(error.code(), "provider_unavailable");
    assert_eq!(received(&server).await, 2);
    assert!(started.elapsed() >= Duration::from_millis(100), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_get_that_times_out_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).mount(&server).await;

    let response = impatient(&server, fast()).get("/contacts", &[]).await.unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(received(&server).await, 2);
}

// --- 7. A connector's parse_error can turn a status into a rate limit ---------------------------------

const LIMIT_BODY: &str = r#"[{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"TotalRequests Limit exceeded."}]"#;

#[tokio::test]
async fn a_403_request_limit_exceeded_is_rate_limited() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/limited"))
        .respond_with(ResponseTemplate::new(403).set_body_string(LIMIT_BODY))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/forbidden"))
        .respond_with(ResponseTemplate::new(403).set_body_string(r#"[{"errorCode":"INSUFFICIENT_ACCESS"}]"#))
        .mount(&server)
        .await;
    let client = client_for(&LIMITED, &server.uri(), RetryPolicy::none());

    let error = client.post_json("/limited", &json!({})).await.unwrap_err();
    assert_eq!(error.code(), "rate_limited", "{error:?}");
    assert_eq!(error.retry_after(), Some(7), "no Retry-After header, so the body's hint");
    let failure = error.provider().unwrap();
    assert_eq!(failure.id, "limitcrm");
    assert_eq!(failure.status, Some(403));
    assert_eq!(failure.message, "request limit exceeded");
    assert_eq!(failure.body.as_ref().unwrap()[0]["errorCode"], "REQUEST_LIMIT_EXCEEDED");

    // Any other 403 is still an auth error.
    let error = client.post_json("/forbidden", &json!({})).await.unwrap_err();
    assert_eq!(error.code(), "provider_auth_error");
}

#[tokio::test]
async fn a_403_request_limit_exceeded_is_retried_like_a_429() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(403).set_body_string(LIMIT_BODY).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(201)).mount(&server).await;

    // The header (0 s) wins over the body's 7 s hint, so this is quick.
    let started = Instant::now();
    let response = client_for(&LIMITED, &server.uri(), fast()).post_json("/x", &json!({})).await.unwrap();
    assert_eq!(response.status, 201);
    assert_eq!(received(&server).await, 2);
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
}

// --- 8. RetryPolicy::none ----------------------------------------------------------------------------

#[tokio::test]
async fn policy_none_returns_a_429_at_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/contacts"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .mount(&server)
        .await;
    Mock::given(method("GET")).and(path("/down")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let client = client(&server, RetryPolicy::none());

    let error = client.get("/contacts", &[]).await.unwrap_err();
    assert_eq!(error.code(), "rate_limited");
    assert_eq!(error.retry_after(), Some(0));
    assert_eq!(received(&server).await, 1);

    let error = client.get("/down", &[]).await.unwrap_err();
    assert_eq!(error.code(), "provider_unavailable");
    assert_eq!(received(&server).await, 2);
}

// --- 9. The observer ---------------------------------------------------------------------------------

#[tokio::test]
async fn the_observer_sees_every_attempt_with_its_status() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(422)).mount(&server).await;

    let (seen, observer) = recording_observer();
    let client = ProviderClient::builder(&DESCRIPTOR)
        .base_url(server.uri())
        .credentials(Credentials::bearer(TOKEN))
        .policy(fast())
        .observer(observer)
        .build()
        .unwrap();
    client.get("/contacts", &[("q", "x")]).await.unwrap();
    client.post_json("/contacts", &json!({})).await.unwrap_err();

    let got = seen.lock().unwrap().clone();
    let row = |m: &str, status| ("testcrm".to_owned(), m.to_owned(), "/contacts".to_owned(), Some(status));
    assert_eq!(got, [row("GET", 503), row("GET", 503), row("GET", 200), row("POST", 422)]);
    assert_eq!(received(&server).await, 4);
}

#[tokio::test]
async fn the_observer_sees_failed_attempts_without_a_status() {
    let (seen, observer) = recording_observer();
    let client = ProviderClient::builder(&DESCRIPTOR)
        .base_url(refused_base_url())
        .policy(fast())
        .observer(observer)
        .build()
        .unwrap();
    let error = client.get("/contacts", &[]).await.unwrap_err();
    assert_eq!(error.code(), "provider_unavailable");
    let got = seen.lock().unwrap().clone();
    assert_eq!(got.len(), 3, "a GET to a refused connection is retried up to max_tries: {got:?}");
    assert!(got.iter().all(|(_, m, p, status)| m == "GET" && p == "/contacts" && status.is_none()), "{got:?}");
}

// --- 10. Secrets ------------------------------------------------------------------------------------

#[tokio::test]
async fn debug_output_never_shows_the_token() {
    let server = MockServer::start().await;
    let client = client(&server, fast());
    let text = format!("{client:?}");
    assert!(!text.contains(TOKEN), "{text}");
    assert!(text.contains("[REDACTED]"), "{text}");
    assert!(text.contains("testcrm"), "{text}");

    let builder = ProviderClient::builder(&DESCRIPTOR).credentials(Credentials::bearer(TOKEN));
    let text = format!("{builder:?}");
    assert!(!text.contains(TOKEN), "{text}");
}
