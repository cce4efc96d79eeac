//! The emulator over real HTTP: OAuth, faults, the control plane, validation and concurrency, and the
//! HubSpot connector itself running against it. Reads, updates, search, associations, the properties
//! API and the control plane's seeding and faults have a module each under `tests/`.

mod associations;
mod control_plane;
mod properties_api;
mod reads;
mod search;
mod updates;

use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap};
use serde_json::{Value, json};

use super::Emulator;
use super::schema::ObjectType;

const TOKEN: &str = "sandbox-tests";

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

    async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Answer {
        let mut request = self.http.post(self.emulator.url(path)).json(body);
        if let Some(token) = token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        self.send(request).await
    }

    async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        let mut request = self.http.get(self.emulator.url(path));
        if let Some(token) = token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        self.send(request).await
    }

    async fn delete(&self, path: &str) -> Answer {
        self.send(self.http.delete(self.emulator.url(path)).header(AUTHORIZATION, format!("Bearer {TOKEN}"))).await
    }

    async fn token(&self, version: &str, form: &str) -> Answer {
        let request = self
            .http
            .post(self.emulator.url(&format!("/oauth/{version}/token")))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form.to_owned());
        self.send(request).await
    }

    async fn contact(&self, token: &str, email: &str) -> Answer {
        self.post("/crm/v3/objects/contacts", Some(token), &json!({"properties": {"email": email}})).await
    }

    async fn control(&self, path: &str, body: &Value) -> Answer {
        self.send(self.http.post(self.emulator.url(&format!("/_emulator{path}"))).json(body)).await
    }

    async fn control_get(&self, path: &str) -> Value {
        self.get(&format!("/_emulator{path}"), None).await.body
    }

    /// A provider call with the sandbox token and an optional JSON body.
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Answer {
        let mut request = self.http.request(method, self.emulator.url(path)).bearer_auth(TOKEN);
        if let Some(body) = body {
            request = request.json(body);
        }
        self.send(request).await
    }

    async fn patch(&self, path: &str, body: &Value) -> Answer {
        self.call(reqwest::Method::PATCH, path, Some(body)).await
    }

    async fn search(&self, object_type: &str, body: &Value) -> Answer {
        self.post(&format!("/crm/v3/objects/{object_type}/search"), Some(TOKEN), body).await
    }

    /// Creates a record through the provider API; its id.
    async fn create(&self, object_type: &str, body: &Value) -> String {
        let created = self.post(&format!("/crm/v3/objects/{object_type}"), Some(TOKEN), body).await;
        assert_eq!(created.status, 201, "{}", created.body);
        created.body["id"].as_str().unwrap().to_owned()
    }

    /// Seeds through the control plane; the answer.
    async fn seed(&self, object_type: &str, body: &Value) -> Answer {
        self.control(&format!("/records/{object_type}"), body).await
    }
}

/// An association to `id` with a HubSpot-defined type, as a create body carries it.
fn association(id: &str, type_id: u32) -> Value {
    json!({"to": {"id": id}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}]})
}

/// The entries of a `Property values were not valid: [...]` message, as `(name, error)`.
fn property_errors(body: &Value) -> Vec<(String, String)> {
    let message = body["message"].as_str().unwrap_or_default();
    let list = message.strip_prefix("Property values were not valid: ").unwrap_or_else(|| panic!("{body}"));
    let list: Value = serde_json::from_str(list).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap().to_owned(), p["error"].as_str().unwrap().to_owned()))
        .collect()
}

fn is_hubspot_timestamp(value: &Value) -> bool {
    let text = value.as_str().unwrap_or_default();
    text.len() == 24 && text.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

fn is_hubspot_id(value: &Value) -> bool {
    value.as_str().is_some_and(|id| id.len() == 11 && id.bytes().all(|b| b.is_ascii_digit()))
}

#[tokio::test]
async fn create_answers_in_hubspots_format_and_reads_back() {
    let h = Harness::start().await;
    let created = h
        .post(
            "/crm/v3/objects/contacts",
            Some(TOKEN),
            &json!({"properties": {"email": "jane@example.com", "firstname": "Jane", "loyaltyScore": 85}}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.headers[CONTENT_TYPE], "application/json;charset=utf-8");
    let body = &created.body;
    let id = body["id"].as_str().unwrap();
    assert!(is_hubspot_id(&body["id"]), "{id}");
    assert_eq!(body["properties"]["hs_object_id"], id);
    assert_eq!(body["properties"]["loyaltyScore"], "85", "every value is echoed as a string");
    assert!(is_hubspot_timestamp(&body["createdAt"]) && body["createdAt"] == body["properties"]["createdate"]);
    assert_eq!(body["updatedAt"], body["properties"]["lastmodifieddate"]);
    assert_eq!(body["archived"], false);

    let read = h.get(&format!("/crm/v3/objects/contacts/{id}?properties=email,phone"), Some(TOKEN)).await;
    assert_eq!(read.status, 200);
    let names: Vec<&String> = read.body["properties"].as_object().unwrap().keys().collect();
    assert_eq!(names, ["createdate", "email", "hs_object_id", "lastmodifieddate"], "unset ones left out");
    let by_email = h.get("/crm/v3/objects/contacts/JANE@example.com?idProperty=email", Some(TOKEN)).await;
    assert_eq!(by_email.body["id"], id);
    let dated = h.get(&format!("/crm/objects/2026-03/contacts/{id}"), Some(TOKEN)).await;
    assert_eq!((dated.status, &dated.body["properties"]["firstname"]), (200, &json!("Jane")));

    assert_eq!(h.delete(&format!("/crm/v3/objects/contacts/{id}")).await.status, 204);
    let gone = h.get(&format!("/crm/v3/objects/contacts/{id}"), Some(TOKEN)).await;
    assert_eq!(gone.status, 404);
    assert_eq!(
        (gone.body["category"].as_str(), gone.body["message"].as_str()),
        (Some("OBJECT_NOT_FOUND"), Some("resource not found"))
    );
    let archived = h.get(&format!("/crm/v3/objects/contacts/{id}?archived=true"), Some(TOKEN)).await;
    assert_eq!((archived.status, &archived.body["archived"]), (200, &json!(true)));
    assert_eq!(h.delete("/crm/v3/objects/contacts/1").await.status, 204, "archiving nothing is still a 204");
    // The archived contact's e-mail is free again.
    assert_eq!(h.contact(TOKEN, "jane@example.com").await.status, 201);
}

#[tokio::test]
async fn hubspots_validation_rules() {
    let h = Harness::start().await;
    let bad = h
        .post(
            "/crm/v3/objects/contacts",
            Some(TOKEN),
            &json!({"properties": {"email": "x@example.com", "lifecyclestage": "hot", "favourite_colour": "blue"}}),
        )
        .await;
    assert_eq!((bad.status, bad.body["category"].as_str()), (400, Some("VALIDATION_ERROR")));
    let message = bad.body["message"].as_str().unwrap();
    let list: Value = serde_json::from_str(message.strip_prefix("Property values were not valid: ").unwrap()).unwrap();
    let errors: Vec<&str> = list.as_array().unwrap().iter().map(|p| p["error"].as_str().unwrap()).collect();
    assert_eq!(errors, ["PROPERTY_DOESNT_EXIST", "INVALID_OPTION"]);

    let deal = h.post("/crm/v3/objects/deals", Some(TOKEN), &json!({"properties": {"dealname": "D"}})).await;
    assert_eq!(deal.status, 400);
    assert_eq!(deal.body["errors"][0]["context"]["propertyName"], json!(["dealstage"]));

    let meeting =
        h.post("/crm/v3/objects/meetings", Some(TOKEN), &json!({"properties": {"hs_meeting_title": "M"}})).await;
    assert_eq!(meeting.status, 400);
    let meeting = h
        .post(
            "/crm/v3/objects/meetings",
            Some(TOKEN),
            &json!({"properties": {"hs_meeting_start_time": "2026-06-02T15:00:00+02:00"}}),
        )
        .await;
    assert_eq!(meeting.status, 201, "hs_timestamp defaults to the start time");
    assert_eq!(meeting.body["properties"]["hs_timestamp"], "2026-06-02T13:00:00Z");
    assert!(meeting.body["properties"]["hs_createdate"].is_string());

    let lead = json!({"properties": {"hs_lead_name": "L"}});
    let no_contact = h.post("/crm/v3/objects/leads", Some(TOKEN), &lead).await;
    assert_eq!((no_contact.status, no_contact.body["category"].as_str()), (400, Some("VALIDATION_ERROR")));
    let to = |id: &str, type_id: u32| {
        json!({"properties": {"hs_lead_name": "L", "hs_lead_label": "WARM"},
               "associations": [{"to": {"id": id}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}]}]})
    };
    let missing = h.post("/crm/v3/objects/leads", Some(TOKEN), &to("99999999999", 578)).await;
    assert_eq!(missing.status, 400);
    assert_eq!(missing.body["message"], "One or more associations are invalid");
    assert_eq!(missing.body["context"]["INVALID_OBJECT_IDS"], json!(["CONTACT=99999999999 is not valid"]));
    let contact = h.contact(TOKEN, "lead@example.com").await.body["id"].as_str().unwrap().to_owned();
    let wrong_type = h.post("/crm/v3/objects/leads", Some(TOKEN), &to(&contact, 3)).await;
    assert_eq!(wrong_type.status, 400, "3 is deal→contact, not a lead association");
    let lead = h.post("/crm/v3/objects/leads", Some(TOKEN), &to(&contact, 578)).await;
    assert_eq!(lead.status, 201, "{}", lead.body);
    assert_eq!(lead.body["properties"]["hs_pipeline"], "lead-pipeline-id");
    assert_eq!(lead.body["properties"]["hs_pipeline_stage"], "new-stage-id");
    let linked = h.get(&format!("/crm/v3/objects/contacts/{contact}?associations=leads"), Some(TOKEN)).await;
    assert_eq!(linked.body["associations"]["leads"]["results"][0]["id"], lead.body["id"]);

    let broken = h.send(h.http.post(h.emulator.url("/crm/v3/objects/contacts")).bearer_auth(TOKEN).body("{")).await;
    assert_eq!(broken.status, 400);
    assert!(broken.body["message"].as_str().unwrap().starts_with("Invalid input JSON"));
    let unknown = h.post("/crm/v3/objects/widgets", Some(TOKEN), &json!({"properties": {}})).await;
    assert_eq!(unknown.body["message"], "Unable to infer object type from: widgets");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_concurrent_creates_with_one_email_make_one_contact() {
    let h = Harness::start().await;
    let url = h.emulator.url("/crm/v3/objects/contacts");
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8 {
        // The same address, spelled in two cases: HubSpot's dedupe ignores case.
        let email = if i % 2 == 0 { "Race@Example.com" } else { "race@example.com" };
        let request = h.http.post(&url).bearer_auth(TOKEN).json(&json!({"properties": {"email": email}}));
        tasks.spawn(async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.json::<Value>().await.unwrap())
        });
    }
    let answers = tasks.join_all().await;
    let created: Vec<&Value> = answers.iter().filter(|(status, _)| *status == 201).map(|(_, body)| body).collect();
    assert_eq!(created.len(), 1, "{:?}", answers.iter().map(|(status, _)| status).collect::<Vec<_>>());
    let id = created[0]["id"].as_str().unwrap();
    for (status, body) in answers.iter().filter(|(status, _)| *status != 201) {
        assert_eq!(*status, 409);
        assert_eq!(body["category"], "CONFLICT");
        assert_eq!(body["message"], format!("Contact already exists. Existing ID: {id}"));
    }
    assert_eq!(h.control_get("/records").await["contacts"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn tokens_are_issued_refreshed_and_expire() {
    let h = Harness::start().await;
    let issued =
        h.token("v3", "grant_type=authorization_code&client_id=c&client_secret=s&code=abc&redirect_uri=x").await;
    assert_eq!(issued.status, 200, "{}", issued.body);
    assert_eq!((issued.body["expires_in"].as_i64(), issued.body["token_type"].as_str()), (Some(1800), Some("bearer")));
    let access = issued.body["access_token"].as_str().unwrap().to_owned();
    let refresh = issued.body["refresh_token"].as_str().unwrap().to_owned();
    assert!(refresh.starts_with("na1-"));
    assert_eq!(h.contact(&access, "a@example.com").await.status, 201);
    let reused = h.token("v3", "grant_type=authorization_code&client_id=c&client_secret=s&code=abc").await;
    assert_eq!((reused.status, reused.body["status"].as_str()), (400, Some("BAD_AUTH_CODE")));

    // 1800 s later the access token is expired, the HubSpot way.
    h.control("/clock", &json!({"advanceSeconds": 1801})).await;
    let expired = h.contact(&access, "b@example.com").await;
    assert_eq!((expired.status, expired.body["category"].as_str()), (401, Some("EXPIRED_AUTHENTICATION")));
    assert_eq!(expired.body["message"], "The OAuth token used to make this call expired 1 second(s) ago.");
    assert!(expired.body["context"]["expire time"][0].is_string());

    let form = format!("grant_type=refresh_token&client_id=c&client_secret=s&refresh_token={refresh}");
    let refreshed = h.token("v1", &form).await;
    assert_eq!(refreshed.status, 200);
    assert_eq!(refreshed.body["refresh_token"], refresh.as_str(), "HubSpot's refresh tokens do not rotate");
    let fresh = refreshed.body["access_token"].as_str().unwrap();
    assert_ne!(fresh, access);
    assert_eq!(h.contact(fresh, "b@example.com").await.status, 201);

    let unknown = h.token("v3", "grant_type=refresh_token&client_id=c&client_secret=s&refresh_token=na1-nope").await;
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.body["status"], "BAD_REFRESH_TOKEN");
    assert_eq!(unknown.body["message"], "missing or unknown refresh token");
    let no_client = h.token("v3", "grant_type=refresh_token&client_secret=s&refresh_token=sandbox-r").await;
    assert_eq!(no_client.body["status"], "BAD_CLIENT_ID");
    assert_eq!(h.token("v9", &form).await.status, 404);

    let stats = h.control_get("/stats").await;
    assert_eq!((stats["tokenRefreshes"].as_u64(), stats["tokensIssued"].as_u64()), (Some(1), Some(2)));
}

#[tokio::test]
async fn sandbox_tokens_and_unknown_tokens() {
    let h = Harness::start().await;
    assert_eq!(h.contact("sandbox-anything", "s@example.com").await.status, 201);
    for token in [Some("pat-na1-unknown"), None] {
        let refused = h.contact_with(token).await;
        assert_eq!(refused.status, 401);
        assert_eq!(refused.body["category"], "INVALID_AUTHENTICATION");
        assert!(refused.headers.contains_key("x-hubspot-ratelimit-remaining"));
    }
    let refreshed =
        h.token("v3", "grant_type=refresh_token&client_id=c&client_secret=s&refresh_token=sandbox-refresh-1").await;
    assert_eq!(refreshed.status, 200, "a sandbox- refresh token is always known");
}

impl Harness {
    async fn contact_with(&self, token: Option<&str>) -> Answer {
        self.post("/crm/v3/objects/contacts", token, &json!({"properties": {"email": "x@example.com"}})).await
    }
}

#[tokio::test]
async fn expire_token_expires_every_token_until_a_refresh() {
    let h = Harness::start().await;
    assert_eq!(h.contact("sandbox-a", "a@example.com").await.status, 201);
    let fault = h.control("/faults", &json!({"kind": "expire_token"})).await;
    assert_eq!((fault.status, fault.body["expiredTokens"].as_u64()), (200, Some(1)));
    let refused = h.contact("sandbox-a", "b@example.com").await;
    assert_eq!((refused.status, refused.body["category"].as_str()), (401, Some("EXPIRED_AUTHENTICATION")));
    assert_eq!(h.contact("sandbox-a", "b@example.com").await.status, 401, "until a refresh");
    let refreshed =
        h.token("v3", "grant_type=refresh_token&client_id=c&client_secret=s&refresh_token=sandbox-refresh-a").await;
    let fresh = refreshed.body["access_token"].as_str().unwrap();
    assert_eq!(h.contact(fresh, "b@example.com").await.status, 201);
}

#[tokio::test]
async fn rate_limit_faults_count_down_on_provider_paths_only() {
    let h = Harness::start().await;
    let queued = h.control("/faults", &json!({"kind": "rate_limit", "count": 2, "retryAfter": 3})).await;
    assert_eq!((queued.status, queued.body["pending"][0]["remaining"].as_u64()), (201, Some(2)));
    // The control plane is never faulted, and does not use the faults up.
    assert_eq!(h.get("/_emulator/records", None).await.status, 200);
    for left in [1, 0] {
        let limited = h.contact(TOKEN, "r@example.com").await;
        assert_eq!(limited.status, 429);
        assert_eq!(limited.body["errorType"], "RATE_LIMIT");
        assert_eq!(limited.body["policyName"], "TEN_SECONDLY_ROLLING");
        assert_eq!(limited.body["message"], "You have reached your secondly limit.");
        assert!(limited.body["correlationId"].is_string() && limited.body["requestId"].is_string());
        assert_eq!(limited.headers["x-hubspot-ratelimit-remaining"], "0");
        assert_eq!(limited.headers["x-hubspot-ratelimit-max"], "190");
        assert_eq!(limited.headers["retry-after"], "3");
        let pending = h.control_get("/faults").await;
        assert_eq!(pending["pending"].as_array().unwrap().len(), left);
    }
    let created = h.contact(TOKEN, "r@example.com").await;
    assert_eq!(created.status, 201);
    assert_eq!(created.headers["x-hubspot-ratelimit-interval-milliseconds"], "10000");
    assert!(created.headers.get("retry-after").is_none());
    let control = h.get("/_emulator/stats", None).await;
    assert!(control.headers.get("x-hubspot-ratelimit-max").is_none(), "no provider headers on the control plane");
    assert_eq!(control.body["faultsServed"], 2);
    assert_eq!(control.body["responses"]["429"], 2);
}

#[tokio::test]
async fn server_error_and_slow_faults() {
    let h = Harness::start().await;
    h.control("/faults", &json!({"kind": "server_error"})).await;
    h.control("/faults", &json!({"kind": "server_error", "status": 502})).await;
    h.control("/faults", &json!({"kind": "server_error", "status": 500})).await;
    let unavailable = h.get("/crm/v3/owners/67823451", Some(TOKEN)).await;
    assert_eq!(unavailable.status, 503);
    assert_eq!(unavailable.headers[CONTENT_TYPE], "text/html");
    assert_eq!(unavailable.body, "<html><body><h1>503 Service Unavailable</h1></body></html>");
    let bad_gateway = h.get("/crm/v3/owners/67823451", Some(TOKEN)).await;
    assert_eq!(
        (bad_gateway.status, bad_gateway.body.as_str()),
        (502, Some("<html><body><h1>502 Bad Gateway</h1></body></html>"))
    );
    let internal = h.get("/crm/v3/owners/67823451", Some(TOKEN)).await;
    assert_eq!((internal.status, internal.body["message"].as_str()), (500, Some("internal error")));
    assert_eq!(h.get("/crm/v3/owners/67823451", Some(TOKEN)).await.status, 200);

    h.control("/faults", &json!({"kind": "slow", "delayMs": 300})).await;
    let started = Instant::now();
    let slow = h.get("/crm/v3/owners/67823451", Some(TOKEN)).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(slow.status, 200);
    let refused = h.control("/faults", &json!({"kind": "explode"})).await;
    assert_eq!(refused.status, 400);
    assert_eq!(h.send(h.http.delete(h.emulator.url("/_emulator/faults"))).await.status, 204);
}

#[tokio::test]
async fn owners_are_seeded() {
    let h = Harness::start().await;
    let john = h.get("/crm/v3/owners/67823451", Some(TOKEN)).await;
    assert_eq!(john.status, 200);
    assert_eq!(
        (john.body["firstName"].as_str(), john.body["lastName"].as_str(), john.body["email"].as_str()),
        (Some("John"), Some("Smith"), Some("john.smith@acme.com"))
    );
    assert_eq!(john.body["type"], "PERSON");
    let jordan = h.get("/crm/v3/owners/41629779", Some(TOKEN)).await;
    assert_eq!(jordan.body["email"], "jordan.reyes@acme-demo.com");
    let missing = h.get("/crm/v3/owners/99999999", Some(TOKEN)).await;
    assert_eq!((missing.status, missing.body["category"].as_str()), (404, Some("OBJECT_NOT_FOUND")));
    assert_eq!(h.get("/crm/v3/owners/52846120", Some(TOKEN)).await.status, 404, "deactivated");
    assert_eq!(h.get("/crm/v3/owners/52846120?archived=true", Some(TOKEN)).await.status, 200);
    let all = h.get("/crm/v3/owners", Some(TOKEN)).await;
    assert_eq!(all.body["results"].as_array().map(Vec::len), Some(2));
    assert_eq!(h.get("/crm/v3/owners/67823451", None).await.status, 401, "owners need a token too");
}

#[tokio::test]
async fn records_seeding_stats_and_reset() {
    let h = Harness::start().await;
    let seeded = h
        .control(
            "/records/contacts",
            &json!({"id": "88415392071", "properties": {"email": "maria@example.com", "firstname": "María"},
                    "createdAt": "2026-05-14T09:31:02.487Z"}),
        )
        .await;
    assert_eq!(seeded.status, 201, "{}", seeded.body);
    assert_eq!(seeded.body["createdAt"], "2026-05-14T09:31:02.487Z");
    let again = h.control("/records/contacts", &json!({"id": "88415392071"})).await;
    assert_eq!(again.status, 409);
    let duplicate = h.control("/records/contacts", &json!({"properties": {"email": "MARIA@example.com"}})).await;
    assert_eq!((duplicate.status, duplicate.body["existingId"].as_str()), (409, Some("88415392071")));
    assert_eq!(h.control("/records/widgets", &json!({})).await.status, 404);
    let conflict = h.contact(TOKEN, "maria@example.com").await;
    assert_eq!(conflict.body["message"], "Contact already exists. Existing ID: 88415392071");

    let deal = h.control("/records/deals", &json!({"properties": {"dealname": "Seeded"}})).await;
    let deal_id = deal.body["id"].as_str().unwrap().to_owned();
    let meeting = h
        .post(
            "/crm/v3/objects/meetings",
            Some(TOKEN),
            &json!({"properties": {"hs_timestamp": "1780408800000"},
                    "associations": [{"to": {"id": deal_id}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 212}]}]}),
        )
        .await;
    assert_eq!(meeting.status, 201, "{}", meeting.body);

    let records = h.control_get("/records").await;
    assert_eq!(records["contacts"][0]["properties"]["firstname"], "María");
    assert_eq!(
        records["meetings"][0]["associations"][0],
        json!({"toObjectType": "deals", "toObjectId": deal_id, "associationTypeId": 212})
    );
    assert_eq!(records["deals"][0]["associations"][0]["toObjectId"], meeting.body["id"]);
    assert_eq!(records["leads"], json!([]));
    assert_eq!(h.control_get("/records/meetings").await.as_array().map(Vec::len), Some(1));

    let stats = h.control_get("/stats").await;
    assert_eq!(stats["requests"]["POST /crm/v3/objects/contacts"], 1);
    assert_eq!(stats["requests"]["POST /crm/v3/objects/meetings"], 1);
    assert_eq!(stats["totalRequests"], 2, "control calls are not counted");

    assert_eq!(h.control("/reset", &json!({})).await.status, 204);
    let records = h.control_get("/records").await;
    assert!(ObjectType::ALL.iter().all(|t| records[t.name()] == json!([])), "{records}");
    assert_eq!(h.control_get("/stats").await["totalRequests"], 0);
    assert_eq!(h.get("/_emulator/nope", None).await.status, 404);
    let index = h.control_get("/").await;
    assert_eq!(index["customProperties"]["deals"], json!(["deal_region", "lead_source", "contract_term_months"]));
    let contacts = index["customProperties"]["contacts"].as_array().unwrap();
    assert!(contacts.contains(&json!("lead_source")) && !contacts.contains(&json!("days_to_first_touch")));
}

#[tokio::test]
async fn unknown_paths_are_hubspot_404s() {
    let h = Harness::start().await;
    let missing = h.get("/crm/v3/nothing", Some(TOKEN)).await;
    assert_eq!((missing.status, missing.body["message"].as_str()), (404, Some("resource not found")));
    assert_eq!(h.get("/crm/objects/latest/contacts/1", Some(TOKEN)).await.status, 404);
}

#[tokio::test]
async fn serve_runs_on_a_std_listener() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/crm/v3/owners/67823451", listener.local_addr().unwrap());
    let server = tokio::spawn(super::serve(listener));
    let answer = reqwest::Client::new().get(url).bearer_auth(TOKEN).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    server.abort();
}

/// The HubSpot connector, unchanged, against the emulator: the sandbox path end to end.
#[tokio::test]
async fn the_connector_creates_through_the_emulator() {
    use unified_core::transport::{Credentials, ProviderClient};
    use unified_core::{Call, ResourceKind, UnifiedRecord};

    let h = Harness::start().await;
    let client = ProviderClient::builder(&crate::DESCRIPTOR)
        .base_url(h.emulator.base_url())
        .credentials(Credentials::bearer("sandbox-connector"))
        .build()
        .unwrap();
    let settings = unified_core::connector::Settings::new();
    let call = Call { client: &client, settings: &settings, include_remote_data: false, connection_id: "test" };
    let lead =
        br#"{"firstName":"Ana","lastName":"Ruiz","email":"ana@example.com","status":"qualified","ownerId":"67823451"}"#;
    let created =
        unified_core::pipeline::create_from_json(&crate::DESCRIPTOR, call, ResourceKind::Lead, lead).await.unwrap();
    let UnifiedRecord::Lead(lead) = created.record else { panic!("a lead") };
    assert_eq!(lead.owner_name.as_deref(), Some("John Smith"));
    assert_eq!(lead.status.map(|s| s.as_str()), Some("qualified"));

    let meeting = br#"{"title":"Call","startTime":"2026-06-02T15:00:00+02:00","endTime":"2026-06-02T15:45:00+02:00",
        "attendees":[{"email":"ana@example.com","name":"Ana Ruiz"},{"email":"tom@example.com","name":"Tom Becker"}]}"#;
    let created = unified_core::pipeline::create_from_json(&crate::DESCRIPTOR, call, ResourceKind::Meeting, meeting)
        .await
        .unwrap();
    assert_eq!(created.warnings.len(), 1, "Ana's contact existed: reused, with a warning");
    let records = h.control_get("/records").await;
    assert_eq!(records["contacts"].as_array().map(Vec::len), Some(2));
    assert_eq!(records["meetings"][0]["associations"].as_array().map(Vec::len), Some(2));
}
