//! The HubSpot contact mapping on the exact bytes of `benches/data/` (copied from the shared bench set):
//!
//! - `a_unified_to_hubspot`: `unified_contact.json` parsed, mapped to HubSpot's create request, serialized.
//! - `b_hubspot_to_unified`: `hubspot_create_response.json` parsed, mapped to the unified record, serialized.
//! - `floor_value_roundtrip`: both payloads parsed as `serde_json::Value` and serialized: the cost of merely
//!   touching the same JSON generically. Target: a + b at most half of the floor.
//! - `c_search_page_to_unified_list`: `hubspot_search_page.json` (100 contacts in the shape of HubSpot's
//!   documented search and batch-read answers: `results` of CRM objects, `paging`) decoded, each record
//!   mapped with the portal's custom properties, and the unified list page serialized;
//!   `floor_search_page_value_roundtrip` is the same bytes through `serde_json::Value`. Target: at most the
//!   floor. Divide by 100 for a record.
//!
//! Run: `cargo bench -p connector-hubspot --bench mapping`.

use connector_hubspot::DESCRIPTOR;
use connector_hubspot::mapping::contact;
use connector_hubspot::mapping::links::Links;
use connector_hubspot::mapping::{CustomProperties, ReadContext};
use connector_hubspot::wire::{CrmObject, ObjectPage};
use divan::{Bencher, black_box};
use unified_core::connector::Settings;
use unified_core::pipeline;
use unified_core::resource::{ResourceKind, UnifiedInput, UnifiedRecord};
use unified_core::transport::{decode_json, encode_json};

const UNIFIED: &[u8] = include_bytes!("data/unified_contact.json");
const HUBSPOT: &[u8] = include_bytes!("data/hubspot_create_response.json");
const SEARCH_PAGE: &[u8] = include_bytes!("data/hubspot_search_page.json");

fn main() {
    divan::main();
}

/// The production path: the pipeline's parser and validation, the mapping, the transport's serializer.
fn unified_to_hubspot(bytes: &[u8], settings: &Settings) -> Vec<u8> {
    let Ok(UnifiedInput::Contact(input)) = pipeline::prepare_json(&DESCRIPTOR, ResourceKind::Contact, bytes) else {
        panic!("the bench body parses")
    };
    let request = contact::create_request(&input, settings).unwrap();
    encode_json(&request).unwrap()
}

/// The production path: the transport's body decoder, the mapping, the server's serializer.
fn hubspot_to_unified(bytes: &[u8], ctx: &ReadContext<'_>) -> Vec<u8> {
    let object: CrmObject<'_> = decode_json(bytes).unwrap();
    let record = UnifiedRecord::Contact(contact::to_contact(&object, &Links::default(), ctx));
    encode_json(&record).unwrap()
}

/// The portal's custom contact properties, as the properties API would list them (a typical portal has
/// a few dozen; the bench record carries none of them).
fn custom_properties() -> CustomProperties {
    CustomProperties::new((0..40).map(|i| format!("custom_property_{i}")).collect())
}

/// The unified list page as the server renders it (`data` of `GET /api/v1/contact`).
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct ListPage<'a> {
    data: Vec<UnifiedRecord>,
    next_cursor: Option<&'a str>,
}

/// The production path: the transport's decoder, the one read mapping per record, the server's serializer.
fn search_page_to_unified(bytes: &[u8], ctx: &ReadContext<'_>) -> Vec<u8> {
    let page: ObjectPage<'_> = decode_json(bytes).unwrap();
    let links = Links::default();
    let data = page.results.iter().map(|o| UnifiedRecord::Contact(contact::to_contact(o, &links, ctx))).collect();
    encode_json(&ListPage { data, next_cursor: Some("eyJrIjoicyJ9") }).unwrap()
}

fn value_roundtrip(bytes: &[u8]) -> Vec<u8> {
    let value: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    serde_json::to_vec(&value).unwrap()
}

#[divan::bench]
fn a_unified_to_hubspot(bencher: Bencher) {
    let settings = Settings::new();
    bencher.bench(|| unified_to_hubspot(black_box(UNIFIED), &settings));
}

#[divan::bench]
fn b_hubspot_to_unified(bencher: Bencher) {
    let settings = Settings::new();
    let custom = custom_properties();
    let ctx = ReadContext { settings: &settings, custom: &custom };
    bencher.bench(|| hubspot_to_unified(black_box(HUBSPOT), &ctx));
}

#[divan::bench]
fn a_plus_b(bencher: Bencher) {
    let settings = Settings::new();
    let custom = custom_properties();
    let ctx = ReadContext { settings: &settings, custom: &custom };
    bencher.bench(|| (unified_to_hubspot(black_box(UNIFIED), &settings), hubspot_to_unified(black_box(HUBSPOT), &ctx)));
}

#[divan::bench]
fn c_search_page_to_unified_list(bencher: Bencher) {
    let mut settings = Settings::new();
    settings.insert("sourceProperty".into(), "lead_source".into());
    let custom = CustomProperties::new(vec!["lead_source".into(), "loyalty_score".into()]);
    let ctx = ReadContext { settings: &settings, custom: &custom };
    bencher.bench(|| search_page_to_unified(black_box(SEARCH_PAGE), &ctx));
}

#[divan::bench]
fn floor_search_page_value_roundtrip(bencher: Bencher) {
    bencher.bench(|| value_roundtrip(black_box(SEARCH_PAGE)));
}

#[divan::bench]
fn floor_value_roundtrip(bencher: Bencher) {
    bencher.bench(|| (value_roundtrip(black_box(UNIFIED)), value_roundtrip(black_box(HUBSPOT))));
}
