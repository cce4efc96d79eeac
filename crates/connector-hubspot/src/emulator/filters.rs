//! A search's filters, read once into typed comparisons and matched against records the way HubSpot's
//! index does: numbers as numbers, dates and datetimes as epoch milliseconds (ISO 8601 accepted too),
//! text ignoring case, enumerations (owners too) exactly. `IN`/`NOT_IN` compare text values as given
//! with the indexed, lowercased value: HubSpot asks for lowercase values there. `associations.{type}` is
//! the pseudo-property of a record's associated ids.

use std::cmp::Ordering;

use serde::Deserialize;
use serde_json::Value;

use super::render::{system_instant, value_of};
use super::schema::{Kind, ObjectType};
use super::store::{Record, Store};
use super::validate;

/// `{"propertyName", "operator", "value"?, "highValue"?, "values"?}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FilterIn {
    #[serde(default)]
    pub property_name: String,
    #[serde(default)]
    pub operator: String,
    #[serde(default)]
    pub value: Option<Value>,
    #[serde(default)]
    pub high_value: Option<Value>,
    #[serde(default)]
    pub values: Option<Vec<Value>>,
}

/// How a property's values compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    /// Strings: case-insensitive.
    Text,
    /// Enumeration options and owner ids: exact.
    Exact,
    Number,
    /// Dates and datetimes, as epoch milliseconds.
    Millis,
}

/// A comparable value.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Text(String),
    Number(f64),
    Millis(i64),
}

impl Operand {
    /// A total order for sorting (values of one property always have one variant).
    pub fn sort_order(&self, other: &Operand) -> Ordering {
        match (self, other) {
            (Self::Number(a), Self::Number(b)) => a.total_cmp(b),
            _ => self.compare(other).unwrap_or(Ordering::Equal),
        }
    }

    fn compare(&self, other: &Operand) -> Option<Ordering> {
        match (self, other) {
            (Self::Text(a), Self::Text(b)) => Some(a.cmp(b)),
            (Self::Number(a), Self::Number(b)) => a.partial_cmp(b),
            (Self::Millis(a), Self::Millis(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

#[derive(Debug)]
enum Op {
    /// `LT`/`LTE`/`GT`/`GTE`: the ordering wanted against the bound, and whether equal also matches.
    Compare(Ordering, bool, Operand),
    Eq(Operand),
    Neq(Operand),
    Between(Operand, Operand),
    In(Vec<Operand>),
    NotIn(Vec<Operand>),
    Has,
    NotHas,
    ContainsToken(String),
    NotContainsToken(String),
}

#[derive(Debug)]
enum Target {
    Property { name: String, kind: Type },
    Associations(ObjectType),
}

/// One checked filter.
#[derive(Debug)]
pub struct Filter {
    target: Target,
    op: Op,
}

/// How `name` compares on `ty`, or `None` when the portal does not define it.
pub fn property_type(ty: ObjectType, name: &str) -> Option<Type> {
    if name == "hs_object_id" {
        return Some(Type::Number);
    }
    Some(match ty.property(name)?.kind {
        Kind::Text | Kind::Email => Type::Text,
        Kind::Owner | Kind::Enumeration(_) => Type::Exact,
        Kind::Number => Type::Number,
        Kind::DateTime => Type::Millis,
    })
}

/// A request's value as text: HubSpot takes strings, and numbers or booleans as their text.
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A request value of a property's type. `lowercase` folds text for case-insensitive matching.
pub fn operand(kind: Type, raw: &str, lowercase: bool) -> Result<Operand, String> {
    match kind {
        Type::Text if lowercase => Ok(Operand::Text(raw.to_lowercase())),
        Type::Text | Type::Exact => Ok(Operand::Text(raw.to_owned())),
        Type::Number => raw.trim().parse().map(Operand::Number).map_err(|_| format!("{raw} is not a valid number")),
        Type::Millis => validate::datetime(raw.trim())
            .map(|at| Operand::Millis(at.timestamp_millis()))
            .ok_or_else(|| format!("{raw} is not a valid date: use epoch milliseconds or ISO 8601")),
    }
}

/// A record's value of a property, typed; `None` when it has none.
pub fn record_operand(store: &Store, record: &Record, name: &str, kind: Type) -> Option<Operand> {
    if kind == Type::Millis
        && let Some(at) = system_instant(record, name)
    {
        return Some(Operand::Millis(at.timestamp_millis()));
    }
    let value = value_of(store, record, name)?;
    operand(kind, &value, true).ok()
}

impl Filter {
    /// Checks a filter against the type's properties; `Err` is the `400`'s message.
    pub fn parse(ty: ObjectType, input: &FilterIn) -> Result<Self, String> {
        let name = input.property_name.as_str();
        if name.is_empty() {
            return Err("Each filter needs a propertyName".to_owned());
        }
        let target = match name.strip_prefix("associations.") {
            Some(other) => Target::Associations(
                ObjectType::parse(other).ok_or_else(|| format!("{name} is not a valid association filter"))?,
            ),
            None => Target::Property {
                name: name.to_owned(),
                kind: property_type(ty, name)
                    .ok_or_else(|| format!("Property \"{name}\" does not exist on {}", ty.name()))?,
            },
        };
        // Association ids are compared as given.
        let kind = match &target {
            Target::Property { kind, .. } => *kind,
            Target::Associations(_) => Type::Exact,
        };
        let operator = input.operator.as_str();
        let value = |lowercase: bool| -> Result<Operand, String> {
            let raw = input.value.as_ref().and_then(text);
            operand(kind, &raw.ok_or_else(|| format!("Operator {operator} needs a value"))?, lowercase)
        };
        let values = || -> Result<Vec<Operand>, String> {
            let raw = input.values.as_ref().ok_or_else(|| format!("Operator {operator} needs values"))?;
            raw.iter()
                .map(|v| operand(kind, &text(v).ok_or_else(|| format!("{v} is not a valid value"))?, false))
                .collect()
        };
        let pattern = || -> Result<String, String> {
            let raw = input.value.as_ref().and_then(text).ok_or_else(|| format!("{operator} needs a value"))?;
            Ok(if kind == Type::Text { raw.to_lowercase() } else { raw })
        };
        let op = match operator {
            "EQ" => Op::Eq(value(true)?),
            "NEQ" => Op::Neq(value(true)?),
            "LT" => Op::Compare(Ordering::Less, false, value(true)?),
            "LTE" => Op::Compare(Ordering::Less, true, value(true)?),
            "GT" => Op::Compare(Ordering::Greater, false, value(true)?),
            "GTE" => Op::Compare(Ordering::Greater, true, value(true)?),
            "BETWEEN" => {
                let high = input.high_value.as_ref().and_then(text).ok_or("BETWEEN needs a highValue")?;
                Op::Between(value(true)?, operand(kind, &high, true)?)
            }
            "IN" => Op::In(values()?),
            "NOT_IN" => Op::NotIn(values()?),
            "HAS_PROPERTY" => Op::Has,
            "NOT_HAS_PROPERTY" => Op::NotHas,
            "CONTAINS_TOKEN" => Op::ContainsToken(pattern()?),
            "NOT_CONTAINS_TOKEN" => Op::NotContainsToken(pattern()?),
            other => return Err(format!("{other} is not a valid filter operator")),
        };
        if let Target::Associations(_) = target
            && !matches!(op, Op::Eq(_) | Op::Neq(_) | Op::In(_) | Op::NotIn(_) | Op::Has | Op::NotHas)
        {
            return Err(format!("{operator} cannot filter on {name}"));
        }
        Ok(Self { target, op })
    }

    pub fn matches(&self, store: &Store, record: &Record) -> bool {
        match &self.target {
            Target::Associations(to) => {
                let ids = || record.links.iter().filter(|l| l.to_type == *to && store.live(*to, &l.to_id).is_some());
                let linked = |o: &Operand| matches!(o, Operand::Text(id) if ids().any(|l| l.to_id == id.as_str()));
                match &self.op {
                    Op::Eq(o) => linked(o),
                    Op::Neq(o) => !linked(o),
                    Op::In(list) => list.iter().any(linked),
                    Op::NotIn(list) => !list.iter().any(linked),
                    Op::Has => ids().next().is_some(),
                    Op::NotHas => ids().next().is_none(),
                    _ => false,
                }
            }
            Target::Property { name, kind } => {
                let actual = record_operand(store, record, name, *kind);
                match (&self.op, &actual) {
                    (Op::Has, _) => actual.is_some(),
                    (Op::NotHas, _) => actual.is_none(),
                    // A negation also matches records without a value.
                    (Op::Neq(o), _) => actual.as_ref() != Some(o),
                    (Op::NotIn(list), _) => actual.as_ref().is_none_or(|a| !list.contains(a)),
                    (Op::NotContainsToken(p), _) => !actual.as_ref().is_some_and(|a| contains_token(a, p)),
                    (_, None) => false,
                    (Op::Eq(o), Some(a)) => a == o,
                    (Op::In(list), Some(a)) => list.contains(a),
                    (Op::Between(low, high), Some(a)) => {
                        a.compare(low).is_some_and(Ordering::is_ge) && a.compare(high).is_some_and(Ordering::is_le)
                    }
                    (Op::Compare(wanted, or_equal, bound), Some(a)) => a
                        .compare(bound)
                        .is_some_and(|ordering| ordering == *wanted || (*or_equal && ordering == Ordering::Equal)),
                    (Op::ContainsToken(p), Some(a)) => contains_token(a, p),
                }
            }
        }
    }
}

/// `CONTAINS_TOKEN`: the pattern (with `*` wildcards) matches the whole value or one of its words.
fn contains_token(value: &Operand, pattern: &str) -> bool {
    let Operand::Text(value) = value else { return false };
    glob(pattern, value) || value.split_whitespace().any(|word| glob(pattern, word))
}

/// `*` matches any run of characters; everything else matches itself.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] != '*' && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("*@northwind.com", "maria@northwind.com"));
        assert!(glob("mar*", "maria") && glob("*", "") && glob("m*r*a", "maria"));
        assert!(!glob("*@northwind.com", "maria@northwind.co") && !glob("maria", "mari"));
    }

    #[test]
    fn operands_by_type() {
        assert_eq!(operand(Type::Millis, "1780408800000", true), operand(Type::Millis, "2026-06-02T14:00:00Z", true));
        assert_eq!(operand(Type::Text, "López", true), Ok(Operand::Text("lópez".into())));
        assert_eq!(operand(Type::Exact, "COLD", true), Ok(Operand::Text("COLD".into())));
        assert!(operand(Type::Number, "ten", true).is_err() && operand(Type::Millis, "soon", true).is_err());
        assert_eq!(property_type(ObjectType::Contacts, "hs_object_id"), Some(Type::Number));
        assert_eq!(property_type(ObjectType::Deals, "hs_lastmodifieddate"), Some(Type::Millis));
        assert_eq!(property_type(ObjectType::Contacts, "lifecyclestage"), Some(Type::Exact));
        assert_eq!(property_type(ObjectType::Contacts, "favourite_colour"), None);
    }

    #[test]
    fn bad_filters_are_refused() {
        let filter = |json: Value| Filter::parse(ObjectType::Contacts, &serde_json::from_value(json).unwrap());
        assert!(filter(serde_json::json!({"propertyName": "email", "operator": "LIKE", "value": "x"})).is_err());
        assert!(filter(serde_json::json!({"propertyName": "nope", "operator": "EQ", "value": "x"})).is_err());
        assert!(filter(serde_json::json!({"propertyName": "email", "operator": "EQ"})).is_err());
        assert!(filter(serde_json::json!({"propertyName": "createdate", "operator": "GT", "value": "x"})).is_err());
        assert!(filter(serde_json::json!({"propertyName": "email", "operator": "BETWEEN", "value": "a"})).is_err());
        assert!(
            filter(serde_json::json!({"propertyName": "associations.company", "operator": "GT", "value": "1"}))
                .is_err()
        );
        assert!(filter(serde_json::json!({"propertyName": "email", "operator": "NOT_HAS_PROPERTY"})).is_ok());
    }
}
