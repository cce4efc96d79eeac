//! Property tests: the mapping never panics, whatever the input, the company's field schema or the answer;
//! and what it writes, once Pipedrive (the emulator) has stored and echoed it, maps back to the same
//! unified values, field by field, for every field the descriptor says Pipedrive stores natively.
//!
//! Custom fields go by name through the company's field schema, which the connector caches per connection
//! (`connector_pipedrive::cache`, keyed by the connection id and the base URL). The cache keeps its default
//! capacity here, as in a live process: each test has its own emulator, hence its own base URL and cache
//! entry, and the emulator's fields never change, so a cached schema is always the current one.

use std::sync::atomic::{AtomicUsize, Ordering};

use connector_pipedrive::DESCRIPTOR;
use connector_pipedrive::emulator::Emulator;
use connector_pipedrive::mapping::contact::{self, PersonInput};
use connector_pipedrive::mapping::custom::{self, Entity, Schema};
use connector_pipedrive::mapping::{self as pd, deal, fields, labels, lead, meeting, owner};
use connector_pipedrive::wire::{
    self, Activity, ActivityAttendee, Channel, Field, FieldOption, LeadLabel, LeadValue, Location, Organization,
    Participant, Person, PostalAddress, User,
};
use proptest::prelude::*;
use serde_json::{Map, Value, json};
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

fn any_string() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(any::<String>())
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("value".to_owned()),
                    Just("currency".to_owned()),
                    Just("until".to_owned()),
                    Just("amount".to_owned()),
                    any::<String>()
                ],
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Names the mapping may resolve: the emulated company's field names and keys, the names `customFields`
/// takes natively (a lead's `title`, an activity's `note`, ...), and arbitrary text.
const NAMES: &[&str] = &[
    "Trade show",
    "loyaltyScore",
    "Lifecycle stage",
    "Interests",
    "Lead source",
    "Budget",
    "Region",
    "Trial period",
    "Product interest",
    "9c2e4f6a8b1d3e5f7a9c0b2d4e6f8a1c3e5b7d9f",
    "label_ids",
    "title",
    "value",
    "expected_close_date",
    "note",
    "busy",
    "done",
    "priority",
    "type",
    "lead_id",
    "org_id",
    "",
];

fn any_name() -> impl Strategy<Value = String> {
    prop_oneof![proptest::sample::select(NAMES).prop_map(str::to_owned), any::<String>()]
}

fn any_custom() -> impl Strategy<Value = Option<CustomFields>> {
    proptest::option::of(
        proptest::collection::btree_map(any_name(), any_json(), 0..5).prop_map(|m| m.into_iter().collect()),
    )
}

/// Arbitrary text, or a Pipedrive id (a positive integer), so that both paths are taken.
fn any_id() -> impl Strategy<Value = Text> {
    prop_oneof![any::<String>(), "[0-9]{1,20}"].prop_map(Text::from)
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
    let name = || proptest::option::of(any_name());
    let statuses =
        proptest::option::of(prop_oneof![any::<String>(), Just("qualified=Hot;unqualified=Cold".to_owned())]);
    (name(), name(), statuses, any_string()).prop_map(|(lifecycle, source, statuses, meeting_type)| {
        let mut settings = Settings::new();
        let entries = [
            ("lifecycleField", lifecycle),
            ("sourceField", source),
            ("leadStatusLabels", statuses),
            ("meetingType", meeting_type),
        ];
        for (key, value) in entries {
            if let Some(value) = value {
                settings.insert(key.to_owned(), value);
            }
        }
        settings
    })
}

/// A company's field schema: known and arbitrary names, keys, types and options.
fn any_schema() -> impl Strategy<Value = Schema> {
    const KINDS: &[&str] = &[
        "varchar",
        "text",
        "double",
        "int",
        "monetary",
        "enum",
        "set",
        "date",
        "daterange",
        "timerange",
        "user",
        "org",
        "people",
        "address",
        "phone",
        "",
    ];
    let option = (prop_oneof![0u64..100, any::<u64>()], any_name()).prop_map(|(id, label)| FieldOption { id, label });
    let field = (
        any_name(),
        any_name(),
        prop_oneof![proptest::sample::select(KINDS).prop_map(str::to_owned), any::<String>()],
        any::<bool>(),
        proptest::option::of(proptest::collection::vec(option, 0..4)),
    )
        .prop_map(|(field_code, field_name, field_type, is_custom_field, options)| Field {
            field_code,
            field_name,
            field_type,
            is_custom_field,
            options,
        });
    proptest::collection::vec(field, 0..8).prop_map(Schema::new)
}

prop_compose! {
    fn any_contact()(first_name in any_text(), last_name in any_text(), email in any_text(), phone in any_text(),
                     company in any_text(), job_title in any_text(), street in any_text(), city in any_text(),
                     state in any_text(), postal_code in any_text(), country in any_text(),
                     stage in proptest::option::of(proptest::sample::select(LifecycleStage::ALL.to_vec())),
                     company_id in proptest::option::of(any_id()), owner_id in proptest::option::of(any_id()),
                     tags in proptest::option::of(proptest::collection::vec(any_name().prop_map(Text::from), 0..3)),
                     source in any_text(), custom_fields in any_custom()) -> ContactInput {
        let address = Some(Address { street, city, state, postal_code, country });
        ContactInput { first_name, last_name, email, phone, company, job_title, address, lifecycle_stage: stage,
                       company_id, owner_id, tags, source, custom_fields }
    }
}

prop_compose! {
    fn any_deal()(name in any_text(), amount in proptest::option::of(any::<f64>()), currency in any_text(),
                  stage in proptest::option::of(any_id()), pipeline in proptest::option::of(any_id()),
                  close_date in any_text(), probability in proptest::option::of(any::<f64>()),
                  contact_ids in proptest::option::of(proptest::collection::vec(any_id(), 0..3)),
                  company_id in proptest::option::of(any_id()), owner_id in proptest::option::of(any_id()),
                  tags in proptest::option::of(proptest::collection::vec(any_name().prop_map(Text::from), 0..3)),
                  source in any_text(), custom_fields in any_custom()) -> DealInput {
        DealInput { name, amount, currency, stage, pipeline, close_date, probability, contact_ids, company_id,
                    owner_id, tags, source, custom_fields }
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

fn any_channels() -> impl Strategy<Value = Vec<Channel>> {
    let channel = (any::<String>(), any::<bool>(), any_string()).prop_map(|(value, primary, label)| Channel {
        value,
        primary,
        label,
    });
    proptest::collection::vec(channel, 0..3)
}

fn any_custom_values() -> impl Strategy<Value = Map<String, Value>> {
    let key = prop_oneof![
        proptest::sample::select(vec![
            "5a313b872ffc53e12ef7a7a4957b6d3130fec189",
            "9c2e4f6a8b1d3e5f7a9c0b2d4e6f8a1c3e5b7d9f",
            "0b8f6e4d2c1a3e5f7d9b2a4c6e8f0a1b3c5d7e9f",
        ])
        .prop_map(str::to_owned),
        any_name(),
    ];
    proptest::collection::btree_map(key, any_json(), 0..6).prop_map(|m| m.into_iter().collect())
}

fn any_ids<const N: usize>() -> impl Strategy<Value = [Option<u64>; N]> {
    proptest::array::uniform(proptest::option::of(any::<u64>()))
}

fn any_postal_address() -> impl Strategy<Value = PostalAddress> {
    proptest::array::uniform7(any_string()).prop_map(|parts| {
        let [value, street_number, route, locality, admin_area_level_1, postal_code, country] = parts;
        PostalAddress { value, street_number, route, locality, admin_area_level_1, postal_code, country }
    })
}

prop_compose! {
    /// A person as Pipedrive could answer it: well-typed, arbitrary contents.
    fn any_person()(id in any::<u64>(), names in proptest::array::uniform3(any_string()), ids in any_ids::<2>(),
                    emails in any_channels(), phones in any_channels(), job_title in any_string(),
                    postal_address in proptest::option::of(any_postal_address()),
                    label_ids in proptest::collection::vec(prop_oneof![0u64..12, any::<u64>()], 0..4),
                    custom_fields in any_custom_values(), times in (any_string(), any_string())) -> Person {
        let [name, first_name, last_name] = names;
        let [owner_id, org_id] = ids;
        Person { id, name, first_name, last_name, owner_id, org_id, emails, phones, job_title, postal_address,
                 label_ids, custom_fields, add_time: times.0, update_time: times.1 }
    }
}

prop_compose! {
    fn any_wire_deal()(id in any::<u64>(), title in any_string(), value in proptest::option::of(any::<f64>()),
                       currency in any_string(), ids in any_ids::<5>(), expected_close_date in any_string(),
                       probability in proptest::option::of(any::<f64>()), status in any_string(),
                       label_ids in proptest::collection::vec(prop_oneof![0u64..16, any::<u64>()], 0..4),
                       custom_fields in any_custom_values(), times in (any_string(), any_string())) -> wire::Deal {
        let [pipeline_id, stage_id, person_id, org_id, owner_id] = ids;
        wire::Deal { id, title, value, currency, pipeline_id, stage_id, expected_close_date, probability, person_id,
                     org_id, owner_id, status, label_ids, custom_fields, add_time: times.0, update_time: times.1 }
    }
}

fn any_lead_value() -> impl Strategy<Value = LeadValue> {
    (any::<f64>(), any::<String>()).prop_map(|(amount, currency)| LeadValue { amount, currency })
}

prop_compose! {
    fn any_wire_lead()(id in any::<String>(), title in any_string(), ids in any_ids::<3>(),
                       label_ids in proptest::collection::vec(any::<String>(), 0..3),
                       value in proptest::option::of(any_lead_value()), expected_close_date in any_string(),
                       times in (any_string(), any_string()), rest in any_custom_values()) -> wire::Lead {
        let [owner_id, person_id, organization_id] = ids;
        wire::Lead { id, title, owner_id, person_id, organization_id, label_ids, value, expected_close_date,
                     add_time: times.0, update_time: times.1, rest }
    }
}

/// A time-ish text: arbitrary, or close to Pipedrive's `YYYY-MM-DD` and `HH:MM`.
fn any_clock() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(prop_oneof![
        any::<String>(),
        "[0-9]{1,4}:[0-9]{1,3}(:[0-9]{2})?",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}"
    ])
}

fn any_participants() -> impl Strategy<Value = Vec<Participant>> {
    let participant = (any::<u64>(), any::<bool>()).prop_map(|(person_id, primary)| Participant { person_id, primary });
    proptest::collection::vec(participant, 0..3)
}

fn any_attendees() -> impl Strategy<Value = Option<Vec<ActivityAttendee>>> {
    let attendee = (any_string(), any_string()).prop_map(|(email, name)| ActivityAttendee { email, name });
    proptest::option::of(proptest::collection::vec(attendee, 0..3))
}

prop_compose! {
    fn any_activity()(id in any::<u64>(), texts in proptest::array::uniform5(any_string()), ids in any_ids::<4>(),
                      clock in proptest::array::uniform3(any_clock()), participants in any_participants(),
                      attendees in any_attendees(),
                      flags in (proptest::option::of(any::<bool>()), proptest::option::of(any::<bool>())),
                      priority in proptest::option::of(any::<u64>()),
                      times in (any_string(), any_string())) -> Activity {
        let [subject, kind, location, public_description, note] = texts;
        let [owner_id, deal_id, person_id, org_id] = ids;
        let [due_date, due_time, duration] = clock;
        Activity { id, subject, kind, owner_id, deal_id, person_id, due_date, due_time, duration,
                   location: location.map(|value| Location { value: Some(value) }), participants, attendees,
                   public_description, note, busy: flags.0, done: flags.1, priority, lead_id: None, org_id,
                   add_time: times.0, update_time: times.1 }
    }
}

fn any_lead_labels() -> impl Strategy<Value = Vec<LeadLabel>> {
    let label = (any_name(), prop_oneof![Just("Hot".to_owned()), Just("Cold".to_owned()), any::<String>()])
        .prop_map(|(id, name)| LeadLabel { id, name });
    proptest::collection::vec(label, 0..4)
}

/// An error body: arbitrary bytes, or Pipedrive's error object with arbitrary contents.
fn any_error_body() -> impl Strategy<Value = Vec<u8>> {
    let body = (any_string(), any_string(), any_json(), any_string()).prop_map(|(error, info, code, message)| {
        json!({"success": false, "error": error, "error_info": info, "errorCode": code, "message": message})
    });
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..64),
        body.prop_map(|b| serde_json::to_vec(&b).unwrap()),
        any::<String>()
            .prop_map(
                |m| serde_json::to_vec(&json!({"success": false, "error": format!("Validation failed: {m}")})).unwrap()
            ),
        any_json().prop_map(|v| serde_json::to_vec(&v).unwrap()),
    ]
}

proptest! {
    /// Pure mapping over arbitrary inputs (validation bypassed), arbitrary schemas and arbitrary answers:
    /// an answer or field errors, never a panic.
    // The strategies are boxed: unboxed, their value trees are large enough to overflow a test thread's
    // stack in a debug build.
    #[test]
    fn mapping_never_panics(
        input in any_contact().boxed(),
        settings in any_settings().boxed(),
        schema in any_schema().boxed(),
        status in proptest::option::of(proptest::sample::select(LeadStatus::ALL.to_vec())),
        deal_input in any_deal().boxed(),
        meeting_input in any_meeting().boxed(),
        person in any_person().boxed(),
        stored_deal in any_wire_deal().boxed(),
        stored_lead in any_wire_lead().boxed(),
        activity in any_activity().boxed(),
        lead_labels in any_lead_labels().boxed(),
        value in any_json().boxed(),
        org_id in proptest::option::of(any::<u64>()),
        error_status in any::<u16>(),
        error_body in any_error_body().boxed(),
        text in any::<String>(),
    ) {
        let person_input = PersonInput::from(&input);
        let _ = person_input.identifies_someone();
        let _ = person_input.field_names(&settings);
        for schema in [Some(&schema), None] {
            // What the client would send: the bodies serialize too.
            if let Ok((body, _)) = contact::create_request(&person_input, &settings, schema, org_id) {
                let _ = serde_json::to_vec(&body);
            }
            let organization = Organization { id: person.org_id.unwrap_or_default(), name: Some(text.clone()) };
            let _ = contact::to_contact(&person, Some(&organization), &settings, schema);
            let _ = contact::to_contact(&person, None, &settings, schema);
            if let Ok((body, _)) = deal::create_request(&deal_input, &settings, schema) {
                let _ = serde_json::to_vec(&body);
            }
            let _ = deal::to_deal(&stored_deal, &settings, schema);
            let _ = custom::from_v2(schema, &person.custom_fields, &[]);
            let _ = custom::from_v1(schema, &stored_lead.rest, &[]);
        }
        let _ = deal::field_names(&deal_input, &settings);

        let mut as_json = serde_json::to_value(&input).unwrap();
        as_json.as_object_mut().unwrap().remove("companyId");
        let mut as_lead: LeadInput = serde_json::from_value(as_json).unwrap();
        as_lead.status = status;
        let _ = lead::deal_field_names(&as_lead, &settings);
        let title = lead::title(&as_lead).unwrap_or_else(|_| text.clone());
        let label_ids = lead::label_ids(&as_lead, &settings, &lead_labels).map(|(ids, _)| ids).unwrap_or_default();
        let request = |schema, person_id, org_id| {
            lead::create_request(&as_lead, &settings, schema, title.clone(), person_id, org_id, label_ids.clone())
        };
        if let Ok(body) = request(Some(&schema), person.owner_id, org_id) {
            let _ = serde_json::to_vec(&body);
        }
        let _ = request(None, None, None);
        let organization = Organization { id: org_id.unwrap_or_default(), name: Some(text.clone()) };
        let linked = lead::Linked {
            person: Some(&person),
            organization: Some(&organization),
            person_schema: Some(&schema),
            deal_schema: Some(&schema),
            lead_labels: Some(&lead_labels),
        };
        let _ = lead::to_lead(&stored_lead, linked, &settings);
        let _ = lead::to_lead(&stored_lead, lead::Linked::default(), &settings);

        if let Ok(body) = meeting::create_request(&meeting_input, &settings) {
            let _ = serde_json::to_vec(&body);
        }
        let _ = meeting::to_meeting(&activity);
        let _ = meeting::duration_minutes(&text);

        for field in &schema.fields {
            if let Ok(written) = custom::value_for(field, &value) {
                let writes = [custom::Write { key: field.key.clone(), value: written }];
                let flat = custom::to_v1(&writes);
                let _ = custom::to_v2(&writes);
                let _ = custom::v1_value(field, &flat);
            }
            let _ = custom::display(field, &value);
            let _ = custom::lifecycle_read(field, &value);
            let _ = custom::text_read(field, &value);
            let _ = custom::lifecycle_value(field, LifecycleStage::Customer);
        }
        let _ = custom::writes(Entity::Person, &schema, input.custom_fields.as_ref(), lead::NATIVE);
        let _ = contact::unused_company(&input, None);
        let _ = labels::parse_status_setting(&text);
        let _ = labels::tag_ids(input.tags.as_deref().unwrap_or_default(), schema.labels());
        let _ = fields::unified_field(&text);
        let _ = fields::field_in_message(&text);
        let _ = pd::timestamp(Some(&text));
        let _ = pd::lifecycle_from_label(&text);
        let _ = owner::owner(&User { id: 1, name: Some(text.clone()), email: None });
        let _ = connector_pipedrive::parse_error(error_status, &error_body);
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
/// name with punctuation (`Smith & Sons`, `Back \ Slash`).
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

/// The company's active users (Casey Nguyen, 12011988, is deactivated: Pipedrive refuses him).
const USERS: [&str; 2] = ["13374021", "13374057"];
/// The person labels: what a contact's tags name.
const PERSON_LABELS: &[&str] = &["Customer", "Hot lead", "Warm lead", "Cold lead", "VIP"];
/// The user a `sandbox-` token acts as: the owner of what is created without an `owner_id`.
const TOKEN_USER: &str = "13374021";

/// A date (`YYYY-MM-DD`, days that every month has).
fn date() -> BoxedStrategy<String> {
    (2000u32..2100, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")).boxed()
}

/// An amount with two decimals.
fn amount() -> BoxedStrategy<f64> {
    (0u64..100_000_000_000).prop_map(|cents| cents as f64 / 100.0).boxed()
}

/// A number as a number field holds it: an integer, or one with two decimals.
fn number() -> BoxedStrategy<Value> {
    prop_oneof![(0u32..=1000).prop_map(Value::from), (0u32..100_000).prop_map(|c| Value::from(f64::from(c) / 100.0))]
        .boxed()
}

/// A custom field as the caller may name it: by its name, by a name that matches it ignoring case, spaces
/// and punctuation (`loyaltyScore`), or by its 40-character key (README, "Custom fields").
fn spelled(name: &'static str, key: &'static str) -> impl Strategy<Value = String> {
    let snake = name.to_ascii_lowercase().replace(' ', "_");
    let camel: String = name
        .split(' ')
        .enumerate()
        .map(|(i, w)| if i == 0 { w.to_ascii_lowercase() } else { w[..1].to_ascii_uppercase() + &w[1..] })
        .collect();
    proptest::sample::select(vec![name.to_owned(), snake, camel, key.to_owned()])
}

/// Some of `options`, each once, in any order.
fn some_of(options: &'static [&'static str]) -> impl Strategy<Value = Vec<&'static str>> {
    proptest::sample::subsequence(options, 1..=options.len()).prop_shuffle()
}

/// Person custom fields of the emulated company (`Lifecycle stage` and `Lead source` hold the settings).
fn person_custom() -> BoxedStrategy<Option<CustomFields>> {
    const INTERESTS: &[&str] = &["Robotics", "Logistics", "AI"];
    (
        proptest::option::of((
            spelled("Trade show", "5a313b872ffc53e12ef7a7a4957b6d3130fec189"),
            word().prop_map(Value::from),
        )),
        proptest::option::of((spelled("Loyalty score", "9c2e4f6a8b1d3e5f7a9c0b2d4e6f8a1c3e5b7d9f"), number())),
        proptest::option::of((
            spelled("Interests", "3e1a5c7b9d2f4a6c8e0b1d3f5a7c9e2b4d6f8a0c"),
            some_of(INTERESTS).prop_map(|i| json!(i)),
        )),
        proptest::option::of((
            spelled("Birthday", "1d3f5a7c9e2b4d6f8a0c1e3b5d7f9a2c4e6b8d0f"),
            date().prop_map(Value::from),
        )),
    )
        .prop_map(|(a, b, c, d)| {
            let custom: CustomFields = [a, b, c, d].into_iter().flatten().collect();
            (!custom.is_empty()).then_some(custom)
        })
        .boxed()
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A unique e-mail address: Pipedrive has no duplicate rule on persons, but a lead reuses the person that
/// has its e-mail, and every case here stands on its own.
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

prop_compose! {
    fn valid_contact(organization: Text)(first_name in some_word(), last_name in some_name(), email in email(),
                       phone in phone(), company in some_name(), job_title in some_word(), address in address(),
                       company_id in proptest::option::of(Just(organization.clone())),
                       stage in proptest::option::of(proptest::sample::select(LifecycleStage::ALL.to_vec())),
                       owner_id in proptest::option::of(proptest::sample::select(USERS.to_vec())),
                       tags in proptest::option::of(some_of(PERSON_LABELS)),
                       source in some_word(), custom_fields in person_custom()) -> ContactInput {
        ContactInput {
            first_name, last_name, email: Some(email), phone: phone.map(Text::from), company, job_title, address,
            lifecycle_stage: stage, company_id, owner_id: owner_id.map(Text::from),
            tags: tags.map(|t| t.into_iter().map(Text::from).collect()), source, custom_fields,
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

/// Pipedrive gives every record an owner: the token's user when the caller names none (README, "Quirks").
fn expected_owner(owner_id: Option<&Text>) -> Option<Text> {
    Some(owner_id.cloned().unwrap_or_else(|| Text::from(TOKEN_USER)))
}

/// The same organization name, as Pipedrive's exact-match search finds it: ignoring case (README, "Quirks").
fn same_company(got: Option<&Text>, sent: Option<&Text>) -> bool {
    match (got, sent) {
        (Some(got), Some(sent)) => got.to_lowercase() == sent.to_lowercase(),
        (got, sent) => got == sent,
    }
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

    /// Seeds a record through the emulator's control plane (a precondition, not a create); its id.
    fn seed(&self, kind: &str, record: Value) -> Text {
        let url = self.emulator.url(&format!("/_emulator/records/{kind}"));
        let seeded: Value = self.runtime.block_on(async {
            let response = reqwest::Client::new().post(url).json(&record).send().await.unwrap();
            assert!(response.status().is_success(), "seeding {kind}: {}", response.status());
            response.json().await.unwrap()
        });
        Text::from(seeded["id"].as_u64().unwrap().to_string())
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
    "tags",
    "customFields",
];

/// The emulated company's custom fields (name, key) that the round trips write.
const CUSTOM_FIELDS: &[(&str, &str)] = &[
    ("Trade show", "5a313b872ffc53e12ef7a7a4957b6d3130fec189"),
    ("Loyalty score", "9c2e4f6a8b1d3e5f7a9c0b2d4e6f8a1c3e5b7d9f"),
    ("Interests", "3e1a5c7b9d2f4a6c8e0b1d3f5a7c9e2b4d6f8a0c"),
    ("Birthday", "1d3f5a7c9e2b4d6f8a0c1e3b5d7f9a2c4e6b8d0f"),
    ("Region", "f71e507373d14e99dc78c9cb59dbbd7983f1f059"),
    ("Budget", "d4de1c1518b4531717c676029a45911c340390a6"),
    ("Decision date", "2c4e6a8f0b1d3e5a7c9f1b3d5e7a9c0e2f4b6d8a"),
    ("Product interest", "7b9d1f3a5c7e9b2d4f6a8c0e1b3d5f7a9c2e4b6d"),
    ("Trial period", "4f6a8c0e2b4d6f8a1c3e5b7d9f0a2c4e6b8d1f3a"),
];

/// The custom fields as the record reports them: by the field's name, however the caller named it
/// (README, "Custom fields").
fn by_field_name(custom: &Option<CustomFields>) -> Option<CustomFields> {
    let loose = |text: &str| text.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_lowercase();
    let name = |spelled: &str| {
        CUSTOM_FIELDS.iter().find(|(name, key)| *key == spelled || loose(name) == loose(spelled)).map(|(name, _)| *name)
    };
    custom.as_ref().map(|c| c.iter().map(|(k, v)| (name(k).unwrap_or(k).to_owned(), v.clone())).collect())
}

#[test]
fn contacts_round_trip_through_the_emulator() {
    assert_compares_every_native_field(ResourceKind::Contact, &CONTACT_COMPARED);
    let harness = Harness::start();
    let mut settings = Settings::new();
    settings.insert("lifecycleField".into(), "Lifecycle stage".into());
    settings.insert("sourceField".into(), "Lead source".into());
    let organization_name = "Properties Organization";
    let organization = harness.seed("organizations", json!({ "name": organization_name }));
    let config = ProptestConfig { cases: 48, ..ProptestConfig::default() };
    proptest!(config, |(input in valid_contact(organization.clone()).boxed())| {
        let record = match harness.create(&settings, UnifiedInput::Contact(input.clone())) {
            Ok(UnifiedRecord::Contact(record)) => record,
            Ok(other) => panic!("{other:?}"),
            Err(error) => panic!("{input:?} was refused: {error:?}"),
        };
        // Pipedrive requires a name: a contact without one is named after its e-mail address, which
        // Pipedrive then stores as the first name (README, "Quirks").
        let first_name = match (&input.first_name, &input.last_name) {
            (None, None) => input.email.clone(),
            (first, _) => first.clone(),
        };
        // `companyId` names the organization, whatever `company` says; else `company` is found or created.
        let company = match &input.company_id {
            Some(_) => Some(Text::from(organization_name)),
            None => input.company.clone(),
        };
        let same_company_id = match (&input.company_id, &input.company) {
            (Some(id), _) => record.company_id.as_ref() == Some(id),
            (None, company) => record.company_id.is_some() == company.is_some(),
        };
        let same = [
            ("firstName", record.first_name == first_name),
            ("lastName", record.last_name == input.last_name),
            ("email", record.email == input.email),
            ("phone", record.phone == input.phone),
            ("company", same_company(record.company.as_ref(), company.as_ref())),
            ("jobTitle", record.job_title == input.job_title),
            ("address", record.address == input.address),
            ("companyId", same_company_id),
            ("ownerId", record.owner_id == expected_owner(input.owner_id.as_ref())),
            ("tags", record.tags == input.tags),
            ("customFields", record.custom_fields == by_field_name(&input.custom_fields)),
        ];
        for (field, equal) in same {
            prop_assert!(CONTACT_COMPARED.contains(&field));
            prop_assert!(equal, "{field} did not round-trip: sent {input:?}, got {record:?}");
        }
        // Stored through the settings `lifecycleField` and `sourceField` (person custom fields).
        prop_assert_eq!(record.lifecycle_stage, input.lifecycle_stage);
        prop_assert_eq!(&record.source, &input.source);
        prop_assert!(record.owner_name.is_some(), "every record has an owner: {record:?}");
    });
}

/// Deal custom fields of the emulated company (`Lead source` holds the setting).
fn deal_custom() -> BoxedStrategy<Option<CustomFields>> {
    const PRODUCTS: &[&str] = &["AMR fleet", "Software", "Services"];
    let currency = proptest::sample::select(vec!["EUR", "USD", "GBP", "JPY", "CHF"]);
    let budget = (number(), currency).prop_map(|(value, currency)| json!({"value": value, "currency": currency}));
    let period = (date(), date()).prop_map(|(a, b)| json!({"value": a.clone().min(b.clone()), "until": a.max(b)}));
    (
        proptest::option::of((
            spelled("Region", "f71e507373d14e99dc78c9cb59dbbd7983f1f059"),
            word().prop_map(Value::from),
        )),
        proptest::option::of((spelled("Budget", "d4de1c1518b4531717c676029a45911c340390a6"), budget)),
        proptest::option::of((
            spelled("Decision date", "2c4e6a8f0b1d3e5a7c9f1b3d5e7a9c0e2f4b6d8a"),
            date().prop_map(Value::from),
        )),
        proptest::option::of((
            spelled("Product interest", "7b9d1f3a5c7e9b2d4f6a8c0e1b3d5f7a9c2e4b6d"),
            some_of(PRODUCTS).prop_map(|p| json!(p)),
        )),
        proptest::option::of((spelled("Trial period", "4f6a8c0e2b4d6f8a1c3e5b7d9f0a2c4e6b8d1f3a"), period)),
    )
        .prop_map(|(a, b, c, d, e)| {
            let custom: CustomFields = [a, b, c, d, e].into_iter().flatten().collect();
            (!custom.is_empty()).then_some(custom)
        })
        .boxed()
}

/// The pipelines and their stages: pipeline 1 has stages 1–5, pipeline 2 stages 6–7 (README, "Emulator").
const STAGES: [(u64, u64); 7] = [(1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (6, 2), (7, 2)];

/// A stage and a pipeline as a caller may give them: either, both (the stage in that pipeline), or neither.
fn stage_and_pipeline() -> impl Strategy<Value = (Option<Text>, Option<Text>)> {
    (proptest::sample::select(STAGES.to_vec()), any::<bool>(), any::<bool>()).prop_map(|((stage, pipeline), s, p)| {
        (s.then(|| Text::from(stage.to_string())), p.then(|| Text::from(pipeline.to_string())))
    })
}

const DEAL_COMPARED: [&str; 12] = [
    "name",
    "amount",
    "currency",
    "stage",
    "pipeline",
    "closeDate",
    "probability",
    "contactIds",
    "companyId",
    "ownerId",
    "tags",
    "customFields",
];

#[test]
fn deals_round_trip_through_the_emulator() {
    assert_compares_every_native_field(ResourceKind::Deal, &DEAL_COMPARED);
    let harness = Harness::start();
    let mut settings = Settings::new();
    settings.insert("sourceField".into(), "Lead source".into());
    // The records a deal refers to: two persons and an organization.
    let persons: Vec<Text> = (0..2)
        .map(|i| {
            let input = ContactInput {
                last_name: Some(Text::from(format!("Person{i}"))),
                email: Some(unique_email("person", "example.com")),
                ..Default::default()
            };
            match harness.create(&settings, UnifiedInput::Contact(input)) {
                Ok(UnifiedRecord::Contact(contact)) => contact.id,
                other => panic!("{other:?}"),
            }
        })
        .collect();
    let organization = harness.seed("organizations", json!({"name": "Properties Organization"}));

    let deal = (
        word(),
        proptest::option::of(amount()),
        proptest::option::of(proptest::sample::select(vec!["EUR", "USD", "GBP", "JPY", "CHF"])),
        stage_and_pipeline(),
        proptest::option::of(date()),
        proptest::option::of((0u8..=100).prop_map(f64::from)),
        proptest::option::of(proptest::sample::subsequence(persons, 1..=2).prop_shuffle()),
        proptest::option::of(Just(organization)),
        proptest::option::of(proptest::sample::select(USERS.to_vec())),
        proptest::option::of(some_of(&["Hot", "Warm", "Cold", "Strategic"])),
        some_word(),
        deal_custom(),
    )
        .prop_map(
            |(
                name,
                amount,
                currency,
                (stage, pipeline),
                close_date,
                probability,
                contact_ids,
                company_id,
                owner_id,
                tags,
                source,
                custom,
            )| {
                DealInput {
                    name: Some(Text::from(name)),
                    amount,
                    currency: currency.map(Text::from),
                    stage,
                    pipeline,
                    close_date: close_date.map(Text::from),
                    probability,
                    contact_ids,
                    company_id,
                    owner_id: owner_id.map(Text::from),
                    tags: tags.map(|t| t.into_iter().map(Text::from).collect()),
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
        // Pipedrive's documented defaults (API reference, `POST /api/v2/deals`): a deal's value is 0 and its
        // currency the user's default currency (EUR for both active users) when left out; a stage alone puts
        // the deal in that stage's pipeline, a pipeline alone in its first stage, neither in the first stage
        // of the default pipeline (1).
        let amount = input.amount.or(Some(0.0));
        let currency = input.currency.clone().or_else(|| Some(Text::from("EUR")));
        let id = |text: &Text| text.parse::<u64>().unwrap();
        let (stage, pipeline) = match (input.stage.as_ref().map(id), input.pipeline.as_ref().map(id)) {
            (Some(stage), _) => (stage, STAGES.iter().find(|(s, _)| *s == stage).unwrap().1),
            (None, Some(pipeline)) => (STAGES.iter().find(|(_, p)| *p == pipeline).unwrap().0, pipeline),
            (None, None) => (1, 1),
        };
        // A Pipedrive deal has one person: the first of `contactIds`, the rest a warning (README, "Quirks").
        let contact_ids = input.contact_ids.as_ref().map(|ids| ids[..1].to_vec());
        let same = [
            ("name", record.name == input.name),
            ("amount", record.amount == amount),
            ("currency", record.currency == currency),
            ("stage", record.stage == Some(Text::from(stage.to_string()))),
            ("pipeline", record.pipeline == Some(Text::from(pipeline.to_string()))),
            ("closeDate", record.close_date == input.close_date),
            ("probability", record.probability == input.probability),
            ("contactIds", record.contact_ids == contact_ids),
            ("companyId", record.company_id == input.company_id),
            ("ownerId", record.owner_id == expected_owner(input.owner_id.as_ref())),
            ("tags", record.tags == input.tags),
            ("customFields", record.custom_fields == by_field_name(&input.custom_fields)),
        ];
        for (field, equal) in same {
            prop_assert!(DEAL_COMPARED.contains(&field));
            prop_assert!(equal, "{field} did not round-trip: sent {input:?}, got {record:?}");
        }
        // Stored through the setting `sourceField` (a deal custom field).
        prop_assert_eq!(&record.source, &input.source);
        prop_assert!(record.owner_name.is_some(), "every record has an owner: {record:?}");
    });
}
