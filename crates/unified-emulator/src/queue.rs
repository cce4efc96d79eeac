//! The pending faults that `POST /_emulator/faults` fills and each provider call draws from.

use std::collections::VecDeque;

/// A fault that stands for a number of provider calls.
pub trait CountedFault: Clone {
    /// How many more calls it applies to.
    fn remaining(&mut self) -> &mut u32;
}

/// The pending faults, oldest first.
#[derive(Debug)]
pub struct FaultQueue<F> {
    queue: VecDeque<F>,
}

impl<F> Default for FaultQueue<F> {
    fn default() -> Self {
        Self { queue: VecDeque::new() }
    }
}

impl<F: CountedFault> FaultQueue<F> {
    pub fn push(&mut self, fault: F) {
        self.queue.push_back(fault);
    }

    /// One unit of the oldest pending fault (its `remaining` 0), for the current provider call.
    pub fn take(&mut self) -> Option<F> {
        let front = self.queue.front_mut()?;
        let left = front.remaining().saturating_sub(1);
        *front.remaining() = left;
        let mut one = front.clone();
        *one.remaining() = 0;
        if left == 0 {
            self.queue.pop_front();
        }
        Some(one)
    }

    pub fn pending(&self) -> Vec<F> {
        self.queue.iter().cloned().collect()
    }

    pub fn len(&self) -> usize {
        self.queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    pub fn clear(&mut self) {
        self.queue.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct Fault(&'static str, u32);

    impl CountedFault for Fault {
        fn remaining(&mut self) -> &mut u32 {
            &mut self.1
        }
    }

    #[test]
    fn each_fault_applies_to_its_count_of_calls_in_order() {
        let mut faults = FaultQueue::default();
        faults.push(Fault("rate_limit", 2));
        faults.push(Fault("slow", 1));
        assert_eq!(faults.take(), Some(Fault("rate_limit", 0)));
        assert_eq!(faults.pending(), [Fault("rate_limit", 1), Fault("slow", 1)]);
        assert_eq!(faults.take(), Some(Fault("rate_limit", 0)));
        assert_eq!(faults.take(), Some(Fault("slow", 0)));
        assert_eq!(faults.take(), None);
        faults.push(Fault("server_error", 3));
        assert_eq!(faults.len(), 1);
        faults.clear();
        assert!(faults.is_empty() && faults.pending().is_empty());
    }
}
