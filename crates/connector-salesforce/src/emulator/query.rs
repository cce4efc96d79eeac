//! `GET /services/data/{version}/query?q=…`: the SOQL the connector sends, and a little more.
//!
//! `SELECT f, g FROM Object [WHERE c AND c …] [ORDER BY f [ASC|DESC]] [LIMIT n]`, where a condition is
//! `field = value`, `field != value` or `field IN (value, …)` and a value is a string literal (with
//! SOQL's escapes), `true`, `false`, `null` or a number. Text comparisons ignore case, as SOQL's do.
//! Anything else is Salesforce's `MALFORMED_QUERY`; an unknown object or field is `INVALID_TYPE` or
//! `INVALID_FIELD`, with the caret Salesforce draws under the query.

use serde_json::{Map, Value, json};

use super::errors::ApiError;
use super::ids;
use super::schema::{Org, SObjectType};
use super::sobjects::{field_value, render};
use super::store::{Record, Store};
use crate::mapping::soql;

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Text(String),
    Number(f64),
    Comma,
    Open,
    Close,
    Eq,
    Ne,
}

/// Tokens with the byte offset each starts at (for the caret of an error).
fn tokens(query: &str) -> Result<Vec<(usize, Token)>, ApiError> {
    let bytes = query.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let token = match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b',' => Token::Comma,
            b'(' => Token::Open,
            b')' => Token::Close,
            b'=' => Token::Eq,
            b'!' if bytes.get(i + 1) == Some(&b'=') => {
                i += 1;
                Token::Ne
            }
            b'\'' => {
                let mut j = i + 1;
                let mut escaped = false;
                while j < bytes.len() && (escaped || bytes[j] != b'\'') {
                    escaped = !escaped && bytes[j] == b'\\';
                    j += 1;
                }
                if j >= bytes.len() {
                    return Err(malformed(query, start, "unterminated string literal"));
                }
                let text = soql::unescape(&query[i + 1..j])
                    .ok_or_else(|| malformed(query, start, "invalid escape sequence"))?;
                i = j;
                Token::Text(text)
            }
            c if c.is_ascii_digit() || c == b'-' => {
                let mut j = i + 1;
                while j < bytes.len() && (bytes[j].is_ascii_digit() || bytes[j] == b'.') {
                    j += 1;
                }
                let number = query[i..j].parse().map_err(|_| malformed(query, start, &query[i..j]))?;
                i = j - 1;
                Token::Number(number)
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let mut j = i + 1;
                while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_' || bytes[j] == b'.') {
                    j += 1;
                }
                let word = query[i..j].to_owned();
                i = j - 1;
                Token::Word(word)
            }
            _ => return Err(malformed(query, start, &query[i..i + 1])),
        };
        out.push((start, token));
        i += 1;
    }
    Ok(out)
}

fn caret(query: &str, at: usize) -> String {
    format!("\n{query}\n{}^\nERROR at Row:1:Column:{}\n", " ".repeat(at), at + 1)
}

fn malformed(query: &str, at: usize, what: &str) -> ApiError {
    ApiError::new("MALFORMED_QUERY", format!("{}unexpected token: '{what}'", caret(query, at)))
}

#[derive(Debug)]
enum Condition {
    Eq(String, Value),
    Ne(String, Value),
    In(String, Vec<Value>),
}

struct Parser<'q> {
    query: &'q str,
    tokens: Vec<(usize, Token)>,
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|(_, t)| t)
    }

    fn offset(&self) -> usize {
        self.tokens.get(self.at).map_or(self.query.len(), |(o, _)| *o)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).map(|(_, t)| t.clone());
        self.at += 1;
        token
    }

    fn unexpected(&self) -> ApiError {
        let what = match self.peek() {
            None => "<EOF>".to_owned(),
            Some(Token::Word(w)) => w.clone(),
            Some(Token::Text(t)) => format!("'{t}'"),
            Some(Token::Number(n)) => n.to_string(),
            Some(Token::Comma) => ",".to_owned(),
            Some(Token::Open) => "(".to_owned(),
            Some(Token::Close) => ")".to_owned(),
            Some(Token::Eq) => "=".to_owned(),
            Some(Token::Ne) => "!=".to_owned(),
        };
        ApiError::new("MALFORMED_QUERY", format!("{}unexpected token: {what}", caret(self.query, self.offset())))
    }

    fn keyword(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, word: &str) -> Result<(), ApiError> {
        if self.keyword(word) { Ok(()) } else { Err(self.unexpected()) }
    }

    /// A field name and where it stands.
    fn field(&mut self) -> Result<(usize, String), ApiError> {
        let at = self.offset();
        match self.peek() {
            Some(Token::Word(w)) if !is_keyword(w) => {
                let w = w.clone();
                self.at += 1;
                Ok((at, w))
            }
            _ => Err(self.unexpected()),
        }
    }

    fn value(&mut self) -> Result<Value, ApiError> {
        let value = match self.peek() {
            Some(Token::Text(t)) => Value::from(t.clone()),
            Some(Token::Number(n)) => Value::from(*n),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("true") => Value::Bool(true),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("false") => Value::Bool(false),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("null") => Value::Null,
            _ => return Err(self.unexpected()),
        };
        self.at += 1;
        Ok(value)
    }
}

fn is_keyword(word: &str) -> bool {
    ["select", "from", "where", "and", "order", "by", "limit", "in", "asc", "desc"]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(word))
}

/// Runs a query: `Ok` is the answer's body.
pub fn run(store: &Store, org: &Org, query: &str, version: &str) -> Result<Value, ApiError> {
    let mut p = Parser { query, tokens: tokens(query)?, at: 0 };
    p.expect("SELECT")?;
    let mut selected = vec![p.field()?];
    while p.peek() == Some(&Token::Comma) {
        p.next();
        selected.push(p.field()?);
    }
    p.expect("FROM")?;
    let (object_at, object) = p.field()?;
    let Some(sobject) = SObjectType::parse(&object) else {
        return Err(ApiError::new(
            "INVALID_TYPE",
            format!(
                "{}sObject type '{object}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.",
                caret(query, object_at)
            ),
        ));
    };
    let resolve = |(at, name): &(usize, String)| {
        sobject.field(name, org).ok_or_else(|| {
            ApiError::new(
                "INVALID_FIELD",
                format!(
                    "{}No such column '{name}' on entity '{}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
                    caret(query, *at),
                    sobject.name()
                ),
            )
        })
    };
    let fields = selected.iter().map(resolve).collect::<Result<Vec<_>, _>>()?;

    let mut conditions = Vec::new();
    if p.keyword("WHERE") {
        loop {
            let field = p.field()?;
            let name = resolve(&field)?.name.to_owned();
            let condition = match p.next() {
                Some(Token::Eq) => Condition::Eq(name, p.value()?),
                Some(Token::Ne) => Condition::Ne(name, p.value()?),
                Some(Token::Word(w)) if w.eq_ignore_ascii_case("IN") => {
                    if p.next() != Some(Token::Open) {
                        p.at -= 1;
                        return Err(p.unexpected());
                    }
                    let mut values = vec![p.value()?];
                    while p.peek() == Some(&Token::Comma) {
                        p.next();
                        values.push(p.value()?);
                    }
                    if p.next() != Some(Token::Close) {
                        p.at -= 1;
                        return Err(p.unexpected());
                    }
                    Condition::In(name, values)
                }
                _ => {
                    p.at -= 1;
                    return Err(p.unexpected());
                }
            };
            conditions.push(condition);
            if !p.keyword("AND") {
                break;
            }
        }
    }
    let mut order = None;
    if p.keyword("ORDER") {
        p.expect("BY")?;
        let field = p.field()?;
        let name = resolve(&field)?.name;
        let descending = p.keyword("DESC");
        if !descending {
            p.keyword("ASC");
        }
        order = Some((name, descending));
    }
    let mut limit = None;
    if p.keyword("LIMIT") {
        match p.next() {
            Some(Token::Number(n)) if n >= 0.0 && n.fract() == 0.0 => limit = Some(n as usize),
            _ => {
                p.at -= 1;
                return Err(p.unexpected());
            }
        }
    }
    if p.peek().is_some() {
        return Err(p.unexpected());
    }

    let mut matching: Vec<&Record> =
        store.records(sobject).filter(|r| conditions.iter().all(|c| holds(r, c, version))).collect();
    if let Some((name, descending)) = order {
        matching.sort_by(|a, b| {
            let ordering = compare(&field_value(a, name, version), &field_value(b, name, version));
            if descending { ordering.reverse() } else { ordering }
        });
    }
    matching.truncate(limit.unwrap_or(usize::MAX));
    let records: Vec<Map<String, Value>> = matching.iter().map(|r| render(r, &fields, version)).collect();
    Ok(json!({ "totalSize": records.len(), "done": true, "records": records }))
}

fn equal(stored: &Value, wanted: &Value) -> bool {
    match (stored, wanted) {
        (Value::String(a), Value::String(b)) => {
            a.eq_ignore_ascii_case(b)
                || (ids::is_well_formed(b) && ids::to18(b) == *a)
                || a.to_lowercase() == b.to_lowercase()
        }
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (a, b) => a == b,
    }
}

fn holds(record: &Record, condition: &Condition, version: &str) -> bool {
    match condition {
        Condition::Eq(name, value) => equal(&field_value(record, name, version), value),
        Condition::Ne(name, value) => !equal(&field_value(record, name, version), value),
        Condition::In(name, values) => {
            let stored = field_value(record, name, version);
            values.iter().any(|v| equal(&stored, v))
        }
    }
}

fn compare(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(std::cmp::Ordering::Equal)
        }
        (Value::String(x), Value::String(y)) => x.to_lowercase().cmp(&y.to_lowercase()),
        (Value::Null, Value::Null) => std::cmp::Ordering::Equal,
        // Nulls first, as SOQL sorts them ascending.
        (Value::Null, _) => std::cmp::Ordering::Less,
        (_, Value::Null) => std::cmp::Ordering::Greater,
        _ => std::cmp::Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::Utc;

    use super::*;

    fn store_with_accounts(names: &[&str]) -> Store {
        let mut store = Store::new(Utc::now());
        for (i, name) in names.iter().enumerate() {
            let id = store.next_id(SObjectType::Account);
            let at = Utc::now() + chrono::Duration::seconds(i as i64);
            store.insert(Record {
                id,
                sobject: SObjectType::Account,
                fields: BTreeMap::from([("Name".to_owned(), Value::from(*name))]),
                created: at,
                modified: at,
                created_by: String::new(),
                deleted: false,
            });
        }
        store
    }

    #[test]
    fn the_connectors_queries() {
        let store = store_with_accounts(&["Acme Corp", "O'Brien \\ Sons", "ACME CORP"]);
        let org = Org::default();
        let found = run(&store, &org, &crate::mapping::soql::account_by_name("acme corp"), "v66.0").unwrap();
        assert_eq!(found["totalSize"], 2);
        assert_eq!(found["records"][0]["Name"], "Acme Corp", "oldest first");
        assert_eq!(found["records"][0]["attributes"]["type"], "Account");
        let escaped = run(&store, &org, &crate::mapping::soql::account_by_name("O'Brien \\ Sons"), "v66.0").unwrap();
        assert_eq!(escaped["totalSize"], 1);
        let none = run(&store, &org, &crate::mapping::soql::account_by_name("x' OR Name != '"), "v66.0").unwrap();
        assert_eq!(none["totalSize"], 0, "an injection attempt is one literal");
        let leads = run(&store, &org, &crate::mapping::soql::leads_by_email(&["a@b.co"]), "v66.0").unwrap();
        assert_eq!(leads["records"], json!([]));
    }

    #[test]
    fn errors_look_like_salesforces() {
        let store = store_with_accounts(&[]);
        let org = Org::default();
        let error = run(&store, &org, "SELECT Id, Foo FROM Account", "v66.0").unwrap_err();
        assert_eq!(error.error_code, "INVALID_FIELD");
        assert!(
            error.message.starts_with(
                "\nSELECT Id, Foo FROM Account\n           ^\nERROR at Row:1:Column:12\nNo such column 'Foo'"
            ),
            "{}",
            error.message
        );
        assert_eq!(run(&store, &org, "SELECT Id FROM Widget", "v66.0").unwrap_err().error_code, "INVALID_TYPE");
        for bad in [
            "SELECT FROM Account",
            "SELECT Id FROM Account WHERE Name = 'x",
            "SELECT Id FROM Account LIMIT x",
            "SELECT Id FROM Account WHERE Name LIKE 'a%'",
        ] {
            assert_eq!(run(&store, &org, bad, "v66.0").unwrap_err().error_code, "MALFORMED_QUERY", "{bad}");
        }
    }
}
