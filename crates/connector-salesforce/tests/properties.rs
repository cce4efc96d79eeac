//! Property tests: the mapping never panics, whatever the input or the answer; and what it writes, once
//! Salesforce (the emulator) has stored it and the connector has read it back (`GET /sobjects/…`), maps
//! back to the same unified values, field by field, for every field the descriptor says Salesforce stores
//! natively.

use std::sync::atomic::{AtomicUsize, Ordering};

use connector_salesforce::DESCRIPTOR;
use connector_salesforce::emulator::schema::{API_USER, COUNTRIES, STAGES, US_STATES, USERS_SEED, stage_probability};
use connector_salesforce::emulator::{Emulator, ids};
use connector_salesforce::mapping::contact::Account;
use connector_salesforce::mapping::owner::{self, OwnerKind};
use connector_salesforce::mapping::{self as sf, contact, deal, fields, lead, meeting, soql};
use connector_salesforce::wire::{CollectionError, CollectionResult, QueryResult, SObject};
use proptest::prelude::*;
use serde_json::{Value, json};
use unified_core::connector::{Call, Settings};
use unified_core::descriptor::Storage;
use unified_core::resource::{
    Address, Attendee, ContactInput, CustomFields, DealInput, LeadInput, LeadStatus, LifecycleStage, MeetingInput,
    ResourceKind, Text, UnifiedRecord,
};
use unified_core::transport::{Credentials, ProviderClient};
use unified_core::{UnifiedInput, pipeline};

fn any_text() -> impl Strategy<Value = Option<Text>> {
    proptest::option::of(any::<String>().prop_map(Text::from))
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map(any::<String>(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Field names: arbitrary, or ones the mapping knows (so that arbitrary values reach the mapped fields).
fn any_field_name() -> impl Strategy<Value = String> {
    const KNOWN: &[&str] = &[
        "Id",
        "FirstName",
        "LastName",
        "Email",
        "Phone",
        "Title",
        "Company",
        "Status",
        "OwnerId",
        "LeadSource",
        "AccountId",
        "Name",
        "Amount",
        "StageName",
        "CloseDate",
        "Probability",
        "CurrencyIsoCode",
        "Subject",
        "Description",
        "StartDateTime",
        "EndDateTime",
        "Location",
        "WhoId",
        "WhatId",
        "CreatedDate",
        "LastModifiedDate",
        "MailingStreet",
        "MailingCity",
        "MailingState",
        "MailingStateCode",
        "MailingPostalCode",
        "MailingCountry",
        "MailingCountryCode",
        "Street",
        "City",
        "State",
        "StateCode",
        "PostalCode",
        "Country",
        "CountryCode",
        "Lifecycle_Stage__c",
        "Loyalty_Score__c",
        "Interests__c",
        "lastname",
        "Bad Name",
        "",
    ];
    prop_oneof![proptest::sample::select(KNOWN).prop_map(str::to_owned), any::<String>()]
}

fn any_custom() -> impl Strategy<Value = Option<CustomFields>> {
    proptest::option::of(
        proptest::collection::btree_map(any_field_name(), any_json(), 0..5).prop_map(|m| m.into_iter().collect()),
    )
}

/// Arbitrary text, or something shaped like a Salesforce id (`003…`), so that both paths are taken.
fn any_id() -> impl Strategy<Value = Text> {
    prop_oneof![any::<String>(), "00[136GQU][A-Za-z0-9]{12}([A-Za-z0-9]{3})?"].prop_map(Text::from)
}

/// Arbitrary text, or something shaped like an RFC 3339 time (valid or not quite).
fn any_time() -> impl Strategy<Value = Option<Text>> {
    proptest::option::of(
        prop_oneof![
            any::<String>(),
            concat!(
                "(19|20)[0-9]{2}-(0[0-9]|1[0-3])-[0-3][0-9]T[0-2][0-9]:[0-6][0-9]:[0-5][0-9]",
                "(\\.[0-9]{1,9})?(Z|[+-][01][0-9]:?[0-5][0-9])"
            ),
        ]
        .prop_map(Text::from),
    )
}

fn any_settings() -> impl Strategy<Value = Settings> {
    let value = || proptest::option::of(prop_oneof![any::<String>(), Just("Lifecycle_Stage__c".to_owned())]);
    let flag = || proptest::option::of(prop_oneof![any::<String>(), Just("true".to_owned()), Just("false".to_owned())]);
    (value(), flag(), flag(), proptest::option::of(any::<String>())).prop_map(
        |(lifecycle, picklists, currency, status)| {
            let mut settings = Settings::new();
            let entries = [
                ("lifecycleField", lifecycle),
                ("stateCountryPicklists", picklists),
                ("multiCurrency", currency),
                ("leadStatus.qualified", status),
            ];
            for (key, value) in entries {
                if let Some(value) = value {
                    settings.insert(key.to_owned(), value);
                }
            }
            settings
        },
    )
}

prop_compose! {
    fn any_contact()(first_name in any_text(), last_name in any_text(), email in any_text(), phone in any_text(),
                     company in any_text(), job_title in any_text(), street in any_text(), city in any_text(),
                     state in any_text(), postal_code in any_text(), country in any_text(),
                     stage in proptest::option::of(proptest::sample::select(LifecycleStage::ALL.to_vec())),
                     company_id in proptest::option::of(any_id()),
                     owner_id in proptest::option::of(any_id()), source in any_text(),
                     custom_fields in any_custom()) -> ContactInput {
        let address = Some(Address { street, city, state, postal_code, country });
        ContactInput { first_name, last_name, email, phone, company, job_title, address, lifecycle_stage: stage,
                       company_id, owner_id, tags: None, source, custom_fields }
    }
}

prop_compose! {
    fn any_deal()(name in any_text(), amount in proptest::option::of(any::<f64>()), currency in any_text(),
                  stage in any_text(), close_date in any_text(), probability in proptest::option::of(any::<f64>()),
                  contact_ids in proptest::option::of(proptest::collection::vec(any_id(), 0..3)),
                  company_id in proptest::option::of(any_id()), owner_id in proptest::option::of(any_id()),
                  source in any_text(), custom_fields in any_custom()) -> DealInput {
        DealInput { name, amount, currency, stage, pipeline: None, close_date, probability, contact_ids, company_id,
                    owner_id, tags: None, source, custom_fields }
    }
}

prop_compose! {
    fn any_meeting()(title in any_text(), description in any_text(), start_time in any_time(), end_time in any_time(),
                     location in any_text(),
                     attendees in proptest::option::of(proptest::collection::vec(
                         (any_text(), any_text()).prop_map(|(email, name)| Attendee { email, name }), 0..4)),
                     contact_ids in proptest::option::of(proptest::collection::vec(any_id(), 0..4)),
                     deal_id in proptest::option::of(any_id()), owner_id in proptest::option::of(any_id()),
                     custom_fields in any_custom()) -> MeetingInput {
        MeetingInput { title, description, start_time, end_time, location, attendees, contact_ids, deal_id, owner_id,
                       tags: None, source: None, custom_fields }
    }
}

/// A record as Salesforce could answer it: known and unknown field names, any JSON values.
fn any_record() -> impl Strategy<Value = SObject> {
    proptest::collection::btree_map(any_field_name(), any_json(), 0..16).prop_map(|fields| SObject {
        attributes: None,
        fields: fields.into_iter().filter(|(name, _)| name != "attributes").collect(),
    })
}

fn any_results() -> impl Strategy<Value = Vec<CollectionResult>> {
    let error = (any::<String>(), any::<String>(), proptest::collection::vec(any::<String>(), 0..2))
        .prop_map(|(status_code, message, fields)| CollectionError { status_code, message, fields });
    let result = (proptest::option::of(any::<String>()), any::<bool>(), proptest::collection::vec(error, 0..2))
        .prop_map(|(id, success, errors)| CollectionResult { id, success, errors });
    proptest::collection::vec(result, 0..6)
}

/// An error body: arbitrary bytes, or Salesforce's array of errors with arbitrary contents.
fn any_error_body() -> impl Strategy<Value = Vec<u8>> {
    const CODES: &[&str] = &[
        "INVALID_SESSION_ID",
        "REQUEST_LIMIT_EXCEEDED",
        "DUPLICATES_DETECTED",
        "INVALID_FIELD",
        "REQUIRED_FIELD_MISSING",
        "MALFORMED_ID",
        "",
    ];
    let error = (any::<String>(), proptest::sample::select(CODES), proptest::collection::vec(any::<String>(), 0..3))
        .prop_map(|(message, code, fields)| json!({"message": message, "errorCode": code, "fields": fields}));
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..64),
        proptest::collection::vec(error, 0..3).prop_map(|errors| serde_json::to_vec(&errors).unwrap()),
        any_json().prop_map(|v| serde_json::to_vec(&v).unwrap()),
    ]
}

proptest! {
    /// Pure mapping over arbitrary inputs (validation bypassed) and arbitrary answers: an answer or field
    /// errors, never a panic.
    // The strategies are boxed: unboxed, their value trees are large enough to overflow a test thread's
    // stack in a debug build.
    #[test]
    fn mapping_never_panics(
        input in any_contact().boxed(),
        settings in any_settings().boxed(),
        status in proptest::option::of(proptest::sample::select(LeadStatus::ALL.to_vec())),
        deal_input in any_deal().boxed(),
        meeting_input in any_meeting().boxed(),
        record in any_record().boxed(),
        found in proptest::collection::vec(any_record().boxed(), 0..4),
        results in any_results().boxed(),
        error_status in any::<u16>(),
        error_body in any_error_body().boxed(),
        text in any::<String>(),
    ) {
        // What the client would send: the bodies serialize too.
        if let Ok(body) = contact::create_request(&input, &settings) {
            let _ = serde_json::to_vec(&body);
        }
        let account = Account { id: text.clone(), name: text.clone() };
        let _ = contact::to_contact(&record, Some(&account), &settings);
        let _ = Account::from_record(&record);
        let _ = contact::unused_company(&input, Some(&account));
        let _ = contact::account_request(&text);
        let query = QueryResult { total_size: found.len() as u64, done: true, next_records_url: None, records: found };
        let _ = contact::account_match(&query);

        let mut as_json = serde_json::to_value(&input).unwrap();
        as_json.as_object_mut().unwrap().remove("companyId");
        let mut as_lead: LeadInput = serde_json::from_value(as_json).unwrap();
        as_lead.status = status;
        if let Ok(body) = lead::create_request(&as_lead, &settings) {
            let _ = serde_json::to_vec(&body);
        }
        let _ = lead::to_lead(&record, &settings);
        let _ = lead::status_from_salesforce(&text, &settings);

        if let Ok(body) = deal::create_request(&deal_input, &settings) {
            let _ = serde_json::to_vec(&body);
        }
        if let Some(roles) = deal::contact_roles(&deal_input, &text) {
            let _ = serde_json::to_vec(&roles);
        }
        let roles = deal::contact_roles_of(&query);
        let _ = deal::to_deal(&record, &roles, &settings);
        let _ = soql::contact_roles(&text);

        if let Ok(body) = meeting::create_request(&meeting_input) {
            let _ = serde_json::to_vec(&body);
        }
        let emails = meeting::attendee_emails(&meeting_input);
        let _ = soql::contacts_by_email(&emails);
        let _ = soql::leads_by_email(&emails);
        let matched = meeting::matches(&query);
        let relations = meeting::relations(&meeting_input, &text, &matched);
        if let Some(collection) = &relations.collection {
            let _ = serde_json::to_vec(collection);
        }
        let related = meeting::related(&relations.planned, &results);
        let _ = meeting::to_meeting(&record, &related.relations);

        let kind = OwnerKind::of(&text);
        let _ = owner::owner(kind, &record);
        let _ = fields::unified_field(Some(&text), &text);
        let _ = fields::unified_field(None, &text);
        let _ = sf::lifecycle_from_salesforce(&text);
        let _ = connector_salesforce::parse_error(error_status, &error_body);

        // SOQL literals: whatever the text, the literal reads back as that text.
        let literal = soql::literal(&text);
        prop_assert_eq!(soql::unescape(&literal[1..literal.len() - 1]), Some(text.clone()));
        let _ = soql::account_by_name(&text);
    }
}

// ---------------------------------------------------------------------------------------------------
// Round trips through the emulator.

fn word() -> BoxedStrategy<String> {
    prop_oneof!["[A-Za-z][a-z]{0,12}", "[A-ZÀ-Ý][a-zà-ÿ]{1,10}", "[A-Z][a-z]{1,8} [A-Z][a-z]{1,8}"].boxed()
}

fn some_word() -> BoxedStrategy<Option<Text>> {
    proptest::option::of(word().prop_map(Text::from)).boxed()
}

/// A name as people and companies have them: a word, or one with an apostrophe (`O'Brien`), or a company
/// name with punctuation (`Smith & Sons`, `A/B "Nord"`, `Back \ Slash`), which the SOQL account query
/// must escape.
fn name() -> BoxedStrategy<String> {
    prop_oneof![
        3 => word(),
        1 => "[A-Z]'[A-Z][a-z]{1,8}",
        1 => "[A-Z][a-z]{1,8} (&|\\+|/|\\\\|\"|%|_|-) [A-Z][a-z]{1,8}",
        1 => "[A-Z][a-z]{1,8}, (Inc|Ltd|GmbH)\\.",
    ]
    .boxed()
}

fn some_name() -> BoxedStrategy<Option<Text>> {
    proptest::option::of(name().prop_map(Text::from)).boxed()
}

/// A phone number as people write them.
fn phone() -> BoxedStrategy<Option<String>> {
    proptest::option::of(prop_oneof!["\\+[1-9][0-9]{6,12}", "\\+[1-9][0-9]{0,2} \\([0-9]{3}\\) [0-9]{3}-[0-9]{4}"])
        .boxed()
}

/// The org's active users, as 18-character ids (Casey Nguyen is inactive: Salesforce refuses him).
fn active_user() -> BoxedStrategy<Text> {
    let users: Vec<Text> = USERS_SEED.iter().filter(|u| u.active).map(|u| Text::from(ids::to18(u.id))).collect();
    proptest::sample::select(users).boxed()
}

/// `LeadSource`: the default picklist values, or a free value (the picklist is unrestricted).
fn lead_source() -> BoxedStrategy<Option<Text>> {
    let listed = proptest::sample::select(vec!["Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"]);
    proptest::option::of(prop_oneof![listed.prop_map(Text::from), word().prop_map(Text::from)]).boxed()
}

/// A field API name as the caller may spell it: Salesforce's field names ignore case.
fn spelled(name: &'static str) -> impl Strategy<Value = String> {
    proptest::sample::select(vec![name.to_owned(), name.to_ascii_lowercase(), name.to_ascii_uppercase()])
}

/// Contact custom fields the emulated org has: `Loyalty_Score__c` (number), `Interests__c` (multi-select),
/// `VIP__c` (checkbox), and the standard `Department` and `MobilePhone`.
fn contact_custom() -> BoxedStrategy<Option<CustomFields>> {
    let interests = proptest::sample::subsequence(vec!["Solar", "Storage", "Wind", "Hydro"], 1..=4);
    (
        proptest::option::of((
            spelled("Loyalty_Score__c"),
            prop_oneof![
                (0u32..=100).prop_map(Value::from),
                (0u32..10_000).prop_map(|c| Value::from(f64::from(c) / 100.0))
            ],
        )),
        proptest::option::of((spelled("Interests__c"), interests.prop_map(|i| json!(i)))),
        proptest::option::of((spelled("VIP__c"), any::<bool>().prop_map(Value::from))),
        proptest::option::of((spelled("Department"), word().prop_map(Value::from))),
        proptest::option::of((spelled("MobilePhone"), "\\+[1-9][0-9]{6,12}".prop_map(Value::from))),
    )
        .prop_map(|(a, b, c, d, e)| {
            let custom: CustomFields = [a, b, c, d, e].into_iter().flatten().collect();
            (!custom.is_empty()).then_some(custom)
        })
        .boxed()
}

/// A custom value as Salesforce stores it: numbers are doubles, a list is a multi-select value `A;B`
/// (README, "customFields").
fn as_stored(value: &Value) -> Value {
    match value {
        Value::Number(n) => n.as_f64().map_or(Value::Null, Value::from),
        Value::Array(items) => Value::from(
            items.iter().map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned)).collect::<Vec<_>>().join(";"),
        ),
        other => other.clone(),
    }
}

/// The record's `customFields` are the object's custom fields (`…__c`) as stored: each one the caller
/// wrote, whatever the caller's spelling, holds what was written; every other one is unset. Standard
/// fields written through `customFields` (`Department`) are not reported (README, "Field decisions").
fn custom_round_trips(sent: Option<&CustomFields>, got: Option<&CustomFields>, unmapped: &[&str]) -> bool {
    let got = got.cloned().unwrap_or_default();
    let sent: Vec<(&String, &Value)> = sent.into_iter().flatten().filter(|(k, _)| sf::is_custom_field(k)).collect();
    let written = |name: &str| sent.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| as_stored(v));
    let every_sent_is_there = sent.iter().all(|(k, _)| got.keys().any(|g| g.eq_ignore_ascii_case(k)));
    let names: Vec<&str> = got.keys().map(String::as_str).collect();
    every_sent_is_there
        && unmapped.iter().all(|u| names.contains(u))
        && got.iter().all(|(name, value)| *value == written(name).unwrap_or(Value::Null))
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A unique e-mail address, so that the standard duplicate rule (same e-mail and last name) never fires.
fn unique_email(local: &str, domain: &str) -> Text {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    Text::from(format!("{local}.{n}@{domain}"))
}

/// A unique e-mail address of an ordinary form.
fn email() -> BoxedStrategy<Text> {
    ("[a-z0-9][a-z0-9_+-]{0,15}", "[a-z][a-z0-9]{0,10}\\.(com|org|io|co\\.uk)")
        .prop_map(|(local, domain)| unique_email(&local, &domain))
        .boxed()
}

/// An address of any parts.
fn address() -> BoxedStrategy<Option<Address>> {
    (some_word(), some_word(), some_word(), proptest::option::of("[0-9]{5}"), some_word())
        .prop_map(|(street, city, state, postal_code, country)| {
            Address { street, city, state, postal_code: postal_code.map(Text::from), country }.non_empty()
        })
        .boxed()
}

/// An address in an org with State and Country/Territory Picklists: a country of the org's list, by its
/// ISO code or its name, and a state (code or name) only in the United States, the one country whose
/// states the org lists (Salesforce refuses a state without its country).
fn picklist_address() -> BoxedStrategy<Option<Address>> {
    let either = |list: &[(&str, &str)]| -> Vec<Text> {
        list.iter().flat_map(|(code, name)| [Text::from(*code), Text::from(*name)]).collect()
    };
    let others: Vec<Text> = either(&COUNTRIES.iter().copied().filter(|(code, _)| *code != "US").collect::<Vec<_>>());
    let american = (
        proptest::sample::select(vec![Text::from("US"), Text::from("United States")]),
        proptest::option::of(proptest::sample::select(either(US_STATES))),
    )
        .prop_map(|(country, state)| (Some(country), state));
    let elsewhere = proptest::option::of(proptest::sample::select(others)).prop_map(|country| (country, None));
    (some_word(), some_word(), proptest::option::of("[0-9]{5}"), prop_oneof![american, elsewhere])
        .prop_map(|(street, city, postal_code, (country, state))| {
            Address { street, city, state, postal_code: postal_code.map(Text::from), country }.non_empty()
        })
        .boxed()
}

prop_compose! {
    fn valid_contact(addresses: BoxedStrategy<Option<Address>>, account: Text)(first_name in some_word(), last_name in name(),
                       email in email(), phone in phone(), company in some_name(), job_title in some_word(),
                       company_id in proptest::option::of(Just(account.clone())),
                       address in addresses,
                       stage in proptest::option::of(proptest::sample::select(LifecycleStage::ALL.to_vec())),
                       owner_id in proptest::option::of(active_user()), source in lead_source(),
                       custom_fields in contact_custom()) -> ContactInput {
        ContactInput {
            first_name, last_name: Some(Text::from(last_name)), email: Some(email), phone: phone.map(Text::from),
            company, job_title, address, lifecycle_stage: stage, company_id, owner_id, tags: None, source, custom_fields,
        }
    }
}

/// The fields the descriptor declares native for `kind`.
fn native_fields(kind: ResourceKind) -> Vec<&'static str> {
    let support = DESCRIPTOR.resource(kind).unwrap();
    support.fields.iter().filter(|f| f.storage == Storage::Native).map(|f| f.field).collect()
}

/// Asserts, once per test, that the comparisons below cover exactly the descriptor's native fields.
fn assert_compares_every_native_field(kind: ResourceKind, compared: &[&str]) {
    let mut native = native_fields(kind);
    let mut compared = compared.to_vec();
    native.sort_unstable();
    compared.sort_unstable();
    assert_eq!(native, compared, "the {kind:?} round trip must compare every native field");
}

/// Salesforce gives every record an owner: the API user when the caller names none (README, "Owner").
fn expected_owner(owner_id: Option<&Text>) -> Option<Text> {
    Some(owner_id.cloned().unwrap_or_else(|| Text::from(ids::to18(API_USER))))
}

struct Harness {
    runtime: tokio::runtime::Runtime,
    emulator: Emulator,
    client: ProviderClient,
}

impl Harness {
    fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let emulator = runtime.block_on(Emulator::start()).unwrap();
        let client = ProviderClient::builder(&DESCRIPTOR)
            .base_url(emulator.base_url())
            .credentials(Credentials::bearer("sandbox-properties"))
            .build()
            .unwrap();
        Self { runtime, emulator, client }
    }

    fn create(&self, settings: &Settings, input: UnifiedInput) -> Result<UnifiedRecord, unified_core::UnifiedError> {
        let call = Call { client: &self.client, settings, include_remote_data: false, connection_id: "properties" };
        // Boxed: a debug build's create future is large for a test thread's stack.
        self.runtime.block_on(Box::pin(pipeline::create(&DESCRIPTOR, call, &input))).map(|created| created.record)
    }

    /// Switches the org's features through the emulator's control plane.
    fn org(&self, features: Value) {
        let url = self.emulator.url("/_emulator/org");
        self.runtime.block_on(async {
            let response = reqwest::Client::new().post(url).json(&features).send().await.unwrap();
            assert!(response.status().is_success(), "org features: {}", response.status());
        });
    }

    /// Seeds a record through the emulator's control plane (a precondition, not a create); its id.
    fn seed(&self, object: &str, fields: Value) -> Text {
        let url = self.emulator.url(&format!("/_emulator/records/{object}"));
        let seeded: Value = self.runtime.block_on(async {
            let response = reqwest::Client::new().post(url).json(&json!({ "fields": fields })).send().await.unwrap();
            assert!(response.status().is_success(), "seeding {object}: {}", response.status());
            response.json().await.unwrap()
        });
        Text::from(seeded["Id"].as_str().unwrap())
    }
}

const CONTACT_COMPARED: [&str; 11] = [
    "firstName",
    "lastName",
    "email",
    "phone",
    "company",
    "jobTitle",
    "address",
    "companyId",
    "ownerId",
    "source",
    "customFields",
];

/// The emulated org's Contact custom fields other than the lifecycle one: always in the record.
const CONTACT_CUSTOM: [&str; 3] = ["Loyalty_Score__c", "Interests__c", "VIP__c"];

/// The address as an org with State and Country/Territory Picklists reports it: a state and a country by
/// their codes, whichever form was written (README, "Field decisions").
fn as_reported(address: &Option<Address>, picklists: bool) -> Option<Address> {
    let code = |value: &Option<Text>, list: &[(&str, &str)]| {
        value.as_ref().map(|v| {
            list.iter()
                .find(|(code, name)| v == code || v == name)
                .map_or_else(|| v.clone(), |(code, _)| Text::from(*code))
        })
    };
    address.clone().map(|a| match picklists {
        true => Address { state: code(&a.state, US_STATES), country: code(&a.country, COUNTRIES), ..a },
        false => a,
    })
}

#[test]
fn contacts_round_trip_through_the_emulator() {
    contacts_round_trip(false);
}

/// The same in an org with State and Country/Territory Picklists: states and countries come back as their
/// codes, whichever form was written (README, "Field decisions").
#[test]
fn contacts_round_trip_with_state_and_country_picklists() {
    contacts_round_trip(true);
}

fn contacts_round_trip(picklists: bool) {
    assert_compares_every_native_field(ResourceKind::Contact, &CONTACT_COMPARED);
    let harness = Harness::start();
    let mut settings = Settings::new();
    settings.insert("lifecycleField".into(), "Lifecycle_Stage__c".into());
    let addresses = if picklists {
        harness.org(json!({"stateCountryPicklists": true}));
        settings.insert("stateCountryPicklists".into(), "true".into());
        picklist_address()
    } else {
        address()
    };
    let account_name = "Properties Account";
    let account = harness.seed("Account", json!({ "Name": account_name }));
    let config = ProptestConfig { cases: 48, ..ProptestConfig::default() };
    proptest!(config, |(input in valid_contact(addresses.clone(), account.clone()))| {
        let record = match harness.create(&settings, UnifiedInput::Contact(input.clone())) {
            Ok(UnifiedRecord::Contact(record)) => record,
            Ok(other) => panic!("{other:?}"),
            Err(error) => panic!("{input:?} was refused: {error:?}"),
        };
        // `company` is the name of the contact's account: `companyId`'s, else the account whose name equals
        // `company` (SOQL's `=` ignores case, and the record names the account as Salesforce stored it, so
        // an earlier case's account may come back in its own case).
        let same_company = match (&record.company, &input.company, &input.company_id) {
            (got, _, Some(_)) => got.as_deref() == Some(account_name),
            (Some(got), Some(sent), None) => got.to_lowercase() == sent.to_lowercase(),
            (got, sent, None) => got == sent,
        };
        let same_company_id = match (&input.company_id, &input.company) {
            (Some(id), _) => record.company_id.as_ref() == Some(id),
            (None, Some(_)) => record.company_id.as_deref().is_some_and(|id| id.starts_with("001")),
            (None, None) => record.company_id.is_none(),
        };
        let same = [
            ("firstName", record.first_name == input.first_name),
            ("lastName", record.last_name == input.last_name),
            ("email", record.email == input.email),
            ("phone", record.phone == input.phone),
            ("company", same_company),
            ("jobTitle", record.job_title == input.job_title),
            ("address", record.address == as_reported(&input.address, picklists)),
            ("companyId", same_company_id),
            ("ownerId", record.owner_id == expected_owner(input.owner_id.as_ref())),
            ("source", record.source == input.source),
            (
                "customFields",
                custom_round_trips(input.custom_fields.as_ref(), record.custom_fields.as_ref(), &CONTACT_CUSTOM),
            ),
        ];
        for (field, equal) in same {
            prop_assert!(CONTACT_COMPARED.contains(&field));
            prop_assert!(equal, "{field} did not round-trip: sent {input:?}, got {record:?}");
        }
        // Stored through the setting `lifecycleField` (a custom field holding the unified value).
        prop_assert_eq!(record.lifecycle_stage, input.lifecycle_stage);
        prop_assert!(record.owner_name.is_some(), "every record has an owner: {record:?}");
    });
}

/// A date Salesforce takes (`YYYY-MM-DD`, days that every month has).
fn date() -> BoxedStrategy<String> {
    (2000u32..2100, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")).boxed()
}

/// An amount as Salesforce's currency fields hold it: two decimals.
fn amount() -> BoxedStrategy<f64> {
    (0u64..100_000_000_000).prop_map(|cents| cents as f64 / 100.0).boxed()
}

/// Opportunity custom fields: `Region__c` (the org's), and the standard `NextStep` and `Type`.
fn deal_custom() -> BoxedStrategy<Option<CustomFields>> {
    let kinds = vec!["Existing Customer - Upgrade", "New Customer"];
    (
        proptest::option::of((spelled("Region__c"), word().prop_map(Value::from))),
        proptest::option::of((spelled("NextStep"), word().prop_map(Value::from))),
        proptest::option::of((spelled("Type"), proptest::sample::select(kinds).prop_map(Value::from))),
    )
        .prop_map(|(a, b, c)| {
            let custom: CustomFields = [a, b, c].into_iter().flatten().collect();
            (!custom.is_empty()).then_some(custom)
        })
        .boxed()
}

const DEAL_COMPARED: [&str; 10] = [
    "name",
    "amount",
    "stage",
    "closeDate",
    "probability",
    "contactIds",
    "companyId",
    "ownerId",
    "source",
    "customFields",
];

#[test]
fn deals_round_trip_through_the_emulator() {
    assert_compares_every_native_field(ResourceKind::Deal, &DEAL_COMPARED);
    let harness = Harness::start();
    let settings = Settings::new();
    // The records a deal refers to: two contacts and an account.
    let contacts: Vec<Text> = (0..2)
        .map(|i| {
            let input = ContactInput {
                last_name: Some(Text::from(format!("Role{i}"))),
                email: Some(unique_email("role", "example.com")),
                ..Default::default()
            };
            match harness.create(&settings, UnifiedInput::Contact(input)) {
                Ok(UnifiedRecord::Contact(contact)) => contact.id,
                other => panic!("{other:?}"),
            }
        })
        .collect();
    let account = harness.seed("Account", json!({"Name": "Properties Account"}));

    let stages: Vec<&str> = STAGES.iter().map(|(stage, _)| *stage).collect();
    let deal = (
        word(),
        proptest::option::of(amount()),
        proptest::sample::select(stages),
        date(),
        proptest::option::of((0u8..=100).prop_map(f64::from)),
        proptest::option::of(proptest::sample::subsequence(contacts, 1..=2).prop_shuffle()),
        proptest::option::of(Just(account)),
        proptest::option::of(active_user()),
        lead_source(),
        deal_custom(),
    )
        .prop_map(
            |(name, amount, stage, close_date, probability, contact_ids, company_id, owner_id, source, custom)| {
                DealInput {
                    name: Some(Text::from(name)),
                    amount,
                    currency: None,
                    stage: Some(Text::from(stage)),
                    pipeline: None,
                    close_date: Some(Text::from(close_date)),
                    probability,
                    contact_ids,
                    company_id,
                    owner_id,
                    tags: None,
                    source,
                    custom_fields: custom,
                }
            },
        );
    let config = ProptestConfig { cases: 40, ..ProptestConfig::default() };
    proptest!(config, |(input in deal)| {
        let record = match harness.create(&settings, UnifiedInput::Deal(input.clone())) {
            Ok(UnifiedRecord::Deal(record)) => record,
            Ok(other) => panic!("{other:?}"),
            Err(error) => panic!("{input:?} was refused: {error:?}"),
        };
        // Salesforce fills `Probability` from the stage when it is left out (README, "Field decisions").
        let probability = input.probability.or_else(|| stage_probability(input.stage.as_deref().unwrap()));
        let same = [
            ("name", record.name == input.name),
            ("amount", record.amount == input.amount),
            ("stage", record.stage == input.stage),
            ("closeDate", record.close_date == input.close_date),
            ("probability", record.probability == probability),
            ("contactIds", record.contact_ids == input.contact_ids),
            ("companyId", record.company_id == input.company_id),
            ("ownerId", record.owner_id == expected_owner(input.owner_id.as_ref())),
            ("source", record.source == input.source),
            ("customFields", custom_round_trips(input.custom_fields.as_ref(), record.custom_fields.as_ref(), &["Region__c"])),
        ];
        for (field, equal) in same {
            prop_assert!(DEAL_COMPARED.contains(&field));
            prop_assert!(equal, "{field} did not round-trip: sent {input:?}, got {record:?}");
        }
        prop_assert!(record.owner_name.is_some(), "every record has an owner: {record:?}");
    });
}
