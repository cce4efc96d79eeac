//! Pipedrive's records: persons, organizations, deals and activities (`/api/v2`: create answers `200`,
//! RFC 3339 timestamps, strict types), and leads (`/api/v1/leads`: create answers `201`, UUID ids).
//!
//! Each record is kept as the JSON object Pipedrive returns; the builders here check a body the way
//! Pipedrive does (types, references to users, organizations, persons, deals, stages and labels, custom
//! fields by type) and produce that object. Seeding (`/_emulator/records/{kind}`) uses the same builders
//! without the reference checks.

use axum::body::Bytes;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Router, extract::rejection::ExtensionRejection};
use serde_json::{Map, Number, Value, json};
use unified_emulator::{Caller, form, lock, random};

use super::errors::{self, Problem};
use super::model::Shared;
use super::schema::{self, ACTIVITY_TYPES, COMPANY_DOMAIN, DEFAULT_USER, Entity};
use super::store::{Kind, Record, Store};
use super::time::{lead_time, v2_time};
use super::validate::{self, Checker};

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/api/v2/persons", post(create_person))
        .route("/api/v2/persons/search", get(search_persons))
        .route("/api/v2/persons/{id}", get(read_person).delete(delete_person))
        .route("/api/v2/organizations", post(create_organization))
        .route("/api/v2/organizations/search", get(search_organizations))
        .route("/api/v2/organizations/{id}", get(read_organization).delete(delete_organization))
        .route("/api/v2/deals", post(create_deal))
        .route("/api/v2/deals/{id}", get(read_deal))
        .route("/api/v2/activities", post(create_activity))
        .route("/api/v2/activities/{id}", get(read_activity))
        .route("/api/v1/leads", post(create_lead))
        .route("/api/v1/leads/{id}", get(read_lead))
}

/// What a builder needs besides the body.
#[derive(Debug)]
pub struct Ctx<'a> {
    pub store: &'a Store,
    /// The token's user: the default owner.
    pub caller: u64,
    pub now: chrono::DateTime<chrono::Utc>,
    /// Seeding: unknown fields ignored, references not checked.
    pub lenient: bool,
}

impl Ctx<'_> {
    fn checker<'b>(&self, body: &'b Map<String, Value>, allowed: &[&str]) -> Checker<'b> {
        let mut checker = Checker::new(body, allowed);
        if self.lenient {
            checker.problems.clear();
        }
        checker
    }

    /// An owner: an active user (default: the caller).
    fn owner(&self, c: &mut Checker<'_>) -> u64 {
        let owner = c.integer("owner_id");
        if let Some(id) = owner
            && !self.lenient
            && schema::active_user(id).is_none()
        {
            c.fail("owner_id", format!("User with id {id} does not exist or is not active"));
        }
        owner.unwrap_or(self.caller)
    }

    /// A reference to a live record of `kind`.
    fn reference(&self, c: &mut Checker<'_>, key: &str, kind: Kind) -> Option<u64> {
        let id = c.integer(key)?;
        if !self.lenient && self.store.live_u64(kind, id).is_none() {
            c.fail(key, format!("{} with id {id} does not exist", kind.thing()));
        }
        Some(id)
    }

    fn v2_time(&self, body: &Map<String, Value>, key: &str) -> Value {
        match body.get(key).and_then(Value::as_str).filter(|_| self.lenient) {
            Some(given) => Value::String(given.to_owned()),
            None => Value::String(v2_time(self.now)),
        }
    }
}

/// A float that holds an integer as an integer (`48000.0` is stored and echoed as `48000`).
fn tidy(number: Number) -> Number {
    match number.as_f64() {
        Some(f) if number.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => Number::from(f as i64),
        _ => number,
    }
}

fn visible_to(c: &mut Checker<'_>) -> u64 {
    match c.integer("visible_to") {
        Some(v) if [1, 3, 5, 7].contains(&v) => v,
        Some(_) => {
            c.fail("visible_to", "must be one of 1, 3, 5, 7");
            3
        }
        None => 3,
    }
}

const PERSON_FIELDS: &[&str] = &[
    "name",
    "first_name",
    "last_name",
    "owner_id",
    "org_id",
    "emails",
    "phones",
    "visible_to",
    "label_ids",
    "marketing_status",
    "custom_fields",
    "job_title",
    "postal_address",
    "add_time",
];

const ADDRESS_PARTS: &[&str] = &[
    "value",
    "street_number",
    "route",
    "sublocality",
    "locality",
    "admin_area_level_1",
    "admin_area_level_2",
    "country",
    "postal_code",
    "formatted_address",
];

/// An address object with every part present (`null` where not given).
fn address(c: &mut Checker<'_>, key: &str) -> Option<Value> {
    let given = c.object(key)?;
    let mut out = Map::new();
    for part in ADDRESS_PARTS {
        let value = match given.get(*part) {
            None | Some(Value::Null) => Value::Null,
            Some(Value::String(s)) => Value::String(s.clone()),
            Some(_) => {
                c.fail(&format!("{key}.{part}"), "must be a string");
                Value::Null
            }
        };
        out.insert((*part).to_owned(), value);
    }
    if out["formatted_address"].is_null() {
        out["formatted_address"] = out["value"].clone();
    }
    Some(Value::Object(out))
}

/// A person: `name`, or `first_name` and `last_name` (Pipedrive splits a name, or joins the parts).
pub fn build_person(body: &Map<String, Value>, ctx: &Ctx<'_>) -> Result<Map<String, Value>, Vec<Problem>> {
    let mut c = ctx.checker(body, PERSON_FIELDS);
    let name = c.string("name").map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    let first = c.string("first_name").map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    let last = c.string("last_name").map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if name.is_none() && (first.is_none() || last.is_none()) {
        c.fail("name", "is required (or both first_name and last_name)");
    }
    let (first, last) = match (&name, first, last) {
        (Some(name), None, None) => match name.split_once(' ') {
            Some((f, l)) => (Some(f.to_owned()), Some(l.trim().to_owned())),
            None => (Some(name.clone()), None),
        },
        (_, first, last) => (first, last),
    };
    let name =
        name.unwrap_or_else(|| [first.as_deref(), last.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" "));
    let owner = ctx.owner(&mut c);
    let org = ctx.reference(&mut c, "org_id", Kind::Organizations);
    let emails = c.channels("emails");
    let phones = c.channels("phones");
    let visible = visible_to(&mut c);
    let labels = c.label_ids(Entity::Person);
    let custom = c.custom_fields(Entity::Person);
    let job_title = c.string("job_title");
    let postal = address(&mut c, "postal_address");
    let marketing = c.string("marketing_status");
    if let Some(status) = &marketing
        && !["no_consent", "unsubscribed", "subscribed", "archived"].contains(&status.as_str())
    {
        c.fail("marketing_status", "must be one of no_consent, unsubscribed, subscribed, archived");
    }
    if !c.problems.is_empty() {
        return Err(c.problems);
    }
    let time = ctx.v2_time(body, "add_time");
    let mut person = json!({
        "name": name, "first_name": first, "last_name": last, "owner_id": owner, "org_id": org,
        "add_time": time, "update_time": time,
        "emails": emails, "phones": phones, "is_deleted": false, "visible_to": visible, "label_ids": labels,
        "picture_id": null, "custom_fields": custom,
    });
    let out = person.as_object_mut().expect("an object");
    if let Some(job_title) = job_title {
        out.insert("job_title".to_owned(), Value::String(job_title));
    }
    if let Some(postal) = postal {
        out.insert("postal_address".to_owned(), postal);
    }
    if let Some(marketing) = marketing {
        out.insert("marketing_status".to_owned(), Value::String(marketing));
    }
    Ok(out.clone())
}

/// An organization: `name` is required.
pub fn build_organization(body: &Map<String, Value>, ctx: &Ctx<'_>) -> Result<Map<String, Value>, Vec<Problem>> {
    let mut c = ctx.checker(body, &["name", "owner_id", "visible_to", "address", "custom_fields", "add_time"]);
    let name = c.required_string("name");
    let owner = ctx.owner(&mut c);
    let visible = visible_to(&mut c);
    let address = address(&mut c, "address");
    if c.value("custom_fields").is_some_and(|v| v.as_object().is_some_and(|o| !o.is_empty())) {
        c.fail("custom_fields", "Custom field does not exist");
    }
    if !c.problems.is_empty() {
        return Err(c.problems);
    }
    let time = ctx.v2_time(body, "add_time");
    Ok(object(json!({
        "name": name.map(|n| n.trim().to_owned()), "owner_id": owner, "add_time": time, "update_time": time,
        "is_deleted": false, "visible_to": visible, "label_ids": [], "address": address, "custom_fields": {},
    })))
}

const DEAL_FIELDS: &[&str] = &[
    "title",
    "value",
    "currency",
    "pipeline_id",
    "stage_id",
    "expected_close_date",
    "probability",
    "person_id",
    "org_id",
    "owner_id",
    "status",
    "label_ids",
    "custom_fields",
    "visible_to",
    "add_time",
];

/// A deal: `title` is required; a stage alone puts it in the stage's pipeline, a pipeline alone in its
/// first stage, neither in the first stage of the default pipeline.
pub fn build_deal(body: &Map<String, Value>, ctx: &Ctx<'_>) -> Result<Map<String, Value>, Vec<Problem>> {
    let mut c = ctx.checker(body, DEAL_FIELDS);
    let title = c.required_string("title");
    let value = c.number("value").map(tidy);
    let owner = ctx.owner(&mut c);
    let currency = c.string("currency");
    if let Some(code) = &currency
        && !(code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()))
    {
        c.fail("currency", "must be a 3-letter ISO 4217 currency code");
    }
    let currency = currency.unwrap_or_else(|| schema::user(owner).map_or("EUR", |u| u.currency).to_owned());
    let pipeline = c.integer("pipeline_id");
    let stage = c.integer("stage_id");
    let (pipeline, stage) = match (pipeline, stage) {
        (pipeline, Some(stage)) => match schema::stage(stage) {
            Some(s) if pipeline.is_none_or(|p| p == s.pipeline_id) => (s.pipeline_id, s.id),
            Some(s) => {
                c.fail(
                    "stage_id",
                    format!("Stage {} does not belong to pipeline {}", s.id, pipeline.unwrap_or_default()),
                );
                (s.pipeline_id, s.id)
            }
            None => {
                c.fail("stage_id", format!("Stage with id {stage} does not exist"));
                (pipeline.unwrap_or(schema::DEFAULT_PIPELINE), stage)
            }
        },
        (Some(pipeline), None) => match schema::first_stage(pipeline) {
            Some(s) => (pipeline, s.id),
            None => {
                c.fail("pipeline_id", format!("Pipeline with id {pipeline} does not exist"));
                (pipeline, 0)
            }
        },
        (None, None) => (schema::DEFAULT_PIPELINE, schema::first_stage(schema::DEFAULT_PIPELINE).map_or(1, |s| s.id)),
    };
    let close = c.date("expected_close_date");
    let probability = c.number("probability").map(tidy);
    if probability.as_ref().and_then(Number::as_f64).is_some_and(|p| !(0.0..=100.0).contains(&p)) {
        c.fail("probability", "must be between 0 and 100");
    }
    let person = ctx.reference(&mut c, "person_id", Kind::Persons);
    let org = ctx.reference(&mut c, "org_id", Kind::Organizations);
    let status = c.string("status").unwrap_or_else(|| "open".to_owned());
    if !["open", "won", "lost"].contains(&status.as_str()) {
        c.fail("status", "must be one of open, won, lost");
    }
    let labels = c.label_ids(Entity::Deal);
    let custom = c.custom_fields(Entity::Deal);
    let visible = visible_to(&mut c);
    if !c.problems.is_empty() {
        return Err(c.problems);
    }
    let time = ctx.v2_time(body, "add_time");
    let closed = (status != "open").then(|| time.clone());
    Ok(object(json!({
        "title": title, "creator_user_id": ctx.caller, "owner_id": owner, "value": value.unwrap_or(Number::from(0)),
        "person_id": person, "org_id": org, "stage_id": stage, "pipeline_id": pipeline, "currency": currency,
        "add_time": time, "update_time": time, "stage_change_time": time, "is_deleted": false, "status": status,
        "probability": probability, "lost_reason": null, "visible_to": visible, "close_time": closed,
        "won_time": if status == "won" { closed.clone() } else { None }, "lost_time": if status == "lost" { closed } else { None },
        "expected_close_date": close, "label_ids": labels, "origin": "API", "origin_id": null, "channel": null,
        "channel_id": null, "custom_fields": custom,
    })))
}

const ACTIVITY_FIELDS: &[&str] = &[
    "subject",
    "type",
    "owner_id",
    "deal_id",
    "lead_id",
    "person_id",
    "org_id",
    "due_date",
    "due_time",
    "duration",
    "busy",
    "done",
    "location",
    "participants",
    "attendees",
    "public_description",
    "note",
    "priority",
    "add_time",
];

/// An activity. `person_id` is read-only: the primary participant sets it.
pub fn build_activity(body: &Map<String, Value>, ctx: &Ctx<'_>) -> Result<Map<String, Value>, Vec<Problem>> {
    let mut c = ctx.checker(body, ACTIVITY_FIELDS);
    let kind = c.string("type").unwrap_or_else(|| "task".to_owned());
    if !ACTIVITY_TYPES.contains(&kind.as_str()) {
        c.fail("type", format!("Activity type {kind} does not exist"));
    }
    let subject = c.string("subject").filter(|s| !s.trim().is_empty()).unwrap_or_else(|| {
        let mut chars = kind.chars();
        chars.next().map(|f| f.to_uppercase().chain(chars).collect()).unwrap_or_default()
    });
    let owner = ctx.owner(&mut c);
    let deal = ctx.reference(&mut c, "deal_id", Kind::Deals);
    let org = ctx.reference(&mut c, "org_id", Kind::Organizations);
    let lead = c.string("lead_id");
    if let Some(id) = &lead
        && !ctx.lenient
        && ctx.store.live(Kind::Leads, id).is_none()
    {
        c.fail("lead_id", format!("Lead with id {id} does not exist"));
    }
    let mut person = None;
    if c.value("person_id").is_some() {
        if ctx.lenient {
            person = c.integer("person_id");
        } else {
            c.fail("person_id", "is read-only; link persons through participants");
        }
    }
    let due_date = c.date("due_date").unwrap_or_else(|| ctx.now.format("%Y-%m-%d").to_string());
    let due_time = c.hh_mm("due_time", false);
    let duration = c.hh_mm("duration", true);
    let busy = c.boolean("busy").unwrap_or(false);
    let done = c.boolean("done").unwrap_or(false);
    let location = address(&mut c, "location").map(|mut l| {
        if let Some(l) = l.as_object_mut() {
            l.remove("formatted_address");
            l.insert("subpremise".to_owned(), Value::Null);
        }
        l
    });
    let mut participants = Vec::new();
    for (i, item) in c.array("participants").into_iter().flatten().enumerate() {
        let id = item.get("person_id").and_then(Value::as_u64);
        let primary = item.get("primary").map_or(Some(false), Value::as_bool);
        match (id, primary) {
            (Some(id), Some(primary)) if ctx.lenient || ctx.store.live_u64(Kind::Persons, id).is_some() => {
                participants.push(json!({"person_id": id, "primary": primary}));
            }
            (Some(id), Some(_)) => {
                c.fail(&format!("participants[{i}].person_id"), format!("Person with id {id} does not exist"))
            }
            _ => c.fail(&format!("participants[{i}]"), "must be {\"person_id\": <integer>, \"primary\": <boolean>}"),
        }
    }
    if !participants.is_empty() && !participants.iter().any(|p| p["primary"] == true) {
        participants[0]["primary"] = Value::Bool(true);
    }
    if person.is_none() {
        person = participants.iter().find(|p| p["primary"] == true).and_then(|p| p["person_id"].as_u64());
    }
    let mut attendees = Vec::new();
    for (i, item) in c.array("attendees").into_iter().flatten().enumerate() {
        let email = item.get("email").and_then(Value::as_str).filter(|e| e.contains('@'));
        let Some(email) = email else {
            c.fail(&format!("attendees[{i}].email"), "is required and must be an email address");
            continue;
        };
        let name = item.get("name").and_then(Value::as_str);
        let person =
            ctx.store.live_records(Kind::Persons).find(|p| has_email(p, email)).and_then(|p| p.id.parse::<u64>().ok());
        let user = schema::USERS.iter().find(|u| u.email.eq_ignore_ascii_case(email)).map(|u| u.id);
        attendees.push(json!({"email": email, "name": name, "status": "noreply", "is_organizer": false,
            "person_id": person, "user_id": user}));
    }
    let description = c.string("public_description");
    let note = c.string("note");
    let priority = c.integer("priority");
    if !c.problems.is_empty() {
        return Err(c.problems);
    }
    let time = ctx.v2_time(body, "add_time");
    Ok(object(json!({
        "subject": subject, "type": kind, "owner_id": owner, "creator_user_id": ctx.caller, "is_deleted": false,
        "add_time": time, "update_time": time, "deal_id": deal, "lead_id": lead, "person_id": person, "org_id": org,
        "project_id": null, "due_date": due_date, "due_time": due_time, "duration": duration, "busy": busy, "done": done,
        "marked_as_done_time": if done { Some(time.clone()) } else { None }, "location": location,
        "participants": participants, "attendees": attendees, "public_description": description, "priority": priority,
        "note": note, "conference_meeting_client": null, "conference_meeting_url": null, "conference_meeting_id": null,
    })))
}

fn has_email(person: &Record, email: &str) -> bool {
    person
        .body
        .get("emails")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|e| e.get("value").and_then(Value::as_str).is_some_and(|v| v.trim().eq_ignore_ascii_case(email.trim())))
}

const LEAD_FIELDS: &[&str] = &[
    "title",
    "owner_id",
    "label_ids",
    "person_id",
    "organization_id",
    "value",
    "expected_close_date",
    "visible_to",
    "was_seen",
    "origin_id",
    "channel",
    "channel_id",
    "add_time",
];

/// A lead (v1): `title`, and a person or an organization that exists. The deal custom fields sit flat
/// at the top level by key (and `<key>_currency`, `<key>_until`); v1 takes their values as they come.
pub fn build_lead(body: &Map<String, Value>, ctx: &Ctx<'_>) -> Result<Map<String, Value>, Vec<Problem>> {
    let custom_key = |key: &str| {
        let base = key.split_once('_').map_or(key, |(base, _)| base);
        schema::custom_field(Entity::Deal, base).is_some()
    };
    let allowed: Vec<&str> =
        LEAD_FIELDS.iter().copied().chain(body.keys().map(String::as_str).filter(|k| custom_key(k))).collect();
    let mut c = ctx.checker(body, &allowed);
    let title = c.required_string("title");
    let owner = ctx.owner(&mut c);
    let person = ctx.reference(&mut c, "person_id", Kind::Persons);
    let org = ctx.reference(&mut c, "organization_id", Kind::Organizations);
    if person.is_none()
        && org.is_none()
        && c.problems.iter().all(|p| p.field != "person_id" && p.field != "organization_id")
    {
        c.fail("person_id", "A lead must be linked to a person or an organization");
    }
    let mut labels = Vec::new();
    for (i, item) in c.array("label_ids").into_iter().flatten().enumerate() {
        match item.as_str() {
            Some(id) if schema::LEAD_LABELS.iter().any(|l| l.id == id) => labels.push(Value::String(id.to_owned())),
            Some(id) => c.fail(&format!("label_ids[{i}]"), format!("Lead label with id {id} does not exist")),
            None => c.fail(&format!("label_ids[{i}]"), "must be a lead label id (a UUID string)"),
        }
    }
    let value = match c.value("value") {
        None => Value::Null,
        Some(Value::Object(v)) => match (v.get("amount"), v.get("currency").and_then(Value::as_str)) {
            (Some(Value::Number(amount)), Some(currency)) if currency.len() == 3 => {
                json!({"amount": tidy(amount.clone()), "currency": currency})
            }
            _ => {
                c.fail("value", "must be an object with a numeric amount and a currency");
                Value::Null
            }
        },
        Some(_) => {
            c.fail("value", "must be an object with a numeric amount and a currency");
            Value::Null
        }
    };
    let close = c.date("expected_close_date");
    let visible = match c.value("visible_to") {
        None => "3".to_owned(),
        Some(Value::String(v)) if ["1", "3", "5", "7"].contains(&v.as_str()) => v.clone(),
        Some(_) => {
            c.fail("visible_to", "must be one of \"1\", \"3\", \"5\", \"7\"");
            "3".to_owned()
        }
    };
    let was_seen = c.boolean("was_seen").unwrap_or(false);
    let origin_id = c.string("origin_id");
    if !c.problems.is_empty() {
        return Err(c.problems);
    }
    let time = match body.get("add_time").and_then(Value::as_str).filter(|_| ctx.lenient) {
        Some(given) => given.to_owned(),
        None => lead_time(ctx.now),
    };
    let mut lead = object(json!({
        "title": title.map(|t| t.trim().to_owned()), "owner_id": owner, "creator_id": ctx.caller, "label_ids": labels,
        "person_id": person, "organization_id": org, "source_name": "API", "origin": "API", "origin_id": origin_id,
        "channel": null, "channel_id": null, "is_archived": false, "was_seen": was_seen, "value": value,
        "expected_close_date": close, "next_activity_id": null, "add_time": time, "update_time": time,
        "visible_to": visible, "cc_email": format!("{COMPANY_DOMAIN}@pipedrivemail.com"),
    }));
    for (key, value) in body.iter().filter(|(k, _)| custom_key(k)) {
        lead.insert(key.clone(), value.clone());
    }
    Ok(lead)
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The caller, or John Smith for a handler reached without the gate (tests of the router alone).
pub fn caller(extension: Result<Extension<Caller<u64>>, ExtensionRejection>) -> u64 {
    extension.map_or(DEFAULT_USER, |Extension(Caller(user))| user)
}

type Builder = fn(&Map<String, Value>, &Ctx<'_>) -> Result<Map<String, Value>, Vec<Problem>>;

/// Checks, builds and stores a record under one lock; answers it in Pipedrive's envelope.
fn create(shared: &Shared, kind: Kind, caller: u64, body: &[u8], build: Builder) -> Response {
    let body = match validate::object(body) {
        Ok(body) => body,
        Err(message) => return errors::error(StatusCode::BAD_REQUEST, message),
    };
    let mut state = lock(shared);
    let now = state.now();
    let ctx = Ctx { store: &state.model.store, caller, now, lenient: false };
    let mut record = match build(&body, &ctx) {
        Ok(record) => record,
        Err(problems) => return errors::validation(&problems),
    };
    let (id, status) = match kind {
        Kind::Leads => (Value::String(random::uuid()), StatusCode::CREATED),
        _ => (Value::from(state.model.store.next_id(kind)), StatusCode::OK),
    };
    record.insert("id".to_owned(), id.clone());
    let stored = Record { id: id.as_str().map_or_else(|| id.to_string(), str::to_owned), body: record };
    let answer = render(kind, &stored, false);
    state.model.store.insert_into(kind, stored);
    drop(state);
    errors::data(status, answer)
}

/// A record as Pipedrive answers it: `id` first is not a JSON matter; attendees only when asked for.
pub fn render(kind: Kind, record: &Record, attendees: bool) -> Value {
    let mut body = record.body.clone();
    if kind == Kind::Activities && !attendees {
        body.remove("attendees");
    }
    Value::Object(body)
}

fn read(shared: &Shared, kind: Kind, id: &str, query: Option<&str>) -> Response {
    if kind != Kind::Leads && id.parse::<u64>().is_err() {
        return errors::validation(&[Problem::new("id", "must be an integer")]);
    }
    let include = form::pairs(query.unwrap_or_default());
    let attendees =
        form::get(&include, "include_fields").is_some_and(|f| f.split(',').any(|f| f.trim() == "attendees"));
    let state = lock(shared);
    match state.model.store.live(kind, id) {
        Some(record) => errors::data(StatusCode::OK, render(kind, record, attendees)),
        None => errors::not_found(kind.thing()),
    }
}

fn delete(shared: &Shared, kind: Kind, id: &str) -> Response {
    let Ok(number) = id.parse::<u64>() else {
        return errors::validation(&[Problem::new("id", "must be an integer")]);
    };
    let mut state = lock(shared);
    let at = v2_time(state.now());
    if state.model.store.delete(kind, id, &at) {
        errors::data(StatusCode::OK, json!({ "id": number }))
    } else {
        errors::not_found(kind.thing())
    }
}

async fn create_person(
    State(s): State<Shared>,
    c: Result<Extension<Caller<u64>>, ExtensionRejection>,
    body: Bytes,
) -> Response {
    create(&s, Kind::Persons, caller(c), &body, build_person)
}

async fn create_organization(
    State(s): State<Shared>,
    c: Result<Extension<Caller<u64>>, ExtensionRejection>,
    body: Bytes,
) -> Response {
    create(&s, Kind::Organizations, caller(c), &body, build_organization)
}

async fn create_deal(
    State(s): State<Shared>,
    c: Result<Extension<Caller<u64>>, ExtensionRejection>,
    body: Bytes,
) -> Response {
    create(&s, Kind::Deals, caller(c), &body, build_deal)
}

async fn create_activity(
    State(s): State<Shared>,
    c: Result<Extension<Caller<u64>>, ExtensionRejection>,
    body: Bytes,
) -> Response {
    create(&s, Kind::Activities, caller(c), &body, build_activity)
}

async fn create_lead(
    State(s): State<Shared>,
    c: Result<Extension<Caller<u64>>, ExtensionRejection>,
    body: Bytes,
) -> Response {
    create(&s, Kind::Leads, caller(c), &body, build_lead)
}

async fn read_person(State(s): State<Shared>, Path(id): Path<String>, RawQuery(q): RawQuery) -> Response {
    read(&s, Kind::Persons, &id, q.as_deref())
}

async fn read_organization(State(s): State<Shared>, Path(id): Path<String>, RawQuery(q): RawQuery) -> Response {
    read(&s, Kind::Organizations, &id, q.as_deref())
}

async fn read_deal(State(s): State<Shared>, Path(id): Path<String>, RawQuery(q): RawQuery) -> Response {
    read(&s, Kind::Deals, &id, q.as_deref())
}

async fn read_activity(State(s): State<Shared>, Path(id): Path<String>, RawQuery(q): RawQuery) -> Response {
    read(&s, Kind::Activities, &id, q.as_deref())
}

async fn read_lead(State(s): State<Shared>, Path(id): Path<String>, RawQuery(q): RawQuery) -> Response {
    read(&s, Kind::Leads, &id, q.as_deref())
}

async fn delete_person(State(s): State<Shared>, Path(id): Path<String>) -> Response {
    delete(&s, Kind::Persons, &id)
}

async fn delete_organization(State(s): State<Shared>, Path(id): Path<String>) -> Response {
    delete(&s, Kind::Organizations, &id)
}

/// `term`, `fields` (comma-separated), `exact_match` (case-insensitive whole value) of a v2 search.
struct Search {
    term: String,
    fields: Vec<String>,
    exact: bool,
}

fn search_query(query: Option<&str>, allowed: &[&str]) -> Result<Search, Response> {
    let pairs = form::pairs(query.unwrap_or_default());
    let exact = form::get(&pairs, "exact_match") == Some("true");
    let term = form::get(&pairs, "term").unwrap_or_default().trim().to_owned();
    let mut problems = Vec::new();
    if term.is_empty() {
        problems.push(Problem::new("term", "is required"));
    } else if !exact && term.chars().count() < 2 {
        problems.push(Problem::new("term", "must be at least 2 characters long"));
    }
    let fields: Vec<String> = match form::get(&pairs, "fields") {
        Some(list) => list.split(',').map(|f| f.trim().to_owned()).filter(|f| !f.is_empty()).collect(),
        None => allowed.iter().map(|f| (*f).to_owned()).collect(),
    };
    for field in fields.iter().filter(|f| !allowed.contains(&f.as_str())) {
        problems.push(Problem::new("fields", format!("{field} is not one of {}", allowed.join(", "))));
    }
    if problems.is_empty() { Ok(Search { term, fields, exact }) } else { Err(errors::validation(&problems)) }
}

impl Search {
    /// How well `value` matches: 1 for the whole value (case-insensitive), less for a part of it.
    fn score(&self, value: &str) -> Option<f64> {
        let (value, term) = (value.trim().to_lowercase(), self.term.to_lowercase());
        if value == term {
            Some(1.0)
        } else if !self.exact && value.contains(&term) {
            Some(0.5)
        } else {
            None
        }
    }

    fn wants(&self, field: &str) -> bool {
        self.fields.iter().any(|f| f == field)
    }
}

fn better(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn strings(record: &Record, key: &str) -> Vec<String> {
    record
        .body
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c["value"].as_str())
        .map(str::to_owned)
        .collect()
}

async fn search_persons(State(s): State<Shared>, RawQuery(q): RawQuery) -> Response {
    let search = match search_query(q.as_deref(), &["custom_fields", "email", "notes", "phone", "name"]) {
        Ok(search) => search,
        Err(response) => return response,
    };
    let state = lock(&s);
    let mut items: Vec<(f64, Value)> = Vec::new();
    for person in state.model.store.live_records(Kind::Persons) {
        let (emails, phones) = (strings(person, "emails"), strings(person, "phones"));
        let mut best = None::<f64>;
        let mut consider = |score: Option<f64>| best = better(best, score);
        if search.wants("name") {
            consider(search.score(person.text("name").unwrap_or_default()));
        }
        if search.wants("email") {
            emails.iter().for_each(|e| consider(search.score(e)));
        }
        if search.wants("phone") {
            phones.iter().for_each(|p| consider(search.score(p)));
        }
        let Some(score) = best else { continue };
        let org = person
            .body
            .get("org_id")
            .and_then(Value::as_u64)
            .and_then(|id| state.model.store.live_u64(Kind::Organizations, id));
        let item = json!({
            "id": person.body["id"], "type": "person", "name": person.body["name"], "phones": phones, "emails": emails,
            "visible_to": person.body["visible_to"], "owner": {"id": person.body["owner_id"]},
            "organization": org.map(|o| json!({"id": o.body["id"], "name": o.body["name"], "address": null})),
            "custom_fields": [], "notes": [],
        });
        items.push((score, item));
    }
    page_of(items)
}

async fn search_organizations(State(s): State<Shared>, RawQuery(q): RawQuery) -> Response {
    let search = match search_query(q.as_deref(), &["address", "custom_fields", "notes", "name"]) {
        Ok(search) => search,
        Err(response) => return response,
    };
    let state = lock(&s);
    let mut items: Vec<(f64, Value)> = Vec::new();
    for org in state.model.store.live_records(Kind::Organizations) {
        let mut best = None::<f64>;
        if search.wants("name") {
            best = better(best, search.score(org.text("name").unwrap_or_default()));
        }
        if search.wants("address") {
            let address = org.body.get("address").and_then(|a| a.get("value")).and_then(Value::as_str);
            best = better(best, address.and_then(|a| search.score(a)));
        }
        let Some(score) = best else { continue };
        let item = json!({
            "id": org.body["id"], "type": "organization", "name": org.body["name"],
            "address": org.body.get("address").and_then(|a| a.get("value")).cloned().unwrap_or(Value::Null),
            "visible_to": org.body["visible_to"], "owner": {"id": org.body["owner_id"]}, "custom_fields": [], "notes": [],
        });
        items.push((score, item));
    }
    page_of(items)
}

/// `{"items": [{"result_score", "item"}]}`, best first (creation order among equals).
fn page_of(mut items: Vec<(f64, Value)>) -> Response {
    items.sort_by(|a, b| b.0.total_cmp(&a.0));
    let items: Vec<Value> =
        items.into_iter().map(|(score, item)| json!({"result_score": score, "item": item})).collect();
    errors::page(json!({ "items": items }), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(store: &Store) -> Ctx<'_> {
        Ctx { store, caller: DEFAULT_USER, now: chrono::Utc::now(), lenient: false }
    }

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn persons_split_or_join_their_names() {
        let store = Store::new();
        let person = build_person(&map(json!({"name": "Ana María Ruiz"})), &ctx(&store)).unwrap();
        assert_eq!((person["first_name"].as_str(), person["last_name"].as_str()), (Some("Ana"), Some("María Ruiz")));
        assert_eq!(person["owner_id"], DEFAULT_USER);
        let person = build_person(&map(json!({"name": "Tanaka", "last_name": "Tanaka"})), &ctx(&store)).unwrap();
        assert_eq!((person["first_name"].clone(), person["last_name"].clone()), (Value::Null, json!("Tanaka")));
        let person = build_person(&map(json!({"first_name": "Aiko", "last_name": "Tanaka"})), &ctx(&store)).unwrap();
        assert_eq!(person["name"], "Aiko Tanaka");
        let problems =
            build_person(&map(json!({"first_name": "Aiko", "org_id": 1, "owner_id": 12011988})), &ctx(&store))
                .unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["name", "owner_id", "org_id"]);
    }

    #[test]
    fn deals_find_their_pipeline_and_stage() {
        let store = Store::new();
        let deal = build_deal(&map(json!({"title": "D", "stage_id": 6, "value": 48000.0})), &ctx(&store)).unwrap();
        assert_eq!((deal["pipeline_id"].as_u64(), deal["value"].clone()), (Some(2), json!(48000)));
        assert_eq!(deal["currency"], "EUR", "the owner's default currency");
        let deal = build_deal(&map(json!({"title": "D"})), &ctx(&store)).unwrap();
        assert_eq!((deal["pipeline_id"].as_u64(), deal["stage_id"].as_u64()), (Some(1), Some(1)));
        let problems =
            build_deal(&map(json!({"title": "D", "stage_id": 6, "pipeline_id": 1, "value": "5"})), &ctx(&store))
                .unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["value", "stage_id"]);
    }

    #[test]
    fn leads_need_a_person_or_an_organization() {
        let store = Store::new();
        let problems = build_lead(&map(json!({"title": "L"})), &ctx(&store)).unwrap_err();
        assert_eq!(problems[0].message, "A lead must be linked to a person or an organization");
        let lenient = Ctx { lenient: true, ..ctx(&store) };
        let lead = build_lead(
            &map(json!({"title": "L", "person_id": 1, "value": {"amount": 10.0, "currency": "EUR"},
                "f71e507373d14e99dc78c9cb59dbbd7983f1f059": "APAC", "junk": 1})),
            &lenient,
        )
        .unwrap();
        assert_eq!(lead["value"], json!({"amount": 10, "currency": "EUR"}));
        assert_eq!(lead["f71e507373d14e99dc78c9cb59dbbd7983f1f059"], "APAC");
        assert!(!lead.contains_key("junk"));
    }
}
