//! Reading a body the way v2 does: strict types (a number sent as a string is refused, booleans are
//! `true`/`false`), unknown top-level fields refused, every problem reported at once; and the custom
//! fields of a body checked against the company's fields by type.

use chrono::NaiveDate;
use serde_json::{Map, Number, Value};

use super::errors::Problem;
use super::schema::{self, Entity, Field};

/// A JSON object body, or the message of Pipedrive's `400` for one it cannot read.
pub fn object(body: &[u8]) -> Result<Map<String, Value>, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err("Request body is empty".to_owned());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("Request body must be a JSON object".to_owned()),
        Err(e) => Err(format!("Invalid JSON: {e}")),
    }
}

/// Reads fields off a body, collecting problems.
#[derive(Debug)]
pub struct Checker<'a> {
    body: &'a Map<String, Value>,
    pub problems: Vec<Problem>,
}

impl<'a> Checker<'a> {
    pub fn new(body: &'a Map<String, Value>, allowed: &[&str]) -> Self {
        let problems = body
            .keys()
            .filter(|k| !allowed.contains(&k.as_str()))
            .map(|k| Problem::new(k.clone(), "is not a known field"))
            .collect();
        Self { body, problems }
    }

    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.problems.push(Problem::new(field, message));
    }

    /// A present, non-null value.
    pub fn value(&self, key: &str) -> Option<&'a Value> {
        self.body.get(key).filter(|v| !v.is_null())
    }

    pub fn string(&mut self, key: &str) -> Option<String> {
        match self.value(key)? {
            Value::String(s) => Some(s.clone()),
            _ => {
                self.fail(key, "must be a string");
                None
            }
        }
    }

    /// A string with something in it, or a problem.
    pub fn required_string(&mut self, key: &str) -> Option<String> {
        match self.string(key) {
            Some(s) if !s.trim().is_empty() => Some(s),
            Some(_) => {
                self.fail(key, "must not be empty");
                None
            }
            None if self.value(key).is_none() => {
                self.fail(key, "is required");
                None
            }
            None => None,
        }
    }

    pub fn integer(&mut self, key: &str) -> Option<u64> {
        match self.value(key)? {
            Value::Number(n) if n.as_u64().is_some() => n.as_u64(),
            _ => {
                self.fail(key, "must be an integer");
                None
            }
        }
    }

    pub fn number(&mut self, key: &str) -> Option<Number> {
        match self.value(key)? {
            Value::Number(n) => Some(n.clone()),
            _ => {
                self.fail(key, "must be a number");
                None
            }
        }
    }

    pub fn boolean(&mut self, key: &str) -> Option<bool> {
        match self.value(key)? {
            Value::Bool(b) => Some(*b),
            _ => {
                self.fail(key, "must be a boolean");
                None
            }
        }
    }

    pub fn date(&mut self, key: &str) -> Option<String> {
        let text = self.string(key)?;
        if is_date(&text) {
            Some(text)
        } else {
            self.fail(key, "must be a date in YYYY-MM-DD format");
            None
        }
    }

    /// `HH:MM`, hours below 24 unless `any_hours` (a duration).
    pub fn hh_mm(&mut self, key: &str, any_hours: bool) -> Option<String> {
        let text = self.string(key)?;
        let ok = text.split_once(':').is_some_and(|(h, m)| {
            h.len() >= 2
                && m.len() == 2
                && h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit())
                && (any_hours || h.parse::<u32>().is_ok_and(|h| h < 24))
                && m.parse::<u32>().is_ok_and(|m| m < 60)
        });
        if ok {
            Some(text)
        } else {
            self.fail(key, "must be a time in HH:MM format");
            None
        }
    }

    pub fn array(&mut self, key: &str) -> Option<&'a Vec<Value>> {
        match self.value(key)? {
            Value::Array(items) => Some(items),
            _ => {
                self.fail(key, "must be an array");
                None
            }
        }
    }

    pub fn object(&mut self, key: &str) -> Option<&'a Map<String, Value>> {
        match self.value(key)? {
            Value::Object(map) => Some(map),
            _ => {
                self.fail(key, "must be an object");
                None
            }
        }
    }

    /// `label_ids`: integers, each an option of the entity's label field.
    pub fn label_ids(&mut self, entity: Entity) -> Vec<Value> {
        let mut ids = Vec::new();
        for (i, item) in self.array("label_ids").into_iter().flatten().enumerate() {
            match item.as_u64() {
                Some(id) if schema::label_options(entity).iter().any(|o| o.id == id) => ids.push(Value::from(id)),
                Some(id) => self.fail(&format!("label_ids[{i}]"), format!("Label with id {id} does not exist")),
                None => self.fail(&format!("label_ids[{i}]"), "must be an integer"),
            }
        }
        ids
    }

    /// `emails` or `phones`: `[{value, primary?, label?}]`; without a primary one the first is primary.
    pub fn channels(&mut self, key: &str) -> Vec<Value> {
        let mut out = Vec::new();
        for (i, item) in self.array(key).into_iter().flatten().enumerate() {
            let at = format!("{key}[{i}]");
            let Some(entry) = item.as_object() else {
                self.fail(&at, "must be an object with a value");
                continue;
            };
            let value = match entry.get("value") {
                Some(Value::String(v)) if !v.trim().is_empty() => v.clone(),
                _ => {
                    self.fail(&format!("{at}.value"), "is required and must be a string");
                    continue;
                }
            };
            let primary = match entry.get("primary") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => {
                    self.fail(&format!("{at}.primary"), "must be a boolean");
                    false
                }
            };
            let label = match entry.get("label") {
                None | Some(Value::Null) => "work".to_owned(),
                Some(Value::String(l)) if ["work", "home", "mobile", "other"].contains(&l.as_str()) => l.clone(),
                Some(_) => {
                    self.fail(&format!("{at}.label"), "must be one of work, home, mobile, other");
                    "work".to_owned()
                }
            };
            out.push(serde_json::json!({"value": value, "primary": primary, "label": label}));
        }
        if !out.is_empty() && !out.iter().any(|c| c["primary"] == true) {
            out[0]["primary"] = Value::Bool(true);
        }
        out
    }

    /// v2's `custom_fields`: known keys only, each value in its type's form.
    pub fn custom_fields(&mut self, entity: Entity) -> Map<String, Value> {
        let mut out = Map::new();
        for (key, value) in self.object("custom_fields").into_iter().flatten() {
            let at = format!("custom_fields.{key}");
            let Some(field) = schema::custom_field(entity, key) else {
                self.fail(&at, "Custom field does not exist");
                continue;
            };
            match check_custom(field, value) {
                Ok(()) => {
                    out.insert(key.clone(), value.clone());
                }
                Err(message) => self.fail(&at, message),
            }
        }
        out
    }
}

pub fn is_date(text: &str) -> bool {
    text.len() == 10 && NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
}

/// A custom value in v2's form for its field type.
pub fn check_custom(field: &Field, value: &Value) -> Result<(), String> {
    if value.is_null() {
        return Ok(());
    }
    let option = |v: &Value| match v.as_u64() {
        Some(id) if field.option(id).is_some() => Ok(()),
        Some(id) => Err(format!("Option with id {id} does not exist")),
        None => Err("must be an option id (an integer)".to_owned()),
    };
    let date = |v: Option<&Value>| v.and_then(Value::as_str).is_some_and(is_date);
    match field.field_type {
        "double" => value.is_number().then_some(()).ok_or_else(|| "must be a number".to_owned()),
        "monetary" => match value {
            Value::Object(o)
                if o.get("value").is_some_and(Value::is_number)
                    && o.get("currency").is_some_and(|c| {
                        c.as_str().is_some_and(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()))
                    }) =>
            {
                Ok(())
            }
            _ => Err("must be an object with a numeric value and a currency code".to_owned()),
        },
        "enum" => option(value),
        "set" => match value {
            Value::Array(items) if items.is_empty() => Err("must not be an empty array (use null to clear)".to_owned()),
            Value::Array(items) => items.iter().try_for_each(option),
            _ => Err("must be an array of option ids".to_owned()),
        },
        "date" => date(Some(value)).then_some(()).ok_or_else(|| "must be a date in YYYY-MM-DD format".to_owned()),
        "daterange" => match value {
            Value::Object(o) if date(o.get("value")) && date(o.get("until")) => Ok(()),
            _ => Err("must be an object with value and until dates".to_owned()),
        },
        "address" => match value {
            Value::Object(o) if o.get("value").is_some_and(Value::is_string) => Ok(()),
            _ => Err("must be an object with a value".to_owned()),
        },
        "user" | "org" | "people" => value.as_u64().map(drop).ok_or_else(|| "must be an integer".to_owned()),
        _ => value.is_string().then_some(()).ok_or_else(|| "must be a string".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn strict_types_and_unknown_fields() {
        let body =
            map(json!({"title": "D", "value": "48000", "owner_id": 1.5, "busy": 1, "nope": true, "due_time": "9:00"}));
        let mut c = Checker::new(&body, &["title", "value", "owner_id", "busy", "due_time"]);
        assert_eq!(c.required_string("title").as_deref(), Some("D"));
        assert_eq!(c.number("value"), None);
        assert_eq!(c.integer("owner_id"), None);
        assert_eq!(c.boolean("busy"), None);
        assert_eq!(c.hh_mm("due_time", false), None);
        let fields: Vec<&str> = c.problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["nope", "value", "owner_id", "busy", "due_time"]);
    }

    #[test]
    fn channels_get_a_primary_and_a_label() {
        let body = map(json!({"emails": [{"value": "a@b.co"}, {"value": "c@d.co", "label": "home"}]}));
        let mut c = Checker::new(&body, &["emails"]);
        let emails = c.channels("emails");
        assert_eq!(emails[0], json!({"value": "a@b.co", "primary": true, "label": "work"}));
        assert_eq!(emails[1]["primary"], false);
        assert!(c.problems.is_empty());
    }

    #[test]
    fn custom_values_by_type() {
        let body = map(json!({"custom_fields": {
            "9c2e4f6a8b1d3e5f7a9c0b2d4e6f8a1c3e5b7d9f": "85",
            "0b8f6e4d2c1a3e5f7d9b2a4c6e8f0a1b3c5d7e9f": 46,
            "3e1a5c7b9d2f4a6c8e0b1d3f5a7c9e2b4d6f8a0c": [],
            "ffffffffffffffffffffffffffffffffffffffff": "x"
        }}));
        let mut c = Checker::new(&body, &["custom_fields"]);
        let stored = c.custom_fields(Entity::Person);
        assert_eq!(stored.len(), 1);
        let fields: Vec<&str> = c.problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "custom_fields.3e1a5c7b9d2f4a6c8e0b1d3f5a7c9e2b4d6f8a0c",
                "custom_fields.9c2e4f6a8b1d3e5f7a9c0b2d4e6f8a1c3e5b7d9f",
                "custom_fields.ffffffffffffffffffffffffffffffffffffffff"
            ]
        );
    }
}
