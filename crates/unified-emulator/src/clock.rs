//! The emulated clock: real time plus an offset that `POST /_emulator/clock` moves forward (token
//! expiry, timestamps and daily budgets can be tested without waiting), read at the provider's precision.

use chrono::{DateTime, Duration, SubsecRound, Utc};

/// How far the clock may be moved in all, so that it stays a real date.
const MAX_OFFSET_DAYS: i64 = 365 * 1000;

#[derive(Debug, Clone, Copy)]
pub struct Clock {
    offset: Duration,
    /// Sub-second digits of [`Clock::now`]: 0 for whole seconds (Salesforce), 3 for milliseconds.
    digits: u16,
}

impl Clock {
    pub fn new(digits: u16) -> Self {
        Self { offset: Duration::zero(), digits }
    }

    /// The emulated time at the provider's precision (its record timestamps).
    pub fn now(&self) -> DateTime<Utc> {
        self.exact().trunc_subsecs(self.digits)
    }

    /// The emulated time, untruncated (Salesforce's `issued_at` milliseconds).
    pub fn exact(&self) -> DateTime<Utc> {
        Utc::now() + self.offset
    }

    /// Moves the clock forward, by at most a thousand years in all.
    pub fn advance(&mut self, by: Duration) {
        let cap = Duration::days(MAX_OFFSET_DAYS);
        self.offset = (self.offset + by.min(cap)).min(cap);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_at_its_precision_and_moves_forward() {
        let mut seconds = Clock::new(0);
        assert_eq!(seconds.now().timestamp_subsec_nanos(), 0);
        assert_eq!(Clock::new(3).now().timestamp_subsec_nanos() % 1_000_000, 0);
        let before = seconds.now();
        seconds.advance(Duration::hours(3));
        assert!(seconds.now() - before >= Duration::hours(3));
        seconds.advance(Duration::days(MAX_OFFSET_DAYS * 2));
        assert!(seconds.now() - before <= Duration::days(MAX_OFFSET_DAYS) + Duration::hours(1), "capped");
    }
}
