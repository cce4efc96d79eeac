//! Property tests: the mapping never panics, whatever the input; and what it writes, once HubSpot (the
//! emulator) has stored and echoed it, maps back to the same unified values, field by field, for every
//! field the descriptor says HubSpot stores natively.

use std::sync::atomic::{AtomicUsize, Ordering};

use connector_hubspot::DESCRIPTOR;
use connector_hubspot::emulator::Emulator;
use connector_hubspot::mapping::links::Links;
use connector_hubspot::mapping::{CustomProperties, ReadContext, company, contact, deal, lead, meeting};
use connector_hubspot::wire::CrmObject;
use proptest::prelude::*;
use unified_core::connector::{Call, Settings};
use unified_core::descriptor::Storage;
use unified_core::resource::{
    Address, ContactInput, CustomFields, DealInput, LeadInput, LifecycleStage, MeetingInput, ResourceKind, Text,
    UnifiedRecord,
};
use unified_core::transport::{Credentials, ProviderClient};
use unified_core::{UnifiedInput, pipeline};

fn any_text() -> impl Strategy<Value = Option<Text>> {
    proptest::option::of(any::<String>().prop_map(Text::from))
}

fn any_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<String>().prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            proptest::collection::btree_map(any::<String>(), inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn any_custom() -> impl Strategy<Value = Option<CustomFields>> {
    proptest::option::of(
        proptest::collection::btree_map(any::<String>(), any_json(), 0..5).prop_map(|m| m.into_iter().collect()),
    )
}

prop_compose! {
    fn any_contact()(first_name in any_text(), last_name in any_text(), email in any_text(), phone in any_text(),
                     company in any_text(), job_title in any_text(), street in any_text(), city in any_text(),
                     stage in proptest::option::of(proptest::sample::select(LifecycleStage::ALL.to_vec())),
                     owner_id in any_text(), source in any_text(), custom_fields in any_custom()) -> ContactInput {
        let address = Some(Address { street, city, ..Default::default() });
        ContactInput { first_name, last_name, email, phone, company, job_title, address, lifecycle_stage: stage,
                       company_id: None, owner_id, tags: None, source, custom_fields }
    }
}

proptest! {
    /// Pure mapping over arbitrary inputs (validation bypassed): an answer or field errors, never a panic.
    #[test]
    fn mapping_never_panics(input in any_contact(), name in any_text(), amount in proptest::option::of(any::<f64>()),
                            start in any_text(), response in proptest::collection::btree_map(any::<String>(), proptest::option::of(any::<String>()), 0..12)) {
        let mut settings = Settings::new();
        settings.insert("sourceProperty".into(), "lead_source".into());
        let _ = contact::create_request(&input, &settings);
        let mut as_json = serde_json::to_value(&input).unwrap();
        as_json.as_object_mut().unwrap().remove("companyId");
        let as_lead: LeadInput = serde_json::from_value(as_json).unwrap();
        let _ = lead::lead_request(&as_lead, "name");
        let _ = lead::contact_request(&as_lead, &settings);
        let deal_input = DealInput { name: name.clone(), amount, close_date: start.clone(), custom_fields: input.custom_fields.clone(), ..Default::default() };
        let _ = deal::create_request(&deal_input, &settings);
        let meeting_input = MeetingInput { title: name, start_time: start.clone(), end_time: start, custom_fields: input.custom_fields.clone(), ..Default::default() };
        let _ = meeting::create_request(&meeting_input, &[], &settings);
        // And back: arbitrary property values in a HubSpot answer.
        let body = serde_json::json!({ "id": "1", "properties": response, "createdAt": "2026-01-01T00:00:00Z" });
        let text = body.to_string();
        let object: CrmObject<'_> = serde_json::from_str(&text).unwrap();
        let custom = CustomProperties::new(object.properties.0.iter().map(|(n, _)| n.as_str().to_owned()).collect());
        let ctx = ReadContext { settings: &settings, custom: &custom };
        let _ = contact::to_contact(&object, &Links::default(), &ctx);
        let _ = deal::to_deal(&object, &Links::default(), &ctx);
        let _ = meeting::to_meeting(&object, &Links::default(), Vec::new(), &ctx);
        let _ = company::to_company(&object, &ctx);
    }
}

// ---------------------------------------------------------------------------------------------------
// Round trip through the emulator.

fn word() -> impl Strategy<Value = String> {
    prop_oneof!["[A-Za-z][a-z]{0,12}", "[A-ZÀ-Ý][a-zà-ÿ]{1,10}", "[A-Z][a-z]{1,8} [A-Z][a-z]{1,8}"]
}

fn some_word() -> impl Strategy<Value = Option<Text>> {
    proptest::option::of(word().prop_map(Text::from))
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

prop_compose! {
    fn valid_contact()(first_name in some_word(), last_name in some_word(), phone in proptest::option::of("\\+[1-9][0-9]{6,12}"),
                       company in some_word(), job_title in some_word(), street in some_word(), city in some_word(),
                       state in some_word(), postal_code in proptest::option::of("[0-9]{5}"), country in some_word(),
                       stage in proptest::option::of(proptest::sample::select(LifecycleStage::ALL.to_vec())),
                       owner_id in proptest::option::of(proptest::sample::select(vec!["67823451", "41629779"])),
                       tier in proptest::option::of(word()), score in proptest::option::of(0u8..=10)) -> ContactInput {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let address = Address { street, city, state, postal_code: postal_code.map(Text::from), country }.non_empty();
        let mut custom = CustomFields::new();
        if let Some(tier) = tier { custom.insert("loyalty_tier".into(), tier.into()); }
        if let Some(score) = score { custom.insert("nps_score".into(), score.into()); }
        ContactInput {
            first_name, last_name, email: Some(Text::from(format!("round.trip{n}@example.com"))), phone: phone.map(Text::from),
            company, job_title, address, lifecycle_stage: stage, owner_id: owner_id.map(Text::from),
            company_id: None, tags: None, source: None, custom_fields: (!custom.is_empty()).then_some(custom),
        }
    }
}

fn stores_natively(field: &str) -> bool {
    let support = DESCRIPTOR.resource(ResourceKind::Contact).unwrap();
    support.field(field).is_some_and(|f| f.storage == Storage::Native)
}

#[test]
fn contacts_round_trip_through_the_emulator() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let emulator = runtime.block_on(Emulator::start()).unwrap();
    let client = ProviderClient::builder(&DESCRIPTOR)
        .base_url(emulator.base_url())
        .credentials(Credentials::bearer("sandbox-properties"))
        .build()
        .unwrap();
    let settings = Settings::new();
    let config = ProptestConfig { cases: 48, ..ProptestConfig::default() };
    proptest!(config, |(input in valid_contact())| {
        let call = Call { client: &client, settings: &settings, include_remote_data: false, connection_id: "properties" };
        let created = runtime.block_on(pipeline::create(&DESCRIPTOR, call, &UnifiedInput::Contact(input.clone())));
        let record = match created {
            Ok(created) => match created.record { UnifiedRecord::Contact(record) => record, other => panic!("{other:?}") },
            Err(error) => panic!("{input:?} was refused: {error:?}"),
        };
        let same = [
            ("firstName", record.first_name == input.first_name),
            ("lastName", record.last_name == input.last_name),
            ("email", record.email == input.email),
            ("phone", record.phone == input.phone),
            ("company", record.company == input.company),
            ("jobTitle", record.job_title == input.job_title),
            ("address", record.address == input.address),
            ("lifecycleStage", record.lifecycle_stage == input.lifecycle_stage),
            ("ownerId", record.owner_id == input.owner_id),
        ];
        for (field, equal) in same {
            prop_assert!(stores_natively(field), "{field} is declared native");
            prop_assert!(equal, "{field} did not round-trip: sent {input:?}, got {record:?}");
        }
        // Custom fields come back as HubSpot stores them: text.
        let expected: Option<CustomFields> = input.custom_fields.as_ref().map(|c| {
            c.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.as_str().map_or_else(|| v.to_string(), str::to_owned)))).collect()
        });
        prop_assert_eq!(record.custom_fields, expected);
        prop_assert_eq!(record.owner_name.is_some(), input.owner_id.is_some());
    });
}
