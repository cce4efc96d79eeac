//! `application/x-www-form-urlencoded` text (token request bodies, query strings) into pairs.

/// `a=1&b=x+y&c=%C3%A9` → `[("a","1"),("b","x y"),("c","é")]`, in order; repeated keys kept.
pub fn pairs(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), decode(value))
        })
        .collect()
}

/// The first value of a key.
pub fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(byte: u8) -> Option<u8> {
    (byte as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_forms() {
        let p = pairs("grant_type=refresh_token&client_id=a+b&refresh_token=na1-%7E%C3%A9&bad=%zz&tail=%4");
        assert_eq!(get(&p, "grant_type"), Some("refresh_token"));
        assert_eq!(get(&p, "client_id"), Some("a b"));
        assert_eq!(get(&p, "refresh_token"), Some("na1-~é"));
        assert_eq!(get(&p, "bad"), Some("%zz"));
        assert_eq!(get(&p, "tail"), Some("%4"));
        assert_eq!(get(&p, "missing"), None);
        assert!(pairs("").is_empty());
    }
}
