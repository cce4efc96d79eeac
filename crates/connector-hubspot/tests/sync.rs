//! An incremental sync past HubSpot's 10,000-result search cap: 10,500 contacts modified since a point
//! (a run of 3,000 sharing one timestamp among them, as an import leaves them) are listed with
//! `updatedSince`, a page of 100 at a time, through the real connector and the emulator over HTTP.
//! Every contact comes back exactly once, in ascending modification time then id.
#![cfg(feature = "emulator")]

use connector_hubspot::DESCRIPTOR;
use connector_hubspot::emulator::Emulator;
use serde_json::{Value, json};
use unified_core::connector::{Call, Settings};
use unified_core::cursor::CursorKey;
use unified_core::pipeline::{self, ListRequest};
use unified_core::resource::ResourceKind;
use unified_core::time::Timestamp;
use unified_core::transport::{Credentials, ProviderClient};

async fn seed(http: &reqwest::Client, emulator: &Emulator, run: Value) -> (u64, u64) {
    let answer: Value = http
        .post(emulator.url("/_emulator/records/contacts"))
        .json(&run)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = |key: &str| answer[key].as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("{answer}"));
    (id("firstId"), id("lastId"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updated_since_lists_every_contact_once_past_the_search_cap() {
    let emulator = Emulator::start().await.unwrap();
    let http = reqwest::Client::new();
    // Before the window: not listed.
    seed(&http, &emulator, json!({"count": 50, "properties": {"email": "old{i}@example.com"}, "updatedAt": "2026-01-01T00:00:00.000Z", "stepMs": 10})).await;
    let runs = [
        json!({"count": 4000, "properties": {"email": "a{i}@example.com"}, "updatedAt": "2026-03-01T00:00:00.000Z", "stepMs": 7}),
        json!({"count": 3000, "properties": {"email": "import{i}@example.com"}, "updatedAt": "2026-03-02T00:00:00.000Z"}),
        json!({"count": 3500, "properties": {"email": "b{i}@example.com"}, "updatedAt": "2026-03-03T00:00:00.000Z", "stepMs": 3}),
    ];
    let mut expected = Vec::new();
    for run in runs {
        let (first, last) = seed(&http, &emulator, run).await;
        expected.extend(first..=last);
    }
    assert_eq!(expected.len(), 10_500);
    // The cap is real here: offset paging of the same search is refused past 10,000 results.
    let search = json!({"filterGroups": [{"filters": [{"propertyName": "lastmodifieddate", "operator": "GTE", "value": "1769904000000"}]}],
        "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}], "limit": 100, "after": "10000"});
    let refused = http
        .post(emulator.url("/crm/v3/objects/contacts/search"))
        .bearer_auth("sandbox-sync")
        .json(&search)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400, "{}", refused.text().await.unwrap());

    let client = ProviderClient::builder(&DESCRIPTOR)
        .base_url(emulator.base_url())
        .credentials(Credentials::bearer("sandbox-sync"))
        .build()
        .unwrap();
    let settings = Settings::new();
    let call = Call { client: &client, settings: &settings, include_remote_data: false, connection_id: "sync" };
    let key = CursorKey::random();
    let since = Timestamp::parse("2026-02-01T00:00:00Z");
    let mut request = ListRequest { cursor: None, limit: Some(100), updated_since: since };
    let mut seen: Vec<(Timestamp, u64)> = Vec::new();
    let mut pages = 0;
    loop {
        let page = pipeline::list(&DESCRIPTOR, call, ResourceKind::Contact, &request, &key).await.unwrap();
        pages += 1;
        assert!(page.records.len() <= 100);
        for record in &page.records {
            let unified_core::UnifiedRecord::Contact(contact) = record else { panic!("a contact") };
            seen.push((contact.updated_at.expect("updatedAt"), contact.id.parse().unwrap()));
        }
        match page.next_cursor {
            Some(cursor) => request.cursor = Some(cursor),
            None => break,
        }
        assert!(pages < 1000, "the list ends");
    }
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "ascending modification time then id, no repeats");
    let mut ids: Vec<u64> = seen.iter().map(|(_, id)| *id).collect();
    ids.sort_unstable();
    assert_eq!(ids, expected, "every contact modified since, exactly once ({pages} pages)");
}
