//! deal ⇄ HubSpot `deals` (objectTypeId `0-3`).

use unified_core::FieldError;
use unified_core::connector::Settings;
use unified_core::resource::{Deal, DealInput, DealPatch, Patch, Text};
use unified_core::time::Timestamp;

use super::links::Links;
use super::{ReadContext, custom_properties, finish_patch, owned, patch_text, source_property, timestamp};
use crate::wire::{Association, CreateObject, CrmObject, PatchObject, Properties};

/// The object type, in paths and association blocks.
pub const OBJECT: &str = "deals";

/// deal → contact.
pub const DEAL_TO_CONTACT: u32 = 3;
/// deal → primary company.
pub const DEAL_TO_PRIMARY_COMPANY: u32 = 5;

pub const MAPPED: &[&str] =
    &["dealname", "amount", "deal_currency_code", "dealstage", "pipeline", "closedate", "hubspot_owner_id"];

/// The association types a read asks for.
pub const LINKS: &[&str] = &["contacts", "companies"];

/// `closedate` is a datetime property, shown in each viewer's time zone: noon UTC shows as the same
/// calendar day from UTC-11 to UTC+11, where midnight UTC would show as the day before in the Americas.
pub fn close_date_to_hubspot(date: &str) -> String {
    format!("{date}T12:00:00.000Z")
}

/// `POST /crm/v3/objects/deals`. The amount is written as text; the close date as noon UTC.
pub fn create_request<'a>(input: &'a DealInput, settings: &'a Settings) -> Result<CreateObject<'a>, Vec<FieldError>> {
    let mut properties = Properties::with_capacity(12);
    properties.set_opt("dealname", input.name.as_deref());
    if let Some(amount) = input.amount {
        properties.set("amount", amount.to_string());
    }
    properties.set_opt("deal_currency_code", input.currency.as_deref());
    properties.set_opt("pipeline", input.pipeline.as_deref());
    properties.set_opt("dealstage", input.stage.as_deref());
    if let Some(date) = input.close_date.as_deref() {
        properties.set("closedate", close_date_to_hubspot(date));
    }
    properties.set_opt("hubspot_owner_id", input.owner_id.as_deref());
    if let Some(property) = source_property(settings) {
        properties.set_opt(property, input.source.as_deref());
    }
    let mut problems = Vec::new();
    custom_properties(&mut properties, input.custom_fields.as_ref(), &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut associations: Vec<Association<'a>> =
        input.contact_ids.iter().flatten().map(|id| Association::to(id, DEAL_TO_CONTACT)).collect();
    if let Some(company) = input.company_id.as_deref() {
        associations.push(Association::to(company, DEAL_TO_PRIMARY_COMPANY));
    }
    Ok(CreateObject { properties, associations })
}

/// `PATCH /crm/v3/objects/deals/{id}`; `contactIds` and `companyId` are associations, changed by the
/// connector with the associations API.
pub fn patch_request<'a>(patch: &'a DealPatch, settings: &'a Settings) -> Result<PatchObject<'a>, Vec<FieldError>> {
    let mut properties = Properties::with_capacity(8);
    patch_text(&mut properties, "dealname", &patch.name);
    match &patch.amount {
        Patch::Absent => {}
        Patch::Clear => properties.set("amount", ""),
        Patch::Set(amount) => properties.set("amount", amount.to_string()),
    }
    patch_text(&mut properties, "deal_currency_code", &patch.currency);
    patch_text(&mut properties, "pipeline", &patch.pipeline);
    patch_text(&mut properties, "dealstage", &patch.stage);
    match &patch.close_date {
        Patch::Absent => {}
        Patch::Clear => properties.set("closedate", ""),
        Patch::Set(date) => properties.set("closedate", close_date_to_hubspot(date)),
    }
    finish_patch(properties, &patch.owner_id, &patch.source, &patch.custom_fields, settings, Vec::new())
}

/// The calendar day of a `closedate`: a date as it is; an instant rounded to the nearest midnight UTC,
/// so that a day picked in HubSpot at midnight of the portal's time zone (`2026-07-30T22:00:00Z` in
/// Berlin) reads as that day, and the noon UTC this connector writes reads as its own day.
pub fn close_date(value: &str) -> Option<String> {
    if unified_core::time::parse_date(value).is_some() {
        return Some(value.to_owned());
    }
    let at = Timestamp::parse(value).or_else(|| value.parse().ok().and_then(Timestamp::from_millis))?;
    let shifted = at.0 + chrono::Duration::hours(12) - chrono::Duration::milliseconds(1);
    Some(shifted.date_naive().format("%Y-%m-%d").to_string())
}

/// The unified deal from a HubSpot deal and its associations. The one read mapping of deals.
pub fn to_deal(object: &CrmObject<'_>, links: &Links, ctx: &ReadContext<'_>) -> Deal {
    let values = &object.properties;
    let id = Text::from(object.id.as_str());
    Deal {
        remote_id: id.clone(),
        id,
        name: owned(values, "dealname"),
        amount: values.get("amount").and_then(|a| a.parse().ok()),
        currency: owned(values, "deal_currency_code"),
        stage: owned(values, "dealstage"),
        pipeline: owned(values, "pipeline"),
        close_date: values.get("closedate").and_then(close_date).map(Text::from),
        probability: None,
        contact_ids: links.list("contacts"),
        company_id: links.first("companies"),
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
    fn amount_and_date_formats() {
        let input = DealInput {
            name: Some("D".into()),
            amount: Some(48000.0),
            close_date: Some("2026-07-31".into()),
            stage: Some("qualifiedtobuy".into()),
            contact_ids: Some(vec!["1".into(), "2".into()]),
            company_id: Some("9".into()),
            ..Default::default()
        };
        let body = serde_json::to_value(create_request(&input, &Settings::new()).unwrap()).unwrap();
        assert_eq!(body["properties"]["amount"], "48000");
        assert_eq!(body["properties"]["closedate"], "2026-07-31T12:00:00.000Z");
        let types: Vec<u64> = body["associations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["types"][0]["associationTypeId"].as_u64().unwrap())
            .collect();
        assert_eq!(types, [3, 3, 5]);
    }

    #[test]
    fn close_date_is_the_calendar_day_whatever_the_time_zone_it_was_picked_in() {
        assert_eq!(close_date("2026-07-31").as_deref(), Some("2026-07-31"));
        assert_eq!(close_date("2026-07-31T12:00:00.000Z").as_deref(), Some("2026-07-31"), "what we write");
        assert_eq!(close_date("2026-07-31T00:00:00Z").as_deref(), Some("2026-07-31"), "midnight UTC");
        assert_eq!(close_date("2026-07-30T22:00:00Z").as_deref(), Some("2026-07-31"), "midnight in Berlin");
        assert_eq!(close_date("2026-07-31T04:00:00Z").as_deref(), Some("2026-07-31"), "midnight in New York");
        assert_eq!(close_date("1785456000000").as_deref(), Some("2026-07-31"));
        assert_eq!(close_date("soon"), None);
        // Every day written reads back as itself.
        let mut day = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        for _ in 0..800 {
            let text = day.format("%Y-%m-%d").to_string();
            assert_eq!(close_date(&close_date_to_hubspot(&text)).as_deref(), Some(text.as_str()));
            day = day.succ_opt().unwrap();
        }
    }

    #[test]
    fn an_update_clears_the_amount_and_moves_the_close_date() {
        let patch =
            DealPatch { amount: Patch::Clear, close_date: Patch::Set("2026-08-01".into()), ..Default::default() };
        let body = serde_json::to_value(patch_request(&patch, &Settings::new()).unwrap()).unwrap();
        assert_eq!(body, serde_json::json!({"properties": {"amount": "", "closedate": "2026-08-01T12:00:00.000Z"}}));
    }
}
