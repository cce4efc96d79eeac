//! deal ⇄ HubSpot `deals` (objectTypeId `0-3`).

use unified_core::FieldError;
use unified_core::connector::Settings;
use unified_core::resource::{Deal, DealInput, Text};
use unified_core::time::Timestamp;

use super::{custom_fields_from, custom_properties, owned, source_property, timestamp};
use crate::wire::{Association, CreateObject, CrmObject, Properties};

/// deal → contact.
pub const DEAL_TO_CONTACT: u32 = 3;
/// deal → primary company.
pub const DEAL_TO_PRIMARY_COMPANY: u32 = 5;

pub const MAPPED: &[&str] =
    &["dealname", "amount", "deal_currency_code", "dealstage", "pipeline", "closedate", "hubspot_owner_id"];

/// `POST /crm/v3/objects/deals`. The amount is written as text; the close date as midnight UTC.
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
        properties.set("closedate", format!("{date}T00:00:00.000Z"));
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

/// `closedate` comes back as a datetime (or epoch ms); the unified close date is its UTC day.
pub fn close_date(value: &str) -> Option<String> {
    if unified_core::time::parse_date(value).is_some() {
        return Some(value.to_owned());
    }
    let at = Timestamp::parse(value).or_else(|| value.parse().ok().and_then(Timestamp::from_millis))?;
    Some(at.0.date_naive().format("%Y-%m-%d").to_string())
}

/// The unified deal from HubSpot's answer. Associations are not echoed by a create, so the ones the
/// create carried (and HubSpot accepted with it) are reported.
pub fn to_deal(object: &CrmObject<'_>, input: &DealInput, settings: &Settings) -> Deal {
    let values = &object.properties;
    let source = source_property(settings);
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
        contact_ids: input.contact_ids.clone().filter(|ids| !ids.is_empty()),
        company_id: input.company_id.clone(),
        owner_id: owned(values, "hubspot_owner_id"),
        owner_name: None,
        owner_email: None,
        tags: None,
        source: source.and_then(|s| owned(values, s)),
        custom_fields: custom_fields_from(values, MAPPED, source, input.custom_fields.as_ref()),
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
        assert_eq!(body["properties"]["closedate"], "2026-07-31T00:00:00.000Z");
        let types: Vec<u64> = body["associations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["types"][0]["associationTypeId"].as_u64().unwrap())
            .collect();
        assert_eq!(types, [3, 3, 5]);
    }

    #[test]
    fn close_date_forms() {
        assert_eq!(close_date("2026-07-31T00:00:00Z").as_deref(), Some("2026-07-31"));
        assert_eq!(close_date("2026-07-31").as_deref(), Some("2026-07-31"));
        assert_eq!(close_date("1785456000000").as_deref(), Some("2026-07-31"));
        assert_eq!(close_date("soon"), None);
    }
}
