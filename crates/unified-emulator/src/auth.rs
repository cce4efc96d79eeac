//! Credentials in request headers. Each provider says which of its paths need one and which schemes it
//! takes; the gate checks what it finds against the token book.

use axum::http::{HeaderMap, header};

/// What a call that needs a credential presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential<'h> {
    /// None, or not in a form the provider takes.
    Missing,
    /// An OAuth access token: checked against the token book, expires.
    Bearer(&'h str),
    /// An API key (Pipedrive's `x-api-token`): never expires; here only `sandbox-` keys are known.
    Key(&'h str),
}

/// `Authorization: <scheme> <credentials>`, both trimmed; the provider matches the scheme.
pub fn authorization(headers: &HeaderMap) -> Option<(&str, &str)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, credentials) = value.split_once(' ')?;
    Some((scheme, credentials.trim()))
}

/// An access token under one of `schemes` (compared ignoring case), as a [`Credential::Bearer`].
pub fn bearer<'h>(headers: &'h HeaderMap, schemes: &[&str]) -> Credential<'h> {
    match authorization(headers) {
        Some((scheme, token)) if !token.is_empty() && schemes.iter().any(|s| s.eq_ignore_ascii_case(scheme)) => {
            Credential::Bearer(token)
        }
        _ => Credential::Missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(authorization: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, authorization.parse().unwrap());
        headers
    }

    #[test]
    fn schemes_and_tokens() {
        assert_eq!(authorization(&headers(" Basic  Y2xp ")), Some(("Basic", "Y2xp")));
        assert_eq!(authorization(&headers("Bearer")), None);
        assert_eq!(authorization(&HeaderMap::new()), None);
        assert_eq!(bearer(&headers("bearer sandbox-1"), &["Bearer"]), Credential::Bearer("sandbox-1"));
        assert_eq!(bearer(&headers("OAuth sandbox-1"), &["Bearer", "OAuth"]), Credential::Bearer("sandbox-1"));
        assert_eq!(bearer(&headers("OAuth sandbox-1"), &["Bearer"]), Credential::Missing);
        assert_eq!(bearer(&headers("Basic abc"), &["Bearer"]), Credential::Missing);
    }
}
