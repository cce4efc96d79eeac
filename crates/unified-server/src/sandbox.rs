//! Sandbox mode: every registered connector's emulator runs on loopback, and a `sk_test_` key's first
//! request for an end user and provider gets a sandbox connection to that emulator. The connector code
//! and the transport are the same as in live mode; only the base URL and the credentials differ.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, TcpListener};

use unified_core::registry;
use unified_store::{Connection, Mode, NewConnection, Store, StoreError, StoredCredentials};

/// A sandbox connection's base URL is this marker, resolved on each request to the running emulator,
/// so that a stored connection survives a restart (emulator ports change) and works on every instance.
pub const EMULATOR_BASE_URL: &str = "emulator:";

#[derive(Debug, Default)]
pub struct Sandbox {
    /// provider id → the emulator's base URL.
    emulators: BTreeMap<&'static str, String>,
}

impl Sandbox {
    /// Starts the emulator of every registered connector that has one, each on its own loopback port.
    pub async fn start() -> std::io::Result<Self> {
        let mut emulators = BTreeMap::new();
        for descriptor in registry::all() {
            let Some(serve) = descriptor.emulator else { continue };
            let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
            let url = format!("http://{}", listener.local_addr()?);
            let id = descriptor.id;
            tokio::spawn(async move {
                if let Err(e) = serve(listener).await {
                    tracing::error!(provider = id, error = %e, "the emulator stopped");
                }
            });
            tracing::info!(provider = id, %url, "sandbox emulator started");
            emulators.insert(id, url);
        }
        Ok(Self { emulators })
    }

    pub fn base_url(&self, provider: &str) -> Option<&str> {
        self.emulators.get(provider).map(String::as_str)
    }

    pub fn providers(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.emulators.iter().map(|(id, url)| (*id, url.as_str()))
    }

    /// The sandbox connection for a test key's end user, created on first use. Concurrent first uses
    /// race on the store's unique key; the loser reads the winner's row.
    pub async fn connection(
        &self,
        store: &dyn Store,
        tenant_id: &str,
        end_user_id: &str,
        provider: &str,
    ) -> Result<Option<Connection>, StoreError> {
        if self.base_url(provider).is_none() {
            return Ok(None);
        }
        let token = ulid::Ulid::generate().to_string().to_ascii_lowercase();
        let new = NewConnection {
            tenant_id: tenant_id.to_owned(),
            mode: Mode::Test,
            end_user_id: end_user_id.to_owned(),
            provider: provider.to_owned(),
            credentials: StoredCredentials::Oauth {
                access_token: format!("sandbox-{token}"),
                refresh_token: Some(format!("sandbox-refresh-{token}")),
                expires_at: None,
            },
            // The emulator's token endpoint takes any OAuth app.
            settings: BTreeMap::from([
                ("clientId".to_owned(), "sandbox".to_owned()),
                ("clientSecret".to_owned(), "sandbox".to_owned()),
            ]),
            base_url: Some(EMULATOR_BASE_URL.to_owned()),
        };
        match store.insert_connection(new).await {
            Ok(connection) => Ok(Some(connection)),
            Err(StoreError::Conflict(_)) => store.find_connection(tenant_id, Mode::Test, end_user_id, provider).await,
            Err(e) => Err(e),
        }
    }
}
