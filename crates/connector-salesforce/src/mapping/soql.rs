//! The SOQL queries the connector sends (`GET /query?q=…`), with their string literals escaped.
//!
//! SOQL string literals are single-quoted; inside one, `\` starts an escape (`\'`, `\"`, `\\`, `\n`,
//! `\r`, `\t`, `\b`, `\f`, `\uXXXX`). Every value from a caller goes through [`literal`], so that a name
//! such as `O'Brien \ Sons` can neither end the literal nor change the query.

/// `value` as a quoted SOQL string literal.
pub fn literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// The inverse of [`literal`] for the text between the quotes (the emulator reads queries with it).
pub fn unescape(body: &str) -> Option<String> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            '\'' => '\'',
            '"' => '"',
            '\\' => '\\',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'u' => {
                let hex: String = chars.by_ref().take(4).collect();
                char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?
            }
            _ => return None,
        });
    }
    Some(out)
}

/// The Account a contact's `company` names. SOQL's `=` ignores case; the oldest account wins, and a
/// second one is fetched only to say that there were several.
pub fn account_by_name(name: &str) -> String {
    format!("SELECT Id, Name FROM Account WHERE Name = {} ORDER BY CreatedDate ASC LIMIT 2", literal(name))
}

fn email_list(emails: &[&str]) -> String {
    emails.iter().map(|e| literal(e)).collect::<Vec<_>>().join(", ")
}

/// The contacts that have these e-mails (meeting attendees), oldest first, with the names and e-mails
/// the record reports for the attendees they become.
pub fn contacts_by_email(emails: &[&str]) -> String {
    format!(
        "SELECT Id, FirstName, LastName, Email FROM Contact WHERE Email IN ({}) ORDER BY CreatedDate ASC",
        email_list(emails)
    )
}

/// The unconverted leads that have these e-mails (attendees that are no contact), oldest first.
pub fn leads_by_email(emails: &[&str]) -> String {
    format!(
        "SELECT Id, FirstName, LastName, Email FROM Lead WHERE IsConverted = false AND Email IN ({}) ORDER BY CreatedDate ASC",
        email_list(emails)
    )
}

/// The contact roles of an opportunity (its `contactIds`), oldest first. `opportunity_id` is an id
/// Salesforce returned, but goes through [`literal`] like any other value.
pub fn contact_roles(opportunity_id: &str) -> String {
    format!(
        "SELECT Id, ContactId, IsPrimary FROM OpportunityContactRole WHERE OpportunityId = {} ORDER BY CreatedDate ASC",
        literal(opportunity_id)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_backslashes_are_escaped() {
        assert_eq!(literal("Acme Corp"), "'Acme Corp'");
        assert_eq!(literal("O'Brien & Sons"), r"'O\'Brien & Sons'");
        assert_eq!(literal(r"back\slash"), r"'back\\slash'");
        assert_eq!(literal("a\"b\nc\td"), r#"'a\"b\nc\td'"#);
        assert_eq!(literal("\u{1}"), r"'\u0001'");
    }

    #[test]
    fn an_injection_stays_inside_its_literal() {
        let hostile = r"x\' OR Name != '";
        let query = account_by_name(hostile);
        assert_eq!(
            query,
            r"SELECT Id, Name FROM Account WHERE Name = 'x\\\' OR Name != \'' ORDER BY CreatedDate ASC LIMIT 2"
        );
        // The literal ends at the one unescaped quote left: the last character of the value's literal.
        let body = &query["SELECT Id, Name FROM Account WHERE Name = '".len()..];
        let end = unescaped_quote(body).unwrap();
        assert_eq!(unescape(&body[..end]).unwrap(), hostile);
        assert_eq!(&body[end + 1..], " ORDER BY CreatedDate ASC LIMIT 2");
    }

    fn unescaped_quote(body: &str) -> Option<usize> {
        let mut escaped = false;
        for (i, c) in body.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '\'' => return Some(i),
                _ => {}
            }
        }
        None
    }

    #[test]
    fn unescape_inverts_literal() {
        for value in ["plain", "O'Brien", r"a\b", "tab\tnew\nline", "\"quoted\"", "ünïcödé", "\u{1}\u{8}\u{c}\r"] {
            let quoted = literal(value);
            assert_eq!(unescape(&quoted[1..quoted.len() - 1]).as_deref(), Some(value));
        }
        assert_eq!(unescape(r"bad\q"), None);
        assert_eq!(unescape("trailing\\"), None);
    }

    #[test]
    fn email_queries() {
        assert_eq!(
            contacts_by_email(&["a@x.co", "o'neil@y.co"]),
            r"SELECT Id, FirstName, LastName, Email FROM Contact WHERE Email IN ('a@x.co', 'o\'neil@y.co') ORDER BY CreatedDate ASC"
        );
        assert!(leads_by_email(&["a@x.co"]).contains("IsConverted = false AND Email IN ('a@x.co')"));
        assert_eq!(
            contact_roles("0068c00000PoIuYAAV"),
            "SELECT Id, ContactId, IsPrimary FROM OpportunityContactRole WHERE OpportunityId = '0068c00000PoIuYAAV' ORDER BY CreatedDate ASC"
        );
    }
}
