//! contact ⇄ HubSpot `contacts` (objectTypeId `0-1`).

use unified_core::FieldError;
use unified_core::connector::Settings;
use unified_core::resource::{
    Address, Contact, ContactInput, ContactPatch, CustomFields, LeadInput, LeadPatch, LifecycleStage, Patch, Text,
};

use super::links::Links;
use super::{
    ReadContext, custom_properties, finish_patch, lifecycle_from_hubspot, lifecycle_to_hubspot, patch_address,
    patch_text, source_property, timestamp,
};
use crate::wire::{Association, CreateObject, CrmObject, PatchObject, Properties, PropertyValues};

/// The object type, in paths and association blocks.
pub const OBJECT: &str = "contacts";

/// Contact properties this mapping writes and reads (anything else returned is a custom field or HubSpot's).
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

/// The association types a read asks for.
pub const LINKS: &[&str] = &["companies"];

/// contact → primary company.
pub const CONTACT_TO_PRIMARY_COMPANY: u32 = 1;

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

/// `POST /crm/v3/objects/contacts` for a unified contact; `companyId` becomes its primary company.
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
    let associations =
        input.company_id.as_deref().map(|id| Association::to(id, CONTACT_TO_PRIMARY_COMPANY)).into_iter().collect();
    Ok(CreateObject { properties, associations })
}

/// The person fields of an update, shared by a contact and a lead's contact.
#[derive(Debug, Clone, Copy)]
pub struct PersonPatch<'a> {
    pub first_name: &'a Patch<Text>,
    pub last_name: &'a Patch<Text>,
    pub email: &'a Patch<Text>,
    pub phone: &'a Patch<Text>,
    pub company: &'a Patch<Text>,
    pub job_title: &'a Patch<Text>,
    pub address: &'a Patch<Address>,
    pub lifecycle_stage: &'a Patch<LifecycleStage>,
}

macro_rules! person_patch_from {
    ($($ty:ty),*) => {$(
        impl<'a> From<&'a $ty> for PersonPatch<'a> {
            fn from(p: &'a $ty) -> Self {
                Self {
                    first_name: &p.first_name,
                    last_name: &p.last_name,
                    email: &p.email,
                    phone: &p.phone,
                    company: &p.company,
                    job_title: &p.job_title,
                    address: &p.address,
                    lifecycle_stage: &p.lifecycle_stage,
                }
            }
        }
    )*};
}
person_patch_from!(ContactPatch, LeadPatch);

/// The contact properties of a person's update.
pub fn person_patch<'a>(props: &mut Properties<'a>, p: PersonPatch<'a>) {
    patch_text(props, "firstname", p.first_name);
    patch_text(props, "lastname", p.last_name);
    patch_text(props, "email", p.email);
    patch_text(props, "phone", p.phone);
    patch_text(props, "company", p.company);
    patch_text(props, "jobtitle", p.job_title);
    patch_address(props, p.address);
    match p.lifecycle_stage.as_change() {
        None => {}
        Some(None) => props.set("lifecyclestage", ""),
        Some(Some(stage)) => props.set("lifecyclestage", lifecycle_to_hubspot(*stage)),
    }
}

/// `PATCH /crm/v3/objects/contacts/{id}`: the properties to change (`""` clears one). `companyId` is an
/// association, changed by the connector with the associations API.
pub fn patch_request<'a>(patch: &'a ContactPatch, settings: &'a Settings) -> Result<PatchObject<'a>, Vec<FieldError>> {
    let mut properties = Properties::with_capacity(8);
    person_patch(&mut properties, PersonPatch::from(patch));
    finish_patch(properties, &patch.owner_id, &patch.source, &patch.custom_fields, settings, Vec::new())
}

/// The person fields of a returned contact.
#[derive(Debug, Clone, Default)]
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
    /// The portal's custom properties that have a value.
    pub custom_fields: Option<CustomFields>,
}

/// The person fields of a contact's properties, in one pass over them (a list page maps a hundred).
pub fn person_record(values: &PropertyValues<'_>, ctx: &ReadContext<'_>) -> PersonRecord {
    let mut r = PersonRecord::default();
    let mut address = Address::default();
    let source = ctx.source();
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
                if let Some(value) = value
                    && ctx.custom.contains(other)
                {
                    let custom = r.custom_fields.get_or_insert_with(CustomFields::new);
                    custom.insert(other.to_owned(), serde_json::Value::String(value.to_owned()));
                }
                continue;
            }
        };
        *slot = value.map(Text::from);
    }
    r.address = address.non_empty();
    r
}

/// The unified contact from a HubSpot contact and its associations (owner name and e-mail are resolved
/// by the connector). The one read mapping of contacts: create, get, list and update all answer through it.
pub fn to_contact(object: &CrmObject<'_>, links: &Links, ctx: &ReadContext<'_>) -> Contact {
    let p = person_record(&object.properties, ctx);
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
        company_id: links.first("companies"),
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
    use super::super::CustomProperties;
    use super::*;

    fn settings() -> Settings {
        Settings::new()
    }

    #[test]
    fn every_field_goes_to_its_property() {
        let input: ContactInput = serde_json::from_str(
            r#"{"firstName":"Jane","lastName":"Doe","email":"jane@example.com","phone":"+1","company":"Acme",
                "jobTitle":"VP","address":{"street":"1 Main","city":"SF","state":"CA","postalCode":"94105","country":"US"},
                "lifecycleStage":"customer","ownerId":"7","source":"web","customFields":{"score":3},"companyId":"9"}"#,
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
            }, "associations": [{"to": {"id": "9"}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}]}]})
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
    fn an_update_clears_with_empty_strings_and_sets_the_rest() {
        let patch = ContactPatch {
            job_title: Patch::Set("COO".into()),
            phone: Patch::Clear,
            address: Patch::Clear,
            lifecycle_stage: Patch::Set(LifecycleStage::Customer),
            ..Default::default()
        };
        let body = serde_json::to_value(patch_request(&patch, &settings()).unwrap()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"properties": {"phone": "", "jobtitle": "COO", "address": "", "city": "", "state": "",
                "zip": "", "country": "", "lifecyclestage": "customer"}})
        );
    }

    #[test]
    fn reads_a_record_with_only_the_portal_s_custom_properties() {
        let body = r#"{"id":"5","properties":{"firstname":"Jane","zip":"94105","lifecyclestage":"123","hs_object_id":"5",
            "createdate":"2024-05-14T16:27:13.954Z","loyalty":"85","num_notes":"3","phone":"","empty_custom":null},
            "createdAt":"2024-05-14T16:27:13.954Z","updatedAt":"2024-05-14T16:27:14Z","archived":false}"#;
        let object: CrmObject<'_> = serde_json::from_str(body).unwrap();
        let custom = CustomProperties::new(vec!["loyalty".into(), "empty_custom".into()]);
        let settings = settings();
        let ctx = ReadContext { settings: &settings, custom: &custom };
        let contact = to_contact(&object, &Links::default(), &ctx);
        assert_eq!(contact.id, "5");
        assert_eq!(contact.remote_id, "5");
        assert_eq!(contact.first_name.as_deref(), Some("Jane"));
        assert_eq!(contact.phone, None);
        assert_eq!(contact.address.unwrap().postal_code.as_deref(), Some("94105"));
        assert_eq!(contact.lifecycle_stage, Some(LifecycleStage::Other));
        assert_eq!(contact.custom_fields.unwrap(), serde_json::json!({"loyalty": "85"}).as_object().unwrap().clone());
        assert_eq!(contact.updated_at.unwrap().to_string(), "2024-05-14T16:27:14.000Z");
        assert_eq!(contact.company_id, None);
    }
}
