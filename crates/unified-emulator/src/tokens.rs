//! The OAuth token book: the access tokens a provider's token endpoint issued (each with its user and
//! expiry on the emulator's clock), the refresh tokens behind them and the authorization codes used.
//!
//! Tokens that start with `sandbox-` are valid as access tokens, refresh tokens and API keys without
//! being issued (sandbox connections hold such tokens), acting as the provider's sandbox user, until an
//! `expire_token` fault expires the access tokens.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};

/// The prefix of tokens that are always valid (sandbox connections).
pub const SANDBOX_PREFIX: &str = "sandbox-";

pub fn is_sandbox(token: &str) -> bool {
    token.starts_with(SANDBOX_PREFIX)
}

/// What a credential is worth now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict<U> {
    /// Valid, for this user.
    Valid(U),
    /// Missing, or neither issued here nor a `sandbox-` token.
    Unknown,
    /// Issued (or seen) here, expired at this time.
    Expired(DateTime<Utc>),
}

#[derive(Debug)]
pub struct TokenBook<U> {
    /// Access token → its user and expiry (`None`: a `sandbox-` token, valid until an `expire_token` fault).
    access: HashMap<String, (U, Option<DateTime<Utc>>)>,
    /// Refresh token → its user.
    refresh: HashMap<String, U>,
    used_codes: HashSet<String>,
    sandbox_user: U,
    lifetime: Duration,
}

impl<U: Clone> TokenBook<U> {
    /// A book whose `sandbox-` tokens act as `sandbox_user` and whose issued tokens live `lifetime`.
    pub fn new(sandbox_user: U, lifetime: Duration) -> Self {
        Self { access: HashMap::new(), refresh: HashMap::new(), used_codes: HashSet::new(), sandbox_user, lifetime }
    }

    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// Checks an access token; a `sandbox-` token seen for the first time is remembered, so that an
    /// `expire_token` fault can expire it.
    pub fn check(&mut self, token: &str, now: DateTime<Utc>) -> Verdict<U> {
        match self.access.get(token) {
            _ if token.is_empty() => Verdict::Unknown,
            Some((_, Some(expiry))) if *expiry <= now => Verdict::Expired(*expiry),
            Some((user, _)) => Verdict::Valid(user.clone()),
            None if is_sandbox(token) => {
                self.access.insert(token.to_owned(), (self.sandbox_user.clone(), None));
                Verdict::Valid(self.sandbox_user.clone())
            }
            None => Verdict::Unknown,
        }
    }

    /// An API key: keys do not expire, and the only ones known here are `sandbox-` ones.
    pub fn check_key(&self, key: &str) -> Verdict<U> {
        if is_sandbox(key) { Verdict::Valid(self.sandbox_user.clone()) } else { Verdict::Unknown }
    }

    /// The user of a refresh token this book knows (a `sandbox-` one is always known).
    pub fn refresh_user(&self, token: &str) -> Option<U> {
        self.refresh.get(token).cloned().or_else(|| is_sandbox(token).then(|| self.sandbox_user.clone()))
    }

    /// Books a new access token for a refresh token (which stays valid: none of the providers rotate
    /// them here); returns when the access token expires.
    pub fn issue(&mut self, access: &str, refresh: &str, user: U, now: DateTime<Utc>) -> DateTime<Utc> {
        let expiry = now + self.lifetime;
        self.access.insert(access.to_owned(), (user.clone(), Some(expiry)));
        self.refresh.insert(refresh.to_owned(), user);
        expiry
    }

    /// An authorization code works once.
    pub fn redeem_code(&mut self, code: &str) -> bool {
        self.used_codes.insert(code.to_owned())
    }

    /// The `expire_token` fault: every access token issued or accepted so far expires now; returns how
    /// many were still valid.
    pub fn expire_all(&mut self, now: DateTime<Utc>) -> usize {
        let mut expired = 0;
        for (_, expiry) in self.access.values_mut() {
            if expiry.is_none_or(|at| at > now) {
                *expiry = Some(now);
                expired += 1;
            }
        }
        expired
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> TokenBook<u64> {
        TokenBook::new(7, Duration::seconds(1800))
    }

    #[test]
    fn issued_tokens_expire_after_their_lifetime() {
        let mut tokens = book();
        let now = Utc::now();
        let expiry = tokens.issue("access-1", "refresh-1", 42, now);
        assert_eq!(expiry, now + Duration::seconds(1800));
        assert_eq!(tokens.check("access-1", now), Verdict::Valid(42));
        assert_eq!(tokens.check("access-1", expiry), Verdict::Expired(expiry));
        assert_eq!(tokens.check("access-2", now), Verdict::Unknown);
        assert_eq!(tokens.check("", now), Verdict::Unknown);
        assert_eq!(tokens.refresh_user("refresh-1"), Some(42));
        assert_eq!(tokens.refresh_user("sandbox-r"), Some(7));
        assert_eq!(tokens.refresh_user("refresh-2"), None);
    }

    #[test]
    fn sandbox_tokens_are_valid_until_expired() {
        let mut tokens = book();
        let now = Utc::now();
        assert_eq!(tokens.check("sandbox-abc", now), Verdict::Valid(7));
        tokens.issue("access-1", "refresh-1", 42, now);
        assert_eq!(tokens.expire_all(now), 2);
        assert_eq!(tokens.expire_all(now), 0, "already expired");
        assert_eq!(tokens.check("sandbox-abc", now), Verdict::Expired(now));
        assert_eq!(tokens.check("access-1", now), Verdict::Expired(now));
        assert_eq!(tokens.check("sandbox-new", now), Verdict::Valid(7), "never seen before the fault");
        assert_eq!(tokens.check_key("sandbox-abc"), Verdict::Valid(7), "API keys do not expire");
        assert_eq!(tokens.check_key("659c9fddb16335e48cc67114694b52074e812e03"), Verdict::Unknown);
    }

    #[test]
    fn codes_work_once() {
        let mut tokens = book();
        assert!(tokens.redeem_code("c1"));
        assert!(!tokens.redeem_code("c1"));
        assert!(tokens.redeem_code("c2"));
    }
}
