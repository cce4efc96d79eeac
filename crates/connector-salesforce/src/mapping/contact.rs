//! contact ⇄ Salesforce `Contact`.
//!
//! A Contact has no text company: `companyId` is its `AccountId`; without one, `company` is the `Account`
//! of that name (found by the connector, or created when there is none) and `AccountId` points at it.
//! The record's `company` is the name of the account `AccountId` points at, `companyId` that id.
//! `source` is the `LeadSource` picklist; `lifecycleStage` goes to the custom field the connection's
//! `lifecycleField` names.

use unified_core::connector::Settings;
use unified_core::resource::{Address, Contact, ContactInput, CustomFields, LeadInput, LifecycleStage, Text};
use unified_core::{FieldError, Warning};

use super::{
    AddressFields, address_picklists, check_id, custom_fields, custom_record, lifecycle_field,
    lifecycle_from_salesforce, prefix, text, timestamp,
};
use crate::wire::{Fields, QueryResult, SObject};

pub const OBJECT: &str = "Contact";

/// The mailing address of a Contact.
pub const ADDRESS: AddressFields = AddressFields {
    street: "MailingStreet",
    city: "MailingCity",
    state: "MailingState",
    state_code: "MailingStateCode",
    postal_code: "MailingPostalCode",
    country: "MailingCountry",
    country_code: "MailingCountryCode",
};

/// The person fields shared by a unified contact and a unified lead.
#[derive(Debug, Clone, Copy, Default)]
pub struct Person<'a> {
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub job_title: Option<&'a str>,
    pub address: Option<&'a Address>,
    pub lifecycle_stage: Option<LifecycleStage>,
    pub owner_id: Option<&'a str>,
    pub source: Option<&'a str>,
    pub custom_fields: Option<&'a CustomFields>,
}

impl<'a> From<&'a ContactInput> for Person<'a> {
    fn from(i: &'a ContactInput) -> Self {
        Self {
            first_name: i.first_name.as_deref(),
            last_name: i.last_name.as_deref(),
            email: i.email.as_deref(),
            phone: i.phone.as_deref(),
            job_title: i.job_title.as_deref(),
            address: i.address.as_ref(),
            lifecycle_stage: i.lifecycle_stage,
            owner_id: i.owner_id.as_deref(),
            source: i.source.as_deref(),
            custom_fields: i.custom_fields.as_ref(),
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
            job_title: i.job_title.as_deref(),
            address: i.address.as_ref(),
            lifecycle_stage: i.lifecycle_stage,
            owner_id: i.owner_id.as_deref(),
            source: i.source.as_deref(),
            custom_fields: i.custom_fields.as_ref(),
        }
    }
}

impl<'a> Person<'a> {
    /// The person's fields on a Contact or a Lead (their address fields differ); `extra` runs before the
    /// custom fields, so that a custom field cannot overwrite what it sets.
    pub fn fields(
        &self,
        address: &AddressFields,
        settings: &'a Settings,
        extra: impl FnOnce(&mut Fields<'a>),
    ) -> Result<Fields<'a>, Vec<FieldError>> {
        let mut fields = Fields::with_capacity(20);
        fields.set_text("FirstName", self.first_name);
        fields.set_text("LastName", self.last_name);
        fields.set_text("Email", self.email);
        fields.set_text("Phone", self.phone);
        fields.set_text("Title", self.job_title);
        address.write(&mut fields, self.address, address_picklists(settings));
        fields.set_text("OwnerId", self.owner_id);
        fields.set_text("LeadSource", self.source);
        if let (Some(field), Some(stage)) = (lifecycle_field(settings), self.lifecycle_stage) {
            fields.set(field, stage.as_str());
        }
        extra(&mut fields);
        let mut problems = Vec::new();
        custom_fields(&mut fields, self.custom_fields, &mut problems);
        if problems.is_empty() { Ok(fields) } else { Err(problems) }
    }
}

/// The person fields of a returned Contact or Lead (their address fields differ): what Salesforce
/// stored, and nothing else.
pub fn person_record(record: &SObject, address: &AddressFields, settings: &Settings) -> PersonRecord {
    let lifecycle = lifecycle_field(settings);
    PersonRecord {
        first_name: text(record, "FirstName"),
        last_name: text(record, "LastName"),
        email: text(record, "Email"),
        phone: text(record, "Phone"),
        job_title: text(record, "Title"),
        address: address.record(record, address_picklists(settings)),
        lifecycle_stage: lifecycle.and_then(|field| record.text(field)).map(lifecycle_from_salesforce),
        owner_id: text(record, "OwnerId"),
        source: text(record, "LeadSource"),
        custom_fields: custom_record(record, lifecycle.as_slice()),
    }
}

/// The person fields of a returned record.
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
    pub source: Option<Text>,
    pub custom_fields: Option<CustomFields>,
}

/// `POST /sobjects/Contact/` for a unified contact: `companyId` is its `AccountId` (checked first); without
/// one the connector adds the account `company` names with [`set_account`].
pub fn create_request<'a>(input: &'a ContactInput, settings: &'a Settings) -> Result<Fields<'a>, Vec<FieldError>> {
    let mut problems = Vec::new();
    if let Some(id) = input.company_id.as_deref() {
        check_id(&mut problems, "companyId".to_owned(), id, prefix::ACCOUNT, "Account");
    }
    let fields = Person::from(input).fields(&ADDRESS, settings, |fields| {
        fields.set_text("AccountId", input.company_id.as_deref());
    });
    match fields {
        Ok(fields) if problems.is_empty() => Ok(fields),
        Ok(_) => Err(problems),
        Err(more) => Err(problems.into_iter().chain(more).collect()),
    }
}

/// The `company` to look the account up by: none when `companyId` names the account.
pub fn links_account_by_name(input: &ContactInput) -> Option<&str> {
    input.company.as_deref().filter(|_| input.company_id.is_none())
}

/// Points the contact at its account.
pub fn set_account(fields: &mut Fields<'_>, account_id: &str) {
    fields.set("AccountId", account_id.to_owned());
}

/// `POST /sobjects/Account/` for a `company` no account has: the name only.
pub fn account_request(company: &str) -> Fields<'_> {
    let mut fields = Fields::with_capacity(1);
    fields.set("Name", company);
    fields
}

/// The account a contact belongs to: its id and its name as Salesforce stored it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub name: String,
}

impl Account {
    /// An Account as Salesforce returns it (a query's record, or `GET /sobjects/Account/{id}`).
    pub fn from_record(record: &SObject) -> Option<Self> {
        Some(Self { id: record.id()?.to_owned(), name: record.text("Name").unwrap_or_default().to_owned() })
    }
}

/// What the account read asks for: `GET /sobjects/Account/{id}?fields=Id,Name`.
pub const ACCOUNT_FIELDS: &[&str] = &["Id", "Name"];

/// What the account query found: the oldest account of that name, and whether there were several.
pub fn account_match(result: &QueryResult) -> (Option<Account>, bool) {
    (result.records.first().and_then(Account::from_record), result.records.len() > 1)
}

/// The account the record points at (`AccountId`), when that is the one given.
pub fn linked_account<'a>(record: &SObject, account: Option<&'a Account>) -> Option<&'a Account> {
    let account_id = record.text("AccountId")?;
    account.filter(|a| a.id.eq_ignore_ascii_case(account_id))
}

/// A refused contact's `AccountId` errors name `company` (the account it looked up); with `companyId`
/// given, that is the field that set it.
pub fn name_account_errors(input: &ContactInput, details: &mut [FieldError]) {
    if input.company_id.is_some() {
        for detail in details.iter_mut().filter(|d| d.field == "company") {
            detail.field = "companyId".to_owned();
        }
    }
}

/// A `company` sent beside `companyId` links nothing (the id names the account): a warning when it is not
/// the name of that account.
pub fn unused_company(input: &ContactInput, account: Option<&Account>) -> Option<Warning> {
    let (company, _) = input.company.as_deref().zip(input.company_id.as_deref())?;
    if account.is_some_and(|a| a.name.trim().eq_ignore_ascii_case(company.trim())) {
        return None;
    }
    let named = account.map_or_else(String::new, |a| format!(" (named {})", a.name));
    Some(Warning::new(
        "company",
        format!("companyId sets the contact's account{named}; the company {company} was not used"),
    ))
}

/// The unified contact from the stored Contact and the account its `AccountId` points at (owner name and
/// e-mail are resolved by the connector). `company` is that account's name, `companyId` its id.
pub fn to_contact(record: &SObject, account: Option<&Account>, settings: &Settings) -> Contact {
    let p = person_record(record, &ADDRESS, settings);
    let company = linked_account(record, account).map(|a| Text::from(a.name.as_str()));
    let id = Text::from(record.id().unwrap_or_default());
    Contact {
        remote_id: id.clone(),
        id,
        first_name: p.first_name,
        last_name: p.last_name,
        email: p.email,
        phone: p.phone,
        company,
        job_title: p.job_title,
        address: p.address,
        lifecycle_stage: p.lifecycle_stage,
        company_id: text(record, "AccountId"),
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

    fn input(json: &str) -> ContactInput {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn every_field_goes_to_its_field() {
        let input = input(
            r#"{"firstName":"Jane","lastName":"Doe","email":"jane@example.com","phone":"+1","company":"Acme",
                "jobTitle":"VP","address":{"street":"1 Main","city":"SF","state":"CA","postalCode":"94105","country":"US"},
                "lifecycleStage":"customer","ownerId":"0058c00000AsDfGAAR","source":"Web","customFields":{"Loyalty_Score__c":3}}"#,
        );
        let mut settings = Settings::new();
        settings.insert("lifecycleField".into(), "Lifecycle_Stage__c".into());
        let mut fields = create_request(&input, &settings).unwrap();
        set_account(&mut fields, "0018c00003QwErTAAR");
        assert_eq!(
            serde_json::to_value(&fields).unwrap(),
            serde_json::json!({
                "FirstName": "Jane", "LastName": "Doe", "Email": "jane@example.com", "Phone": "+1", "Title": "VP",
                "MailingStreet": "1 Main", "MailingCity": "SF", "MailingState": "CA", "MailingPostalCode": "94105",
                "MailingCountry": "US", "OwnerId": "0058c00000AsDfGAAR", "LeadSource": "Web",
                "Lifecycle_Stage__c": "customer", "Loyalty_Score__c": 3, "AccountId": "0018c00003QwErTAAR"
            })
        );
    }

    #[test]
    fn company_id_is_the_account_id_and_must_be_an_account() {
        let linked = input(r#"{"lastName":"Doe","company":"Acme","companyId":"0018c00003QwErTAAR"}"#);
        assert_eq!(links_account_by_name(&linked), None, "companyId names the account");
        let settings = Settings::new();
        let fields = create_request(&linked, &settings).unwrap();
        assert_eq!(fields.get("AccountId"), Some(&serde_json::json!("0018c00003QwErTAAR")));
        let by_name = input(r#"{"lastName":"Doe","company":"Acme"}"#);
        assert_eq!(links_account_by_name(&by_name), Some("Acme"));
        let wrong = input(r#"{"lastName":"Doe","companyId":"0038c00002XyZ12AAF","customFields":{"a b":1}}"#);
        let problems = create_request(&wrong, &settings).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["companyId", "customFields.a b"]);

        let mut details = vec![FieldError::new("company", "invalid cross reference id")];
        name_account_errors(&by_name, &mut details);
        assert_eq!(details[0].field, "company");
        name_account_errors(&linked, &mut details);
        assert_eq!(details[0].field, "companyId");
    }

    #[test]
    fn a_company_beside_company_id_is_a_warning_unless_it_names_that_account() {
        let account = Account { id: "0018c00003QwErTAAR".into(), name: "Acme Corp".into() };
        let same = input(r#"{"lastName":"Doe","company":"acme corp","companyId":"0018c00003QwErTAAR"}"#);
        assert_eq!(unused_company(&same, Some(&account)), None);
        let other = input(r#"{"lastName":"Doe","company":"Globex","companyId":"0018c00003QwErTAAR"}"#);
        let warning = unused_company(&other, Some(&account)).unwrap();
        assert_eq!(warning.field, "company");
        assert!(warning.message.contains("named Acme Corp") && warning.message.contains("Globex"), "{warning:?}");
        assert_eq!(unused_company(&input(r#"{"lastName":"Doe","company":"Globex"}"#), None), None);
    }

    #[test]
    fn lifecycle_without_a_setting_is_not_written() {
        let input = input(r#"{"lastName":"Doe","lifecycleStage":"lead"}"#);
        let settings = Settings::new();
        let fields = create_request(&input, &settings).unwrap();
        assert_eq!(fields.0.len(), 1);
    }

    #[test]
    fn reads_the_record_back() {
        let record: SObject = serde_json::from_str(
            r#"{"attributes":{"type":"Contact"},"Id":"0038c00002XyZ12AAF","FirstName":null,"LastName":"Doe",
                "AccountId":"0018c00003QwErTAAR","MailingCity":"Leeds","Loyalty_Score__c":85.0,"VIP__c":null,
                "Lifecycle_Stage__c":"customer","Department":"Ops",
                "CreatedDate":"2026-05-14T09:31:02.000+0000","LastModifiedDate":"2026-05-14T09:31:03.000+0000"}"#,
        )
        .unwrap();
        let account = Account { id: "0018c00003QwErTAAR".into(), name: "Acme Corp".into() };
        let mut settings = Settings::new();
        settings.insert("lifecycleField".into(), "Lifecycle_Stage__c".into());
        let contact = to_contact(&record, Some(&account), &settings);
        assert_eq!((contact.id.as_str(), contact.remote_id.as_str()), ("0038c00002XyZ12AAF", "0038c00002XyZ12AAF"));
        assert_eq!(
            (contact.company.as_deref(), contact.company_id.as_deref()),
            (Some("Acme Corp"), Some("0018c00003QwErTAAR"))
        );
        assert_eq!(contact.first_name, None);
        assert_eq!(contact.address.unwrap().city.as_deref(), Some("Leeds"));
        assert_eq!(contact.lifecycle_stage, Some(LifecycleStage::Customer));
        assert_eq!(
            serde_json::Value::Object(contact.custom_fields.unwrap()),
            serde_json::json!({"Loyalty_Score__c": 85.0, "VIP__c": null}),
            "every custom field but the lifecycle one"
        );
        assert_eq!(contact.created_at.unwrap().to_string(), "2026-05-14T09:31:02.000Z");
        assert_eq!(contact.updated_at.unwrap().to_string(), "2026-05-14T09:31:03.000Z");

        let other = Account { id: "0018c00003QwErUAAR".into(), name: "Globex".into() };
        assert_eq!(to_contact(&record, Some(&other), &settings).company, None, "not the account it points at");
    }

    #[test]
    fn account_matches() {
        let result: QueryResult = serde_json::from_str(
            r#"{"totalSize":2,"done":true,"records":[{"attributes":{"type":"Account"},"Id":"001A","Name":"Acme"},
                {"attributes":{"type":"Account"},"Id":"001B","Name":"ACME"}]}"#,
        )
        .unwrap();
        assert_eq!(account_match(&result), (Some(Account { id: "001A".into(), name: "Acme".into() }), true));
        let none: QueryResult = serde_json::from_str(r#"{"totalSize":0,"done":true,"records":[]}"#).unwrap();
        assert_eq!(account_match(&none), (None, false));
    }
}
