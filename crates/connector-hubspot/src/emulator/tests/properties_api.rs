//! `GET /crm/v3/properties/{objectType}`.

use serde_json::{Value, json};

use super::{Harness, TOKEN};

async fn definitions(h: &Harness, path: &str) -> Vec<Value> {
    let answer = h.get(path, Some(TOKEN)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body["results"].as_array().unwrap().clone()
}

fn named<'a>(definitions: &'a [Value], name: &str) -> &'a Value {
    definitions.iter().find(|d| d["name"] == name).unwrap_or_else(|| panic!("no {name}"))
}

#[tokio::test]
async fn the_properties_api_describes_the_portals_schema() {
    let h = Harness::start().await;
    let contacts = definitions(&h, "/crm/v3/properties/contacts").await;
    let email = named(&contacts, "email");
    assert_eq!(
        (&email["type"], &email["fieldType"], &email["label"]),
        (&json!("string"), &json!("text"), &json!("Email"))
    );
    assert_eq!(email["hubspotDefined"], true);
    assert_eq!(email["groupName"], "contactinformation");
    assert_eq!(
        email["modificationMetadata"],
        json!({"archivable": false, "readOnlyDefinition": true, "readOnlyValue": false})
    );
    let lead_source = named(&contacts, "lead_source");
    assert!(lead_source.get("hubspotDefined").is_none(), "HubSpot leaves it out on custom properties");
    assert_eq!(lead_source["modificationMetadata"]["readOnlyDefinition"], false);
    let stage = named(&contacts, "lifecyclestage");
    assert_eq!((&stage["type"], &stage["fieldType"]), (&json!("enumeration"), &json!("radio")));
    assert_eq!(
        stage["options"][0],
        json!({"label": "Subscriber", "value": "subscriber", "displayOrder": 0, "hidden": false})
    );
    for (name, calculated) in
        [("hs_object_id", false), ("createdate", false), ("lastmodifieddate", false), ("num_notes", true)]
    {
        let read_only = named(&contacts, name);
        assert_eq!(
            (read_only["modificationMetadata"]["readOnlyValue"].as_bool(), read_only["calculated"].as_bool()),
            (Some(true), Some(calculated)),
            "{name}"
        );
    }
    // HubSpot's calculated properties show as their kind; a portal's own calculation as an equation.
    assert_eq!(named(&contacts, "num_notes")["fieldType"], "number");
    let equation = named(&contacts, "days_to_first_touch");
    assert_eq!((&equation["fieldType"], &equation["calculated"]), (&json!("calculation_equation"), &json!(true)));
    assert!(equation.get("hubspotDefined").is_none());
    assert_eq!(named(&contacts, "createdate")["type"], "datetime");
    assert_eq!(named(&contacts, "hubspot_owner_id")["externalOptions"], true);

    let deals = definitions(&h, "/crm/properties/2026-03/deals").await;
    for name in ["days_to_close", "amount_in_home_currency"] {
        let calculated = named(&deals, name);
        assert_eq!(
            (calculated["calculated"].as_bool(), calculated["modificationMetadata"]["readOnlyValue"].as_bool()),
            (Some(true), Some(true)),
            "{name}"
        );
    }
    assert_eq!(named(&deals, "deal_currency_code")["type"], "enumeration");
    let companies = definitions(&h, "/crm/v3/properties/0-2").await;
    assert_eq!(named(&companies, "description")["fieldType"], "textarea");
    let industry = named(&companies, "industry");
    assert_eq!(industry["type"], "enumeration");
    let values: Vec<&Value> = industry["options"].as_array().unwrap().iter().map(|o| &o["value"]).collect();
    assert!(values.contains(&&json!("COMPUTER_SOFTWARE")) && values.contains(&&json!("LOGISTICS_AND_SUPPLY_CHAIN")));
    assert_eq!(named(&companies, "num_associated_contacts")["calculated"], true);
    for name in [
        "name",
        "domain",
        "website",
        "phone",
        "address",
        "city",
        "state",
        "zip",
        "country",
        "numberofemployees",
        "annualrevenue",
        "description",
        "hubspot_owner_id",
    ] {
        assert_eq!(named(&companies, name)["modificationMetadata"]["readOnlyValue"], false, "{name}");
    }

    let one = h.get("/crm/v3/properties/contacts/lifecyclestage", Some(TOKEN)).await;
    assert_eq!((one.status, one.body["name"].as_str()), (200, Some("lifecyclestage")));
    let missing = h.get("/crm/v3/properties/contacts/favourite_colour", Some(TOKEN)).await;
    assert_eq!((missing.status, missing.body["category"].as_str()), (404, Some("OBJECT_NOT_FOUND")));
    assert_eq!(h.get("/crm/v3/properties/contacts?archived=true", Some(TOKEN)).await.body, json!({"results": []}));
    assert_eq!(h.get("/crm/v3/properties/widgets", Some(TOKEN)).await.status, 400);
    assert_eq!(h.get("/crm/v3/properties/contacts", None).await.status, 401);

    // An industry outside the options is HubSpot's INVALID_OPTION.
    let bad = h
        .post("/crm/v3/objects/companies", Some(TOKEN), &json!({"properties": {"name": "C", "industry": "Software"}}))
        .await;
    assert_eq!(super::property_errors(&bad.body), [("industry".to_owned(), "INVALID_OPTION".to_owned())]);
}
