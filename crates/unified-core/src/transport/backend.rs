//! Where the bytes go: reqwest over the network, or (in the testkit) a recorded exchange.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use http::{HeaderMap, HeaderName, HeaderValue, Method};

use super::{RawRequest, RawResponse};

/// One attempt at one call, fully resolved.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    pub base_url: &'a str,
    pub request: &'a RawRequest,
    /// The auth header, when the connection has one. Marked sensitive.
    pub auth: Option<(&'a HeaderName, &'a HeaderValue)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The connection could not be made: nothing reached the provider.
    #[error("connection failed: {0}")]
    Connect(String),
    /// The request may have reached the provider, but no complete answer came back.
    #[error("request failed: {0}")]
    Io(String),
    #[error("timed out")]
    Timeout,
}

#[async_trait]
pub trait Backend: Send + Sync + fmt::Debug + 'static {
    async fn execute(&self, outgoing: Outgoing<'_>) -> Result<RawResponse, SendError>;
}

/// The network backend: one process-wide reqwest client (rustls, HTTP/2, pooled connections).
#[derive(Debug, Clone)]
pub struct ReqwestBackend {
    client: reqwest::Client,
}

impl ReqwestBackend {
    /// The shared instance: every connection of the process reuses its connection pool.
    pub fn shared() -> Arc<Self> {
        static SHARED: OnceLock<Arc<ReqwestBackend>> = OnceLock::new();
        SHARED.get_or_init(|| Arc::new(Self::new())).clone()
    }

    fn new() -> Self {
        let client = reqwest::Client::builder()
            .user_agent(concat!("unified/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .pool_idle_timeout(Duration::from_secs(60))
            .tcp_nodelay(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("the TLS backend is compiled in, so the client builds");
        Self { client }
    }
}

#[async_trait]
impl Backend for ReqwestBackend {
    async fn execute(&self, out: Outgoing<'_>) -> Result<RawResponse, SendError> {
        let req = out.request;
        let url = format!("{}{}", out.base_url.trim_end_matches('/'), req.path);
        let method = Method::from_bytes(req.method.as_str().as_bytes()).map_err(|e| SendError::Io(e.to_string()))?;
        let mut builder = self.client.request(method, url).header(http::header::ACCEPT, "application/json");
        if !req.query.is_empty() {
            builder = builder.query(&req.query);
        }
        if let Some((name, value)) = out.auth {
            builder = builder.header(name, value);
        }
        if let Some(body) = &req.body {
            builder = builder.header(http::header::CONTENT_TYPE, body.content_type()).body(body.bytes().to_vec());
        }
        let response = builder.send().await.map_err(classify)?;
        let status = response.status().as_u16();
        let headers: HeaderMap = response.headers().clone();
        let body = response.bytes().await.map_err(classify)?.to_vec();
        Ok(RawResponse { status, headers, body })
    }
}

fn classify(e: reqwest::Error) -> SendError {
    if e.is_timeout() {
        SendError::Timeout
    } else if e.is_connect() {
        SendError::Connect(without_url(&e))
    } else {
        SendError::Io(without_url(&e))
    }
}

/// reqwest's messages include the URL; a query string may carry secrets, so keep only the reasons.
fn without_url(e: &reqwest::Error) -> String {
    let mut text = String::from(if e.is_connect() { "could not connect" } else { "request failed" });
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
