//! E-mail syntax: the WHATWG "valid e-mail address" grammar (what browsers accept in `type=email`),
//! plus a dot in the domain, because no CRM accepts a bare host name.

const MAX_LEN: usize = 254;
const LOCAL_SPECIALS: &[u8] = b".!#$%&'*+/=?^_`{|}~-";

pub fn is_valid_email(text: &str) -> bool {
    if text.len() > MAX_LEN {
        return false;
    }
    let Some((local, domain)) = text.split_once('@') else { return false };
    valid_local(local) && valid_domain(domain)
}

fn valid_local(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= 64
        && local.bytes().all(|b| b.is_ascii_alphanumeric() || LOCAL_SPECIALS.contains(&b))
}

fn valid_domain(domain: &str) -> bool {
    let mut labels = 0;
    for label in domain.split('.') {
        let bytes = label.as_bytes();
        let ok = !bytes.is_empty()
            && bytes.len() <= 63
            && bytes.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-')
            && bytes[0] != b'-'
            && bytes[bytes.len() - 1] != b'-';
        if !ok {
            return false;
        }
        labels += 1;
    }
    labels >= 2
}

#[cfg(test)]
mod tests {
    use super::is_valid_email;

    #[test]
    fn accepts_ordinary_addresses() {
        for ok in ["jane.doe@example.com", "a+tag@sub.example.co.uk", "o'neil@x-y.io", "1@2.de"] {
            assert!(is_valid_email(ok), "{ok}");
        }
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "",
            "jane",
            "jane@",
            "@example.com",
            "jane@localhost",
            "jane doe@example.com",
            "jane@exa mple.com",
            "jane@@example.com",
            "jane@-example.com",
            "jane@example..com",
            "jané@example.com",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
        assert!(!is_valid_email(&format!("{}@example.com", "a".repeat(250))));
    }
}
