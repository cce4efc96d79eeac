//! `PATCH /crm/v3/objects/{type}/{id}`.

use chrono::DateTime;
use serde_json::{Value, json};

use super::{Harness, TOKEN, property_errors};

fn instant(value: &Value) -> DateTime<chrono::FixedOffset> {
    DateTime::parse_from_rfc3339(value.as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn an_update_answers_what_it_wrote_and_moves_the_modification_date() {
    let h = Harness::start().await;
    let id = h
        .create("contacts", &json!({"properties": {"email": "jane@example.com", "firstname": "Jane", "phone": "1"}}))
        .await;
    let path = format!("/crm/v3/objects/contacts/{id}");
    let before = h.get(&path, Some(TOKEN)).await.body;

    let mut last = before["updatedAt"].clone();
    for title in ["COO", "CEO"] {
        // Back to back: each still lands strictly after the one before, so an incremental sync sees it.
        let updated = h
            .patch(&path, &json!({"properties": {"jobtitle": title, "phone": "", "lifecyclestage": "customer"}}))
            .await;
        assert_eq!(updated.status, 200, "{}", updated.body);
        let properties = &updated.body["properties"];
        let names: Vec<&str> = properties.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(names, ["createdate", "hs_object_id", "jobtitle", "lastmodifieddate", "lifecyclestage", "phone"]);
        // The cleared value echoes as written (fixtures/hubspot/*/update-two-fields-one-cleared).
        assert_eq!((&properties["jobtitle"], &properties["phone"]), (&json!(title), &json!("")));
        assert_eq!(properties["lastmodifieddate"], updated.body["updatedAt"]);
        assert!(instant(&updated.body["updatedAt"]) > instant(&last), "{} then {}", last, updated.body["updatedAt"]);
        assert_eq!(updated.body["createdAt"], before["createdAt"]);
        last = updated.body["updatedAt"].clone();
    }
    let read = h.get(&format!("{path}?properties=phone,jobtitle,firstname"), Some(TOKEN)).await;
    assert_eq!(read.body["properties"]["phone"], Value::Null);
    assert_eq!(
        (&read.body["properties"]["jobtitle"], &read.body["properties"]["firstname"]),
        (&json!("CEO"), &json!("Jane"))
    );
    assert_eq!(read.body["updatedAt"], last);

    let by_email = h
        .patch("/crm/v3/objects/contacts/JANE@example.com?idProperty=email", &json!({"properties": {"city": "Oslo"}}))
        .await;
    assert_eq!((by_email.status, by_email.body["id"].as_str()), (200, Some(id.as_str())));
}

#[tokio::test]
async fn updates_are_validated_like_creates() {
    let h = Harness::start().await;
    let id = h.create("contacts", &json!({"properties": {"email": "a@example.com"}})).await;
    let other = h.create("contacts", &json!({"properties": {"email": "b@example.com"}})).await;
    let path = format!("/crm/v3/objects/contacts/{id}");

    let bad = h
        .patch(
            &path,
            &json!({"properties": {"favourite_colour": "blue", "lifecyclestage": "hot", "hs_object_id": "1",
                                   "createdate": "1", "num_notes": "3"}}),
        )
        .await;
    assert_eq!((bad.status, bad.body["category"].as_str()), (400, Some("VALIDATION_ERROR")));
    let errors = property_errors(&bad.body);
    let pairs: Vec<(&str, &str)> = errors.iter().map(|(n, e)| (n.as_str(), e.as_str())).collect();
    assert_eq!(
        pairs,
        [
            ("createdate", "READ_ONLY_VALUE"),
            ("favourite_colour", "PROPERTY_DOESNT_EXIST"),
            ("hs_object_id", "READ_ONLY_VALUE"),
            ("lifecyclestage", "INVALID_OPTION"),
            ("num_notes", "READ_ONLY_VALUE"),
        ]
    );
    let deal = h.create("deals", &json!({"properties": {"dealname": "D", "dealstage": "qualifiedtobuy"}})).await;
    let calculated = h
        .patch(
            &format!("/crm/v3/objects/deals/{deal}"),
            &json!({"properties": {"days_to_close": "3", "amount_in_home_currency": "1"}}),
        )
        .await;
    assert_eq!(property_errors(&calculated.body).len(), 2);
    assert!(calculated.body["message"].as_str().unwrap().contains("days_to_close is a read only property"));

    let taken = h.patch(&path, &json!({"properties": {"email": "B@example.com"}})).await;
    assert_eq!((taken.status, taken.body["category"].as_str()), (409, Some("CONFLICT")));
    assert_eq!(taken.body["message"], format!("Contact already exists. Existing ID: {other}"));
    assert_eq!(h.patch(&path, &json!({"properties": {"email": "A@example.com"}})).await.status, 200, "its own e-mail");
    assert_eq!(h.patch(&path, &json!({"properties": {"email": "new@example.com"}})).await.status, 200);
    assert_eq!(h.contact(TOKEN, "a@example.com").await.status, 201, "the old e-mail is free again");
    assert_eq!(h.contact(TOKEN, "new@example.com").await.status, 409, "the new one is taken");

    let missing = h.patch("/crm/v3/objects/contacts/99999999999", &json!({"properties": {"city": "Oslo"}})).await;
    assert_eq!((missing.status, missing.body["category"].as_str()), (404, Some("OBJECT_NOT_FOUND")));
    h.call(reqwest::Method::DELETE, &format!("/crm/v3/objects/contacts/{other}"), None).await;
    let archived =
        h.patch(&format!("/crm/v3/objects/contacts/{other}"), &json!({"properties": {"city": "Oslo"}})).await;
    assert_eq!(archived.status, 404);
    let broken = h.send(h.http.patch(h.emulator.url(&path)).bearer_auth(TOKEN).body("{")).await;
    assert!(broken.body["message"].as_str().unwrap().starts_with("Invalid input JSON"));
}

#[tokio::test]
async fn deal_updates_answer_with_hs_lastmodifieddate_and_follow_the_stage() {
    let h = Harness::start().await;
    let deal = h
        .create("deals", &json!({"properties": {"dealname": "D", "dealstage": "qualifiedtobuy", "amount": "10"}}))
        .await;
    let updated = h
        .patch(&format!("/crm/objects/2026-03/deals/{deal}"), &json!({"properties": {"dealstage": "contractsent"}}))
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    let properties = &updated.body["properties"];
    assert_eq!(properties["hs_lastmodifieddate"], updated.body["updatedAt"]);
    assert!(properties.get("lastmodifieddate").is_none());
    let read = h
        .get(&format!("/crm/v3/objects/deals/{deal}?properties=hs_deal_stage_probability,dealstage"), Some(TOKEN))
        .await;
    assert_eq!(read.body["properties"]["hs_deal_stage_probability"], "0.9");
    let bad_stage =
        h.patch(&format!("/crm/v3/objects/deals/{deal}"), &json!({"properties": {"dealstage": "won"}})).await;
    assert_eq!(property_errors(&bad_stage.body), [("dealstage".to_owned(), "INVALID_OPTION".to_owned())]);
    // A PATCH body's associations are not read.
    let company = h.create("companies", &json!({"properties": {"name": "C"}})).await;
    let with_associations =
        json!({"properties": {"dealname": "E"}, "associations": [super::association(&company, 341)]});
    assert_eq!(h.patch(&format!("/crm/v3/objects/deals/{deal}"), &with_associations).await.status, 200);
    let linked = h.get(&format!("/crm/v3/objects/deals/{deal}?associations=companies"), Some(TOKEN)).await;
    assert!(linked.body.get("associations").is_none());
}
