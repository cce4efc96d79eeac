//! One fault request shape for every provider, `POST /_emulator/faults` `{"kind", "count", "retryAfter",
//! "delayMs", "status"}`, plus the provider's extras (Salesforce's `limit`, Pipedrive's `scope`,
//! HubSpot's `policyName`), which its [`FaultSpec`] reads; and the queued [`Fault`] that
//! `GET /_emulator/faults` lists and each provider call takes a unit of.

mod read;

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize, Serializer};

use crate::queue::CountedFault;

/// What a fault does: the four kinds every provider knows, or one of the provider's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind<K = NoKind> {
    /// The provider's rate-limit answer.
    RateLimit,
    /// `500` in the provider's JSON, or a `502`/`503`/`504` page from its edge.
    ServerError,
    /// A normal answer, late.
    Slow,
    /// Not queued: every access token expires at once.
    ExpireToken,
    /// A kind of the provider's own (HubSpot's `423 Locked`, say).
    Provider(K),
}

/// A provider's own fault kinds, by their `snake_case` names.
pub trait ProviderKind: Copy + Eq + fmt::Debug + Send + Sync + 'static {
    const NAMES: &'static [&'static str];
    fn parse(name: &str) -> Option<Self>;
    fn name(self) -> &'static str;
}

/// No kinds of the provider's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoKind {}

impl ProviderKind for NoKind {
    const NAMES: &'static [&'static str] = &[];

    fn parse(_: &str) -> Option<Self> {
        None
    }

    fn name(self) -> &'static str {
        match self {}
    }
}

impl<K: ProviderKind> Kind<K> {
    pub fn name(self) -> &'static str {
        match self {
            Self::RateLimit => "rate_limit",
            Self::ServerError => "server_error",
            Self::Slow => "slow",
            Self::ExpireToken => "expire_token",
            Self::Provider(kind) => kind.name(),
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "rate_limit" => Self::RateLimit,
            "server_error" => Self::ServerError,
            "slow" => Self::Slow,
            "expire_token" => Self::ExpireToken,
            other => Self::Provider(K::parse(other)?),
        })
    }
}

impl<K: ProviderKind> Serialize for Kind<K> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// What a provider adds to the common fault request.
pub trait FaultSpec: DeserializeOwned + Send + 'static {
    /// The request keys it reads (besides [`COMMON_KEYS`]), in the order of its fields: any other key is
    /// refused. Each field has a default (a request may leave every extra out).
    const KEYS: &'static [&'static str];
    /// Its own kinds ([`NoKind`] for none).
    type Kind: ProviderKind;
    /// What a queued fault keeps of it (listed with the fault, flattened).
    type Kept: Clone + fmt::Debug + PartialEq + Serialize + Send + Sync + 'static;

    /// Reads the extras of a request whose status checked out; may settle the common part too
    /// (Salesforce turns `retryAfter` into its short-window limit). `Err` says what is wrong.
    fn read(self, fault: &mut Fault<(), Self::Kind>) -> Result<Self::Kept, String>;
}

/// No extras.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct NoExtras {}

impl FaultSpec for NoExtras {
    const KEYS: &'static [&'static str] = &[];
    type Kind = NoKind;
    type Kept = ();

    fn read(self, _: &mut Fault<(), NoKind>) -> Result<(), String> {
        Ok(())
    }
}

/// The keys every provider's fault request takes.
pub const COMMON_KEYS: [&str; 5] = ["kind", "count", "retryAfter", "delayMs", "status"];

/// `POST /_emulator/faults`, read as serde's derive would read one struct of the common fields and the
/// provider's under `deny_unknown_fields` (see [`read`]).
#[derive(Debug)]
pub struct FaultRequest<S: FaultSpec> {
    pub kind: Kind<S::Kind>,
    /// How many provider calls fail this way (default 1).
    pub count: Option<u32>,
    /// `rate_limit`: how long the provider says to wait, where it says so.
    pub retry_after: Option<u64>,
    /// `slow`: how late the answer is (default 1000).
    pub delay_ms: Option<u64>,
    /// `server_error`: 500, 502, 503 (default) or 504.
    pub status: Option<u16>,
    pub extras: S,
}

impl<S: FaultSpec> FaultRequest<S> {
    /// A request body; a key neither common nor the provider's is refused, in serde's words.
    pub fn parse(body: &[u8]) -> Result<Self, String> {
        serde_json::from_slice(body).map_err(|e| e.to_string())
    }

    /// The fault to queue: the common part checked and defaulted, the provider's extras read. The checks
    /// come in the order the providers' own emulators made them: the status, the extras, the count.
    pub fn into_fault(self) -> Result<Fault<S::Kept, S::Kind>, String> {
        let status = self.status.unwrap_or(503);
        if self.kind == Kind::ServerError && ![500, 502, 503, 504].contains(&status) {
            return Err(format!("status {status}: a server_error fault answers 500, 502, 503 or 504"));
        }
        let mut fault = Fault {
            kind: self.kind,
            remaining: self.count.unwrap_or(1),
            retry_after: self.retry_after,
            delay_ms: self.delay_ms.unwrap_or(1000),
            status,
            extra: (),
        };
        let kept = self.extras.read(&mut fault)?;
        if fault.remaining == 0 {
            return Err("count must be at least 1".to_owned());
        }
        Ok(fault.with(kept))
    }
}

/// A queued fault and how many calls it still applies to, with what the provider kept of its extras.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", bound(serialize = "X: Serialize, K: ProviderKind"))]
pub struct Fault<X = (), K = NoKind> {
    pub kind: Kind<K>,
    pub remaining: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    pub delay_ms: u64,
    pub status: u16,
    #[serde(flatten)]
    pub extra: X,
}

/// What a fault answers instead of the provider: the provider says how, in its wire format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure<K> {
    RateLimit,
    /// The status asked for: 500, 502, 503 or 504.
    ServerError(u16),
    Provider(K),
}

impl<X, K: ProviderKind> Fault<X, K> {
    pub fn with<Y>(self, extra: Y) -> Fault<Y, K> {
        let Fault { kind, remaining, retry_after, delay_ms, status, extra: _ } = self;
        Fault { kind, remaining, retry_after, delay_ms, status, extra }
    }

    /// What the fault answers instead of the provider; `None` for one that only delays the answer.
    pub fn failure(&self) -> Option<Failure<K>> {
        match self.kind {
            Kind::RateLimit => Some(Failure::RateLimit),
            Kind::ServerError => Some(Failure::ServerError(self.status)),
            Kind::Provider(kind) => Some(Failure::Provider(kind)),
            Kind::Slow | Kind::ExpireToken => None,
        }
    }
}

impl<X: Clone, K: Clone> CountedFault for Fault<X, K> {
    fn remaining(&mut self) -> &mut u32 {
        &mut self.remaining
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Extras, Locked, Policy};

    fn fault(json: &str) -> Result<Fault<Policy, Locked>, String> {
        FaultRequest::<Extras>::parse(json.as_bytes())?.into_fault()
    }

    #[test]
    fn common_fields_are_defaulted_and_extras_read_by_the_provider() {
        let queued = fault(r#"{"kind":"rate_limit","policyName":"DAILY","retryAfter":3}"#).unwrap();
        assert_eq!(
            serde_json::to_value(&queued).unwrap(),
            serde_json::json!({"kind": "rate_limit", "remaining": 1, "retryAfter": 3, "delayMs": 1000, "status": 503,
                               "policyName": "DAILY"})
        );
        let locked = fault(r#"{"kind":"locked","count":2}"#).unwrap();
        assert_eq!((locked.kind, locked.remaining, locked.retry_after), (Kind::Provider(Locked), 2, Some(2)));
        assert_eq!(locked.failure(), Some(Failure::Provider(Locked)));
        assert_eq!(
            fault(r#"{"kind":"server_error","status":502}"#).unwrap().failure(),
            Some(Failure::ServerError(502))
        );
        assert_eq!(fault(r#"{"kind":"slow","delayMs":5}"#).unwrap().failure(), None);
    }

    #[test]
    fn bad_requests_are_refused_in_serdes_words() {
        assert_eq!(
            fault(r#"{"kind":"explode"}"#).unwrap_err(),
            "unknown variant `explode`, expected one of `rate_limit`, `server_error`, `slow`, `locked`, \
             `expire_token` at line 1 column 17"
        );
        assert_eq!(
            fault(r#"{"kind":"slow","delay":5}"#).unwrap_err(),
            "unknown field `delay`, expected one of `kind`, `count`, `retryAfter`, `delayMs`, `status`, `policyName`, \
             `scopes` at line 1 column 22"
        );
        assert!(fault(r#"{"count":1}"#).unwrap_err().starts_with("missing field `kind`"));
        assert!(fault(r#"{"kind":"slow","count":"x"}"#).unwrap_err().starts_with("invalid type: string \"x\""));
        assert!(fault("").unwrap_err().starts_with("EOF while parsing"));
        assert_eq!(
            fault(r#"{"kind":"server_error","status":404}"#).unwrap_err(),
            "status 404: a server_error fault answers 500, 502, 503 or 504"
        );
        assert_eq!(fault(r#"{"kind":"rate_limit","count":0}"#).unwrap_err(), "count must be at least 1");
        assert_eq!(
            fault(r#"{"kind":"rate_limit","count":0,"policyName":"HOURLY"}"#).unwrap_err(),
            "policyName HOURLY: TEN_SECONDLY_ROLLING or DAILY",
            "the extras are checked before the count"
        );
        assert!(
            fault(r#"{"kind":"server_error","status":404,"policyName":"HOURLY"}"#).unwrap_err().starts_with("status")
        );
    }

    #[test]
    fn a_provider_without_extras_takes_the_common_shape_only() {
        let fault = FaultRequest::<NoExtras>::parse(br#"{"kind":"expire_token"}"#).unwrap().into_fault().unwrap();
        assert_eq!(fault.kind, Kind::ExpireToken);
        assert_eq!(
            serde_json::to_value(&fault).unwrap(),
            serde_json::json!({"kind": "expire_token", "remaining": 1, "delayMs": 1000, "status": 503})
        );
        let refused = FaultRequest::<NoExtras>::parse(br#"{"kind":"locked"}"#).unwrap_err();
        assert!(
            refused.contains("expected one of `rate_limit`, `server_error`, `slow`, `expire_token` at"),
            "{refused}"
        );
    }
}
