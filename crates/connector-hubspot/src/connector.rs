//! The create flows: mapping → client → mapping. Field names live in `mapping`, calls in `client`.

use unified_core::resource::{
    Company, Contact, ContactInput, Deal, DealInput, Lead, LeadInput, Meeting, MeetingInput, Text,
};
use unified_core::{Call, Operations, Output, Provider, UnifiedError, Warning};

use crate::mapping::{contact, deal, lead, meeting, owner};
use crate::wire::{Association, CrmObject};
use crate::{client, owners};

/// The HubSpot connector (CRM v3 objects API).
#[derive(Debug, Clone, Copy)]
pub struct HubSpot;

impl Provider for HubSpot {
    /// HubSpot serves its token endpoint from the API host (so a base-URL override moves it too).
    fn token_url(&self, base_url: &str) -> Option<String> {
        Some(format!("{}/oauth/v3/token", base_url.trim_end_matches('/')))
    }
}

#[unified_core::__private::async_trait]
impl Operations<Contact> for HubSpot {
    async fn create(&self, call: Call<'_>, input: &ContactInput) -> Result<Output<Contact>, UnifiedError> {
        create_contact(call, input).await
    }
}

#[unified_core::__private::async_trait]
impl Operations<Lead> for HubSpot {
    async fn create(&self, call: Call<'_>, input: &LeadInput) -> Result<Output<Lead>, UnifiedError> {
        create_lead(call, input).await
    }
}

#[unified_core::__private::async_trait]
impl Operations<Deal> for HubSpot {
    async fn create(&self, call: Call<'_>, input: &DealInput) -> Result<Output<Deal>, UnifiedError> {
        create_deal(call, input).await
    }
}

#[unified_core::__private::async_trait]
impl Operations<Meeting> for HubSpot {
    async fn create(&self, call: Call<'_>, input: &MeetingInput) -> Result<Output<Meeting>, UnifiedError> {
        create_meeting(call, input).await
    }
}

/// HubSpot has no company resource in unified yet.
impl Operations<Company> for HubSpot {}

async fn create_contact(call: Call<'_>, input: &ContactInput) -> Result<Output<Contact>, UnifiedError> {
    let request = contact::create_request(input, call.settings)?;
    let response = client::create_object(call.client, "contacts", &request).await?;
    let mut record = contact::to_contact(&response.json(crate::PROVIDER)?, Some(input), call.settings);
    let mut warnings = Vec::new();
    (record.owner_name, record.owner_email) = resolve_owner(call, record.owner_id.as_deref(), &mut warnings).await;
    Ok(Output { record, warnings, remote_data: call.include_remote_data.then(|| response.body_value()) })
}

async fn create_lead(call: Call<'_>, input: &LeadInput) -> Result<Output<Lead>, UnifiedError> {
    let name = lead::lead_name(input);
    let lead_request = lead::lead_request(input, &name)?;
    let mut warnings = Vec::new();
    let mut created = Vec::new();
    let contact_request = lead::contact_request(input, call.settings);
    let person = ensure_contact(call, &contact_request, "email", &mut created, &mut warnings).await?;
    let contact_object: CrmObject<'_> = person.json(crate::PROVIDER)?;
    let contact_id = contact_object.id.as_str().to_owned();
    let lead_request = lead_request.with(Association::to(&contact_id, lead::LEAD_TO_PRIMARY_CONTACT));
    let response = match client::create_object(call.client, "leads", &lead_request).await {
        Ok(response) => response,
        Err(error) => return Err(roll_back(call, &created, error).await),
    };
    let mut record = lead::to_lead(&contact_object, &response.json(crate::PROVIDER)?, input, call.settings);
    (record.owner_name, record.owner_email) = resolve_owner(call, record.owner_id.as_deref(), &mut warnings).await;
    let remote_data = call
        .include_remote_data
        .then(|| serde_json::json!({ "contact": person.body_value(), "lead": response.body_value() }));
    Ok(Output { record, warnings, remote_data })
}

async fn create_deal(call: Call<'_>, input: &DealInput) -> Result<Output<Deal>, UnifiedError> {
    let request = deal::create_request(input, call.settings)?;
    let response = client::create_object(call.client, "deals", &request).await?;
    let mut record = deal::to_deal(&response.json(crate::PROVIDER)?, input, call.settings);
    let mut warnings = Vec::new();
    (record.owner_name, record.owner_email) = resolve_owner(call, record.owner_id.as_deref(), &mut warnings).await;
    Ok(Output { record, warnings, remote_data: call.include_remote_data.then(|| response.body_value()) })
}

async fn create_meeting(call: Call<'_>, input: &MeetingInput) -> Result<Output<Meeting>, UnifiedError> {
    // Map once before any call, so that a bad field fails before anything is written.
    meeting::create_request(input, &[], call.settings)?;
    let mut warnings = Vec::new();
    let mut created = Vec::new();
    let mut attendee_ids = Vec::new();
    for (i, attendee) in input.attendees.iter().flatten().enumerate() {
        let request = meeting::attendee_contact_request(attendee);
        let field = format!("attendees[{i}].email");
        let response = match ensure_contact(call, &request, &field, &mut created, &mut warnings).await {
            Ok(response) => response,
            Err(error) => return Err(roll_back(call, &created, error).await),
        };
        attendee_ids.push(response.json::<CrmObject<'_>>(crate::PROVIDER)?.id.as_str().to_owned());
    }
    let request = meeting::create_request(input, &attendee_ids, call.settings)?;
    let response = match client::create_object(call.client, "meetings", &request).await {
        Ok(response) => response,
        Err(error) => return Err(roll_back(call, &created, error).await),
    };
    let mut record = meeting::to_meeting(&response.json(crate::PROVIDER)?, input, call.settings);
    (record.owner_name, record.owner_email) = resolve_owner(call, record.owner_id.as_deref(), &mut warnings).await;
    Ok(Output { record, warnings, remote_data: call.include_remote_data.then(|| response.body_value()) })
}

/// Creates a contact, or reuses the one HubSpot says already has this e-mail (its 409 names the id;
/// the search API lags creates, so create-then-handle-409 is the race-free way). A created contact is
/// remembered in `created` so that a later failure can roll it back.
async fn ensure_contact(
    call: Call<'_>,
    request: &crate::wire::CreateObject<'_>,
    field: &str,
    created: &mut Vec<String>,
    warnings: &mut Vec<Warning>,
) -> Result<unified_core::transport::RawResponse, UnifiedError> {
    match client::create_object(call.client, "contacts", request).await {
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
            client::read_object(call.client, "contacts", &id, contact::MAPPED).await
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
            if let Err(e) = client::archive_object(call.client, "contacts", id).await {
                tracing::warn!(contact = %id, code = e.code(), "could not roll back a HubSpot contact");
            }
        }
    }
    error
}

/// The owner's name and e-mail. The record already exists, so a failed lookup is a warning, not an error.
async fn resolve_owner(
    call: Call<'_>,
    owner_id: Option<&str>,
    warnings: &mut Vec<Warning>,
) -> (Option<Text>, Option<Text>) {
    let Some(owner_id) = owner_id else { return (None, None) };
    if let Some(known) = owners::get(call.connection_id, owner_id) {
        return known;
    }
    match client::owner(call.client, owner_id).await {
        Ok(owner) => {
            let (name, email) = (owner::owner_name(&owner), owner.email.as_deref().map(Text::from));
            owners::put(call.connection_id, owner_id, name.clone(), email.clone());
            (name, email)
        }
        Err(error) => {
            warnings.push(Warning::new(
                "ownerId",
                format!("the owner {owner_id} could not be resolved to a name ({})", error.code()),
            ));
            (None, None)
        }
    }
}
