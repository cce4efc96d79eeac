//! lead ⇄ Pipedrive Lead (`POST /api/v1/leads`: leads exist only in v1).
//!
//! A Pipedrive lead needs a person or an organization that already exists, so a unified lead is up to
//! three records: the organization (`company`, found by name or created), the person (reused when one
//! has the e-mail, else created from the person fields) and the lead, titled "First Last – Company"
//! unless `customFields.title` says otherwise. Leads inherit the deal custom fields, written flat (v1).
//! `customFields` also takes the lead's own `value` (`{"amount", "currency"}`) and `expected_close_date`,
//! which the record reports when set (the title, which every lead has, is in `remoteData`).

use serde_json::Value;
use unified_core::connector::Settings;
use unified_core::resource::{CustomFields, Lead, LeadInput, Text};
use unified_core::{FieldError, Warning};

use super::contact::{PersonInput, linked_organization, person_record, setting, unknown_tag};
use super::custom::{self, Entity, Schema};
use super::{
    LIFECYCLE_SETTING, SOURCE_SETTING, STATUS_SETTING, deal::source_write, full_name, id_text, labels, numeric_id,
    text, timestamp,
};
use crate::wire::{self, LeadCreate, LeadLabel, LeadValue, Organization, Person};

/// `customFields` names that are the lead's own fields, not custom fields.
pub const NATIVE: &[&str] = &["title", "value", "expected_close_date"];

/// The caller's custom fields that are custom fields (deal fields).
fn custom_part(input: &LeadInput) -> impl Iterator<Item = &str> {
    input.custom_fields.iter().flatten().map(|(k, _)| k.as_str()).filter(|k| !NATIVE.contains(k))
}

/// Whether writing this lead needs the company's deal fields.
pub fn needs_deal_schema(input: &LeadInput, settings: &Settings) -> bool {
    custom_part(input).next().is_some() || (input.source.is_some() && setting(settings, SOURCE_SETTING).is_some())
}

/// Every deal custom-field name the schema must know.
pub fn deal_field_names<'s>(input: &'s LeadInput, settings: &'s Settings) -> Vec<&'s str> {
    let mut names: Vec<&str> = custom_part(input).collect();
    if input.source.is_some() {
        names.extend(setting(settings, SOURCE_SETTING));
    }
    names
}

/// Whether this lead needs the company's lead labels (tags, or a status the setting maps).
pub fn needs_labels(input: &LeadInput, settings: &Settings) -> bool {
    input.tags.as_ref().is_some_and(|t| !t.is_empty())
        || (input.status.is_some() && setting(settings, STATUS_SETTING).is_some())
}

/// The status → label mapping of the connection (empty without the setting).
pub fn status_mapping(settings: &Settings) -> Result<Vec<(unified_core::resource::LeadStatus, String)>, FieldError> {
    setting(settings, STATUS_SETTING).map_or(Ok(Vec::new()), |text| {
        labels::parse_status_setting(text).map_err(|why| {
            FieldError::new("status", format!("the connection setting `{STATUS_SETTING}` is invalid: {why}"))
        })
    })
}

/// The lead labels for the status and the tags, and the warnings for what has no label.
pub fn label_ids(
    input: &LeadInput,
    settings: &Settings,
    lead_labels: &[LeadLabel],
) -> Result<(Vec<String>, Vec<Warning>), Vec<FieldError>> {
    let mut ids = Vec::new();
    let mut warnings = Vec::new();
    if let Some(status) = input.status {
        let mapping = status_mapping(settings).map_err(|p| vec![p])?;
        match labels::status_label(&mapping, status, lead_labels) {
            Ok(Some(id)) => ids.push(id),
            Ok(None) => warnings.push(Warning::new(
                "status",
                format!(
                    "the connection setting `{STATUS_SETTING}` maps no lead label to `{}`; the status was not stored",
                    status.as_str()
                ),
            )),
            Err(why) => return Err(vec![FieldError::new("status", why)]),
        }
    }
    if let Some(tags) = input.tags.as_deref().filter(|t| !t.is_empty()) {
        let (found, unknown) = labels::tag_ids(tags, &labels::lead_label_pairs(lead_labels));
        ids.extend(found.into_iter().filter(|id| !ids.contains(id)).collect::<Vec<_>>());
        warnings.extend(unknown.into_iter().map(|i| unknown_tag(&tags[i])));
    }
    Ok((ids, warnings))
}

/// The lead's title: `customFields.title`, else "First Last – Company", else whatever identifies it.
pub fn title(input: &LeadInput) -> Result<String, FieldError> {
    if let Some(title) = input.custom_fields.as_ref().and_then(|c| c.get("title")) {
        return match title.as_str().map(str::trim).filter(|t| !t.is_empty()) {
            Some(title) => Ok(title.to_owned()),
            None => Err(FieldError::new("customFields.title", "must be a non-empty text (the lead's title)")),
        };
    }
    let person = full_name(input.first_name.as_deref(), input.last_name.as_deref())
        .or_else(|| text(input.email.as_deref()).map(Into::into));
    Ok(match (person, text(input.company.as_deref())) {
        (Some(person), Some(company)) => format!("{person} – {company}"),
        (Some(person), None) => person,
        (None, Some(company)) => company.into(),
        (None, None) => "Lead".to_owned(),
    })
}

/// The person a lead creates (when no person has its e-mail yet).
pub fn person_input(input: &LeadInput) -> PersonInput<'_> {
    PersonInput::from(input)
}

/// `POST /api/v1/leads`, linked to the person and the organization the connector found or created.
#[allow(clippy::too_many_arguments)]
pub fn create_request(
    input: &LeadInput,
    settings: &Settings,
    deal_schema: Option<&Schema>,
    title: String,
    person_id: Option<u64>,
    organization_id: Option<u64>,
    label_ids: Vec<String>,
) -> Result<LeadCreate, Vec<FieldError>> {
    let mut problems = Vec::new();
    let owner_id = numeric_id("ownerId", input.owner_id.as_deref(), &mut problems);
    let native = |name: &str| input.custom_fields.as_ref().and_then(|c| c.get(name)).filter(|v| !v.is_null());
    let value = native("value").and_then(|v| match lead_value(v) {
        Some(value) => Some(value),
        None => {
            problems.push(FieldError::new(
                "customFields.value",
                "must be {\"amount\": <number>, \"currency\": \"<ISO 4217 code>\"} (the lead's value)",
            ));
            None
        }
    });
    let expected_close_date = native("expected_close_date").and_then(|v| match v.as_str() {
        Some(date) if unified_core::time::parse_date(date).is_some() => Some(date.to_owned()),
        _ => {
            problems.push(FieldError::new("customFields.expected_close_date", "must be a date in YYYY-MM-DD form"));
            None
        }
    });
    let mut custom = serde_json::Map::new();
    if let Some(schema) = deal_schema {
        let mut writes =
            custom::writes(Entity::Deal, schema, input.custom_fields.as_ref(), NATIVE).unwrap_or_else(|mut more| {
                problems.append(&mut more);
                Vec::new()
            });
        source_write(input.source.as_deref(), settings, schema, &mut writes, &mut problems);
        custom = custom::to_v1(&writes);
    } else if needs_deal_schema(input, settings) {
        problems.push(FieldError::new("customFields", "the deal fields of the company are needed but were not read"));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(LeadCreate { title, person_id, organization_id, owner_id, label_ids, value, expected_close_date, custom })
}

fn lead_value(value: &Value) -> Option<LeadValue> {
    let amount = value.get("amount")?.as_f64()?;
    let currency = value.get("currency")?.as_str()?;
    unified_core::validation::is_iso_4217(currency).then(|| LeadValue { amount, currency: currency.to_owned() })
}

/// Whether reading a lead needs the company's deal fields: its custom fields are named through them.
pub fn needs_deal_schema_to_read(lead: &wire::Lead) -> bool {
    lead.rest.keys().any(|k| custom::is_custom_key(k))
}

/// The custom-field keys a stored lead carries.
pub fn custom_keys(lead: &wire::Lead) -> Vec<&str> {
    lead.rest.keys().map(String::as_str).filter(|k| custom::is_custom_key(k)).collect()
}

/// Whether reading a lead's person needs the person fields: the lifecycle stage is one of them.
pub fn needs_person_schema_to_read(person: &Person, settings: &Settings) -> bool {
    setting(settings, LIFECYCLE_SETTING).is_some() && !person.custom_fields.is_empty()
}

/// What the lead record needs besides the lead itself, all of it as Pipedrive has it: the person and the
/// organization it links, and the company's schema.
#[derive(Debug, Clone, Copy, Default)]
pub struct Linked<'a> {
    pub person: Option<&'a Person>,
    pub organization: Option<&'a Organization>,
    pub person_schema: Option<&'a Schema>,
    pub deal_schema: Option<&'a Schema>,
    pub lead_labels: Option<&'a [LeadLabel]>,
}

/// The unified lead from the stored lead and what it links.
pub fn to_lead(lead: &wire::Lead, linked: Linked<'_>, settings: &Settings) -> Lead {
    let person = linked.person.map(|p| person_record(p, settings, linked.person_schema)).unwrap_or_default();
    let mapping = status_mapping(settings).unwrap_or_default();
    let status = linked.lead_labels.and_then(|labels| labels::status_from_labels(&mapping, &lead.label_ids, labels));
    let status_label = linked
        .lead_labels
        .zip(status)
        .and_then(|(labels, status)| labels::status_label(&mapping, status, labels).ok().flatten());
    let tags = linked.lead_labels.and_then(|labels| {
        labels::tag_names(&lead.label_ids, &labels::lead_label_pairs(labels), status_label.as_slice())
    });
    let source_field = linked.deal_schema.and_then(|s| s.custom_field(setting(settings, SOURCE_SETTING)?));
    let org_id = lead.organization_id.or(linked.person.and_then(|p| p.org_id));
    let id = Text::from(lead.id.as_str());
    Lead {
        remote_id: id.clone(),
        id,
        first_name: person.first_name,
        last_name: person.last_name,
        email: person.email,
        phone: person.phone,
        company: linked_organization(org_id, linked.organization).and_then(|o| text(o.name.as_deref())),
        job_title: person.job_title,
        address: person.address,
        lifecycle_stage: person.lifecycle_stage,
        status,
        owner_id: id_text(lead.owner_id).or(person.owner_id),
        owner_name: None,
        owner_email: None,
        tags,
        source: source_field.and_then(|f| custom::text_read(f, &custom::v1_value(f, &lead.rest)?)),
        custom_fields: lead_custom_fields(lead, linked.deal_schema, source_field.map(|f| f.key.as_str())),
        created_at: timestamp(lead.add_time.as_deref()),
        updated_at: timestamp(lead.update_time.as_deref()),
    }
}

/// The lead's custom fields (but the source field), and its own `value` and `expected_close_date` when set.
fn lead_custom_fields(lead: &wire::Lead, schema: Option<&Schema>, source_key: Option<&str>) -> Option<CustomFields> {
    let mut custom = custom::from_v1(schema, &lead.rest, source_key.as_slice());
    if let Some(value) = lead.value.as_ref().and_then(|v| serde_json::to_value(v).ok()) {
        custom.insert("value".to_owned(), value);
    }
    if let Some(date) = &lead.expected_close_date {
        custom.insert("expected_close_date".to_owned(), Value::String(date.clone()));
    }
    (!custom.is_empty()).then_some(custom)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::custom::tests::{BUDGET, schema};
    use serde_json::json;
    use unified_core::resource::LeadStatus;

    fn input(json: &str) -> LeadInput {
        serde_json::from_str(json).unwrap()
    }

    fn lead_labels() -> Vec<LeadLabel> {
        [("f2d0a1b4-3c5e-4f6a-8b7c-9d0e1f2a3b4c", "Hot"), ("a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", "Warm")]
            .map(|(id, name)| LeadLabel { id: id.into(), name: name.into() })
            .to_vec()
    }

    #[test]
    fn titles() {
        assert_eq!(
            title(&input(r#"{"firstName":"María","lastName":"López","company":"Northwind"}"#)).unwrap(),
            "María López – Northwind"
        );
        assert_eq!(title(&input(r#"{"company":"Northwind"}"#)).unwrap(), "Northwind");
        assert_eq!(title(&input(r#"{"email":"m@n.co"}"#)).unwrap(), "m@n.co");
        assert_eq!(title(&input(r#"{"lastName":"L","customFields":{"title":"Fleet deal"}}"#)).unwrap(), "Fleet deal");
        assert_eq!(
            title(&input(r#"{"lastName":"L","customFields":{"title":7}}"#)).unwrap_err().field,
            "customFields.title"
        );
    }

    #[test]
    fn custom_fields_are_flat_and_the_value_is_an_object() {
        let input = input(
            r#"{"lastName":"L","ownerId":"13374021","customFields":{"title":"T","value":{"amount":48000,"currency":"EUR"},
                "expected_close_date":"2026-07-31","Budget":{"value":500,"currency":"USD"}}}"#,
        );
        let body =
            create_request(&input, &Settings::new(), Some(&schema()), "T".into(), Some(5821), None, vec![]).unwrap();
        assert_eq!(
            serde_json::to_value(body).unwrap(),
            json!({"title": "T", "person_id": 5821, "owner_id": 13374021, "value": {"amount": 48000, "currency": "EUR"},
                "expected_close_date": "2026-07-31", BUDGET: 500, format!("{BUDGET}_currency"): "USD"})
        );
        let bad = super::tests::input(r#"{"lastName":"L","customFields":{"value":48000}}"#);
        let problems = create_request(&bad, &Settings::new(), None, "T".into(), Some(1), None, vec![]).unwrap_err();
        assert_eq!(problems[0].field, "customFields.value");
    }

    #[test]
    fn status_and_tags_are_lead_labels() {
        let mut settings = Settings::new();
        settings.insert(STATUS_SETTING.into(), "qualified=Hot;open=Warm".into());
        let labels = lead_labels();
        let input = input(r#"{"lastName":"L","status":"qualified","tags":["warm","Gold"]}"#);
        let (ids, warnings) = label_ids(&input, &settings, &labels).unwrap();
        assert_eq!(ids, [labels[0].id.clone(), labels[1].id.clone()]);
        assert_eq!(warnings, [unknown_tag("Gold")]);
        let unmapped = super::tests::input(r#"{"lastName":"L","status":"new"}"#);
        let (ids, warnings) = label_ids(&unmapped, &settings, &labels).unwrap();
        assert!(ids.is_empty() && warnings[0].field == "status");

        let lead: wire::Lead =
            serde_json::from_value(json!({"id": "adf21080-0e10-11eb-879b-05d71fb426ec", "title": "L",
            "owner_id": 13374021, "person_id": 5821, "organization_id": null, "label_ids": [labels[0].id, labels[1].id],
            "value": null, "add_time": "2026-05-14T09:35:11.204Z", "update_time": "2026-05-14T09:35:11.204Z"}))
            .unwrap();
        let linked = Linked { lead_labels: Some(&labels), ..Linked::default() };
        let record = to_lead(&lead, linked, &settings);
        assert_eq!(record.status, Some(LeadStatus::Qualified));
        assert_eq!(record.tags.unwrap(), ["Warm"], "the status label is not a tag");
        assert_eq!(record.id, "adf21080-0e10-11eb-879b-05d71fb426ec");
        assert_eq!(record.created_at.unwrap().to_string(), "2026-05-14T09:35:11.204Z");
        assert_eq!(record.custom_fields, None, "no custom field, no value, no close date");
    }

    #[test]
    fn reads_the_lead_its_person_and_its_organization_back() {
        let lead: wire::Lead = serde_json::from_value(json!({"id": "adf21080-0e10-11eb-879b-05d71fb426ec",
            "title": "María López – Northwind", "owner_id": null, "person_id": 5821, "organization_id": null,
            "label_ids": [], "value": {"amount": 48000, "currency": "EUR"}, "expected_close_date": null,
            BUDGET: 500, format!("{BUDGET}_currency"): "USD", "source_name": "API",
            "add_time": "2026-05-14T09:35:11.204Z", "update_time": "2026-05-14T09:35:11.204Z"}))
        .unwrap();
        let person: Person = serde_json::from_value(json!({"id": 5821, "first_name": "María", "last_name": "López",
            "owner_id": 13374021, "org_id": 2210, "emails": [{"value": "m@n.co", "primary": true}]}))
        .unwrap();
        let northwind = Organization { id: 2210, name: Some("Northwind".into()) };
        let schema = schema();
        let linked = Linked {
            person: Some(&person),
            organization: Some(&northwind),
            deal_schema: Some(&schema),
            ..Default::default()
        };
        assert!(needs_deal_schema_to_read(&lead) && custom_keys(&lead) == [BUDGET]);
        let record = to_lead(&lead, linked, &Settings::new());
        assert_eq!((record.first_name.as_deref(), record.email.as_deref()), (Some("María"), Some("m@n.co")));
        assert_eq!(record.company.as_deref(), Some("Northwind"), "the person's organization");
        assert_eq!(record.owner_id.as_deref(), Some("13374021"), "the person's owner when the lead has none");
        assert_eq!(
            Value::Object(record.custom_fields.unwrap()),
            json!({"Budget": {"value": 500, "currency": "USD"}, "value": {"amount": 48000, "currency": "EUR"}})
        );
    }
}
