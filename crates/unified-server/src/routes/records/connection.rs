//! The caller's connection for a record call, and the provider client that talks through it.

use std::sync::Arc;

use unified_core::transport::{Credentials, ProviderClient};
use unified_core::{ConnectorDescriptor, ProviderFailure, UnifiedError};
use unified_store::{Connection, ConnectionStatus, Mode, StoredCredentials};

use crate::app::AppState;
use crate::auth::Caller;
use crate::sandbox::EMULATOR_BASE_URL;
use crate::tokens::ConnectionTokens;

/// The caller's connection for this end user and provider, in its tenant and mode only.
pub async fn find(
    state: &AppState,
    caller: &Caller,
    descriptor: &'static ConnectorDescriptor,
    end_user_id: &str,
) -> Result<Connection, UnifiedError> {
    let store_error = |e: unified_store::StoreError| UnifiedError::internal(format!("finding the connection: {e}"));
    let mut found = state
        .store
        .find_connection(caller.tenant_id(), caller.mode(), end_user_id, descriptor.id)
        .await
        .map_err(store_error)?;
    // Sandbox: a test key's first request for this end user and provider gets an emulator connection.
    if found.is_none()
        && caller.mode() == Mode::Test
        && let Some(sandbox) = &state.sandbox
    {
        found = sandbox
            .connection(state.store.as_ref(), caller.tenant_id(), end_user_id, descriptor.id)
            .await
            .map_err(store_error)?;
    }
    found.ok_or_else(|| UnifiedError::ConnectionNotFound {
        provider: descriptor.id.to_owned(),
        end_user_id: end_user_id.to_owned(),
    })
}

/// The base URL a connection's calls go to: its override, the emulator for a sandbox connection (test
/// mode only: with a live key nothing of the sandbox is reachable), or the provider's live URL.
fn base_url(state: &AppState, connection: &Connection) -> Result<Option<String>, UnifiedError> {
    match connection.base_url.as_deref() {
        Some(EMULATOR_BASE_URL) => {
            let sandbox = state.sandbox.as_ref().filter(|_| connection.mode == Mode::Test);
            let url = sandbox.and_then(|s| s.base_url(&connection.provider)).ok_or_else(|| {
                UnifiedError::internal(format!(
                    "sandbox connection {} but no {} emulator",
                    connection.id, connection.provider
                ))
            })?;
            Ok(Some(url.to_owned()))
        }
        other => Ok(other.map(str::to_owned)),
    }
}

pub fn provider_client(
    state: &AppState,
    descriptor: &'static ConnectorDescriptor,
    connection: &Connection,
) -> Result<ProviderClient, UnifiedError> {
    if connection.status == ConnectionStatus::NeedsReauth {
        // No retry storm: a refused refresh token is not tried again until the end user re-authorises.
        let message = crate::tokens::needs_reauth_message(descriptor.id);
        return Err(UnifiedError::ProviderAuth(ProviderFailure::new(descriptor.id, None, message)));
    }
    let base_url = base_url(state, connection)?;
    let mut builder = ProviderClient::builder(descriptor)
        .timeout(state.config.provider_timeout)
        .policy(state.config.retry)
        .observer(state.metrics.provider_observer());
    builder = match &connection.credentials {
        StoredCredentials::Oauth { .. } => {
            let api = base_url.clone().unwrap_or_else(|| descriptor.base_url.to_owned());
            let tokens = ConnectionTokens::new(
                Arc::clone(&state.store),
                descriptor,
                connection,
                &api,
                state.config.provider_timeout,
            );
            builder.token_source(Arc::new(tokens))
        }
        StoredCredentials::ApiKey { api_key } => builder.credentials(Credentials::ApiKey(api_key.clone())),
    };
    if let Some(url) = base_url {
        builder = builder.base_url(url);
    }
    builder.build()
}
