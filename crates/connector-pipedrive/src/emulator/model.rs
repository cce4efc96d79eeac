//! The emulated company as the toolkit's model: its records, the burst window and the daily token
//! budget, and how the toolkit's gate, faults and control plane speak Pipedrive.

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value};
use unified_emulator::window::RollingWindow;
use unified_emulator::{Answered, Call, Credential, Failure, NoKind, Profile, QueuedFault, Slow, State};

use super::schema::DEFAULT_USER;
use super::store::Store;
use super::{control, errors, faults, gate, meta, oauth, objects, time};

pub type Shared = unified_emulator::Shared<Pipedrive>;

/// The burst limit of an OAuth token on the Growth plan, and its window.
pub const BURST_LIMIT: usize = 160;
pub const BURST_WINDOW: Duration = Duration::from_secs(2);
/// The daily token budget: 30,000 × 2 (Growth) × 5 seats.
pub const DAILY_BUDGET: u64 = 300_000;

#[derive(Debug)]
pub struct Pipedrive {
    pub store: Store,
    burst: RollingWindow,
    /// Tokens spent on `budget_day` (UTC).
    spent: u64,
    budget_day: NaiveDate,
    /// Daily-budget tokens spent since the reset (the API's own accounting: a v2 create costs 5, ...).
    pub tokens_spent: u64,
}

impl Default for Pipedrive {
    /// A fresh company: its seeded users and fields, no records, the whole budget.
    fn default() -> Self {
        Self {
            store: Store::new(),
            burst: RollingWindow::new(BURST_LIMIT, BURST_WINDOW),
            spent: 0,
            budget_day: Utc::now().date_naive(),
            tokens_spent: 0,
        }
    }
}

impl Pipedrive {
    /// Counts a request in the rolling burst window; returns the requests left in it.
    pub fn burst_remaining(&mut self) -> usize {
        self.burst.count()
    }

    /// Spends `cost` tokens of today's budget; returns what is left (the budget resets at midnight UTC).
    pub fn spend(&mut self, cost: u64, now: DateTime<Utc>) -> u64 {
        let today = now.date_naive();
        if today != self.budget_day {
            self.budget_day = today;
            self.spent = 0;
        }
        self.spent = (self.spent + cost).min(DAILY_BUDGET);
        self.tokens_spent += cost;
        DAILY_BUDGET - self.spent
    }

    /// Today's budget left, without spending.
    pub fn budget_left(&self, now: DateTime<Utc>) -> u64 {
        if now.date_naive() != self.budget_day { DAILY_BUDGET } else { DAILY_BUDGET - self.spent }
    }
}

impl unified_emulator::Model for Pipedrive {
    const PROFILE: Profile = Profile {
        name: "pipedrive",
        clock_digits: 3,
        time_format: time::V2,
        token_seconds: oauth::ACCESS_TOKEN_SECONDS,
        expired_key: "expiredTokens",
        slow: Slow::BeforeCall,
        fault_example: r#"{"kind":"rate_limit|server_error|slow|expire_token","count":1,"scope":"burst|daily","retryAfter":2,"delayMs":1000,"status":503}"#,
        control_endpoints: control::ENDPOINTS,
        clock_example: r#"{"advanceSeconds":3600}"#,
    };
    /// The user id a token acts as (the default owner of what a call creates).
    type User = u64;
    type Faults = faults::Extras;

    fn sandbox_user() -> u64 {
        DEFAULT_USER
    }

    fn routes() -> Router<Shared> {
        Router::new()
            .merge(objects::router())
            .merge(meta::router())
            .merge(oauth::router())
            .fallback(errors::unknown_path)
    }

    fn control_routes() -> Router<Shared> {
        control::router()
    }

    fn index(_state: &State<Self>) -> Map<String, Value> {
        control::index()
    }

    fn stats(state: &State<Self>) -> Map<String, Value> {
        Map::from_iter([
            ("tokensSpent".to_owned(), Value::from(state.model.tokens_spent)),
            ("dailyBudgetLeft".to_owned(), Value::from(state.model.budget_left(state.now()))),
        ])
    }

    fn route_key(method: &Method, path: &str) -> String {
        gate::route_key(method, path)
    }

    fn credential<'h>(path: &str, headers: &'h HeaderMap) -> Option<Credential<'h>> {
        gate::credential(path, headers)
    }

    /// Pipedrive answers a missing, unknown or expired token alike.
    fn unauthorized(_expired: Option<DateTime<Utc>>, _now: DateTime<Utc>) -> Response {
        errors::unauthorized()
    }

    fn admitted(state: &mut State<Self>, _call: &Call, _user: &u64) -> Option<Response> {
        gate::budget_spent(state.model.budget_left(state.now()))
    }

    fn fault_answer(
        state: &mut State<Self>,
        failure: Failure<NoKind>,
        fault: &QueuedFault<Self>,
        _call: &Call,
    ) -> Response {
        let budget_left = state.model.budget_left(state.now());
        // A fault's answer carries its own headers (a 429 Pipedrive's rate-limit ones, a gateway's 5xx
        // page none), but the call still counts in the burst window.
        state.model.burst_remaining();
        faults::answer(failure, fault, budget_left)
    }

    fn finish(state: &mut State<Self>, call: &Call, answered: Answered) -> Vec<(&'static str, HeaderValue)> {
        let now = state.now();
        gate::spend(&mut state.model, call, answered, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_and_budgets_count_down() {
        let mut company = Pipedrive::default();
        let now = Utc::now();
        assert_eq!(company.burst_remaining(), BURST_LIMIT - 1);
        assert_eq!(company.spend(5, now), DAILY_BUDGET - 5);
        assert_eq!(company.budget_left(now), DAILY_BUDGET - 5);
        let tomorrow = now + chrono::Duration::days(1);
        assert_eq!(company.budget_left(tomorrow), DAILY_BUDGET, "a new day, a new budget");
        assert_eq!(company.spend(10, tomorrow), DAILY_BUDGET - 10);
        assert_eq!(company.tokens_spent, 15, "spent in all, across days");
        assert_eq!(company.spend(DAILY_BUDGET, tomorrow), 0, "never below nothing");
    }
}
