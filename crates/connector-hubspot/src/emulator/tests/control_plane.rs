//! The control plane's seeding (records in bulk, their values and order, associations, owners) and the
//! locked, migrating and missing-scopes faults.

use std::time::Instant;

use reqwest::header::RETRY_AFTER;
use serde_json::json;

use super::{Harness, TOKEN};

#[tokio::test]
async fn twelve_thousand_contacts_seed_at_once_with_one_timestamp() {
    let h = Harness::start().await;
    let at = "2026-05-01T00:00:00.000Z";
    let started = Instant::now();
    let run = h
        .seed(
            "contacts",
            &json!({"count": 12_000, "properties": {"email": "c{i}@example.com", "lifecyclestage": "lead"},
                    "updatedAt": at}),
        )
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

#[tokio::test]
async fn locked_migrating_and_missing_scopes_faults() {
    let h = Harness::start().await;
    h.control("/faults", &json!({"kind": "locked"})).await;
    let locked = h.contact(TOKEN, "a@example.com").await;
    assert_eq!((locked.status, locked.body["status"].as_str()), (423, Some("error")));
    assert_eq!(locked.body["message"], "The record is locked by another request; retry in a few seconds.");
    assert!(locked.body["correlationId"].is_string());

    h.control("/faults", &json!({"kind": "migrating", "retryAfter": 120})).await;
    let migrating = h.get("/crm/v3/objects/contacts", Some(TOKEN)).await;
    assert_eq!(migrating.status, 477);
    assert_eq!(migrating.headers[RETRY_AFTER], "120");
    assert_eq!(
        migrating.body["message"],
        "This account is being migrated to another data hosting location. Please retry after the time given in \
         the Retry-After header."
    );

    let queued = h.control("/faults", &json!({"kind": "missing_scopes", "count": 2})).await;
    assert_eq!(queued.status, 201);
    let denied = h.post("/crm/v3/objects/deals", Some(TOKEN), &json!({"properties": {}})).await;
    assert_eq!(denied.status, 403);
    assert_eq!(
        denied.body["message"],
        "This app hasn't been granted all required scopes to make this call. Read more about required scopes \
         here: https://developers.hubspot.com/scopes."
    );
    assert_eq!(denied.body["category"], "MISSING_SCOPES");
    assert_eq!(denied.body["errors"][0]["message"], "One or more of the following scopes are required.");
    assert_eq!(denied.body["errors"][0]["context"]["requiredGranularScopes"], json!(["crm.objects.deals.write"]));
    assert_eq!(denied.body["links"]["scopes"], "https://developers.hubspot.com/scopes");
    let keys: Vec<&String> = denied.body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["category", "correlationId", "errors", "links", "message", "status"], "nothing else");
    let search = h.search("meetings", &json!({})).await;
    assert_eq!(search.body["errors"][0]["context"]["requiredGranularScopes"], json!(["crm.objects.contacts.read"]));

    h.control("/faults", &json!({"kind": "missing_scopes", "scopes": ["crm.objects.leads.write"]})).await;
    let named = h.get("/crm/v3/owners", Some(TOKEN)).await;
    assert_eq!(named.body["errors"][0]["context"]["requiredGranularScopes"], json!(["crm.objects.leads.write"]));
    assert_eq!(h.contact(TOKEN, "a@example.com").await.status, 201, "the faults are used up");
    let stats = h.control_get("/stats").await;
    assert_eq!((stats["responses"]["423"].as_u64(), stats["responses"]["477"].as_u64()), (Some(1), Some(1)));
    assert_eq!(stats["responses"]["403"], 3);
}

#[tokio::test]
async fn seeds_keep_cleared_and_empty_values_and_their_order() {
    let h = Harness::start().await;
    let at = "2026-06-01T06:00:00.000Z";
    let seeded = h
        .seed(
            "contacts",
            &json!([
                {"id": "88415400103", "properties": {"email": "c@example.com", "phone": null, "loyalty_score": "",
                                                     "days_to_first_touch": "3"}, "updatedAt": at},
                {"id": "88415400101", "properties": {"email": "a@example.com"}, "updatedAt": at},
                {"id": "88415400102", "properties": {"email": "b@example.com"}, "updatedAt": at}
            ]),
        )
        .await;
    assert_eq!(seeded.status, 201, "{}", seeded.body);
    let read = h
        .get(
            "/crm/v3/objects/contacts/88415400103?properties=phone,loyalty_score,days_to_first_touch,jobtitle",
            Some(TOKEN),
        )
        .await;
    let properties = &read.body["properties"];
    assert_eq!(properties["phone"], json!(null), "a cleared value reads as null");
    assert_eq!(properties["loyalty_score"], "", "an empty text reads as itself");
    assert_eq!(properties["days_to_first_touch"], "3", "a calculation the emulator has no formula for");
    assert!(properties.get("jobtitle").is_none(), "never written: left out");
    // One shared timestamp: the search answers the tie in the seed's order, not by id.
    let search = json!({"sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}]});
    let answer = h.search("contacts", &search).await;
    let ids: Vec<&str> = answer.body["results"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["88415400103", "88415400101", "88415400102"]);
}

#[tokio::test]
async fn associations_and_owners_are_seeded_as_given() {
    let h = Harness::start().await;
    h.seed("contacts", &json!({"id": "88415392071", "properties": {"email": "m@example.com"}})).await;
    h.seed("companies", &json!({"id": "21678228008", "properties": {"name": "N"}})).await;
    let link = |kind: serde_json::Value| {
        let mut link = json!({"fromObjectType": "contacts", "fromObjectId": "88415392071",
                              "toObjectType": "companies", "toObjectId": "21678228008"});
        link.as_object_mut().unwrap().extend(kind.as_object().unwrap().clone());
        link
    };
    let made = h
        .control(
            "/associations",
            &json!([
                link(json!({"associationTypeId": 1})),
                link(json!({"associationType": "contact_to_company_unlabeled"}))
            ]),
        )
        .await;
    assert_eq!((made.status, &made.body["created"]), (201, &json!(2)), "{}", made.body);
    let company = h.get("/crm/v3/objects/companies/21678228008?associations=contacts", Some(TOKEN)).await;
    assert_eq!(
        company.body["associations"]["contacts"]["results"],
        json!([{"id": "88415392071", "type": "company_to_contact"},
               {"id": "88415392071", "type": "company_to_contact_unlabeled"}]),
        "kept on both sides, nothing implied"
    );
    let wrong = h.control("/associations", &json!([link(json!({"associationTypeId": 3}))])).await;
    assert_eq!(wrong.status, 400, "3 is deal → contact");
    let mut absent = link(json!({"associationTypeId": 279}));
    absent["toObjectId"] = json!("21678299999");
    assert_eq!(h.control("/associations", &json!([absent])).await.status, 404);

    let owner = json!({"id": "38106455", "email": "sam.okafor@acme-demo.com", "type": "PERSON",
                       "firstName": "Sam", "lastName": "Okafor", "userId": 7730291,
                       "userIdIncludingInactive": 7730291, "createdAt": "2023-03-02T09:15:21.554Z",
                       "updatedAt": "2026-02-11T12:40:03.227Z", "archived": true});
    assert_eq!(h.control("/owners", &owner).await.status, 201);
    assert_eq!(h.control("/owners", &owner).await.status, 409, "an owner id is taken once");
    assert_eq!(h.get("/crm/v3/owners/38106455", Some(TOKEN)).await.status, 404, "deactivated");
    let read = h.get("/crm/v3/owners/38106455?archived=true", Some(TOKEN)).await;
    assert_eq!(read.body, owner, "answered as seeded, without teams");
    assert_eq!(h.control_get("/owners").await.as_array().map(Vec::len), Some(4));
    h.control("/reset", &json!({})).await;
    assert_eq!(h.control_get("/owners").await.as_array().map(Vec::len), Some(3), "back to the seeded three");
}
