//! lead ⇄ Salesforce `Lead`.
//!
//! `Company` and `LastName` are required by Salesforce (the descriptor declares them, so a lead without
//! them fails before any call). `status` is `Status`, through the table below, which a connection can
//! override per unified status with the setting `leadStatus.<status>` (orgs add their own values).

use unified_core::FieldError;
use unified_core::connector::Settings;
use unified_core::resource::{Lead, LeadInput, LeadStatus, Text};

use super::contact::{Person, person_record};
use super::{AddressFields, LEAD_STATUS_SETTING_PREFIX, text, timestamp};
use crate::wire::{Fields, SObject};

pub const OBJECT: &str = "Lead";

/// A Lead's address fields.
pub const ADDRESS: AddressFields = AddressFields {
    street: "Street",
    city: "City",
    state: "State",
    state_code: "StateCode",
    postal_code: "PostalCode",
    country: "Country",
    country_code: "CountryCode",
};

/// Unified status → the default `Lead.Status` picklist. `new` and `open` are both "Open - Not
/// Contacted" (Salesforce has one untouched state); it reads back as `new`. `qualified` sets "Closed -
/// Converted" without converting the lead (`IsConverted` stays false; conversion is its own action).
const WRITE: [(LeadStatus, &str); 5] = [
    (LeadStatus::New, "Open - Not Contacted"),
    (LeadStatus::Open, "Open - Not Contacted"),
    (LeadStatus::InProgress, "Working - Contacted"),
    (LeadStatus::Qualified, "Closed - Converted"),
    (LeadStatus::Unqualified, "Closed - Not Converted"),
];

/// `Lead.Status` → unified status; a value of the org's own has no unified equivalent (`null`).
const READ: [(&str, LeadStatus); 4] = [
    ("Open - Not Contacted", LeadStatus::New),
    ("Working - Contacted", LeadStatus::InProgress),
    ("Closed - Converted", LeadStatus::Qualified),
    ("Closed - Not Converted", LeadStatus::Unqualified),
];

fn overridden(settings: &Settings, status: LeadStatus) -> Option<&str> {
    settings
        .get(&format!("{LEAD_STATUS_SETTING_PREFIX}{}", status.as_str()))
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
}

pub fn status_to_salesforce(status: LeadStatus, settings: &Settings) -> &str {
    overridden(settings, status)
        .or_else(|| WRITE.iter().find(|(s, _)| *s == status).map(|(_, v)| *v))
        .unwrap_or("Open - Not Contacted")
}

/// The connection's overrides first (picklist values are case-sensitive API values), then the table.
pub fn status_from_salesforce(value: &str, settings: &Settings) -> Option<LeadStatus> {
    LeadStatus::ALL
        .into_iter()
        .find(|s| overridden(settings, *s) == Some(value))
        .or_else(|| READ.iter().find(|(v, _)| *v == value).map(|(_, s)| *s))
}

/// `POST /sobjects/Lead/`.
pub fn create_request<'a>(input: &'a LeadInput, settings: &'a Settings) -> Result<Fields<'a>, Vec<FieldError>> {
    Person::from(input).fields(&ADDRESS, settings, |fields| {
        fields.set_text("Company", input.company.as_deref());
        if let Some(status) = input.status {
            fields.set("Status", status_to_salesforce(status, settings));
        }
    })
}

/// The unified lead from the stored Lead (owner name and e-mail are resolved by the connector).
pub fn to_lead(record: &SObject, settings: &Settings) -> Lead {
    let p = person_record(record, &ADDRESS, settings);
    let id = Text::from(record.id().unwrap_or_default());
    Lead {
        remote_id: id.clone(),
        id,
        first_name: p.first_name,
        last_name: p.last_name,
        email: p.email,
        phone: p.phone,
        company: text(record, "Company"),
        job_title: p.job_title,
        address: p.address,
        lifecycle_stage: p.lifecycle_stage,
        status: record.text("Status").and_then(|s| status_from_salesforce(s, settings)),
        owner_id: p.owner_id,
        owner_name: None,
        owner_email: None,
        tags: None,
        source: p.source,
        custom_fields: p.custom_fields,
        created_at: timestamp(record, "CreatedDate"),
        updated_at: timestamp(record, "LastModifiedDate"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_table() {
        let none = Settings::new();
        for status in LeadStatus::ALL {
            let value = status_to_salesforce(status, &none);
            let back = status_from_salesforce(value, &none).unwrap();
            // `open` has no value of its own: it is stored as the untouched state, which reads as `new`.
            let expected = if status == LeadStatus::Open { LeadStatus::New } else { status };
            assert_eq!(back, expected, "{value}");
        }
        assert_eq!(status_from_salesforce("Nurturing", &none), None);
        assert_eq!(status_from_salesforce("open - not contacted", &none), None, "picklist values are exact");
    }

    #[test]
    fn connection_overrides_win_both_ways() {
        let mut settings = Settings::new();
        settings.insert("leadStatus.qualified".into(), "SQL".into());
        settings.insert("leadStatus.open".into(), "Nurturing".into());
        assert_eq!(status_to_salesforce(LeadStatus::Qualified, &settings), "SQL");
        assert_eq!(status_from_salesforce("SQL", &settings), Some(LeadStatus::Qualified));
        assert_eq!(status_from_salesforce("Nurturing", &settings), Some(LeadStatus::Open));
        assert_eq!(status_from_salesforce("Closed - Converted", &settings), Some(LeadStatus::Qualified));
    }

    #[test]
    fn company_and_status_are_lead_fields() {
        let input: LeadInput = serde_json::from_str(
            r#"{"lastName":"Okafor","company":"Brightline","status":"in_progress","address":{"city":"Leeds"}}"#,
        )
        .unwrap();
        let body = serde_json::to_value(create_request(&input, &Settings::new()).unwrap()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"LastName": "Okafor", "City": "Leeds", "Company": "Brightline", "Status": "Working - Contacted"})
        );
        let record: SObject = serde_json::from_str(
            r#"{"Id":"00Q8c00001AbCdEEAV","LastName":"Okafor","Company":"Brightline","Status":"Working - Contacted","City":"Leeds"}"#,
        )
        .unwrap();
        let lead = to_lead(&record, &Settings::new());
        assert_eq!((lead.status, lead.company.as_deref()), (Some(LeadStatus::InProgress), Some("Brightline")));
    }
}
