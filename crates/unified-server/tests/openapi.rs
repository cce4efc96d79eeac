//! The OpenAPI document is snapshotted: every API change shows as a reviewable diff of
//! `tests/snapshots/openapi__document.snap`.

#[test]
fn document() {
    let document = unified_server::openapi::document();
    insta::assert_json_snapshot!(document);
}

#[test]
fn every_schema_reference_resolves() {
    let document = unified_server::openapi::document();
    let text = document.to_string();
    let schemas = document["components"]["schemas"].as_object().unwrap();
    for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = part.split('"').next().unwrap();
        assert!(schemas.contains_key(name), "dangling $ref to {name}");
    }
    for resource in ["contact", "lead", "deal", "meeting"] {
        assert!(document["paths"][format!("/api/v1/{resource}")]["post"].is_object(), "{resource}");
    }
}
