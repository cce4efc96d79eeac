//! A small client for embedding: look the connector up in the registry, build the provider client,
//! run the create pipeline.

use std::sync::Arc;
use std::time::Duration;

use unified_core::connector::{Call, Created, Settings};
use unified_core::error::UnifiedError;
use unified_core::resource::UnifiedInput;
use unified_core::transport::{Backend, Credentials, ProviderClient, RetryPolicy};
use unified_core::{pipeline, registry};

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

/// Creates records in any registered CRM through one provider-agnostic call.
#[derive(Debug, Clone)]
pub struct Client {
    policy: RetryPolicy,
    timeout: Duration,
    backend: Option<Arc<dyn Backend>>,
}

impl Default for Client {
    fn default() -> Self {
        Self::new()
    }
}

impl Client {
    /// Default retry budget (3 tries, 10 s of waiting) and a 30 s timeout per provider call.
    pub fn new() -> Self {
        Self { policy: RetryPolicy::default(), timeout: Duration::from_secs(30), backend: None }
    }

    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
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
        // per-connection caches; two accounts on one API host never share an entry.
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        std::hash::Hash::hash(&connection.credentials.secret(), &mut hasher);
        let connection_key = format!("{provider}@{}#{:x}", client.base_url(), std::hash::Hasher::finish(&hasher));
        let call = Call {
            client: &client,
            settings: &connection.settings,
            include_remote_data: false,
            connection_id: &connection_key,
        };
        pipeline::create(descriptor, call, &input).await
    }
}
