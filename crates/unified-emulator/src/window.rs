//! A rolling rate-limit window (Pipedrive's 2-second burst limit, HubSpot's 10-second one): how many
//! calls are left in it, for the provider's rate-limit headers.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct RollingWindow {
    limit: usize,
    span: Duration,
    /// When each call of the current window arrived, oldest first.
    arrivals: VecDeque<Instant>,
}

impl RollingWindow {
    pub fn new(limit: usize, span: Duration) -> Self {
        Self { limit, span, arrivals: VecDeque::new() }
    }

    /// Counts a call now; returns the calls left in the window.
    pub fn count(&mut self) -> usize {
        self.count_at(Instant::now())
    }

    fn count_at(&mut self, now: Instant) -> usize {
        while self.arrivals.front().is_some_and(|at| now.duration_since(*at) >= self.span) {
            self.arrivals.pop_front();
        }
        self.arrivals.push_back(now);
        self.limit.saturating_sub(self.arrivals.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_down_and_forgets_calls_older_than_its_span() {
        let mut window = RollingWindow::new(3, Duration::from_secs(2));
        let start = Instant::now();
        assert_eq!(window.count_at(start), 2);
        assert_eq!(window.count_at(start + Duration::from_millis(500)), 1);
        assert_eq!(window.count_at(start + Duration::from_millis(900)), 0);
        assert_eq!(window.count_at(start + Duration::from_millis(1000)), 0, "never below zero");
        assert_eq!(window.count_at(start + Duration::from_millis(2600)), 0, "the first two have left");
        assert_eq!(window.count_at(start + Duration::from_secs(10)), 2, "all have left");
        assert_eq!(RollingWindow::new(3, Duration::from_secs(2)).count(), 2);
    }
}
