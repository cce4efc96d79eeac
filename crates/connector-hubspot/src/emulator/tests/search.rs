//! `POST /crm/v3/objects/{type}/search`.

use serde_json::{Value, json};

use super::{Harness, association};

fn filter(property: &str, operator: &str, value: Value) -> Value {
    let mut filter = json!({"propertyName": property, "operator": operator});
    match value {
        Value::Null => {}
        Value::Array(values) => filter["values"] = json!(values),
        value => filter["value"] = value,
    }
    filter
}

fn ids(answer: &Value) -> Vec<String> {
    answer["results"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
}

/// Three contacts, created in order, with what the filters below look at.
async fn contacts(h: &Harness) -> [String; 3] {
    let mut ids = Vec::new();
    for (email, first, stage, score, created) in [
        ("maria@northwind.com", "María", "lead", "10", "2026-01-01T00:00:00Z"),
        ("tom@contoso.com", "Tom Becker", "customer", "55.5", "2026-02-01T00:00:00Z"),
        ("ana@northwind.com", "Ana", "Lead", "99", "2026-03-01T00:00:00Z"),
    ] {
        let body = json!({"properties": {"email": email, "firstname": first, "lifecyclestage": stage,
                                         "annualrevenue": score},
                          "createdAt": created, "updatedAt": created});
        let seeded = h.seed("contacts", &body).await;
        assert_eq!(seeded.status, 201, "{}", seeded.body);
        ids.push(seeded.body["id"].as_str().unwrap().to_owned());
    }
    ids.try_into().unwrap()
}

#[tokio::test]
async fn operators_match_as_hubspot_does() {
    let h = Harness::start().await;
    let [maria, tom, ana] = contacts(&h).await;
    let one = |f: Value| json!({"filterGroups": [{"filters": [f]}]});
    let cases: Vec<(Value, Vec<&String>)> = vec![
        (filter("email", "EQ", json!("MARIA@northwind.com")), vec![&maria]),
        (filter("email", "NEQ", json!("maria@northwind.com")), vec![&tom, &ana]),
        (filter("lifecyclestage", "EQ", json!("lead")), vec![&maria]),
        (filter("annualrevenue", "GT", json!("55.5")), vec![&ana]),
        (filter("annualrevenue", "GTE", json!(55.5)), vec![&tom, &ana]),
        (filter("annualrevenue", "LT", json!("9.5")), vec![]),
        (filter("annualrevenue", "LTE", json!("10")), vec![&maria]),
        (
            json!({"propertyName": "annualrevenue", "operator": "BETWEEN", "value": "10", "highValue": "56"}),
            vec![&maria, &tom],
        ),
        (filter("lifecyclestage", "IN", json!(["customer", "Lead"])), vec![&tom, &ana]),
        (filter("email", "IN", json!(["tom@contoso.com", "ANA@northwind.com"])), vec![&tom]),
        (filter("lifecyclestage", "NOT_IN", json!(["lead"])), vec![&tom, &ana]),
        (filter("jobtitle", "NOT_HAS_PROPERTY", Value::Null), vec![&maria, &tom, &ana]),
        (filter("firstname", "HAS_PROPERTY", Value::Null), vec![&maria, &tom, &ana]),
        (filter("email", "CONTAINS_TOKEN", json!("*@northwind.com")), vec![&maria, &ana]),
        (filter("firstname", "CONTAINS_TOKEN", json!("becker")), vec![&tom]),
        (filter("firstname", "NOT_CONTAINS_TOKEN", json!("becker")), vec![&maria, &ana]),
        (filter("createdate", "GTE", json!("1769904000000")), vec![&tom, &ana]),
        (filter("createdate", "LT", json!("2026-02-01T00:00:00Z")), vec![&maria]),
        (filter("lastmodifieddate", "GT", json!("2026-02-01")), vec![&ana]),
        (filter("hs_object_id", "GT", json!(maria)), vec![&tom, &ana]),
    ];
    for (f, expected) in cases {
        let answer = h.search("contacts", &one(f.clone())).await;
        assert_eq!(answer.status, 200, "{f}: {}", answer.body);
        let expected: Vec<String> = expected.into_iter().cloned().collect();
        assert_eq!(ids(&answer.body), expected, "{f}");
        assert_eq!(answer.body["total"], expected.len(), "{f}");
    }

    // AND inside a group, OR across groups.
    let body = json!({"filterGroups": [
        {"filters": [filter("email", "CONTAINS_TOKEN", json!("*@northwind.com")),
                     filter("annualrevenue", "GT", json!("50"))]},
        {"filters": [filter("firstname", "EQ", json!("tom becker"))]}
    ]});
    assert_eq!(ids(&h.search("contacts", &body).await.body), [tom.clone(), ana.clone()]);
    let query = h.search("contacts", &json!({"query": "northwind"})).await;
    assert_eq!(ids(&query.body), [maria.clone(), ana.clone()]);
}

#[tokio::test]
async fn sorts_pages_and_answers_in_hubspots_shape() {
    let h = Harness::start().await;
    let [maria, tom, ana] = contacts(&h).await;
    // A fourth contact created last that shares Tom's score: the tie goes by id.
    let last = h.seed("contacts", &json!({"properties": {"email": "zed@example.com", "annualrevenue": "55.5"}})).await;
    let zed = last.body["id"].as_str().unwrap().to_owned();

    let unsorted = h.search("contacts", &json!({})).await;
    assert_eq!(ids(&unsorted.body), [&maria, &tom, &ana, &zed].map(String::clone), "oldest created first");
    let result = &unsorted.body["results"][0];
    let names: Vec<&str> = result["properties"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(names, ["createdate", "email", "firstname", "hs_object_id", "lastmodifieddate"]);
    assert!(result.get("associations").is_none());

    let sorted = json!({"sorts": [{"propertyName": "annualrevenue", "direction": "DESCENDING"}, {"propertyName": "email"}],
                        "properties": ["annualrevenue"], "limit": 2});
    let page = h.search("contacts", &sorted).await;
    assert_eq!((page.body["total"].as_u64(), ids(&page.body)), (Some(4), vec![ana.clone(), tom.clone()]));
    assert_eq!(page.body["paging"], json!({"next": {"after": "2"}}));
    assert_eq!(page.body["results"][0]["properties"]["annualrevenue"], "99");
    let mut next = sorted.clone();
    next["after"] = json!("2");
    let rest = h.search("contacts", &next).await;
    assert_eq!(ids(&rest.body), [zed.clone(), maria.clone()]);
    assert!(rest.body.get("paging").is_none(), "no paging on the last page");

    h.call(reqwest::Method::DELETE, &format!("/crm/v3/objects/contacts/{tom}"), None).await;
    let ascending =
        h.search("contacts", &json!({"sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}]})).await;
    assert_eq!(ids(&ascending.body), [&maria, &ana, &zed].map(String::clone), "archived records never appear");

    let company = h.create("companies", &json!({"properties": {"name": "C"}})).await;
    let linked = h
        .create(
            "contacts",
            &json!({"properties": {"email": "l@example.com"}, "associations": [association(&company, 279)]}),
        )
        .await;
    let by_company = json!({"filterGroups": [{"filters": [filter("associations.company", "EQ", json!(company))]}]});
    assert_eq!(ids(&h.search("contacts", &by_company).await.body), [linked]);
}

#[tokio::test]
async fn incremental_search_on_each_types_modification_property() {
    let h = Harness::start().await;
    let seeded = "2020-05-01T00:00:00.000Z";
    for (ty, properties) in [
        ("contacts", json!({"email": "a@example.com"})),
        ("deals", json!({"dealname": "D", "dealstage": "qualifiedtobuy"})),
        ("companies", json!({"name": "C"})),
        ("leads", json!({"hs_lead_name": "L"})),
        ("meetings", json!({"hs_timestamp": "2026-06-02T13:00:00Z"})),
    ] {
        let old = h.seed(ty, &json!({"properties": properties, "createdAt": seeded, "updatedAt": seeded})).await;
        let old = old.body["id"].as_str().unwrap().to_owned();
        let mut fresh = properties.clone();
        if ty == "contacts" {
            fresh["email"] = json!("b@example.com");
        }
        let fresh = h.seed(ty, &json!({"properties": fresh})).await.body["id"].as_str().unwrap().to_owned();
        let modified = if ty == "contacts" { "lastmodifieddate" } else { "hs_lastmodifieddate" };
        // 2021-01-01: after the old record, before the fresh one.
        let body = json!({"filterGroups": [{"filters": [filter(modified, "GTE", json!("1609459200000"))]}],
                          "sorts": [{"propertyName": modified, "direction": "ASCENDING"}], "properties": [modified]});
        let answer = h.search(ty, &body).await;
        assert_eq!(answer.status, 200, "{ty}: {}", answer.body);
        assert_eq!(ids(&answer.body), std::slice::from_ref(&fresh), "{ty}");
        assert_eq!(answer.body["results"][0]["properties"][modified], answer.body["results"][0]["updatedAt"], "{ty}");
        // The update lands after the cursor, and after the fresh record.
        h.control("/clock", &json!({"advanceSeconds": 1})).await;
        let patched = h
            .patch(&format!("/crm/v3/objects/{ty}/{old}"), &json!({"properties": {"hubspot_owner_id": "41629779"}}))
            .await;
        assert_eq!(patched.status, 200, "{ty}: {}", patched.body);
        assert_eq!(ids(&h.search(ty, &body).await.body), [fresh, old], "{ty}");
    }
}

#[tokio::test]
async fn hubspots_search_limits() {
    let h = Harness::start().await;
    let group = |n: usize| json!({"filters": vec![filter("email", "HAS_PROPERTY", Value::Null); n]});
    let refused = |answer: &super::Answer| answer.status == 400 && answer.body["category"] == "VALIDATION_ERROR";
    assert!(refused(&h.search("contacts", &json!({"filterGroups": vec![group(1); 6]})).await), "6 groups");
    assert!(refused(&h.search("contacts", &json!({"filterGroups": [group(7)]})).await), "7 filters in a group");
    assert!(refused(&h.search("contacts", &json!({"filterGroups": [group(6), group(6), group(6), group(1)]})).await));
    assert_eq!(h.search("contacts", &json!({"filterGroups": [group(6), group(6), group(6)]})).await.status, 200);
    assert_eq!(h.search("contacts", &json!({"filterGroups": vec![group(1); 5]})).await.status, 200);
    assert!(refused(&h.search("contacts", &json!({"limit": 201})).await));
    assert_eq!(h.search("contacts", &json!({"limit": "200"})).await.status, 200);
    assert!(refused(&h.search("contacts", &json!({"sorts": [{"propertyName": "nope"}]})).await));
    assert!(refused(&h.search("contacts", &json!({"after": "ten"})).await));
    let long = json!({"query": "x".repeat(3000)});
    let too_long = h.search("contacts", &long).await;
    assert!(refused(&too_long), "{}", too_long.body);
    let unknown = h
        .search("contacts", &json!({"filterGroups": [{"filters": [filter("favourite_colour", "EQ", json!("blue"))]}]}))
        .await;
    assert!(refused(&unknown));
    assert!(refused(
        &h.search("contacts", &json!({"filterGroups": [{"filters": [filter("email", "LIKE", json!("x"))]}]})).await
    ));
}

#[tokio::test]
async fn paging_stops_at_10000_results_and_a_tie_breaker_reads_on() {
    let h = Harness::start().await;
    // An import: 10,050 contacts modified in the same millisecond.
    let at = "2026-05-01T00:00:00.000Z";
    let run = h
        .seed("contacts", &json!({"count": 10_050, "properties": {"email": "c{i}@example.com"}, "updatedAt": at}))
        .await;
    assert_eq!(run.status, 201, "{}", run.body);
    let cursor = json!("1777593600000");
    let search = |after: usize, tie: Option<&str>| {
        let mut filters = vec![filter("lastmodifieddate", "GTE", cursor.clone())];
        if let Some(id) = tie {
            filters.push(filter("hs_object_id", "GT", json!(id)));
        }
        json!({"filterGroups": [{"filters": filters}], "limit": 200, "after": after.to_string(),
               "properties": ["email"],
               "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}]})
    };
    let last_page = h.search("contacts", &search(9800, None)).await;
    assert_eq!(last_page.status, 200);
    assert_eq!(
        (last_page.body["total"].as_u64(), &last_page.body["paging"]["next"]["after"]),
        (Some(10_050), &json!("10000"))
    );
    let beyond = h.search("contacts", &search(10_000, None)).await;
    assert_eq!((beyond.status, beyond.body["category"].as_str()), (400, Some("VALIDATION_ERROR")));
    assert!(beyond.body["message"].as_str().unwrap().contains("10000"), "{}", beyond.body);
    assert_eq!(
        h.search("contacts", &json!({"limit": 10, "after": "9995"})).await.status,
        400,
        "after + limit past the cap"
    );

    // Every record shares the timestamp: the id tie-breaker reads the rest.
    let last_id = last_page.body["results"][199]["id"].as_str().unwrap().to_owned();
    let rest = h.search("contacts", &search(0, Some(&last_id))).await;
    assert_eq!(rest.body["total"], 50);
    assert_eq!(rest.body["results"][0]["properties"]["email"], "c10000@example.com");
}
