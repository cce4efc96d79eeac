//! contact ⇄ Pipedrive Person (`POST /api/v2/persons`).
//!
//! `companyId` is the person's `org_id`; without it, `company` is an Organization (found by name or
//! created by the connector) linked through `org_id`. The record's `companyId` is `org_id` and its
//! `company` that organization's name. `lifecycleStage` and `source` go to the person custom fields the
//! connection settings name; `tags` are person labels by name.

use serde_json::Value;
use unified_core::connector::Settings;
use unified_core::resource::{Address, Contact, ContactInput, CustomFields, LeadInput, LifecycleStage, Text};
use unified_core::{FieldError, Warning};

use super::custom::{self, Entity, Schema, Write};
use super::{LIFECYCLE_SETTING, SOURCE_SETTING, id_text, labels, numeric_id, text, timestamp};
use crate::wire::{Channel, Organization, Person, PersonCreate, PostalAddress};

/// The person fields shared by a unified contact and a unified lead.
#[derive(Debug, Clone, Copy, Default)]
pub struct PersonInput<'a> {
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub job_title: Option<&'a str>,
    pub address: Option<&'a Address>,
    pub lifecycle_stage: Option<LifecycleStage>,
    /// Contacts only: a lead's organization is the lead's `company`.
    pub company_id: Option<&'a str>,
    pub owner_id: Option<&'a str>,
    /// Contacts only: a lead's tags, source and custom fields belong to the lead.
    pub tags: Option<&'a [Text]>,
    pub source: Option<&'a str>,
    pub custom_fields: Option<&'a CustomFields>,
}

impl<'a> From<&'a ContactInput> for PersonInput<'a> {
    fn from(i: &'a ContactInput) -> Self {
        Self {
            first_name: i.first_name.as_deref(),
            last_name: i.last_name.as_deref(),
            email: i.email.as_deref(),
            phone: i.phone.as_deref(),
            job_title: i.job_title.as_deref(),
            address: i.address.as_ref(),
            lifecycle_stage: i.lifecycle_stage,
            company_id: i.company_id.as_deref(),
            owner_id: i.owner_id.as_deref(),
            tags: i.tags.as_deref().filter(|t| !t.is_empty()),
            source: i.source.as_deref(),
            custom_fields: i.custom_fields.as_ref().filter(|c| !c.is_empty()),
        }
    }
}

impl<'a> From<&'a LeadInput> for PersonInput<'a> {
    fn from(i: &'a LeadInput) -> Self {
        Self {
            first_name: i.first_name.as_deref(),
            last_name: i.last_name.as_deref(),
            email: i.email.as_deref(),
            phone: i.phone.as_deref(),
            job_title: i.job_title.as_deref(),
            address: i.address.as_ref(),
            lifecycle_stage: i.lifecycle_stage,
            company_id: None,
            owner_id: i.owner_id.as_deref(),
            tags: None,
            source: None,
            custom_fields: None,
        }
    }
}

impl PersonInput<'_> {
    /// Whether there is a person to create at all (a lead may name only a company).
    pub fn identifies_someone(&self) -> bool {
        [self.first_name, self.last_name, self.email].into_iter().flatten().any(|v| !v.trim().is_empty())
    }

    /// Whether writing this person needs the company's person fields.
    pub fn needs_schema(&self, settings: &Settings) -> bool {
        self.custom_fields.is_some()
            || self.tags.is_some()
            || (self.lifecycle_stage.is_some() && setting(settings, LIFECYCLE_SETTING).is_some())
            || (self.source.is_some() && setting(settings, SOURCE_SETTING).is_some())
    }

    /// Every custom-field name the schema must know (to tell a stale cached schema from a wrong name).
    pub fn field_names<'s>(&'s self, settings: &'s Settings) -> Vec<&'s str> {
        let mut names: Vec<&str> = self.custom_fields.into_iter().flatten().map(|(k, _)| k.as_str()).collect();
        if self.lifecycle_stage.is_some() {
            names.extend(setting(settings, LIFECYCLE_SETTING));
        }
        if self.source.is_some() {
            names.extend(setting(settings, SOURCE_SETTING));
        }
        names
    }
}

/// The `company` to find or create an organization for: none when `companyId` names the organization.
pub fn company_to_look_up(input: &ContactInput) -> Option<&str> {
    input.company.as_deref().map(str::trim).filter(|c| !c.is_empty() && input.company_id.is_none())
}

pub fn setting<'s>(settings: &'s Settings, key: &str) -> Option<&'s str> {
    settings.get(key).map(|v| v.trim()).filter(|v| !v.is_empty())
}

/// `POST /api/v2/persons`, and the warnings of what it could not carry. Pipedrive requires a name: both
/// name parts when there are two (it builds `name`), the one part, or else the e-mail address. The
/// organization is `companyId`, else `org_id` (the one the connector found or created for `company`).
pub fn create_request(
    p: &PersonInput<'_>,
    settings: &Settings,
    schema: Option<&Schema>,
    org_id: Option<u64>,
) -> Result<(PersonCreate, Vec<Warning>), Vec<FieldError>> {
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let owner_id = numeric_id("ownerId", p.owner_id, &mut problems);
    let org_id = numeric_id("companyId", p.company_id, &mut problems).or(org_id);
    let first = text(p.first_name);
    let last = text(p.last_name);
    let name = match super::full_name(first.as_deref(), last.as_deref()) {
        Some(name) => name,
        None => {
            warnings.push(Warning::new(
                "firstName",
                "Pipedrive requires a person name; the e-mail address was stored as the name",
            ));
            p.email.unwrap_or_default().trim().to_owned()
        }
    };
    let mut writes = Vec::new();
    let mut label_ids = Vec::new();
    if let Some(schema) = schema {
        match custom::writes(Entity::Person, schema, p.custom_fields, &[]) {
            Ok(w) => writes = w,
            Err(mut more) => problems.append(&mut more),
        }
        setting_writes(p, settings, schema, &mut writes, &mut problems);
        if let Some(tags) = p.tags {
            let (ids, unknown) = labels::tag_ids(tags, schema.labels());
            label_ids = ids;
            warnings.extend(unknown.into_iter().map(|i| unknown_tag(&tags[i])));
        }
    } else if p.needs_schema(settings) {
        problems.push(FieldError::new("customFields", "the person fields of the company are needed but were not read"));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let body = PersonCreate {
        name,
        first_name: first.map(Into::into),
        last_name: last.map(Into::into),
        owner_id,
        org_id,
        emails: p.email.map(str::trim).filter(|e| !e.is_empty()).map(Channel::work).into_iter().collect(),
        phones: p.phone.map(str::trim).filter(|e| !e.is_empty()).map(Channel::work).into_iter().collect(),
        job_title: text(p.job_title).map(Into::into),
        postal_address: p.address.and_then(postal_address),
        label_ids,
        custom_fields: custom::to_v2(&writes),
    };
    Ok((body, warnings))
}

pub fn unknown_tag(tag: &str) -> Warning {
    Warning::new("tags", format!("no Pipedrive label is named `{tag}`; that tag was not stored"))
}

/// `lifecycleStage` and `source` into the custom fields the connection settings name.
fn setting_writes(
    p: &PersonInput<'_>,
    settings: &Settings,
    schema: &Schema,
    writes: &mut Vec<Write>,
    problems: &mut Vec<FieldError>,
) {
    if let (Some(stage), Some(name)) = (p.lifecycle_stage, setting(settings, LIFECYCLE_SETTING)) {
        let write =
            custom::setting_field(Entity::Person, schema, LIFECYCLE_SETTING, name, "lifecycleStage").and_then(|f| {
                let value = custom::lifecycle_value(f, stage).map_err(|m| FieldError::new("lifecycleStage", m))?;
                Ok(Write { key: f.key.clone(), value })
            });
        push_write("lifecycleStage", write, writes, problems);
    }
    if let (Some(source), Some(name)) = (p.source, setting(settings, SOURCE_SETTING)) {
        let write = custom::setting_field(Entity::Person, schema, SOURCE_SETTING, name, "source").and_then(|f| {
            let value =
                custom::value_for(f, &Value::String(source.to_owned())).map_err(|m| FieldError::new("source", m))?;
            Ok(Write { key: f.key.clone(), value })
        });
        push_write("source", write, writes, problems);
    }
}

/// Adds a setting's write, unless `customFields` already sets its field.
pub fn push_write(
    field: &str,
    write: Result<Write, FieldError>,
    writes: &mut Vec<Write>,
    problems: &mut Vec<FieldError>,
) {
    match write {
        Ok(write) if writes.iter().any(|w| w.key == write.key) => {
            problems.push(FieldError::new(field, "its custom field is also set through customFields"));
        }
        Ok(write) => writes.push(write),
        Err(problem) => problems.push(problem),
    }
}

/// The unified address as Pipedrive's address parts, with the one-line `value` Pipedrive shows.
fn postal_address(a: &Address) -> Option<PostalAddress> {
    let line =
        [a.street.as_deref(), a.city.as_deref(), a.state.as_deref(), a.postal_code.as_deref(), a.country.as_deref()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
    (!line.is_empty()).then(|| PostalAddress {
        value: Some(line),
        street_number: None,
        route: text(a.street.as_deref()).map(Into::into),
        locality: text(a.city.as_deref()).map(Into::into),
        admin_area_level_1: text(a.state.as_deref()).map(Into::into),
        postal_code: text(a.postal_code.as_deref()).map(Into::into),
        country: text(a.country.as_deref()).map(Into::into),
    })
}

fn unified_address(a: &PostalAddress) -> Option<Address> {
    let street = match (text(a.street_number.as_deref()), text(a.route.as_deref())) {
        (Some(number), Some(route)) => Some(Text::from(format!("{number} {route}"))),
        (None, Some(route)) => Some(route),
        // Only an address typed as one line (no structured part at all) reads its `value` as the street.
        (number, None)
            if a.locality.is_none()
                && a.postal_code.is_none()
                && a.admin_area_level_1.is_none()
                && a.country.is_none() =>
        {
            text(a.value.as_deref()).or(number)
        }
        (number, None) => number,
    };
    Address {
        street,
        city: text(a.locality.as_deref()),
        state: text(a.admin_area_level_1.as_deref()),
        postal_code: text(a.postal_code.as_deref()),
        country: text(a.country.as_deref()),
    }
    .non_empty()
}

/// The primary entry of a list, else the first.
fn primary(channels: &[Channel]) -> Option<Text> {
    channels.iter().find(|c| c.primary).or_else(|| channels.first()).and_then(|c| text(Some(&c.value)))
}

/// The person fields of a stored person, shared by the contact and the lead records.
#[derive(Debug, Default)]
pub struct PersonRecord {
    pub first_name: Option<Text>,
    pub last_name: Option<Text>,
    pub email: Option<Text>,
    pub phone: Option<Text>,
    pub job_title: Option<Text>,
    pub address: Option<Address>,
    pub lifecycle_stage: Option<LifecycleStage>,
    pub owner_id: Option<Text>,
    pub tags: Option<Vec<Text>>,
    pub source: Option<Text>,
    pub custom_fields: Option<CustomFields>,
}

/// The keys of the custom fields a stored person carries.
pub fn custom_keys(person: &Person) -> Vec<&str> {
    person.custom_fields.keys().map(String::as_str).collect()
}

/// Whether reading this person needs the company's person fields: its custom fields are named, and its
/// labels become tags, through them.
pub fn needs_schema_to_read(person: &Person) -> bool {
    !person.custom_fields.is_empty() || !person.label_ids.is_empty()
}

/// A stored person's fields, shared by the contact and the lead records. The parts kept in custom fields
/// (lifecycle, source, custom fields) and the tags are read through the schema; without one, the custom
/// fields are reported by key and the rest left out.
pub fn person_record(person: &Person, settings: &Settings, schema: Option<&Schema>) -> PersonRecord {
    let stored = |key: &str| person.custom_fields.get(key).cloned();
    let field = |setting_key: &str| schema.and_then(|s| s.custom_field(setting(settings, setting_key)?));
    let mapped =
        custom::setting_keys(schema, &[setting(settings, LIFECYCLE_SETTING), setting(settings, SOURCE_SETTING)]);
    PersonRecord {
        first_name: text(person.first_name.as_deref()),
        last_name: text(person.last_name.as_deref()),
        email: primary(&person.emails),
        phone: primary(&person.phones),
        job_title: text(person.job_title.as_deref()),
        address: person.postal_address.as_ref().and_then(unified_address),
        lifecycle_stage: field(LIFECYCLE_SETTING)
            .and_then(|f| custom::lifecycle_read(f, &stored(&f.key).unwrap_or(Value::Null))),
        owner_id: id_text(person.owner_id),
        tags: schema.and_then(|s| labels::tag_names(&person.label_ids, s.labels(), &[])),
        source: field(SOURCE_SETTING).and_then(|f| custom::text_read(f, &stored(&f.key)?)),
        custom_fields: custom::from_v2(schema, &person.custom_fields, &mapped),
    }
}

/// The organization a record links (`org_id`), when that is the one given.
pub fn linked_organization(org_id: Option<u64>, organization: Option<&Organization>) -> Option<&Organization> {
    organization.filter(|o| Some(o.id) == org_id)
}

/// A refused person's organization errors name `company` (the organization it looked up); with
/// `companyId` given, that is the field that set it.
pub fn name_organization_errors(input: &ContactInput, details: &mut [FieldError]) {
    if input.company_id.is_some() {
        for detail in details.iter_mut().filter(|d| d.field == "company") {
            detail.field = "companyId".to_owned();
        }
    }
}

/// A `company` sent beside `companyId` links nothing (the id names the organization): a warning when it
/// is not the name of that organization.
pub fn unused_company(input: &ContactInput, organization: Option<&Organization>) -> Option<Warning> {
    let (company, _) = input.company.as_deref().zip(input.company_id.as_deref())?;
    let name = organization.and_then(|o| o.name.as_deref());
    if name.is_some_and(|n| n.trim().eq_ignore_ascii_case(company.trim())) {
        return None;
    }
    let named = name.map_or_else(String::new, |n| format!(" (named `{n}`)"));
    Some(Warning::new(
        "company",
        format!("companyId sets the person's organization{named}; the company `{company}` was not used"),
    ))
}

/// The unified contact from the stored person and the organization it links (owner name and e-mail are
/// resolved by the connector).
pub fn to_contact(
    person: &Person,
    organization: Option<&Organization>,
    settings: &Settings,
    schema: Option<&Schema>,
) -> Contact {
    let r = person_record(person, settings, schema);
    let id = Text::from(person.id.to_string());
    let company = linked_organization(person.org_id, organization).and_then(|o| text(o.name.as_deref()));
    Contact {
        remote_id: id.clone(),
        id,
        first_name: r.first_name,
        last_name: r.last_name,
        email: r.email,
        phone: r.phone,
        company,
        job_title: r.job_title,
        address: r.address,
        lifecycle_stage: r.lifecycle_stage,
        company_id: id_text(person.org_id),
        owner_id: r.owner_id,
        owner_name: None,
        owner_email: None,
        tags: r.tags,
        source: r.source,
        custom_fields: r.custom_fields,
        created_at: timestamp(person.add_time.as_deref()),
        updated_at: timestamp(person.update_time.as_deref()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::custom::tests::{LOYALTY, STAGE, schema};
    use serde_json::json;

    fn input(json: &str) -> ContactInput {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn every_field_goes_to_its_place() {
        let input = input(
            r#"{"firstName":"Aiko","lastName":"Tanaka","email":"aiko@kumo.jp","phone":"+81 3","jobTitle":"CTO",
                "address":{"street":"2-1-1 Nihonbashi","city":"Tokyo","postalCode":"103-0027","country":"JP"},
                "lifecycleStage":"customer","ownerId":"13374021","tags":["VIP","nope"],"source":"web",
                "customFields":{"Loyalty score":85}}"#,
        );
        let mut settings = Settings::new();
        settings.insert(LIFECYCLE_SETTING.into(), "Lifecycle stage".into());
        let schema = schema();
        let (body, warnings) = create_request(&(&input).into(), &settings, Some(&schema), Some(2210)).unwrap();
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"name": "Aiko Tanaka", "first_name": "Aiko", "last_name": "Tanaka", "owner_id": 13374021,
                "org_id": 2210,
                "emails": [{"value": "aiko@kumo.jp", "primary": true, "label": "work"}],
                "phones": [{"value": "+81 3", "primary": true, "label": "work"}], "job_title": "CTO",
                "postal_address": {"value": "2-1-1 Nihonbashi, Tokyo, 103-0027, JP", "route": "2-1-1 Nihonbashi",
                    "locality": "Tokyo", "postal_code": "103-0027", "country": "JP"},
                "label_ids": [7], "custom_fields": {LOYALTY: 85, STAGE: 46}})
        );
        assert_eq!(warnings, [unknown_tag("nope")], "source has no setting: the pipeline warns about it");
    }

    #[test]
    fn the_name_pipedrive_requires() {
        let settings = Settings::new();
        let only_last = input(r#"{"lastName":"Tanaka","email":"a@b.jp"}"#);
        let (body, warnings) = create_request(&(&only_last).into(), &settings, None, None).unwrap();
        assert_eq!(
            (body.name.as_str(), body.first_name.as_deref(), body.last_name.as_deref()),
            ("Tanaka", None, Some("Tanaka"))
        );
        assert!(warnings.is_empty());
        let only_email = input(r#"{"email":"a@b.jp"}"#);
        let (body, warnings) = create_request(&(&only_email).into(), &settings, None, None).unwrap();
        assert_eq!(body.name, "a@b.jp");
        assert_eq!(warnings[0].field, "firstName");
    }

    #[test]
    fn company_id_is_the_organization_and_wins() {
        let settings = Settings::new();
        let linked = input(r#"{"lastName":"Tanaka","company":"Kumo","companyId":"2210"}"#);
        assert_eq!(company_to_look_up(&linked), None);
        let (body, _) = create_request(&(&linked).into(), &settings, None, Some(9)).unwrap();
        assert_eq!(body.org_id, Some(2210));
        assert_eq!(company_to_look_up(&input(r#"{"lastName":"Tanaka","company":" Kumo "}"#)), Some("Kumo"));
        let wrong = input(r#"{"lastName":"Tanaka","companyId":"Kumo"}"#);
        assert_eq!(create_request(&(&wrong).into(), &settings, None, None).unwrap_err()[0].field, "companyId");

        let kumo = Organization { id: 2210, name: Some("Kumo Robotics".into()) };
        let warning = unused_company(&linked, Some(&kumo)).unwrap();
        assert!(warning.message.contains("`Kumo Robotics`") && warning.message.contains("`Kumo`"), "{warning:?}");
        let same = input(r#"{"lastName":"Tanaka","company":"kumo robotics","companyId":"2210"}"#);
        assert_eq!(unused_company(&same, Some(&kumo)), None);
        let mut details = vec![FieldError::new("company", "Organization with id 2210 does not exist")];
        name_organization_errors(&linked, &mut details);
        assert_eq!(details[0].field, "companyId");
    }

    #[test]
    fn bad_owner_and_unknown_lifecycle_field_fail_before_any_call() {
        let input = input(r#"{"email":"a@b.jp","ownerId":"john","lifecycleStage":"lead"}"#);
        let mut settings = Settings::new();
        settings.insert(LIFECYCLE_SETTING.into(), "Stage".into());
        let problems = create_request(&(&input).into(), &settings, Some(&schema()), None).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["ownerId", "lifecycleStage"]);
    }

    #[test]
    fn reads_a_person_back() {
        let person: Person = serde_json::from_value(json!({
            "id": 5821, "name": "Aiko Tanaka", "first_name": "Aiko", "last_name": "Tanaka", "owner_id": 13374021,
            "org_id": 2210, "add_time": "2026-05-14T09:31:02Z", "update_time": "2026-05-14T09:31:02Z",
            "emails": [{"value": "old@kumo.jp", "primary": false, "label": "home"}, {"value": "aiko@kumo.jp", "primary": true, "label": "work"}],
            "phones": [], "job_title": null, "label_ids": [7],
            "postal_address": {"value": "2-1-1 Nihonbashi, Tokyo", "street_number": "2-1-1", "route": "Nihonbashi", "locality": "Tokyo"},
            "custom_fields": {LOYALTY: 85, STAGE: 46}
        }))
        .unwrap();
        let mut settings = Settings::new();
        settings.insert(LIFECYCLE_SETTING.into(), STAGE.into());
        let kumo = Organization { id: 2210, name: Some("Kumo Robotics".into()) };
        let contact = to_contact(&person, Some(&kumo), &settings, Some(&schema()));
        assert_eq!((contact.id.as_str(), contact.remote_id.as_str()), ("5821", "5821"));
        assert_eq!(contact.email.as_deref(), Some("aiko@kumo.jp"));
        assert_eq!((contact.company.as_deref(), contact.company_id.as_deref()), (Some("Kumo Robotics"), Some("2210")));
        assert_eq!(contact.address.unwrap().street.as_deref(), Some("2-1-1 Nihonbashi"));
        assert_eq!(contact.lifecycle_stage, Some(LifecycleStage::Customer));
        assert_eq!(contact.tags.unwrap(), ["VIP"]);
        assert_eq!(
            Value::Object(contact.custom_fields.unwrap()),
            json!({"Loyalty score": 85}),
            "every custom field but the lifecycle one, by its name"
        );
        assert_eq!(contact.owner_id.as_deref(), Some("13374021"));
        assert_eq!(contact.created_at.unwrap().to_string(), "2026-05-14T09:31:02.000Z");
        let other = Organization { id: 2211, name: Some("Other".into()) };
        assert_eq!(to_contact(&person, Some(&other), &settings, None).company, None, "not the one it links");
        let unnamed = to_contact(&person, None, &settings, None);
        assert_eq!((unnamed.tags, unnamed.lifecycle_stage), (None, None), "no schema: no labels, no lifecycle");
        assert_eq!(unnamed.custom_fields.unwrap()[LOYALTY], 85, "no schema: by key");
        assert!(needs_schema_to_read(&person) && !needs_schema_to_read(&Person::default()));
    }
}
