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
    for resource in ["contact", "lead", "deal", "meeting", "company"] {
        assert!(document["paths"][format!("/api/v1/{resource}")]["post"].is_object(), "{resource}");
    }
}

/// Every record route the router mounts is in the document, for every resource, with its operation id.
#[test]
fn every_record_operation_of_the_route_table_is_described() {
    use unified_core::ResourceKind;
    use unified_server::routes::records::RECORD_ROUTES;
    let document = unified_server::openapi::document();
    let mut ids = Vec::new();
    for resource in ResourceKind::ALL {
        for route in &RECORD_ROUTES {
            let path = route.path.replace("{resource}", resource.as_str());
            let operation = &document["paths"][&path][route.method.to_ascii_lowercase()];
            assert!(operation.is_object(), "{} {path}", route.method);
            assert_eq!(operation["tags"], serde_json::json!([resource.title()]), "{path}");
            assert!(operation["responses"][route.status.to_string()].is_object(), "{path}");
            ids.push(operation["operationId"].as_str().unwrap().to_owned());
        }
    }
    for expected in ["listContacts", "getContact", "updateDeal", "deleteMeeting", "createCompany", "listCompanies"] {
        assert!(ids.iter().any(|id| id == expected), "{expected} in {ids:?}");
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "operation ids are unique");
}
