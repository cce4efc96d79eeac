//! Emulator fidelity: every recorded Pipedrive exchange under `fixtures/pipedrive/*/*/exchanges.json` is
//! replayed over real HTTP against a fresh emulator per case, and the emulator must answer with the
//! recorded status, content type, rate-limit headers and body, ids and timestamps aside. Emulator and
//! recordings cannot drift apart: `cargo test --workspace` runs this (the crate's dev-dependency on
//! itself turns the `emulator` feature on for its tests).
//!
//! Preconditions are derived from the recording, never listed per case:
//! - a recorded `429` → a `rate_limit` fault for that call (`"scope": "daily"` when the recorded
//!   `x-daily-ratelimit-token-remaining` is 0); a recorded `5xx` → a `server_error` fault with that status;
//! - a recorded `401` → the call is sent with a token the emulator never issued;
//! - a search answered with hits the case never created → those organizations or persons are seeded
//!   (with whatever a recorded read of them returned);
//! - a recorded `GET /api/v2/{kind}/{id}` (or `/api/v1/leads/{id}`) answered `200` for a record the case
//!   never created → that record is seeded from the recorded answer;
//! - a create that links a record the case never created (`org_id`, `organization_id`, `person_id`,
//!   `deal_id`, participants) → a record of that kind is seeded (unless the recorded answer refused it).
//!
//! Normalised before comparing: record ids (numbers of 4 digits or more, and UUIDs, under `id`,
//! `person_id`, `org_id`, `organization_id`, `deal_id`, `lead_id`: a recorded id must stand for the same
//! emulator id throughout a case, and the other way round), timestamps (RFC 3339 and v1's
//! `YYYY-MM-DD HH:MM:SS`), and rate-limit header values.
#![cfg(feature = "emulator")]

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use connector_pipedrive::emulator::Emulator;
use serde_json::{Map, Value, json};
use unified_core::testkit::{Exchange, RecordedRequest, RecordedResponse};

/// Valid on every emulator until an `expire_token` fault.
const TOKEN: &str = "sandbox-fidelity";
/// Never issued: the emulator's `401 unauthorized access`.
const UNKNOWN_TOKEN: &str = "13374021:9902154:ffffffffffffffffffffffffffffffffffffffff";
/// The keys whose values are record ids.
const ID_KEYS: &[&str] = &["id", "person_id", "org_id", "organization_id", "deal_id", "lead_id"];
/// Record ids are at least this large; smaller ids are option, stage and label ids, compared as they are.
const MIN_RECORD_ID: u64 = 1000;

fn fixture_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/pipedrive")
}

/// `fixtures/pipedrive/<resource>/<case>/`, sorted.
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
        if !path.exists() {
            report.push(format!("ok   {name} (no exchanges: nothing was sent)"));
            continue;
        }
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
        for (i, exchange) in exchanges.iter().enumerate() {
            let (request, recorded) = (&exchange.request, &exchange.response);
            let call = format!("#{i} {} {}", request.method, request.path);
            if let Some(failure) = &recorded.failure {
                // A call that got no answer (`timeout`, `connect`, `io`) recorded the connector's side of a
                // fault; an emulator that answers cannot reproduce a missing answer, so it is skipped.
                self.outcome.notes.push(format!("{call}: recorded `{failure}`, no answer to compare: skipped"));
                continue;
            }
            let token = match self.preconditions(&call, i, exchanges).await {
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

    /// Seeds and faults the recording implies before exchange `i`; returns the token to send it with.
    async fn preconditions(&mut self, call: &str, i: usize, exchanges: &[Exchange]) -> Result<&'static str, String> {
        let (request, recorded) = (&exchanges[i].request, &exchanges[i].response);
        let status = recorded.status;

        if request.method == "GET" && status == 200 && request.path.ends_with("/search") {
            let kind = if request.path.contains("/organizations/") { "organizations" } else { "persons" };
            for hit in recorded.body["data"]["items"].as_array().into_iter().flatten() {
                let item = &hit["item"];
                if self.ids.knows_value(&item["id"]) {
                    continue;
                }
                let mut fields = Map::new();
                fields.insert("name".into(), item["name"].clone());
                if let Some(emails) = item["emails"].as_array() {
                    let emails: Vec<Value> = emails.iter().map(|e| json!({"value": e, "label": "work"})).collect();
                    fields.insert("emails".into(), Value::Array(emails));
                }
                self.seed(call, kind, &item["id"], fields, exchanges).await?;
            }
        }
        if request.method == "GET"
            && status == 200
            && let Some((kind, id)) = record_path(&request.path)
            && !self.ids.knows(&id)
        {
            self.seed(call, kind, &id_value(&id), Map::new(), exchanges).await?;
        }
        if request.method == "POST" && status < 400 && request.body.is_object() {
            for (key, kind, id) in references(&request.body) {
                if self.ids.knows_value(&id) {
                    continue;
                }
                let fields = match kind {
                    "organizations" => json!({"name": format!("Seeded organization ({key})")}),
                    "persons" => json!({"name": format!("Seeded person ({key})")}),
                    "deals" => json!({"title": format!("Seeded deal ({key})")}),
                    _ => json!({"title": format!("Seeded lead ({key})"), "organization_id": null}),
                };
                let fields = fields.as_object().cloned().unwrap_or_default();
                self.seed(call, kind, &id, fields, exchanges).await?;
            }
        }

        if status == 429 {
            let daily = recorded.headers.get("x-daily-ratelimit-token-remaining").is_some_and(|r| r == "0");
            let mut fault = json!({"kind": "rate_limit", "count": 1, "scope": if daily { "daily" } else { "burst" }});
            if let Some(seconds) = recorded.headers.get("retry-after").and_then(|s| s.parse::<u64>().ok()) {
                fault["retryAfter"] = json!(seconds);
            }
            self.control_post("/faults", &fault).await?;
        }
        if (500..600).contains(&status) {
            self.control_post("/faults", &json!({"kind": "server_error", "count": 1, "status": status})).await?;
        }
        Ok(if status == 401 { UNKNOWN_TOKEN } else { TOKEN })
    }

    /// Seeds record `recorded_id` of a kind with `fields` and whatever any recorded `200` read of it
    /// returned, and lets `recorded_id` stand for the seeded id.
    async fn seed(
        &mut self,
        call: &str,
        kind: &str,
        recorded_id: &Value,
        mut fields: Map<String, Value>,
        exchanges: &[Exchange],
    ) -> Result<(), String> {
        let recorded_text = id_text(recorded_id).ok_or_else(|| format!("{recorded_id} is not an id"))?;
        for exchange in exchanges {
            let read = record_path(&exchange.request.path);
            if exchange.request.method == "GET"
                && exchange.response.status == 200
                && read.as_ref().is_some_and(|(k, id)| *k == kind && *id == recorded_text)
                && let Some(recorded) = exchange.response.body["data"].as_object()
            {
                for (name, value) in recorded.iter().filter(|(name, _)| name.as_str() != "id") {
                    fields.insert(name.clone(), value.clone());
                }
            }
        }
        let fields = self.ids.translate_json(&Value::Object(fields));
        let seeded = self.control_post(&format!("/records/{kind}"), &fields).await?;
        let id = id_text(&seeded["id"]).ok_or_else(|| format!("seeding {kind} answered {seeded}"))?;
        self.outcome.notes.push(format!("{call}: seeded {kind} {recorded_text} (emulator id {id})"));
        self.ids.bind(&recorded_text, &id)
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
        let path: Vec<String> = request.path.split('/').map(|segment| self.ids.translate(segment)).collect();
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).expect("a recorded HTTP method");
        let query: Vec<(&String, &String)> = request.query.iter().collect();
        let mut builder =
            self.http.request(method, self.emulator.url(&path.join("/"))).query(&query).bearer_auth(token);
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
        let actual = answer.headers.get(name.to_ascii_lowercase().as_str());
        let values_normalised = name.contains("ratelimit") || name == "retry-after";
        match actual {
            None => mismatches.push(format!("{call}: header {name}: recorded {value:?}, emulator sends none")),
            Some(actual) if !values_normalised && actual != value => {
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
    compare_json("$", None, &recorded.body, &actual, ids, &mut differences);
    mismatches.extend(differences.into_iter().map(|d| format!("{call}: body {d}")));
    mismatches
}

struct Answer {
    status: u16,
    headers: HashMap<String, String>,
    text: String,
}

/// Recorded id ⇄ emulator id, one to one within a case (ids as text: `5821`, or a lead's UUID).
#[derive(Debug, Default)]
struct Ids {
    forward: HashMap<String, String>,
    backward: HashMap<String, String>,
}

impl Ids {
    fn knows(&self, recorded: &str) -> bool {
        self.forward.contains_key(recorded)
    }

    fn knows_value(&self, recorded: &Value) -> bool {
        id_text(recorded).is_some_and(|id| self.knows(&id))
    }

    fn translate(&self, recorded: &str) -> String {
        self.forward.get(recorded).cloned().unwrap_or_else(|| recorded.to_owned())
    }

    /// A body with the record ids under [`ID_KEYS`] (and in participants) translated.
    fn translate_json(&self, value: &Value) -> Value {
        match value {
            Value::Array(items) => Value::Array(items.iter().map(|v| self.translate_json(v)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let v =
                            if ID_KEYS.contains(&k.as_str()) { self.translate_id(v) } else { self.translate_json(v) };
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn translate_id(&self, value: &Value) -> Value {
        match (value, id_text(value)) {
            (Value::Number(_), Some(id)) => id_value(&self.translate(&id)),
            (Value::String(_), Some(id)) => Value::String(self.translate(&id)),
            (other, _) => other.clone(),
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

/// A record id as text: a number of [`MIN_RECORD_ID`] or more, or a UUID.
fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => n.as_u64().filter(|n| *n >= MIN_RECORD_ID).map(|n| n.to_string()),
        Value::String(s) if is_uuid(s) => Some(s.clone()),
        _ => None,
    }
}

/// An id's text as the JSON value it was: a number, or a UUID string.
fn id_value(text: &str) -> Value {
    text.parse::<u64>().map_or_else(|_| Value::String(text.to_owned()), Value::from)
}

fn is_uuid(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12]) && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Structural comparison; differences are pushed as `$.path: recorded X, emulator Y`.
fn compare_json(path: &str, key: Option<&str>, recorded: &Value, actual: &Value, ids: &mut Ids, out: &mut Vec<String>) {
    if key.is_some_and(|k| ID_KEYS.contains(&k))
        && let (Some(r), Some(a)) = (id_text(recorded), id_text(actual))
    {
        if let Err(problem) = ids.bind(&r, &a) {
            out.push(format!("{path}: recorded {recorded}, emulator {actual} ({problem})"));
        }
        return;
    }
    match (recorded, actual) {
        (Value::Object(r), Value::Object(a)) => {
            let keys: BTreeSet<&String> = r.keys().chain(a.keys()).collect();
            for k in keys {
                let at = format!("{path}.{k}");
                match (r.get(k), a.get(k)) {
                    (Some(rv), Some(av)) => compare_json(&at, Some(k), rv, av, ids, out),
                    (Some(rv), None) => out.push(format!("{at}: recorded {rv}, emulator has none")),
                    (None, Some(av)) => out.push(format!("{at}: not recorded, emulator adds {av}")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(r), Value::Array(a)) if r.len() == a.len() => {
            for (i, (rv, av)) in r.iter().zip(a).enumerate() {
                compare_json(&format!("{path}[{i}]"), key, rv, av, ids, out);
            }
        }
        (Value::String(r), Value::String(a)) if is_timestamp(r) && is_timestamp(a) => {}
        (r, a) if r == a => {}
        (r, a) => out.push(format!("{path}: recorded {r}, emulator {a}")),
    }
}

/// RFC 3339 (v2, leads) or `2026-05-14 09:31:02` (v1).
fn is_timestamp(text: &str) -> bool {
    (text.len() >= 20 && text.contains('T') && chrono::DateTime::parse_from_rfc3339(text).is_ok())
        || chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").is_ok()
}

/// `/api/v2/persons/5821` → `("persons", "5821")`; `/api/v1/leads/<uuid>` → `("leads", uuid)`.
fn record_path(path: &str) -> Option<(&'static str, String)> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let kind = match segments.as_slice() {
        ["api", "v2", "persons", id] if *id != "search" => "persons",
        ["api", "v2", "organizations", id] if *id != "search" => "organizations",
        ["api", "v2", "deals", _] => "deals",
        ["api", "v2", "activities", _] => "activities",
        ["api", "v1", "leads", _] => "leads",
        _ => return None,
    };
    Some((kind, segments[3].to_owned()))
}

/// The records a create body links: `(key, kind, id)`.
fn references(body: &Value) -> Vec<(&'static str, &'static str, Value)> {
    let mut found = Vec::new();
    for (key, kind) in [
        ("org_id", "organizations"),
        ("organization_id", "organizations"),
        ("person_id", "persons"),
        ("deal_id", "deals"),
        ("lead_id", "leads"),
    ] {
        if let Some(id) = body.get(key).filter(|v| id_text(v).is_some()) {
            found.push((key, kind, id.clone()));
        }
    }
    for participant in body["participants"].as_array().into_iter().flatten() {
        if let Some(id) = participant.get("person_id").filter(|v| id_text(v).is_some()) {
            found.push(("participants", "persons", id.clone()));
        }
    }
    found
}

/// The comparison is not vacuous: an id that changes meaning within a case, a missing field and a
/// different message all count.
#[test]
fn the_comparison_catches_what_it_should() {
    let mut ids = Ids::default();
    let mut out = Vec::new();
    let recorded = json!({"data": {"id": 5821, "org_id": 2210, "owner_id": 13374021, "label_ids": [5],
        "add_time": "2026-05-14T09:31:02Z", "name": "Jane"}});
    let same = json!({"data": {"id": 5830, "org_id": 2215, "owner_id": 13374021, "label_ids": [5],
        "add_time": "2027-01-01T00:00:00Z", "name": "Jane"}});
    compare_json("$", None, &recorded, &same, &mut ids, &mut out);
    assert!(out.is_empty(), "{out:?}");
    assert_eq!(ids.translate("5821"), "5830");
    assert_eq!(
        ids.translate_json(&json!({"person_id": 5821, "participants": [{"person_id": 5821}]})),
        json!({"person_id": 5830, "participants": [{"person_id": 5830}]})
    );

    let drifted = json!({"data": {"id": 5831, "org_id": 2215, "owner_id": 13374057, "label_ids": [6],
        "add_time": "2027-01-01T00:00:00Z"}});
    compare_json("$", None, &recorded, &drifted, &mut ids, &mut out);
    let paths: Vec<&str> = out.iter().map(|d| d.split(':').next().unwrap()).collect();
    assert_eq!(paths, ["$.data.id", "$.data.label_ids[0]", "$.data.name", "$.data.owner_id"], "{out:?}");

    let mut out = Vec::new();
    let lead = |id: &str| json!({"id": id, "add_time": "2026-05-14 09:31:02"});
    compare_json(
        "$",
        None,
        &lead("adf21080-0e10-11eb-879b-05d71fb426ec"),
        &lead("0e13eb1c-f9ea-4523-8823-58f38fc1bb44"),
        &mut ids,
        &mut out,
    );
    compare_json(
        "$",
        None,
        &json!({"error": "Stage with id 99 does not exist"}),
        &json!({"error": "Stage with id 98 does not exist"}),
        &mut ids,
        &mut out,
    );
    assert_eq!(out.len(), 1, "{out:?}");
}

#[test]
fn paths_and_references() {
    assert_eq!(record_path("/api/v2/persons/5821"), Some(("persons", "5821".into())));
    assert_eq!(record_path("/api/v2/persons/search"), None);
    assert_eq!(record_path("/api/v1/users/13374021"), None);
    let body = json!({"org_id": 2210, "person_id": null, "participants": [{"person_id": 5821, "primary": true}], "stage_id": 3});
    let kinds: Vec<(&str, &str)> = references(&body).into_iter().map(|(k, kind, _)| (k, kind)).collect();
    assert_eq!(kinds, [("org_id", "organizations"), ("participants", "persons")]);
}
