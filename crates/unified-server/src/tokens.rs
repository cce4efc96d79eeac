//! A stored connection's OAuth tokens as the transport's [`TokenSource`]: refreshed a minute before
//! they expire, and when the provider says they expired; one refresh at a time per connection across
//! every instance on the database (the store's lock), the rotated refresh token stored before the new
//! access token is used. A refresh the provider refuses marks the connection as needing authorisation
//! again; its calls are then answered 401 without reaching the provider.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use unified_core::oauth::{self, OAuthApp, RefreshError};
use unified_core::transport::{Backend, ReqwestBackend, TokenSource};
use unified_core::{ConnectorDescriptor, ProviderFailure, UnifiedError};
use unified_store::{Connection, ConnectionStatus, Store, StoredCredentials};

/// Tokens closer than this to their expiry are refreshed before a call.
const REFRESH_AHEAD: TimeDelta = TimeDelta::seconds(60);

#[derive(Debug)]
pub struct ConnectionTokens {
    store: Arc<dyn Store>,
    connection_id: String,
    provider: &'static str,
    /// The token endpoint and the OAuth app, when the connection can refresh at all.
    refresh: Option<(String, OAuthApp)>,
    timeout: Duration,
    backend: Arc<dyn Backend>,
    credentials: Mutex<StoredCredentials>,
}

impl ConnectionTokens {
    /// `base_url` is where the connection's API calls go (the token endpoint may live there too).
    pub fn new(
        store: Arc<dyn Store>,
        descriptor: &'static ConnectorDescriptor,
        connection: &Connection,
        base_url: &str,
        timeout: Duration,
    ) -> Self {
        let token_url = connection
            .settings
            .get("tokenUrl")
            .filter(|u| !u.is_empty())
            .cloned()
            .or_else(|| descriptor.connector.token_url(base_url));
        Self {
            store,
            connection_id: connection.id.clone(),
            provider: descriptor.id,
            refresh: token_url.zip(oauth_app(descriptor.id, connection)),
            timeout,
            backend: ReqwestBackend::shared(),
            credentials: Mutex::new(connection.credentials.clone()),
        }
    }

    fn snapshot(&self) -> StoredCredentials {
        self.credentials.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    fn auth_error(&self, message: String) -> UnifiedError {
        UnifiedError::ProviderAuth(ProviderFailure::new(self.provider, Some(401), message))
    }
}

/// The provider's OAuth app: the connection settings `clientId` / `clientSecret`, or else
/// `UNIFIED_<PROVIDER>_CLIENT_ID` / `UNIFIED_<PROVIDER>_CLIENT_SECRET`.
pub fn oauth_app(provider: &str, connection: &Connection) -> Option<OAuthApp> {
    let setting = |key: &str| connection.settings.get(key).filter(|v| !v.is_empty()).cloned();
    let env = |suffix: &str| {
        std::env::var(format!("UNIFIED_{}_{suffix}", provider.to_ascii_uppercase())).ok().filter(|v| !v.is_empty())
    };
    let client_id = setting("clientId").or_else(|| env("CLIENT_ID"))?;
    let client_secret = setting("clientSecret").or_else(|| env("CLIENT_SECRET"))?;
    Some(OAuthApp { client_id, client_secret })
}

#[unified_core::__private::async_trait]
impl TokenSource for ConnectionTokens {
    async fn current(&self) -> Result<String, UnifiedError> {
        match self.snapshot() {
            StoredCredentials::ApiKey { api_key } => Ok(api_key),
            StoredCredentials::Oauth { access_token, refresh_token, expires_at } => {
                let due = expires_at.is_some_and(|at| at - Utc::now() < REFRESH_AHEAD);
                if due && refresh_token.is_some() && self.refresh.is_some() {
                    self.refreshed(&access_token).await
                } else {
                    Ok(access_token)
                }
            }
        }
    }

    async fn refreshed(&self, rejected: &str) -> Result<String, UnifiedError> {
        let Some((token_url, app)) = self.refresh.clone() else {
            return Err(self.auth_error(format!(
                "the access token expired and this connection cannot refresh it: set the connection settings \
                 clientId and clientSecret (or UNIFIED_{}_CLIENT_ID / _CLIENT_SECRET)",
                self.provider.to_ascii_uppercase()
            )));
        };
        let failure: Arc<Mutex<Option<RefreshError>>> = Arc::default();
        let (backend, timeout, rejected_owned, failure_slot) =
            (Arc::clone(&self.backend), self.timeout, rejected.to_owned(), Arc::clone(&failure));
        let refresh: unified_store::RefreshFn = Box::new(move |current: Connection| {
            Box::pin(async move {
                let StoredCredentials::Oauth { access_token, refresh_token, .. } = current.credentials else {
                    return None;
                };
                if access_token != rejected_owned || current.status == ConnectionStatus::NeedsReauth {
                    return None; // refreshed (or refused) meanwhile, by this instance or another one
                }
                let Some(refresh_token) = refresh_token else {
                    *failure_slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
                        Some(RefreshError::Rejected("the connection has no refresh token".into()));
                    return None;
                };
                match oauth::refresh(backend.as_ref(), &token_url, &app, &refresh_token, timeout).await {
                    Ok(grant) => {
                        let expires_at =
                            grant.expires_in.map(|s| Utc::now() + TimeDelta::seconds(s.min(i64::MAX as u64) as i64));
                        // A rotated refresh token replaces the old one; otherwise the old one stays.
                        let refresh_token = grant.refresh_token.or(Some(refresh_token));
                        let credentials =
                            StoredCredentials::Oauth { access_token: grant.access_token, refresh_token, expires_at };
                        Some((credentials, ConnectionStatus::Active))
                    }
                    Err(error) => {
                        let refused = matches!(error, RefreshError::Rejected(_));
                        *failure_slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(error);
                        refused.then(|| {
                            let credentials = StoredCredentials::Oauth {
                                access_token,
                                refresh_token: Some(refresh_token),
                                expires_at: None,
                            };
                            (credentials, ConnectionStatus::NeedsReauth)
                        })
                    }
                }
            })
        });
        let stored = self
            .store
            .refresh_connection(&self.connection_id, refresh)
            .await
            .map_err(|e| UnifiedError::internal(format!("refreshing the connection's token: {e}")))?;
        if stored.status == ConnectionStatus::NeedsReauth {
            tracing::warn!(provider = self.provider, connection = %self.connection_id, "refresh refused: needs re-authorisation");
            return Err(self.auth_error(needs_reauth_message(self.provider)));
        }
        let failure = failure.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        match (&stored.credentials, failure) {
            (StoredCredentials::Oauth { access_token, .. }, None) if access_token != rejected => {
                *self.credentials.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
                    stored.credentials.clone();
                tracing::info!(provider = self.provider, connection = %self.connection_id, "access token refreshed");
                Ok(access_token.clone())
            }
            (_, Some(RefreshError::Unavailable(reason))) => Err(UnifiedError::ProviderUnavailable(
                ProviderFailure::new(self.provider, None, format!("the token endpoint is unavailable: {reason}")),
            )),
            (_, Some(RefreshError::Rejected(reason))) => {
                Err(self.auth_error(format!("the token could not be refreshed: {reason}")))
            }
            _ => Err(self.auth_error("the access token expired and could not be refreshed".into())),
        }
    }
}

pub fn needs_reauth_message(provider: &str) -> String {
    format!("The {provider} connection needs to be authorised again: the provider refused its refresh token")
}
