//! `application/x-www-form-urlencoded` text (token request bodies, query strings) into pairs.

/// `a=1&b=x+y&c=%C3%A9` → `[("a","1"),("b","x y"),("c","é")]`, in order; repeated keys kept.
pub fn pairs(text: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(text.as_bytes()).into_owned().collect()
}

/// The first value of a key.
pub fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// Whether a query string says `key=true` (the control plane's `?deleted=true`, `?archived=true`).
pub fn flag(query: Option<&str>, key: &str) -> bool {
    get(&pairs(query.unwrap_or_default()), key) == Some("true")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_in_order() {
        let found = pairs("a=1&b=x+y&c=%C3%A9&&a=2&flag");
        assert_eq!(
            found,
            [("a", "1"), ("b", "x y"), ("c", "é"), ("a", "2"), ("flag", "")].map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
        assert_eq!(get(&found, "a"), Some("1"));
        assert_eq!(get(&found, "missing"), None);
    }

    #[test]
    fn flags_are_true_only_when_they_say_so() {
        assert!(flag(Some("deleted=true&x=1"), "deleted"));
        assert!(!flag(Some("deleted=1"), "deleted") && !flag(Some("deleted"), "deleted") && !flag(None, "deleted"));
    }
}
