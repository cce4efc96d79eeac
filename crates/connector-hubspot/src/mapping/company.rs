//! company ⇄ HubSpot `companies` (objectTypeId `0-2`).

use unified_core::FieldError;
use unified_core::connector::Settings;
use unified_core::resource::{Company, CompanyInput, CompanyPatch, Patch, Text};

use super::{
    ReadContext, address_from, custom_properties, finish_patch, owned, patch_address, patch_text, source_property,
    timestamp,
};
use crate::wire::{CreateObject, CrmObject, PatchObject, Properties};

/// The object type, in paths and association blocks.
pub const OBJECT: &str = "companies";

pub const MAPPED: &[&str] = &[
    "name",
    "domain",
    "website",
    "industry",
    "phone",
    "address",
    "city",
    "state",
    "zip",
    "country",
    "numberofemployees",
    "annualrevenue",
    "description",
    "hubspot_owner_id",
];

/// The association types a read asks for: none (a company's contacts are listed from the contacts).
pub const LINKS: &[&str] = &[];

/// `POST /crm/v3/objects/companies`. Numbers are written as text, as every HubSpot value is; `industry`
/// is an enumeration of HubSpot's own values (`COMPUTER_SOFTWARE`, ...), passed as given.
pub fn create_request<'a>(
    input: &'a CompanyInput,
    settings: &'a Settings,
) -> Result<CreateObject<'a>, Vec<FieldError>> {
    let mut properties = Properties::with_capacity(16);
    properties.set_opt("name", input.name.as_deref());
    properties.set_opt("domain", input.domain.as_deref());
    properties.set_opt("website", input.website.as_deref());
    properties.set_opt("industry", input.industry.as_deref());
    properties.set_opt("phone", input.phone.as_deref());
    if let Some(a) = &input.address {
        properties.set_opt("address", a.street.as_deref());
        properties.set_opt("city", a.city.as_deref());
        properties.set_opt("state", a.state.as_deref());
        properties.set_opt("zip", a.postal_code.as_deref());
        properties.set_opt("country", a.country.as_deref());
    }
    if let Some(n) = input.employees {
        properties.set("numberofemployees", n.to_string());
    }
    if let Some(revenue) = input.annual_revenue {
        properties.set("annualrevenue", revenue.to_string());
    }
    properties.set_opt("description", input.description.as_deref());
    properties.set_opt("hubspot_owner_id", input.owner_id.as_deref());
    if let Some(property) = source_property(settings) {
        properties.set_opt(property, input.source.as_deref());
    }
    let mut problems = Vec::new();
    custom_properties(&mut properties, input.custom_fields.as_ref(), &mut problems);
    if problems.is_empty() { Ok(CreateObject { properties, associations: Vec::new() }) } else { Err(problems) }
}

/// `PATCH /crm/v3/objects/companies/{id}`.
pub fn patch_request<'a>(patch: &'a CompanyPatch, settings: &'a Settings) -> Result<PatchObject<'a>, Vec<FieldError>> {
    let mut properties = Properties::with_capacity(8);
    patch_text(&mut properties, "name", &patch.name);
    patch_text(&mut properties, "domain", &patch.domain);
    patch_text(&mut properties, "website", &patch.website);
    patch_text(&mut properties, "industry", &patch.industry);
    patch_text(&mut properties, "phone", &patch.phone);
    patch_address(&mut properties, &patch.address);
    match &patch.employees {
        Patch::Absent => {}
        Patch::Clear => properties.set("numberofemployees", ""),
        Patch::Set(n) => properties.set("numberofemployees", n.to_string()),
    }
    match &patch.annual_revenue {
        Patch::Absent => {}
        Patch::Clear => properties.set("annualrevenue", ""),
        Patch::Set(revenue) => properties.set("annualrevenue", revenue.to_string()),
    }
    patch_text(&mut properties, "description", &patch.description);
    finish_patch(properties, &patch.owner_id, &patch.source, &patch.custom_fields, settings, Vec::new())
}

/// The unified company from a HubSpot company. The one read mapping of companies.
pub fn to_company(object: &CrmObject<'_>, ctx: &ReadContext<'_>) -> Company {
    let values = &object.properties;
    let id = Text::from(object.id.as_str());
    Company {
        remote_id: id.clone(),
        id,
        name: owned(values, "name"),
        domain: owned(values, "domain"),
        website: owned(values, "website"),
        industry: owned(values, "industry"),
        phone: owned(values, "phone"),
        address: address_from(values),
        // HubSpot stores numbers as text, and may answer `"250.0"`.
        employees: values.get("numberofemployees").and_then(|n| n.parse::<f64>().ok()).map(|n| n as i64),
        annual_revenue: values.get("annualrevenue").and_then(|n| n.parse().ok()),
        description: owned(values, "description"),
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
    use super::super::CustomProperties;
    use super::*;

    #[test]
    fn writes_and_reads_every_field() {
        let input: CompanyInput = serde_json::from_str(
            r#"{"name":"Northwind","domain":"northwind.example","website":"https://northwind.example","industry":"LOGISTICS_AND_SUPPLY_CHAIN",
                "phone":"+34 911","address":{"city":"Madrid","country":"Spain"},"employees":250,"annualRevenue":12500000.5,
                "description":"Fleet","ownerId":"41629779","customFields":{"tier":"gold"}}"#,
        )
        .unwrap();
        let settings = Settings::new();
        let body = serde_json::to_value(create_request(&input, &settings).unwrap()).unwrap();
        assert_eq!(body["properties"]["numberofemployees"], "250");
        assert_eq!(body["properties"]["annualrevenue"], "12500000.5");
        assert_eq!(body["properties"]["city"], "Madrid");
        assert_eq!(body["properties"]["tier"], "gold");
        let answer = serde_json::json!({"id": "21678228008", "properties": body["properties"].clone(),
            "createdAt": "2026-05-14T09:31:02.487Z", "updatedAt": "2026-05-14T09:31:02.487Z"});
        let text = answer.to_string();
        let object: CrmObject<'_> = serde_json::from_str(&text).unwrap();
        let custom = CustomProperties::new(vec!["tier".into()]);
        let company = to_company(&object, &ReadContext { settings: &settings, custom: &custom });
        assert_eq!(company.name.as_deref(), Some("Northwind"));
        assert_eq!(company.employees, Some(250));
        assert_eq!(company.annual_revenue, Some(12_500_000.5));
        assert_eq!(company.address.unwrap().city.as_deref(), Some("Madrid"));
        assert_eq!(company.custom_fields.unwrap()["tier"], "gold");
    }

    #[test]
    fn clearing_sends_empty_strings() {
        let patch = CompanyPatch {
            employees: Patch::Clear,
            website: Patch::Set("https://n.example".into()),
            ..Default::default()
        };
        let body = serde_json::to_value(patch_request(&patch, &Settings::new()).unwrap()).unwrap();
        assert_eq!(body, serde_json::json!({"properties": {"website": "https://n.example", "numberofemployees": ""}}));
    }
}
