//! deal ⇄ Pipedrive Deal (`POST /api/v2/deals`).
//!
//! `amount` is the deal's `value` (a number), `stage` and `pipeline` are Pipedrive's integer ids, the
//! close date is `expected_close_date`; the first of `contactIds` is the deal's person (Pipedrive links
//! one), `companyId` its organization. Tags are deal labels by name.

use serde_json::Value;
use unified_core::connector::Settings;
use unified_core::resource::{Deal, DealInput, Text};
use unified_core::{FieldError, Warning};

use super::contact::{push_write, setting, unknown_tag};
use super::custom::{self, Entity, Schema, Write};
use super::{SOURCE_SETTING, id_text, labels, numeric_id, text, timestamp};
use crate::wire::{self, DealCreate};

/// Whether writing this deal needs the company's deal fields.
pub fn needs_schema(input: &DealInput, settings: &Settings) -> bool {
    input.custom_fields.as_ref().is_some_and(|c| !c.is_empty())
        || input.tags.as_ref().is_some_and(|t| !t.is_empty())
        || (input.source.is_some() && setting(settings, SOURCE_SETTING).is_some())
}

/// Every custom-field name the schema must know.
pub fn field_names<'s>(input: &'s DealInput, settings: &'s Settings) -> Vec<&'s str> {
    let mut names: Vec<&str> = input.custom_fields.iter().flatten().map(|(k, _)| k.as_str()).collect();
    if input.source.is_some() {
        names.extend(setting(settings, SOURCE_SETTING));
    }
    names
}

/// `POST /api/v2/deals`, and the warnings of what it could not carry.
pub fn create_request(
    input: &DealInput,
    settings: &Settings,
    schema: Option<&Schema>,
) -> Result<(DealCreate, Vec<Warning>), Vec<FieldError>> {
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let contact_ids: Vec<u64> = input
        .contact_ids
        .iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, id)| numeric_id(&format!("contactIds[{i}]"), Some(id), &mut problems))
        .collect();
    if contact_ids.len() > 1 {
        let rest: Vec<String> = contact_ids[1..].iter().map(u64::to_string).collect();
        warnings.push(Warning::new(
            "contactIds",
            format!(
                "a Pipedrive deal has one person: {} was linked, {} not (add them as deal participants in Pipedrive)",
                contact_ids[0],
                rest.join(", ")
            ),
        ));
    }
    let mut body = DealCreate {
        title: input.name.as_deref().unwrap_or_default().trim().to_owned(),
        value: input.amount,
        currency: text(input.currency.as_deref()).map(Into::into),
        pipeline_id: numeric_id("pipeline", input.pipeline.as_deref(), &mut problems),
        stage_id: numeric_id("stage", input.stage.as_deref(), &mut problems),
        expected_close_date: text(input.close_date.as_deref()).map(Into::into),
        probability: input.probability,
        person_id: contact_ids.first().copied(),
        org_id: numeric_id("companyId", input.company_id.as_deref(), &mut problems),
        owner_id: numeric_id("ownerId", input.owner_id.as_deref(), &mut problems),
        ..DealCreate::default()
    };
    if let Some(schema) = schema {
        let mut writes =
            custom::writes(Entity::Deal, schema, input.custom_fields.as_ref(), &[]).unwrap_or_else(|mut more| {
                problems.append(&mut more);
                Vec::new()
            });
        source_write(input.source.as_deref(), settings, schema, &mut writes, &mut problems);
        body.custom_fields = custom::to_v2(&writes);
        if let Some(tags) = input.tags.as_deref().filter(|t| !t.is_empty()) {
            let (ids, unknown) = labels::tag_ids(tags, schema.labels());
            body.label_ids = ids;
            warnings.extend(unknown.into_iter().map(|i| unknown_tag(&tags[i])));
        }
    } else if needs_schema(input, settings) {
        problems.push(FieldError::new("customFields", "the deal fields of the company are needed but were not read"));
    }
    if problems.is_empty() { Ok((body, warnings)) } else { Err(problems) }
}

/// `source` into the deal custom field the connection setting `sourceField` names (deals and leads).
pub fn source_write(
    source: Option<&str>,
    settings: &Settings,
    schema: &Schema,
    writes: &mut Vec<Write>,
    problems: &mut Vec<FieldError>,
) {
    let (Some(source), Some(name)) = (source, setting(settings, SOURCE_SETTING)) else { return };
    let write = custom::setting_field(Entity::Deal, schema, SOURCE_SETTING, name, "source").and_then(|f| {
        let value =
            custom::value_for(f, &Value::String(source.to_owned())).map_err(|m| FieldError::new("source", m))?;
        Ok(Write { key: f.key.clone(), value })
    });
    push_write("source", write, writes, problems);
}

/// Whether reading this deal needs the company's deal fields: its custom fields are named, and its
/// labels become tags, through them.
pub fn needs_schema_to_read(deal: &wire::Deal) -> bool {
    !deal.custom_fields.is_empty() || !deal.label_ids.is_empty()
}

/// The keys of the custom fields a stored deal carries.
pub fn custom_keys(deal: &wire::Deal) -> Vec<&str> {
    deal.custom_fields.keys().map(String::as_str).collect()
}

/// The unified deal from the stored deal; its custom fields and tags are read through the schema (without
/// one, the custom fields are reported by key and the tags left out).
pub fn to_deal(deal: &wire::Deal, settings: &Settings, schema: Option<&Schema>) -> Deal {
    let id = Text::from(deal.id.to_string());
    let stored = |key: &str| deal.custom_fields.get(key).cloned();
    let source_field = schema.and_then(|s| s.custom_field(setting(settings, SOURCE_SETTING)?));
    let mapped: Vec<&str> = source_field.map(|f| f.key.as_str()).into_iter().collect();
    Deal {
        remote_id: id.clone(),
        id,
        name: text(deal.title.as_deref()),
        amount: deal.value,
        currency: text(deal.currency.as_deref()),
        stage: id_text(deal.stage_id),
        pipeline: id_text(deal.pipeline_id),
        close_date: text(deal.expected_close_date.as_deref()),
        probability: deal.probability,
        contact_ids: deal.person_id.map(|id| vec![Text::from(id.to_string())]),
        company_id: id_text(deal.org_id),
        owner_id: id_text(deal.owner_id),
        owner_name: None,
        owner_email: None,
        tags: schema.and_then(|s| labels::tag_names(&deal.label_ids, s.labels(), &[])),
        source: source_field.and_then(|f| custom::text_read(f, &stored(&f.key)?)),
        custom_fields: custom::from_v2(schema, &deal.custom_fields, &mapped),
        created_at: timestamp(deal.add_time.as_deref()),
        updated_at: timestamp(deal.update_time.as_deref()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::custom::tests::{BUDGET, TRADE_SHOW, schema};
    use serde_json::json;

    #[test]
    fn amount_stage_pipeline_and_links() {
        let input: DealInput = serde_json::from_str(
            r#"{"name":"Kumo – AMR fleet","amount":48000,"currency":"EUR","stage":"3","pipeline":"1",
                "closeDate":"2026-07-31","probability":60,"contactIds":["5821","5822"],"companyId":"2210",
                "ownerId":"13374021","tags":["Hot lead"],"customFields":{"Budget":{"value":500,"currency":"EUR"}}}"#,
        )
        .unwrap();
        let (body, warnings) = create_request(&input, &Settings::new(), Some(&schema())).unwrap();
        assert_eq!(
            serde_json::to_value(body).unwrap(),
            json!({"title": "Kumo – AMR fleet", "value": 48000, "currency": "EUR", "pipeline_id": 1, "stage_id": 3,
                "expected_close_date": "2026-07-31", "probability": 60, "person_id": 5821, "org_id": 2210,
                "owner_id": 13374021, "label_ids": [6], "custom_fields": {BUDGET: {"value": 500, "currency": "EUR"}}})
        );
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].message.contains("5822"), "{}", warnings[0].message);
    }

    #[test]
    fn stage_names_are_not_ids() {
        let input = DealInput { name: Some("D".into()), stage: Some("qualifiedtobuy".into()), ..Default::default() };
        let problems = create_request(&input, &Settings::new(), None).unwrap_err();
        assert_eq!(problems[0].field, "stage");
    }

    #[test]
    fn reads_a_deal_back() {
        let deal: wire::Deal =
            serde_json::from_value(json!({"id": 9812, "title": "D", "value": 48000, "currency": "EUR",
            "stage_id": 3, "pipeline_id": 1, "person_id": 5821, "org_id": 2210, "owner_id": 13374021,
            "expected_close_date": "2026-07-31", "probability": null, "status": "open", "label_ids": [],
            "add_time": "2026-05-14T09:40:00Z", "update_time": "2026-05-14T09:40:00Z", "custom_fields": {}}))
            .unwrap();
        let record = to_deal(&deal, &Settings::new(), None);
        assert_eq!((record.stage.as_deref(), record.pipeline.as_deref()), (Some("3"), Some("1")));
        assert_eq!(record.amount, Some(48000.0));
        assert_eq!(record.contact_ids.unwrap(), ["5821"]);
        assert_eq!(record.company_id.as_deref(), Some("2210"));
        assert_eq!(record.tags, None);
        assert!(!needs_schema_to_read(&deal));
    }

    #[test]
    fn every_custom_field_but_the_source_one() {
        let deal: wire::Deal = serde_json::from_value(json!({"id": 9812, "title": "D", "label_ids": [6],
            "custom_fields": {BUDGET: {"value": 500, "currency": "EUR"}, TRADE_SHOW: "referral"}}))
        .unwrap();
        let mut settings = Settings::new();
        settings.insert(SOURCE_SETTING.into(), "Trade show".into());
        let record = to_deal(&deal, &settings, Some(&schema()));
        assert_eq!(record.source.as_deref(), Some("referral"));
        assert_eq!(record.tags.unwrap(), ["Hot lead"]);
        assert_eq!(Value::Object(record.custom_fields.unwrap()), json!({"Budget": {"value": 500, "currency": "EUR"}}));
        assert!(needs_schema_to_read(&deal) && custom_keys(&deal).len() == 2);
    }
}
