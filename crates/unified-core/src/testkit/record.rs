//! Records real exchanges for new fixtures, redacting credentials before anything is kept.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::fixture::{Exchange, RecordedRequest, RecordedResponse, redact_json};
use crate::transport::{Backend, Outgoing, RawResponse, SendError};

#[derive(Debug)]
pub struct RecordingBackend {
    inner: Arc<dyn Backend>,
    exchanges: Mutex<Vec<Exchange>>,
}

impl RecordingBackend {
    pub fn new(inner: Arc<dyn Backend>) -> Self {
        Self { inner, exchanges: Mutex::new(Vec::new()) }
    }

    /// The exchanges so far; the auth header is never part of them and secret body keys are redacted.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.exchanges.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}

#[async_trait]
impl Backend for RecordingBackend {
    async fn execute(&self, out: Outgoing<'_>) -> Result<RawResponse, SendError> {
        let mut request = RecordedRequest::from_raw(out.request);
        request.body = redact_json(request.body);
        let result = self.inner.execute(out).await;
        let response = match &result {
            Ok(raw) => RecordedResponse::from_raw(raw),
            Err(e) => RecordedResponse {
                status: 0,
                headers: Default::default(),
                body: serde_json::Value::Null,
                failure: Some(
                    match e {
                        SendError::Timeout => "timeout",
                        SendError::Connect(_) => "connect",
                        SendError::Io(_) => "io",
                    }
                    .to_owned(),
                ),
            },
        };
        self.exchanges.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(Exchange { request, response });
        result
    }
}
