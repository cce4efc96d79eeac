//! Body parsing that reports every problem at once.
//!
//! The fast path is one typed `serde_json` pass. Only when it fails do we look closer: the body is read
//! as a JSON object and each top-level field is checked on its own, so that an unknown field and a wrong
//! type elsewhere both show up, each with its path (`address.postalCode`, `attendees[1].email`).

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::validation::FieldError;

/// A body that did not parse: every problem found, and, when the body was a JSON object, the body made
/// of its well-typed fields (so that the validation rules can report on those too).
pub(crate) struct Failure<T> {
    pub problems: Vec<FieldError>,
    pub rest: Option<T>,
}

/// Parses a body of `T` (field list `fields`), wraps it with `wrap` and runs `rules` on it. On failure,
/// every problem at once: unknown fields, wrong types (each with its path), then the rules broken by
/// the well-typed rest, for the fields not already reported.
pub(crate) fn with_rules<T: DeserializeOwned, U>(
    body: &[u8],
    fields: &'static [&'static str],
    wrap: impl Fn(T) -> U,
    rules: impl Fn(&U) -> Result<(), Vec<FieldError>>,
) -> Result<U, Vec<FieldError>> {
    let failure = match typed::<T>(body, fields) {
        Ok(input) => {
            let input = wrap(input);
            return rules(&input).map(|()| input);
        }
        Err(failure) => failure,
    };
    let mut problems = failure.problems;
    if let Some(rest) = failure.rest.map(wrap)
        && let Err(more) = rules(&rest)
    {
        let reported = |field: &str| {
            problems.iter().any(|p| {
                field == p.field
                    || field.strip_prefix(p.field.as_str()).is_some_and(|r| r.starts_with('.') || r.starts_with('['))
            })
        };
        // A verdict on the body as a whole (`{}` names no field) says nothing about a body that did not parse.
        let more: Vec<FieldError> = more.into_iter().filter(|p| !reported(&p.field) && p.field != "body").collect();
        problems.extend(more);
    }
    Err(problems)
}

pub(crate) fn typed<T: DeserializeOwned>(body: &[u8], fields: &'static [&'static str]) -> Result<T, Failure<T>> {
    // One UTF-8 check of the whole body, then a `&str` parse that need not check each string again.
    let text = std::str::from_utf8(body).map_err(|e| Failure {
        problems: vec![FieldError::new(
            "body",
            format!("is not valid UTF-8 (invalid byte at offset {})", e.valid_up_to()),
        )],
        rest: None,
    })?;
    match serde_json::from_str::<T>(text) {
        Ok(input) => Ok(input),
        Err(first) => Err(diagnose::<T>(body, fields, first)),
    }
}

fn diagnose<T: DeserializeOwned>(body: &[u8], fields: &[&str], first: serde_json::Error) -> Failure<T> {
    let only = |problem: FieldError| Failure { problems: vec![problem], rest: None };
    let object = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => object,
        Ok(other) => return only(FieldError::new("body", format!("must be a JSON object, not {}", kind(&other)))),
        Err(_) if body.iter().all(u8::is_ascii_whitespace) => {
            return only(FieldError::new("body", "is empty; send a JSON object"));
        }
        Err(e) => return only(FieldError::new("body", format!("is not valid JSON: {e}"))),
    };
    let mut problems = Vec::new();
    let mut good = Map::new();
    for (key, value) in object {
        if !fields.contains(&key.as_str()) {
            problems.push(FieldError::new(key, format!("is not a known field; known fields: {}", fields.join(", "))));
            continue;
        }
        let single = Value::Object(Map::from_iter([(key.clone(), value)]));
        match serde_path_to_error::deserialize::<_, T>(&single) {
            Ok(_) => good.extend(single.as_object().into_iter().flatten().map(|(k, v)| (k.clone(), v.clone()))),
            Err(e) => {
                let path = e.path().to_string();
                let field = if path == "." || path.is_empty() { key } else { path };
                problems.push(FieldError::new(field, strip_position(&e.into_inner().to_string())));
            }
        }
    }
    if problems.is_empty() {
        // Should not happen (every field passed on its own), but never hide the parser's own word.
        problems.push(FieldError::new("body", first.to_string()));
    }
    Failure { problems, rest: serde_json::from_value(Value::Object(good)).ok() }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `from_value` errors carry no position; `from_slice` ones end in ` at line 1 column 9`.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use crate::resource::{ResourceKind, UnifiedInput};

    fn problems(resource: ResourceKind, body: &str) -> Vec<(String, String)> {
        UnifiedInput::parse(resource, body.as_bytes()).unwrap_err().into_iter().map(|e| (e.field, e.message)).collect()
    }

    #[test]
    fn reports_unknown_fields_and_wrong_types_together() {
        let found =
            problems(ResourceKind::Contact, r#"{"firstName": 5, "emial": "x@y.z", "address": {"postalCode": 94105}}"#);
        let fields: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["address.postalCode", "emial", "firstName"]);
        assert!(found[1].1.contains("known fields: firstName"), "{found:?}");
        assert!(found[2].1.contains("expected a string"), "{found:?}");
    }

    #[test]
    fn rules_also_run_on_the_well_typed_rest() {
        let found = problems(ResourceKind::Contact, r#"{"firstName": 5, "emial": "x", "email": "bad@"}"#);
        let fields: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["emial", "firstName", "email"]);
        // A field already reported for its type is not reported again by a rule.
        let found = problems(ResourceKind::Deal, r#"{"name": 1, "currency": "EUR"}"#);
        assert_eq!(found.len(), 1, "{found:?}");
    }

    #[test]
    fn nested_array_paths_name_the_index() {
        let found = problems(
            ResourceKind::Meeting,
            r#"{"title":"t","startTime":"2026-01-01T10:00:00Z","endTime":"2026-01-01T11:00:00Z",
                "attendees":[{"email":"a@b.co"},{"email":7}]}"#,
        );
        assert_eq!(found[0].0, "attendees[1].email");
    }

    #[test]
    fn enum_errors_list_the_allowed_values() {
        let found = problems(ResourceKind::Contact, r#"{"email":"a@b.co","lifecycleStage":"hot"}"#);
        assert_eq!(found[0].0, "lifecycleStage");
        assert!(found[0].1.contains("`salesqualifiedlead`"), "{found:?}");
    }

    #[test]
    fn invalid_utf8_is_named() {
        let found = UnifiedInput::parse(ResourceKind::Contact, b"{\"email\": \"\xff\"}").unwrap_err();
        assert_eq!(found[0].field, "body");
        assert!(found[0].message.contains("UTF-8"), "{found:?}");
    }

    #[test]
    fn not_json_not_object_and_empty() {
        assert!(problems(ResourceKind::Contact, "{")[0].1.starts_with("is not valid JSON"));
        assert_eq!(problems(ResourceKind::Contact, "[1]")[0].1, "must be a JSON object, not an array");
        assert_eq!(problems(ResourceKind::Contact, " ")[0].1, "is empty; send a JSON object");
    }

    #[test]
    fn huge_numbers_are_a_clear_error() {
        // Out of f64 range: not even a JSON value serde can hold, so the body is named, with the position.
        let found = problems(ResourceKind::Deal, r#"{"name":"x","amount":1e999}"#);
        assert_eq!(found[0].0, "body");
        assert!(found[0].1.contains("number out of range at line 1 column"), "{found:?}");
    }

    #[test]
    fn type_errors_then_rules_are_separate_passes() {
        // Rules run on a well-typed body: every rule problem at once.
        let found = problems(ResourceKind::Deal, r#"{"currency":"euro","closeDate":"31/07/2026","probability":140}"#);
        let fields: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["name", "currency", "closeDate", "probability"]);
    }
}
