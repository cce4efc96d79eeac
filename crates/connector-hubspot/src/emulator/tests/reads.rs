//! Reading one record, a batch of records, and listing a type.

use serde_json::{Value, json};

use super::{Harness, TOKEN, association};

fn keys(value: &Value) -> Vec<&str> {
    value.as_object().unwrap().keys().map(String::as_str).collect()
}

#[tokio::test]
async fn a_read_names_properties_associations_and_archived_records_as_hubspot_does() {
    let h = Harness::start().await;
    let company = h
        .create("companies", &json!({"properties": {"name": "Northwind", "industry": "LOGISTICS_AND_SUPPLY_CHAIN"}}))
        .await;
    let contact = h
        .create(
            "contacts",
            &json!({"properties": {"email": "maria@northwind.example", "phone": "+34 911"},
                    "associations": [association(&company, 1)]}),
        )
        .await;
    assert_eq!(
        h.patch(&format!("/crm/v3/objects/contacts/{contact}"), &json!({"properties": {"phone": ""}})).await.status,
        200
    );

    let read = h
        .get(
            &format!(
                "/crm/v3/objects/contacts/{contact}?properties=email,phone,jobtitle,favourite_colour\
                 &associations=companies,deals"
            ),
            Some(TOKEN),
        )
        .await;
    assert_eq!(read.status, 200, "{}", read.body);
    let properties = &read.body["properties"];
    assert_eq!(keys(properties), ["createdate", "email", "hs_object_id", "lastmodifieddate", "phone"]);
    assert_eq!(properties["phone"], Value::Null, "a cleared value reads back as null");
    assert_eq!(
        read.body["associations"],
        json!({"companies": {"results": [
            {"id": company, "type": "contact_to_company"},
            {"id": company, "type": "contact_to_company_unlabeled"}
        ]}}),
        "a primary association comes with the unlabeled one; types without associations are left out"
    );

    let company_read = h
        .get(
            &format!(
                "/crm/v3/objects/companies/{company}?properties=name,industry,num_associated_contacts\
                 &associations=contacts"
            ),
            Some(TOKEN),
        )
        .await;
    assert_eq!(company_read.body["properties"]["num_associated_contacts"], "1");
    assert_eq!(company_read.body["properties"]["industry"], "LOGISTICS_AND_SUPPLY_CHAIN");
    assert_eq!(company_read.body["properties"]["hs_lastmodifieddate"], company_read.body["updatedAt"]);
    let types: Vec<&Value> = company_read.body["associations"]["contacts"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["type"])
        .collect();
    assert_eq!(types, [&json!("company_to_contact"), &json!("company_to_contact_unlabeled")]);

    let live_only = h.get(&format!("/crm/v3/objects/contacts/{contact}?archived=true"), Some(TOKEN)).await;
    assert_eq!(live_only.status, 404, "archived=true reads only archived records");
    assert_eq!(h.call(reqwest::Method::DELETE, &format!("/crm/v3/objects/contacts/{contact}"), None).await.status, 204);
    let gone = h.get(&format!("/crm/objects/2026-03/contacts/{contact}"), Some(TOKEN)).await;
    assert_eq!(gone.status, 404);
    assert_eq!(keys(&gone.body), ["category", "correlationId", "message", "status"], "nothing else");
    assert_eq!(
        (gone.body["message"].as_str(), gone.body["category"].as_str()),
        (Some("resource not found"), Some("OBJECT_NOT_FOUND"))
    );
    let archived = h.get(&format!("/crm/objects/2026-03/contacts/{contact}?archived=true"), Some(TOKEN)).await;
    assert_eq!((archived.status, &archived.body["archived"]), (200, &json!(true)));
    assert!(archived.body["archivedAt"].is_string());
    let company_after = h
        .get(
            &format!("/crm/v3/objects/companies/{company}?properties=num_associated_contacts&associations=contacts"),
            Some(TOKEN),
        )
        .await;
    assert_eq!(company_after.body["properties"]["num_associated_contacts"], "0", "archived contacts do not count");
    assert!(company_after.body.get("associations").is_none());
}

#[tokio::test]
async fn deals_answer_with_hs_lastmodifieddate_and_calculated_values() {
    let h = Harness::start().await;
    let deal = h
        .create(
            "deals",
            &json!({"properties": {"dealname": "D", "dealstage": "qualifiedtobuy", "amount": "1200",
                                   "closedate": "2099-01-31"}}),
        )
        .await;
    let read = h
        .get(
            &format!("/crm/v3/objects/deals/{deal}?properties=amount_in_home_currency,days_to_close,num_notes"),
            Some(TOKEN),
        )
        .await;
    let properties = &read.body["properties"];
    assert_eq!(properties["amount_in_home_currency"], "1200");
    assert!(properties["days_to_close"].as_str().unwrap().parse::<i64>().unwrap() > 1000);
    assert!(properties.get("num_notes").is_none(), "no value, never written: left out");
    assert_eq!(properties["hs_lastmodifieddate"], read.body["updatedAt"]);
    assert!(properties.get("lastmodifieddate").is_none());
    let defaults = h.get(&format!("/crm/v3/objects/deals/{deal}"), Some(TOKEN)).await;
    assert_eq!(
        keys(&defaults.body["properties"]),
        [
            "amount",
            "closedate",
            "createdate",
            "dealname",
            "dealstage",
            "hs_lastmodifieddate",
            "hs_object_id",
            "pipeline"
        ]
    );
}

#[tokio::test]
async fn lists_page_by_id_without_a_total() {
    let h = Harness::start().await;
    // Seeded out of id order: the list still answers by id.
    for id in ["20000000003", "20000000001", "20000000002"] {
        assert_eq!(h.seed("companies", &json!({"id": id, "properties": {"name": format!("C{id}")}})).await.status, 201);
    }
    for i in 0..10 {
        h.create("companies", &json!({"properties": {"name": format!("N{i}")}})).await;
    }
    let first = h.get("/crm/v3/objects/companies", Some(TOKEN)).await;
    assert_eq!(first.status, 200);
    let results = first.body["results"].as_array().unwrap();
    assert_eq!(results.len(), 10, "limit defaults to 10");
    assert_eq!(results[0]["id"], "20000000001");
    assert!(first.body.get("total").is_none());
    let ids: Vec<u64> = results.iter().map(|r| r["id"].as_str().unwrap().parse().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    let after = first.body["paging"]["next"]["after"].as_str().unwrap().to_owned();
    let link = first.body["paging"]["next"]["link"].as_str().unwrap();
    assert!(link.ends_with(&format!("/crm/v3/objects/companies?after={after}")), "{link}");

    let second = h.get(&format!("/crm/v3/objects/companies?after={after}&properties=name"), Some(TOKEN)).await;
    let rest = second.body["results"].as_array().unwrap();
    assert_eq!(rest.len(), 3);
    assert!(second.body.get("paging").is_none(), "no paging on the last page");
    assert!(rest[0]["properties"]["name"].is_string());

    let all = h.get("/crm/objects/2026-03/companies?limit=100", Some(TOKEN)).await;
    assert_eq!(all.body["results"].as_array().map(Vec::len), Some(13));
    let too_many = h.get("/crm/v3/objects/companies?limit=101", Some(TOKEN)).await;
    assert_eq!((too_many.status, too_many.body["category"].as_str()), (400, Some("VALIDATION_ERROR")));

    assert_eq!(h.call(reqwest::Method::DELETE, "/crm/v3/objects/companies/20000000002", None).await.status, 204);
    let archived = h.get("/crm/v3/objects/companies?archived=true", Some(TOKEN)).await;
    let archived = archived.body["results"].as_array().unwrap();
    assert_eq!(archived.len(), 1, "archived=true lists only archived records");
    assert_eq!((archived[0]["id"].as_str(), archived[0]["archived"].as_bool()), (Some("20000000002"), Some(true)));
    let live = h.get("/crm/v3/objects/companies?limit=100", Some(TOKEN)).await;
    assert_eq!(live.body["results"].as_array().map(Vec::len), Some(12));
}

#[tokio::test]
async fn lists_carry_associations_when_asked() {
    let h = Harness::start().await;
    let company = h.create("companies", &json!({"properties": {"name": "C"}})).await;
    h.create(
        "contacts",
        &json!({"properties": {"email": "a@example.com"}, "associations": [association(&company, 279)]}),
    )
    .await;
    h.create("contacts", &json!({"properties": {"email": "b@example.com"}})).await;
    let page = h.get("/crm/v3/objects/contacts?associations=companies", Some(TOKEN)).await;
    let results = page.body["results"].as_array().unwrap();
    assert_eq!(results[0]["associations"]["companies"]["results"][0]["type"], "contact_to_company_unlabeled");
    assert!(results[1].get("associations").is_none());
}

#[tokio::test]
async fn v3_batch_read_reports_missing_ids_with_207() {
    let h = Harness::start().await;
    let a = h.create("contacts", &json!({"properties": {"email": "a@example.com", "firstname": "A"}})).await;
    let b = h.create("contacts", &json!({"properties": {"email": "b@example.com"}})).await;
    let all = h
        .post(
            "/crm/v3/objects/contacts/batch/read",
            Some(TOKEN),
            &json!({"properties": ["firstname"], "inputs": [{"id": a}, {"id": b}]}),
        )
        .await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(all.body["status"], "COMPLETE");
    assert_eq!(all.body["results"][0]["properties"]["firstname"], "A");
    assert!(all.body["results"][1]["properties"].get("firstname").is_none());
    assert!(all.body.get("errors").is_none());

    let some = h
        .post(
            "/crm/v3/objects/contacts/batch/read",
            Some(TOKEN),
            &json!({"properties": ["email"], "inputs": [{"id": a}, {"id": "99999999999"}]}),
        )
        .await;
    assert_eq!(some.status, 207);
    assert_eq!(some.body["results"].as_array().map(Vec::len), Some(1));
    assert_eq!(some.body["numErrors"], 1);
    assert_eq!(
        some.body["errors"][0],
        json!({"status": "error", "category": "OBJECT_NOT_FOUND",
               "message": "Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.",
               "context": {"ids": ["99999999999"]}})
    );
    let by_email = h
        .post(
            "/crm/v3/objects/contacts/batch/read",
            Some(TOKEN),
            &json!({"idProperty": "email", "inputs": [{"id": "B@example.com"}]}),
        )
        .await;
    assert_eq!(by_email.body["results"][0]["id"], b.as_str());
    let too_many: Vec<_> = (0..101).map(|i| json!({"id": i.to_string()})).collect();
    let refused = h.post("/crm/v3/objects/contacts/batch/read", Some(TOKEN), &json!({"inputs": too_many})).await;
    assert_eq!(refused.status, 400);
}
