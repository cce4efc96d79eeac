//! `GET /api/v1/providers` and `GET /api/v1/providers/{id}`: the registered connectors, from their
//! descriptors (never a hard-coded list).

use std::collections::BTreeMap;

use axum::extract::Path;
use axum::response::Response;
use schemars::JsonSchema;
use serde::Serialize;
use unified_core::descriptor::{AuthKind, Storage};
use unified_core::{ConnectorDescriptor, registry};

use crate::reply::{ApiError, ok};
use crate::request_id::RequestId;

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProviderInfo {
    pub id: &'static str,
    pub name: &'static str,
    /// `oauth2` or `api_key`.
    pub auth_kind: &'static str,
    pub resources: Vec<&'static str>,
    /// Per resource: the operations supported (`create`, `get`, `list`, `update`, `delete`); any other is
    /// answered `unsupported_operation` without a provider call.
    pub operations: BTreeMap<&'static str, Vec<&'static str>>,
    /// Per resource: how each unified field is stored.
    pub fields: BTreeMap<&'static str, Vec<FieldInfo>>,
    /// Per resource: fields the provider requires beyond the unified rules.
    pub required: BTreeMap<&'static str, Vec<&'static str>>,
    /// Per resource: bodies this provider accepts (`{n}` stands for something unique, such as an e-mail's
    /// local part).
    pub examples: BTreeMap<&'static str, ExampleInfo>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ExampleInfo {
    /// A create body.
    #[schemars(schema_with = "body")]
    pub create: serde_json::Value,
    /// An update body that sets one field and clears another.
    #[schemars(schema_with = "body")]
    pub update: serde_json::Value,
}

fn body(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "object", "description": "A request body of the resource" })
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FieldInfo {
    pub field: &'static str,
    /// `native`, `setting` (stored when the connection setting `setting` is set), `create_only` (stored,
    /// but an update cannot change it) or `unsupported`.
    pub support: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setting: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'static str>,
}

impl ProviderInfo {
    pub fn of(d: &ConnectorDescriptor) -> Self {
        let fields = d
            .resources
            .iter()
            .map(|r| {
                let fields = r
                    .fields
                    .iter()
                    .map(|f| match f.storage {
                        Storage::Native => FieldInfo { field: f.field, support: "native", setting: None, note: None },
                        Storage::Setting(key) => {
                            FieldInfo { field: f.field, support: "setting", setting: Some(key), note: None }
                        }
                        Storage::Unsupported(why) => {
                            FieldInfo { field: f.field, support: "unsupported", setting: None, note: Some(why) }
                        }
                        Storage::CreateOnly(why) => {
                            FieldInfo { field: f.field, support: "create_only", setting: None, note: Some(why) }
                        }
                    })
                    .collect();
                (r.resource.as_str(), fields)
            })
            .collect();
        Self {
            id: d.id,
            name: d.name,
            auth_kind: match d.auth {
                AuthKind::Oauth2 => "oauth2",
                AuthKind::ApiKey => "api_key",
            },
            resources: d.resources.iter().map(|r| r.resource.as_str()).collect(),
            operations: d
                .resources
                .iter()
                .map(|r| (r.resource.as_str(), r.operations.iter().map(|o| o.as_str()).collect()))
                .collect(),
            fields,
            required: d.resources.iter().map(|r| (r.resource.as_str(), r.required.to_vec())).collect(),
            examples: d
                .resources
                .iter()
                .map(|r| {
                    let parse = |text: &str| serde_json::from_str(text).unwrap_or(serde_json::Value::Null);
                    (
                        r.resource.as_str(),
                        ExampleInfo { create: parse(r.example.create), update: parse(r.example.update) },
                    )
                })
                .collect(),
        }
    }
}

pub async fn list() -> Response {
    ok(registry::all().into_iter().map(ProviderInfo::of).collect::<Vec<_>>())
}

pub async fn one(request_id: RequestId, Path(id): Path<String>) -> Result<Response, ApiError> {
    let descriptor = registry::lookup(&id).map_err(|e| ApiError::new(e, &request_id))?;
    Ok(ok(ProviderInfo::of(descriptor)))
}
