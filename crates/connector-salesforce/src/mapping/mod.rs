//! Pure mapping between unified resources and Salesforce records: no I/O, no clock, no randomness.
//!
//! One file per resource; this module holds what they share: the connection settings, custom fields,
//! the lifecycle field, addresses, ids, timestamps and the owner. [`soql`] builds the queries (and
//! escapes their literals); [`fields`] maps Salesforce field names back to unified ones for errors.

pub mod contact;
pub mod deal;
pub mod fields;
pub mod lead;
pub mod meeting;
pub mod owner;
pub mod soql;

use std::borrow::Cow;

use serde_json::Value;
use unified_core::FieldError;
use unified_core::connector::Settings;
use unified_core::resource::{Address, CustomFields, LifecycleStage, Text};
use unified_core::time::Timestamp;

use crate::wire::{Fields, SObject};

/// Names the custom field (`Lifecycle_Stage__c`) that holds `lifecycleStage`: Salesforce has none.
pub const LIFECYCLE_SETTING: &str = "lifecycleField";
/// `true` in multi-currency orgs: `currency` goes to `CurrencyIsoCode`, a field single-currency orgs lack.
pub const MULTI_CURRENCY_SETTING: &str = "multiCurrency";
/// `true` when the org has State and Country/Territory Picklists: ISO codes go to the `…Code` fields.
pub const ADDRESS_PICKLISTS_SETTING: &str = "stateCountryPicklists";
/// `leadStatus.<unified status>` = an org's own `Lead.Status` value, overriding the default table.
pub const LEAD_STATUS_SETTING_PREFIX: &str = "leadStatus.";

/// Key prefixes of the record ids the connector writes or checks.
pub mod prefix {
    pub const ACCOUNT: &str = "001";
    pub const CONTACT: &str = "003";
    pub const USER: &str = "005";
    pub const OPPORTUNITY: &str = "006";
    pub const QUEUE: &str = "00G";
    pub const LEAD: &str = "00Q";
    pub const EVENT: &str = "00U";
}

fn setting<'a>(settings: &'a Settings, key: &str) -> Option<&'a str> {
    settings.get(key).map(String::as_str).map(str::trim).filter(|v| !v.is_empty())
}

fn flag(settings: &Settings, key: &str) -> bool {
    setting(settings, key).is_some_and(|v| !v.eq_ignore_ascii_case("false"))
}

/// The custom field named by `lifecycleField`, when the connection sets one.
pub fn lifecycle_field(settings: &Settings) -> Option<&str> {
    setting(settings, LIFECYCLE_SETTING)
}

pub fn multi_currency(settings: &Settings) -> bool {
    flag(settings, MULTI_CURRENCY_SETTING)
}

pub fn address_picklists(settings: &Settings) -> bool {
    flag(settings, ADDRESS_PICKLISTS_SETTING)
}

/// The unified value is written as is; a value that is no unified stage reads back as `other`.
pub fn lifecycle_from_salesforce(value: &str) -> LifecycleStage {
    LifecycleStage::from_unified(&value.trim().to_ascii_lowercase()).unwrap_or(LifecycleStage::Other)
}

/// A Salesforce field API name: a letter, then letters, digits and underscores (`Loyalty_Score__c`,
/// `acme__Tier__c`, `MobilePhone`). Anything else could not be a field, and would break the `fields=`
/// list of the read-back.
pub fn is_api_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.ends_with('_')
        && name.len() <= 80
}

/// Writes `customFields` by their API names, with their JSON types (Salesforce takes numbers, booleans
/// and `null` as such); a list becomes a multi-select picklist value (`"A;B"`).
pub fn custom_fields<'a>(fields: &mut Fields<'a>, custom: Option<&'a CustomFields>, problems: &mut Vec<FieldError>) {
    for (name, value) in custom.into_iter().flatten() {
        let field = || format!("customFields.{name}");
        if !is_api_name(name) {
            problems.push(FieldError::new(
                field(),
                "is not a Salesforce field API name (letters, digits and underscores, such as Loyalty_Score__c)",
            ));
            continue;
        }
        if fields.contains(name) {
            problems.push(FieldError::new(field(), "is a field that a unified field already sets"));
            continue;
        }
        match field_value(value) {
            Some(value) => fields.set(Cow::Borrowed(name.as_str()), value),
            None => problems.push(FieldError::new(
                field(),
                "must be a string, number, boolean, null or a list of strings (a multi-select picklist)",
            )),
        }
    }
}

fn field_value(value: &Value) -> Option<Value> {
    match value {
        Value::Array(items) => {
            let parts: Option<Vec<String>> = items
                .iter()
                .map(|item| match item {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    Value::Bool(b) => Some(b.to_string()),
                    _ => None,
                })
                .collect();
            Some(Value::String(parts?.join(";")))
        }
        Value::Object(_) => None,
        other => Some(other.clone()),
    }
}

/// A custom field's API name: `Loyalty_Score__c`, `acme__Tier__c` (Salesforce's names end in `__c`).
pub fn is_custom_field(name: &str) -> bool {
    let name = name.as_bytes();
    name.len() > 3 && name[name.len() - 3..].eq_ignore_ascii_case(b"__c")
}

/// The record's `customFields`: every custom field the record carries, except those a unified field
/// maps (`mapped`, such as the lifecycle field), as Salesforce stored them (`null` when unset). Standard
/// fields written through `customFields` (`Department`) are not among them: `remoteData` has them.
pub fn custom_record(record: &SObject, mapped: &[&str]) -> Option<CustomFields> {
    let custom: CustomFields = record
        .fields
        .iter()
        .filter(|(name, _)| is_custom_field(name) && !mapped.iter().any(|m| m.eq_ignore_ascii_case(name)))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    (!custom.is_empty()).then_some(custom)
}

/// A JSON number, integral when it is (`48000`, not `48000.0`).
pub fn number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9_007_199_254_740_992.0 {
        Value::from(value as i64)
    } else {
        Value::from(value)
    }
}

/// A text field as an owned unified value.
pub fn text(record: &SObject, name: &str) -> Option<Text> {
    record.text(name).map(Text::from)
}

/// `CreatedDate`, `LastModifiedDate`, `StartDateTime`: `2026-05-14T09:31:02.000+0000` on the wire.
pub fn timestamp(record: &SObject, name: &str) -> Option<Timestamp> {
    record.text(name).and_then(Timestamp::parse)
}

/// Salesforce's datetime form for what it stores: UTC with milliseconds.
pub fn utc(field: &str, value: Option<&str>, problems: &mut Vec<FieldError>) -> Option<String> {
    let value = value?;
    match Timestamp::parse(value) {
        Some(t) => Some(t.to_string()),
        None => {
            problems.push(FieldError::new(field, "must be an RFC 3339 date-time"));
            None
        }
    }
}

/// A 15- or 18-character Salesforce id with this key prefix.
pub fn is_id(id: &str, key_prefix: &str) -> bool {
    matches!(id.len(), 15 | 18) && id.bytes().all(|b| b.is_ascii_alphanumeric()) && id.starts_with(key_prefix)
}

/// A unified reference that must be a record of one object (`contactIds` are Contacts, `003…`).
pub fn check_id(problems: &mut Vec<FieldError>, field: String, id: &str, key_prefix: &str, object: &str) {
    if !is_id(id, key_prefix) {
        problems.push(FieldError::new(
            field,
            format!("is not a Salesforce {object} id (15 or 18 characters starting with {key_prefix})"),
        ));
    }
}

/// The address field names of one object: `Mailing…` on a Contact, bare on a Lead.
#[derive(Debug, Clone, Copy)]
pub struct AddressFields {
    pub street: &'static str,
    pub city: &'static str,
    pub state: &'static str,
    pub state_code: &'static str,
    pub postal_code: &'static str,
    pub country: &'static str,
    pub country_code: &'static str,
}

/// A country value that is an ISO 3166-1 alpha-2 code (`US`), as the country picklist's codes are.
fn is_country_code(value: &str) -> bool {
    value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase())
}

/// A state value that is a subdivision code (`CA`, `NSW`, `07`).
fn is_state_code(value: &str) -> bool {
    (1..=3).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

impl AddressFields {
    /// With the org's State and Country/Territory Picklists on, a code goes to the `…Code` field and a
    /// full name to the name field (the picklist matches it); without them both are plain text.
    pub fn write<'a>(&self, fields: &mut Fields<'a>, address: Option<&'a Address>, picklists: bool) {
        let Some(a) = address else { return };
        fields.set_text(self.street, a.street.as_deref());
        fields.set_text(self.city, a.city.as_deref());
        if let Some(state) = a.state.as_deref() {
            let name = if picklists && is_state_code(state) { self.state_code } else { self.state };
            fields.set(name, state);
        }
        fields.set_text(self.postal_code, a.postal_code.as_deref());
        if let Some(country) = a.country.as_deref() {
            let name = if picklists && is_country_code(country) { self.country_code } else { self.country };
            fields.set(name, country);
        }
    }

    /// The stored address. With the picklists on, Salesforce keeps a state and a country both as a code
    /// and as a name whichever was written: the record reports the ISO codes (stable, where an org may
    /// rename its picklist values), or the name where there is no code.
    pub fn record(&self, record: &SObject, picklists: bool) -> Option<Address> {
        let coded = |code: &str, name: &str| {
            if picklists { text(record, code).or_else(|| text(record, name)) } else { text(record, name) }
        };
        Address {
            street: text(record, self.street),
            city: text(record, self.city),
            state: coded(self.state_code, self.state),
            postal_code: text(record, self.postal_code),
            country: coded(self.country_code, self.country),
        }
        .non_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_values_round_trip_and_unknown_is_other() {
        for stage in LifecycleStage::ALL {
            assert_eq!(lifecycle_from_salesforce(stage.as_str()), stage);
        }
        assert_eq!(lifecycle_from_salesforce("Customer"), LifecycleStage::Customer);
        assert_eq!(lifecycle_from_salesforce("Prospect"), LifecycleStage::Other);
    }

    #[test]
    fn custom_values_keep_their_types() {
        let custom: CustomFields = serde_json::from_str(
            r#"{"Loyalty_Score__c": 85, "VIP__c": true, "Interests__c": ["Solar", "Wind"], "Note__c": "x", "Gone__c": null}"#,
        )
        .unwrap();
        let mut fields = Fields::default();
        let mut problems = Vec::new();
        custom_fields(&mut fields, Some(&custom), &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(fields.get("Loyalty_Score__c"), Some(&Value::from(85)));
        assert_eq!(fields.get("VIP__c"), Some(&Value::Bool(true)));
        assert_eq!(fields.get("Interests__c"), Some(&Value::from("Solar;Wind")));
        assert_eq!(fields.get("Gone__c"), Some(&Value::Null));
    }

    #[test]
    fn bad_names_objects_and_collisions_are_field_errors() {
        let custom: CustomFields =
            serde_json::from_str(r#"{"lastname": "x", "Nested__c": {"a": 1}, "Bad Name": 1, "a,b": 2}"#).unwrap();
        let mut fields = Fields::default();
        fields.set("LastName", "Doe");
        let mut problems = Vec::new();
        custom_fields(&mut fields, Some(&custom), &mut problems);
        let named: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            named,
            ["customFields.Bad Name", "customFields.Nested__c", "customFields.a,b", "customFields.lastname"]
        );
    }

    #[test]
    fn api_names() {
        for good in ["Loyalty_Score__c", "acme__Tier__c", "MobilePhone", "X1"] {
            assert!(is_api_name(good), "{good}");
        }
        for bad in ["", "1st__c", "_x", "Name__", "a b", "Id,Email", "x'y"] {
            assert!(!is_api_name(bad), "{bad}");
        }
    }

    #[test]
    fn ids() {
        assert!(is_id("0038c00002XyZ12AAF", prefix::CONTACT));
        assert!(is_id("0038c00002XyZ12", prefix::CONTACT));
        assert!(!is_id("0068c00002XyZ12AAF", prefix::CONTACT));
        assert!(!is_id("003-8c00002XyZ1", prefix::CONTACT));
    }

    #[test]
    fn custom_fields_are_every_unmapped_custom_field_of_the_record() {
        let record: SObject = serde_json::from_str(
            r#"{"Id":"003","LastName":"Doe","Department":"Ops","Loyalty_Score__c":85.0,"VIP__c":null,
                "acme__Tier__C":"Gold","lifecycle_stage__c":"lead"}"#,
        )
        .unwrap();
        let custom = custom_record(&record, &["Lifecycle_Stage__c"]).unwrap();
        assert_eq!(
            Value::Object(custom),
            serde_json::json!({"Loyalty_Score__c": 85.0, "VIP__c": null, "acme__Tier__C": "Gold"})
        );
        let standard: SObject = serde_json::from_str(r#"{"Id":"003","LastName":"Doe","Name__c_x":1}"#).unwrap();
        assert_eq!(custom_record(&standard, &[]), None);
        assert!(is_custom_field("X__c") && !is_custom_field("__c") && !is_custom_field("Account"));
        assert!(!is_custom_field("\u{fd41}&."), "any text, byte-wise");
    }

    const MAILING: AddressFields = contact::ADDRESS;

    #[test]
    fn addresses_with_and_without_picklists() {
        let address = Address {
            street: Some("1 Main".into()),
            state: Some("CA".into()),
            country: Some("United States".into()),
            ..Address::default()
        };
        let mut text = Fields::default();
        MAILING.write(&mut text, Some(&address), false);
        let names: Vec<&str> = text.0.iter().map(|(n, _)| n.as_ref()).collect();
        assert_eq!(names, ["MailingStreet", "MailingState", "MailingCountry"]);
        let mut coded = Fields::default();
        MAILING.write(&mut coded, Some(&address), true);
        let names: Vec<&str> = coded.0.iter().map(|(n, _)| n.as_ref()).collect();
        assert_eq!(names, ["MailingStreet", "MailingStateCode", "MailingCountry"]);

        let stored: SObject = serde_json::from_str(
            r#"{"MailingStreet":"1 Main","MailingState":"California","MailingStateCode":"CA",
                "MailingCountry":"United States","MailingCountryCode":"US"}"#,
        )
        .unwrap();
        let read = MAILING.record(&stored, true).unwrap();
        assert_eq!((read.state.as_deref(), read.country.as_deref()), (Some("CA"), Some("US")), "the codes");
        let read = MAILING.record(&stored, false).unwrap();
        assert_eq!((read.state.as_deref(), read.country.as_deref()), (Some("California"), Some("United States")));
        let uncoded: SObject =
            serde_json::from_str(r#"{"MailingState":"Bavaria","MailingStateCode":null,"MailingCountryCode":"DE"}"#)
                .unwrap();
        let read = MAILING.record(&uncoded, true).unwrap();
        assert_eq!(
            (read.state.as_deref(), read.country.as_deref()),
            (Some("Bavaria"), Some("DE")),
            "no code: the name"
        );
    }
}
