//! What a provider's emulator plugs into the toolkit: its [`Model`] (records and whatever else it keeps
//! between calls) and the few answers only it can give, in its wire format.

use std::fmt;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::auth::Credential;
use crate::fault::{Failure, Fault, FaultSpec};
use crate::state::{Shared, State};

/// A provider's settings, as data.
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    /// The index page's `emulator`: `salesforce`.
    pub name: &'static str,
    /// The clock's sub-second digits: 0 for Salesforce's whole seconds, 3 for milliseconds.
    pub clock_digits: u16,
    /// How the clock endpoint writes `now`: a chrono format of the provider's own timestamps.
    pub time_format: &'static str,
    /// How long the access tokens its token endpoint issues live.
    pub token_seconds: i64,
    /// The count's key in the `expire_token` answer: `expiredSessions` or `expiredTokens`.
    pub expired_key: &'static str,
    /// When a `slow` fault makes the call wait.
    pub slow: Slow,
    /// The index's example of a fault request, with the provider's extras.
    pub fault_example: &'static str,
    /// The index's lines for the provider's own control routes (its records).
    pub control_endpoints: &'static [&'static str],
    /// The index's example of a clock request.
    pub clock_example: &'static str,
}

/// When a `slow` fault makes a call wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slow {
    /// Before the handler runs: a caller that gives up waiting leaves nothing done.
    BeforeCall,
    /// After it: the handler runs at once in a task of its own and only the answer is late, so the work
    /// is done even when the caller gives up waiting (the case a client's retries must survive).
    AfterCall,
}

/// The provider call the gate is handling.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: Method,
    pub path: String,
}

/// Who answered a call that no fault answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    /// The provider's handler.
    Handler,
    /// The gate refused it: no valid credential, or the provider's [`Model::admitted`] said no.
    Gate,
}

/// The faults a model's emulator queues.
pub type QueuedFault<M> = Fault<<<M as Model>::Faults as FaultSpec>::Kept, <<M as Model>::Faults as FaultSpec>::Kind>;

/// A provider's emulator: its state between calls (a fresh one is `Default`) and what only it knows.
pub trait Model: Default + fmt::Debug + Send + 'static {
    const PROFILE: Profile;

    /// Whom a call acts as (handlers read it as the [`crate::Caller`] extension).
    type User: Clone + fmt::Debug + Send + Sync + 'static;
    /// What it adds to the common fault request.
    type Faults: FaultSpec;

    /// The user `sandbox-` tokens act as.
    fn sandbox_user() -> Self::User;

    /// Its endpoints, token endpoint included, and its answer to a path it does not serve (the
    /// fallback). The gate is laid over all of them.
    fn routes() -> Router<Shared<Self>>;

    /// Its own control routes, relative to `/_emulator` (`/records`, `/records/{kind}`, ...).
    fn control_routes() -> Router<Shared<Self>>;

    /// What the index page adds to `emulator` and `endpoints` (users, custom fields, ...).
    fn index(state: &State<Self>) -> Map<String, Value>;

    /// What `GET /_emulator/stats` adds to the common counts.
    fn stats(_state: &State<Self>) -> Map<String, Value> {
        Map::new()
    }

    /// The key a call is counted under in the stats: its method and route, ids left out.
    fn route_key(method: &Method, path: &str) -> String;

    /// The credential a call to `path` presents, or `None` for a path that needs none.
    fn credential<'h>(path: &str, headers: &'h HeaderMap) -> Option<Credential<'h>>;

    /// The answer to a call without a valid credential: `expired` says when the presented token
    /// expired, `None` for a missing or unknown one.
    fn unauthorized(expired: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Response;

    /// A last word on a call with a valid credential, before its handler (a spent daily limit).
    fn admitted(_state: &mut State<Self>, _call: &Call, _user: &Self::User) -> Option<Response> {
        None
    }

    /// What a fault answers instead of the provider, in its wire format (its rate-limit headers
    /// included).
    fn fault_answer(
        state: &mut State<Self>,
        failure: Failure<<Self::Faults as FaultSpec>::Kind>,
        fault: &QueuedFault<Self>,
        call: &Call,
    ) -> Response;

    /// After any other answer: what the call spent of the provider's limits, as the headers that say
    /// what is left.
    fn finish(state: &mut State<Self>, call: &Call, answered: Answered) -> Vec<(&'static str, HeaderValue)>;
}
