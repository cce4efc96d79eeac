//! contact ⇄ HubSpot `contacts` (objectTypeId `0-1`).

use unified_core::FieldError;
use unified_core::connector::Settings;
use unified_core::resource::{Address, Contact, ContactInput, CustomFields, LeadInput, LifecycleStage, Text};

use serde_json::Value;

use super::{
    custom_properties, is_system_property, lifecycle_from_hubspot, lifecycle_to_hubspot, source_property, timestamp,
};
use crate::wire::{CreateObject, CrmObject, Properties, PropertyValues};

/// Contact properties this mapping writes and reads (anything else returned is a custom field).
pub const MAPPED: &[&str] = &[
    "firstname",
    "lastname",
    "email",
    "phone",
    "company",
    "jobtitle",
    "address",
    "city",
    "state",
    "zip",
    "country",
    "lifecyclestage",
    "hubspot_owner_id",
];

/// The person fields shared by a unified contact and a unified lead.
#[derive(Debug, Clone, Copy, Default)]
pub struct Person<'a> {
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub company: Option<&'a str>,
    pub job_title: Option<&'a str>,
    pub address: Option<&'a Address>,
    pub lifecycle_stage: Option<LifecycleStage>,
    pub owner_id: Option<&'a str>,
    pub source: Option<&'a str>,
}

impl<'a> From<&'a ContactInput> for Person<'a> {
    fn from(i: &'a ContactInput) -> Self {
        Self {
            first_name: i.first_name.as_deref(),
            last_name: i.last_name.as_deref(),
            email: i.email.as_deref(),
            phone: i.phone.as_deref(),
            company: i.company.as_deref(),
            job_title: i.job_title.as_deref(),
            address: i.address.as_ref(),
            lifecycle_stage: i.lifecycle_stage,
            owner_id: i.owner_id.as_deref(),
            source: i.source.as_deref(),
        }
    }
}

impl<'a> From<&'a LeadInput> for Person<'a> {
    fn from(i: &'a LeadInput) -> Self {
        Self {
            first_name: i.first_name.as_deref(),
            last_name: i.last_name.as_deref(),
            email: i.email.as_deref(),
            phone: i.phone.as_deref(),
            company: i.company.as_deref(),
            job_title: i.job_title.as_deref(),
            address: i.address.as_ref(),
            lifecycle_stage: i.lifecycle_stage,
            owner_id: i.owner_id.as_deref(),
            source: i.source.as_deref(),
        }
    }
}

/// The contact properties of a person. `source` goes to the property the connection names, if any.
pub fn person_properties<'a>(p: &Person<'a>, settings: &'a Settings) -> Properties<'a> {
    let mut props = Properties::with_capacity(16);
    props.set_opt("email", p.email);
    props.set_opt("firstname", p.first_name);
    props.set_opt("lastname", p.last_name);
    props.set_opt("phone", p.phone);
    props.set_opt("company", p.company);
    props.set_opt("jobtitle", p.job_title);
    if let Some(a) = p.address {
        props.set_opt("address", a.street.as_deref());
        props.set_opt("city", a.city.as_deref());
        props.set_opt("state", a.state.as_deref());
        props.set_opt("zip", a.postal_code.as_deref());
        props.set_opt("country", a.country.as_deref());
    }
    if let Some(stage) = p.lifecycle_stage {
        props.set("lifecyclestage", lifecycle_to_hubspot(stage));
    }
    props.set_opt("hubspot_owner_id", p.owner_id);
    if let Some(property) = source_property(settings) {
        props.set_opt(property, p.source);
    }
    props
}

/// `POST /crm/v3/objects/contacts` for a unified contact.
pub fn create_request<'a>(
    input: &'a ContactInput,
    settings: &'a Settings,
) -> Result<CreateObject<'a>, Vec<FieldError>> {
    let mut properties = person_properties(&Person::from(input), settings);
    let mut problems = Vec::new();
    custom_properties(&mut properties, input.custom_fields.as_ref(), &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(CreateObject { properties, associations: Vec::new() })
}

/// The person fields of a returned contact, read in one pass over its properties.
#[derive(Debug, Default)]
pub struct PersonRecord {
    pub first_name: Option<Text>,
    pub last_name: Option<Text>,
    pub email: Option<Text>,
    pub phone: Option<Text>,
    pub company: Option<Text>,
    pub job_title: Option<Text>,
    pub address: Option<Address>,
    pub lifecycle_stage: Option<LifecycleStage>,
    pub owner_id: Option<Text>,
    pub source: Option<Text>,
    /// Properties neither mapped nor HubSpot's own, and those the caller wrote through `customFields`.
    pub custom_fields: Option<CustomFields>,
}

/// One pass over a contact's properties: person fields, address parts and custom fields together.
pub fn person_record(
    values: &PropertyValues<'_>,
    source: Option<&str>,
    requested: Option<&CustomFields>,
) -> PersonRecord {
    let mut r = PersonRecord::default();
    let mut address = Address::default();
    for (name, raw) in &values.0 {
        let value = raw.as_ref().map(|v| v.as_str()).filter(|v| !v.is_empty());
        let slot = match name.as_str() {
            "firstname" => &mut r.first_name,
            "lastname" => &mut r.last_name,
            "email" => &mut r.email,
            "phone" => &mut r.phone,
            "company" => &mut r.company,
            "jobtitle" => &mut r.job_title,
            "address" => &mut address.street,
            "city" => &mut address.city,
            "state" => &mut address.state,
            "zip" => &mut address.postal_code,
            "country" => &mut address.country,
            "hubspot_owner_id" => &mut r.owner_id,
            "lifecyclestage" => {
                r.lifecycle_stage = value.map(lifecycle_from_hubspot);
                continue;
            }
            other if Some(other) == source => &mut r.source,
            other => {
                if requested.is_some_and(|c| c.contains_key(other)) || !is_system_property(other) {
                    let value = raw.as_ref().map_or(Value::Null, |v| Value::String(v.as_str().to_owned()));
                    r.custom_fields.get_or_insert_with(CustomFields::new).insert(other.to_owned(), value);
                }
                continue;
            }
        };
        *slot = value.map(Text::from);
    }
    r.address = address.non_empty();
    r
}

/// The unified contact from HubSpot's answer (owner name and e-mail are resolved by the connector).
pub fn to_contact(object: &CrmObject<'_>, input: Option<&ContactInput>, settings: &Settings) -> Contact {
    let p = person_record(&object.properties, source_property(settings), input.and_then(|i| i.custom_fields.as_ref()));
    let id = Text::from(object.id.as_str());
    Contact {
        remote_id: id.clone(),
        id,
        first_name: p.first_name,
        last_name: p.last_name,
        email: p.email,
        phone: p.phone,
        company: p.company,
        job_title: p.job_title,
        address: p.address,
        lifecycle_stage: p.lifecycle_stage,
        company_id: input.and_then(|i| i.company_id.clone()),
        owner_id: p.owner_id,
        owner_name: None,
        owner_email: None,
        tags: None,
        source: p.source,
        custom_fields: p.custom_fields,
        created_at: timestamp(object.created_at.as_ref()),
        updated_at: timestamp(object.updated_at.as_ref()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings::new()
    }

    #[test]
    fn every_field_goes_to_its_property() {
        let input: ContactInput = serde_json::from_str(
            r#"{"firstName":"Jane","lastName":"Doe","email":"jane@example.com","phone":"+1","company":"Acme",
                "jobTitle":"VP","address":{"street":"1 Main","city":"SF","state":"CA","postalCode":"94105","country":"US"},
                "lifecycleStage":"customer","ownerId":"7","source":"web","customFields":{"score":3}}"#,
        )
        .unwrap();
        let mut settings = settings();
        settings.insert("sourceProperty".into(), "lead_source".into());
        let body = serde_json::to_value(create_request(&input, &settings).unwrap()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"properties": {
                "email": "jane@example.com", "firstname": "Jane", "lastname": "Doe", "phone": "+1", "company": "Acme",
                "jobtitle": "VP", "address": "1 Main", "city": "SF", "state": "CA", "zip": "94105", "country": "US",
                "lifecyclestage": "customer", "hubspot_owner_id": "7", "lead_source": "web", "score": "3"
            }})
        );
    }

    #[test]
    fn source_without_a_setting_is_not_written() {
        let input = ContactInput { email: Some("a@b.co".into()), source: Some("web".into()), ..Default::default() };
        let settings = settings();
        let request = create_request(&input, &settings).unwrap();
        assert_eq!(request.properties.0.len(), 1);
    }

    #[test]
    fn reads_a_response_back() {
        let body = r#"{"id":"5","properties":{"firstname":"Jane","zip":"94105","lifecyclestage":"123","hs_object_id":"5",
            "createdate":"2024-05-14T16:27:13.954Z","loyalty":"85","phone":""},"createdAt":"2024-05-14T16:27:13.954Z",
            "updatedAt":"2024-05-14T16:27:14Z","archived":false}"#;
        let object: CrmObject<'_> = serde_json::from_str(body).unwrap();
        let contact = to_contact(&object, None, &settings());
        assert_eq!(contact.id, "5");
        assert_eq!(contact.remote_id, "5");
        assert_eq!(contact.first_name.as_deref(), Some("Jane"));
        assert_eq!(contact.phone, None);
        assert_eq!(contact.address.unwrap().postal_code.as_deref(), Some("94105"));
        assert_eq!(contact.lifecycle_stage, Some(LifecycleStage::Other));
        assert_eq!(contact.custom_fields.unwrap()["loyalty"], "85");
        assert_eq!(contact.updated_at.unwrap().to_string(), "2024-05-14T16:27:14.000Z");
    }
}
