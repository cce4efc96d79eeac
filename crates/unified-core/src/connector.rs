//! What a provider crate implements: one async `create` that sequences mapping and provider calls.

use std::collections::BTreeMap;

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::UnifiedError;
use crate::resource::{UnifiedInput, UnifiedRecord};
use crate::transport::ProviderClient;

/// Per-connection settings (`lifecycleField=Lifecycle__c`, `sourceProperty=lead_source`, ...).
pub type Settings = BTreeMap<String, String>;

/// Everything a connector may use for one create call. No server, key or database in sight.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    /// The provider's API, with auth, timeouts, retries and error classification built in.
    pub client: &'a ProviderClient,
    pub settings: &'a Settings,
    /// Whether the caller asked for the provider's raw record (`includeRemoteData=true`).
    pub include_remote_data: bool,
    /// Identifies the connection, stable across calls: the key for per-connection caches (a provider's
    /// custom-field schema, say). The server passes the connection's id.
    pub connection_id: &'a str,
}

impl Call<'_> {
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings.get(key).map(String::as_str).filter(|v| !v.is_empty())
    }
}

/// A unified field the provider could not store: `{"field": "tags", "message": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Warning {
    pub field: String,
    pub message: String,
}

impl Warning {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// The outcome of a create: the record as the provider stored it.
#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    pub record: UnifiedRecord,
    pub warnings: Vec<Warning>,
    /// The provider's raw record, filled only when [`Call::include_remote_data`] is set.
    pub remote_data: Option<serde_json::Value>,
}

/// A provider connector. Implementations are unit structs, referenced from their
/// [`ConnectorDescriptor`](crate::ConnectorDescriptor) and registered with [`register_connector!`](crate::register_connector).
///
/// The pipeline has already parsed and validated the input, checked that the resource is supported and
/// collected warnings for fields the descriptor says the provider cannot store.
#[async_trait]
pub trait Connector: Send + Sync + 'static {
    async fn create(&self, call: Call<'_>, input: &UnifiedInput) -> Result<Created, UnifiedError>;

    /// The OAuth token endpoint of a connection whose API is at `base_url`, for providers whose access
    /// tokens expire. `None`: tokens never expire (or the provider has no refresh grant). The connection
    /// setting `tokenUrl` overrides it (login hosts, regional accounts servers).
    fn token_url(&self, base_url: &str) -> Option<String> {
        let _ = base_url;
        None
    }
}
