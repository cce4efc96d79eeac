//! deal ⇄ Salesforce `Opportunity`.
//!
//! `StageName` and `CloseDate` are required by Salesforce (declared in the descriptor). `currency` is
//! `CurrencyIsoCode`, which only multi-currency orgs have (the connection setting `multiCurrency`).
//! `companyId` is `AccountId`; `contactIds` become `OpportunityContactRole`s after the create (the first
//! one primary), all or none.

use unified_core::FieldError;
use unified_core::connector::Settings;
use unified_core::resource::{Deal, DealInput, Text};

use super::{
    check_id, custom_fields, custom_record, multi_currency, number, prefix, read_fields as with_custom, text, timestamp,
};
use crate::wire::{Collection, CollectionRecord, Fields, SObject};

pub const OBJECT: &str = "Opportunity";

const MAPPED: &[&str] = &[
    "Id",
    "Name",
    "Amount",
    "StageName",
    "CloseDate",
    "Probability",
    "AccountId",
    "OwnerId",
    "LeadSource",
    "CreatedDate",
    "LastModifiedDate",
];

/// `POST /sobjects/Opportunity/`. The references are checked first: a contact id that is no Contact
/// would otherwise fail only after the opportunity exists.
pub fn create_request<'a>(input: &'a DealInput, settings: &'a Settings) -> Result<Fields<'a>, Vec<FieldError>> {
    let mut problems = Vec::new();
    for (i, id) in input.contact_ids.iter().flatten().enumerate() {
        check_id(&mut problems, format!("contactIds[{i}]"), id, prefix::CONTACT, "Contact");
    }
    if let Some(id) = input.company_id.as_deref() {
        check_id(&mut problems, "companyId".to_owned(), id, prefix::ACCOUNT, "Account");
    }
    let mut fields = Fields::with_capacity(12);
    fields.set_text("Name", input.name.as_deref());
    if let Some(amount) = input.amount {
        fields.set("Amount", number(amount));
    }
    if multi_currency(settings) {
        fields.set_text("CurrencyIsoCode", input.currency.as_deref());
    }
    fields.set_text("StageName", input.stage.as_deref());
    fields.set_text("CloseDate", input.close_date.as_deref());
    if let Some(probability) = input.probability {
        fields.set("Probability", number(probability));
    }
    fields.set_text("AccountId", input.company_id.as_deref());
    fields.set_text("OwnerId", input.owner_id.as_deref());
    fields.set_text("LeadSource", input.source.as_deref());
    custom_fields(&mut fields, input.custom_fields.as_ref(), &mut problems);
    if problems.is_empty() { Ok(fields) } else { Err(problems) }
}

/// `POST /composite/sobjects`: one contact role per contact, the first primary, all or none.
pub fn contact_roles<'a>(input: &'a DealInput, opportunity_id: &'a str) -> Option<Collection<'a>> {
    let records: Vec<CollectionRecord<'a>> = input
        .contact_ids
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, contact)| {
            let mut fields = Fields::with_capacity(3);
            fields.set("OpportunityId", opportunity_id);
            fields.set("ContactId", contact.as_str());
            fields.set("IsPrimary", i == 0);
            CollectionRecord::new("OpportunityContactRole", fields)
        })
        .collect();
    (!records.is_empty()).then_some(Collection { all_or_none: true, records })
}

/// `GET /sobjects/Opportunity/{id}?fields=…`.
pub fn read_request(input: &DealInput, settings: &Settings) -> Vec<String> {
    let mut names = MAPPED.to_vec();
    if multi_currency(settings) {
        names.push("CurrencyIsoCode");
    }
    with_custom(&names, None, input.custom_fields.as_ref())
}

/// The unified deal from the read-back. Contact roles are not on the record: the ones the create made
/// (all of them, or the create failed) are reported.
pub fn to_deal(record: &SObject, input: &DealInput, settings: &Settings) -> Deal {
    let id = Text::from(record.id().unwrap_or_default());
    Deal {
        remote_id: id.clone(),
        id,
        name: text(record, "Name"),
        amount: record.number("Amount"),
        currency: if multi_currency(settings) { text(record, "CurrencyIsoCode") } else { None },
        stage: text(record, "StageName"),
        pipeline: None,
        close_date: text(record, "CloseDate"),
        probability: record.number("Probability"),
        contact_ids: input.contact_ids.clone().filter(|ids| !ids.is_empty()),
        company_id: text(record, "AccountId"),
        owner_id: text(record, "OwnerId"),
        owner_name: None,
        owner_email: None,
        tags: None,
        source: text(record, "LeadSource"),
        custom_fields: custom_record(record, input.custom_fields.as_ref()),
        created_at: timestamp(record, "CreatedDate"),
        updated_at: timestamp(record, "LastModifiedDate"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> DealInput {
        serde_json::from_str(
            r#"{"name":"Pilot","amount":48000,"currency":"GBP","stage":"Qualification","closeDate":"2026-07-31",
                "probability":20,"contactIds":["0038c00002XyZ12AAF","0038c00002XyZ13AAF"],"companyId":"0018c00003QwErTAAR"}"#,
        )
        .unwrap()
    }

    #[test]
    fn fields_and_currency_only_in_multi_currency_orgs() {
        let input = input();
        let body = serde_json::to_value(create_request(&input, &Settings::new()).unwrap()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"Name": "Pilot", "Amount": 48000, "StageName": "Qualification", "CloseDate": "2026-07-31",
                "Probability": 20, "AccountId": "0018c00003QwErTAAR"})
        );
        let mut settings = Settings::new();
        settings.insert("multiCurrency".into(), "true".into());
        let body = serde_json::to_value(create_request(&input, &settings).unwrap()).unwrap();
        assert_eq!(body["CurrencyIsoCode"], "GBP");
        assert!(read_request(&input, &settings).iter().any(|f| f == "CurrencyIsoCode"));
    }

    #[test]
    fn references_must_be_ids_of_their_objects() {
        let mut input = input();
        input.contact_ids = Some(vec!["0038c00002XyZ12AAF".into(), "00Q8c00001AbCdEEAV".into()]);
        input.company_id = Some("Acme".into());
        let problems = create_request(&input, &Settings::new()).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["contactIds[1]", "companyId"]);
    }

    #[test]
    fn contact_roles_first_primary() {
        let input = input();
        let roles = serde_json::to_value(contact_roles(&input, "0068c00000PoIuYAAV").unwrap()).unwrap();
        assert_eq!(roles["allOrNone"], true);
        assert_eq!(roles["records"][0]["attributes"]["type"], "OpportunityContactRole");
        assert_eq!(
            (roles["records"][0]["IsPrimary"].as_bool(), roles["records"][1]["IsPrimary"].as_bool()),
            (Some(true), Some(false))
        );
        assert!(contact_roles(&DealInput::default(), "006").is_none());
    }
}
