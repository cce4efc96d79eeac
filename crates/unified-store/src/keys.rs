//! API keys: `sk_test_` or `sk_live_` and 43 URL-safe base64 characters (32 random bytes). The store keeps
//! only their SHA-256 digest, compared in constant time, and a display prefix (`sk_test_AbCd1234`: the mode
//! and the first 8 characters of the random part) that finds the candidate rows and names a key in
//! `keys list` and `keys revoke`. A key's mode is read from the key itself.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::Mode;
use crate::crypto::random_bytes;

pub const TEST_PREFIX: &str = "sk_test_";
pub const LIVE_PREFIX: &str = "sk_live_";
/// Characters after the mode prefix: 32 bytes in unpadded base64.
pub const SECRET_CHARS: usize = 43;
/// Characters of the random part that the display prefix shows.
pub const DISPLAY_CHARS: usize = 8;
/// The shortest prefix `keys revoke` accepts: shorter ones are too easy to type by mistake.
pub const MIN_REVOKE_PREFIX: usize = TEST_PREFIX.len() + 4;

pub const fn mode_prefix(mode: Mode) -> &'static str {
    match mode {
        Mode::Test => TEST_PREFIX,
        Mode::Live => LIVE_PREFIX,
    }
}

/// A new key of this mode.
pub fn generate(mode: Mode) -> String {
    let bytes: [u8; 32] = random_bytes();
    format!("{}{}", mode_prefix(mode), URL_SAFE_NO_PAD.encode(bytes))
}

/// The mode and display prefix of a well-formed key; `None` for anything else (another prefix, another
/// length, a character outside the URL-safe base64 alphabet).
pub fn parse(presented: &str) -> Option<(Mode, String)> {
    let (mode, secret) = if let Some(secret) = presented.strip_prefix(TEST_PREFIX) {
        (Mode::Test, secret)
    } else if let Some(secret) = presented.strip_prefix(LIVE_PREFIX) {
        (Mode::Live, secret)
    } else {
        return None;
    };
    let url_safe = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_';
    if secret.len() != SECRET_CHARS || !secret.bytes().all(url_safe) {
        return None;
    }
    Some((mode, format!("{}{}", mode_prefix(mode), &secret[..DISPLAY_CHARS])))
}

/// `sk_test_AbCd1234` for a well-formed key.
pub fn display_prefix(key: &str) -> Option<String> {
    parse(key).map(|(_, prefix)| prefix)
}

/// The SHA-256 digest of the whole key, the only form of it the store keeps.
pub fn digest(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

/// Compares two digests in constant time (slices of different lengths are unequal).
pub fn digests_equal(stored: &[u8], presented: &[u8]) -> bool {
    stored.ct_eq(presented).into()
}

/// Whether `keys revoke` may act on this prefix: it names a mode and at least 4 characters of a key.
pub fn revocable_prefix(prefix: &str) -> bool {
    prefix.len() >= MIN_REVOKE_PREFIX && (prefix.starts_with(TEST_PREFIX) || prefix.starts_with(LIVE_PREFIX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_are_well_formed() {
        for mode in [Mode::Test, Mode::Live] {
            let key = generate(mode);
            assert_eq!(key.len(), mode_prefix(mode).len() + SECRET_CHARS);
            assert!(key.starts_with(mode_prefix(mode)));
            let (parsed_mode, prefix) = parse(&key).unwrap();
            assert_eq!(parsed_mode, mode);
            assert_eq!(prefix, key[..mode_prefix(mode).len() + DISPLAY_CHARS]);
            assert_eq!(display_prefix(&key), Some(prefix));
            let random = &key[mode_prefix(mode).len()..];
            assert_eq!(URL_SAFE_NO_PAD.decode(random).unwrap().len(), 32);
        }
        assert_ne!(generate(Mode::Test), generate(Mode::Test));
    }

    #[test]
    fn display_prefix_example() {
        let key = format!("sk_test_AbCd1234{}", "x".repeat(SECRET_CHARS - 8));
        assert_eq!(display_prefix(&key).as_deref(), Some("sk_test_AbCd1234"));
        let key = format!("sk_live_-_Zz0099{}", "x".repeat(SECRET_CHARS - 8));
        assert_eq!(parse(&key), Some((Mode::Live, "sk_live_-_Zz0099".to_owned())));
    }

    #[test]
    fn malformed_keys_are_rejected() {
        let key = generate(Mode::Test);
        let random = &key[TEST_PREFIX.len()..];
        let with_char = |index: usize, replacement: char| {
            let mut chars: Vec<char> = key.chars().collect();
            chars[TEST_PREFIX.len() + index] = replacement;
            chars.into_iter().collect::<String>()
        };
        for bad in [
            String::new(),
            "sk_test_".to_owned(),
            "sk_live_".to_owned(),
            random.to_owned(),
            format!("sk_prod_{random}"),
            format!("SK_TEST_{random}"),
            format!("sk_test{random}"),
            format!("{key}A"),
            key[..key.len() - 1].to_owned(),
            with_char(5, '+'),
            with_char(5, '/'),
            with_char(5, '='),
            with_char(5, ' '),
            with_char(5, 'é'),
            format!(" {key}"),
            format!("Bearer {key}"),
        ] {
            assert_eq!(parse(&bad), None, "{bad:?}");
            assert_eq!(display_prefix(&bad), None, "{bad:?}");
        }
    }

    #[test]
    fn digest_is_sha256_of_the_whole_key() {
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        let expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        let hex: String = digest("abc").iter().map(|byte| format!("{byte:02x}")).collect();
        assert_eq!(hex, expected);
        let key = generate(Mode::Live);
        assert_eq!(digest(&key), digest(&key));
        assert_ne!(digest(&key), digest(&generate(Mode::Live)));
    }

    #[test]
    fn digests_compare_in_constant_time() {
        let a = digest("sk_test_a");
        let b = digest("sk_test_b");
        assert!(digests_equal(&a, &a));
        assert!(!digests_equal(&a, &b));
        assert!(!digests_equal(&a, &a[..31]));
        assert!(!digests_equal(&a, &[]));
    }

    #[test]
    fn revocable_prefixes() {
        assert!(revocable_prefix("sk_test_AbCd"));
        assert!(revocable_prefix("sk_live_AbCd1234"));
        for short in ["", "sk_", "sk_test_", "sk_live_", "sk_test_AbC", "xxxxxxxxxxxxxxxx"] {
            assert!(!revocable_prefix(short), "{short:?}");
        }
    }
}
