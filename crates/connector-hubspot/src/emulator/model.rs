//! The emulated portal as the toolkit's model: its records, owners and the rolling rate-limit window,
//! and how the toolkit's gate, faults and control plane speak HubSpot.

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use unified_emulator::window::RollingWindow;
use unified_emulator::{Answered, Call, Credential, Failure, Profile, QueuedFault, Slow, State};

use super::owners::Owners;
use super::store::Store;
use super::{associations, control, errors, faults, gate, oauth, objects, owners, properties, time};

pub type Shared = unified_emulator::Shared<HubSpot>;

/// HubSpot's burst limit (Professional and Enterprise, and what the fixtures recorded) and its window.
pub const RATE_LIMIT_MAX: usize = 190;
pub const RATE_LIMIT_WINDOW: Duration = Duration::from_secs(10);

#[derive(Debug)]
pub struct HubSpot {
    pub store: Store,
    pub owners: Owners,
    window: RollingWindow,
}

impl Default for HubSpot {
    /// A fresh portal: no records, the seeded owners, a full window.
    fn default() -> Self {
        Self {
            store: Store::new(),
            owners: Owners::seeded(),
            window: RollingWindow::new(RATE_LIMIT_MAX, RATE_LIMIT_WINDOW),
        }
    }
}

impl HubSpot {
    /// Counts a call in the rolling window; returns the calls left in it.
    pub fn rate_limit_remaining(&mut self) -> usize {
        self.window.count()
    }
}

impl unified_emulator::Model for HubSpot {
    const PROFILE: Profile = Profile {
        name: "hubspot",
        clock_digits: 3,
        time_format: time::FORMAT,
        token_seconds: oauth::ACCESS_TOKEN_SECONDS,
        expired_key: "expiredTokens",
        // A slow HubSpot still does the work when the caller gives up waiting: only the answer is late.
        slow: Slow::AfterCall,
        fault_example: r#"{"kind":"rate_limit|server_error|slow|locked|migrating|missing_scopes|expire_token","count":1,"retryAfter":2,"delayMs":1000,"status":503,"policyName":"TEN_SECONDLY_ROLLING|DAILY","scopes":["crm.objects.deals.write"]}"#,
        control_endpoints: control::ENDPOINTS,
        clock_example: r#"{"advanceSeconds":1801}"#,
    };
    /// HubSpot's tokens name no user that its answers depend on.
    type User = ();
    type Faults = faults::Extras;

    fn sandbox_user() {}

    fn routes() -> Router<Shared> {
        Router::new()
            .merge(objects::router())
            .merge(associations::router())
            .merge(properties::router())
            .merge(owners::router())
            .merge(oauth::router())
            .fallback(errors::unknown_path)
    }

    fn control_routes() -> Router<Shared> {
        control::router()
    }

    fn index(_state: &State<Self>) -> Map<String, Value> {
        control::index()
    }

    fn route_key(method: &Method, path: &str) -> String {
        gate::route_key(method, path)
    }

    fn credential<'h>(path: &str, headers: &'h HeaderMap) -> Option<Credential<'h>> {
        gate::credential(path, headers)
    }

    fn unauthorized(expired: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Response {
        oauth::unauthorized(expired, now)
    }

    fn fault_answer(
        state: &mut State<Self>,
        failure: Failure<faults::Kind>,
        fault: &QueuedFault<Self>,
        call: &Call,
    ) -> Response {
        // The call still counts in the window, but only a 429 says so (that it is spent).
        state.model.rate_limit_remaining();
        faults::answer(failure, fault, call)
    }

    /// Every other answer, refusals and unknown paths included, says what is left of the window.
    fn finish(state: &mut State<Self>, _call: &Call, _answered: Answered) -> Vec<(&'static str, HeaderValue)> {
        faults::rate_limit_headers(state.model.rate_limit_remaining()).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_counts_down_and_a_fresh_portal_has_the_seeded_owners() {
        let mut portal = HubSpot::default();
        assert_eq!(portal.rate_limit_remaining(), RATE_LIMIT_MAX - 1);
        assert_eq!(portal.rate_limit_remaining(), RATE_LIMIT_MAX - 2);
        assert_eq!(portal.owners.all().len(), 3);
        assert_eq!(HubSpot::default().rate_limit_remaining(), RATE_LIMIT_MAX - 1, "each portal its own window");
    }
}
