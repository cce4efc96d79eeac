//! meeting ⇄ HubSpot `meetings` (objectTypeId `0-47`).
//!
//! HubSpot has no attendee list on a meeting: external attendees are associated contacts (`200`), so
//! each attendee becomes (or is matched to) a contact first.

use unified_core::FieldError;
use unified_core::connector::Settings;
use unified_core::resource::{Attendee, Meeting, MeetingInput, MeetingPatch, Text};
use unified_core::time::Timestamp;

use super::links::Links;
use super::{ReadContext, custom_properties, finish_patch, owned, patch_text, source_property, timestamp};
use crate::wire::{Association, CreateObject, CrmObject, PatchObject, Properties};

/// The object type, in paths and association blocks.
pub const OBJECT: &str = "meetings";

/// The association types a read asks for.
pub const LINKS: &[&str] = &["contacts", "deals"];

/// meeting → contact.
pub const MEETING_TO_CONTACT: u32 = 200;
/// meeting → deal.
pub const MEETING_TO_DEAL: u32 = 212;

pub const MAPPED: &[&str] = &[
    "hs_meeting_title",
    "hs_meeting_body",
    "hs_meeting_location",
    "hs_meeting_start_time",
    "hs_meeting_end_time",
    "hs_timestamp",
    "hubspot_owner_id",
];

/// The contact an attendee becomes: e-mail, and the name split into first and last at the first space.
pub fn attendee_contact_request(attendee: &Attendee) -> CreateObject<'_> {
    let mut properties = Properties::with_capacity(3);
    properties.set_opt("email", attendee.email.as_deref());
    if let Some(name) = attendee.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        match name.split_once(' ') {
            Some((first, last)) => {
                properties.set("firstname", first);
                properties.set("lastname", last.trim());
            }
            None => properties.set("firstname", name),
        }
    }
    CreateObject { properties, associations: Vec::new() }
}

/// HubSpot's datetime form: UTC with milliseconds.
fn utc(field: &str, value: Option<&str>, problems: &mut Vec<FieldError>) -> Option<String> {
    let value = value?;
    match Timestamp::parse(value) {
        Some(t) => Some(t.to_string()),
        None => {
            problems.push(FieldError::new(field, "must be an RFC 3339 date-time"));
            None
        }
    }
}

/// `POST /crm/v3/objects/meetings`, associated with the given contacts, the attendees' contacts and the deal.
/// `hs_timestamp` (where the meeting sits on the timeline) is the start time.
pub fn create_request<'a>(
    input: &'a MeetingInput,
    attendee_contact_ids: &'a [String],
    settings: &'a Settings,
) -> Result<CreateObject<'a>, Vec<FieldError>> {
    let mut problems = Vec::new();
    let start = utc("startTime", input.start_time.as_deref(), &mut problems);
    let end = utc("endTime", input.end_time.as_deref(), &mut problems);
    let mut properties = Properties::with_capacity(12);
    if let Some(start) = &start {
        properties.set("hs_timestamp", start.clone());
    }
    properties.set_opt("hs_meeting_title", input.title.as_deref());
    properties.set_opt("hs_meeting_body", input.description.as_deref());
    properties.set_opt("hs_meeting_location", input.location.as_deref());
    if let Some(start) = start {
        properties.set("hs_meeting_start_time", start);
    }
    if let Some(end) = end {
        properties.set("hs_meeting_end_time", end);
    }
    properties.set_opt("hubspot_owner_id", input.owner_id.as_deref());
    if let Some(property) = source_property(settings) {
        properties.set_opt(property, input.source.as_deref());
    }
    custom_properties(&mut properties, input.custom_fields.as_ref(), &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut contact_ids: Vec<&str> = input.contact_ids.iter().flatten().map(Text::as_str).collect();
    for id in attendee_contact_ids {
        if !contact_ids.contains(&id.as_str()) {
            contact_ids.push(id);
        }
    }
    let mut associations: Vec<Association<'a>> =
        contact_ids.into_iter().map(|id| Association::to(id, MEETING_TO_CONTACT)).collect();
    if let Some(deal) = input.deal_id.as_deref() {
        associations.push(Association::to(deal, MEETING_TO_DEAL));
    }
    Ok(CreateObject { properties, associations })
}

/// `PATCH /crm/v3/objects/meetings/{id}`; a new start moves `hs_timestamp` with it. `contactIds` and
/// `dealId` are associations, changed by the connector with the associations API.
pub fn patch_request<'a>(patch: &'a MeetingPatch, settings: &'a Settings) -> Result<PatchObject<'a>, Vec<FieldError>> {
    let mut problems = Vec::new();
    let mut properties = Properties::with_capacity(8);
    patch_text(&mut properties, "hs_meeting_title", &patch.title);
    patch_text(&mut properties, "hs_meeting_body", &patch.description);
    patch_text(&mut properties, "hs_meeting_location", &patch.location);
    if let Some(start) = utc("startTime", patch.start_time.value().map(Text::as_str), &mut problems) {
        properties.set("hs_timestamp", start.clone());
        properties.set("hs_meeting_start_time", start);
    }
    if let Some(end) = utc("endTime", patch.end_time.value().map(Text::as_str), &mut problems) {
        properties.set("hs_meeting_end_time", end);
    }
    finish_patch(properties, &patch.owner_id, &patch.source, &patch.custom_fields, settings, problems)
}

/// An attendee as HubSpot knows one: an associated contact, by e-mail and name.
pub fn attendee_from(contact: &CrmObject<'_>) -> Option<Attendee> {
    let values = &contact.properties;
    let email = owned(values, "email")?;
    let name: Vec<&str> =
        [values.get("firstname"), values.get("lastname")].into_iter().flatten().filter(|p| !p.is_empty()).collect();
    Some(Attendee { email: Some(email), name: (!name.is_empty()).then(|| Text::from(name.join(" "))) })
}

/// The properties an attendee's contact is read with.
pub const ATTENDEE_PROPERTIES: &[&str] = &["email", "firstname", "lastname"];

/// The unified meeting from a HubSpot meeting, its associations and its associated contacts (HubSpot
/// keeps no attendee list: a meeting's attendees are the contacts associated with it, so every associated
/// contact is in `contactIds`, and those with an e-mail are the `attendees`). The one read mapping of meetings.
pub fn to_meeting(object: &CrmObject<'_>, links: &Links, attendees: Vec<Attendee>, ctx: &ReadContext<'_>) -> Meeting {
    let values = &object.properties;
    let id = Text::from(object.id.as_str());
    let time = |name: &str| timestamp(values.0.iter().find(|(n, _)| n.as_str() == name).and_then(|(_, v)| v.as_ref()));
    Meeting {
        remote_id: id.clone(),
        id,
        title: owned(values, "hs_meeting_title"),
        description: owned(values, "hs_meeting_body"),
        start_time: time("hs_meeting_start_time").or_else(|| time("hs_timestamp")),
        end_time: time("hs_meeting_end_time"),
        location: owned(values, "hs_meeting_location"),
        attendees: (!attendees.is_empty()).then_some(attendees),
        contact_ids: links.list("contacts"),
        deal_id: links.first("deals"),
        owner_id: owned(values, "hubspot_owner_id"),
        owner_name: None,
        owner_email: None,
        tags: None,
        source: ctx.source_value(values),
        custom_fields: ctx.custom_fields(values),
        created_at: timestamp(object.created_at.as_ref()),
        updated_at: timestamp(object.updated_at.as_ref()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_and_timestamp_is_the_start() {
        let input = MeetingInput {
            title: Some("Call".into()),
            start_time: Some("2026-06-02T15:00:00+02:00".into()),
            end_time: Some("2026-06-02T15:45:00+02:00".into()),
            contact_ids: Some(vec!["1".into()]),
            deal_id: Some("9".into()),
            ..Default::default()
        };
        let attendees = vec!["1".to_owned(), "2".to_owned()];
        let body = serde_json::to_value(create_request(&input, &attendees, &Settings::new()).unwrap()).unwrap();
        assert_eq!(body["properties"]["hs_timestamp"], "2026-06-02T13:00:00.000Z");
        assert_eq!(body["properties"]["hs_meeting_end_time"], "2026-06-02T13:45:00.000Z");
        let ids: Vec<&str> =
            body["associations"].as_array().unwrap().iter().map(|a| a["to"]["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["1", "2", "9"], "attendee 1 is already a contact: associated once");
    }

    #[test]
    fn attendee_names_split_at_the_first_space() {
        let attendee = Attendee { email: Some("a@b.co".into()), name: Some("Ana María Ruiz".into()) };
        let request = attendee_contact_request(&attendee);
        assert_eq!(request.properties.get("firstname"), Some("Ana"));
        assert_eq!(request.properties.get("lastname"), Some("María Ruiz"));
    }
}
