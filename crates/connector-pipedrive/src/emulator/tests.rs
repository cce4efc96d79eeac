//! The emulator over real HTTP: records, validation, searches, OAuth, faults, the control plane, and the
//! Pipedrive connector itself running against it (its cache, its rate-limit handling, both auth forms).

use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap};
use serde_json::{Value, json};
use unified_core::transport::{Credentials, ProviderClient};
use unified_core::{Call, ResourceKind, UnifiedRecord};

use super::Emulator;

const TOKEN: &str = "sandbox-tests";
const JOHN: u64 = 13_374_021;

struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Value,
}

struct Harness {
    emulator: Emulator,
    http: reqwest::Client,
}

impl Harness {
    async fn start() -> Self {
        Self { emulator: Emulator::start().await.unwrap(), http: reqwest::Client::new() }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        Answer { status, headers, body }
    }

    async fn post(&self, path: &str, body: &Value) -> Answer {
        self.send(self.http.post(self.emulator.url(path)).bearer_auth(TOKEN).json(body)).await
    }

    async fn get(&self, path: &str) -> Answer {
        self.send(self.http.get(self.emulator.url(path)).bearer_auth(TOKEN)).await
    }

    async fn control(&self, path: &str, body: &Value) -> Answer {
        self.send(self.http.post(self.emulator.url(&format!("/_emulator{path}"))).json(body)).await
    }

    async fn control_get(&self, path: &str) -> Value {
        self.send(self.http.get(self.emulator.url(&format!("/_emulator{path}")))).await.body
    }

    async fn token(&self, form: &str, basic: bool) -> Answer {
        let mut request = self
            .http
            .post(self.emulator.url("/oauth/token"))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form.to_owned());
        if basic {
            request = request.header(AUTHORIZATION, "Basic Y2xpZW50OnNlY3JldA==");
        }
        self.send(request).await
    }

    fn client(&self, credentials: Credentials) -> ProviderClient {
        ProviderClient::builder(&crate::DESCRIPTOR)
            .base_url(self.emulator.base_url())
            .credentials(credentials)
            .build()
            .unwrap()
    }
}

fn is_v2_timestamp(value: &Value) -> bool {
    let text = value.as_str().unwrap_or_default();
    text.len() == 20 && text.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

#[tokio::test]
async fn persons_are_created_read_and_deleted_in_pipedrives_format() {
    let h = Harness::start().await;
    let created = h
        .post(
            "/api/v2/persons",
            &json!({"name": "Aiko Tanaka", "emails": [{"value": "aiko@kumo.jp"}],
                    "custom_fields": {"9c2e4f6a8b1d3e5f7a9c0b2d4e6f8a1c3e5b7d9f": 85}}),
        )
        .await;
    assert_eq!(created.status, 200, "v2 creates answer 200: {}", created.body);
    assert_eq!(created.headers[CONTENT_TYPE], "application/json; charset=utf-8");
    let person = &created.body["data"];
    assert_eq!(created.body["success"], true);
    assert_eq!(person["id"], 5821);
    assert_eq!((person["first_name"].as_str(), person["last_name"].as_str()), (Some("Aiko"), Some("Tanaka")));
    assert_eq!(person["owner_id"], JOHN, "the token's user owns it");
    assert_eq!(person["emails"][0], json!({"value": "aiko@kumo.jp", "primary": true, "label": "work"}));
    assert!(is_v2_timestamp(&person["add_time"]) && person["add_time"] == person["update_time"]);
    assert_eq!(person["visible_to"], 3);

    let read = h.get("/api/v2/persons/5821").await;
    assert_eq!((read.status, &read.body["data"]), (200, person));
    let deleted = h.send(h.http.delete(h.emulator.url("/api/v2/persons/5821")).bearer_auth(TOKEN)).await;
    assert_eq!((deleted.status, &deleted.body["data"]), (200, &json!({"id": 5821})));
    let gone = h.get("/api/v2/persons/5821").await;
    assert_eq!((gone.status, gone.body["error"].as_str()), (404, Some("Person not found")));
    assert_eq!(gone.body["error_info"], "Please check developers.pipedrive.com");
    assert_eq!(h.get("/api/v2/persons/abc").await.status, 400);
    let records = h.control_get("/records?deleted=true").await;
    assert_eq!(records["persons"][0]["is_deleted"], true);
}

#[tokio::test]
async fn v2_validation_is_strict_and_reports_every_problem() {
    let h = Harness::start().await;
    let bad = h
        .post(
            "/api/v2/persons",
            &json!({"first_name": "Aiko", "owner_id": "13374021", "org_id": 77,
                    "custom_fields": {"ffffffffffffffffffffffffffffffffffffffff": 1}, "nickname": "A"}),
        )
        .await;
    assert_eq!(bad.status, 400);
    let message = bad.body["error"].as_str().unwrap();
    assert!(message.starts_with("Validation failed: "), "{message}");
    for field in ["nickname", "name", "owner_id", "org_id", "custom_fields.ffff"] {
        assert!(message.contains(field), "{field} in {message}");
    }
    let deal = h.post("/api/v2/deals", &json!({"title": "D", "value": "100", "stage_id": 6, "pipeline_id": 1})).await;
    assert_eq!(deal.status, 400);
    let message = deal.body["error"].as_str().unwrap();
    assert!(message.contains("value: must be a number") && message.contains("Stage 6 does not belong to pipeline 1"));
    let activity = h
        .post("/api/v2/activities", &json!({"subject": "S", "type": "meeting", "person_id": 1, "due_time": "25:00"}))
        .await;
    assert!(activity.body["error"].as_str().unwrap().contains("person_id: is read-only"));
    let lead = h.post("/api/v1/leads", &json!({"title": "L"})).await;
    assert_eq!(lead.status, 400);
    assert!(lead.body["error"].as_str().unwrap().contains("linked to a person or an organization"));
    let empty = h.send(h.http.post(h.emulator.url("/api/v2/deals")).bearer_auth(TOKEN).body("{")).await;
    assert_eq!(empty.status, 400);
}

#[tokio::test]
async fn deals_activities_and_leads() {
    let h = Harness::start().await;
    let org = h.post("/api/v2/organizations", &json!({"name": "Kumo Robotics"})).await;
    assert_eq!(org.body["data"]["id"], 2210);
    let person = h.post("/api/v2/persons", &json!({"name": "Aiko Tanaka", "org_id": 2210})).await;
    let deal = h
        .post("/api/v2/deals", &json!({"title": "AMR fleet", "value": 48000, "currency": "JPY", "stage_id": 3,
            "person_id": 5821, "org_id": 2210, "label_ids": [11], "custom_fields": {"d4de1c1518b4531717c676029a45911c340390a6": {"value": 500, "currency": "EUR"}}}))
        .await;
    assert_eq!(deal.status, 200, "{}", deal.body);
    let data = &deal.body["data"];
    assert_eq!(
        (data["id"].as_u64(), data["pipeline_id"].as_u64(), data["status"].as_str()),
        (Some(9812), Some(1), Some("open"))
    );
    assert_eq!(data["origin"], "API");
    let activity = h
        .post(
            "/api/v2/activities",
            &json!({"subject": "Discovery call", "type": "meeting", "deal_id": 9812,
            "due_date": "2026-06-02", "due_time": "04:00", "duration": "00:45",
            "participants": [{"person_id": 5821, "primary": true}],
            "attendees": [{"email": "john.smith@acme.com", "name": "John"}]}),
        )
        .await;
    assert_eq!(activity.status, 200, "{}", activity.body);
    let id = activity.body["data"]["id"].as_u64().unwrap();
    assert_eq!(activity.body["data"]["person_id"], 5821, "the primary participant sets it");
    assert!(activity.body["data"].get("attendees").is_none(), "attendees only when asked for");
    let with = h.get(&format!("/api/v2/activities/{id}?include_fields=attendees")).await;
    assert_eq!(with.body["data"]["attendees"][0]["user_id"], JOHN);
    let lead = h
        .post(
            "/api/v1/leads",
            &json!({"title": "Kumo – fleet", "person_id": 5821, "value": {"amount": 48000, "currency": "EUR"},
            "label_ids": ["f2d0a1b4-3c5e-4f6a-8b7c-9d0e1f2a3b4c"], "f71e507373d14e99dc78c9cb59dbbd7983f1f059": "APAC"}),
        )
        .await;
    assert_eq!(lead.status, 201, "v1 creates answer 201: {}", lead.body);
    let lead_id = lead.body["data"]["id"].as_str().unwrap().to_owned();
    assert!(unified_emulator::random::is_uuid(&lead_id));
    assert_eq!(lead.body["data"]["f71e507373d14e99dc78c9cb59dbbd7983f1f059"], "APAC");
    assert_eq!(lead.body["data"]["visible_to"], "3", "v1 says visibility as a string");
    assert!(lead.body["data"]["add_time"].as_str().unwrap().ends_with('Z'));
    assert_eq!(h.get(&format!("/api/v1/leads/{lead_id}")).await.body["data"]["title"], "Kumo – fleet");
    assert_eq!(person.status, 200);
}

#[tokio::test]
async fn searches_match_whole_values_when_exact() {
    let h = Harness::start().await;
    h.post("/api/v2/organizations", &json!({"name": "Acme Corp"})).await;
    h.post("/api/v2/organizations", &json!({"name": "Acme Corporation"})).await;
    h.post("/api/v2/persons", &json!({"name": "Jane Doe", "emails": [{"value": "Jane.Doe@example.com"}]})).await;
    let exact = h.get("/api/v2/organizations/search?term=acme%20corp&fields=name&exact_match=true").await;
    let items = exact.body["data"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["item"]["name"], "Acme Corp");
    assert_eq!(items[0]["item"]["type"], "organization");
    let partial = h.get("/api/v2/organizations/search?term=Acme&fields=name").await;
    assert_eq!(partial.body["data"]["items"].as_array().map(Vec::len), Some(2));
    let person = h.get("/api/v2/persons/search?term=jane.doe%40example.com&fields=email&exact_match=true").await;
    assert_eq!(person.body["data"]["items"][0]["item"]["emails"], json!(["Jane.Doe@example.com"]));
    assert_eq!(h.get("/api/v2/persons/search?term=j").await.status, 400, "2 characters at least");
}

#[tokio::test]
async fn seeded_users_fields_and_labels() {
    let h = Harness::start().await;
    let john = h.get("/api/v1/users/13374021").await;
    assert_eq!(
        (john.body["data"]["name"].as_str(), john.body["data"]["email"].as_str()),
        (Some("John Smith"), Some("john.smith@acme.com"))
    );
    assert_eq!(john.body["data"]["created"], "2024-03-11 08:12:40", "v1 timestamps");
    assert_eq!(john.body["data"]["is_you"], true);
    assert_eq!(h.get("/api/v1/users/99").await.status, 404);
    let me = h.get("/api/v1/users/me").await;
    assert_eq!(me.body["data"]["company_domain"], "northwind-demo");
    let first = h.get("/api/v2/personFields?limit=10").await;
    assert_eq!(first.body["data"].as_array().map(Vec::len), Some(10));
    let cursor = first.body["additional_data"]["next_cursor"].as_str().unwrap().to_owned();
    let rest = h.get(&format!("/api/v2/personFields?limit=500&cursor={cursor}")).await;
    assert!(rest.body["additional_data"]["next_cursor"].is_null());
    let custom: Vec<&Value> =
        rest.body["data"].as_array().unwrap().iter().filter(|f| f["is_custom_field"] == true).collect();
    assert!(custom.iter().all(|f| f["field_code"].as_str().is_some_and(|k| k.len() == 40)));
    let labels = h.get("/api/v1/leadLabels").await;
    assert_eq!(labels.body["data"][0]["name"], "Hot");
}

#[tokio::test]
async fn oauth_tokens_carry_the_api_domain_and_expire() {
    let h = Harness::start().await;
    let issued = h.token("grant_type=refresh_token&refresh_token=sandbox-refresh-1", true).await;
    assert_eq!(issued.status, 200, "{}", issued.body);
    assert_eq!(issued.body["api_domain"], h.emulator.base_url());
    assert_eq!((issued.body["expires_in"].as_i64(), issued.body["token_type"].as_str()), (Some(3599), Some("Bearer")));
    assert_eq!(issued.body["refresh_token"], "sandbox-refresh-1");
    let access = issued.body["access_token"].as_str().unwrap().to_owned();
    let ok = h.send(h.http.get(h.emulator.url("/api/v1/users/me")).bearer_auth(&access)).await;
    assert_eq!(ok.status, 200);
    h.control("/clock", &json!({"advanceSeconds": 3600})).await;
    let expired = h.send(h.http.get(h.emulator.url("/api/v1/users/me")).bearer_auth(&access)).await;
    assert_eq!((expired.status, expired.body["error"].as_str()), (401, Some("unauthorized access")));
    assert_eq!(expired.body["errorCode"], 401);

    let code = h.token("grant_type=authorization_code&code=abc&redirect_uri=https%3A%2F%2Fx", true).await;
    assert_eq!(code.status, 200);
    let refresh = code.body["refresh_token"].as_str().unwrap();
    let again = h.token(&format!("grant_type=refresh_token&refresh_token={refresh}"), true).await;
    assert_eq!(again.status, 200, "an issued refresh token works");
    assert_eq!(h.token("grant_type=authorization_code&code=abc", true).await.status, 400, "a code works once");
    let unknown = h.token("grant_type=refresh_token&refresh_token=nope", true).await;
    assert_eq!((unknown.status, unknown.body["error"].as_str()), (400, Some("invalid_grant")));
    let no_client = h.token("grant_type=refresh_token&refresh_token=sandbox-r", false).await;
    assert_eq!((no_client.status, no_client.body["error"].as_str()), (401, Some("invalid_client")));
    let form_client =
        h.token("grant_type=refresh_token&refresh_token=sandbox-r&client_id=c&client_secret=s", false).await;
    assert_eq!(form_client.status, 200);
    let stats = h.control_get("/stats").await;
    assert_eq!((stats["tokenRefreshes"].as_u64(), stats["tokensIssued"].as_u64()), (Some(3), Some(4)));
}

#[tokio::test]
async fn api_tokens_sandbox_tokens_and_unknown_tokens() {
    let h = Harness::start().await;
    let api = h.send(h.http.get(h.emulator.url("/api/v1/users/me")).header("x-api-token", "sandbox-key")).await;
    assert_eq!(api.status, 200);
    for request in [
        h.http.get(h.emulator.url("/api/v1/users/me")).bearer_auth("4c1e2f7a93b04d558a2e6f0d1b7c9e21e0a2b6c1"),
        h.http
            .get(h.emulator.url("/api/v1/users/me"))
            .header("x-api-token", "659c9fddb16335e48cc67114694b52074e812e03"),
        h.http.get(h.emulator.url("/api/v1/users/me")),
    ] {
        let refused = h.send(request).await;
        assert_eq!(refused.status, 401);
        assert!(refused.headers.contains_key("x-ratelimit-remaining"));
    }
    h.get("/api/v1/users/me").await;
    let fault = h.control("/faults", &json!({"kind": "expire_token"})).await;
    assert_eq!(fault.body["expiredTokens"], 1);
    assert_eq!(h.get("/api/v1/users/me").await.status, 401, "expired until a refresh");
    let api = h.send(h.http.get(h.emulator.url("/api/v1/users/me")).header("x-api-token", "sandbox-key")).await;
    assert_eq!(api.status, 200, "API tokens do not expire");
}

#[tokio::test]
async fn rate_limit_faults_burst_and_daily() {
    let h = Harness::start().await;
    let ok = h.get("/api/v1/users/me").await;
    assert_eq!(ok.headers["x-ratelimit-limit"], "160");
    assert_eq!(ok.headers["x-ratelimit-reset"], "2");
    assert_eq!(ok.headers["x-daily-ratelimit-token-limit"], "300000");
    assert_eq!(ok.headers["x-daily-ratelimit-token-remaining"], "299998", "a v1 get costs 2");
    h.control("/faults", &json!({"kind": "rate_limit", "retryAfter": 3})).await;
    h.control("/faults", &json!({"kind": "rate_limit", "scope": "daily"})).await;
    assert_eq!(h.control_get("/records").await["persons"], json!([]), "the control plane is never faulted");
    let burst = h.get("/api/v1/users/me").await;
    assert_eq!((burst.status, burst.body["error"].as_str()), (429, Some("Request over limit")));
    assert_eq!(burst.body["errorCode"], 429);
    assert_eq!(burst.headers["x-ratelimit-remaining"], "0");
    assert_eq!(burst.headers["retry-after"], "3");
    assert_ne!(burst.headers["x-daily-ratelimit-token-remaining"], "0");
    let daily = h.get("/api/v1/users/me").await;
    assert_eq!((daily.status, daily.body["error"].as_str()), (429, Some("Daily API token budget exceeded")));
    assert_eq!(daily.headers["x-daily-ratelimit-token-remaining"], "0");
    assert_eq!(h.get("/api/v1/users/me").await.status, 200);
    let stats = h.control_get("/stats").await;
    assert_eq!((stats["faultsServed"].as_u64(), stats["responses"]["429"].as_u64()), (Some(2), Some(2)));
}

#[tokio::test]
async fn server_error_and_slow_faults() {
    let h = Harness::start().await;
    h.control("/faults", &json!({"kind": "server_error"})).await;
    h.control("/faults", &json!({"kind": "server_error", "status": 500})).await;
    let unavailable = h.get("/api/v1/users/me").await;
    assert_eq!((unavailable.status, unavailable.headers[CONTENT_TYPE].to_str().unwrap()), (503, "text/html"));
    let internal = h.get("/api/v1/users/me").await;
    assert_eq!((internal.status, internal.body["error"].as_str()), (500, Some("Internal server error")));
    h.control("/faults", &json!({"kind": "slow", "delayMs": 300})).await;
    let started = Instant::now();
    assert_eq!(h.get("/api/v1/users/me").await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(h.control("/faults", &json!({"kind": "explode"})).await.status, 400);
    assert_eq!(h.send(h.http.delete(h.emulator.url("/_emulator/faults"))).await.status, 204);
}

#[tokio::test]
async fn seeding_stats_reset_and_unknown_paths() {
    let h = Harness::start().await;
    let seeded = h
        .control(
            "/records/persons",
            &json!({"id": 7001, "name": "María López", "add_time": "2026-05-14T09:31:02Z",
            "emails": [{"value": "maria@northwind.es", "primary": true, "label": "work"}]}),
        )
        .await;
    assert_eq!(seeded.status, 201, "{}", seeded.body);
    assert_eq!(seeded.body["add_time"], "2026-05-14T09:31:02Z");
    assert_eq!(h.control("/records/persons", &json!({"id": 7001, "name": "X"})).await.status, 409);
    assert_eq!(h.control("/records/leads", &json!({"id": 7, "title": "L"})).await.status, 400, "lead ids are UUIDs");
    assert_eq!(h.control("/records/widgets", &json!({})).await.status, 404);
    let found = h.get("/api/v2/persons/search?term=maria%40northwind.es&fields=email&exact_match=true").await;
    assert_eq!(found.body["data"]["items"][0]["item"]["id"], 7001);
    let stats = h.control_get("/stats").await;
    assert_eq!(stats["requests"]["GET /api/v2/persons/search"], 1);
    assert_eq!(stats["totalRequests"], 1, "control calls are not counted");
    assert_eq!(stats["tokensSpent"], 20, "a search costs 20");
    assert_eq!(h.control("/reset", &json!({})).await.status, 204);
    assert_eq!(h.control_get("/records/persons").await, json!([]));
    let unknown = h.get("/api/v2/widgets").await;
    assert_eq!((unknown.status, unknown.body["error"].as_str()), (404, Some("Unknown method .")));
    let index = h.control_get("/").await;
    assert_eq!(index["customFields"]["persons"]["Loyalty score"]["key"], "9c2e4f6a8b1d3e5f7a9c0b2d4e6f8a1c3e5b7d9f");
    assert_eq!(h.send(h.http.get(h.emulator.url("/_emulator/nope"))).await.status, 404);
}

#[tokio::test]
async fn serve_runs_on_a_std_listener() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api/v1/users/13374021", listener.local_addr().unwrap());
    let server = tokio::spawn(super::serve(listener));
    let answer = reqwest::Client::new().get(url).bearer_auth(TOKEN).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    server.abort();
}

async fn create(
    client: &ProviderClient,
    connection: &str,
    resource: ResourceKind,
    body: &str,
) -> unified_core::Created {
    create_with(client, connection, resource, body, &unified_core::connector::Settings::new()).await.unwrap()
}

async fn create_with(
    client: &ProviderClient,
    connection: &str,
    resource: ResourceKind,
    body: &str,
    settings: &unified_core::connector::Settings,
) -> Result<unified_core::Created, unified_core::UnifiedError> {
    let call = Call { client, settings, include_remote_data: false, connection_id: connection };
    unified_core::pipeline::create_from_json(&crate::DESCRIPTOR, call, resource, body.as_bytes()).await
}

/// The connector, unchanged, against the emulator: the sandbox path end to end.
#[tokio::test]
async fn the_connector_creates_every_resource_through_the_emulator() {
    let h = Harness::start().await;
    let client = h.client(Credentials::bearer("sandbox-connector"));
    let contact =
        r#"{"firstName":"Jane","lastName":"Doe","email":"jane@acme.com","company":"Acme Corp","ownerId":"13374021"}"#;
    let created = create(&client, "e2e", ResourceKind::Contact, contact).await;
    assert_eq!(created.warnings[0].field, "company", "the organization was created");
    let second =
        create(&client, "e2e", ResourceKind::Contact, r#"{"email":"tom@acme.com","company":"acme corp"}"#).await;
    let UnifiedRecord::Contact(tom) = second.record else { panic!("a contact") };
    assert_eq!(tom.company.as_deref(), Some("Acme Corp"), "found by name, as Pipedrive spells it");
    assert!(second.warnings.iter().all(|w| w.field != "company"));

    let lead = r#"{"firstName":"Jane","lastName":"Doe","email":"jane@acme.com","company":"Acme Corp"}"#;
    let created = create(&client, "e2e", ResourceKind::Lead, lead).await;
    assert!(created.warnings.iter().any(|w| w.field == "email"), "Jane was reused: {:?}", created.warnings);
    let UnifiedRecord::Lead(lead) = created.record else { panic!("a lead") };
    assert_eq!(lead.owner_name.as_deref(), Some("John Smith"));

    let deal = r#"{"name":"Acme fleet","amount":48000,"currency":"EUR","stage":"2","contactIds":["5821"],"closeDate":"2026-12-31"}"#;
    let UnifiedRecord::Deal(deal) = create(&client, "e2e", ResourceKind::Deal, deal).await.record else { panic!() };
    assert_eq!((deal.stage.as_deref(), deal.pipeline.as_deref()), (Some("2"), Some("1")));
    let meeting = format!(
        r#"{{"title":"Call","startTime":"2026-06-02T15:00:00+02:00","endTime":"2026-06-02T16:30:00+02:00","dealId":"{}","contactIds":["5821"]}}"#,
        deal.id
    );
    let UnifiedRecord::Meeting(meeting) = create(&client, "e2e", ResourceKind::Meeting, &meeting).await.record else {
        panic!()
    };
    assert_eq!(meeting.end_time.unwrap().to_string(), "2026-06-02T14:30:00.000Z");
    let records = h.control_get("/records").await;
    assert_eq!(records["activities"][0]["duration"], "01:30");
    assert_eq!(records["persons"].as_array().map(Vec::len), Some(2));
    assert_eq!(records["organizations"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn the_field_schema_is_read_once_per_connection_and_re_read_for_a_new_field() {
    let h = Harness::start().await;
    let client = h.client(Credentials::bearer("sandbox-cache"));
    let connection = "cache-e2e";
    let body = r#"{"lastName":"Doe","customFields":{"Loyalty score":5}}"#;
    create(&client, connection, ResourceKind::Contact, body).await;
    create(&client, connection, ResourceKind::Contact, body).await;
    let stats = h.control_get("/stats").await;
    assert_eq!(stats["requests"]["GET /api/v2/personFields"], 1, "the second create used the cached schema");

    // A name the cached schema lacks is re-read only once the schema is older than MIN_REFRESH: the
    // unknown name is a 400 naming it, with no create.
    let unknown = r#"{"lastName":"Doe","customFields":{"Shoe size":42}}"#;
    let error =
        create_with(&client, connection, ResourceKind::Contact, unknown, &Default::default()).await.unwrap_err();
    assert_eq!(error.code(), "validation_error");
    assert_eq!(error.details()[0].field, "customFields.Shoe size");
    assert_eq!(h.control_get("/stats").await["requests"]["POST /api/v2/persons"], 2);

    // Another emulator under the same connection id is another base URL: its own entry.
    let other = Harness::start().await;
    let other_client = other.client(Credentials::bearer("sandbox-cache"));
    create(&other_client, connection, ResourceKind::Contact, body).await;
    assert_eq!(other.control_get("/stats").await["requests"]["GET /api/v2/personFields"], 1);
}

#[tokio::test]
async fn a_spent_daily_budget_is_not_retried_and_says_when_it_resets() {
    let h = Harness::start().await;
    let client = h.client(Credentials::bearer("sandbox-budget"));
    // One daily 429 only: a retry would succeed, so the error proves there was none.
    h.control("/faults", &json!({"kind": "rate_limit", "scope": "daily"})).await;
    let error = create_with(&client, "budget", ResourceKind::Contact, r#"{"email":"a@b.co"}"#, &Default::default())
        .await
        .unwrap_err();
    assert_eq!(error.code(), "rate_limited");
    let wait = error.retry_after().unwrap();
    assert!((1..=86_400).contains(&wait), "until midnight UTC: {wait}");
    let stats = h.control_get("/stats").await;
    assert_eq!(stats["requests"]["POST /api/v2/persons"], 1, "no retry into a spent budget");

    // A burst is retried after the 2-second window.
    h.control("/faults", &json!({"kind": "rate_limit", "count": 1})).await;
    let started = Instant::now();
    create(&client, "budget", ResourceKind::Contact, r#"{"email":"b@b.co"}"#).await;
    assert!(started.elapsed() >= Duration::from_secs(2));
}

#[tokio::test]
async fn oauth_api_domain_and_api_tokens_both_reach_the_company() {
    let h = Harness::start().await;
    let issued = h.token("grant_type=refresh_token&refresh_token=sandbox-refresh-x", true).await;
    let api_domain = issued.body["api_domain"].as_str().unwrap();
    let access = issued.body["access_token"].as_str().unwrap();
    let oauth = ProviderClient::builder(&crate::DESCRIPTOR)
        .base_url(api_domain)
        .credentials(Credentials::bearer(access))
        .build()
        .unwrap();
    let created = create(&oauth, "oauth", ResourceKind::Deal, r#"{"name":"Via OAuth"}"#).await;
    assert_eq!(created.record.id(), "9812");
    // The descriptor sends every credential as a bearer token (one scheme per connector); an API token
    // reaches the emulator only because it accepts `sandbox-` tokens either way. See the README.
    let api = h.client(Credentials::api_key("sandbox-api-token"));
    assert_eq!(create(&api, "api", ResourceKind::Deal, r#"{"name":"Via API token"}"#).await.record.id(), "9813");
}

#[tokio::test]
async fn a_refused_person_rolls_back_the_organization_it_made() {
    let h = Harness::start().await;
    let client = h.client(Credentials::bearer("sandbox-rollback"));
    // The search and the organization go through; the person is refused three times (the retry budget).
    h.control("/faults", &json!({"kind": "slow", "count": 2, "delayMs": 0})).await;
    h.control("/faults", &json!({"kind": "rate_limit", "count": 3})).await;
    let body = r#"{"lastName":"Doe","company":"Brand New GmbH"}"#;
    let error = create_with(&client, "rollback", ResourceKind::Contact, body, &Default::default()).await.unwrap_err();
    assert_eq!(error.code(), "rate_limited");
    let records = h.control_get("/records?deleted=true").await;
    assert_eq!(records["organizations"][0]["is_deleted"], true, "{records}");
    assert_eq!(records["persons"], json!([]));

    // A server error is no definite refusal: what was made stays.
    h.control("/faults", &json!({"kind": "slow", "count": 2, "delayMs": 0})).await;
    h.control("/faults", &json!({"kind": "server_error", "status": 502})).await;
    let body = r#"{"lastName":"Doe","company":"Other GmbH"}"#;
    let error = create_with(&client, "rollback", ResourceKind::Contact, body, &Default::default()).await.unwrap_err();
    assert_eq!(error.code(), "provider_unavailable");
    assert_eq!(h.control_get("/records").await["organizations"][0]["name"], "Other GmbH");
}

#[tokio::test]
async fn remote_data_carries_pipedrives_records() {
    let h = Harness::start().await;
    let client = h.client(Credentials::bearer("sandbox-remote"));
    let settings = unified_core::connector::Settings::new();
    let call = Call { client: &client, settings: &settings, include_remote_data: true, connection_id: "remote" };
    let body = br#"{"lastName":"Doe","email":"d@example.com"}"#;
    let lead =
        unified_core::pipeline::create_from_json(&crate::DESCRIPTOR, call, ResourceKind::Lead, body).await.unwrap();
    let remote = lead.remote_data.unwrap();
    assert_eq!(remote["person"]["data"]["emails"][0]["value"], "d@example.com");
    assert_eq!(remote["lead"]["data"]["source_name"], "API");
}
