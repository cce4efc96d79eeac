//! The query string of a record call: `provider` and `endUserId` always; `includeRemoteData` where a
//! record comes back; `limit`, `cursor` and `updatedSince` on a list. Anything else is `invalid_query`.

use unified_core::time::Timestamp;
use unified_core::{Operation, UnifiedError};

/// A record call's query, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordQuery {
    pub provider: String,
    pub end_user_id: String,
    pub include_remote_data: bool,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
    pub updated_since: Option<Timestamp>,
}

/// The query keys an operation takes.
pub fn allowed(operation: Operation) -> &'static [&'static str] {
    match operation {
        Operation::Create | Operation::Get | Operation::Update => &["provider", "endUserId", "includeRemoteData"],
        Operation::List => &["provider", "endUserId", "includeRemoteData", "limit", "cursor", "updatedSince"],
        Operation::Delete => &["provider", "endUserId"],
    }
}

impl RecordQuery {
    pub fn parse(operation: Operation, raw: Option<&str>) -> Result<Self, UnifiedError> {
        let invalid = |message: String| UnifiedError::InvalidQuery { message };
        let keys = allowed(operation);
        let mut values: [Option<String>; 6] = Default::default();
        for (key, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            let Some(i) = keys.iter().position(|k| *k == key) else {
                return Err(invalid(format!("Unknown query parameter `{key}`; allowed: {}", keys.join(", "))));
            };
            if values[i].replace(value.into_owned()).is_some() {
                return Err(invalid(format!("Query parameter `{key}` is given more than once")));
            }
        }
        let take = |name: &str, values: &mut [Option<String>; 6]| {
            keys.iter().position(|k| *k == name).and_then(|i| values[i].take())
        };
        let required = |value: Option<String>, name: &str| {
            value
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| invalid(format!("Missing query parameter `{name}` (required: provider, endUserId)")))
        };
        let provider = required(take("provider", &mut values), "provider")?;
        let end_user_id = required(take("endUserId", &mut values), "endUserId")?;
        let include_remote_data = match take("includeRemoteData", &mut values).as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => return Err(invalid(format!("`includeRemoteData` must be true or false, not `{other}`"))),
        };
        let limit = match take("limit", &mut values) {
            None => None,
            Some(text) => Some(
                text.parse::<u32>()
                    .ok()
                    .filter(|n| (1..=unified_core::pipeline::MAX_LIMIT).contains(n))
                    .ok_or_else(|| invalid(format!("`limit` must be a whole number from 1 to 100, not `{text}`")))?,
            ),
        };
        let cursor = take("cursor", &mut values).filter(|c| !c.is_empty());
        let updated_since = match take("updatedSince", &mut values) {
            None => None,
            Some(text) => {
                Some(chrono::DateTime::parse_from_rfc3339(&text).map(|t| Timestamp(t.to_utc())).map_err(|_| {
                    invalid(format!(
                        "`updatedSince` must be an RFC 3339 date-time such as 2026-01-01T00:00:00Z, not `{text}`"
                    ))
                })?)
            }
        };
        Ok(Self { provider, end_user_id, include_remote_data, limit, cursor, updated_since })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_query_rules() {
        let ok =
            RecordQuery::parse(Operation::Create, Some("provider=hubspot&endUserId=user%20001&includeRemoteData=true"))
                .unwrap();
        assert_eq!(
            (ok.provider.as_str(), ok.end_user_id.as_str(), ok.include_remote_data),
            ("hubspot", "user 001", true)
        );
        for bad in [
            None,
            Some("provider=hubspot"),
            Some("endUserId=u"),
            Some("provider=&endUserId=u"),
            Some("provider=h&endUserId=u&x=1"),
            Some("provider=h&provider=h&endUserId=u"),
            Some("provider=h&endUserId=u&includeRemoteData=yes"),
            Some("provider=h&endUserId=u&limit=5"),
        ] {
            assert_eq!(RecordQuery::parse(Operation::Create, bad).unwrap_err().code(), "invalid_query", "{bad:?}");
        }
    }

    #[test]
    fn list_query_rules() {
        let ok = RecordQuery::parse(
            Operation::List,
            Some("provider=h&endUserId=u&limit=100&cursor=abc&updatedSince=2026-01-01T01:00:00%2B01:00"),
        )
        .unwrap();
        assert_eq!(ok.limit, Some(100));
        assert_eq!(ok.cursor.as_deref(), Some("abc"));
        assert_eq!(ok.updated_since.unwrap().to_string(), "2026-01-01T00:00:00.000Z");
        for bad in ["limit=0", "limit=101", "limit=ten", "updatedSince=yesterday", "updatedSince=2026-01-01"] {
            let query = format!("provider=h&endUserId=u&{bad}");
            let error = RecordQuery::parse(Operation::List, Some(&query)).unwrap_err();
            assert_eq!(error.code(), "invalid_query", "{bad}");
            assert!(error.message().contains(bad.split('=').next().unwrap()), "{}", error.message());
        }
        let error = RecordQuery::parse(Operation::Delete, Some("provider=h&endUserId=u&includeRemoteData=true"));
        assert_eq!(error.unwrap_err().code(), "invalid_query");
    }
}
