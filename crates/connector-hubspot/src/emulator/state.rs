//! The emulator's whole state behind one `std::sync::Mutex` (never held across an `.await`): records,
//! owners, tokens, pending faults, request statistics, the rate-limit window and the clock.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, SubsecRound, Utc};
use serde::Serialize;

use super::faults::Faults;
use super::oauth::Tokens;
use super::owners::Owners;
use super::store::Store;

pub type Shared = Arc<Mutex<State>>;

/// HubSpot's burst limit (Professional and Enterprise, and what the fixtures recorded) and its window.
pub const RATE_LIMIT_MAX: usize = 190;
pub const RATE_LIMIT_WINDOW: Duration = Duration::from_secs(10);

#[derive(Debug)]
pub struct State {
    pub store: Store,
    pub owners: Owners,
    pub tokens: Tokens,
    pub faults: Faults,
    pub stats: Stats,
    /// When each provider request of the current rate-limit window arrived.
    window: VecDeque<Instant>,
    /// Moved by `POST /_emulator/clock`, so that token expiry can be tested without waiting.
    clock_offset: chrono::Duration,
}

impl State {
    pub fn new() -> Self {
        Self {
            store: Store::new(),
            owners: Owners::seeded(),
            tokens: Tokens::default(),
            faults: Faults::default(),
            stats: Stats::default(),
            window: VecDeque::new(),
            clock_offset: chrono::Duration::zero(),
        }
    }

    /// Back to a fresh portal: no records, tokens, faults or statistics, the seeded owners only; the clock
    /// is real again.
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// The emulated clock, at HubSpot's millisecond precision.
    pub fn now(&self) -> DateTime<Utc> {
        (Utc::now() + self.clock_offset).trunc_subsecs(3)
    }

    /// Moves the clock forward, by at most a thousand years in all.
    pub fn advance_clock(&mut self, by: chrono::Duration) {
        let cap = chrono::Duration::days(365 * 1000);
        self.clock_offset = (self.clock_offset + by.min(cap)).min(cap);
    }

    /// Counts a provider request in the rolling window; returns the requests left in it.
    pub fn rate_limit_remaining(&mut self) -> usize {
        let now = Instant::now();
        while self.window.front().is_some_and(|at| now.duration_since(*at) >= RATE_LIMIT_WINDOW) {
            self.window.pop_front();
        }
        self.window.push_back(now);
        RATE_LIMIT_MAX.saturating_sub(self.window.len())
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
    /// `"POST /crm/v3/objects/contacts"`, `"GET /crm/v3/objects/contacts/{objectId}"`, ...
    pub requests: BTreeMap<String, u64>,
    /// Answers by HTTP status, faults included.
    pub responses: BTreeMap<u16, u64>,
    pub faults_served: u64,
    pub tokens_issued: u64,
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

/// `2026-05-14T09:31:02.487Z`: HubSpot's `createdAt`/`updatedAt` form (always milliseconds).
pub fn iso(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// How HubSpot echoes a datetime property (Java's `Instant`): `2026-07-31T00:00:00Z`, the fraction only
/// when there is one.
pub fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_forms() {
        let at = DateTime::parse_from_rfc3339("2026-05-14T09:31:02.487Z").unwrap().with_timezone(&Utc);
        assert_eq!(iso(at), "2026-05-14T09:31:02.487Z");
        assert_eq!(instant(at), "2026-05-14T09:31:02.487Z");
        let midnight = DateTime::parse_from_rfc3339("2026-07-31T00:00:00.000Z").unwrap().with_timezone(&Utc);
        assert_eq!(iso(midnight), "2026-07-31T00:00:00.000Z");
        assert_eq!(instant(midnight), "2026-07-31T00:00:00Z");
    }

    #[test]
    fn the_window_counts_down() {
        let mut state = State::new();
        assert_eq!(state.rate_limit_remaining(), RATE_LIMIT_MAX - 1);
        assert_eq!(state.rate_limit_remaining(), RATE_LIMIT_MAX - 2);
        let before = state.now();
        state.advance_clock(chrono::Duration::seconds(1801));
        assert!(state.now() - before >= chrono::Duration::seconds(1801));
    }
}
