//! deal ⇄ Salesforce `Opportunity`.
//!
//! `StageName` and `CloseDate` are required by Salesforce (declared in the descriptor). `currency` is
//! `CurrencyIsoCode`, which only multi-currency orgs have (the connection setting `multiCurrency`).
//! `companyId` is `AccountId`; `contactIds` become `OpportunityContactRole`s after the create (the first
//! one primary), all or none, and are read back from the roles Salesforce stores (the primary first).

use unified_core::FieldError;
use unified_core::connector::Settings;
use unified_core::resource::{Deal, DealInput, Text};

use super::{check_id, custom_fields, custom_record, multi_currency, number, prefix, text, timestamp};
use crate::wire::{Collection, CollectionRecord, Fields, QueryResult, SObject};

pub const OBJECT: &str = "Opportunity";

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

/// A contact role of an opportunity, as Salesforce stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRole {
    pub contact_id: Text,
    pub is_primary: bool,
}

/// The roles a query of `OpportunityContactRole` returned, in its order.
pub fn contact_roles_of(result: &QueryResult) -> Vec<ContactRole> {
    result
        .records
        .iter()
        .filter_map(|record| {
            let contact_id = text(record, "ContactId")?;
            let is_primary = record.value("IsPrimary").and_then(serde_json::Value::as_bool).unwrap_or(false);
            Some(ContactRole { contact_id, is_primary })
        })
        .collect()
}

/// `contactIds`: the primary contact first, then the others in the roles' order, each once.
fn contact_ids(roles: &[ContactRole]) -> Option<Vec<Text>> {
    let primary = roles.iter().filter(|r| r.is_primary);
    let mut ids: Vec<Text> = Vec::with_capacity(roles.len());
    for role in primary.chain(roles.iter().filter(|r| !r.is_primary)) {
        if !ids.contains(&role.contact_id) {
            ids.push(role.contact_id.clone());
        }
    }
    (!ids.is_empty()).then_some(ids)
}

/// The unified deal from the stored Opportunity and its contact roles (which are not on the record).
pub fn to_deal(record: &SObject, roles: &[ContactRole], settings: &Settings) -> Deal {
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
        contact_ids: contact_ids(roles),
        company_id: text(record, "AccountId"),
        owner_id: text(record, "OwnerId"),
        owner_name: None,
        owner_email: None,
        tags: None,
        source: text(record, "LeadSource"),
        custom_fields: custom_record(record, &[]),
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

    #[test]
    fn reads_the_opportunity_and_its_roles_back() {
        let record: SObject = serde_json::from_str(
            r#"{"Id":"0068c00000PoIuYAAV","Name":"Pilot","Amount":48000.0,"StageName":"Qualification",
                "CloseDate":"2026-07-31","Probability":20.0,"AccountId":"0018c00003QwErTAAR","CurrencyIsoCode":"GBP",
                "Region__c":"EMEA","NextStep":"Call"}"#,
        )
        .unwrap();
        let roles: QueryResult = serde_json::from_str(
            r#"{"totalSize":3,"done":true,"records":[
                {"Id":"00K1","ContactId":"0038c00002XyZ13AAF","IsPrimary":false},
                {"Id":"00K2","ContactId":"0038c00002XyZ12AAF","IsPrimary":true},
                {"Id":"00K3","ContactId":"0038c00002XyZ13AAF","IsPrimary":false}]}"#,
        )
        .unwrap();
        let deal = to_deal(&record, &contact_roles_of(&roles), &Settings::new());
        assert_eq!(deal.contact_ids.unwrap(), ["0038c00002XyZ12AAF", "0038c00002XyZ13AAF"], "primary first, once");
        assert_eq!((deal.amount, deal.currency), (Some(48000.0), None), "no currency in a single-currency org");
        assert_eq!(deal.company_id.as_deref(), Some("0018c00003QwErTAAR"));
        assert_eq!(serde_json::Value::Object(deal.custom_fields.unwrap()), serde_json::json!({"Region__c": "EMEA"}));
        assert_eq!(to_deal(&record, &[], &Settings::new()).contact_ids, None);
    }
}
