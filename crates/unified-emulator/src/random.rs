//! Random values for tokens, correlation ids and UUID record ids.

/// Random bytes from the OS.
pub fn bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness (never seen on a supported platform): std's randomly keyed hasher over a
        // counter still gives unique, unguessable-enough values for an emulator.
        use std::hash::{BuildHasher, RandomState};
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        for chunk in bytes.chunks_mut(8) {
            let word = RandomState::new().hash_one(COUNTER.fetch_add(1, Ordering::Relaxed)).to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
    }
    bytes
}

/// `n` random characters of `[A-Za-z0-9]`, evenly drawn.
pub fn alphanumeric(n: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(n);
    while out.len() < n {
        for byte in bytes::<32>() {
            // 248 is the largest multiple of 62 under 256: no character comes up more often.
            if out.len() < n && usize::from(byte) < 248 {
                out.push(char::from(ALPHABET[usize::from(byte) % ALPHABET.len()]));
            }
        }
    }
    out
}

/// `N` random bytes as lowercase hex.
pub fn hex<const N: usize>() -> String {
    bytes::<N>().iter().map(|b| format!("{b:02x}")).collect()
}

/// A random (version 4) UUID in lowercase: Pipedrive's lead ids, HubSpot's correlation ids.
pub fn uuid() -> String {
    let mut b = bytes::<16>();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// A UUID in the lowercase form [`uuid`] writes.
pub fn is_uuid(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_uniqueness() {
        let text = alphanumeric(40);
        assert!(text.len() == 40 && text.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(text, alphanumeric(40));
        assert_eq!(hex::<20>().len(), 40);
        let id = uuid();
        assert!(is_uuid(&id), "{id}");
        assert_eq!(&id[14..15], "4", "version 4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "RFC 4122 variant: {id}");
        assert_ne!(id, uuid());
        assert!(!is_uuid("adf21080-0e10-11eb-879b") && !is_uuid("ADF21080-0E10-11EB-879B-05D71FB426EC"));
    }
}
