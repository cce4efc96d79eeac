//! The behaviour suite: one scenario list, run through the real server (over a socket, sandbox mode)
//! against every registered connector's emulator, filtered by what each connector declares. A new
//! connector gets it without writing a test: its descriptor's operations and example bodies are the input.
//!
//! - a record's life: create, get (the same record), update (the set field set, the cleared one null),
//!   get (the same record again), delete, get is 404, delete again is 404;
//! - list with `updatedSince` over at least 3 pages: every record created once, in (updatedAt, id) order;
//! - an operation a connector does not declare is 422 with no provider call, and an invalid body is 400
//!   with every problem at once and no provider call;
//! - a 429 then success; an expired token refreshed once.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use unified_core::{ConnectorDescriptor, Operation, ResourceKind, ResourceSupport, registry};
use unified_server::sandbox::Sandbox;
use unified_server::serve::serve_until_signal;
use unified_server::{AppState, ServerConfig};
use unified_store::Mode;

struct Server {
    base: String,
    key: String,
    sandbox: Arc<Sandbox>,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Server {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = unified_store::open(&format!("sqlite://{}", dir.path().join("u.db").display())).await.unwrap();
        let key = store.create_api_key("default", Mode::Test).await.unwrap().secret;
        let sandbox = Arc::new(Sandbox::start().await.unwrap());
        let state = AppState::new(Arc::clone(&store), ServerConfig::default()).with_sandbox(Arc::clone(&sandbox));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(serve_until_signal(listener, state, Duration::from_secs(1), std::future::pending()));
        Self { base, key, sandbox, http: reqwest::Client::new(), _dir: dir }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.key);
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    fn emulator(&self, provider: &str) -> String {
        self.sandbox.base_url(provider).unwrap_or_else(|| panic!("{provider} has an emulator")).to_owned()
    }

    async fn stats(&self, provider: &str) -> Value {
        let url = format!("{}/_emulator/stats", self.emulator(provider));
        self.http.get(url).send().await.unwrap().json().await.unwrap()
    }

    async fn fault(&self, provider: &str, fault: Value) {
        let url = format!("{}/_emulator/faults", self.emulator(provider));
        let response = self.http.post(url).json(&fault).send().await.unwrap();
        assert!(response.status().is_success(), "{provider}: the fault {fault} was refused");
    }
}

/// Every connector with an emulator (the suite's subjects).
fn subjects() -> Vec<&'static ConnectorDescriptor> {
    let all: Vec<_> = registry::all().into_iter().filter(|d| d.emulator.is_some()).collect();
    assert!(all.len() >= 3, "the registry lists the connectors: {:?}", all.iter().map(|d| d.id).collect::<Vec<_>>());
    all
}

/// The example body with `{n}` made unique.
fn example(text: &str, n: &str) -> Value {
    serde_json::from_str(&text.replace("{n}", n)).expect("the example is JSON")
}

fn unique() -> String {
    ulid::Ulid::generate().to_string().to_ascii_lowercase()
}

fn query(provider: &str, end_user: &str) -> String {
    format!("provider={provider}&endUserId={end_user}")
}

/// A record is the same when every key is: numbers compared as numbers (`2500` and `2500.0` agree).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same(v, w)),
        _ => a == b,
    }
}

fn created<'a>(what: &str, status: u16, body: &'a Value) -> &'a Value {
    assert_eq!(status, 201, "{what}: {body:#}");
    &body["data"]["data"]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_s_life_create_get_update_get_delete() {
    let server = Server::start().await;
    let mut exercised = 0;
    for descriptor in subjects() {
        for support in descriptor.resources.iter().filter(|s| s.supports(Operation::Create)) {
            exercised += life(&server, descriptor, support).await;
        }
    }
    assert!(exercised >= 5, "the suite exercised {exercised} resources beyond create");
}

/// One resource's life; returns 1 when it went beyond create.
async fn life(server: &Server, descriptor: &ConnectorDescriptor, support: &ResourceSupport) -> usize {
    let (provider, resource) = (descriptor.id, support.resource);
    let what = format!("{provider} {resource}");
    let end_user = format!("life-{}", unique());
    let q = query(provider, &end_user);
    let body = example(support.example.create, &unique());
    let (status, answer) = server.call(reqwest::Method::POST, &format!("/api/v1/{resource}?{q}"), Some(&body)).await;
    let record = created(&what, status, &answer).clone();
    let id = record["id"].as_str().unwrap_or_else(|| panic!("{what}: an id in {record}")).to_owned();
    assert_eq!(record["id"], record["remoteId"], "{what}");
    assert_timestamp(&what, &record["createdAt"]);
    assert_timestamp(&what, &record["updatedAt"]);
    let path = format!("/api/v1/{resource}/{}?{q}", urlencode(&id));
    if !support.supports(Operation::Get) {
        return 0;
    }
    let (status, got) = server.call(reqwest::Method::GET, &path, None).await;
    assert_eq!(status, 200, "{what} get: {got:#}");
    assert_eq!(got["message"], "OK");
    assert!(
        same(&got["data"]["data"], &record),
        "{what}: get answers the record create answered:\n{record:#}\n{:#}",
        got["data"]["data"]
    );

    if support.supports(Operation::Update) {
        let patch = example(support.example.update, &unique());
        let (status, updated) = server.call(reqwest::Method::PATCH, &path, Some(&patch)).await;
        assert_eq!(status, 200, "{what} update: {updated:#}");
        assert_eq!(updated["message"], "Updated");
        let after = &updated["data"]["data"];
        for (field, value) in patch.as_object().unwrap() {
            assert!(
                same(&after[field], value),
                "{what}: `{field}` is {} after an update that set {value}",
                after[field]
            );
        }
        let (status, again) = server.call(reqwest::Method::GET, &path, None).await;
        assert_eq!(status, 200, "{what} get after update: {again:#}");
        assert!(same(&again["data"]["data"], after), "{what}: get answers the record update answered");
        assert_ne!(after["updatedAt"], Value::Null, "{what}");
    }

    if support.supports(Operation::Delete) {
        let (status, deleted) = server.call(reqwest::Method::DELETE, &path, None).await;
        assert_eq!(status, 200, "{what} delete: {deleted:#}");
        assert_eq!(deleted["message"], "Deleted");
        assert_eq!(deleted["data"]["data"], json!({"id": id, "remoteId": id}), "{what}");
        let (status, gone) = server.call(reqwest::Method::GET, &path, None).await;
        assert_eq!(
            (status, gone["error"]["code"].as_str()),
            (404, Some("not_found")),
            "{what} get after delete: {gone:#}"
        );
        assert!(gone["error"]["provider"]["status"].is_number(), "{what}: the CRM's own status: {gone:#}");
        let (status, again) = server.call(reqwest::Method::DELETE, &path, None).await;
        assert_eq!(
            (status, again["error"]["code"].as_str()),
            (404, Some("not_found")),
            "{what} second delete: {again:#}"
        );
    }
    1
}

/// The contract's one timestamp form: RFC 3339, UTC, milliseconds.
fn assert_timestamp(what: &str, value: &Value) {
    let text = value.as_str().unwrap_or_else(|| panic!("{what}: a timestamp, not {value}"));
    let ok = text.len() == 24
        && text.ends_with('Z')
        && text.as_bytes()[19] == b'.'
        && chrono::DateTime::parse_from_rfc3339(text).is_ok();
    assert!(ok, "{what}: RFC 3339 UTC with milliseconds: {text}");
}

fn urlencode(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_with_updated_since_over_three_pages() {
    let server = Server::start().await;
    let mut listed = 0;
    for descriptor in subjects() {
        for support in
            descriptor.resources.iter().filter(|s| s.supports(Operation::Create) && s.supports(Operation::List))
        {
            list_since(&server, descriptor.id, support).await;
            listed += 1;
        }
    }
    assert!(listed >= 5, "the suite listed {listed} resources");
}

async fn list_since(server: &Server, provider: &str, support: &ResourceSupport) {
    let resource = support.resource;
    let what = format!("{provider} {resource}");
    let end_user = format!("list-{}", unique());
    let q = query(provider, &end_user);
    let since = chrono::Utc::now() - chrono::Duration::seconds(2);
    let mut ids = Vec::new();
    for _ in 0..5 {
        let body = example(support.example.create, &unique());
        let (status, answer) =
            server.call(reqwest::Method::POST, &format!("/api/v1/{resource}?{q}"), Some(&body)).await;
        ids.push(created(&what, status, &answer)["id"].as_str().unwrap().to_owned());
    }
    let since = since.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let first = format!("/api/v1/{resource}?{q}&limit=2&updatedSince={}", urlencode(&since));
    let (mut pages, mut seen, mut cursor) = (0, Vec::<(String, String)>::new(), None::<String>);
    loop {
        let path = match &cursor {
            None => first.clone(),
            Some(c) => format!("{first}&cursor={}", urlencode(c)),
        };
        let (status, page) = server.call(reqwest::Method::GET, &path, None).await;
        assert_eq!(status, 200, "{what} list page {pages}: {page:#}");
        pages += 1;
        let records = page["data"]["data"].as_array().unwrap_or_else(|| panic!("{what}: {page:#}"));
        assert!(records.len() <= 2, "{what}: a page holds at most `limit` records");
        for r in records {
            seen.push((r["updatedAt"].as_str().unwrap().to_owned(), r["id"].as_str().unwrap().to_owned()));
        }
        match page["data"]["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        assert!(pages < 50, "{what}: the list ends");
    }
    assert!(pages >= 3, "{what}: 5 records with limit 2 take at least 3 pages, took {pages}");
    for id in &ids {
        assert_eq!(seen.iter().filter(|(_, s)| s == id).count(), 1, "{what}: {id} listed exactly once in {seen:?}");
    }
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{what}: ascending updatedAt, then id: {seen:?}");
    // A cursor is bound to its query: another updatedSince makes it invalid, before any provider call.
    let other = format!("/api/v1/{resource}?{q}&limit=2&updatedSince=2020-01-01T00:00:00Z");
    if let Some(cursor) = first_cursor(server, &first).await {
        let (status, refused) =
            server.call(reqwest::Method::GET, &format!("{other}&cursor={}", urlencode(&cursor)), None).await;
        assert_eq!((status, refused["error"]["code"].as_str()), (400, Some("invalid_cursor")), "{what}: {refused:#}");
    }
}

async fn first_cursor(server: &Server, path: &str) -> Option<String> {
    let (_, page) = server.call(reqwest::Method::GET, path, None).await;
    page["data"]["nextCursor"].as_str().map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undeclared_operation_is_refused_without_a_provider_call() {
    let server = Server::start().await;
    let mut refused = 0;
    for descriptor in subjects() {
        let provider = descriptor.id;
        let q = query(provider, &format!("undeclared-{}", unique()));
        // Refused before the connection is even looked up: the emulator hears nothing.
        let before = server.stats(provider).await["totalRequests"].clone();
        for resource in ResourceKind::ALL {
            for operation in Operation::ALL.into_iter().filter(|op| !descriptor.supports_operation(resource, *op)) {
                let (status, body) = request(&server, resource, operation, &q).await;
                let expected =
                    if descriptor.supports(resource) { "unsupported_operation" } else { "unsupported_resource" };
                assert_eq!(
                    (status, body["error"]["code"].as_str()),
                    (422, Some(expected)),
                    "{provider} {operation} {resource}: {body:#}"
                );
                let message = body["message"].as_str().unwrap_or_default();
                assert!(message.contains(provider) && message.contains(resource.as_str()), "{message}");
                refused += 1;
            }
        }
        assert_eq!(server.stats(provider).await["totalRequests"], before, "{provider}: no provider call was made");
    }
    assert!(refused > 0, "some connector lacks some operation (Salesforce and Pipedrive create only, for now)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_body_is_refused_with_every_problem_and_no_provider_call() {
    let server = Server::start().await;
    for descriptor in subjects() {
        let provider = descriptor.id;
        let before = server.stats(provider).await["totalRequests"].clone();
        for support in descriptor.resources.iter().filter(|s| s.supports(Operation::Create)) {
            let resource = support.resource;
            let q = query(provider, &format!("invalid-{}", unique()));
            let mut body = example(support.example.create, &unique());
            body["ownerId"] = json!("");
            body["nickname"] = json!("x");
            let (status, refused) =
                server.call(reqwest::Method::POST, &format!("/api/v1/{resource}?{q}"), Some(&body)).await;
            assert_eq!(
                (status, refused["error"]["code"].as_str()),
                (400, Some("validation_error")),
                "{provider} {resource}: {refused:#}"
            );
            let fields: Vec<&str> =
                refused["error"]["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
            assert!(
                fields.contains(&"nickname") && fields.contains(&"ownerId"),
                "{provider} {resource}: every problem at once: {fields:?}"
            );
        }
        assert_eq!(server.stats(provider).await["totalRequests"], before, "{provider}: no provider call was made");
    }
}

/// A well-formed call of `operation` on `resource`.
async fn request(server: &Server, resource: ResourceKind, operation: Operation, q: &str) -> (u16, Value) {
    let one = format!("/api/v1/{resource}/1?{q}");
    let all = format!("/api/v1/{resource}?{q}");
    match operation {
        Operation::Create => server.call(reqwest::Method::POST, &all, Some(&json!({"name": "x"}))).await,
        Operation::Get => server.call(reqwest::Method::GET, &one, None).await,
        Operation::List => server.call(reqwest::Method::GET, &all, None).await,
        Operation::Update => server.call(reqwest::Method::PATCH, &one, Some(&json!({"ownerId": "1"}))).await,
        Operation::Delete => server.call(reqwest::Method::DELETE, &one, None).await,
    }
}

/// The first resource a connector creates, and its example body.
fn creatable(descriptor: &ConnectorDescriptor) -> &ResourceSupport {
    descriptor.resources.iter().find(|s| s.supports(Operation::Create)).expect("every connector creates something")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_then_success() {
    let server = Server::start().await;
    for descriptor in subjects() {
        let (provider, support) = (descriptor.id, creatable(descriptor));
        let q = query(provider, &format!("limited-{}", unique()));
        let before = server.stats(provider).await["faultsServed"].as_u64().unwrap_or(0);
        server.fault(provider, json!({"kind": "rate_limit", "count": 1, "retryAfter": 1})).await;
        let body = example(support.example.create, &unique());
        let (status, answer) =
            server.call(reqwest::Method::POST, &format!("/api/v1/{}?{q}", support.resource), Some(&body)).await;
        created(&format!("{provider} after a 429"), status, &answer);
        // The provider's own rate-limit answer (HubSpot's and Pipedrive's 429, Salesforce's 403
        // REQUEST_LIMIT_EXCEEDED) was served once, then the call went through.
        let after = server.stats(provider).await["faultsServed"].as_u64().unwrap_or(0);
        assert_eq!(after, before + 1, "{provider}: one rate-limit answer, then the create");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_is_refreshed_once() {
    let server = Server::start().await;
    for descriptor in subjects() {
        let (provider, support) = (descriptor.id, creatable(descriptor));
        let q = query(provider, &format!("expired-{}", unique()));
        let path = format!("/api/v1/{}?{q}", support.resource);
        // The first call makes the sandbox connection and uses its token.
        let (status, answer) =
            server.call(reqwest::Method::POST, &path, Some(&example(support.example.create, &unique()))).await;
        created(&format!("{provider} first"), status, &answer);
        let before = server.stats(provider).await["tokenRefreshes"].as_u64().unwrap_or(0);
        server.fault(provider, json!({"kind": "expire_token"})).await;
        for round in 0..2 {
            let (status, answer) =
                server.call(reqwest::Method::POST, &path, Some(&example(support.example.create, &unique()))).await;
            created(&format!("{provider} after the token expired ({round})"), status, &answer);
        }
        let after = server.stats(provider).await["tokenRefreshes"].as_u64().unwrap_or(0);
        assert_eq!(after, before + 1, "{provider}: one refresh, then the new token is used");
    }
}
