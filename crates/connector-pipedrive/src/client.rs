//! One function per Pipedrive call, through unified-core's transport, and `parse_error`.
//!
//! Each call is a small `pub async fn` taking the `ProviderClient` and a `wire` body and returning the
//! `RawResponse` (see connector-hubspot's `client.rs`); the connector decodes it with `response.json()`.

use unified_core::transport::ProviderError;

/// Pipedrive's error body → message, unified field errors and kind.
///
/// Until Pipedrive's error format is described in `wire`, the body's text is the message. Once it is,
/// decode it first and fall back to the text for bodies that do not match (gateways answer in HTML).
pub fn parse_error(status: u16, body: &[u8]) -> ProviderError {
    unified_core::transport::parse_error_as_text(status, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_json_bodies_keep_their_text() {
        assert_eq!(parse_error(502, b"Bad Gateway").message, "Bad Gateway");
    }
}
