//! The OpenAPI 3.1 document of the whole API, generated from the same schemars types that parse and
//! serialize the bodies (OpenAPI 3.1 schemas are JSON Schema 2020-12). Snapshot-tested, so every API
//! change is a reviewable diff.

use axum::Json;
use axum::response::{IntoResponse, Response};
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Value, json};
use unified_core::resource::{
    Contact, ContactInput, Deal, DealInput, Lead, LeadInput, Meeting, MeetingInput, ResourceKind,
};
use unified_core::{ErrorEnvelope, Warning, registry};

use crate::routes::connections::{ConnectionInput, ConnectionView};
use crate::routes::providers::ProviderInfo;

pub async fn serve() -> Response {
    Json(document()).into_response()
}

pub fn document() -> Value {
    let mut generator =
        SchemaSettings::draft2020_12().with(|s| s.definitions_path = "/components/schemas".into()).into_generator();
    let error = schema::<ErrorEnvelope>(&mut generator);
    let warning = schema::<Warning>(&mut generator);
    let mut paths = serde_json::Map::new();
    for resource in ResourceKind::ALL {
        let (input, record) = match resource {
            ResourceKind::Contact => (schema::<ContactInput>(&mut generator), schema::<Contact>(&mut generator)),
            ResourceKind::Lead => (schema::<LeadInput>(&mut generator), schema::<Lead>(&mut generator)),
            ResourceKind::Deal => (schema::<DealInput>(&mut generator), schema::<Deal>(&mut generator)),
            ResourceKind::Meeting => (schema::<MeetingInput>(&mut generator), schema::<Meeting>(&mut generator)),
        };
        paths.insert(format!("/api/v1/{resource}"), create_path(resource, input, record, &warning, &error));
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
            "content": { "application/json": { "schema": envelope(200, "OK", data) } }
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
            "responses": merge(json!({ "201": { "description": "Created", "content": { "application/json": { "schema": envelope(201, "Created", connection.clone()) } } } }), errors(&[400, 401, 409, 413, 500]))
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
            "description": "One normalized API (contact, lead, deal, meeting) in front of many CRMs."
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

fn merge(mut a: Value, b: Value) -> Value {
    if let (Some(a), Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
    a
}

fn create_path(resource: ResourceKind, input: Value, record: Value, warning: &Value, _error: &Value) -> Value {
    let providers: Vec<&str> = registry::all().into_iter().filter(|d| d.supports(resource)).map(|d| d.id).collect();
    let data = json!({
        "type": "object",
        "required": ["data"],
        "properties": {
            "data": record,
            "warnings": { "type": "array", "items": warning, "description": "Unified fields this provider could not store (only when non-empty)" },
            "remoteData": { "description": "The provider's raw record (only with includeRemoteData=true)" }
        }
    });
    let error = |codes: &[u16]| -> serde_json::Map<String, Value> {
        codes.iter().map(|c| (c.to_string(), json!({ "$ref": "#/components/responses/Error" }))).collect()
    };
    let mut responses = serde_json::Map::new();
    responses.insert("201".into(), json!({ "description": "Created", "content": { "application/json": { "schema": envelope(201, "Created", data) } } }));
    responses.extend(error(&[400, 401, 404, 409, 413, 422, 429, 500, 502, 504]));
    json!({ "post": {
        "operationId": format!("create{}", capitalized(resource.as_str())),
        "summary": format!("Create a {resource} in the end user's CRM"),
        "parameters": [
            { "name": "provider", "in": "query", "required": true, "schema": { "type": "string", "enum": providers } },
            { "name": "endUserId", "in": "query", "required": true, "schema": { "type": "string" }, "description": "The end user, in the caller's own system" },
            { "name": "includeRemoteData", "in": "query", "required": false, "schema": { "type": "boolean", "default": false } },
            { "name": "Idempotency-Key", "in": "header", "required": false, "schema": { "type": "string", "minLength": 1, "maxLength": 255 },
              "description": "The same key with the same request within 24 h returns the stored response and calls no provider" }
        ],
        "requestBody": { "required": true, "content": { "application/json": { "schema": input } } },
        "responses": responses
    }})
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}
