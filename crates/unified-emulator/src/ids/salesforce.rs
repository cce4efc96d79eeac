//! Salesforce record ids: 15 case-sensitive characters (a 3-character key prefix naming the object, the
//! org's pod, then the record number in base 62) and the 3-character suffix that makes them 18 and
//! case-insensitive-safe: each 5-character chunk gives one suffix character, whose bits say which of the
//! chunk's characters are upper-case letters.

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SUFFIX: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// The 3-character suffix of a 15-character id.
pub fn suffix(id15: &str) -> String {
    id15.as_bytes()
        .chunks(5)
        .map(|chunk| {
            let bits =
                chunk.iter().enumerate().fold(0usize, |acc, (i, b)| acc | (usize::from(b.is_ascii_uppercase()) << i));
            char::from(SUFFIX[bits])
        })
        .collect()
}

/// The 18-character form of a 15- or 18-character id (an 18-character id is returned as is).
pub fn to18(id: &str) -> String {
    if id.len() == 15 { format!("{id}{}", suffix(id)) } else { id.to_owned() }
}

/// A well-formed id: 15 alphanumerics, or 18 whose suffix matches the first 15 (ignoring case).
pub fn is_well_formed(id: &str) -> bool {
    if !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return false;
    }
    match id.len() {
        15 => true,
        18 => suffix(&id[..15]).eq_ignore_ascii_case(&id[15..]),
        _ => false,
    }
}

/// The 18-character id of record number `n` of the object with this key prefix, on a 3-character pod.
pub fn make(prefix: &str, pod: &str, mut n: u64) -> String {
    let mut digits = [b'0'; 9];
    for slot in digits.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    let id15 = format!("{prefix}{pod}{}", std::str::from_utf8(&digits).unwrap_or("000000000"));
    to18(&id15)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_follow_the_case_of_each_chunk() {
        // `0038c`: no capital; `00002`: none; `XyZ12`: X (bit 0) and Z (bit 2) → 5 → `F`.
        assert_eq!(suffix("0038c00002XyZ12"), "AAF");
        assert_eq!(to18("001000000000001"), "001000000000001AAA");
        assert!(is_well_formed("0038c00002XyZ12AAF"));
        assert!(!is_well_formed("0038c00002xyz12aaf"));
        assert!(is_well_formed("0038c00002XyZ12aaf"), "the suffix ignores case");
        assert!(is_well_formed("0038c00002XyZ12"));
        assert!(!is_well_formed("0038c00002XyZ12AAB") && !is_well_formed("003-8c0002XyZ12") && !is_well_formed("003"));
    }

    #[test]
    fn made_ids_have_the_prefix_and_a_valid_suffix() {
        let id = make("00Q", "8c0", 62 * 62 + 1);
        assert_eq!(id.len(), 18);
        assert!(id.starts_with("00Q8c0000000101"), "{id}");
        assert!(is_well_formed(&id));
        assert_ne!(make("003", "8c0", 1), make("003", "8c0", 2));
    }
}
