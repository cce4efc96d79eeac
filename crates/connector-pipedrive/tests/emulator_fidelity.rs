//! Emulator fidelity: every recorded Pipedrive exchange under `fixtures/pipedrive/*/*/exchanges.json` is
//! replayed over real HTTP against a fresh emulator per case, and the emulator must answer with the
//! recorded status, content type, rate-limit headers and body, ids and timestamps aside. Emulator and
//! recordings cannot drift apart: `cargo test --workspace` runs this (the crate's dev-dependency on
//! itself turns the `emulator` feature on for its tests). The case walk, the exchange loop and the
//! comparison are shared (`unified_core::testkit::fidelity`); what is Pipedrive's is here.
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

use std::path::{Path, PathBuf};

use connector_pipedrive::emulator::Emulator;
use serde_json::{Map, Value, json};
use unified_core::testkit::fidelity::{self, Ids, Normalisation, Replay, Session, is_rfc3339_timestamp};
use unified_core::testkit::{Exchange, RecordedRequest};

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_recorded_exchange_replays_against_the_emulator() {
    fidelity::replay_every_case(&fixture_root(), async |exchanges| Pipedrive::start().await.run(exchanges).await).await;
}

/// One case against one fresh emulator.
struct Pipedrive {
    _emulator: Emulator,
    session: Session,
}

impl Pipedrive {
    async fn start() -> Self {
        let emulator = Emulator::start().await.expect("the emulator starts");
        let session = Session::new(emulator.base_url());
        Self { _emulator: emulator, session }
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
        let fields = translate_json(&self.session.ids, &Value::Object(fields));
        let seeded = self.session.control_post(&format!("/records/{kind}"), &fields).await?;
        let id = id_text(&seeded["id"]).ok_or_else(|| format!("seeding {kind} answered {seeded}"))?;
        self.session.note(format!("{call}: seeded {kind} {recorded_text} (emulator id {id})"));
        self.session.ids.bind(&recorded_text, &id)
    }
}

impl Replay for Pipedrive {
    fn session(&mut self) -> &mut Session {
        &mut self.session
    }

    async fn preconditions(&mut self, call: &str, i: usize, exchanges: &[Exchange]) -> Result<&'static str, String> {
        let (request, recorded) = (&exchanges[i].request, &exchanges[i].response);
        let status = recorded.status;

        if request.method == "GET" && status == 200 && request.path.ends_with("/search") {
            let kind = if request.path.contains("/organizations/") { "organizations" } else { "persons" };
            for hit in recorded.body["data"]["items"].as_array().into_iter().flatten() {
                let item = &hit["item"];
                if knows_value(&self.session.ids, &item["id"]) {
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
            && !self.session.ids.knows(&id)
        {
            self.seed(call, kind, &id_value(&id), Map::new(), exchanges).await?;
        }
        if request.method == "POST" && status < 400 && request.body.is_object() {
            for (key, kind, id) in references(&request.body) {
                if knows_value(&self.session.ids, &id) {
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
            self.session.control_post("/faults", &fault).await?;
        }
        if (500..600).contains(&status) {
            let fault = json!({"kind": "server_error", "count": 1, "status": status});
            self.session.control_post("/faults", &fault).await?;
        }
        Ok(if status == 401 { UNKNOWN_TOKEN } else { TOKEN })
    }

    /// Ids in path segments and under [`ID_KEYS`] of a JSON body; the query and form bodies as recorded.
    fn translate(&self, request: &RecordedRequest) -> RecordedRequest {
        let ids = &self.session.ids;
        RecordedRequest {
            method: request.method.clone(),
            path: request.path.split('/').map(|segment| ids.translate(segment)).collect::<Vec<_>>().join("/"),
            query: request.query.clone(),
            body: match &request.body {
                form @ Value::String(_) => form.clone(),
                body => translate_json(ids, body),
            },
        }
    }
}

impl Normalisation for Pipedrive {
    fn header_value_varies(name: &str) -> bool {
        name.contains("ratelimit") || name == "retry-after"
    }

    /// Record ids under [`ID_KEYS`] (also in arrays under them) are bound, whatever their value.
    fn keyed(key: Option<&str>, recorded: &Value, actual: &Value, ids: &mut Ids) -> Option<Result<(), String>> {
        if key.is_some_and(|k| ID_KEYS.contains(&k))
            && let (Some(r), Some(a)) = (id_text(recorded), id_text(actual))
        {
            return Some(ids.bind(&r, &a).map_err(|problem| format!(" ({problem})")));
        }
        None
    }

    /// Equal text, except that two timestamps always match.
    fn text(recorded: &str, actual: &str, _: &mut Ids) -> Result<(), String> {
        let timestamps = is_timestamp(recorded) && is_timestamp(actual);
        if timestamps || recorded == actual { Ok(()) } else { Err(String::new()) }
    }
}

fn knows_value(ids: &Ids, recorded: &Value) -> bool {
    id_text(recorded).is_some_and(|id| ids.knows(&id))
}

/// A body with the record ids under [`ID_KEYS`] (and in participants) translated.
fn translate_json(ids: &Ids, value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(|v| translate_json(ids, v)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if ID_KEYS.contains(&k.as_str()) { translate_id(ids, v) } else { translate_json(ids, v) };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn translate_id(ids: &Ids, value: &Value) -> Value {
    match (value, id_text(value)) {
        (Value::Number(_), Some(id)) => id_value(&ids.translate(&id)),
        (Value::String(_), Some(id)) => Value::String(ids.translate(&id)),
        (other, _) => other.clone(),
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

/// RFC 3339 (v2, leads) or `2026-05-14 09:31:02` (v1).
fn is_timestamp(text: &str) -> bool {
    is_rfc3339_timestamp(text) || chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").is_ok()
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
    let compare_json = fidelity::compare_json::<Pipedrive>;
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
        translate_json(&ids, &json!({"person_id": 5821, "participants": [{"person_id": 5821}]})),
        json!({"person_id": 5830, "participants": [{"person_id": 5830}]})
    );

    let drifted = json!({"data": {"id": 5831, "org_id": 2215, "owner_id": 13374057, "label_ids": [6],
        "add_time": "2027-01-01T00:00:00Z"}});
    compare_json("$", None, &recorded, &drifted, &mut ids, &mut out);
    let paths: Vec<&str> = out.iter().map(|d| d.split(':').next().unwrap()).collect();
    assert_eq!(paths, ["$.data.id", "$.data.label_ids[0]", "$.data.name", "$.data.owner_id"], "{out:?}");

    let mut out = Vec::new();
    let lead = |id: &str| json!({"id": id, "add_time": "2026-05-14 09:31:02"});
    let (recorded, same) = (lead("adf21080-0e10-11eb-879b-05d71fb426ec"), lead("0e13eb1c-f9ea-4523-8823-58f38fc1bb44"));
    compare_json("$", None, &recorded, &same, &mut ids, &mut out);
    let (recorded, other) =
        (json!({"error": "Stage with id 99 does not exist"}), json!({"error": "Stage with id 98 does not exist"}));
    compare_json("$", None, &recorded, &other, &mut ids, &mut out);
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
