//! The emulator's whole state behind one `std::sync::Mutex` (never held across an `.await`): records,
//! tokens, pending faults, request statistics, the burst window, the daily token budget and the clock.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use serde::Serialize;

use super::faults::Faults;
use super::oauth::Tokens;
use super::store::Store;

pub type Shared = Arc<Mutex<State>>;

/// The burst limit of an OAuth token on the Growth plan, and its window.
pub const BURST_LIMIT: usize = 160;
pub const BURST_WINDOW: Duration = Duration::from_secs(2);
/// The daily token budget: 30,000 × 2 (Growth) × 5 seats.
pub const DAILY_BUDGET: u64 = 300_000;

#[derive(Debug)]
pub struct State {
    pub store: Store,
    pub tokens: Tokens,
    pub faults: Faults,
    pub stats: Stats,
    window: VecDeque<Instant>,
    /// Tokens spent on `budget_day` (UTC).
    spent: u64,
    budget_day: NaiveDate,
    clock_offset: chrono::Duration,
}

impl State {
    pub fn new() -> Self {
        Self {
            store: Store::new(),
            tokens: Tokens::default(),
            faults: Faults::default(),
            stats: Stats::default(),
            window: VecDeque::new(),
            spent: 0,
            budget_day: Utc::now().date_naive(),
            clock_offset: chrono::Duration::zero(),
        }
    }

    /// Back to a fresh company: no records, tokens, faults or statistics; the clock is real again.
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// The emulated clock, at millisecond precision.
    pub fn now(&self) -> DateTime<Utc> {
        (Utc::now() + self.clock_offset).trunc_subsecs(3)
    }

    /// Moves the clock forward, by at most a thousand years in all.
    pub fn advance_clock(&mut self, by: chrono::Duration) {
        let cap = chrono::Duration::days(365 * 1000);
        self.clock_offset = (self.clock_offset + by.min(cap)).min(cap);
    }

    /// Counts a request in the rolling burst window; returns the requests left in it.
    pub fn burst_remaining(&mut self) -> usize {
        let now = Instant::now();
        while self.window.front().is_some_and(|at| now.duration_since(*at) >= BURST_WINDOW) {
            self.window.pop_front();
        }
        self.window.push_back(now);
        BURST_LIMIT.saturating_sub(self.window.len())
    }

    /// Spends `cost` tokens of today's budget; returns what is left (the budget resets at midnight UTC).
    pub fn spend(&mut self, cost: u64) -> u64 {
        let today = self.now().date_naive();
        if today != self.budget_day {
            self.budget_day = today;
            self.spent = 0;
        }
        self.spent = (self.spent + cost).min(DAILY_BUDGET);
        DAILY_BUDGET - self.spent
    }

    /// Today's budget left, without spending.
    pub fn budget_left(&self) -> u64 {
        if self.now().date_naive() != self.budget_day { DAILY_BUDGET } else { DAILY_BUDGET - self.spent }
    }
}

/// Locks the state. A panic while it was held cannot leave it half-written in a way that matters to an
/// emulator, so a poisoned lock is taken over rather than propagated.
pub fn lock(shared: &Shared) -> MutexGuard<'_, State> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `GET /_emulator/stats`.
#[derive(Debug, Default, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    pub total_requests: u64,
    /// `"POST /api/v2/persons"`, `"GET /api/v1/users/{id}"`, ...
    pub requests: BTreeMap<String, u64>,
    /// Answers by HTTP status, faults included.
    pub responses: BTreeMap<u16, u64>,
    pub faults_served: u64,
    pub tokens_issued: u64,
    pub token_refreshes: u64,
    /// Daily-budget tokens spent (the API's own accounting: a v2 create costs 5, a v1 one 10, ...).
    pub tokens_spent: u64,
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

/// `2026-05-14T09:31:02Z`: v2's timestamps (whole seconds).
pub fn v2_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `2026-05-14T09:35:11.204Z`: a lead's timestamps.
pub fn lead_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_forms() {
        let at = DateTime::parse_from_rfc3339("2026-05-14T09:31:02.487Z").unwrap().with_timezone(&Utc);
        assert_eq!(v2_time(at), "2026-05-14T09:31:02Z");
        assert_eq!(lead_time(at), "2026-05-14T09:31:02.487Z");
    }

    #[test]
    fn windows_and_budgets_count_down() {
        let mut state = State::new();
        assert_eq!(state.burst_remaining(), BURST_LIMIT - 1);
        assert_eq!(state.spend(5), DAILY_BUDGET - 5);
        assert_eq!(state.budget_left(), DAILY_BUDGET - 5);
        state.advance_clock(chrono::Duration::days(1));
        assert_eq!(state.budget_left(), DAILY_BUDGET, "a new day, a new budget");
        assert_eq!(state.spend(10), DAILY_BUDGET - 10);
    }
}
