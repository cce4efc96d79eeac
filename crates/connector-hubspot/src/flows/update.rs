//! The update flows: PATCH the properties (`""` clears one), change associations with the v4 API, then
//! answer the record as re-read, through the same read flow as get.

use unified_core::resource::{
    Company, CompanyPatch, Contact, ContactPatch, Deal, DealPatch, Lead, LeadPatch, LifecycleStage, Meeting,
    MeetingPatch, Patch, Text,
};
use unified_core::{Call, Output, UnifiedError, Warning};

use super::kinds::{Companies, Contacts, Deals, Leads, Meetings};
use super::read;
use crate::client;
use crate::mapping::{company, contact, deal, lead, meeting};
use crate::wire::{PatchObject, Properties};

pub async fn contact(call: Call<'_>, id: &str, patch: &ContactPatch) -> Result<Output<Contact>, UnifiedError> {
    let body = contact::patch_request(patch, call.settings)?;
    patch_object(call, contact::OBJECT, id, &body).await?;
    let primary_company = (company::OBJECT, contact::CONTACT_TO_PRIMARY_COMPANY);
    replace_one(call, contact::OBJECT, id, primary_company, &patch.company_id).await?;
    let mut out = read::get::<Contacts>(call, id).await?;
    if let Patch::Set(stage) = patch.lifecycle_stage
        && out.record.lifecycle_stage != Some(stage)
    {
        set_lifecycle_in_two_steps(call, id, stage).await?;
        out = read::get::<Contacts>(call, id).await?;
        if out.record.lifecycle_stage != Some(stage) {
            out.warnings.push(lifecycle_warning(stage));
        }
    }
    Ok(out)
}

pub async fn lead(call: Call<'_>, id: &str, patch: &LeadPatch) -> Result<Output<Lead>, UnifiedError> {
    let lead_body = lead::lead_patch(patch)?;
    let person_body = lead::contact_patch(patch, call.settings);
    patch_object(call, lead::OBJECT, id, &lead_body).await?;
    let mut warnings = Vec::new();
    let mut person = None;
    if !person_body.properties.0.is_empty() {
        let links = read::links_of(call, lead::OBJECT, &[contact::OBJECT], &[id]).await?;
        person = links.get(id).and_then(|l| l.first(contact::OBJECT));
        match &person {
            Some(contact_id) => {
                client::update_object(call.client, contact::OBJECT, contact_id, &person_body).await?;
            }
            None => warnings.push(Warning::new(
                "firstName",
                "the HubSpot lead has no contact to hold its person fields; they were not changed",
            )),
        }
    }
    let mut out = read::get::<Leads>(call, id).await?;
    if let (Patch::Set(stage), Some(contact_id)) = (patch.lifecycle_stage, &person)
        && out.record.lifecycle_stage != Some(stage)
    {
        set_lifecycle_in_two_steps(call, contact_id, stage).await?;
        out = read::get::<Leads>(call, id).await?;
        if out.record.lifecycle_stage != Some(stage) {
            out.warnings.push(lifecycle_warning(stage));
        }
    }
    warnings.append(&mut out.warnings);
    out.warnings = warnings;
    Ok(out)
}

pub async fn deal(call: Call<'_>, id: &str, patch: &DealPatch) -> Result<Output<Deal>, UnifiedError> {
    let body = deal::patch_request(patch, call.settings)?;
    patch_object(call, deal::OBJECT, id, &body).await?;
    replace_many(call, deal::OBJECT, id, (contact::OBJECT, deal::DEAL_TO_CONTACT), &patch.contact_ids).await?;
    replace_one(call, deal::OBJECT, id, (company::OBJECT, deal::DEAL_TO_PRIMARY_COMPANY), &patch.company_id).await?;
    read::get::<Deals>(call, id).await
}

pub async fn meeting(call: Call<'_>, id: &str, patch: &MeetingPatch) -> Result<Output<Meeting>, UnifiedError> {
    let body = meeting::patch_request(patch, call.settings)?;
    patch_object(call, meeting::OBJECT, id, &body).await?;
    let contacts = (contact::OBJECT, meeting::MEETING_TO_CONTACT);
    replace_many(call, meeting::OBJECT, id, contacts, &patch.contact_ids).await?;
    replace_one(call, meeting::OBJECT, id, (deal::OBJECT, meeting::MEETING_TO_DEAL), &patch.deal_id).await?;
    read::get::<Meetings>(call, id).await
}

pub async fn company(call: Call<'_>, id: &str, patch: &CompanyPatch) -> Result<Output<Company>, UnifiedError> {
    let body = company::patch_request(patch, call.settings)?;
    patch_object(call, company::OBJECT, id, &body).await?;
    read::get::<Companies>(call, id).await
}

/// The PATCH of an update's properties. An update that changes only associations sends none: the record
/// is read instead, so that a missing id is `not_found` before any association is touched.
async fn patch_object(call: Call<'_>, object: &str, id: &str, body: &PatchObject<'_>) -> Result<(), UnifiedError> {
    if body.properties.0.is_empty() {
        client::read_object(call.client, object, id, &["hs_object_id"]).await.map(drop)
    } else {
        client::update_object(call.client, object, id, body).await.map(drop)
    }
}

/// The object type an association field points to, and the association type a create uses for it.
type Target = (&'static str, u32);

/// A single association field (`companyId`, `dealId`): set replaces every association of that type.
async fn replace_one(
    call: Call<'_>,
    from: &str,
    id: &str,
    to: Target,
    change: &Patch<Text>,
) -> Result<(), UnifiedError> {
    match change {
        Patch::Absent => Ok(()),
        Patch::Clear => replace(call, from, id, to, &[]).await,
        Patch::Set(to_id) => replace(call, from, id, to, &[to_id.as_str()]).await,
    }
}

/// A list of associations (`contactIds`): set replaces them with exactly these.
async fn replace_many(
    call: Call<'_>,
    from: &str,
    id: &str,
    to: Target,
    change: &Patch<Vec<Text>>,
) -> Result<(), UnifiedError> {
    match change {
        Patch::Absent => Ok(()),
        Patch::Clear => replace(call, from, id, to, &[]).await,
        Patch::Set(ids) => replace(call, from, id, to, &ids.iter().map(Text::as_str).collect::<Vec<_>>()).await,
    }
}

/// Makes `id`'s associations to objects of type `to` exactly `wanted`: the missing ones are created with
/// the association type a create uses, the others removed.
async fn replace(
    call: Call<'_>,
    from: &str,
    id: &str,
    (to, type_id): Target,
    wanted: &[&str],
) -> Result<(), UnifiedError> {
    let links = read::links_of(call, from, &[to], &[id]).await?;
    let current: Vec<String> =
        links.get(id).map(|l| l.of(to).iter().map(|t| t.to_string()).collect()).unwrap_or_default();
    for to_id in wanted.iter().filter(|w| !current.iter().any(|c| c == *w)) {
        client::associate(call.client, from, id, to, to_id, type_id).await?;
    }
    for to_id in current.iter().filter(|c| !wanted.contains(&c.as_str())) {
        client::dissociate(call.client, from, id, to, to_id).await?;
    }
    Ok(())
}

/// HubSpot moves a lifecycle stage forward only: an earlier stage takes clearing it first, in a request
/// of its own. Done when the re-read shows that the stage was not taken.
async fn set_lifecycle_in_two_steps(
    call: Call<'_>,
    contact_id: &str,
    stage: LifecycleStage,
) -> Result<(), UnifiedError> {
    for value in ["", crate::mapping::lifecycle_to_hubspot(stage)] {
        let mut properties = Properties::with_capacity(1);
        properties.set("lifecyclestage", value);
        client::update_object(call.client, contact::OBJECT, contact_id, &PatchObject { properties }).await?;
    }
    Ok(())
}

fn lifecycle_warning(stage: LifecycleStage) -> Warning {
    Warning::new(
        "lifecycleStage",
        format!("HubSpot did not take the lifecycle stage `{}` (it moves stages forward only)", stage.as_str()),
    )
}
