//! An emulator's whole state behind one `std::sync::Mutex`, never held across an `.await`: the
//! provider's model, and the token book, pending faults, statistics and clock every emulator keeps.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Duration, Utc};

use crate::clock::Clock;
use crate::model::{Model, QueuedFault};
use crate::queue::FaultQueue;
use crate::stats::Stats;
use crate::tokens::TokenBook;

pub type Shared<M> = Arc<Mutex<State<M>>>;

#[derive(Debug)]
pub struct State<M: Model> {
    pub model: M,
    pub tokens: TokenBook<M::User>,
    pub faults: FaultQueue<QueuedFault<M>>,
    pub stats: Stats,
    pub clock: Clock,
}

impl<M: Model> State<M> {
    pub fn new() -> Self {
        let profile = M::PROFILE;
        Self {
            model: M::default(),
            tokens: TokenBook::new(M::sandbox_user(), Duration::seconds(profile.token_seconds)),
            faults: FaultQueue::default(),
            stats: Stats::default(),
            clock: Clock::new(profile.clock_digits),
        }
    }

    /// A fresh emulator: a fresh model, no tokens, faults or statistics, the real time again.
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// The emulated clock, at the provider's precision.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// `now` in the provider's own form (the clock endpoint's answer).
    pub fn time_text(at: DateTime<Utc>) -> String {
        at.format(M::PROFILE.time_format).to_string()
    }
}

impl<M: Model> Default for State<M> {
    fn default() -> Self {
        Self::new()
    }
}

/// Locks the state. A panic while it was held cannot leave it half-written in a way that matters to
/// an emulator, so a poisoned lock is taken over rather than propagated.
pub fn lock<M: Model>(shared: &Shared<M>) -> MutexGuard<'_, State<M>> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Echo;

    #[test]
    fn a_reset_forgets_everything_but_the_profile() {
        let mut state = State::<Echo>::new();
        state.model.seen = 3;
        state.stats.request("GET /x".into());
        state.clock.advance(Duration::days(2));
        state.tokens.issue("a", "r", 1, state.now());
        state.reset();
        assert_eq!((state.model.seen, state.stats.total_requests), (0, 0));
        assert!(state.now() < Utc::now() + Duration::hours(1), "the real time again");
        assert_eq!(state.tokens.refresh_user("r"), None);
        assert_eq!(state.tokens.lifetime(), Duration::seconds(60));
        assert_eq!(State::<Echo>::time_text(DateTime::UNIX_EPOCH), "1970-01-01T00:00:00Z");
    }
}
