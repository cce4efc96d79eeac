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

use super::{check_id, custom_fields, custom_record, prefix, read_fields, text, timestamp, utc};
use crate::wire::{Collection, CollectionRecord, CollectionResult, Fields, QueryResult, SObject};

pub const OBJECT: &str = "Event";

/// Salesforce refuses events longer than this (`IsAllDayEvent` aside).
pub const MAX_DAYS: i64 = 14;

const MAPPED: &[&str] = &[
    "Id",
    "Subject",
    "Description",
    "StartDateTime",
    "EndDateTime",
    "Location",
    "WhoId",
    "WhatId",
    "OwnerId",
    "CreatedDate",
    "LastModifiedDate",
];

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

/// Lowercased e-mail → the id of the oldest record that has it, from a query's answer.
pub fn matches(result: &QueryResult) -> HashMap<String, String> {
    let mut found = HashMap::new();
    for record in &result.records {
        if let (Some(email), Some(id)) = (record.text("Email"), record.id()) {
            found.entry(email.to_ascii_lowercase()).or_insert_with(|| id.to_owned());
        }
    }
    found
}

/// What one relation stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// `contactIds[i]`, `i > 0`.
    Contact(usize),
    /// `attendees[i]`.
    Attendee(usize),
}

/// The relations to create, what each stands for, and a warning per attendee no record matched.
#[derive(Debug, Default)]
pub struct Relations<'a> {
    pub collection: Option<Collection<'a>>,
    pub links: Vec<Vec<Link>>,
    pub unmatched: Vec<Warning>,
}

/// The `EventRelation`s of an event: the extra contacts (`IsParent`) and the matched attendees
/// (`IsInvitee`); one relation per record, its flags merged when a contact is also an attendee.
pub fn relations<'a>(input: &'a MeetingInput, event_id: &'a str, found: &HashMap<String, String>) -> Relations<'a> {
    let mut ids: Vec<(String, bool, bool, Vec<Link>)> = Vec::new();
    let mut add = |id: &str, parent: bool, invitee: bool, link: Link| match ids
        .iter_mut()
        .find(|(existing, ..)| existing == id)
    {
        Some(entry) => {
            entry.1 |= parent;
            entry.2 |= invitee;
            entry.3.push(link);
        }
        None => ids.push((id.to_owned(), parent, invitee, vec![link])),
    };
    for (i, id) in input.contact_ids.iter().flatten().enumerate().skip(1) {
        add(id, true, false, Link::Contact(i));
    }
    let mut unmatched = Vec::new();
    for (i, attendee) in input.attendees.iter().flatten().enumerate() {
        let email = attendee.email.as_deref().unwrap_or_default();
        match found.get(&email.to_ascii_lowercase()) {
            Some(id) => add(id, false, true, Link::Attendee(i)),
            None => unmatched.push(Warning::new(
                format!("attendees[{i}]"),
                format!("no Salesforce contact or lead has the e-mail {email}; the attendee was not invited"),
            )),
        }
    }
    let links = ids.iter().map(|(.., links)| links.clone()).collect();
    let records: Vec<CollectionRecord<'a>> = ids
        .into_iter()
        .map(|(id, parent, invitee, _)| {
            let mut fields = Fields::with_capacity(4);
            fields.set("EventId", event_id);
            fields.set("RelationId", id);
            // Each flag only when set: `IsParent` exists only in orgs with Shared Activities, so an
            // invitation must not name it.
            if parent {
                fields.set("IsParent", true);
            }
            if invitee {
                fields.set("IsInvitee", true);
            }
            CollectionRecord::new("EventRelation", fields)
        })
        .collect();
    let collection = (!records.is_empty()).then_some(Collection { all_or_none: false, records });
    Relations { collection, links, unmatched }
}

/// Which relations Salesforce made, and a warning for each it refused.
#[derive(Debug, Default, PartialEq)]
pub struct Related {
    pub contacts: Vec<usize>,
    pub attendees: Vec<usize>,
    pub warnings: Vec<Warning>,
}

pub fn related(links: &[Vec<Link>], results: &[CollectionResult]) -> Related {
    let mut out = Related::default();
    for (i, links) in links.iter().enumerate() {
        let result = results.get(i);
        let refusal = match result {
            Some(r) if r.success => None,
            Some(r) => Some(
                r.errors.iter().map(|e| format!("{} ({})", e.message, e.status_code)).collect::<Vec<_>>().join("; "),
            ),
            None => Some("Salesforce returned no result for it".to_owned()),
        };
        for link in links {
            match (link, &refusal) {
                (Link::Contact(c), None) => out.contacts.push(*c),
                (Link::Attendee(a), None) => out.attendees.push(*a),
                (Link::Contact(c), Some(why)) => out.warnings.push(Warning::new(
                    format!("contactIds[{c}]"),
                    format!("Salesforce did not relate the contact to the event: {why}"),
                )),
                (Link::Attendee(a), Some(why)) => out.warnings.push(Warning::new(
                    format!("attendees[{a}]"),
                    format!("Salesforce did not invite the attendee: {why}"),
                )),
            }
        }
    }
    out.contacts.sort_unstable();
    out.attendees.sort_unstable();
    out
}

/// `GET /sobjects/Event/{id}?fields=…`.
pub fn read_request(input: &MeetingInput) -> Vec<String> {
    read_fields(MAPPED, None, input.custom_fields.as_ref())
}

/// The unified meeting from the read-back and the relations Salesforce made: the contacts are the
/// `WhoId` and the related extra contacts; the attendees those invited.
pub fn to_meeting(record: &SObject, input: &MeetingInput, related: &Related) -> Meeting {
    let id = Text::from(record.id().unwrap_or_default());
    let given: Vec<&Text> = input.contact_ids.iter().flatten().collect();
    let contact_ids: Vec<Text> = text(record, "WhoId")
        .into_iter()
        .chain(related.contacts.iter().filter_map(|i| given.get(*i).map(|t| (*t).clone())))
        .collect();
    let attendees: Vec<Attendee> =
        related.attendees.iter().filter_map(|i| input.attendees.as_ref().and_then(|a| a.get(*i)).cloned()).collect();
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
        custom_fields: custom_record(record, input.custom_fields.as_ref()),
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

    #[test]
    fn relations_merge_and_unmatched_attendees_warn() {
        let input = input();
        assert_eq!(attendee_emails(&input), ["Maria@Northwind.com", "tom@example.com", "x@y.co"]);
        let found = HashMap::from([
            ("maria@northwind.com".to_owned(), "00Q8c00001AbCdEEAV".to_owned()),
            ("tom@example.com".to_owned(), "0038c00002XyZ13AAF".to_owned()),
        ]);
        let relations = relations(&input, "00U8c00000AbCdEEAV", &found);
        let body = serde_json::to_value(relations.collection.as_ref().unwrap()).unwrap();
        assert_eq!(body["allOrNone"], false);
        let records = body["records"].as_array().unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(
            (records[0]["RelationId"].as_str(), &records[0]["IsParent"], &records[0]["IsInvitee"]),
            (Some("0038c00002XyZ13AAF"), &serde_json::json!(true), &serde_json::json!(true)),
            "contactIds[1] is also attendee 1: one relation"
        );
        assert_eq!(relations.links, [vec![Link::Contact(1), Link::Attendee(1)], vec![Link::Attendee(0)]]);
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
        let related = related(&relations.links, &results);
        assert_eq!((related.contacts.as_slice(), related.attendees.as_slice()), (&[][..], &[0][..]));
        let warned: Vec<&str> = related.warnings.iter().map(|w| w.field.as_str()).collect();
        assert_eq!(warned, ["contactIds[1]", "attendees[1]"]);
    }
}
