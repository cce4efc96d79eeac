//! Emulator fidelity: every recorded HubSpot exchange under `fixtures/hubspot/*/*/exchanges.json` is
//! replayed over real HTTP against a fresh emulator per case, and the emulator must answer with the
//! recorded status, content type, rate-limit headers and body, ids and timestamps aside. Emulator and
//! recordings cannot drift apart: `cargo test --workspace` runs this (the crate's dev-dependency on
//! itself turns the `emulator` feature on for its tests). The case walk, the exchange loop and the
//! comparison are shared (`unified_core::testkit::fidelity`); what is HubSpot's is here.
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

use std::path::{Path, PathBuf};

use connector_hubspot::emulator::{Emulator, association_target};
use serde_json::{Map, Value, json};
use unified_core::testkit::fidelity::{
    self, Ids, Normalisation, Replay, Session, compare_runs, is_rfc3339_timestamp, map_strings,
};
use unified_core::testkit::fixture::redact_json;
use unified_core::testkit::{Exchange, RecordedRequest};

/// Valid on every emulator until an `expire_token` fault.
const TOKEN: &str = "sandbox-fidelity";
/// Never issued: the emulator's `INVALID_AUTHENTICATION`.
const UNKNOWN_TOKEN: &str = "pat-na1-never-issued";
/// Ids are numeric strings of at least this many digits (owners have 8, records 11 or 12).
const ID_DIGITS: usize = 8;

fn fixture_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/hubspot")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_recorded_exchange_replays_against_the_emulator() {
    fidelity::replay_every_case(&fixture_root(), async |exchanges| HubSpot::start().await.run(exchanges).await).await;
}

/// One case against one fresh emulator.
struct HubSpot {
    emulator: Emulator,
    session: Session,
}

impl HubSpot {
    async fn start() -> Self {
        let emulator = Emulator::start().await.expect("the emulator starts");
        let session = Session::new(emulator.base_url());
        Self { emulator, session }
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
        let body = json!({ "properties": properties });
        let seeded = self.session.control_post(&format!("/records/{object_type}"), &body).await?;
        let id = seeded["id"].as_str().ok_or_else(|| format!("seeding {object_type} answered {seeded}"))?;
        self.session.note(format!("{call}: seeded {object_type} {recorded_id} (emulator id {id})"));
        self.session.ids.bind(recorded_id, id)
    }
}

impl Replay for HubSpot {
    fn session(&mut self) -> &mut Session {
        &mut self.session
    }

    async fn preconditions(&mut self, call: &str, i: usize, exchanges: &[Exchange]) -> Result<&'static str, String> {
        let (request, recorded) = (&exchanges[i].request, &exchanges[i].response);
        let status = recorded.status;
        let message = recorded.body["message"].as_str().unwrap_or_default();

        if status == 409
            && let Some(existing) = existing_id(message)
            && !self.session.ids.knows(&existing)
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
            && !self.session.ids.knows(&id)
        {
            self.seed(call, &object_type, &id, Map::new(), exchanges).await?;
        }
        if message != "One or more associations are invalid"
            && let Some(from) = object_type_of_create(request)
        {
            for association in request.body["associations"].as_array().into_iter().flatten() {
                let Some(id) = association["to"]["id"].as_str().filter(|id| !self.session.ids.knows(id)) else {
                    continue;
                };
                let type_id = association["types"][0]["associationTypeId"].as_u64().unwrap_or_default();
                match association_target(&from, u32::try_from(type_id).unwrap_or_default()) {
                    Some(target) => self.seed(call, target, id, Map::new(), exchanges).await?,
                    None => self.session.note(format!("{call}: association type {type_id} unknown; {id} not seeded")),
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
            self.session.control_post("/faults", &fault).await?;
        }
        if (500..600).contains(&status) {
            let fault = json!({"kind": "server_error", "count": 1, "status": status});
            self.session.control_post("/faults", &fault).await?;
        }
        if status == 401 {
            if recorded.body["category"] == "EXPIRED_AUTHENTICATION" {
                // The token must have been accepted before it can expire.
                let owners = self.emulator.url("/crm/v3/owners");
                self.session.http.get(owners).bearer_auth(TOKEN).send().await.map_err(|e| e.to_string())?;
                self.session.control_post("/faults", &json!({"kind": "expire_token"})).await?;
                return Ok(TOKEN);
            }
            return Ok(UNKNOWN_TOKEN);
        }
        Ok(TOKEN)
    }

    /// Ids in path segments, query values and JSON strings; form secrets made up again.
    fn translate(&self, request: &RecordedRequest) -> RecordedRequest {
        let ids = &self.session.ids;
        RecordedRequest {
            method: request.method.clone(),
            path: request.path.split('/').map(|segment| ids.translate(segment)).collect::<Vec<_>>().join("/"),
            query: request.query.iter().map(|(k, v)| (k.clone(), ids.translate(v))).collect(),
            body: match &request.body {
                // Form bodies are recorded as their text, secrets redacted: put made-up ones back.
                Value::String(form) => Value::String(unredact_form(form)),
                body => map_strings(body, &|s| ids.translate(s)),
            },
        }
    }
}

impl Normalisation for HubSpot {
    fn header_value_varies(name: &str) -> bool {
        name.starts_with("x-hubspot-ratelimit") || name == "retry-after"
    }

    /// Secrets redacted, as the recordings are.
    fn answer_body(body: Value) -> Value {
        redact_json(body)
    }

    /// `correlationId` and `requestId` differ per call: any two strings match.
    fn keyed(key: Option<&str>, recorded: &Value, actual: &Value, _: &mut Ids) -> Option<Result<(), String>> {
        matches!(key, Some("correlationId" | "requestId"))
            .then(|| if recorded.is_string() && actual.is_string() { Ok(()) } else { Err(String::new()) })
    }

    /// Equal text, except that two timestamps always match and that digit runs of id length are ids.
    fn text(recorded: &str, actual: &str, ids: &mut Ids) -> Result<(), String> {
        if is_rfc3339_timestamp(recorded) && is_rfc3339_timestamp(actual) {
            return Ok(());
        }
        compare_runs(recorded, actual, ids, u8::is_ascii_digit, |r, a| r.len() >= ID_DIGITS && a.len() >= ID_DIGITS)
    }
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
    let compare_json = fidelity::compare_json::<HubSpot>;
    let mut ids = Ids::default();
    let mut out = Vec::new();
    let recorded = json!({"id": "88415392071", "properties": {"hs_object_id": "88415392071", "a": "x",
        "createdate": "2026-05-14T09:31:02.487Z"}, "correlationId": "r"});
    let same = json!({"id": "10451230001", "properties": {"hs_object_id": "10451230001", "a": "x",
        "createdate": "2027-01-01T00:00:00Z"}, "correlationId": "e"});
    compare_json("$", None, &recorded, &same, &mut ids, &mut out);
    assert!(out.is_empty(), "{out:?}");
    assert_eq!(ids.translate("88415392071"), "10451230001");

    let drifted = json!({"id": "10451230002", "properties": {"hs_object_id": "10451230001"}, "correlationId": "e"});
    compare_json("$", None, &recorded, &drifted, &mut Ids::default(), &mut out);
    assert!(out.iter().any(|d| d.starts_with("$.properties.hs_object_id")), "{out:?}");
    assert!(out.iter().any(|d| d.starts_with("$.properties.a: recorded")), "{out:?}");

    let mut out = Vec::new();
    let message = |m: &str| json!({"message": m});
    let (recorded, same) = (message("Existing ID: 88415392071"), message("Existing ID: 10451230001"));
    compare_json("$", None, &recorded, &same, &mut ids, &mut out);
    compare_json("$", None, &message("won was not"), &message("lost was not"), &mut ids, &mut out);
    compare_json("$", None, &recorded, &message("Existing ID: 10451230009"), &mut ids, &mut out);
    assert_eq!(out.len(), 2, "{out:?}");
    let numeric_correlation = json!({"correlationId": 1});
    compare_json("$", None, &json!({"correlationId": "r"}), &numeric_correlation, &mut ids, &mut out);
    assert_eq!(out.len(), 3, "{out:?}");
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
