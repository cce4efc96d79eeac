//! meeting ⇄ Salesforce `Event`.
//!
//! - `contactIds[0]` is the event's `WhoId` (its primary person), `dealId` its `WhatId`.
//! - The other contacts are `EventRelation`s with `IsParent` (they need Shared Activities; where the org
//!   has it off, Salesforce refuses them and the connector warns).
//! - Each attendee is matched by e-mail to a Contact, else to an unconverted Lead, and invited through an
//!   `EventRelation` with `IsInvitee`; an attendee that matches nothing, or whose invitation Salesforce
//!   refuses, is a warning, never an error: the event exists by then.

use std::collections::HashMap;

use unified_core::resource::{Attendee, Meeting, MeetingInput, Text};
use unified_core::time::Timestamp;
use unified_core::{FieldError, Warning};

use super::{check_id, custom_fields, custom_record, is_id, prefix, text, timestamp, utc};
use crate::wire::{Collection, CollectionRecord, CollectionResult, Fields, QueryResult, SObject};

pub const OBJECT: &str = "Event";

/// Salesforce refuses events longer than this (`IsAllDayEvent` aside).
pub const MAX_DAYS: i64 = 14;

/// `POST /sobjects/Event/`: times in UTC with milliseconds; references checked first.
pub fn create_request(input: &MeetingInput) -> Result<Fields<'_>, Vec<FieldError>> {
    let mut problems = Vec::new();
    for (i, id) in input.contact_ids.iter().flatten().enumerate() {
        check_id(&mut problems, format!("contactIds[{i}]"), id, prefix::CONTACT, "Contact");
    }
    if let Some(id) = input.deal_id.as_deref() {
        check_id(&mut problems, "dealId".to_owned(), id, prefix::OPPORTUNITY, "Opportunity");
    }
    let start = utc("startTime", input.start_time.as_deref(), &mut problems);
    let end = utc("endTime", input.end_time.as_deref(), &mut problems);
    if let (Some(start), Some(end)) =
        (start.as_deref().and_then(Timestamp::parse), end.as_deref().and_then(Timestamp::parse))
        && end.0 - start.0 > chrono::Duration::days(MAX_DAYS)
    {
        problems.push(FieldError::new("endTime", format!("a Salesforce event lasts at most {MAX_DAYS} days")));
    }
    let mut fields = Fields::with_capacity(12);
    fields.set_text("Subject", input.title.as_deref());
    fields.set_text("Description", input.description.as_deref());
    if let Some(start) = start {
        fields.set("StartDateTime", start);
    }
    if let Some(end) = end {
        fields.set("EndDateTime", end);
    }
    fields.set_text("Location", input.location.as_deref());
    fields.set_text("WhoId", input.contact_ids.iter().flatten().next().map(Text::as_str));
    fields.set_text("WhatId", input.deal_id.as_deref());
    fields.set_text("OwnerId", input.owner_id.as_deref());
    custom_fields(&mut fields, input.custom_fields.as_ref(), &mut problems);
    if problems.is_empty() { Ok(fields) } else { Err(problems) }
}

/// The attendees' e-mails, once each (e-mails match ignoring case).
pub fn attendee_emails(input: &MeetingInput) -> Vec<&str> {
    let mut emails: Vec<&str> = Vec::new();
    for email in input.attendees.iter().flatten().filter_map(|a| a.email.as_deref()) {
        if !emails.iter().any(|e| e.eq_ignore_ascii_case(email)) {
            emails.push(email);
        }
    }
    emails
}

/// A Contact or Lead that an attendee's e-mail matched: its id, and the e-mail and name it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub id: String,
    pub email: Text,
    pub name: Option<Text>,
}

/// Lowercased e-mail → the oldest record that has it, from a query's answer.
pub fn matches(result: &QueryResult) -> HashMap<String, Match> {
    let mut found = HashMap::new();
    for record in &result.records {
        if let (Some(email), Some(id)) = (record.text("Email"), record.id()) {
            let name = full_name(record.text("FirstName"), record.text("LastName"));
            let matched = Match { id: id.to_owned(), email: Text::from(email), name };
            found.entry(email.to_ascii_lowercase()).or_insert(matched);
        }
    }
    found
}

/// `First Last`, either part alone, or `None`.
fn full_name(first: Option<&str>, last: Option<&str>) -> Option<Text> {
    let parts: Vec<&str> = [first, last].into_iter().flatten().map(str::trim).filter(|p| !p.is_empty()).collect();
    (!parts.is_empty()).then(|| Text::from(parts.join(" ")))
}

/// One `EventRelation` of an event as Salesforce stores it: the related record and its flags, with the
/// e-mail and name of that record when it is an invitee (what the record reports as an attendee).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventRelation {
    pub relation_id: Text,
    /// An extra related contact (Shared Activities).
    pub is_parent: bool,
    pub is_invitee: bool,
    pub email: Option<Text>,
    pub name: Option<Text>,
}

/// What one relation stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// `contactIds[i]`, `i > 0`.
    Contact(usize),
    /// `attendees[i]`.
    Attendee(usize),
}

/// A relation to create: the row as it is written, and the unified fields it carries (for warnings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub relation: EventRelation,
    pub links: Vec<Link>,
}

/// The relations to create, in the order of the collection's records, and a warning per attendee no
/// record matched.
#[derive(Debug, Default)]
pub struct Relations<'a> {
    pub collection: Option<Collection<'a>>,
    pub planned: Vec<Planned>,
    pub unmatched: Vec<Warning>,
}

/// Adds a link to the relation of `id`, or a new relation; one relation per record, its flags merged when
/// a contact is also an attendee.
fn plan(planned: &mut Vec<Planned>, id: &str, link: Link, invitee: Option<&Match>) {
    let index = match planned.iter().position(|p| p.relation.relation_id == id) {
        Some(index) => index,
        None => {
            let relation = EventRelation { relation_id: Text::from(id), ..EventRelation::default() };
            planned.push(Planned { relation, links: Vec::new() });
            planned.len() - 1
        }
    };
    let entry = &mut planned[index];
    match (link, invitee) {
        (Link::Contact(_), _) => entry.relation.is_parent = true,
        (Link::Attendee(_), Some(person)) => {
            entry.relation.is_invitee = true;
            entry.relation.email = Some(person.email.clone());
            entry.relation.name = person.name.clone();
        }
        (Link::Attendee(_), None) => {}
    }
    entry.links.push(link);
}

/// The `EventRelation`s of an event: the extra contacts (`IsParent`) and the matched attendees
/// (`IsInvitee`).
pub fn relations<'a>(input: &MeetingInput, event_id: &'a str, found: &HashMap<String, Match>) -> Relations<'a> {
    let mut planned = Vec::new();
    for (i, id) in input.contact_ids.iter().flatten().enumerate().skip(1) {
        plan(&mut planned, id, Link::Contact(i), None);
    }
    let mut unmatched = Vec::new();
    for (i, attendee) in input.attendees.iter().flatten().enumerate() {
        let email = attendee.email.as_deref().unwrap_or_default();
        match found.get(&email.to_ascii_lowercase()) {
            Some(person) => plan(&mut planned, &person.id, Link::Attendee(i), Some(person)),
            None => unmatched.push(Warning::new(
                format!("attendees[{i}]"),
                format!("no Salesforce contact or lead has the e-mail {email}; the attendee was not invited"),
            )),
        }
    }
    let records: Vec<CollectionRecord<'a>> = planned.iter().map(|p| relation_record(event_id, &p.relation)).collect();
    let collection = (!records.is_empty()).then_some(Collection { all_or_none: false, records });
    Relations { collection, planned, unmatched }
}

fn relation_record<'a>(event_id: &'a str, relation: &EventRelation) -> CollectionRecord<'a> {
    let mut fields = Fields::with_capacity(4);
    fields.set("EventId", event_id);
    fields.set("RelationId", relation.relation_id.as_str().to_owned());
    // Each flag only when set: `IsParent` exists only in orgs with Shared Activities, so an invitation
    // must not name it.
    if relation.is_parent {
        fields.set("IsParent", true);
    }
    if relation.is_invitee {
        fields.set("IsInvitee", true);
    }
    CollectionRecord::new("EventRelation", fields)
}

/// The relations Salesforce made (those its answer confirms), and a warning for each it refused.
#[derive(Debug, Default, PartialEq)]
pub struct Related {
    pub relations: Vec<EventRelation>,
    pub warnings: Vec<Warning>,
}

pub fn related(planned: &[Planned], results: &[CollectionResult]) -> Related {
    let mut out = Related::default();
    for (i, planned) in planned.iter().enumerate() {
        let refusal = match results.get(i) {
            Some(r) if r.success => None,
            Some(r) => Some(
                r.errors.iter().map(|e| format!("{} ({})", e.message, e.status_code)).collect::<Vec<_>>().join("; "),
            ),
            None => Some("Salesforce returned no result for it".to_owned()),
        };
        match refusal {
            None => out.relations.push(planned.relation.clone()),
            Some(why) => out.warnings.extend(planned.links.iter().map(|link| refused_link(*link, &why))),
        }
    }
    out
}

fn refused_link(link: Link, why: &str) -> Warning {
    match link {
        Link::Contact(c) => Warning::new(
            format!("contactIds[{c}]"),
            format!("Salesforce did not relate the contact to the event: {why}"),
        ),
        Link::Attendee(a) => {
            Warning::new(format!("attendees[{a}]"), format!("Salesforce did not invite the attendee: {why}"))
        }
    }
}

/// The unified meeting from the stored Event and its relations: the contacts are the `WhoId` and the
/// related extra contacts, the attendees the invitees, by the e-mail and name their records have.
pub fn to_meeting(record: &SObject, relations: &[EventRelation]) -> Meeting {
    let id = Text::from(record.id().unwrap_or_default());
    let mut contact_ids: Vec<Text> = text(record, "WhoId").into_iter().collect();
    for relation in relations.iter().filter(|r| r.is_parent && is_id(&r.relation_id, prefix::CONTACT)) {
        if !contact_ids.iter().any(|c| c.eq_ignore_ascii_case(&relation.relation_id)) {
            contact_ids.push(relation.relation_id.clone());
        }
    }
    let attendees: Vec<Attendee> = relations
        .iter()
        .filter(|r| r.is_invitee)
        .map(|r| Attendee { email: r.email.clone(), name: r.name.clone() })
        .collect();
    Meeting {
        remote_id: id.clone(),
        id,
        title: text(record, "Subject"),
        description: text(record, "Description"),
        start_time: timestamp(record, "StartDateTime"),
        end_time: timestamp(record, "EndDateTime"),
        location: text(record, "Location"),
        attendees: (!attendees.is_empty()).then_some(attendees),
        contact_ids: (!contact_ids.is_empty()).then_some(contact_ids),
        deal_id: text(record, "WhatId"),
        owner_id: text(record, "OwnerId"),
        owner_name: None,
        owner_email: None,
        tags: None,
        source: None,
        custom_fields: custom_record(record, &[]),
        created_at: timestamp(record, "CreatedDate"),
        updated_at: timestamp(record, "LastModifiedDate"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::CollectionError;

    fn input() -> MeetingInput {
        serde_json::from_str(
            r#"{"title":"Discovery","startTime":"2026-06-02T15:00:00+02:00","endTime":"2026-06-02T15:45:00+02:00",
                "contactIds":["0038c00002XyZ12AAF","0038c00002XyZ13AAF"],"dealId":"0068c00000PoIuYAAV",
                "attendees":[{"email":"Maria@Northwind.com","name":"María"},{"email":"tom@example.com"},{"email":"x@y.co"}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn times_are_utc_and_the_first_contact_is_the_who() {
        let input = input();
        let body = serde_json::to_value(create_request(&input).unwrap()).unwrap();
        assert_eq!(body["StartDateTime"], "2026-06-02T13:00:00.000Z");
        assert_eq!(body["EndDateTime"], "2026-06-02T13:45:00.000Z");
        assert_eq!(
            (body["WhoId"].as_str(), body["WhatId"].as_str()),
            (Some("0038c00002XyZ12AAF"), Some("0068c00000PoIuYAAV"))
        );
    }

    #[test]
    fn references_and_length_are_checked() {
        let mut input = input();
        input.deal_id = Some("0018c00003QwErTAAR".into());
        input.end_time = Some("2026-06-20T15:45:00+02:00".into());
        let problems = create_request(&input).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["dealId", "endTime"]);
    }

    fn found() -> HashMap<String, Match> {
        let person =
            |id: &str, email: &str, name: &str| Match { id: id.into(), email: email.into(), name: Some(name.into()) };
        HashMap::from([
            ("maria@northwind.com".to_owned(), person("00Q8c00001AbCdEEAV", "maria@northwind.com", "María López")),
            ("tom@example.com".to_owned(), person("0038c00002XyZ13AAF", "Tom@Example.com", "Tom Becker")),
        ])
    }

    #[test]
    fn matches_keep_the_records_email_and_name() {
        let result: QueryResult = serde_json::from_str(
            r#"{"totalSize":2,"done":true,"records":[
                {"Id":"0038c00002XyZ13AAF","FirstName":"Tom","LastName":"Becker","Email":"Tom@Example.com"},
                {"Id":"0038c00002XyZ14AAF","FirstName":null,"LastName":"Twin","Email":"tom@example.com"}]}"#,
        )
        .unwrap();
        let matched = matches(&result);
        assert_eq!(matched.len(), 1, "the oldest record of an e-mail");
        assert_eq!(matched["tom@example.com"], found()["tom@example.com"]);
    }

    #[test]
    fn relations_merge_and_unmatched_attendees_warn() {
        let input = input();
        assert_eq!(attendee_emails(&input), ["Maria@Northwind.com", "tom@example.com", "x@y.co"]);
        let relations = relations(&input, "00U8c00000AbCdEEAV", &found());
        let body = serde_json::to_value(relations.collection.as_ref().unwrap()).unwrap();
        assert_eq!(body["allOrNone"], false);
        let records = body["records"].as_array().unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(
            (records[0]["RelationId"].as_str(), &records[0]["IsParent"], &records[0]["IsInvitee"]),
            (Some("0038c00002XyZ13AAF"), &serde_json::json!(true), &serde_json::json!(true)),
            "contactIds[1] is also attendee 1: one relation"
        );
        let links: Vec<&[Link]> = relations.planned.iter().map(|p| p.links.as_slice()).collect();
        assert_eq!(links, [&[Link::Contact(1), Link::Attendee(1)][..], &[Link::Attendee(0)][..]]);
        assert!(records[1].get("IsParent").is_none(), "an invitation never names IsParent");
        assert_eq!(relations.unmatched[0].field, "attendees[2]");

        let results = vec![
            CollectionResult {
                id: None,
                success: false,
                errors: vec![CollectionError {
                    status_code: "INVALID_FIELD_FOR_INSERT_UPDATE".into(),
                    message: "no".into(),
                    fields: vec![],
                }],
            },
            CollectionResult { id: Some("0RE8c000001AbCdEAK".into()), success: true, errors: vec![] },
        ];
        let related = related(&relations.planned, &results);
        let made: Vec<&str> = related.relations.iter().map(|r| r.relation_id.as_str()).collect();
        assert_eq!(made, ["00Q8c00001AbCdEEAV"]);
        let warned: Vec<&str> = related.warnings.iter().map(|w| w.field.as_str()).collect();
        assert_eq!(warned, ["contactIds[1]", "attendees[1]"]);
    }

    #[test]
    fn reads_the_event_and_its_relations_back() {
        let record: SObject = serde_json::from_str(
            r#"{"Id":"00U8c000000UdjKEAS","Subject":"Discovery","StartDateTime":"2026-06-02T13:00:00.000+0000",
                "EndDateTime":"2026-06-02T13:45:00.000+0000","WhoId":"0038c00002XyZ12AAF","WhatId":"0068c00000PoIuYAAV",
                "Meeting_Link__c":null,"Type":"Meeting"}"#,
        )
        .unwrap();
        let relations = related(
            &relations(&input(), "00U8c000000UdjKEAS", &found()).planned,
            &[
                CollectionResult { id: Some("0RE1".into()), success: true, errors: vec![] },
                CollectionResult { id: Some("0RE2".into()), success: true, errors: vec![] },
            ],
        )
        .relations;
        let who_again =
            EventRelation { relation_id: "0038c00002XyZ12AAF".into(), is_parent: true, ..Default::default() };
        let relations = [vec![who_again], relations].concat();
        let meeting = to_meeting(&record, &relations);
        assert_eq!(meeting.contact_ids.unwrap(), ["0038c00002XyZ12AAF", "0038c00002XyZ13AAF"], "the who once, first");
        let attendees: Vec<(Option<&str>, Option<&str>)> =
            meeting.attendees.iter().flatten().map(|a| (a.email.as_deref(), a.name.as_deref())).collect();
        assert_eq!(
            attendees,
            [(Some("Tom@Example.com"), Some("Tom Becker")), (Some("maria@northwind.com"), Some("María López"))],
            "as the matched records have them, in the relations' order"
        );
        assert_eq!(meeting.end_time.unwrap().to_string(), "2026-06-02T13:45:00.000Z");
        assert_eq!(
            serde_json::Value::Object(meeting.custom_fields.unwrap()),
            serde_json::json!({"Meeting_Link__c": null})
        );
        assert_eq!(to_meeting(&record, &[]).attendees, None);
    }
}
