//! Emulator fidelity: every recorded Salesforce exchange under `fixtures/salesforce/*/*/exchanges.json`
//! is replayed over real HTTP against a fresh emulator per case, and the emulator must answer with the
//! recorded status, content type and body, ids and timestamps aside. Emulator and recordings cannot
//! drift apart: `cargo test --workspace` runs this (the crate's dev-dependency on itself turns the
//! `emulator` feature on for its tests). The case walk, the exchange loop and the comparison are shared
//! (`unified_core::testkit::fidelity`); what is Salesforce's is here.
//!
//! Preconditions are derived from the recording, never listed per case:
//! - the org's features: a recorded write of `CurrencyIsoCode` → multi-currency; of a `…StateCode` or
//!   `…CountryCode` → State and Country/Territory Picklists; an `EventRelation` with `IsParent` that
//!   Salesforce accepted → Shared Activities;
//! - a recorded `403 REQUEST_LIMIT_EXCEEDED` → a `rate_limit` fault with that limit; a recorded `5xx` →
//!   a `server_error` fault with that status; a recorded `401` → the call is sent with a session the
//!   emulator never opened;
//! - a record that a recorded query or read returned, and that the case never created → seeded from the
//!   recorded answer;
//! - a `DUPLICATES_DETECTED` → the matched record is seeded with the request's e-mail and names;
//! - a reference in a create (`AccountId`, `WhoId`, `ContactId`, …) to a record the case never created
//!   → a record of the object its key prefix names is seeded (with the fields a later recorded read of it
//!   shows, if any), unless the recorded answer refused that very reference (`INVALID_CROSS_REFERENCE_KEY`).
//!
//! Normalised before comparing: Salesforce ids (18 characters of a known key prefix: a recorded id must
//! stand for the same emulator id throughout a case, and the other way round, also inside messages and
//! URLs) and timestamps.
#![cfg(feature = "emulator")]

use std::path::{Path, PathBuf};

use connector_salesforce::emulator::schema::SObjectType;
use connector_salesforce::emulator::{Emulator, ids};
use serde_json::{Map, Value, json};
use unified_core::testkit::fidelity::{self, Ids, Normalisation, Replay, Session, compare_runs, map_strings};
use unified_core::testkit::{Exchange, RecordedRequest, RecordedResponse};
use unified_core::time::Timestamp;

/// Valid on every emulator until an `expire_token` fault.
const TOKEN: &str = "sandbox-fidelity";
/// Never opened: the emulator's `INVALID_SESSION_ID`.
const UNKNOWN_TOKEN: &str = "00D8c0000012AbC!never-opened";

fn fixture_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/salesforce")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_recorded_exchange_replays_against_the_emulator() {
    fidelity::replay_every_case(&fixture_root(), async |exchanges| {
        let mut replay = Salesforce::start().await;
        replay.configure_org(exchanges).await;
        replay.run(exchanges).await
    })
    .await;
}

/// One case against one fresh emulator.
struct Salesforce {
    _emulator: Emulator,
    session: Session,
}

impl Salesforce {
    async fn start() -> Self {
        let emulator = Emulator::start().await.expect("the emulator starts");
        let session = Session::new(emulator.base_url());
        Self { _emulator: emulator, session }
    }

    /// Turns on the org features the recording shows, before the first exchange.
    async fn configure_org(&mut self, exchanges: &[Exchange]) {
        let org = org_features(exchanges);
        if org.as_object().is_some_and(|o| !o.is_empty()) {
            match self.session.control_post("/org", &org).await {
                Ok(_) => self.session.note(format!("org features {org}")),
                Err(problem) => self.session.outcome.mismatches.push(format!("org features: {problem}")),
            }
        }
    }

    /// Seeds a record a recorded answer showed (fields as recorded), unless the case knows it.
    async fn seed_recorded(&mut self, call: &str, record: &Value) -> Result<(), String> {
        let (Some(id), Some(kind)) = (record["Id"].as_str(), record["attributes"]["type"].as_str()) else {
            return Ok(());
        };
        if self.session.ids.knows(id) {
            return Ok(());
        }
        let fields: Map<String, Value> = record
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, v)| !matches!(k.as_str(), "attributes" | "Id") && !v.is_null())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        self.seed(call, kind, id, fields).await
    }

    /// Seeds record `id` (the recorded id itself) of `object`; one the emulator already has (its users
    /// and queue) stands for itself.
    async fn seed(&mut self, call: &str, object: &str, id: &str, fields: Map<String, Value>) -> Result<(), String> {
        if self.session.ids.knows(id) {
            return Ok(());
        }
        let body = json!({"id": id, "fields": fields});
        let (status, answer) = self.session.control_post_status(&format!("/records/{object}"), &body).await?;
        if status.as_u16() == 409 {
            return self.session.ids.bind(id, id);
        }
        if !status.is_success() {
            return Err(format!("seeding {object} {id}: {status} {answer}"));
        }
        self.session.note(format!("{call}: seeded {object} {id}"));
        self.session.ids.bind(id, answer["Id"].as_str().unwrap_or(id))
    }
}

impl Replay for Salesforce {
    fn session(&mut self) -> &mut Session {
        &mut self.session
    }

    async fn preconditions(&mut self, call: &str, i: usize, exchanges: &[Exchange]) -> Result<&'static str, String> {
        let (request, recorded) = (&exchanges[i].request, &exchanges[i].response);
        let status = recorded.status;
        let first_error = |key: &str| recorded.body[0][key].as_str().unwrap_or_default().to_owned();

        // Records the answer shows that the case never created.
        if status == 200 && request.method == "GET" {
            let records: Vec<&Value> = match recorded.body.get("records") {
                Some(Value::Array(records)) => records.iter().collect(),
                _ => vec![&recorded.body],
            };
            for record in records {
                self.seed_recorded(call, record).await?;
            }
        }
        if first_error("errorCode") == "DUPLICATES_DETECTED" {
            let result = &recorded.body[0]["duplicateResult"];
            for matched in result["matchResults"].as_array().into_iter().flatten() {
                let entity = matched["entityType"].as_str().unwrap_or_default();
                for record in matched["matchRecords"].as_array().into_iter().flatten() {
                    let id = record["record"]["Id"].as_str().unwrap_or_default();
                    let mut fields = Map::new();
                    for key in ["FirstName", "LastName", "Email", "Company"] {
                        if let Some(value) = request.body.get(key) {
                            fields.insert(key.to_owned(), value.clone());
                        }
                    }
                    self.seed(call, entity, id, fields).await?;
                }
            }
        }
        if request.method == "POST" {
            for (i, record) in written_records(request).into_iter().enumerate() {
                let refused = refused_reference(recorded, i);
                for (key, value) in record.iter().filter(|(k, _)| *k != "attributes") {
                    let Some(id) = value.as_str().filter(|v| is_sf_id(v)) else { continue };
                    if self.session.ids.knows(id) || refused {
                        continue;
                    }
                    let Some(object) = SObjectType::of_id(id) else { continue };
                    if matches!(object, SObjectType::User | SObjectType::Group) {
                        continue;
                    }
                    self.session.note(format!("{call}: {key} refers to {id}, never created in the case"));
                    match recorded_read(&exchanges[i..], id) {
                        Some(read) => self.seed_recorded(call, read).await?,
                        None => self.seed(call, object.name(), id, minimal_fields(object)).await?,
                    }
                }
            }
        }

        if status == 403 && first_error("errorCode") == "REQUEST_LIMIT_EXCEEDED" {
            let message = first_error("message");
            let limit = message.split(' ').next().unwrap_or("TotalRequests");
            self.session.control_post("/faults", &json!({"kind": "rate_limit", "count": 1, "limit": limit})).await?;
        }
        if (500..600).contains(&status) {
            let fault = json!({"kind": "server_error", "count": 1, "status": status});
            self.session.control_post("/faults", &fault).await?;
        }
        Ok(if status == 401 { UNKNOWN_TOKEN } else { TOKEN })
    }

    /// Every id inside the path, query values and JSON strings; form bodies as recorded.
    fn translate(&self, request: &RecordedRequest) -> RecordedRequest {
        let translate = |text: &str| translate_ids(&self.session.ids, text);
        RecordedRequest {
            method: request.method.clone(),
            path: translate(&request.path),
            query: request.query.iter().map(|(k, v)| (k.clone(), translate(v))).collect(),
            body: match &request.body {
                form @ Value::String(_) => form.clone(),
                body => map_strings(body, &translate),
            },
        }
    }
}

impl Normalisation for Salesforce {
    /// Equal text, except that two timestamps always match and that Salesforce ids are bound.
    fn text(recorded: &str, actual: &str, ids: &mut Ids) -> Result<(), String> {
        if is_timestamp(recorded) && is_timestamp(actual) {
            return Ok(());
        }
        compare_runs(recorded, actual, ids, u8::is_ascii_alphanumeric, |r, a| {
            is_sf_id(r) && is_sf_id(a) && r[..3] == a[..3]
        })
    }
}

/// Every id inside `text` (a path, a query, a message) as the emulator knows it; ids are runs of ASCII
/// alphanumerics (`"/sobjects/Contact/0038c…"`).
fn translate_ids(ids: &Ids, text: &str) -> String {
    ids.translate_runs(text, u8::is_ascii_alphanumeric)
}

/// The org features the recording shows.
fn org_features(exchanges: &[Exchange]) -> Value {
    let mut org = Map::new();
    for exchange in exchanges.iter().filter(|e| e.request.method == "POST") {
        for (i, record) in written_records(&exchange.request).into_iter().enumerate() {
            let keys: Vec<&str> = record.keys().map(String::as_str).collect();
            if keys.contains(&"CurrencyIsoCode") {
                org.insert("multiCurrency".into(), json!(true));
            }
            if keys.iter().any(|k| k.ends_with("StateCode") || k.ends_with("CountryCode")) {
                org.insert("stateCountryPicklists".into(), json!(true));
            }
            if keys.contains(&"IsParent") && exchange.response.body[i]["success"] == json!(true) {
                org.insert("sharedActivities".into(), json!(true));
            }
        }
    }
    Value::Object(org)
}

/// The records a POST writes: its body, or each record of a collection.
fn written_records(request: &RecordedRequest) -> Vec<&Map<String, Value>> {
    match request.body.get("records") {
        Some(Value::Array(records)) => records.iter().filter_map(Value::as_object).collect(),
        _ => request.body.as_object().into_iter().collect(),
    }
}

/// Whether the recorded answer refused record `i`'s reference itself (a lookup to nothing).
fn refused_reference(recorded: &RecordedResponse, i: usize) -> bool {
    let errors = match &recorded.body {
        Value::Array(items) if items.first().is_some_and(|e| e.get("errorCode").is_some()) => items.clone(),
        Value::Array(items) => items.get(i).and_then(|r| r["errors"].as_array().cloned()).unwrap_or_default(),
        _ => Vec::new(),
    };
    errors.iter().any(|e| {
        let code = e.get("errorCode").or_else(|| e.get("statusCode")).and_then(Value::as_str).unwrap_or_default();
        matches!(code, "INVALID_CROSS_REFERENCE_KEY" | "FIELD_INTEGRITY_EXCEPTION" | "MALFORMED_ID")
    })
}

/// The record `id` as a later recorded read (`GET /sobjects/{Object}/{id}`) answered it.
fn recorded_read<'a>(exchanges: &'a [Exchange], id: &str) -> Option<&'a Value> {
    exchanges.iter().find_map(|e| {
        let read = e.request.method == "GET" && e.response.status == 200 && e.response.body["Id"] == id;
        read.then_some(&e.response.body)
    })
}

/// What a seeded stand-in record needs to be valid.
fn minimal_fields(object: SObjectType) -> Map<String, Value> {
    let fields = match object {
        SObjectType::Account => json!({"Name": "Seeded account"}),
        SObjectType::Contact => json!({"LastName": "Seeded"}),
        SObjectType::Lead => json!({"LastName": "Seeded", "Company": "Seeded"}),
        SObjectType::Opportunity => json!({"Name": "Seeded", "StageName": "Prospecting", "CloseDate": "2026-12-31"}),
        _ => json!({}),
    };
    fields.as_object().cloned().unwrap_or_default()
}

/// An 18-character id of an object the emulator knows, with a valid suffix.
fn is_sf_id(text: &str) -> bool {
    text.len() == 18 && ids::is_well_formed(text) && SObjectType::of_id(text).is_some()
}

fn is_timestamp(text: &str) -> bool {
    text.len() >= 20 && text.contains('T') && Timestamp::parse(text).is_some()
}

/// The comparison is not vacuous: an id that changes meaning within a case, a missing field and a
/// different message all count.
#[test]
fn the_comparison_catches_what_it_should() {
    let compare_json = fidelity::compare_json::<Salesforce>;
    let mut ids = Ids::default();
    let mut out = Vec::new();
    let recorded = json!({"Id": "0038c000000d5ZMAAY", "attributes": {"url": "/services/data/v66.0/sobjects/Contact/0038c000000d5ZMAAY"},
        "LastName": "Doe", "CreatedDate": "2026-05-14T09:31:02.000+0000"});
    let same = json!({"Id": "0038c000000d5ZNAAY", "attributes": {"url": "/services/data/v66.0/sobjects/Contact/0038c000000d5ZNAAY"},
        "LastName": "Doe", "CreatedDate": "2027-01-01T00:00:00.000+0000"});
    compare_json("$", None, &recorded, &same, &mut ids, &mut out);
    assert!(out.is_empty(), "{out:?}");
    assert_eq!(translate_ids(&ids, "/sobjects/Contact/0038c000000d5ZMAAY"), "/sobjects/Contact/0038c000000d5ZNAAY");

    let drifted = json!({"Id": "0038c000000d5ZOAAY", "attributes": {"url": "/services/data/v66.0/sobjects/Contact/0038c000000d5ZNAAY"},
        "CreatedDate": "2027-01-01T00:00:00.000+0000"});
    compare_json("$", None, &recorded, &drifted, &mut ids, &mut out);
    assert!(out.iter().any(|d| d.starts_with("$.Id")), "{out:?}");
    assert!(out.iter().any(|d| d.starts_with("$.LastName: recorded")), "{out:?}");

    let mut out = Vec::new();
    let message = |m: &str| json!({"message": m});
    let (won, lost) = (message("Stage: bad value: Won"), message("Stage: bad value: Lost"));
    compare_json("$", None, &won, &lost, &mut ids, &mut out);
    let recorded = message("id 0058c00000AsDfGAAV");
    compare_json("$", None, &recorded, &message("id 0058c00000BtEgHAAV"), &mut ids, &mut out);
    compare_json("$", None, &recorded, &message("id 0058c00000CuFhIAAV"), &mut ids, &mut out);
    assert_eq!(out.len(), 2, "{out:?}");
}

#[test]
fn org_features_come_from_the_recording() {
    let exchanges: Vec<Exchange> = serde_json::from_value(json!([
        {"request": {"method": "POST", "path": "/services/data/v66.0/sobjects/Opportunity/", "body": {"CurrencyIsoCode": "GBP"}},
         "response": {"status": 201, "body": {"id": "0068c000000C15NAAS", "success": true, "errors": []}}},
        {"request": {"method": "POST", "path": "/services/data/v66.0/composite/sobjects",
                     "body": {"allOrNone": false, "records": [{"attributes": {"type": "EventRelation"}, "IsParent": true}]}},
         "response": {"status": 200, "body": [{"success": false, "errors": []}]}}
    ]))
    .unwrap();
    assert_eq!(org_features(&exchanges), json!({"multiCurrency": true}));
    assert!(is_sf_id("0058c00000AsDfGAAV") && !is_sf_id("0058c00000AsDfGAAB") && !is_sf_id("12345678901234567X"));
}
