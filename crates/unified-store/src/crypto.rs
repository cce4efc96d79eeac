//! The master key and the sealing of credentials at rest: XChaCha20-Poly1305 with a random 24-byte nonce
//! per message (`nonce || ciphertext || tag`), and the connection's row id as associated data, so a sealed
//! value copied into another row does not open.

use std::fmt;
use std::fs::OpenOptions;
use std::io::{ErrorKind, Read, Write};
use std::path::Path;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_PAD_INDIFFERENT, URL_SAFE_PAD_INDIFFERENT};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};

use crate::{Result, StoreError};

/// The environment variable holding the master key (32 bytes as base64 or 64 hex digits).
pub const MASTER_KEY_ENV: &str = "UNIFIED_MASTER_KEY";

const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;

/// `N` bytes from the operating system's random source.
///
/// # Panics
/// When the operating system has no randomness to give, which leaves nothing safe to do (no key, no
/// nonce, no id can be made).
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    if let Err(err) = getrandom::fill(&mut bytes) {
        panic!("the operating system's random source failed: {err}");
    }
    bytes
}

/// The 32-byte key that seals every connection's credentials. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct MasterKey([u8; KEY_LEN]);

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey([REDACTED])")
    }
}

impl MasterKey {
    pub const fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self(bytes)
    }

    /// A key for another purpose (`b"cursor"`: list cursors), derived from this one with HMAC-SHA-256,
    /// so that every instance sharing the master key derives the same one and neither reveals the other.
    pub fn derive(&self, purpose: &[u8]) -> [u8; KEY_LEN] {
        use hmac::{KeyInit, Mac};
        let mut mac =
            <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(b"unified derived key v1\0");
        mac.update(purpose);
        mac.finalize().into_bytes().into()
    }

    /// A new random key.
    pub fn generate() -> Self {
        Self(random_bytes())
    }

    /// Reads a key as `UNIFIED_MASTER_KEY` holds it: 64 hex digits, or base64 of 32 bytes (standard or
    /// URL-safe alphabet, padded or not, as `openssl rand -base64 32` prints). Surrounding whitespace is
    /// ignored. The error never repeats the text.
    pub fn from_env_text(text: &str) -> Result<Self> {
        let text = text.trim();
        let invalid = || {
            StoreError::Config(format!(
                "a master key must be 32 bytes written as base64 (44 characters, e.g. `openssl rand -base64 32`) \
                 or as 64 hex digits; got {} characters that are neither",
                text.chars().count()
            ))
        };
        if text.len() == 2 * KEY_LEN && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            let mut bytes = [0u8; KEY_LEN];
            for (byte, pair) in bytes.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
                let pair = std::str::from_utf8(pair).map_err(|_| invalid())?;
                *byte = u8::from_str_radix(pair, 16).map_err(|_| invalid())?;
            }
            return Ok(Self(bytes));
        }
        let decoded = STANDARD_PAD_INDIFFERENT.decode(text).or_else(|_| URL_SAFE_PAD_INDIFFERENT.decode(text));
        match decoded.ok().and_then(|bytes| <[u8; KEY_LEN]>::try_from(bytes).ok()) {
            Some(bytes) => Ok(Self(bytes)),
            None => Err(invalid()),
        }
    }

    /// The key as padded standard base64, the form key files hold.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// The key in the file `path`, or a new one written there (mode 0600) when the file does not exist.
    /// Of two processes starting at once, one writes the file and the other reads it.
    pub fn load_or_create_file(path: &Path) -> Result<Self> {
        let io_error = |err: std::io::Error| StoreError::Config(format!("master key file {}: {err}", path.display()));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(path) {
            Ok(mut file) => {
                let key = Self::generate();
                file.write_all(format!("{}\n", key.to_base64()).as_bytes()).map_err(io_error)?;
                file.sync_all().map_err(io_error)?;
                tracing::info!(path = %path.display(), "generated a new master key file; back it up with the database");
                Ok(key)
            }
            Err(err) if err.kind() == ErrorKind::AlreadyExists => Self::read_file(path),
            Err(err) => Err(io_error(err)),
        }
    }

    fn read_file(path: &Path) -> Result<Self> {
        let io_error = |err: std::io::Error| StoreError::Config(format!("master key file {}: {err}", path.display()));
        // Another process may have just created the file and not yet written it: give it a moment.
        let mut text = String::new();
        for _ in 0..50 {
            text.clear();
            let mut file = std::fs::File::open(path).map_err(io_error)?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = file.metadata().map_err(io_error)?.permissions().mode();
                if mode & 0o077 != 0 {
                    tracing::warn!(path = %path.display(), mode = format!("{:o}", mode & 0o777),
                        "the master key file is readable by other users; chmod 600 it");
                }
            }
            file.read_to_string(&mut text).map_err(io_error)?;
            if !text.trim().is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Self::from_env_text(&text)
            .map_err(|err| StoreError::Config(format!("master key file {}: {err}", path.display())))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&Key::from(self.0))
    }

    /// `nonce (24 bytes) || ciphertext || tag (16 bytes)`, the nonce random, `aad` authenticated but not
    /// stored.
    pub fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
        let nonce_bytes: [u8; NONCE_LEN] = random_bytes();
        let nonce = XNonce::from(nonce_bytes);
        // Encryption fails only for messages beyond 256 GiB.
        let ciphertext =
            self.cipher().encrypt(&nonce, Payload { msg: plaintext, aad }).expect("a message small enough to seal");
        let mut sealed = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        sealed.extend_from_slice(&nonce_bytes);
        sealed.extend_from_slice(&ciphertext);
        sealed
    }

    /// The plaintext of a [`seal`](Self::seal)ed value, or `None` when the key, the associated data or any
    /// byte differs.
    pub fn open(&self, aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < NONCE_LEN {
            return None;
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let nonce = XNonce::try_from(nonce).ok()?;
        self.cipher().decrypt(&nonce, Payload { msg: ciphertext, aad }).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_keys_are_stable_per_purpose_and_differ_between_purposes_and_masters() {
        let key = MasterKey::from_bytes([3; KEY_LEN]);
        assert_eq!(key.derive(b"cursor"), MasterKey::from_bytes([3; KEY_LEN]).derive(b"cursor"));
        assert_ne!(key.derive(b"cursor"), key.derive(b"state"));
        assert_ne!(key.derive(b"cursor"), MasterKey::from_bytes([4; KEY_LEN]).derive(b"cursor"));
        assert_ne!(key.derive(b"cursor"), [3; KEY_LEN]);
    }

    #[test]
    fn round_trip() {
        let key = MasterKey::generate();
        let sealed = key.seal(b"conn_1", b"secret token");
        assert_eq!(sealed.len(), NONCE_LEN + b"secret token".len() + 16);
        assert_eq!(key.open(b"conn_1", &sealed).as_deref(), Some(&b"secret token"[..]));
        assert_eq!(key.open(b"conn_1", &key.seal(b"conn_1", b"")).as_deref(), Some(&b""[..]));
    }

    #[test]
    fn wrong_aad_fails() {
        let key = MasterKey::generate();
        let sealed = key.seal(b"conn_1", b"secret token");
        assert_eq!(key.open(b"conn_2", &sealed), None);
        assert_eq!(key.open(b"", &sealed), None);
    }

    #[test]
    fn wrong_key_fails() {
        let sealed = MasterKey::generate().seal(b"conn_1", b"secret token");
        assert_eq!(MasterKey::generate().open(b"conn_1", &sealed), None);
    }

    #[test]
    fn tampered_byte_fails() {
        let key = MasterKey::generate();
        let sealed = key.seal(b"conn_1", b"secret token");
        for index in 0..sealed.len() {
            let mut tampered = sealed.clone();
            tampered[index] ^= 0x01;
            assert_eq!(key.open(b"conn_1", &tampered), None, "byte {index}");
        }
        assert_eq!(key.open(b"conn_1", &sealed[..sealed.len() - 1]), None);
        assert_eq!(key.open(b"conn_1", &sealed[..10]), None);
        assert_eq!(key.open(b"conn_1", b""), None);
    }

    #[test]
    fn two_seals_differ() {
        let key = MasterKey::generate();
        let first = key.seal(b"conn_1", b"secret token");
        let second = key.seal(b"conn_1", b"secret token");
        assert_ne!(first, second);
        assert_ne!(first[..NONCE_LEN], second[..NONCE_LEN]);
    }

    #[test]
    fn sealed_bytes_hold_no_plaintext() {
        let sealed = MasterKey::generate().seal(b"conn_1", b"secret token");
        assert!(!sealed.windows(b"secret".len()).any(|window| window == b"secret"));
    }

    #[test]
    fn env_text_formats() {
        let bytes: [u8; 32] = std::array::from_fn(|index| (index as u8).wrapping_mul(37).wrapping_add(251));
        let key = MasterKey::from_bytes(bytes);
        let standard = STANDARD.encode(bytes);
        let url_safe = base64::engine::general_purpose::URL_SAFE.encode(bytes);
        assert!(standard.contains(['+', '/']) && url_safe.contains(['-', '_']), "the sample exercises both alphabets");
        let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
        for text in [
            standard.clone(),
            standard.trim_end_matches('=').to_owned(),
            url_safe.clone(),
            url_safe.trim_end_matches('=').to_owned(),
            hex.clone(),
            hex.to_uppercase(),
            format!("  {standard}\n"),
        ] {
            assert_eq!(MasterKey::from_env_text(&text).unwrap(), key, "{text:?}");
        }
        assert_eq!(MasterKey::from_env_text(&key.to_base64()).unwrap(), key);
    }

    #[test]
    fn env_text_rejects_other_lengths_and_garbage() {
        let short = STANDARD.encode([7u8; 16]);
        let long = STANDARD.encode([7u8; 33]);
        for text in ["", "not a key", &short, &long, &"ab".repeat(31), &"zz".repeat(32), "sk_test_nope"] {
            let err = MasterKey::from_env_text(text).unwrap_err();
            assert!(matches!(&err, StoreError::Config(message) if message.contains("32 bytes")), "{text:?}: {err}");
            if text.len() > 3 {
                assert!(!err.to_string().contains(text), "the error repeats the text");
            }
        }
    }

    #[test]
    fn debug_is_redacted() {
        let key = MasterKey::from_bytes([0x41; 32]);
        let debug = format!("{key:?}");
        assert_eq!(debug, "MasterKey([REDACTED])");
        assert!(!debug.contains(&key.to_base64()));
    }

    #[test]
    fn key_file_is_created_once_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("unified.db.key");
        let created = MasterKey::load_or_create_file(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap().trim(), created.to_base64());
        assert_eq!(MasterKey::load_or_create_file(&path).unwrap(), created);
    }

    #[test]
    fn key_file_with_garbage_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.key");
        std::fs::write(&path, "garbage\n").unwrap();
        let err = MasterKey::load_or_create_file(&path).unwrap_err();
        assert!(matches!(&err, StoreError::Config(message) if message.contains("bad.key")), "{err}");
    }
}
