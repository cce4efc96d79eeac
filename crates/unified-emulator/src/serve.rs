//! A provider's whole emulator assembled: its routes behind the gate, the control plane beside them;
//! the registry's serve function; and a server on a loopback port for tests.

use std::future::Future;
use std::marker::PhantomData;
use std::net::Ipv4Addr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::get;

use crate::model::Model;
use crate::state::{Shared, State};
use crate::{control, gate};

/// A fresh emulator of `M` as an axum router.
pub fn router<M: Model>() -> Router {
    assemble(Arc::new(Mutex::new(State::<M>::new())))
}

/// The emulator over a given state (tests look into it).
pub(crate) fn assemble<M: Model>(shared: Shared<M>) -> Router {
    let provider = M::routes().layer(axum::middleware::from_fn_with_state(Arc::clone(&shared), gate::gate::<M>));
    Router::new()
        .route("/_emulator/", get(control::index::<M>))
        .nest("/_emulator", control::router::<M>())
        .merge(provider)
        .with_state(shared)
}

/// Serves a fresh emulator on a bound listener until the process ends (the registry's `EmulatorFn`).
pub fn serve<M: Model>(listener: std::net::TcpListener) -> Pin<Box<dyn Future<Output = std::io::Result<()>> + Send>> {
    Box::pin(async move {
        listener.set_nonblocking(true)?;
        let listener = tokio::net::TcpListener::from_std(listener)?;
        axum::serve(listener, router::<M>()).await
    })
}

/// A running emulator on a loopback port, for tests. Dropping it stops the server.
#[derive(Debug)]
pub struct Emulator<M> {
    base_url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    model: PhantomData<fn() -> M>,
}

impl<M: Model> Emulator<M> {
    /// Binds `127.0.0.1:0` and serves a fresh emulator on it (needs a tokio runtime).
    pub async fn start() -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let stop = async {
                let _ = stopped.await;
            };
            if let Err(error) = axum::serve(listener, router::<M>()).with_graceful_shutdown(stop).await {
                tracing::error!(%error, emulator = M::PROFILE.name, "the emulator stopped");
            }
        });
        Ok(Self { base_url, shutdown: Some(shutdown), model: PhantomData })
    }
}

impl<M> Emulator<M> {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The base URL joined with `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

impl<M> Drop for Emulator<M> {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Echo;

    async fn listening(base_url: &str) -> bool {
        tokio::net::TcpStream::connect(base_url.trim_start_matches("http://")).await.is_ok()
    }

    #[tokio::test]
    async fn serves_on_loopback_until_dropped() {
        let emulator = Emulator::<Echo>::start().await.unwrap();
        let base_url = emulator.base_url().to_owned();
        assert!(base_url.starts_with("http://127.0.0.1:") && !base_url.ends_with('/'));
        assert_eq!(emulator.url("/api/me"), format!("{base_url}/api/me"));
        assert!(listening(&base_url).await);
        drop(emulator);
        for _ in 0..100 {
            if !listening(&base_url).await {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("{base_url} still listens after the emulator was dropped");
    }
}
