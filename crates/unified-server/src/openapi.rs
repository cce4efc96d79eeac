//! The OpenAPI 3.1 document of the whole API, generated from the same schemars types that parse and
//! serialize the bodies (OpenAPI 3.1 schemas are JSON Schema 2020-12). Snapshot-tested, so every API
//! change is a reviewable diff.

use axum::Json;
use axum::response::{IntoResponse, Response};
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Value, json};
use unified_core::resource::{Resource, ResourceKind};
use unified_core::{ErrorEnvelope, Operation, for_each_resource, registry};

use crate::reply::Data;
use crate::routes::connections::{ConnectionInput, ConnectionView};
use crate::routes::providers::ProviderInfo;
use crate::routes::records::{DeletedRef, ListData, RECORD_ROUTES, RecordData, RecordRoute, query};

pub async fn serve() -> Response {
    Json(document()).into_response()
}

pub fn document() -> Value {
    let mut generator =
        SchemaSettings::draft2020_12().with(|s| s.definitions_path = "/components/schemas".into()).into_generator();
    let error = schema::<ErrorEnvelope>(&mut generator);
    let mut paths = serde_json::Map::new();
    for resource in ResourceKind::ALL {
        for route in &RECORD_ROUTES {
            let path = route.path.replace("{resource}", resource.as_str());
            let operation = for_each_resource!(resource, R => record_operation::<R>(&mut generator, route));
            let entry = paths.entry(path).or_insert_with(|| json!({}));
            entry[route.method.to_ascii_lowercase()] = operation;
        }
    }
    let provider = schema::<ProviderInfo>(&mut generator);
    let connection_input = schema::<ConnectionInput>(&mut generator);
    let connection = schema::<ConnectionView>(&mut generator);
    let errors = |codes: &[u16]| -> Value {
        codes
            .iter()
            .map(|c| (c.to_string(), json!({ "$ref": format!("#/components/responses/Error") })))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let ok = |data: Value| {
        json!({
            "description": "OK",
            "content": { "application/json": { "schema": envelope(200, "OK", data_of(data)) } }
        })
    };
    paths.insert(
        "/api/v1/providers".into(),
        json!({ "get": {
            "operationId": "listProviders", "summary": "The registered connectors", "security": [],
            "responses": { "200": ok(json!({ "type": "array", "items": provider })) }
        }}),
    );
    paths.insert("/api/v1/providers/{id}".into(), json!({ "get": {
        "operationId": "getProvider", "summary": "One connector: resources and per-resource field support", "security": [],
        "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
        "responses": { "200": ok(provider.clone()), "400": errors(&[400])["400"] }
    }}));
    paths.insert("/api/v1/schemas/{resource}".into(), json!({ "get": {
        "operationId": "getSchema", "summary": "The JSON Schema of a resource's input body", "security": [],
        "parameters": [{ "name": "resource", "in": "path", "required": true, "schema": resource_enum() }],
        "responses": { "200": { "description": "A JSON Schema", "content": { "application/json": { "schema": { "type": "object" } } } }, "404": errors(&[404])["404"] }
    }}));
    paths.insert("/api/v1/openapi.json".into(), json!({ "get": {
        "operationId": "getOpenApi", "summary": "This document", "security": [],
        "responses": { "200": { "description": "OpenAPI 3.1", "content": { "application/json": { "schema": { "type": "object" } } } } }
    }}));
    paths.insert("/api/v1/connections".into(), json!({
        "post": {
            "operationId": "createConnection", "summary": "Register an end user's provider connection (credentials are write-only)",
            "requestBody": { "required": true, "content": { "application/json": { "schema": connection_input } } },
            "responses": merge(json!({ "201": { "description": "Created", "content": { "application/json": { "schema": envelope(201, "Created", data_of(connection.clone())) } } } }), errors(&[400, 401, 409, 413, 500]))
        },
        "get": {
            "operationId": "listConnections", "summary": "The caller's connections (this tenant and mode)",
            "parameters": [{ "name": "endUserId", "in": "query", "required": false, "schema": { "type": "string" } }],
            "responses": merge(json!({ "200": ok(json!({ "type": "array", "items": connection })) }), errors(&[400, 401, 500]))
        }
    }));
    paths.insert(
        "/api/v1/connections/{id}".into(),
        json!({ "delete": {
            "operationId": "deleteConnection", "summary": "Remove a connection",
            "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
            "responses": merge(json!({ "204": { "description": "Deleted" } }), errors(&[401, 404, 500]))
        }}),
    );
    for (path, id, summary) in
        [("/healthz", "liveness", "The process answers"), ("/readyz", "readiness", "The store answers")]
    {
        paths.insert(
            path.into(),
            json!({ "get": { "operationId": id, "summary": summary, "security": [],
            "responses": { "200": { "description": "OK" }, "503": { "description": "Not ready" } } } }),
        );
    }
    paths.insert("/metrics".into(), json!({ "get": { "operationId": "metrics", "summary": "Prometheus metrics", "security": [],
        "responses": { "200": { "description": "OpenMetrics text", "content": { "application/openmetrics-text": { "schema": { "type": "string" } } } } } } }));

    let schemas: serde_json::Map<String, Value> = generator.take_definitions(true).into_iter().collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "unified CRM API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "One normalized API (contact, lead, deal, meeting, company) in front of many CRMs."
        },
        "servers": [{ "url": "http://127.0.0.1:5001" }],
        "security": [{ "apiKey": [] }],
        "paths": paths,
        "components": {
            "securitySchemes": { "apiKey": { "type": "http", "scheme": "bearer", "description": "sk_live_... (live) or sk_test_... (sandbox)" } },
            "responses": { "Error": { "description": "The error envelope", "content": { "application/json": { "schema": error } } } },
            "schemas": schemas
        }
    })
}

fn schema<T: JsonSchema>(generator: &mut SchemaGenerator) -> Value {
    generator.subschema_for::<T>().to_value()
}

fn resource_enum() -> Value {
    json!({ "type": "string", "enum": ResourceKind::ALL.map(ResourceKind::as_str) })
}

fn envelope(status: u16, message: &str, data: Value) -> Value {
    json!({
        "type": "object",
        "required": ["success", "statusCode", "message", "data"],
        "properties": {
            "success": { "const": true },
            "statusCode": { "const": status },
            "message": { "const": message },
            "data": data
        }
    })
}

/// `{"data": <schema>}`: the `data` of an answer that is one object or one list.
fn data_of(schema: Value) -> Value {
    json!({ "type": "object", "required": ["data"], "properties": { "data": schema } })
}

fn merge(mut a: Value, b: Value) -> Value {
    if let (Some(a), Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
    a
}

/// One record operation on resource `R`, from its route: parameters, body, success and errors.
fn record_operation<R: Resource>(generator: &mut SchemaGenerator, route: &RecordRoute) -> Value {
    let resource = R::KIND;
    let operation = route.operation;
    let supported: Vec<&str> =
        registry::all().into_iter().filter(|d| d.supports_operation(resource, operation)).map(|d| d.id).collect();
    let supported = if supported.is_empty() { "none yet".to_owned() } else { supported.join(", ") };
    let (operation_id, summary, data) = match operation {
        Operation::Create => (
            format!("create{}", resource.title()),
            format!("Create a {resource} in the end user's CRM"),
            schema::<RecordData<R>>(generator),
        ),
        Operation::Get => (
            format!("get{}", resource.title()),
            format!("Read one {resource} by id"),
            schema::<RecordData<R>>(generator),
        ),
        Operation::List => (
            format!("list{}", resource.plural_title()),
            format!("List {resource} records, a page at a time; with updatedSince, in ascending modification time"),
            schema::<ListData<R>>(generator),
        ),
        Operation::Update => (
            format!("update{}", resource.title()),
            format!("Change fields of a {resource} (null clears one); answers the record as re-read"),
            schema::<RecordData<R>>(generator),
        ),
        Operation::Delete => (
            format!("delete{}", resource.title()),
            format!("Delete a {resource} (what the provider calls delete)"),
            schema::<Data<DeletedRef>>(generator),
        ),
    };
    let providers: Vec<&str> = registry::ids();
    let mut parameters = Vec::new();
    if route.path.contains("{id}") {
        parameters.push(json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "string" },
            "description": "The record's id (= remoteId), percent-encoded" }));
    }
    for key in query::allowed(operation) {
        parameters.push(match *key {
            "provider" => json!({ "name": "provider", "in": "query", "required": true,
                "schema": { "type": "string", "enum": providers },
                "description": format!("A registered connector; {operation} on {resource} is supported by: {supported}") }),
            "endUserId" => json!({ "name": "endUserId", "in": "query", "required": true, "schema": { "type": "string" },
                "description": "The end user, in the caller's own system" }),
            "includeRemoteData" => json!({ "name": "includeRemoteData", "in": "query", "required": false,
                "schema": { "type": "boolean", "default": false }, "description": "Add the provider's raw record(s) as remoteData" }),
            "limit" => json!({ "name": "limit", "in": "query", "required": false,
                "schema": { "type": "integer", "minimum": 1, "maximum": 100, "default": 50 } }),
            "cursor" => json!({ "name": "cursor", "in": "query", "required": false, "schema": { "type": "string" },
                "description": "nextCursor of the previous page, with the same query" }),
            "updatedSince" => json!({ "name": "updatedSince", "in": "query", "required": false,
                "schema": { "type": "string", "format": "date-time" },
                "description": "Only records modified at or after this instant, oldest first, then by id" }),
            other => json!({ "name": other, "in": "query", "required": false, "schema": { "type": "string" } }),
        });
    }
    if route.writes() {
        parameters.push(json!({ "name": "Idempotency-Key", "in": "header", "required": false,
            "schema": { "type": "string", "minLength": 1, "maxLength": 255 },
            "description": "The same key with the same request within 24 h returns the stored response and calls no provider" }));
    }
    let errors: &[u16] = match operation {
        Operation::Create | Operation::Update => &[400, 401, 404, 409, 413, 422, 429, 500, 502, 504],
        Operation::Delete => &[400, 401, 404, 409, 422, 429, 500, 502, 504],
        Operation::Get | Operation::List => &[400, 401, 404, 422, 429, 500, 502, 504],
    };
    let mut responses = serde_json::Map::new();
    responses.insert(
        route.status.to_string(),
        json!({ "description": route.message, "content": { "application/json": { "schema": envelope(route.status, route.message, data) } } }),
    );
    responses.extend(errors.iter().map(|c| (c.to_string(), json!({ "$ref": "#/components/responses/Error" }))));
    let mut operation_doc = json!({
        "operationId": operation_id,
        "summary": summary,
        "tags": [resource.title()],
        "parameters": parameters,
        "responses": responses
    });
    match operation {
        Operation::Create => {
            let input = schema::<R::Input>(generator);
            operation_doc["requestBody"] =
                json!({ "required": true, "content": { "application/json": { "schema": input } } });
        }
        Operation::Update => {
            let patch = schema::<R::Patch>(generator);
            operation_doc["requestBody"] =
                json!({ "required": true, "content": { "application/json": { "schema": patch } } });
        }
        _ => {}
    }
    operation_doc
}
