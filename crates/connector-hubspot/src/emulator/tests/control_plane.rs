//! The control plane's bulk seeding.

use std::time::Instant;

use serde_json::json;

use super::{Harness, TOKEN};

#[tokio::test]
async fn twelve_thousand_contacts_seed_at_once_with_one_timestamp() {
    let h = Harness::start().await;
    let at = "2026-05-01T00:00:00.000Z";
    let started = Instant::now();
    let run = h
        .seed("contacts", &json!({"count": 12_000, "properties": {"email": "c{i}@example.com", "lifecyclestage": "lead"}, "updatedAt": at}))
        .await;
    let took = started.elapsed();
    assert_eq!(run.status, 201, "{}", run.body);
    assert_eq!(run.body["created"], 12_000);
    // Tens of milliseconds, even unoptimised.
    assert!(took.as_millis() < 1000, "seeding took {took:?}");
    let first = run.body["firstId"].as_str().unwrap();
    let read = h.get(&format!("/crm/v3/objects/contacts/{first}?properties=email"), Some(TOKEN)).await;
    assert_eq!(
        (read.body["properties"]["email"].as_str(), read.body["updatedAt"].as_str()),
        (Some("c0@example.com"), Some(at))
    );
    let duplicate = h.contact(TOKEN, "C11999@example.com").await;
    assert_eq!(duplicate.status, 409, "seeded e-mails are in the dedupe index");

    let again = h.seed("contacts", &json!({"count": 2, "properties": {"email": "same@example.com"}})).await;
    assert_eq!(again.status, 409, "a run may not repeat an e-mail: {}", again.body);
    let stepped = h
        .seed("deals", &json!({"count": 3, "properties": {"dealname": "D{i}"}, "updatedAt": at, "stepMs": 1000}))
        .await;
    let last = stepped.body["lastId"].as_str().unwrap();
    let read = h.get(&format!("/crm/v3/objects/deals/{last}"), Some(TOKEN)).await;
    assert_eq!(
        (read.body["properties"]["dealname"].as_str(), read.body["updatedAt"].as_str()),
        (Some("D2"), Some("2026-05-01T00:00:02.000Z"))
    );
    assert_eq!(h.seed("deals", &json!({"count": 0})).await.status, 400);
}

#[tokio::test]
async fn arrays_seed_all_or_nothing() {
    let h = Harness::start().await;
    let many = h
        .seed(
            "companies",
            &json!([
                {"properties": {"name": "A"}, "updatedAt": "2026-01-01T00:00:00Z"},
                {"id": "21000000001", "properties": {"name": "B", "hs_lastmodifieddate": "2026-02-01T00:00:00Z"}}
            ]),
        )
        .await;
    assert_eq!(many.status, 201, "{}", many.body);
    assert_eq!(many.body["ids"][1], "21000000001");
    let b = h.get("/crm/v3/objects/companies/21000000001", Some(TOKEN)).await;
    assert_eq!(b.body["updatedAt"], "2026-02-01T00:00:00.000Z", "a modification property sets updatedAt");
    let conflict = h.seed("companies", &json!([{"properties": {"name": "C"}}, {"id": "21000000001"}])).await;
    assert_eq!(conflict.status, 409);
    assert_eq!(h.control_get("/records/companies").await.as_array().map(Vec::len), Some(2), "nothing stored");
}
