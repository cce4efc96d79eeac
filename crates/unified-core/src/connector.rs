//! What a provider crate implements: [`Operations`] per resource (each method defaults to
//! `unsupported_operation`) and [`Provider`]; one blanket impl type-erases them into [`Connector`] for
//! the registry, so no connector writes a match over operations and resources.

use std::collections::BTreeMap;

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::UnifiedError;
use crate::operation::{ListQuery, Operation, Page};
use crate::resource::{
    Company, Contact, Deal, Lead, Meeting, Resource, ResourceKind, UnifiedInput, UnifiedPatch, UnifiedRecord,
};
use crate::transport::ProviderClient;

/// Per-connection settings (`lifecycleField=Lifecycle__c`, `sourceProperty=lead_source`, ...).
pub type Settings = BTreeMap<String, String>;

/// Everything a connector may use for one call. No server, key or database in sight.
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

/// The outcome of a create, a get or an update: the record as the provider stored it.
#[derive(Debug, Clone, PartialEq)]
pub struct Output<T> {
    pub record: T,
    pub warnings: Vec<Warning>,
    /// The provider's raw record, filled only when [`Call::include_remote_data`] is set.
    pub remote_data: Option<serde_json::Value>,
}

impl<T> Output<T> {
    pub fn new(record: T) -> Self {
        Self { record, warnings: Vec::new(), remote_data: None }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Output<U> {
        Output { record: f(self.record), warnings: self.warnings, remote_data: self.remote_data }
    }
}

/// The outcome of a create, type-erased.
pub type Created = Output<UnifiedRecord>;

/// What a connector does with one resource `R`. Every method defaults to `unsupported_operation`, so a
/// connector implements what its provider has, and its descriptor declares the same (the pipeline
/// refuses an undeclared operation before any call; a test checks the two agree).
///
/// The pipeline has already parsed and validated the body, checked that the operation is declared and
/// collected warnings for fields the descriptor says the provider cannot store.
#[async_trait]
pub trait Operations<R: Resource>: Send + Sync {
    async fn create(&self, call: Call<'_>, input: &R::Input) -> Result<Output<R>, UnifiedError> {
        let _ = input;
        Err(unsupported::<R>(call, Operation::Create))
    }

    async fn get(&self, call: Call<'_>, id: &str) -> Result<Output<R>, UnifiedError> {
        let _ = id;
        Err(unsupported::<R>(call, Operation::Get))
    }

    async fn list(&self, call: Call<'_>, query: &ListQuery) -> Result<Page<R>, UnifiedError> {
        let _ = query;
        Err(unsupported::<R>(call, Operation::List))
    }

    /// Applies `patch` and answers the record as re-read after the change.
    async fn update(&self, call: Call<'_>, id: &str, patch: &R::Patch) -> Result<Output<R>, UnifiedError> {
        let _ = (id, patch);
        Err(unsupported::<R>(call, Operation::Update))
    }

    /// Deletes the record (what the provider calls delete); a record that is not there is `not_found`.
    async fn delete(&self, call: Call<'_>, id: &str) -> Result<(), UnifiedError> {
        let _ = id;
        Err(unsupported::<R>(call, Operation::Delete))
    }
}

fn unsupported<R: Resource>(call: Call<'_>, operation: Operation) -> UnifiedError {
    UnifiedError::unsupported_operation(call.client.provider(), R::KIND, operation)
}

/// What a connector says about its provider beyond the resources.
pub trait Provider: Send + Sync + 'static {
    /// The OAuth token endpoint of a connection whose API is at `base_url`, for providers whose access
    /// tokens expire. `None`: tokens never expire (or the provider has no refresh grant). The connection
    /// setting `tokenUrl` overrides it (login hosts, regional accounts servers).
    fn token_url(&self, base_url: &str) -> Option<String> {
        let _ = base_url;
        None
    }
}

/// A provider connector, type-erased for the registry. Connectors never implement it: they implement
/// [`Provider`] and [`Operations`] for each resource, and the blanket impl below dispatches.
#[async_trait]
pub trait Connector: Send + Sync + 'static {
    async fn create(&self, call: Call<'_>, input: &UnifiedInput) -> Result<Created, UnifiedError>;
    async fn get(&self, call: Call<'_>, resource: ResourceKind, id: &str) -> Result<Created, UnifiedError>;
    async fn list(
        &self,
        call: Call<'_>,
        resource: ResourceKind,
        query: &ListQuery,
    ) -> Result<Page<UnifiedRecord>, UnifiedError>;
    async fn update(&self, call: Call<'_>, id: &str, patch: &UnifiedPatch) -> Result<Created, UnifiedError>;
    async fn delete(&self, call: Call<'_>, resource: ResourceKind, id: &str) -> Result<(), UnifiedError>;
    fn token_url(&self, base_url: &str) -> Option<String>;
}

/// Every type that is a [`Provider`] with [`Operations`] on every resource is a [`Connector`].
pub trait AllResources:
    Provider + Operations<Contact> + Operations<Lead> + Operations<Deal> + Operations<Meeting> + Operations<Company>
{
}

impl<C> AllResources for C where
    C: Provider + Operations<Contact> + Operations<Lead> + Operations<Deal> + Operations<Meeting> + Operations<Company>
{
}

#[async_trait]
impl<C: AllResources> Connector for C {
    async fn create(&self, call: Call<'_>, input: &UnifiedInput) -> Result<Created, UnifiedError> {
        crate::for_each_resource!(input.resource(), R => {
            let input = R::input_from(input).expect("the input is of its own resource");
            Ok(Operations::<R>::create(self, call, input).await?.map(Resource::into_unified))
        })
    }

    async fn get(&self, call: Call<'_>, resource: ResourceKind, id: &str) -> Result<Created, UnifiedError> {
        crate::for_each_resource!(resource, R => Ok(Operations::<R>::get(self, call, id).await?.map(Resource::into_unified)))
    }

    async fn list(
        &self,
        call: Call<'_>,
        resource: ResourceKind,
        query: &ListQuery,
    ) -> Result<Page<UnifiedRecord>, UnifiedError> {
        crate::for_each_resource!(resource, R => Ok(Operations::<R>::list(self, call, query).await?.map(Resource::into_unified)))
    }

    async fn update(&self, call: Call<'_>, id: &str, patch: &UnifiedPatch) -> Result<Created, UnifiedError> {
        crate::for_each_resource!(patch.resource(), R => {
            let patch = R::patch_from(patch).expect("the patch is of its own resource");
            Ok(Operations::<R>::update(self, call, id, patch).await?.map(Resource::into_unified))
        })
    }

    async fn delete(&self, call: Call<'_>, resource: ResourceKind, id: &str) -> Result<(), UnifiedError> {
        crate::for_each_resource!(resource, R => Operations::<R>::delete(self, call, id).await)
    }

    fn token_url(&self, base_url: &str) -> Option<String> {
        Provider::token_url(self, base_url)
    }
}
