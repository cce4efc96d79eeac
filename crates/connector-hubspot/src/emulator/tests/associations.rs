//! The v4 associations API.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Harness, TOKEN, association};

#[tokio::test]
async fn v4_batch_read_reports_each_inputs_associations() {
    let h = Harness::start().await;
    let company = h.create("companies", &json!({"properties": {"name": "Northwind"}})).await;
    let primary = h
        .create(
            "contacts",
            &json!({"properties": {"email": "a@example.com"}, "associations": [association(&company, 1)]}),
        )
        .await;
    let unlabeled = h
        .create(
            "contacts",
            &json!({"properties": {"email": "b@example.com"}, "associations": [association(&company, 279)]}),
        )
        .await;
    let alone = h.create("contacts", &json!({"properties": {"email": "c@example.com"}})).await;

    let inputs = json!({"inputs": [{"id": primary}, {"id": unlabeled}, {"id": alone}]});
    let read = h.post("/crm/v4/associations/contacts/companies/batch/read", Some(TOKEN), &inputs).await;
    assert_eq!(read.status, 207, "an input without associations is an error: {}", read.body);
    assert_eq!(read.body["status"], "COMPLETE");
    let company_number: u64 = company.parse().unwrap();
    assert_eq!(
        read.body["results"],
        json!([
            {"from": {"id": primary}, "to": [{"toObjectId": company_number, "associationTypes": [
                {"category": "HUBSPOT_DEFINED", "typeId": 1, "label": "Primary"},
                {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": null}]}]},
            {"from": {"id": unlabeled}, "to": [{"toObjectId": company_number, "associationTypes": [
                {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": null}]}]}
        ])
    );
    assert_eq!(read.body["numErrors"], 1);
    let error = &read.body["errors"][0];
    assert_eq!(
        (error["category"].as_str(), error["subCategory"].as_str()),
        (Some("OBJECT_NOT_FOUND"), Some("crm.associations.NO_ASSOCIATIONS_FOUND"))
    );
    assert_eq!(error["message"], format!("No company is associated with contact {alone}."));
    assert_eq!(error["context"]["fromObjectId"], json!([alone]));
    assert!(read.body["startedAt"].is_string() && read.body["completedAt"].is_string());

    let back = h
        .post(
            "/crm/associations/2026-03/companies/contacts/batch/read",
            Some(TOKEN),
            &json!({"inputs": [{"id": company}]}),
        )
        .await;
    assert_eq!(back.status, 200, "{}", back.body);
    let to = back.body["results"][0]["to"].as_array().unwrap();
    assert_eq!(to.len(), 2);
    assert_eq!(to[0]["associationTypes"][0]["typeId"], 2, "the company side of contact → primary company");
    assert_eq!(to[1]["associationTypes"][0]["typeId"], 280);
    let listed =
        h.get(&format!("/crm/v4/objects/companies/{company}/associations/contacts?limit=1"), Some(TOKEN)).await;
    assert_eq!(listed.body["results"].as_array().map(Vec::len), Some(1));
    assert_eq!(listed.body["paging"]["next"]["after"], "1");
}

#[tokio::test]
async fn v4_default_and_labeled_associations_are_made_and_removed() {
    let h = Harness::start().await;
    let contact = h.create("contacts", &json!({"properties": {"email": "a@example.com"}})).await;
    let deal = h.create("deals", &json!({"properties": {"dealname": "D", "dealstage": "qualifiedtobuy"}})).await;
    let company = h.create("companies", &json!({"properties": {"name": "C"}})).await;

    let made = h
        .call(Method::PUT, &format!("/crm/v4/objects/deals/{deal}/associations/default/contacts/{contact}"), None)
        .await;
    assert_eq!(made.status, 200, "{}", made.body);
    assert_eq!(made.body["status"], "COMPLETE");
    assert_eq!(
        made.body["results"],
        json!([
            {"from": {"id": deal}, "to": {"id": contact},
             "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}},
            {"from": {"id": contact}, "to": {"id": deal},
             "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 4}}
        ])
    );
    let read = h.get(&format!("/crm/v3/objects/contacts/{contact}?associations=deals"), Some(TOKEN)).await;
    assert_eq!(read.body["associations"]["deals"]["results"], json!([{"id": deal, "type": "contact_to_deal"}]));

    let labeled = h
        .call(
            Method::PUT,
            &format!("/crm/v4/objects/contacts/{contact}/associations/companies/{company}"),
            Some(&json!([{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}])),
        )
        .await;
    assert_eq!(labeled.status, 201, "{}", labeled.body);
    assert_eq!(labeled.body["fromObjectTypeId"], "0-1");
    assert_eq!(labeled.body["toObjectId"], company.parse::<u64>().unwrap());
    assert_eq!(labeled.body["labels"], json!([]), "HubSpot-defined types carry no label here");
    let both = h.get(&format!("/crm/v3/objects/contacts/{contact}?associations=companies"), Some(TOKEN)).await;
    let types: Vec<&Value> =
        both.body["associations"]["companies"]["results"].as_array().unwrap().iter().map(|r| &r["type"]).collect();
    assert_eq!(types, [&json!("contact_to_company"), &json!("contact_to_company_unlabeled")], "a primary brings both");
    let wrong = h
        .call(
            Method::PUT,
            &format!("/crm/v4/objects/contacts/{contact}/associations/companies/{company}"),
            Some(&json!([{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}])),
        )
        .await;
    assert_eq!(wrong.status, 400, "3 is deal → contact");
    let missing = h
        .call(
            Method::PUT,
            &format!("/crm/v4/objects/contacts/99999999999/associations/default/companies/{company}"),
            None,
        )
        .await;
    assert_eq!((missing.status, missing.body["category"].as_str()), (404, Some("OBJECT_NOT_FOUND")));

    let removed = h
        .call(Method::DELETE, &format!("/crm/v4/objects/contacts/{contact}/associations/companies/{company}"), None)
        .await;
    assert_eq!(removed.status, 204);
    assert_eq!(removed.headers[reqwest::header::CONTENT_TYPE], "application/json;charset=utf-8");
    let after = h.get(&format!("/crm/v3/objects/companies/{company}?associations=contacts"), Some(TOKEN)).await;
    assert!(after.body.get("associations").is_none(), "gone from both sides: {}", after.body);
    let stats = h.control_get("/stats").await;
    assert_eq!(stats["requests"]["DELETE /crm/v4/objects/contacts/{objectId}/associations/companies/{toObjectId}"], 1);
}

#[tokio::test]
async fn a_lead_without_its_primary_contact_is_deleted() {
    let h = Harness::start().await;
    let contact = h.create("contacts", &json!({"properties": {"email": "a@example.com"}})).await;
    let lead = h
        .create("leads", &json!({"properties": {"hs_lead_name": "L"}, "associations": [association(&contact, 578)]}))
        .await;
    let removed =
        h.call(Method::DELETE, &format!("/crm/v4/objects/contacts/{contact}/associations/leads/{lead}"), None).await;
    assert_eq!(removed.status, 204);
    assert_eq!(h.get(&format!("/crm/v3/objects/leads/{lead}"), Some(TOKEN)).await.status, 404);
    assert_eq!(h.get(&format!("/crm/v3/objects/leads/{lead}?archived=true"), Some(TOKEN)).await.status, 200);
}
