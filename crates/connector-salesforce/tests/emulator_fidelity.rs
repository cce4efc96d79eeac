//! Emulator fidelity: every recorded Salesforce exchange under `fixtures/salesforce/*/*/exchanges.json`
//! is replayed over real HTTP against a fresh emulator per case, and the emulator must answer with the
//! recorded status, content type and body, ids and timestamps aside. Emulator and recordings cannot
//! drift apart: `cargo test --workspace` runs this (the crate's dev-dependency on itself turns the
//! `emulator` feature on for its tests).
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
//!   → a record of the object its key prefix names is seeded, unless the recorded answer refused that
//!   very reference (`INVALID_CROSS_REFERENCE_KEY`).
//!
//! Normalised before comparing: Salesforce ids (18 characters of a known key prefix: a recorded id must
//! stand for the same emulator id throughout a case, and the other way round, also inside messages and
//! URLs) and timestamps.
#![cfg(feature = "emulator")]

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use connector_salesforce::emulator::schema::SObjectType;
use connector_salesforce::emulator::{Emulator, ids};
use serde_json::{Map, Value, json};
use unified_core::testkit::{Exchange, RecordedRequest, RecordedResponse};
use unified_core::time::Timestamp;

/// Valid on every emulator until an `expire_token` fault.
const TOKEN: &str = "sandbox-fidelity";
/// Never opened: the emulator's `INVALID_SESSION_ID`.
const UNKNOWN_TOKEN: &str = "00D8c0000012AbC!never-opened";

fn fixture_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/salesforce")
}

/// `fixtures/salesforce/<resource>/<case>/`, sorted.
fn cases() -> Vec<(String, PathBuf)> {
    // The fixture suite's own walk, so that both see the same cases.
    unified_core::testkit::suite::case_dirs(&fixture_root())
        .into_iter()
        .map(|case| {
            let resource = case.parent().and_then(Path::file_name).unwrap_or_default().to_string_lossy().into_owned();
            let name = case.file_name().unwrap_or_default().to_string_lossy().into_owned();
            (format!("{resource}/{name}"), case)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_recorded_exchange_replays_against_the_emulator() {
    let cases = cases();
    assert!(!cases.is_empty(), "no fixture cases under {}", fixture_root().display());
    let mut report = Vec::new();
    let mut failed = 0;
    for (name, dir) in &cases {
        let path = dir.join("exchanges.json");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let exchanges: Vec<Exchange> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let outcome = Replay::start().await.run(&exchanges).await;
        let verdict = if outcome.mismatches.is_empty() { "ok  " } else { "FAIL" };
        report.push(format!("{verdict} {name} ({} of {} exchanges replayed)", outcome.replayed, exchanges.len()));
        report.extend(outcome.notes.iter().map(|n| format!("       note: {n}")));
        report.extend(outcome.mismatches.iter().map(|m| format!("       {m}")));
        failed += usize::from(!outcome.mismatches.is_empty());
    }
    println!("{}", report.join("\n"));
    assert_eq!(failed, 0, "{failed} of {} fixture cases differ from the emulator (report above)", cases.len());
}

#[derive(Debug, Default)]
struct Outcome {
    replayed: usize,
    notes: Vec<String>,
    mismatches: Vec<String>,
}

/// One case against one fresh emulator.
struct Replay {
    emulator: Emulator,
    http: reqwest::Client,
    ids: Ids,
    outcome: Outcome,
}

impl Replay {
    async fn start() -> Self {
        let emulator = Emulator::start().await.expect("the emulator starts");
        Self { emulator, http: reqwest::Client::new(), ids: Ids::default(), outcome: Outcome::default() }
    }

    async fn run(mut self, exchanges: &[Exchange]) -> Outcome {
        let org = org_features(exchanges);
        if org.as_object().is_some_and(|o| !o.is_empty()) {
            match self.control_post("/org", &org).await {
                Ok(_) => self.outcome.notes.push(format!("org features {org}")),
                Err(problem) => self.outcome.mismatches.push(format!("org features: {problem}")),
            }
        }
        for (i, exchange) in exchanges.iter().enumerate() {
            let (request, recorded) = (&exchange.request, &exchange.response);
            let call = format!("#{i} {} {}", request.method, request.path);
            if let Some(failure) = &recorded.failure {
                // A call that got no answer (`timeout`, `connect`, `io`) recorded the connector's side of
                // a fault; an emulator that answers cannot reproduce a missing answer, so it is skipped.
                self.outcome.notes.push(format!("{call}: recorded `{failure}`, no answer to compare: skipped"));
                continue;
            }
            let token = match self.preconditions(&call, &exchanges[i]).await {
                Ok(token) => token,
                Err(problem) => {
                    self.outcome.mismatches.push(format!("{call}: precondition failed: {problem}"));
                    continue;
                }
            };
            let answer = self.send(request, token).await;
            self.outcome.replayed += 1;
            let mismatches = compare(&call, recorded, &answer, &mut self.ids);
            self.outcome.mismatches.extend(mismatches);
        }
        self.outcome
    }

    /// Seeds and faults the recording implies before an exchange; returns the token to send it with.
    async fn preconditions(&mut self, call: &str, exchange: &Exchange) -> Result<&'static str, String> {
        let (request, recorded) = (&exchange.request, &exchange.response);
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
                    if self.ids.knows(id) || refused {
                        continue;
                    }
                    let Some(object) = SObjectType::of_id(id) else { continue };
                    if matches!(object, SObjectType::User | SObjectType::Group) {
                        continue;
                    }
                    let fields = minimal_fields(object);
                    self.outcome.notes.push(format!("{call}: {key} refers to {id}, never created in the case"));
                    self.seed(call, object.name(), id, fields).await?;
                }
            }
        }

        if status == 403 && first_error("errorCode") == "REQUEST_LIMIT_EXCEEDED" {
            let message = first_error("message");
            let limit = message.split(' ').next().unwrap_or("TotalRequests");
            self.control_post("/faults", &json!({"kind": "rate_limit", "count": 1, "limit": limit})).await?;
        }
        if (500..600).contains(&status) {
            self.control_post("/faults", &json!({"kind": "server_error", "count": 1, "status": status})).await?;
        }
        Ok(if status == 401 { UNKNOWN_TOKEN } else { TOKEN })
    }

    /// Seeds a record a recorded answer showed (fields as recorded), unless the case knows it.
    async fn seed_recorded(&mut self, call: &str, record: &Value) -> Result<(), String> {
        let (Some(id), Some(kind)) = (record["Id"].as_str(), record["attributes"]["type"].as_str()) else {
            return Ok(());
        };
        if self.ids.knows(id) {
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
        if self.ids.knows(id) {
            return Ok(());
        }
        let response = self
            .http
            .post(self.emulator.url(&format!("/_emulator/records/{object}")))
            .json(&json!({"id": id, "fields": fields}))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let answer: Value = response.json().await.map_err(|e| e.to_string())?;
        if status.as_u16() == 409 {
            return self.ids.bind(id, id);
        }
        if !status.is_success() {
            return Err(format!("seeding {object} {id}: {status} {answer}"));
        }
        self.outcome.notes.push(format!("{call}: seeded {object} {id}"));
        self.ids.bind(id, answer["Id"].as_str().unwrap_or(id))
    }

    async fn control_post(&self, path: &str, body: &Value) -> Result<Value, String> {
        let response = self
            .http
            .post(self.emulator.url(&format!("/_emulator{path}")))
            .json(body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let answer: Value = response.json().await.map_err(|e| e.to_string())?;
        if status.is_success() { Ok(answer) } else { Err(format!("POST /_emulator{path} {body}: {status} {answer}")) }
    }

    /// The recorded request, its ids translated to the emulator's, over HTTP.
    async fn send(&self, request: &RecordedRequest, token: &str) -> Answer {
        let path = self.ids.translate(&request.path);
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).expect("a recorded HTTP method");
        let query: Vec<(&String, String)> = request.query.iter().map(|(k, v)| (k, self.ids.translate(v))).collect();
        let mut builder = self.http.request(method, self.emulator.url(&path)).query(&query).bearer_auth(token);
        builder = match &request.body {
            Value::Null => builder,
            Value::String(form) => {
                builder.header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(form.clone())
            }
            body => builder.json(&self.ids.translate_json(body)),
        };
        let response = builder.send().await.expect("the emulator answers");
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(name, value)| Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned())))
            .collect();
        let text = response.text().await.unwrap_or_default();
        Answer { status, headers, text }
    }
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

/// Status, recorded headers and body of one answer; the differences, each naming the call.
fn compare(call: &str, recorded: &RecordedResponse, answer: &Answer, ids: &mut Ids) -> Vec<String> {
    let mut mismatches = Vec::new();
    if recorded.status != answer.status {
        mismatches.push(format!(
            "{call}: status: recorded {}, emulator {} (body {})",
            recorded.status, answer.status, answer.text
        ));
        return mismatches;
    }
    for (name, value) in &recorded.headers {
        match answer.headers.get(name.to_ascii_lowercase().as_str()) {
            None => mismatches.push(format!("{call}: header {name}: recorded {value:?}, emulator sends none")),
            Some(actual) if actual != value => {
                mismatches.push(format!("{call}: header {name}: recorded {value:?}, emulator {actual:?}"));
            }
            Some(_) => {}
        }
    }
    let json = recorded.headers.get("content-type").is_none_or(|t| t.contains("json"));
    if let (false, Value::String(text)) = (json, &recorded.body) {
        if *text != answer.text {
            mismatches.push(format!("{call}: body: recorded {text:?}, emulator {:?}", answer.text));
        }
        return mismatches;
    }
    let actual = if answer.text.is_empty() {
        Value::Null
    } else {
        match serde_json::from_str(&answer.text) {
            Ok(value) => value,
            Err(_) => {
                mismatches.push(format!("{call}: body: recorded JSON, emulator {:?}", answer.text));
                return mismatches;
            }
        }
    };
    let mut differences = Vec::new();
    compare_json("$", &recorded.body, &actual, ids, &mut differences);
    mismatches.extend(differences.into_iter().map(|d| format!("{call}: body {d}")));
    mismatches
}

struct Answer {
    status: u16,
    headers: HashMap<String, String>,
    text: String,
}

/// An 18-character id of an object the emulator knows, with a valid suffix.
fn is_sf_id(text: &str) -> bool {
    text.len() == 18 && ids::is_well_formed(text) && SObjectType::of_id(text).is_some()
}

/// Recorded id ⇄ emulator id, one to one within a case.
#[derive(Debug, Default)]
struct Ids {
    forward: HashMap<String, String>,
    backward: HashMap<String, String>,
}

impl Ids {
    fn knows(&self, recorded: &str) -> bool {
        self.forward.contains_key(recorded)
    }

    /// Every id inside `text` (a path, a query, a message) as the emulator knows it.
    fn translate(&self, text: &str) -> String {
        runs(text).into_iter().map(|(_, run)| self.forward.get(run).map_or(run, String::as_str)).collect()
    }

    fn translate_json(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.translate(s)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.translate_json(v)).collect()),
            Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), self.translate_json(v))).collect()),
            other => other.clone(),
        }
    }

    fn bind(&mut self, recorded: &str, actual: &str) -> Result<(), String> {
        if let Some(earlier) = self.forward.get(recorded) {
            return if earlier == actual {
                Ok(())
            } else {
                Err(format!("recorded id {recorded} was emulator id {earlier} earlier in the case, now {actual}"))
            };
        }
        if let Some(other) = self.backward.get(actual) {
            return Err(format!(
                "emulator id {actual} already stands for recorded id {other}, now also for {recorded}"
            ));
        }
        self.forward.insert(recorded.to_owned(), actual.to_owned());
        self.backward.insert(actual.to_owned(), recorded.to_owned());
        Ok(())
    }
}

/// Structural comparison; differences are pushed as `$.path: recorded X, emulator Y`.
fn compare_json(path: &str, recorded: &Value, actual: &Value, ids: &mut Ids, out: &mut Vec<String>) {
    match (recorded, actual) {
        (Value::Object(r), Value::Object(a)) => {
            let keys: BTreeSet<&String> = r.keys().chain(a.keys()).collect();
            for key in keys {
                let at = format!("{path}.{key}");
                match (r.get(key), a.get(key)) {
                    (Some(rv), Some(av)) => compare_json(&at, rv, av, ids, out),
                    (Some(rv), None) => out.push(format!("{at}: recorded {rv}, emulator has none")),
                    (None, Some(av)) => out.push(format!("{at}: not recorded, emulator adds {av}")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(r), Value::Array(a)) if r.len() == a.len() => {
            for (i, (rv, av)) in r.iter().zip(a).enumerate() {
                compare_json(&format!("{path}[{i}]"), rv, av, ids, out);
            }
        }
        (Value::String(r), Value::String(a)) => {
            if let Err(problem) = compare_text(r, a, ids) {
                out.push(format!("{path}: recorded {r:?}, emulator {a:?}{problem}"));
            }
        }
        (r, a) if r == a => {}
        (r, a) => out.push(format!("{path}: recorded {r}, emulator {a}")),
    }
}

/// Equal text, except that two timestamps always match and that Salesforce ids are bound.
fn compare_text(recorded: &str, actual: &str, ids: &mut Ids) -> Result<(), String> {
    if is_timestamp(recorded) && is_timestamp(actual) {
        return Ok(());
    }
    let (r, a) = (runs(recorded), runs(actual));
    if r.len() != a.len() {
        return Err(String::new());
    }
    for ((r_alnum, r_text), (a_alnum, a_text)) in r.iter().zip(&a) {
        if r_alnum != a_alnum {
            return Err(String::new());
        }
        if *r_alnum && is_sf_id(r_text) && is_sf_id(a_text) && r_text[..3] == a_text[..3] {
            ids.bind(r_text, a_text).map_err(|e| format!(" ({e})"))?;
        } else if r_text != a_text {
            return Err(String::new());
        }
    }
    Ok(())
}

/// `"/sobjects/Contact/0038c…"` → alternating runs of ASCII alphanumerics and of everything else.
fn runs(text: &str) -> Vec<(bool, &str)> {
    let mut runs = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for i in 1..=bytes.len() {
        if i == bytes.len() || bytes[i].is_ascii_alphanumeric() != bytes[start].is_ascii_alphanumeric() {
            runs.push((bytes[start].is_ascii_alphanumeric(), &text[start..i]));
            start = i;
        }
    }
    runs
}

fn is_timestamp(text: &str) -> bool {
    text.len() >= 20 && text.contains('T') && Timestamp::parse(text).is_some()
}

/// The comparison is not vacuous: an id that changes meaning within a case, a missing field and a
/// different message all count.
#[test]
fn the_comparison_catches_what_it_should() {
    let mut ids = Ids::default();
    let mut out = Vec::new();
    let recorded = json!({"Id": "0038c000000d5ZMAAY", "attributes": {"url": "/services/data/v66.0/sobjects/Contact/0038c000000d5ZMAAY"},
        "LastName": "Doe", "CreatedDate": "2026-05-14T09:31:02.000+0000"});
    let same = json!({"Id": "0038c000000d5ZNAAY", "attributes": {"url": "/services/data/v66.0/sobjects/Contact/0038c000000d5ZNAAY"},
        "LastName": "Doe", "CreatedDate": "2027-01-01T00:00:00.000+0000"});
    compare_json("$", &recorded, &same, &mut ids, &mut out);
    assert!(out.is_empty(), "{out:?}");
    assert_eq!(ids.translate("/sobjects/Contact/0038c000000d5ZMAAY"), "/sobjects/Contact/0038c000000d5ZNAAY");

    let drifted = json!({"Id": "0038c000000d5ZOAAY", "attributes": {"url": "/services/data/v66.0/sobjects/Contact/0038c000000d5ZNAAY"},
        "CreatedDate": "2027-01-01T00:00:00.000+0000"});
    compare_json("$", &recorded, &drifted, &mut ids, &mut out);
    assert!(out.iter().any(|d| d.starts_with("$.Id")), "{out:?}");
    assert!(out.iter().any(|d| d.starts_with("$.LastName: recorded")), "{out:?}");

    let mut out = Vec::new();
    let message = |m: &str| json!({"message": m});
    compare_json("$", &message("Stage: bad value: Won"), &message("Stage: bad value: Lost"), &mut ids, &mut out);
    compare_json("$", &message("id 0058c00000AsDfGAAV"), &message("id 0058c00000BtEgHAAV"), &mut ids, &mut out);
    compare_json("$", &message("id 0058c00000AsDfGAAV"), &message("id 0058c00000CuFhIAAV"), &mut ids, &mut out);
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
