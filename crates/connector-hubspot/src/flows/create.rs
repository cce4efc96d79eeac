//! The create flows: mapping → client → the one read mapping of each resource. A create answers with the
//! written properties (HubSpot creates the associations with the object, or refuses the whole create), so
//! the record's associations are the ones the create sent.

use unified_core::resource::{
    Attendee, Company, CompanyInput, Contact, ContactInput, Deal, DealInput, Lead, LeadInput, Meeting, MeetingInput,
};
use unified_core::transport::RawResponse;
use unified_core::{Call, Output, UnifiedError, Warning};

use super::kinds::{Companies, Contacts, Deals, Kind, Leads, Meetings};
use super::owners;
use crate::mapping::links::Links;
use crate::mapping::{CustomProperties, ReadContext, company, contact, deal, lead, meeting};
use crate::wire::{Association, CreateObject, CrmObject};
use crate::{client, properties};

pub async fn contact(call: Call<'_>, input: &ContactInput) -> Result<Output<Contact>, UnifiedError> {
    let request = contact::create_request(input, call.settings)?;
    let mut warnings = Vec::new();
    let custom = properties::custom(call, Contacts::OBJECT, &mut warnings).await?;
    let response = client::create_object(call.client, contact::OBJECT, &request).await?;
    let links = sent_links(&request);
    let ctx = ReadContext { settings: call.settings, custom: &custom };
    let mut record = contact::to_contact(&response.json(crate::PROVIDER)?, &links, &ctx);
    owners::resolve_all(call, std::slice::from_mut(&mut record), &mut warnings).await;
    Ok(Output { record, warnings, remote_data: call.include_remote_data.then(|| response.body_value()) })
}

pub async fn company(call: Call<'_>, input: &CompanyInput) -> Result<Output<Company>, UnifiedError> {
    let request = company::create_request(input, call.settings)?;
    let mut warnings = Vec::new();
    let custom = properties::custom(call, Companies::OBJECT, &mut warnings).await?;
    let response = client::create_object(call.client, company::OBJECT, &request).await?;
    let ctx = ReadContext { settings: call.settings, custom: &custom };
    let mut record = company::to_company(&response.json(crate::PROVIDER)?, &ctx);
    owners::resolve_all(call, std::slice::from_mut(&mut record), &mut warnings).await;
    Ok(Output { record, warnings, remote_data: call.include_remote_data.then(|| response.body_value()) })
}

pub async fn lead(call: Call<'_>, input: &LeadInput) -> Result<Output<Lead>, UnifiedError> {
    let name = lead::lead_name(input);
    let lead_request = lead::lead_request(input, &name)?;
    let mut warnings = Vec::new();
    let custom = properties::custom(call, Leads::OBJECT, &mut warnings).await?;
    let mut created = Vec::new();
    let contact_request = lead::contact_request(input, call.settings);
    let person = ensure_contact(call, &contact_request, "email", &mut created, &mut warnings).await?;
    let contact_object: CrmObject<'_> = person.json(crate::PROVIDER)?;
    let contact_id = contact_object.id.as_str().to_owned();
    let lead_request = lead_request.with(Association::to(&contact_id, lead::LEAD_TO_PRIMARY_CONTACT));
    let response = match client::create_object(call.client, lead::OBJECT, &lead_request).await {
        Ok(response) => response,
        Err(error) => return Err(roll_back(call, &created, error).await),
    };
    let no_custom = CustomProperties::default();
    let person_ctx = ReadContext { settings: call.settings, custom: &no_custom };
    let person_record = contact::person_record(&contact_object.properties, &person_ctx);
    let ctx = ReadContext { settings: call.settings, custom: &custom };
    let mut record = lead::to_lead(&response.json(crate::PROVIDER)?, Some(person_record), &ctx);
    owners::resolve_all(call, std::slice::from_mut(&mut record), &mut warnings).await;
    let remote_data = call
        .include_remote_data
        .then(|| serde_json::json!({ "contact": person.body_value(), "lead": response.body_value() }));
    Ok(Output { record, warnings, remote_data })
}

pub async fn deal(call: Call<'_>, input: &DealInput) -> Result<Output<Deal>, UnifiedError> {
    let request = deal::create_request(input, call.settings)?;
    let mut warnings = Vec::new();
    let custom = properties::custom(call, Deals::OBJECT, &mut warnings).await?;
    let response = client::create_object(call.client, deal::OBJECT, &request).await?;
    let ctx = ReadContext { settings: call.settings, custom: &custom };
    let mut record = deal::to_deal(&response.json(crate::PROVIDER)?, &sent_links(&request), &ctx);
    owners::resolve_all(call, std::slice::from_mut(&mut record), &mut warnings).await;
    Ok(Output { record, warnings, remote_data: call.include_remote_data.then(|| response.body_value()) })
}

pub async fn meeting(call: Call<'_>, input: &MeetingInput) -> Result<Output<Meeting>, UnifiedError> {
    // Map once before any call, so that a bad field fails before anything is written.
    meeting::create_request(input, &[], call.settings)?;
    let mut warnings = Vec::new();
    let custom = properties::custom(call, Meetings::OBJECT, &mut warnings).await?;
    let mut created = Vec::new();
    let mut attendee_ids = Vec::new();
    let mut attendees: Vec<(String, Attendee)> = Vec::new();
    for (i, attendee) in input.attendees.iter().flatten().enumerate() {
        let request = meeting::attendee_contact_request(attendee);
        let field = format!("attendees[{i}].email");
        let response = match ensure_contact(call, &request, &field, &mut created, &mut warnings).await {
            Ok(response) => response,
            Err(error) => return Err(roll_back(call, &created, error).await),
        };
        let object: CrmObject<'_> = response.json(crate::PROVIDER)?;
        let id = object.id.as_str().to_owned();
        if let Some(known) = meeting::attendee_from(&object) {
            attendees.push((id.clone(), known));
        }
        attendee_ids.push(id);
    }
    let request = meeting::create_request(input, &attendee_ids, call.settings)?;
    let response = match client::create_object(call.client, meeting::OBJECT, &request).await {
        Ok(response) => response,
        Err(error) => return Err(roll_back(call, &created, error).await),
    };
    let links = sent_links(&request);
    // Contacts given by id are attendees too: read their e-mail and name (the attendees' own are known).
    let unknown: Vec<&str> = links
        .of(contact::OBJECT)
        .iter()
        .map(|id| id.as_str())
        .filter(|id| !attendees.iter().any(|(known, _)| known == id))
        .collect();
    let unknown_links = {
        let mut l = Links::default();
        unknown.iter().for_each(|id| l.add(contact::OBJECT, id));
        l
    };
    let extra = super::read::extra(call, Meetings::NEEDS, &[&unknown_links]).await?;
    let attendee_list = links
        .of(contact::OBJECT)
        .iter()
        .filter_map(|id| {
            attendees
                .iter()
                .find(|(known, _)| known == id.as_str())
                .map(|(_, a)| a)
                .or(extra.attendees.get(id.as_str()))
        })
        .cloned()
        .collect();
    let ctx = ReadContext { settings: call.settings, custom: &custom };
    let mut record = meeting::to_meeting(&response.json(crate::PROVIDER)?, &links, attendee_list, &ctx);
    owners::resolve_all(call, std::slice::from_mut(&mut record), &mut warnings).await;
    Ok(Output { record, warnings, remote_data: call.include_remote_data.then(|| response.body_value()) })
}

/// The associations a create sent, by the object type each association type id leads to.
fn sent_links(request: &CreateObject<'_>) -> Links {
    let mut links = Links::default();
    for association in &request.associations {
        let to = match association.types[0].association_type_id {
            contact::CONTACT_TO_PRIMARY_COMPANY | deal::DEAL_TO_PRIMARY_COMPANY => company::OBJECT,
            deal::DEAL_TO_CONTACT | meeting::MEETING_TO_CONTACT | lead::LEAD_TO_PRIMARY_CONTACT => contact::OBJECT,
            meeting::MEETING_TO_DEAL => deal::OBJECT,
            _ => continue,
        };
        links.add(to, association.to.id);
    }
    links
}

/// Creates a contact, or reuses the one HubSpot says already has this e-mail (its 409 names the id;
/// the search API lags creates, so create-then-handle-409 is the race-free way). A created contact is
/// remembered in `created` so that a later failure can roll it back.
async fn ensure_contact(
    call: Call<'_>,
    request: &CreateObject<'_>,
    field: &str,
    created: &mut Vec<String>,
    warnings: &mut Vec<Warning>,
) -> Result<RawResponse, UnifiedError> {
    match client::create_object(call.client, contact::OBJECT, request).await {
        Ok(response) => {
            if let Ok(object) = response.json::<CrmObject<'_>>(crate::PROVIDER) {
                created.push(object.id.as_str().to_owned());
            }
            Ok(response)
        }
        Err(error) => {
            let Some(id) = client::existing_id(&error) else { return Err(error) };
            let email = request.properties.get("email").unwrap_or_default();
            warnings.push(Warning::new(
                field,
                format!("a HubSpot contact with {email} already existed (id {id}); it was reused and left unchanged"),
            ));
            // The person fields, and the property that holds `source`, as the existing contact has them.
            let no_custom = CustomProperties::default();
            let ctx = ReadContext { settings: call.settings, custom: &no_custom };
            client::read_object(call.client, contact::OBJECT, &id, &ctx.properties(contact::MAPPED)).await
        }
    }
}

/// A later step failed: archive the contacts this create made, when the failure is a definite refusal
/// (after a timeout the later object may exist, and its contact must stay). Returns the original error.
async fn roll_back(call: Call<'_>, created: &[String], error: UnifiedError) -> UnifiedError {
    let refused = matches!(
        error,
        UnifiedError::ProviderValidation(_) | UnifiedError::ProviderAuth(_) | UnifiedError::RateLimited { .. }
    );
    if refused {
        for id in created {
            if let Err(e) = client::archive_object(call.client, contact::OBJECT, id).await {
                tracing::warn!(contact = %id, code = e.code(), "could not roll back a HubSpot contact");
            }
        }
    }
    error
}
