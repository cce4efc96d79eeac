//! Emulator fidelity: every recorded HubSpot exchange under `fixtures/hubspot/*/*/exchanges.json` is
//! replayed over real HTTP against a fresh emulator per case, and the emulator must answer with the
//! recorded status, content type, rate-limit headers and body, ids and timestamps aside. Emulator and
//! recordings cannot drift apart: `cargo test --workspace` runs this (the crate's dev-dependency on
//! itself turns the `emulator` feature on for its tests).
//!
//! Preconditions are derived from the recording, never listed per case:
//! - a recorded `429` → a `rate_limit` fault for that call; a recorded `5xx` → a `server_error` fault
//!   with that status;
//! - a recorded `401 INVALID_AUTHENTICATION` → the call is sent with a token the emulator never issued;
//!   `401 EXPIRED_AUTHENTICATION` → an `expire_token` fault first;
//! - a recorded `409` naming `Existing ID: N` → contact N is seeded (the request's e-mail, plus what any
//!   recorded read of N returned) and N stands for the seeded id from then on;
//! - a recorded `GET /crm/v3/objects/{type}/{id}` answered `200` for an id the case never created → that
//!   record is seeded from the recorded answer's properties;
//! - an association to an id the case never created → a record of the association's target type is
//!   seeded (unless the recorded answer is the invalid-association error itself).
//!
//! Normalised before comparing: numeric ids of 8 digits or more (a recorded id must stand for the same
//! emulator id throughout a case, and the other way round, also inside messages such as
//! `Existing ID: N`), timestamps, `correlationId`/`requestId` values, rate-limit header values, and
//! OAuth secrets (redacted as the recordings are).
#![cfg(feature = "emulator")]

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use connector_hubspot::emulator::{Emulator, association_target};
use serde_json::{Map, Value, json};
use unified_core::testkit::fixture::redact_json;
use unified_core::testkit::{Exchange, RecordedRequest, RecordedResponse};

/// Valid on every emulator until an `expire_token` fault.
const TOKEN: &str = "sandbox-fidelity";
/// Never issued: the emulator's `INVALID_AUTHENTICATION`.
const UNKNOWN_TOKEN: &str = "pat-na1-never-issued";
/// Ids are numeric strings of at least this many digits (owners have 8, records 11 or 12).
const ID_DIGITS: usize = 8;

fn fixture_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/hubspot")
}

/// `fixtures/hubspot/<resource>/<case>/`, sorted.
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
        for (i, exchange) in exchanges.iter().enumerate() {
            let (request, recorded) = (&exchange.request, &exchange.response);
            let call = format!("#{i} {} {}", request.method, request.path);
            if let Some(failure) = &recorded.failure {
                // A call that got no answer (`timeout`, `connect`, `io`) recorded the connector's side of
                // a fault; an emulator that answers cannot reproduce a missing answer, so it is skipped.
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
        let message = recorded.body["message"].as_str().unwrap_or_default();

        if status == 409
            && let Some(existing) = existing_id(message)
            && !self.ids.knows(&existing)
        {
            let mut properties = Map::new();
            if let Some(email) = request.body["properties"]["email"].as_str() {
                properties.insert("email".into(), json!(email));
            }
            self.seed(call, "contacts", &existing, properties, exchanges).await?;
        }
        if request.method == "GET"
            && status == 200
            && let Some((object_type, id)) = object_path(&request.path)
            && !self.ids.knows(&id)
        {
            self.seed(call, &object_type, &id, Map::new(), exchanges).await?;
        }
        if message != "One or more associations are invalid"
            && let Some(from) = object_type_of_create(request)
        {
            for association in request.body["associations"].as_array().into_iter().flatten() {
                let Some(id) = association["to"]["id"].as_str().filter(|id| !self.ids.knows(id)) else { continue };
                let type_id = association["types"][0]["associationTypeId"].as_u64().unwrap_or_default();
                match association_target(&from, u32::try_from(type_id).unwrap_or_default()) {
                    Some(target) => self.seed(call, target, id, Map::new(), exchanges).await?,
                    None => {
                        self.outcome.notes.push(format!("{call}: association type {type_id} unknown; {id} not seeded"))
                    }
                }
            }
        }

        if status == 429 {
            let mut fault = json!({"kind": "rate_limit", "count": 1});
            if let Some(seconds) = recorded.headers.get("retry-after").and_then(|s| s.parse::<u64>().ok()) {
                fault["retryAfter"] = json!(seconds);
            }
            if let Some(policy) = recorded.body["policyName"].as_str() {
                fault["policyName"] = json!(policy);
            }
            self.control_post("/faults", &fault).await?;
        }
        if (500..600).contains(&status) {
            self.control_post("/faults", &json!({"kind": "server_error", "count": 1, "status": status})).await?;
        }
        if status == 401 {
            if recorded.body["category"] == "EXPIRED_AUTHENTICATION" {
                // The token must have been accepted before it can expire.
                self.http
                    .get(self.emulator.url("/crm/v3/owners"))
                    .bearer_auth(TOKEN)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                self.control_post("/faults", &json!({"kind": "expire_token"})).await?;
                return Ok(TOKEN);
            }
            return Ok(UNKNOWN_TOKEN);
        }
        Ok(TOKEN)
    }

    /// Seeds record `recorded_id` of a type with `properties` and whatever any recorded `200` read of it
    /// returned, and lets `recorded_id` stand for the seeded id.
    async fn seed(
        &mut self,
        call: &str,
        object_type: &str,
        recorded_id: &str,
        mut properties: Map<String, Value>,
        exchanges: &[Exchange],
    ) -> Result<(), String> {
        for exchange in exchanges {
            let read = object_path(&exchange.request.path);
            if exchange.request.method == "GET"
                && exchange.response.status == 200
                && read.as_ref().is_some_and(|(ty, id)| ty == object_type && id == recorded_id)
                && let Some(recorded) = exchange.response.body["properties"].as_object()
            {
                for (name, value) in recorded {
                    properties.entry(name.clone()).or_insert_with(|| value.clone());
                }
            }
        }
        let seeded =
            self.control_post(&format!("/records/{object_type}"), &json!({ "properties": properties })).await?;
        let id = seeded["id"].as_str().ok_or_else(|| format!("seeding {object_type} answered {seeded}"))?;
        self.outcome.notes.push(format!("{call}: seeded {object_type} {recorded_id} (emulator id {id})"));
        self.ids.bind(recorded_id, id)
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
        let query: Vec<(&String, String)> = request.query.iter().map(|(k, v)| (k, self.ids.translate(v))).collect();
        let mut builder =
            self.http.request(method, self.emulator.url(&path.join("/"))).query(&query).bearer_auth(token);
        builder = match &request.body {
            Value::Null => builder,
            // Form bodies are recorded as their text, secrets redacted: put made-up ones back.
            Value::String(form) => builder
                .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(unredact_form(form)),
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
        let values_normalised = name.starts_with("x-hubspot-ratelimit") || name == "retry-after";
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
            Ok(value) => redact_json(value),
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

    fn translate(&self, recorded: &str) -> String {
        self.forward.get(recorded).cloned().unwrap_or_else(|| recorded.to_owned())
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
                    (Some(rv), Some(av)) if key == "correlationId" || key == "requestId" => {
                        if !(rv.is_string() && av.is_string()) {
                            out.push(format!("{at}: recorded {rv}, emulator {av}"));
                        }
                    }
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

/// Equal text, except that two timestamps always match and that digit runs of id length are ids.
fn compare_text(recorded: &str, actual: &str, ids: &mut Ids) -> Result<(), String> {
    if is_timestamp(recorded) && is_timestamp(actual) {
        return Ok(());
    }
    let (r, a) = (runs(recorded), runs(actual));
    if r.len() != a.len() {
        return Err(String::new());
    }
    for ((r_digits, r_text), (a_digits, a_text)) in r.iter().zip(&a) {
        if r_digits != a_digits {
            return Err(String::new());
        }
        if *r_digits && r_text.len() >= ID_DIGITS && a_text.len() >= ID_DIGITS {
            ids.bind(r_text, a_text).map_err(|e| format!(" ({e})"))?;
        } else if r_text != a_text {
            return Err(String::new());
        }
    }
    Ok(())
}

/// `"Existing ID: 88415392071"` → `[(false, "Existing ID: "), (true, "88415392071")]`.
fn runs(text: &str) -> Vec<(bool, &str)> {
    let mut runs = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for i in 1..=bytes.len() {
        if i == bytes.len() || bytes[i].is_ascii_digit() != bytes[start].is_ascii_digit() {
            runs.push((bytes[start].is_ascii_digit(), &text[start..i]));
            start = i;
        }
    }
    runs
}

fn is_timestamp(text: &str) -> bool {
    text.len() >= 20 && text.contains('T') && chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

/// `Contact already exists. Existing ID: 88415392071` → `88415392071`.
fn existing_id(message: &str) -> Option<String> {
    let (_, rest) = message.split_once("Existing ID:")?;
    let id: String = rest.trim_start().chars().take_while(char::is_ascii_digit).collect();
    (!id.is_empty()).then_some(id)
}

/// `/crm/v3/objects/contacts/88415392071` → `("contacts", "88415392071")`.
fn object_path(path: &str) -> Option<(String, String)> {
    match path.trim_matches('/').split('/').collect::<Vec<_>>().as_slice() {
        ["crm", "v3", "objects", ty, id] => Some(((*ty).to_owned(), (*id).to_owned())),
        _ => None,
    }
}

/// The object type a `POST /crm/v3/objects/{type}` creates.
fn object_type_of_create(request: &RecordedRequest) -> Option<String> {
    match request.path.trim_matches('/').split('/').collect::<Vec<_>>().as_slice() {
        ["crm", "v3", "objects", ty] if request.method == "POST" => Some((*ty).to_owned()),
        _ => None,
    }
}

/// A recorded token request has its secrets redacted; made-up ones work against the emulator.
fn unredact_form(form: &str) -> String {
    form.split('&')
        .map(|pair| match pair.split_once('=') {
            Some(("refresh_token", "[REDACTED]")) => "refresh_token=sandbox-refresh-fidelity".to_owned(),
            Some(("code", "[REDACTED]")) => "code=fidelity-code".to_owned(),
            Some((key, "[REDACTED]")) => format!("{key}=fidelity"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The comparison is not vacuous: an id that changes meaning within a case, a missing property and a
/// different message all count.
#[test]
fn the_comparison_catches_what_it_should() {
    let mut ids = Ids::default();
    let mut out = Vec::new();
    let recorded = json!({"id": "88415392071", "properties": {"hs_object_id": "88415392071", "a": "x",
        "createdate": "2026-05-14T09:31:02.487Z"}, "correlationId": "r"});
    let same = json!({"id": "10451230001", "properties": {"hs_object_id": "10451230001", "a": "x",
        "createdate": "2027-01-01T00:00:00Z"}, "correlationId": "e"});
    compare_json("$", &recorded, &same, &mut ids, &mut out);
    assert!(out.is_empty(), "{out:?}");
    assert_eq!(ids.translate("88415392071"), "10451230001");

    let drifted = json!({"id": "10451230002", "properties": {"hs_object_id": "10451230001"}, "correlationId": "e"});
    compare_json("$", &recorded, &drifted, &mut Ids::default(), &mut out);
    assert!(out.iter().any(|d| d.starts_with("$.properties.hs_object_id")), "{out:?}");
    assert!(out.iter().any(|d| d.starts_with("$.properties.a: recorded")), "{out:?}");

    let mut out = Vec::new();
    let message = |m: &str| json!({"message": m});
    compare_json("$", &message("Existing ID: 88415392071"), &message("Existing ID: 10451230001"), &mut ids, &mut out);
    compare_json("$", &message("won was not"), &message("lost was not"), &mut ids, &mut out);
    compare_json("$", &message("Existing ID: 88415392071"), &message("Existing ID: 10451230009"), &mut ids, &mut out);
    assert_eq!(out.len(), 2, "{out:?}");
}

#[test]
fn recorded_forms_get_working_secrets() {
    assert_eq!(
        unredact_form("grant_type=refresh_token&client_id=[REDACTED]&refresh_token=[REDACTED]"),
        "grant_type=refresh_token&client_id=fidelity&refresh_token=sandbox-refresh-fidelity"
    );
    assert_eq!(object_path("/crm/v3/objects/contacts/1"), Some(("contacts".into(), "1".into())));
    assert_eq!(existing_id("Contact already exists. Existing ID: 42"), Some("42".into()));
}
