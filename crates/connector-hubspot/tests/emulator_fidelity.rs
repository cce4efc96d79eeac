//! Emulator fidelity: every recorded HubSpot exchange under `fixtures/hubspot/*/*/exchanges.json` is
//! replayed over real HTTP against a fresh emulator per case, and the emulator must answer with the
//! recorded status, content type, rate-limit headers and body, ids and timestamps aside. Emulator and
//! recordings cannot drift apart: `cargo test --workspace` runs this (the crate's dev-dependency on
//! itself turns the `emulator` feature on for its tests). The case walk, the exchange loop and the
//! comparison are shared (`unified_core::testkit::fidelity`); what is HubSpot's is here.
//!
//! Preconditions are derived from the recording, never listed per case. Before the first call, the
//! portal the whole recording shows is seeded through the control plane (see [`portal`]):
//! - every record a recorded answer shows that the case did not create (a read, a list page, a search, a
//!   batch read, a v4 association read, an update), under its recorded id, with the properties (a
//!   recorded `null` as a cleared value, `""` as an empty text), `createdAt`/`updatedAt` and associations
//!   (v3 blocks by type name, v4 reads by type id) the recording shows of it before the case changed
//!   them: a property the case writes, and associations to a type the case re-associates, are taken
//!   only from what was recorded before that write; records are seeded in the order the recording first
//!   shows them (HubSpot's search answers ties in an order of its own);
//! - the records a call names and needs: an updated record, both ends of a v4 association write, an
//!   association target of a create (unless the recorded answer is the invalid-association error
//!   itself), contact N of a `409` naming `Existing ID: N` (with the request's e-mail);
//! - a record at a list page's `paging.next.after`, unless another seeded record is at or past it;
//! - every owner a recorded `GET /crm/v3/owners/{id}` returns, deactivated (`archived: true`) ones too.
//!
//! Before each call: a recorded `429` → a `rate_limit` fault for that call; a `5xx` → a `server_error`
//! fault with that status; a `423` → `locked`; a `477` → `migrating` with the recorded `Retry-After`; a
//! `403 MISSING_SCOPES` → `missing_scopes` (the emulator names the scopes the call needs); a `401
//! INVALID_AUTHENTICATION` → the call is sent with a token the emulator never issued; `401
//! EXPIRED_AUTHENTICATION` → an `expire_token` fault first.
//!
//! Normalised before comparing: numeric ids of 8 digits or more, in strings and in the v4 numeric
//! `toObjectId`/`fromObjectId` (a recorded id must stand for the same emulator id throughout a case, and
//! the other way round, also inside messages such as `Existing ID: N`), timestamps,
//! `correlationId`/`requestId` values, rate-limit header values, OAuth secrets (redacted as the
//! recordings are), and the emulator's own loopback address in links, which stands for
//! `https://api.hubapi.com`.
//!
//! Compared as a recording rightly holds less (see [`views`]):
//! - the properties API (`GET /crm/v3/properties/{type}`): HubSpot lists hundreds of properties with
//!   many keys, and a recording a few with some, so every recorded property must exist in the emulator's
//!   answer with the same `name`, `type`, `fieldType`, `formField`, `hidden` and `modificationMetadata`
//!   read-only/archivable flags (as far as the recording holds them), and the same `hubspotDefined` and
//!   `calculated` (each `false` when left out, as HubSpot leaves `hubspotDefined` out of a portal's own
//!   properties); labels, `groupName` (the recordings' `information`/`custom` are placeholders:
//!   HubSpot's docs show groups such as `contactinformation`) and the keys a recording leaves out are not
//!   compared;
//! - batch reads (objects and v4 associations): HubSpot documents no order for their `results`, so the
//!   emulator's are put in the recorded order (matched by id) before comparing.
#![cfg(feature = "emulator")]

use std::path::{Path, PathBuf};

use connector_hubspot::emulator::Emulator;
use serde_json::{Value, json};
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
/// Where HubSpot's links point; the emulator's point at itself.
const HUBSPOT_API: &str = "https://api.hubapi.com";

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

    /// Seeds the portal the recording shows; each seeded record stands for itself.
    async fn seed(&mut self, portal: &portal::Portal) -> Result<(), String> {
        for owner in &portal.owners {
            let (status, answer) = self.session.control_post_status("/owners", owner).await?;
            match status.as_u16() {
                201 => self.session.note(format!("seeded owner {}", owner["id"])),
                // One of the emulator's own: the comparison shows whether it answers as recorded.
                409 => {}
                _ => return Err(format!("seeding owner {owner}: {status} {answer}")),
            }
        }
        for (object_type, records) in portal.records_by_type() {
            let body: Vec<Value> = records.iter().map(|r| r.seed()).collect();
            self.session.control_post(&format!("/records/{object_type}"), &json!(body)).await?;
            let ids: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
            self.session.note(format!("seeded {object_type} {}", ids.join(", ")));
            for id in ids {
                self.session.ids.bind(id, id)?;
            }
        }
        if !portal.links.is_empty() {
            let links: Vec<Value> = portal.links.iter().map(portal::Link::seed).collect();
            self.session.control_post("/associations", &json!(links)).await?;
            self.session.note(format!("seeded {} associations", links.len()));
        }
        Ok(())
    }

    async fn fault(&self, fault: Value) -> Result<(), String> {
        self.session.control_post("/faults", &fault).await.map(drop)
    }
}

impl Replay for HubSpot {
    fn session(&mut self) -> &mut Session {
        &mut self.session
    }

    async fn setup(&mut self, exchanges: &[Exchange]) -> Result<(), String> {
        let portal = portal::Portal::of(exchanges);
        self.seed(&portal).await
    }

    async fn preconditions(&mut self, _call: &str, i: usize, exchanges: &[Exchange]) -> Result<&'static str, String> {
        let recorded = &exchanges[i].response;
        match recorded.status {
            429 => {
                let mut fault = json!({"kind": "rate_limit", "count": 1});
                if let Some(seconds) = recorded.headers.get("retry-after").and_then(|s| s.parse::<u64>().ok()) {
                    fault["retryAfter"] = json!(seconds);
                }
                if let Some(policy) = recorded.body["policyName"].as_str() {
                    fault["policyName"] = json!(policy);
                }
                self.fault(fault).await?;
            }
            status @ 500..600 => self.fault(json!({"kind": "server_error", "count": 1, "status": status})).await?,
            423 => self.fault(json!({"kind": "locked"})).await?,
            477 => {
                let mut fault = json!({"kind": "migrating"});
                if let Some(seconds) = recorded.headers.get("retry-after").and_then(|s| s.parse::<u64>().ok()) {
                    fault["retryAfter"] = json!(seconds);
                }
                self.fault(fault).await?;
            }
            // The emulator names the scopes the call needs: the recording checks them.
            403 if recorded.body["category"] == "MISSING_SCOPES" => {
                self.fault(json!({"kind": "missing_scopes"})).await?
            }
            401 if recorded.body["category"] == "EXPIRED_AUTHENTICATION" => {
                // The token must have been accepted before it can expire.
                let owners = self.emulator.url("/crm/v3/owners");
                self.session.http.get(owners).bearer_auth(TOKEN).send().await.map_err(|e| e.to_string())?;
                self.fault(json!({"kind": "expire_token"})).await?;
            }
            401 => return Ok(UNKNOWN_TOKEN),
            _ => {}
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

    fn comparable(&self, request: &RecordedRequest, recorded: Value, actual: Value) -> (Value, Value) {
        // The emulator serves on loopback, and its links point at itself.
        let base = self.session.url("");
        let actual = map_strings(&actual, &|s| match s.strip_prefix(base.as_str()) {
            Some(rest) => format!("{HUBSPOT_API}{rest}"),
            None => s.to_owned(),
        });
        views::comparable(request, recorded, actual, &self.session.ids)
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

    /// `correlationId` and `requestId` differ per call: any two strings match. The v4 API's numeric
    /// `toObjectId`/`fromObjectId` are ids like any other.
    fn keyed(key: Option<&str>, recorded: &Value, actual: &Value, ids: &mut Ids) -> Option<Result<(), String>> {
        match (key, recorded, actual) {
            (Some("correlationId" | "requestId"), _, _) => {
                Some(if recorded.is_string() && actual.is_string() { Ok(()) } else { Err(String::new()) })
            }
            (Some("toObjectId" | "fromObjectId"), Value::Number(r), Value::Number(a)) => {
                Some(Self::text(&r.to_string(), &a.to_string(), ids))
            }
            _ => None,
        }
    }

    /// Equal text, except that two timestamps always match and that digit runs of id length are ids.
    fn text(recorded: &str, actual: &str, ids: &mut Ids) -> Result<(), String> {
        if is_rfc3339_timestamp(recorded) && is_rfc3339_timestamp(actual) {
            return Ok(());
        }
        compare_runs(recorded, actual, ids, u8::is_ascii_digit, |r, a| r.len() >= ID_DIGITS && a.len() >= ID_DIGITS)
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

/// What a provider path names (the recordings use the `v3`/`v4` paths).
#[derive(Debug, PartialEq)]
enum Route<'p> {
    /// `/crm/v3/objects/{type}`: a create (`POST`) or a list (`GET`).
    Objects(&'p str),
    /// `/crm/v3/objects/{type}/{id}`.
    Object(&'p str, &'p str),
    Search(&'p str),
    BatchRead(&'p str),
    /// `/crm/v4/associations/{from}/{to}/batch/read`.
    AssociationRead(&'p str, &'p str),
    /// `/crm/v4/objects/{type}/{id}/associations[/default]/{toType}/{toId}`.
    AssociationWrite {
        from: (&'p str, &'p str),
        to: (&'p str, &'p str),
    },
    Owner(&'p str),
    Properties(&'p str),
    Other,
}

fn route(path: &str) -> Route<'_> {
    match path.trim_matches('/').split('/').collect::<Vec<_>>().as_slice() {
        ["crm", "v3", "objects", ty] => Route::Objects(ty),
        ["crm", "v3", "objects", ty, "search"] => Route::Search(ty),
        ["crm", "v3", "objects", ty, "batch", "read"] => Route::BatchRead(ty),
        ["crm", "v3", "objects", ty, id] => Route::Object(ty, id),
        ["crm", "v4", "associations", from, to, "batch", "read"] => Route::AssociationRead(from, to),
        ["crm", "v4", "objects", ty, id, "associations", "default", to, to_id]
        | ["crm", "v4", "objects", ty, id, "associations", to, to_id] => {
            Route::AssociationWrite { from: (ty, id), to: (to, to_id) }
        }
        ["crm", "v3", "owners", id] => Route::Owner(id),
        ["crm", "v3", "properties", ty] => Route::Properties(ty),
        _ => Route::Other,
    }
}

/// The portal a recording shows before its first call.
mod portal {
    use std::collections::{BTreeMap, HashMap, HashSet};

    use connector_hubspot::emulator::association_target;
    use serde_json::{Map, Value, json};
    use unified_core::testkit::Exchange;

    use super::{Route, route};

    /// Derived from `createdAt`/`updatedAt` and the id: never seeded as values.
    const SYSTEM: [&str; 5] =
        ["hs_object_id", "createdate", "hs_createdate", "lastmodifieddate", "hs_lastmodifieddate"];

    /// A record to seed, as the control plane takes it.
    #[derive(Debug, Default, PartialEq)]
    pub struct Record {
        pub object_type: String,
        pub id: String,
        pub properties: Map<String, Value>,
        pub created_at: Option<String>,
        pub updated_at: Option<String>,
    }

    impl Record {
        pub fn seed(&self) -> Value {
            let mut seed = json!({"id": self.id, "properties": self.properties});
            if let Some(at) = &self.created_at {
                seed["createdAt"] = json!(at);
            }
            if let Some(at) = &self.updated_at {
                seed["updatedAt"] = json!(at);
            }
            seed
        }
    }

    /// An association to seed: `kind` is `{"associationTypeId": N}` (v4) or `{"associationType": name}`
    /// (a v3 block).
    #[derive(Debug, PartialEq)]
    pub struct Link {
        pub from: (String, String),
        pub to: (String, String),
        pub kind: Value,
    }

    impl Link {
        pub fn seed(&self) -> Value {
            let mut seed = json!({"fromObjectType": self.from.0, "fromObjectId": self.from.1,
                                  "toObjectType": self.to.0, "toObjectId": self.to.1});
            if let (Some(seed), Some(kind)) = (seed.as_object_mut(), self.kind.as_object()) {
                seed.extend(kind.clone());
            }
            seed
        }
    }

    type Key = (String, String);

    #[derive(Debug, Default)]
    pub struct Portal {
        /// In the order the recording first shows them.
        pub records: Vec<Record>,
        pub links: Vec<Link>,
        /// Recorded owner answers, as they are.
        pub owners: Vec<Value>,
        index: HashMap<Key, usize>,
        /// Records the case creates: never seeded.
        created: HashSet<Key>,
        /// `(type, id, property)` the case has written so far, and the records it has written.
        written: HashSet<(String, String, String)>,
        rewritten: HashSet<Key>,
        /// `(type, id, toType)` whose associations the case has changed so far.
        relinked: HashSet<(String, String, String)>,
        /// `(type, after)` of every recorded list page with a next one.
        cursors: Vec<Key>,
    }

    fn key(object_type: &str, id: &str) -> Key {
        (object_type.to_owned(), id.to_owned())
    }

    /// A v4 id: a number, or a string.
    fn id_text(value: &Value) -> Option<String> {
        match value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    impl Portal {
        pub fn of(exchanges: &[Exchange]) -> Self {
            let mut portal = Portal::default();
            for exchange in exchanges {
                if let (Route::Objects(ty), 201) = (route(&exchange.request.path), exchange.response.status)
                    && let Some(id) = exchange.response.body["id"].as_str()
                {
                    portal.created.insert(key(ty, id));
                }
            }
            for exchange in exchanges {
                portal.exchange(exchange);
            }
            portal.cursor_records();
            portal
        }

        pub fn records_by_type(&self) -> BTreeMap<&str, Vec<&Record>> {
            let mut by_type: BTreeMap<&str, Vec<&Record>> = BTreeMap::new();
            for record in &self.records {
                by_type.entry(record.object_type.as_str()).or_default().push(record);
            }
            by_type
        }

        /// The record to seed for `(type, id)`, made bare on first sight; `None` for one the case creates.
        fn record(&mut self, object_type: &str, id: &str) -> Option<&mut Record> {
            let key = key(object_type, id);
            if self.created.contains(&key) {
                return None;
            }
            let i = *self.index.entry(key).or_insert_with(|| {
                self.records.push(Record {
                    object_type: object_type.to_owned(),
                    id: id.to_owned(),
                    ..Record::default()
                });
                self.records.len() - 1
            });
            Some(&mut self.records[i])
        }

        fn link(&mut self, from: (&str, &str), to: (&str, &str), kind: Value) {
            if self.relinked.contains(&(from.0.to_owned(), from.1.to_owned(), to.0.to_owned())) {
                return;
            }
            if self.record(to.0, to.1).is_none() || self.record(from.0, from.1).is_none() {
                return;
            }
            let link = Link { from: key(from.0, from.1), to: key(to.0, to.1), kind };
            if !self.links.contains(&link) {
                self.links.push(link);
            }
        }

        fn exchange(&mut self, exchange: &Exchange) {
            let (request, response) = (&exchange.request, &exchange.response);
            let (method, status, body) = (request.method.as_str(), response.status, &response.body);
            match (route(&request.path), method) {
                (Route::Objects(ty), "POST") => self.create(ty, &request.body, body),
                (Route::Objects(ty), "GET") if status == 200 => {
                    self.observe_all(ty, body);
                    if let Some(after) = body["paging"]["next"]["after"].as_str() {
                        self.cursors.push(key(ty, after));
                    }
                }
                (Route::Search(ty) | Route::BatchRead(ty), _) if matches!(status, 200 | 207) => {
                    self.observe_all(ty, body)
                }
                (Route::Object(ty, id), "GET") if status == 200 => self.observe(ty, Some(id), body),
                (Route::Object(ty, id), "PATCH") if status == 200 => {
                    for name in request.body["properties"].as_object().into_iter().flat_map(|p| p.keys()) {
                        self.written.insert((ty.to_owned(), id.to_owned(), name.clone()));
                    }
                    self.rewritten.insert(key(ty, id));
                    self.observe(ty, Some(id), body);
                }
                (Route::AssociationRead(from, to), _) if matches!(status, 200 | 207) => {
                    self.associations(from, to, body)
                }
                (Route::AssociationWrite { from, to }, "PUT" | "DELETE") if (200..300).contains(&status) => {
                    self.record(from.0, from.1);
                    self.record(to.0, to.1);
                    self.relinked.insert((from.0.to_owned(), from.1.to_owned(), to.0.to_owned()));
                    self.relinked.insert((to.0.to_owned(), to.1.to_owned(), from.0.to_owned()));
                }
                (Route::Owner(id), "GET") if status == 200 && !self.owners.iter().any(|o| o["id"] == id) => {
                    self.owners.push(body.clone());
                }
                _ => {}
            }
        }

        /// A create names the contact it collides with (`409 … Existing ID: N`) and its association
        /// targets, which exist unless the recorded answer is the invalid-association error itself.
        fn create(&mut self, ty: &str, request: &Value, answer: &Value) {
            let message = answer["message"].as_str().unwrap_or_default();
            if let Some(existing) = existing_id(message)
                && let Some(record) = self.record("contacts", &existing)
                && let Some(email) = request["properties"]["email"].as_str()
            {
                record.properties.entry("email").or_insert_with(|| json!(email));
            }
            if message == "One or more associations are invalid" {
                return;
            }
            for association in request["associations"].as_array().into_iter().flatten() {
                let (Some(id), Some(type_id)) =
                    (id_text(&association["to"]["id"]), association["types"][0]["associationTypeId"].as_u64())
                else {
                    continue;
                };
                if let Some(target) = u32::try_from(type_id).ok().and_then(|t| association_target(ty, t)) {
                    self.record(target, &id);
                }
            }
        }

        fn observe_all(&mut self, ty: &str, body: &Value) {
            for result in body["results"].as_array().into_iter().flatten() {
                self.observe(ty, None, result);
            }
        }

        /// One recorded object: its values not yet written by the case, its instants, its v3 associations.
        fn observe(&mut self, ty: &str, id: Option<&str>, object: &Value) {
            let Some(id) = id.or(object["id"].as_str()).map(str::to_owned) else { return };
            let rewritten = self.rewritten.contains(&key(ty, &id));
            let written: HashSet<String> =
                self.written.iter().filter(|(t, i, _)| t == ty && *i == id).map(|(_, _, name)| name.clone()).collect();
            let Some(record) = self.record(ty, &id) else { return };
            for (name, value) in object["properties"].as_object().into_iter().flatten() {
                if !SYSTEM.contains(&name.as_str()) && !written.contains(name) {
                    record.properties.entry(name.clone()).or_insert_with(|| value.clone());
                }
            }
            if record.created_at.is_none() {
                record.created_at = object["createdAt"].as_str().map(str::to_owned);
            }
            if record.updated_at.is_none() && !rewritten {
                record.updated_at = object["updatedAt"].as_str().map(str::to_owned);
            }
            for (to, block) in object["associations"].as_object().into_iter().flatten() {
                for association in block["results"].as_array().into_iter().flatten() {
                    if let (Some(to_id), Some(name)) = (association["id"].as_str(), association["type"].as_str()) {
                        self.link((ty, &id), (to, to_id), json!({"associationType": name}));
                    }
                }
            }
        }

        /// A v4 batch read: each input's associated records with their type ids; an input named in an
        /// error exists too.
        fn associations(&mut self, from: &str, to: &str, body: &Value) {
            for result in body["results"].as_array().into_iter().flatten() {
                let Some(id) = result["from"]["id"].as_str() else { continue };
                self.record(from, id);
                for target in result["to"].as_array().into_iter().flatten() {
                    let Some(to_id) = id_text(&target["toObjectId"]) else { continue };
                    for kind in target["associationTypes"].as_array().into_iter().flatten() {
                        self.link((from, id), (to, &to_id), json!({"associationTypeId": kind["typeId"]}));
                    }
                }
            }
            for error in body["errors"].as_array().into_iter().flatten() {
                for id in error["context"]["fromObjectId"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                    self.record(from, id);
                }
            }
        }

        /// A list page with a next page has a record at its cursor (the next page's first id).
        fn cursor_records(&mut self) {
            for (ty, after) in std::mem::take(&mut self.cursors) {
                let Ok(cursor) = after.parse::<u64>() else { continue };
                let beyond =
                    self.records.iter().any(|r| r.object_type == ty && r.id.parse().is_ok_and(|id: u64| id >= cursor));
                if !beyond {
                    self.record(&ty, &after);
                }
            }
        }
    }

    /// `Contact already exists. Existing ID: 88415392071` → `88415392071`.
    pub fn existing_id(message: &str) -> Option<String> {
        let (_, rest) = message.split_once("Existing ID:")?;
        let id: String = rest.trim_start().chars().take_while(char::is_ascii_digit).collect();
        (!id.is_empty()).then_some(id)
    }
}

/// What of an answer is compared, where a recording rightly holds less than HubSpot answers.
mod views {
    use serde_json::{Map, Value, json};
    use unified_core::testkit::RecordedRequest;
    use unified_core::testkit::fidelity::Ids;

    use super::{Route, route};

    /// The keys of a property definition that are compared where the recording holds them (see the
    /// module doc), `modificationMetadata`'s flags one by one; and the two flags HubSpot leaves out when
    /// false, always compared.
    const PROPERTY_KEYS: [&str; 5] = ["name", "type", "fieldType", "formField", "hidden"];
    const METADATA_FLAGS: [&str; 3] = ["archivable", "readOnlyDefinition", "readOnlyValue"];
    const DEFAULT_FALSE: [&str; 2] = ["hubspotDefined", "calculated"];

    pub fn comparable(request: &RecordedRequest, recorded: Value, actual: Value, ids: &Ids) -> (Value, Value) {
        match route(&request.path) {
            Route::Properties(_) if request.method == "GET" && recorded["results"].is_array() => {
                properties(&recorded, &actual)
            }
            Route::BatchRead(_) => (recorded.clone(), in_recorded_order(&recorded, actual, ids, &["id"])),
            Route::AssociationRead(..) => {
                (recorded.clone(), in_recorded_order(&recorded, actual, ids, &["from", "id"]))
            }
            _ => (recorded, actual),
        }
    }

    /// Both listings as `{"results": {name: definition}}` over the recorded names, each definition
    /// narrowed to the compared keys the recorded one holds.
    fn properties(recorded: &Value, actual: &Value) -> (Value, Value) {
        let named = |listing: &Value, name: &str| -> Option<Value> {
            listing["results"].as_array()?.iter().find(|d| d["name"] == name).cloned()
        };
        let (mut narrowed, mut answered) = (Map::new(), Map::new());
        for definition in recorded["results"].as_array().into_iter().flatten() {
            let Some(name) = definition["name"].as_str() else { continue };
            narrowed.insert(name.to_owned(), narrow(definition, definition));
            if let Some(theirs) = named(actual, name) {
                answered.insert(name.to_owned(), narrow(&theirs, definition));
            }
        }
        (json!({ "results": narrowed }), json!({ "results": answered }))
    }

    /// `definition`'s compared keys, as far as `recorded` holds them.
    fn narrow(definition: &Value, recorded: &Value) -> Value {
        let mut out = Map::new();
        for key in PROPERTY_KEYS.into_iter().filter(|k| recorded.get(*k).is_some()) {
            out.insert(key.to_owned(), definition.get(key).cloned().unwrap_or(Value::Null));
        }
        let metadata = &recorded["modificationMetadata"];
        for flag in METADATA_FLAGS.into_iter().filter(|f| metadata.get(*f).is_some()) {
            out.insert(flag.to_owned(), definition["modificationMetadata"][flag].clone());
        }
        for flag in DEFAULT_FALSE {
            out.insert(flag.to_owned(), json!(definition[flag].as_bool().unwrap_or(false)));
        }
        Value::Object(out)
    }

    /// `actual` with its `results` in the recorded order, matched by the id at `id_at` (the recorded id
    /// as the emulator knows it); results the recording does not have stay after, in their order.
    fn in_recorded_order(recorded: &Value, mut actual: Value, ids: &Ids, id_at: &[&str]) -> Value {
        let id = |result: &Value| id_at.iter().fold(result, |v, key| &v[*key]).as_str().map(str::to_owned);
        let order: Vec<String> = recorded["results"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| id(r).map(|id| ids.translate(&id)))
            .collect();
        if let Some(results) = actual["results"].as_array_mut() {
            results.sort_by_key(|r| id(r).and_then(|id| order.iter().position(|o| *o == id)).unwrap_or(order.len()));
        }
        actual
    }
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
    // A numeric v4 id is an id: bound like the strings, so a different one counts.
    compare_json(
        "$",
        None,
        &json!({"toObjectId": 21678228008u64}),
        &json!({"toObjectId": 21678230001u64}),
        &mut ids,
        &mut out,
    );
    compare_json(
        "$",
        None,
        &json!({"toObjectId": 21678228008u64}),
        &json!({"toObjectId": 21678230002u64}),
        &mut ids,
        &mut out,
    );
    assert_eq!(out.len(), 4, "{out:?}");
}

#[test]
fn recorded_forms_get_working_secrets() {
    assert_eq!(
        unredact_form("grant_type=refresh_token&client_id=[REDACTED]&refresh_token=[REDACTED]"),
        "grant_type=refresh_token&client_id=fidelity&refresh_token=sandbox-refresh-fidelity"
    );
    assert_eq!(route("/crm/v3/objects/contacts/1"), Route::Object("contacts", "1"));
    assert_eq!(
        route("/crm/v4/objects/deals/1/associations/default/companies/2"),
        Route::AssociationWrite { from: ("deals", "1"), to: ("companies", "2") }
    );
    assert_eq!(portal::existing_id("Contact already exists. Existing ID: 42"), Some("42".into()));
}

fn exchange(method: &str, path: &str, request: Value, status: u16, response: Value) -> Exchange {
    serde_json::from_value(json!({"request": {"method": method, "path": path, "body": request},
                                  "response": {"status": status, "body": response}}))
    .unwrap()
}

/// The seeded portal is what the recording shows before the case changed it.
#[test]
fn the_portal_is_what_the_recording_shows_before_the_case_writes() {
    let contact = |phone: Value, updated: &str, company: &str| {
        json!({"id": "88415392071", "properties": {"phone": phone, "jobtitle": "COO", "email": "m@example.com",
               "lastmodifieddate": updated}, "createdAt": "2026-05-14T09:31:02.487Z", "updatedAt": updated,
               "associations": {"companies": {"results": [{"id": company, "type": "contact_to_company_unlabeled"}]}}})
    };
    let exchanges = [
        exchange(
            "GET",
            "/crm/v3/objects/contacts/88415392071",
            Value::Null,
            200,
            contact(json!("+34 1"), "2026-06-01T00:00:00.000Z", "21678228008"),
        ),
        exchange(
            "PATCH",
            "/crm/v3/objects/contacts/88415392071",
            json!({"properties": {"phone": ""}}),
            200,
            json!({"id": "88415392071", "properties": {"phone": ""}}),
        ),
        exchange(
            "PUT",
            "/crm/v4/objects/contacts/88415392071/associations/companies/21678228009",
            json!([]),
            201,
            json!({}),
        ),
        exchange(
            "GET",
            "/crm/v3/objects/contacts/88415392071",
            Value::Null,
            200,
            contact(Value::Null, "2026-06-03T00:00:00.000Z", "21678228009"),
        ),
        exchange(
            "POST",
            "/crm/v3/objects/contacts",
            json!({"properties": {"email": "new@example.com"}}),
            201,
            json!({"id": "88415392099"}),
        ),
        exchange(
            "GET",
            "/crm/v3/objects/contacts",
            Value::Null,
            200,
            json!({"results": [], "paging": {"next": {"after": "88415392100"}}}),
        ),
        exchange("GET", "/crm/v3/owners/38106455", Value::Null, 200, json!({"id": "38106455", "archived": true})),
    ];
    let portal = portal::Portal::of(&exchanges);
    let seeded: Vec<(&str, &str)> = portal.records.iter().map(|r| (r.object_type.as_str(), r.id.as_str())).collect();
    assert_eq!(
        seeded,
        [
            ("contacts", "88415392071"),
            ("companies", "21678228008"),
            ("companies", "21678228009"),
            ("contacts", "88415392100")
        ],
        "the created contact is not seeded; the cursor's record is"
    );
    let maria = &portal.records[0];
    assert_eq!(
        maria.properties,
        *json!({"phone": "+34 1", "jobtitle": "COO", "email": "m@example.com"}).as_object().unwrap()
    );
    assert_eq!(maria.updated_at.as_deref(), Some("2026-06-01T00:00:00.000Z"), "the instant before the update");
    assert_eq!(portal.links.len(), 1, "the association read after the re-association is not the seeded one");
    assert_eq!(portal.links[0].to.1, "21678228008");
    assert_eq!(portal.owners, [json!({"id": "38106455", "archived": true})]);
}

#[test]
fn batch_results_and_property_listings_are_compared_as_recordings_hold_them() {
    let request = |method: &str, path: &str| -> RecordedRequest {
        serde_json::from_value(json!({"method": method, "path": path})).unwrap()
    };
    let mut ids = Ids::default();
    ids.bind("1001", "2001").unwrap();
    ids.bind("1002", "2002").unwrap();
    let recorded = json!({"results": [{"id": "1002"}, {"id": "1001"}]});
    let actual = json!({"results": [{"id": "2003"}, {"id": "2001"}, {"id": "2002"}]});
    let (_, ordered) = views::comparable(
        &request("POST", "/crm/v3/objects/contacts/batch/read"),
        recorded.clone(),
        actual.clone(),
        &ids,
    );
    assert_eq!(
        ordered,
        json!({"results": [{"id": "2002"}, {"id": "2001"}, {"id": "2003"}]}),
        "the extra one still counts"
    );
    let (_, listed) = views::comparable(&request("GET", "/crm/v3/objects/contacts"), recorded, actual.clone(), &ids);
    assert_eq!(listed, actual, "a list's order is HubSpot's id order: compared as it is");

    let definition = |name: &str, field: &str, label: &str| {
        json!({"name": name, "label": label, "type": "string", "fieldType": field, "groupName": "g",
               "modificationMetadata": {"readOnlyValue": false}, "hubspotDefined": true})
    };
    let recorded = json!({"results": [definition("email", "text", "Email"), definition("gone", "text", "Gone")]});
    let mut email = definition("email", "text", "E-mail");
    email["modificationMetadata"]["readOnlyOptions"] = json!(false);
    email["options"] = json!([]);
    let actual = json!({"results": [email, definition("phone", "text", "Phone")]});
    let (recorded, actual) = views::comparable(&request("GET", "/crm/v3/properties/contacts"), recorded, actual, &ids);
    let mut out = Vec::new();
    fidelity::compare_json::<HubSpot>("$", None, &recorded, &actual, &mut ids, &mut out);
    assert_eq!(out.len(), 1, "labels, extra keys and unrecorded properties aside, a missing one counts: {out:?}");
    assert!(out[0].starts_with("$.results.gone: recorded"), "{out:?}");
    let custom = json!({"results": [{"name": "tier", "type": "string", "fieldType": "text"}]});
    let claimed = json!({"results": [{"name": "tier", "type": "string", "fieldType": "text", "hubspotDefined": true}]});
    let (recorded, actual) = views::comparable(&request("GET", "/crm/v3/properties/contacts"), custom, claimed, &ids);
    assert_ne!(recorded, actual, "a custom property claimed as HubSpot's counts");
}
