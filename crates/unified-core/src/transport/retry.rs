//! The retry budget and `Retry-After` parsing.

use std::time::{Duration, SystemTime};

use http::HeaderMap;

/// When a refused or failed call is tried again.
///
/// - 429 (any method: the provider refused the call, so nothing was created) waits for `Retry-After`.
/// - 5xx, timeouts and connection failures are retried for GET only: **a POST is never re-sent once the
///   provider may have received it.**
/// - At most `max_tries` attempts and `max_wait` of waiting in all; past that the error goes back to the
///   caller, with the wait the provider asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_tries: u32,
    pub max_wait: Duration,
    /// The wait after a 429 that names none.
    pub default_rate_limit_wait: Duration,
    /// First backoff for a GET after a 5xx or a network failure; doubled each time.
    pub backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_tries: 3,
            max_wait: Duration::from_secs(10),
            default_rate_limit_wait: Duration::from_secs(1),
            backoff: Duration::from_millis(200),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self { max_tries: 1, ..Self::default() }
    }
}

/// `Retry-After` in seconds or as an HTTP-date, rounded up to whole seconds.
pub fn parse_retry_after(headers: &HeaderMap) -> Option<u64> {
    let value = headers.get(http::header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(seconds);
    }
    let at = httpdate::parse_http_date(value).ok()?;
    let wait = at.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO);
    Some(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(http::header::RETRY_AFTER, value.parse().unwrap());
        h
    }

    #[test]
    fn seconds() {
        assert_eq!(parse_retry_after(&headers("7")), Some(7));
    }

    #[test]
    fn http_date_in_the_future() {
        let at = SystemTime::now() + Duration::from_secs(30);
        let got = parse_retry_after(&headers(&httpdate::fmt_http_date(at))).unwrap();
        assert!((29..=31).contains(&got), "{got}");
    }

    #[test]
    fn http_date_in_the_past_means_now() {
        assert_eq!(parse_retry_after(&headers("Wed, 21 Oct 2015 07:28:00 GMT")), Some(0));
    }

    #[test]
    fn garbage_is_ignored() {
        assert_eq!(parse_retry_after(&headers("soon")), None);
        assert_eq!(parse_retry_after(&HeaderMap::new()), None);
    }
}
