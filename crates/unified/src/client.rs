//! A small client for embedding: look the connector up in the registry, build the provider client,
//! run the pipeline of the operation.

use std::sync::Arc;
use std::time::Duration;

use unified_core::connector::{Call, Created, Settings};
use unified_core::cursor::CursorKey;
use unified_core::error::UnifiedError;
use unified_core::pipeline::{ListRequest, Listed};
use unified_core::resource::{ResourceKind, UnifiedInput, UnifiedPatch};
use unified_core::transport::{Backend, Credentials, ProviderClient, RetryPolicy};
use unified_core::{ConnectorDescriptor, pipeline, registry};

/// One end user's connection to one provider.
#[derive(Debug, Clone)]
pub struct Connection {
    pub credentials: Credentials,
    /// Provider-specific settings (`sourceProperty`, `lifecycleField`, ...).
    pub settings: Settings,
    /// Overrides the provider's API base URL (regional hosts, emulators, tests).
    pub base_url: Option<String>,
}

impl Connection {
    pub fn new(credentials: Credentials) -> Self {
        Self { credentials, settings: Settings::new(), base_url: None }
    }

    pub fn setting(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.settings.insert(key.into(), value.into());
        self
    }

    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }
}

/// Creates, reads, lists, updates and deletes records in any registered CRM through provider-agnostic calls.
#[derive(Debug, Clone)]
pub struct Client {
    policy: RetryPolicy,
    timeout: Duration,
    backend: Option<Arc<dyn Backend>>,
    cursor_key: Arc<CursorKey>,
}

impl Default for Client {
    fn default() -> Self {
        Self::new()
    }
}

impl Client {
    /// Default retry budget (3 tries, 10 s of waiting) and a 30 s timeout per provider call.
    pub fn new() -> Self {
        Self {
            policy: RetryPolicy::default(),
            timeout: Duration::from_secs(30),
            backend: None,
            cursor_key: Arc::new(CursorKey::random()),
        }
    }

    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The key list cursors are sealed with: share one between processes whose cursors must open in
    /// each other (by default each client has a random one of its own).
    pub fn cursor_key(mut self, key: CursorKey) -> Self {
        self.cursor_key = Arc::new(key);
        self
    }

    /// Replaces the network (tests, recording).
    pub fn backend(mut self, backend: Arc<dyn Backend>) -> Self {
        self.backend = Some(backend);
        self
    }

    /// Validates `input` (every problem at once) and creates it in `provider`'s CRM.
    pub async fn create(
        &self,
        provider: &str,
        credentials: Credentials,
        input: impl Into<UnifiedInput>,
    ) -> Result<Created, UnifiedError> {
        self.create_with(provider, &Connection::new(credentials), input.into()).await
    }

    /// As [`Client::create`], with a full [`Connection`] (settings, base URL).
    pub async fn create_with(
        &self,
        provider: &str,
        connection: &Connection,
        input: UnifiedInput,
    ) -> Result<Created, UnifiedError> {
        let (descriptor, client, key) = self.connect(provider, connection)?;
        pipeline::create(descriptor, call(&client, connection, &key), &input).await
    }

    /// One record by id.
    pub async fn get(
        &self,
        provider: &str,
        connection: &Connection,
        resource: ResourceKind,
        id: &str,
    ) -> Result<Created, UnifiedError> {
        let (descriptor, client, key) = self.connect(provider, connection)?;
        pipeline::get(descriptor, call(&client, connection, &key), resource, id).await
    }

    /// One page of records; pass the page's `next_cursor` back for the next (cursors open only in the
    /// [`Client`] that issued them, unless [`Client::cursor_key`] sets a shared key).
    pub async fn list(
        &self,
        provider: &str,
        connection: &Connection,
        resource: ResourceKind,
        request: &ListRequest,
    ) -> Result<Listed, UnifiedError> {
        let (descriptor, client, key) = self.connect(provider, connection)?;
        pipeline::list(descriptor, call(&client, connection, &key), resource, request, &self.cursor_key).await
    }

    /// Changes the fields a patch sets or clears, and answers the record as re-read.
    pub async fn update(
        &self,
        provider: &str,
        connection: &Connection,
        id: &str,
        patch: impl Into<UnifiedPatch>,
    ) -> Result<Created, UnifiedError> {
        let (descriptor, client, key) = self.connect(provider, connection)?;
        pipeline::update(descriptor, call(&client, connection, &key), id, &patch.into()).await
    }

    /// Deletes a record (what the provider calls delete).
    pub async fn delete(
        &self,
        provider: &str,
        connection: &Connection,
        resource: ResourceKind,
        id: &str,
    ) -> Result<(), UnifiedError> {
        let (descriptor, client, key) = self.connect(provider, connection)?;
        pipeline::delete(descriptor, call(&client, connection, &key), resource, id).await
    }

    /// The connector and the provider client of `connection`, and its key for per-connection caches.
    fn connect(
        &self,
        provider: &str,
        connection: &Connection,
    ) -> Result<(&'static ConnectorDescriptor, ProviderClient, String), UnifiedError> {
        let descriptor = registry::lookup(provider)?;
        let mut builder = ProviderClient::builder(descriptor)
            .credentials(connection.credentials.clone())
            .policy(self.policy)
            .timeout(self.timeout);
        if let Some(url) = &connection.base_url {
            builder = builder.base_url(url.clone());
        }
        if let Some(backend) = &self.backend {
            builder = builder.backend(backend.clone());
        }
        let client = builder.build()?;
        // An embedded connection has no id: provider, base URL and (a hash of) the credential name it for
        // per-connection caches (and cursors); two accounts on one API host never share an entry.
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        std::hash::Hash::hash(&connection.credentials.secret(), &mut hasher);
        let key = format!("{provider}@{}#{:x}", client.base_url(), std::hash::Hasher::finish(&hasher));
        Ok((descriptor, client, key))
    }
}

fn call<'a>(client: &'a ProviderClient, connection: &'a Connection, key: &'a str) -> Call<'a> {
    Call { client, settings: &connection.settings, include_remote_data: false, connection_id: key }
}
