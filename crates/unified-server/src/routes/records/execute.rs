//! Runs one record call: the pipeline through the connection's provider client, the answer rendered
//! once, and the idempotency key completed or released with it.

use axum::http::StatusCode;
use schemars::JsonSchema;
use serde::Serialize;
use unified_core::connector::Call;
use unified_core::cursor::CursorKey;
use unified_core::pipeline::{self, ListRequest};
use unified_core::resource::UnifiedRecord;
use unified_core::{ConnectorDescriptor, Operation, ResourceKind, UnifiedError, UnifiedInput, UnifiedPatch, Warning};
use unified_store::Connection;

use super::{RecordQuery, RecordRoute, connection};
use crate::app::AppState;
use crate::reply::{Data, Reply};
use crate::request_id::RequestId;

/// The parsed body of a write.
#[derive(Debug)]
pub enum Body {
    Input(UnifiedInput),
    Patch(UnifiedPatch),
    None,
}

/// `data` of a create, get or update: the record, and `warnings` / `remoteData` only when there are any.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(rename = "{T}Data")]
pub struct RecordData<T> {
    pub data: T,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
    /// The provider's raw record (only with includeRemoteData=true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "raw_record")]
    pub remote_data: Option<serde_json::Value>,
}

/// A provider's raw record: a JSON object of the provider's own shape.
fn raw_record(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "object", "description": "The provider's raw record, in its own shape" })
}

fn raw_records(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "array",
        "items": { "type": "object", "description": "The provider's raw record, in its own shape" }
    })
}

/// `data` of a list: the records and the cursor of the next page (`null` on the last).
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(rename = "{T}Page")]
pub struct ListData<T> {
    pub data: Vec<T>,
    pub next_cursor: Option<String>,
    /// The provider's raw records, in the same order (only with includeRemoteData=true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "raw_records")]
    pub remote_data: Option<Vec<serde_json::Value>>,
}

/// `data.data` of a delete.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(rename = "Deleted")]
pub struct DeletedRef {
    pub id: String,
    pub remote_id: String,
}

/// Everything one call needs, owned, so that a write can run in a task of its own.
pub struct Execution {
    pub state: AppState,
    pub descriptor: &'static ConnectorDescriptor,
    pub connection: Connection,
    pub route: &'static RecordRoute,
    pub resource: ResourceKind,
    pub id: String,
    pub body: Body,
    pub query: RecordQuery,
    pub request_id: RequestId,
    pub tenant_id: String,
    /// The claimed (mode-scoped) idempotency key, if any.
    pub key: Option<String>,
}

impl Execution {
    /// Calls the provider, renders the answer (an error too) and completes or releases the key.
    pub async fn run(self) -> Result<Reply, UnifiedError> {
        let outcome = self.call().await;
        let reply = match &outcome {
            Ok(reply) => reply.clone(),
            Err(error) => Reply::error(error, Some(&self.request_id)),
        };
        if let Some(key) = &self.key {
            // Nothing was written when the provider refused the call (rate limit) or the connector's
            // mapping rejected the body before sending: give the key back so that a corrected retry runs.
            // Anything else, errors included, is remembered: a timed-out write may have happened.
            let nothing_written =
                matches!(outcome, Err(UnifiedError::RateLimited { .. } | UnifiedError::Validation { .. }));
            let store = &self.state.store;
            let stored = if nothing_written {
                store.idempotency_release(&self.tenant_id, key).await
            } else {
                store.idempotency_complete(&self.tenant_id, key, reply.status.as_u16(), &reply.body).await
            };
            if let Err(err) = stored {
                tracing::error!(error = %err, "could not store the idempotent response");
            }
        }
        Ok(reply)
    }

    async fn call(&self) -> Result<Reply, UnifiedError> {
        let client = connection::provider_client(&self.state, self.descriptor, &self.connection)?;
        let call = Call {
            client: &client,
            settings: &self.connection.settings,
            include_remote_data: self.query.include_remote_data,
            connection_id: &self.connection.id,
        };
        let (descriptor, resource, id) = (self.descriptor, self.resource, self.id.as_str());
        let status = StatusCode::from_u16(self.route.status).unwrap_or(StatusCode::OK);
        let message = self.route.message;
        let record = |output: unified_core::Created| {
            let data = RecordData { data: output.record, warnings: output.warnings, remote_data: output.remote_data };
            Reply::success(status, message, &data)
        };
        match (self.route.operation, &self.body) {
            (Operation::Create, Body::Input(input)) => record(pipeline::run(descriptor, call, input).await?),
            (Operation::Update, Body::Patch(patch)) => record(pipeline::run_update(descriptor, call, id, patch).await?),
            (Operation::Get, _) => record(pipeline::get(descriptor, call, resource, id).await?),
            (Operation::Delete, _) => {
                pipeline::delete(descriptor, call, resource, id).await?;
                let data = Data { data: DeletedRef { id: id.to_owned(), remote_id: id.to_owned() } };
                Reply::success(status, message, &data)
            }
            (Operation::List, _) => {
                let request = ListRequest {
                    cursor: self.query.cursor.clone(),
                    limit: self.query.limit,
                    updated_since: self.query.updated_since,
                };
                let listed = pipeline::list(descriptor, call, resource, &request, &self.state.cursor_key).await?;
                let data: ListData<UnifiedRecord> =
                    ListData { data: listed.records, next_cursor: listed.next_cursor, remote_data: listed.remote_data };
                Reply::success(status, message, &data)
            }
            (operation, _) => Err(UnifiedError::internal(format!("{operation} reached the provider without its body"))),
        }
    }
}

impl std::fmt::Debug for Execution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Execution")
            .field("provider", &self.descriptor.id)
            .field("operation", &self.route.operation)
            .field("resource", &self.resource)
            .finish_non_exhaustive()
    }
}

/// The key list cursors are sealed with (derived from the store's master key, so every instance on the
/// database opens the cursors of the others).
pub fn cursor_key(store: &dyn unified_store::Store) -> CursorKey {
    CursorKey::new(store.derived_key(b"list cursor"))
}
