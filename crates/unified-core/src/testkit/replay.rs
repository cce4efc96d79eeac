//! Replays a fixture's recorded exchanges, in order, and keeps what the connector sent.

use std::collections::VecDeque;
use std::sync::Mutex;

use async_trait::async_trait;

use super::fixture::{Exchange, RecordedRequest};
use crate::transport::{Backend, Outgoing, RawResponse, SendError};

#[derive(Debug, Default)]
pub struct ReplayBackend {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    pending: VecDeque<Exchange>,
    sent: Vec<RecordedRequest>,
    mismatches: Vec<String>,
}

impl ReplayBackend {
    pub fn new(exchanges: Vec<Exchange>) -> Self {
        Self { state: Mutex::new(State { pending: exchanges.into(), ..State::default() }) }
    }

    /// The requests the connector sent, in order.
    pub fn sent(&self) -> Vec<RecordedRequest> {
        self.lock().sent.clone()
    }

    /// Calls that differed from the recording, and recorded calls never made.
    pub fn problems(&self) -> Vec<String> {
        let state = self.lock();
        let mut problems = state.mismatches.clone();
        for left in &state.pending {
            problems.push(format!("recorded call never made: {} {}", left.request.method, left.request.path));
        }
        problems
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait]
impl Backend for ReplayBackend {
    async fn execute(&self, out: Outgoing<'_>) -> Result<RawResponse, SendError> {
        let sent = RecordedRequest::from_raw(out.request);
        let mut state = self.lock();
        state.sent.push(sent.clone());
        let Some(exchange) = state.pending.pop_front() else {
            state.mismatches.push(format!("unexpected call (nothing left to replay): {} {}", sent.method, sent.path));
            return Err(SendError::Io("replay: no recorded exchange left".into()));
        };
        let recorded = &exchange.request;
        if recorded.method != sent.method || recorded.path != sent.path {
            let number = state.sent.len();
            state.mismatches.push(format!(
                "call {} differs from the recording: sent {} {}, recorded {} {}",
                number, sent.method, sent.path, recorded.method, recorded.path
            ));
            return Err(SendError::Io("replay: call differs from the recording".into()));
        }
        match exchange.response.failure.as_deref() {
            Some("timeout") => Err(SendError::Timeout),
            Some("connect") => Err(SendError::Connect("replay: connection refused".into())),
            Some(other) => Err(SendError::Io(format!("replay: {other}"))),
            None => Ok(exchange.response.to_raw()),
        }
    }
}
