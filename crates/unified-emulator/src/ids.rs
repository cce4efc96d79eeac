//! The providers' id formats: numbers counted up past the ones seeding took (Pipedrive's integer ids,
//! HubSpot's numeric strings, Salesforce's record numbers), and [`salesforce`]'s 18-character ids.

pub mod salesforce;

/// The next number to hand out.
#[derive(Debug, Clone)]
pub struct Counter {
    next: u64,
}

impl Counter {
    pub fn starting_at(first: u64) -> Self {
        Self { next: first }
    }

    /// The next id, made from the next number, that is not `taken` (a seeded record may hold it).
    pub fn next_free<T>(&mut self, make: impl Fn(u64) -> T, taken: impl Fn(&T) -> bool) -> T {
        loop {
            let id = make(self.next);
            self.next += 1;
            if !taken(&id) {
                return id;
            }
        }
    }
}

/// A HubSpot-style id: one or more ASCII digits.
pub fn is_numeric(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_up_past_taken_ids() {
        let mut counter = Counter::starting_at(5821);
        let taken = ["5822".to_owned(), "5823".to_owned()];
        assert_eq!(counter.next_free(|n| n.to_string(), |id| taken.contains(id)), "5821");
        assert_eq!(counter.next_free(|n| n.to_string(), |id| taken.contains(id)), "5824");
        assert_eq!(counter.next_free(|n| n, |_| false), 5825);
        assert!(is_numeric("0123") && !is_numeric("") && !is_numeric("12a") && !is_numeric("-1"));
    }
}
