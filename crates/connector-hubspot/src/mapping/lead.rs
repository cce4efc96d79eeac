//! lead ⇄ HubSpot `leads` (objectTypeId `0-136`).
//!
//! A HubSpot lead must be associated with a contact, so a unified lead becomes two objects: the contact
//! (the person fields) and the lead (name, stage, owner, custom properties) associated with it (`578`,
//! lead→primary contact).

use unified_core::FieldError;
use unified_core::connector::Settings;
use unified_core::resource::{Lead, LeadInput, LeadPatch, LeadStatus, Text};

use super::contact::{Person, PersonPatch, PersonRecord, person_patch, person_properties};
use super::{ReadContext, custom_properties, owned, patch_custom, patch_text, source_property, timestamp};
use crate::wire::{CreateObject, CrmObject, PatchObject, Properties};

/// lead → primary contact.
pub const LEAD_TO_PRIMARY_CONTACT: u32 = 578;

/// The object type, in paths and association blocks.
pub const OBJECT: &str = "leads";

/// Lead properties this mapping writes and reads.
pub const MAPPED: &[&str] = &["hs_lead_name", "hs_pipeline_stage", "hubspot_owner_id"];

/// The association types a read asks for: the lead's contact.
pub const LINKS: &[&str] = &["contacts"];

/// Unified status ⇄ the default lead pipeline's stage ids.
const STATUSES: [(LeadStatus, &str); 5] = [
    (LeadStatus::New, "new-stage-id"),
    (LeadStatus::Open, "attempting-stage-id"),
    (LeadStatus::InProgress, "connected-stage-id"),
    (LeadStatus::Qualified, "qualified-stage-id"),
    (LeadStatus::Unqualified, "unqualified-stage-id"),
];

pub fn status_to_hubspot(status: LeadStatus) -> &'static str {
    STATUSES.iter().find(|(s, _)| *s == status).map(|(_, id)| *id).unwrap_or("new-stage-id")
}

/// A custom (numeric) stage has no unified equivalent: no status.
pub fn status_from_hubspot(stage: &str) -> Option<LeadStatus> {
    STATUSES.iter().find(|(_, id)| *id == stage).map(|(s, _)| *s)
}

/// The contact that carries the lead's person fields.
pub fn contact_request<'a>(input: &'a LeadInput, settings: &'a Settings) -> CreateObject<'a> {
    CreateObject { properties: person_properties(&Person::from(input), settings), associations: Vec::new() }
}

/// `hs_lead_name`: "First Last – Company", falling back to whatever identifies the person.
pub fn lead_name(input: &LeadInput) -> String {
    let person: Vec<&str> = [input.first_name.as_deref(), input.last_name.as_deref()].into_iter().flatten().collect();
    let person =
        if person.is_empty() { input.email.as_deref().unwrap_or_default().to_owned() } else { person.join(" ") };
    match (person.is_empty(), input.company.as_deref()) {
        (false, Some(company)) => format!("{person} – {company}"),
        (false, None) => person,
        (true, company) => company.unwrap_or("Lead").to_owned(),
    }
}

/// The lead itself; the connector adds the association to its contact once that exists.
pub fn lead_request<'a>(input: &'a LeadInput, name: &'a str) -> Result<CreateObject<'a>, Vec<FieldError>> {
    let mut properties = crate::wire::Properties::with_capacity(4);
    properties.set("hs_lead_name", name);
    if let Some(status) = input.status {
        properties.set("hs_pipeline_stage", status_to_hubspot(status));
    }
    properties.set_opt("hubspot_owner_id", input.owner_id.as_deref());
    let mut problems = Vec::new();
    custom_properties(&mut properties, input.custom_fields.as_ref(), &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(CreateObject { properties, associations: Vec::new() })
}

/// The lead's own properties of an update (status, owner, custom properties); the person fields go to
/// its contact ([`contact_patch`]).
pub fn lead_patch(patch: &LeadPatch) -> Result<PatchObject<'_>, Vec<FieldError>> {
    let mut properties = Properties::with_capacity(4);
    match patch.status.as_change() {
        None => {}
        // A lead always sits in a stage of its pipeline: "clearing" the status sends it back to the first.
        Some(None) => properties.set("hs_pipeline_stage", status_to_hubspot(LeadStatus::New)),
        Some(Some(status)) => properties.set("hs_pipeline_stage", status_to_hubspot(*status)),
    }
    patch_text(&mut properties, "hubspot_owner_id", &patch.owner_id);
    let mut problems = Vec::new();
    patch_custom(&mut properties, &patch.custom_fields, &mut problems);
    if problems.is_empty() { Ok(PatchObject { properties }) } else { Err(problems) }
}

/// The person fields of a lead's update, for its contact.
pub fn contact_patch<'a>(patch: &'a LeadPatch, settings: &'a Settings) -> PatchObject<'a> {
    let mut properties = Properties::with_capacity(8);
    person_patch(&mut properties, PersonPatch::from(patch));
    if let Some(property) = source_property(settings) {
        patch_text(&mut properties, property, &patch.source);
    }
    PatchObject { properties }
}

/// The unified lead from the lead HubSpot stored and the person fields of its contact (see
/// [`person_record`]), when it has one. The one read mapping of leads.
pub fn to_lead(lead: &CrmObject<'_>, person: Option<PersonRecord>, ctx: &ReadContext<'_>) -> Lead {
    let PersonRecord {
        first_name,
        last_name,
        email,
        phone,
        company,
        job_title,
        address,
        lifecycle_stage,
        owner_id: contact_owner,
        source,
        custom_fields: _,
    } = person.unwrap_or_default();
    let id = Text::from(lead.id.as_str());
    Lead {
        remote_id: id.clone(),
        id,
        first_name,
        last_name,
        email,
        phone,
        company,
        job_title,
        address,
        lifecycle_stage,
        status: lead.properties.get("hs_pipeline_stage").and_then(status_from_hubspot),
        owner_id: owned(&lead.properties, "hubspot_owner_id").or(contact_owner),
        owner_name: None,
        owner_email: None,
        tags: None,
        source,
        custom_fields: ctx.custom_fields(&lead.properties),
        created_at: timestamp(lead.created_at.as_ref()),
        updated_at: timestamp(lead.updated_at.as_ref()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Association;

    #[test]
    fn status_round_trips() {
        for status in LeadStatus::ALL {
            assert_eq!(status_from_hubspot(status_to_hubspot(status)), Some(status));
        }
        assert_eq!(status_from_hubspot("98765"), None);
    }

    #[test]
    fn lead_names() {
        let mut input = LeadInput {
            first_name: Some("María".into()),
            last_name: Some("López".into()),
            company: Some("Northwind".into()),
            ..Default::default()
        };
        assert_eq!(lead_name(&input), "María López – Northwind");
        input.first_name = None;
        input.last_name = None;
        assert_eq!(lead_name(&input), "Northwind");
        input.email = Some("m@n.co".into());
        assert_eq!(lead_name(&input), "m@n.co – Northwind");
    }

    #[test]
    fn lead_is_associated_with_its_contact() {
        let input =
            LeadInput { last_name: Some("L".into()), status: Some(LeadStatus::Qualified), ..Default::default() };
        let request = lead_request(&input, "L").unwrap().with(Association::to("42", LEAD_TO_PRIMARY_CONTACT));
        let body = serde_json::to_value(request).unwrap();
        assert_eq!(body["properties"]["hs_pipeline_stage"], "qualified-stage-id");
        assert_eq!(body["associations"][0]["to"]["id"], "42");
        assert_eq!(body["associations"][0]["types"][0]["associationTypeId"], 578);
    }
}
