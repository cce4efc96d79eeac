//! The emulator over real HTTP: the REST API's formats, OAuth, faults, the control plane, and the
//! Salesforce connector itself running against it.

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap};
use serde_json::{Value, json};
use unified_core::connector::Settings;
use unified_core::resource::ResourceKind;
use unified_core::transport::{Credentials, ProviderClient};
use unified_core::{Call, UnifiedRecord, pipeline};

use super::Emulator;
use super::ids;

const TOKEN: &str = "sandbox-tests";
const V: &str = "/services/data/v66.0";
const JOHN: &str = "0058c00000AsDfGAAV";
const QUEUE: &str = "00G8c000004TqWeEAK";

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

    async fn token(&self, form: &str) -> Answer {
        let request = self
            .http
            .post(self.emulator.url("/services/oauth2/token"))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form.to_owned());
        self.send(request).await
    }

    async fn control(&self, path: &str, body: &Value) -> Answer {
        self.send(self.http.post(self.emulator.url(&format!("/_emulator{path}"))).json(body)).await
    }

    async fn control_get(&self, path: &str) -> Value {
        self.get(&format!("/_emulator{path}"), None).await.body
    }

    fn client(&self, token: &str) -> ProviderClient {
        ProviderClient::builder(&crate::DESCRIPTOR)
            .credentials(Credentials::bearer(token))
            .base_url(self.emulator.base_url())
            .build()
            .unwrap()
    }
}

async fn create(
    client: &ProviderClient,
    settings: &Settings,
    resource: ResourceKind,
    body: &str,
) -> Result<unified_core::Created, unified_core::UnifiedError> {
    let call = Call { client, settings, include_remote_data: false, connection_id: "emulator-tests" };
    pipeline::create_from_json(&crate::DESCRIPTOR, call, resource, body.as_bytes()).await
}

fn is_salesforce_id(value: &Value, prefix: &str) -> bool {
    value.as_str().is_some_and(|id| id.len() == 18 && id.starts_with(prefix) && ids::is_well_formed(id))
}

fn is_salesforce_time(value: &Value) -> bool {
    let text = value.as_str().unwrap_or_default();
    text.len() == 28 && text.ends_with(".000+0000") && super::time::parse_time(text).is_some()
}

#[tokio::test]
async fn create_answers_with_an_id_and_reads_back_in_salesforces_format() {
    let h = Harness::start().await;
    let created = h
        .post(
            &format!("{V}/sobjects/Contact/"),
            Some(TOKEN),
            &json!({"lastname": "Doe", "Email": "jane@example.com", "Loyalty_Score__c": "85"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.headers[CONTENT_TYPE], "application/json;charset=UTF-8");
    assert!(created.headers["sforce-limit-info"].to_str().unwrap().starts_with("api-usage=1/15000"));
    assert_eq!((&created.body["success"], &created.body["errors"]), (&json!(true), &json!([])));
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert!(is_salesforce_id(&created.body["id"], "003"), "{id}");

    let read = h
        .get(
            &format!(
                "{V}/sobjects/Contact/{}?fields=id,LASTNAME,Name,Email,Phone,Loyalty_Score__c,OwnerId,CreatedDate",
                &id[..15]
            ),
            Some(TOKEN),
        )
        .await;
    assert_eq!(read.status, 200, "{}", read.body);
    let record = &read.body;
    assert_eq!(record["attributes"], json!({"type": "Contact", "url": format!("{V}/sobjects/Contact/{id}")}));
    assert_eq!((&record["Id"], &record["LastName"], &record["Name"]), (&json!(id), &json!("Doe"), &json!("Doe")));
    assert_eq!((&record["Phone"], &record["Loyalty_Score__c"]), (&Value::Null, &json!(85.0)));
    assert_eq!(record["OwnerId"], JOHN, "the API user owns what it creates");
    assert!(is_salesforce_time(&record["CreatedDate"]), "{}", record["CreatedDate"]);

    let unknown = h.get(&format!("{V}/sobjects/Contact/{id}?fields=Id,Favourite__c"), Some(TOKEN)).await;
    assert_eq!((unknown.status, unknown.body[0]["errorCode"].as_str()), (400, Some("INVALID_FIELD")));
    let missing = h.get(&format!("{V}/sobjects/Lead/{id}"), Some(TOKEN)).await;
    assert_eq!((missing.status, &missing.body[0]["errorCode"]), (404, &json!("NOT_FOUND")));
    let deleted = h.send(h.http.delete(h.emulator.url(&format!("{V}/sobjects/Contact/{id}"))).bearer_auth(TOKEN)).await;
    assert_eq!(deleted.status, 204);
    assert_eq!(h.get(&format!("{V}/sobjects/Contact/{id}"), Some(TOKEN)).await.status, 404);
    let user = h.get(&format!("{V}/sobjects/User/{JOHN}?fields=Name,Email"), Some(TOKEN)).await;
    assert_eq!((&user.body["Name"], &user.body["Email"]), (&json!("John Smith"), &json!("john.smith@acme.com")));
    let queue = h.get(&format!("{V}/sobjects/Group/{QUEUE}?fields=Name,Type"), Some(TOKEN)).await;
    assert_eq!((&queue.body["Name"], &queue.body["Type"]), (&json!("Inbound Leads Queue"), &json!("Queue")));
}

#[tokio::test]
async fn sessions_oauth_and_versions() {
    let h = Harness::start().await;
    let versions = h.get("/services/data/", None).await;
    assert_eq!(versions.status, 200, "the version list needs no session");
    assert_eq!(versions.body.as_array().unwrap().last().unwrap()["url"], "/services/data/v66.0");
    let anonymous = h.get(&format!("{V}/query?q=SELECT+Id+FROM+Account"), None).await;
    assert_eq!(
        (anonymous.status, &anonymous.body),
        (401, &json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]))
    );

    let granted =
        h.token("grant_type=refresh_token&refresh_token=sandbox-refresh-1&client_id=any&client_secret=any").await;
    assert_eq!(granted.status, 200, "{}", granted.body);
    let body = &granted.body;
    for key in ["access_token", "signature", "scope", "instance_url", "id", "token_type", "issued_at"] {
        assert!(body[key].is_string(), "{key}: {body}");
    }
    assert!(body.get("expires_in").is_none(), "Salesforce says nothing of the session's lifetime");
    assert_eq!(body["instance_url"], h.emulator.base_url());
    assert!(body["issued_at"].as_str().unwrap().parse::<i64>().is_ok());
    assert!(body["id"].as_str().unwrap().ends_with(JOHN));
    let access = body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(h.get(&format!("{V}/sobjects/User/{JOHN}"), Some(&access)).await.status, 200);
    h.control("/clock", &json!({"advanceSeconds": 7200})).await;
    assert_eq!(h.get(&format!("{V}/sobjects/User/{JOHN}"), Some(&access)).await.status, 401, "the session timed out");

    let refused = h.token("grant_type=refresh_token&refresh_token=5Aep861unknown&client_id=any").await;
    assert_eq!((refused.status, &refused.body["error"]), (400, &json!("invalid_grant")));
    let grant = h.token("grant_type=password&client_id=any").await;
    assert_eq!(grant.body["error"], "unsupported_grant_type");
    let client = h.token("grant_type=refresh_token&refresh_token=sandbox-r").await;
    assert_eq!(client.body["error"], "invalid_client_id");
    assert_eq!(h.control_get("/stats").await["tokensIssued"], 1);
}

#[tokio::test]
async fn faults_answer_as_salesforce_fails() {
    let h = Harness::start().await;
    let queued =
        h.control("/faults", &json!({"kind": "rate_limit", "count": 2, "limit": "ConcurrentPerOrgLongTxn"})).await;
    assert_eq!(queued.status, 201);
    for _ in 0..2 {
        let limited = h.get(&format!("{V}/sobjects/User/{JOHN}"), Some(TOKEN)).await;
        assert_eq!(limited.status, 403);
        assert_eq!(
            limited.body,
            json!([{"message": "ConcurrentPerOrgLongTxn Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}])
        );
    }
    assert_eq!(h.get(&format!("{V}/sobjects/User/{JOHN}"), Some(TOKEN)).await.status, 200);
    h.control("/faults", &json!({"kind": "server_error", "status": 503})).await;
    let unavailable = h.get(&format!("{V}/sobjects/User/{JOHN}"), Some(TOKEN)).await;
    assert_eq!((unavailable.status, unavailable.headers[CONTENT_TYPE].to_str().unwrap()), (503, "text/html"));
    h.control("/faults", &json!({"kind": "server_error", "status": 500})).await;
    assert_eq!(
        h.get(&format!("{V}/sobjects/User/{JOHN}"), Some(TOKEN)).await.body[0]["errorCode"],
        "UNKNOWN_EXCEPTION"
    );
    let expired = h.control("/faults", &json!({"kind": "expire_token"})).await;
    assert_eq!(expired.body["expiredSessions"], 1);
    assert_eq!(h.get(&format!("{V}/sobjects/User/{JOHN}"), Some(TOKEN)).await.status, 401);
    assert_eq!(h.control("/faults", &json!({"kind": "server_error", "status": 404})).await.status, 400);
    assert_eq!(h.control("/faults", &json!({"kind": "explode"})).await.status, 400);
    let stats = h.control_get("/stats").await;
    assert_eq!(stats["faultsServed"], 4);
    assert_eq!(stats["requests"]["GET /services/data/{version}/sobjects/User/{id}"], 6);
}

#[tokio::test]
async fn queries_collections_and_the_control_plane() {
    let h = Harness::start().await;
    let seeded =
        h.control("/records/Account", &json!({"id": "0018c00003QwErT", "fields": {"Name": "O'Brien \\ Sons"}})).await;
    assert_eq!((seeded.status, &seeded.body["Id"]), (201, &json!(ids::to18("0018c00003QwErT"))));
    assert_eq!(h.control("/records/Account", &json!({"id": "0018c00003QwErT"})).await.status, 409);
    assert_eq!(h.control("/records/Account", &json!({"id": "0038c00003QwErT"})).await.status, 400, "wrong key prefix");
    let soql = crate::mapping::soql::account_by_name("o'brien \\ sons");
    let found = h
        .send(h.http.get(h.emulator.url(&format!("{V}/query"))).query(&[("q", soql.as_str())]).bearer_auth(TOKEN))
        .await;
    assert_eq!((found.status, &found.body["totalSize"], &found.body["done"]), (200, &json!(1), &json!(true)));
    let malformed = h
        .send(h.http.get(h.emulator.url(&format!("{V}/query"))).query(&[("q", "SELECT FROM")]).bearer_auth(TOKEN))
        .await;
    assert_eq!((malformed.status, &malformed.body[0]["errorCode"]), (400, &json!("MALFORMED_QUERY")));

    let opportunity = h
        .post(
            &format!("{V}/sobjects/Opportunity/"),
            Some(TOKEN),
            &json!({"Name": "D", "StageName": "Prospecting", "CloseDate": "2026-07-31"}),
        )
        .await;
    let opportunity = opportunity.body["id"].as_str().unwrap();
    let contact = h.post(&format!("{V}/sobjects/Contact/"), Some(TOKEN), &json!({"LastName": "Doe"})).await;
    let contact = contact.body["id"].as_str().unwrap();
    let role = |contact: &str| json!({"attributes": {"type": "OpportunityContactRole"}, "OpportunityId": opportunity, "ContactId": contact});
    let all_or_none = json!({"allOrNone": true, "records": [role(contact), role(&ids::to18("0038c00002ZzZ99"))]});
    let refused = h.post(&format!("{V}/composite/sobjects"), Some(TOKEN), &all_or_none).await;
    assert_eq!(refused.status, 200);
    assert_eq!(refused.body[0]["errors"][0]["statusCode"], "ALL_OR_NONE_OPERATION_ROLLED_BACK");
    assert_eq!(refused.body[1]["errors"][0]["statusCode"], "INVALID_CROSS_REFERENCE_KEY");
    assert_eq!(h.control_get("/records/OpportunityContactRole").await, json!([]), "rolled back");
    let some = json!({"allOrNone": false, "records": [role(contact), role("nope")]});
    let partial = h.post(&format!("{V}/composite/sobjects"), Some(TOKEN), &some).await;
    assert!(is_salesforce_id(&partial.body[0]["id"], "00K"));
    assert_eq!(partial.body[1]["errors"][0]["statusCode"], "MALFORMED_ID");
    assert_eq!(h.control_get("/records/OpportunityContactRole").await.as_array().map(Vec::len), Some(1));

    assert_eq!(h.control("/org", &json!({"multiCurrency": true})).await.body["multiCurrency"], true);
    assert_eq!(h.control("/org", &json!({"nope": true})).await.status, 400);
    assert_eq!(h.send(h.http.post(h.emulator.url("/_emulator/reset"))).await.status, 204);
    assert_eq!(h.control_get("/org").await["multiCurrency"], false);
    assert_eq!(h.control_get("/records").await["Account"], json!([]));
    assert_eq!(h.control_get("/records").await["User"].as_array().map(Vec::len), Some(3), "users stay");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connector_creates_every_resource_against_the_emulator() {
    let h = Harness::start().await;
    let client = h.client(TOKEN);
    let settings = Settings::new();

    let contact = create(&client, &settings, ResourceKind::Contact, r#"{"firstName":"Jane","lastName":"Doe","email":"jane@example.com","company":"Acme Corp","ownerId":"0058c00000BtEgHAAV"}"#).await.unwrap();
    let UnifiedRecord::Contact(record) = &contact.record else { panic!("a contact") };
    assert_eq!((record.company.as_deref(), record.owner_name.as_deref()), (Some("Acme Corp"), Some("Priya Shah")));
    assert_eq!(contact.warnings[0].field, "company", "the account was created");
    let again =
        create(&client, &settings, ResourceKind::Contact, r#"{"lastName":"Roe","company":"ACME CORP"}"#).await.unwrap();
    let UnifiedRecord::Contact(second) = &again.record else { panic!("a contact") };
    assert_eq!((second.company.as_deref(), again.warnings.len()), (Some("Acme Corp"), 0), "found, not created again");

    let lead = create(&client, &settings, ResourceKind::Lead, &format!(r#"{{"lastName":"López","company":"Northwind","email":"maria@northwind.com","status":"in_progress","ownerId":"{QUEUE}"}}"#)).await.unwrap();
    let UnifiedRecord::Lead(lead) = &lead.record else { panic!("a lead") };
    assert_eq!((lead.owner_name.as_deref(), lead.owner_email.as_deref()), (Some("Inbound Leads Queue"), None));
    assert_eq!(lead.status.map(|s| s.as_str()), Some("in_progress"));

    let deal = create(&client, &settings, ResourceKind::Deal, &format!(r#"{{"name":"Pilot","stage":"Negotiation/Review","closeDate":"2026-07-31","amount":48000,"contactIds":["{}"]}}"#, record.id)).await.unwrap();
    let UnifiedRecord::Deal(deal) = &deal.record else { panic!("a deal") };
    assert_eq!((deal.probability, deal.amount), (Some(90.0), Some(48000.0)));
    assert_eq!(h.control_get("/records/OpportunityContactRole").await[0]["IsPrimary"], true);

    let body = format!(
        r#"{{"title":"Call","startTime":"2026-06-02T15:00:00+02:00","endTime":"2026-06-02T15:45:00+02:00","contactIds":["{}"],"dealId":"{}",
            "attendees":[{{"email":"MARIA@northwind.com"}},{{"email":"nobody@example.com"}}]}}"#,
        record.id, deal.id
    );
    let meeting = create(&client, &settings, ResourceKind::Meeting, &body).await.unwrap();
    let UnifiedRecord::Meeting(event) = &meeting.record else { panic!("a meeting") };
    assert_eq!(event.start_time.unwrap().to_string(), "2026-06-02T13:00:00.000Z");
    assert_eq!(event.attendees.as_ref().map(Vec::len), Some(1));
    assert_eq!(meeting.warnings.iter().map(|w| w.field.as_str()).collect::<Vec<_>>(), ["attendees[1]"]);
    let relations = h.control_get("/records/EventRelation").await;
    assert_eq!(
        (relations[0]["RelationId"].as_str(), &relations[0]["IsInvitee"]),
        (Some(lead.id.as_str()), &json!(true))
    );

    let duplicate =
        create(&client, &settings, ResourceKind::Contact, r#"{"lastName":"DOE","email":"Jane@Example.com"}"#)
            .await
            .unwrap_err();
    assert_eq!((duplicate.code(), duplicate.details()[0].field.as_str()), ("provider_validation_error", "email"));
    assert!(duplicate.details()[0].message.contains(record.id.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connector_retries_a_concurrency_limit_and_reports_an_expired_session() {
    let h = Harness::start().await;
    let client = h.client("sandbox-retry");
    let settings = Settings::new();
    h.control("/faults", &json!({"kind": "rate_limit", "limit": "ConcurrentPerOrgLongTxn"})).await;
    let created =
        create(&client, &settings, ResourceKind::Lead, r#"{"lastName":"Okafor","company":"Brightline"}"#).await;
    assert!(created.is_ok(), "{created:?}");
    h.control("/faults", &json!({"kind": "rate_limit"})).await;
    let limited = create(&client, &settings, ResourceKind::Lead, r#"{"lastName":"Okafor","company":"Brightline"}"#)
        .await
        .unwrap_err();
    assert_eq!(
        (limited.code(), limited.retry_after()),
        ("rate_limited", Some(3600)),
        "the daily limit is not waited out"
    );
    h.control("/faults", &json!({"kind": "expire_token"})).await;
    let expired = create(&client, &settings, ResourceKind::Lead, r#"{"lastName":"Okafor","company":"Brightline"}"#)
        .await
        .unwrap_err();
    assert_eq!(expired.code(), "provider_auth_error");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_get_distinct_ids() {
    let h = Harness::start().await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let http = h.http.clone();
        let url = h.emulator.url(&format!("{V}/sobjects/Lead/"));
        tasks.push(tokio::spawn(async move {
            let body = json!({"LastName": format!("L{i}"), "Company": "C"});
            let answer: Value =
                http.post(url).bearer_auth(TOKEN).json(&body).send().await.unwrap().json().await.unwrap();
            answer["id"].as_str().unwrap().to_owned()
        }));
    }
    let mut seen = std::collections::HashSet::new();
    for task in tasks {
        assert!(seen.insert(task.await.unwrap()));
    }
    assert_eq!(h.control_get("/records/Lead").await.as_array().map(Vec::len), Some(16));
}
