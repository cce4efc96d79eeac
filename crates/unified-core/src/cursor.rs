//! List cursors: opaque to the caller, URL-safe, versioned, and bound to what they page through.
//!
//! A connector's own cursor (HubSpot's `after`, a search anchor, ...) travels inside a token sealed with
//! HMAC-SHA-256 under a server key: `base64url(version ‖ tag ‖ inner)`, where the tag covers the version,
//! the [`CursorScope`] (provider, resource, connection, the query's `updatedSince`) and the inner cursor.
//! A forged, altered or reused-elsewhere token fails to open: `invalid_cursor`, never a provider call.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::error::UnifiedError;
use crate::resource::ResourceKind;
use crate::time::Timestamp;

const VERSION: u8 = 1;
/// 128 bits of tag: forging one is out of reach, and the token stays short.
const TAG_LEN: usize = 16;

/// The server's cursor key (instances that share a database must share it).
#[derive(Clone)]
pub struct CursorKey([u8; 32]);

impl CursorKey {
    pub fn new(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// A key of the process's own (embedding): cursors then open only in the process that made them.
    pub fn random() -> Self {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the operating system's random source works");
        Self(bytes)
    }
}

impl std::fmt::Debug for CursorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorKey([REDACTED])")
    }
}

/// What a cursor belongs to: the same list, of the same connection, with the same filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CursorScope<'a> {
    pub provider: &'a str,
    pub resource: ResourceKind,
    pub connection_id: &'a str,
    pub updated_since: Option<Timestamp>,
}

impl CursorScope<'_> {
    fn mac(&self, key: &CursorKey, inner: &[u8]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&key.0).expect("HMAC takes any key length");
        mac.update(&[VERSION]);
        let since = self.updated_since.map(|t| t.millis().to_string()).unwrap_or_default();
        for part in [self.provider, self.resource.as_str(), self.connection_id, since.as_str()] {
            // Length-prefixed, so that no two scopes write the same bytes.
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        mac.update(inner);
        mac
    }
}

/// Seals a connector's cursor for `scope`.
pub fn seal(key: &CursorKey, scope: &CursorScope<'_>, inner: &str) -> String {
    let tag = scope.mac(key, inner.as_bytes()).finalize().into_bytes();
    let mut bytes = Vec::with_capacity(1 + TAG_LEN + inner.len());
    bytes.push(VERSION);
    bytes.extend_from_slice(&tag[..TAG_LEN]);
    bytes.extend_from_slice(inner.as_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Opens a token sealed by [`seal`] for the same `scope`, or says why it is not one.
pub fn open(key: &CursorKey, scope: &CursorScope<'_>, token: &str) -> Result<String, UnifiedError> {
    let invalid = |reason: &str| UnifiedError::InvalidCursor { reason: reason.to_owned() };
    let bytes = URL_SAFE_NO_PAD.decode(token.trim()).map_err(|_| invalid("it is not a cursor this API issued"))?;
    let (&version, rest) = bytes.split_first().ok_or_else(|| invalid("it is empty"))?;
    if version != VERSION {
        return Err(invalid("it was issued by another version of this API; start the list again"));
    }
    if rest.len() < TAG_LEN {
        return Err(invalid("it is not a cursor this API issued"));
    }
    let (tag, inner) = rest.split_at(TAG_LEN);
    scope.mac(key, inner).verify_truncated_left(tag).map_err(|_| {
        invalid("it was not issued for this provider, resource, connection and query (or it was altered)")
    })?;
    String::from_utf8(inner.to_vec()).map_err(|_| invalid("it is not a cursor this API issued"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(connection_id: &str) -> CursorScope<'_> {
        CursorScope { provider: "hubspot", resource: ResourceKind::Contact, connection_id, updated_since: None }
    }

    #[test]
    fn round_trips_url_safe() {
        let key = CursorKey::new([7; 32]);
        let token = seal(&key, &scope("c1"), "after=200&anchor=1780300800000/88415392071");
        assert!(token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{token}");
        assert_eq!(open(&key, &scope("c1"), &token).unwrap(), "after=200&anchor=1780300800000/88415392071");
    }

    #[test]
    fn another_scope_key_or_a_change_is_refused() {
        let key = CursorKey::new([7; 32]);
        let token = seal(&key, &scope("c1"), "42");
        for (what, result) in [
            ("connection", open(&key, &scope("c2"), &token)),
            ("resource", open(&key, &CursorScope { resource: ResourceKind::Deal, ..scope("c1") }, &token)),
            ("query", open(&key, &CursorScope { updated_since: Timestamp::from_millis(1), ..scope("c1") }, &token)),
            ("key", open(&CursorKey::new([8; 32]), &scope("c1"), &token)),
            ("garbage", open(&key, &scope("c1"), "not a cursor!")),
            ("empty", open(&key, &scope("c1"), "")),
        ] {
            assert_eq!(result.unwrap_err().code(), "invalid_cursor", "{what}");
        }
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        *bytes.last_mut().unwrap() ^= 1;
        assert!(open(&key, &scope("c1"), &URL_SAFE_NO_PAD.encode(&bytes)).is_err(), "altered");
        bytes[0] = 9;
        let message = open(&key, &scope("c1"), &URL_SAFE_NO_PAD.encode(&bytes)).unwrap_err().message();
        assert!(message.contains("another version"), "{message}");
    }
}
