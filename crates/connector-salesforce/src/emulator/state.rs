//! The emulator's whole state behind one `std::sync::Mutex` (never held across an `.await`): the org's
//! records and features, tokens, pending faults, request statistics, API usage and the clock.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, SubsecRound, Utc};
use serde::Serialize;

use super::faults::Faults;
use super::oauth::Tokens;
use super::schema::Org;
use super::store::Store;

pub type Shared = Arc<Mutex<State>>;

/// A Developer Edition org's daily API requests (rolling 24 hours).
pub const DAILY_API_LIMIT: u64 = 15_000;

#[derive(Debug)]
pub struct State {
    pub store: Store,
    pub org: Org,
    pub tokens: Tokens,
    pub faults: Faults,
    pub stats: Stats,
    /// REST calls counted against the daily limit since the last reset.
    pub api_usage: u64,
    /// Moved by `POST /_emulator/clock`, so that session expiry can be tested without waiting.
    clock_offset: chrono::Duration,
}

impl State {
    pub fn new() -> Self {
        Self {
            store: Store::new(Utc::now()),
            org: Org::default(),
            tokens: Tokens::default(),
            faults: Faults::default(),
            stats: Stats::default(),
            api_usage: 0,
            clock_offset: chrono::Duration::zero(),
        }
    }

    /// A fresh org: its users and queue only, default features, no tokens, faults or statistics.
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// The emulated clock, at Salesforce's precision for record timestamps (whole seconds).
    pub fn now(&self) -> DateTime<Utc> {
        (Utc::now() + self.clock_offset).trunc_subsecs(0)
    }

    /// The clock in milliseconds (OAuth's `issued_at`).
    pub fn now_millis(&self) -> i64 {
        (Utc::now() + self.clock_offset).timestamp_millis()
    }

    /// Moves the clock forward, by at most a thousand years in all.
    pub fn advance_clock(&mut self, by: chrono::Duration) {
        let cap = chrono::Duration::days(365 * 1000);
        self.clock_offset = (self.clock_offset + by.min(cap)).min(cap);
    }
}

/// Locks the state. A panic while it was held cannot leave it half-written in a way that matters to
/// an emulator, so a poisoned lock is taken over rather than propagated.
pub fn lock(shared: &Shared) -> MutexGuard<'_, State> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `GET /_emulator/stats`.
#[derive(Debug, Default, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    pub total_requests: u64,
    /// `"POST /services/data/{version}/sobjects/Contact"`, `"GET /services/data/{version}/query"`, ...
    pub requests: BTreeMap<String, u64>,
    /// Answers by HTTP status, faults included.
    pub responses: BTreeMap<u16, u64>,
    pub faults_served: u64,
    pub tokens_issued: u64,
    /// Refresh-token grants answered (every issued token comes from one).
    pub token_refreshes: u64,
}

impl Stats {
    pub fn request(&mut self, route: String) {
        self.total_requests += 1;
        *self.requests.entry(route).or_default() += 1;
    }

    pub fn response(&mut self, status: u16) {
        *self.responses.entry(status).or_default() += 1;
    }
}

/// `2026-05-14T09:31:02.000+0000`: Salesforce's datetime form (UTC, milliseconds, no colon).
pub fn sf_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string()
}

/// A datetime as Salesforce reads it: ISO 8601 with `Z`, an offset with or without a colon.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    unified_core::time::Timestamp::parse(text).map(|t| t.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salesforce_time_form() {
        let at = parse_time("2026-05-14T11:31:02+02:00").unwrap();
        assert_eq!(sf_time(at), "2026-05-14T09:31:02.000+0000");
        assert_eq!(parse_time("2026-05-14T09:31:02.000+0000"), Some(at));
        let mut state = State::new();
        assert_eq!(state.now().timestamp_subsec_millis(), 0);
        let before = state.now();
        state.advance_clock(chrono::Duration::hours(3));
        assert!(state.now() - before >= chrono::Duration::hours(3));
    }
}
