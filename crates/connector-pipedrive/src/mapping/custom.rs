//! Custom fields: Pipedrive keys them by random 40-character hashes that differ per company, so the
//! caller's `customFields` names are resolved through the fields endpoints (`GET /api/v2/personFields`,
//! `dealFields`; leads inherit the deal fields) and each value is written in the form of its field type:
//! nested under `custom_fields` in v2 (persons, deals), flat at the top level in v1 (leads).
//!
//! A name resolves to the custom field whose key it is, else the one with exactly that name, else the
//! only one whose name matches ignoring case, spaces and punctuation. Option fields (`enum`, `set`)
//! take option labels or ids and store ids; the record reports labels again.

use serde_json::{Map, Number, Value, json};
use unified_core::FieldError;
use unified_core::resource::{CustomFields, LifecycleStage, Text};

use super::{lifecycle_from_label, normalize};
use crate::wire::Field;

/// Whose fields a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    Person,
    Deal,
}

impl Entity {
    pub fn plural(self) -> &'static str {
        match self {
            Self::Person => "persons",
            Self::Deal => "deals and leads",
        }
    }
}

/// One field of a company's schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDef {
    /// The 40-character hash of a custom field, or the system field's code (`label_ids`).
    pub key: String,
    pub name: String,
    /// `varchar`, `text`, `double`, `monetary`, `enum`, `set`, `date`, `daterange`, `time`, `user`, ...
    pub kind: String,
    pub custom: bool,
    pub options: Vec<(u64, String)>,
}

impl FieldDef {
    fn option_labels(&self) -> String {
        self.options.iter().map(|(_, label)| label.as_str()).collect::<Vec<_>>().join(", ")
    }

    fn option_by_label(&self, label: &str) -> Option<u64> {
        let wanted = normalize(label);
        self.options
            .iter()
            .find(|(_, l)| l == label)
            .or_else(|| self.options.iter().find(|(_, l)| normalize(l) == wanted))
            .map(|(id, _)| *id)
    }

    fn option_label(&self, id: u64) -> Option<&str> {
        self.options.iter().find(|(i, _)| *i == id).map(|(_, l)| l.as_str())
    }
}

/// A company's fields of one entity, as the fields endpoint lists them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    pub fields: Vec<FieldDef>,
}

impl Schema {
    pub fn new(fields: Vec<Field>) -> Self {
        let fields = fields
            .into_iter()
            .map(|f| FieldDef {
                key: f.field_code,
                name: f.field_name,
                kind: f.field_type,
                custom: f.is_custom_field,
                options: f.options.unwrap_or_default().into_iter().map(|o| (o.id, o.label)).collect(),
            })
            .collect();
        Self { fields }
    }

    /// The custom field a caller's name stands for (see the module docs for the order).
    pub fn custom_field(&self, name: &str) -> Option<&FieldDef> {
        let custom = || self.fields.iter().filter(|f| f.custom);
        if let Some(field) = custom().find(|f| f.key == name).or_else(|| custom().find(|f| f.name == name)) {
            return Some(field);
        }
        let wanted = normalize(name);
        let mut loose = custom().filter(|f| !wanted.is_empty() && normalize(&f.name) == wanted);
        match (loose.next(), loose.next()) {
            (Some(field), None) => Some(field),
            _ => None,
        }
    }

    /// The custom field of this key.
    pub fn field_by_key(&self, key: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.custom && f.key == key)
    }

    /// The options of the entity's label field (`label_ids`): what tags become.
    pub fn labels(&self) -> &[(u64, String)] {
        self.fields.iter().find(|f| f.key == "label_ids" || f.key == "label").map_or(&[], |f| f.options.as_slice())
    }
}

/// One custom value to write, in v2's form (keyed by the field's hash).
#[derive(Debug, Clone, PartialEq)]
pub struct Write {
    pub key: String,
    pub value: Value,
}

/// Resolves and converts the caller's `customFields`, all problems at once. Names in `native` are not
/// custom fields (the caller's own extras the mapping writes natively, a lead's `title`).
pub fn writes(
    entity: Entity,
    schema: &Schema,
    requested: Option<&CustomFields>,
    native: &[&str],
) -> Result<Vec<Write>, Vec<FieldError>> {
    let mut writes = Vec::new();
    let mut problems = Vec::new();
    for (name, value) in requested.into_iter().flatten().filter(|(name, _)| !native.contains(&name.as_str())) {
        let path = format!("customFields.{name}");
        let Some(field) = schema.custom_field(name) else {
            problems.push(FieldError::new(
                path,
                format!("is not a custom field of Pipedrive {}: no field has this name or key", entity.plural()),
            ));
            continue;
        };
        if writes.iter().any(|w: &Write| w.key == field.key) {
            problems.push(FieldError::new(path, format!("names the field `{}` a second time", field.name)));
            continue;
        }
        match value_for(field, value) {
            Ok(value) => writes.push(Write { key: field.key.clone(), value }),
            Err(message) => problems.push(FieldError::new(path, message)),
        }
    }
    if problems.is_empty() { Ok(writes) } else { Err(problems) }
}

/// The names in `requested` that the schema does not know (to decide whether a cached schema is stale).
pub fn unknown_names<'a>(schema: &Schema, requested: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    requested.into_iter().filter(|name| schema.custom_field(name).is_none()).collect()
}

/// A value in the v2 form of its field's type; `Err` says what the field takes.
pub fn value_for(field: &FieldDef, value: &Value) -> Result<Value, String> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    match field.kind.as_str() {
        "double" | "int" => number(value).map(Value::Number).ok_or_else(|| "must be a number".to_owned()),
        "monetary" => match value {
            Value::Object(o)
                if o.get("value").and_then(number).is_some() && o.get("currency").is_some_and(Value::is_string) =>
            {
                Ok(json!({"value": o.get("value").and_then(number), "currency": o["currency"]}))
            }
            _ => Err("must be {\"value\": <number>, \"currency\": \"<ISO 4217 code>\"} (a monetary field)".to_owned()),
        },
        "enum" => option_id(field, value).map(Value::from),
        "set" => {
            let items: Vec<&Value> = match value {
                Value::Array(items) if items.is_empty() => {
                    return Err("must name at least one option (clear a set field with null)".to_owned());
                }
                Value::Array(items) => items.iter().collect(),
                single => vec![single],
            };
            items
                .into_iter()
                .map(|v| option_id(field, v).map(Value::from))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        "date" => match value.as_str() {
            Some(date) if unified_core::time::parse_date(date).is_some() => Ok(value.clone()),
            _ => Err("must be a date in YYYY-MM-DD form".to_owned()),
        },
        "daterange" | "timerange" => match value {
            Value::Object(o)
                if o.get("value").is_some_and(Value::is_string) && o.get("until").is_some_and(Value::is_string) =>
            {
                Ok(value.clone())
            }
            _ => Err("must be {\"value\": \"<start>\", \"until\": \"<end>\"} (a range field)".to_owned()),
        },
        "user" | "org" | "people" => match number(value).and_then(|n| n.as_u64()) {
            Some(id) => Ok(Value::from(id)),
            None => Err(format!("must be the id of a Pipedrive {} (an integer)", field.kind)),
        },
        "address" => match value {
            Value::String(_) => Ok(json!({ "value": value })),
            Value::Object(o) if o.get("value").is_some_and(Value::is_string) => Ok(value.clone()),
            _ => Err("must be an address: text, or {\"value\": \"<one line>\", ...parts}".to_owned()),
        },
        _ => match value {
            Value::String(_) => Ok(value.clone()),
            Value::Number(n) => Ok(Value::String(n.to_string())),
            Value::Bool(b) => Ok(Value::String(b.to_string())),
            _ => Err(format!("must be text (the field is of type `{}`)", field.kind)),
        },
    }
}

/// A JSON number, or a string that holds one (v2 does not coerce strings into numbers).
fn number(value: &Value) -> Option<Number> {
    match value {
        Value::Number(n) => Some(n.clone()),
        Value::String(s) => {
            let s = s.trim();
            s.parse::<i64>().ok().map(Number::from).or_else(|| s.parse::<f64>().ok().and_then(Number::from_f64))
        }
        _ => None,
    }
}

/// An option id from an id or a label.
fn option_id(field: &FieldDef, value: &Value) -> Result<u64, String> {
    let found = match value {
        Value::Number(n) => n.as_u64().filter(|id| field.option_label(*id).is_some()),
        Value::String(s) => {
            field.option_by_label(s).or_else(|| s.parse().ok().filter(|id| field.option_label(*id).is_some()))
        }
        _ => None,
    };
    found.ok_or_else(|| format!("is not an option of `{}` (options: {})", field.name, field.option_labels()))
}

/// `custom_fields` of a v2 body.
pub fn to_v2(writes: &[Write]) -> Map<String, Value> {
    writes.iter().map(|w| (w.key.clone(), w.value.clone())).collect()
}

/// The flat v1 form (leads): `{"value", "currency"}` becomes `key` and `key_currency`, `{"value", "until"}`
/// `key` and `key_until`, a set `"12,13"`.
pub fn to_v1(writes: &[Write]) -> Map<String, Value> {
    let mut flat = Map::new();
    for Write { key, value } in writes {
        match value {
            Value::Object(parts) if parts.contains_key("value") => {
                for (part, v) in parts {
                    let name = if part == "value" { key.clone() } else { format!("{key}_{part}") };
                    flat.insert(name, v.clone());
                }
            }
            Value::Array(ids) => {
                let ids: Vec<String> = ids.iter().map(|id| id.to_string()).collect();
                flat.insert(key.clone(), Value::String(ids.join(",")));
            }
            other => {
                flat.insert(key.clone(), other.clone());
            }
        }
    }
    flat
}

/// A stored value as the record reports it: option ids as their labels.
pub fn display(field: &FieldDef, value: &Value) -> Value {
    let label = |v: &Value| {
        let id = v.as_u64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()));
        id.and_then(|id| field.option_label(id)).map_or_else(|| v.clone(), |l| Value::String(l.to_owned()))
    };
    match (field.kind.as_str(), value) {
        ("enum", v) if !v.is_null() => label(v),
        ("set", Value::Array(ids)) => Value::Array(ids.iter().map(label).collect()),
        ("set", Value::String(ids)) => Value::Array(
            ids.split(',').filter(|s| !s.trim().is_empty()).map(|id| label(&Value::from(id.trim()))).collect(),
        ),
        _ => value.clone(),
    }
}

/// A v1 (flat) value with its sub-keys folded back into v2's object form.
pub fn v1_value(field: &FieldDef, flat: &Map<String, Value>) -> Option<Value> {
    let value = flat.get(&field.key)?;
    let prefix = format!("{}_", field.key);
    let parts: Map<String, Value> = flat
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix(&prefix)?.to_owned(), v.clone())))
        .filter(|(part, _)| !part.is_empty())
        .collect();
    if parts.is_empty() || value.is_null() {
        return Some(value.clone());
    }
    let mut object = Map::new();
    object.insert("value".to_owned(), value.clone());
    object.extend(parts);
    Some(Value::Object(object))
}

/// Whether a key is a custom field's: Pipedrive keys them by 40-character hexadecimal hashes.
pub fn is_custom_key(key: &str) -> bool {
    key.len() == 40 && key.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The name a record reports a custom field under: its name, unless another custom field has the same
/// one (then its key, which is never ambiguous). Either resolves back to the field on a write.
fn record_name(schema: &Schema, field: &FieldDef) -> String {
    let namesakes = schema.fields.iter().filter(|f| f.custom && f.name == field.name).count();
    if namesakes == 1 && !field.name.trim().is_empty() { field.name.clone() } else { field.key.clone() }
}

/// One stored custom value as the record reports it: by the schema's name with option ids as labels, or
/// by its key, as stored, when the schema does not know it.
fn reported(schema: Option<&Schema>, key: &str, value: impl FnOnce(Option<&FieldDef>) -> Value) -> (String, Value) {
    match schema.and_then(|s| s.field_by_key(key).map(|f| (s, f))) {
        Some((schema, field)) => (record_name(schema, field), display(field, &value(Some(field)))),
        None => (key.to_owned(), value(None)),
    }
}

/// The record's `customFields` from a v2 record's `custom_fields`: every custom field it carries but the
/// `mapped` ones (the fields the connection settings map to unified fields).
pub fn from_v2(schema: Option<&Schema>, stored: &Map<String, Value>, mapped: &[&str]) -> Option<CustomFields> {
    let custom: CustomFields = stored
        .iter()
        .filter(|(key, _)| !mapped.contains(&key.as_str()))
        .map(|(key, value)| reported(schema, key, |_| value.clone()))
        .collect();
    (!custom.is_empty()).then_some(custom)
}

/// The same from a v1 (flat) lead: its custom-field keys, their sub-keys (`_currency`, `_until`) folded
/// back into v2's object form.
pub fn from_v1(schema: Option<&Schema>, flat: &Map<String, Value>, mapped: &[&str]) -> CustomFields {
    flat.iter()
        .filter(|(key, _)| is_custom_key(key) && !mapped.contains(&key.as_str()))
        .map(|(key, value)| {
            reported(schema, key, |field| field.and_then(|f| v1_value(f, flat)).unwrap_or_else(|| value.clone()))
        })
        .collect()
}

/// The keys of the fields that connection settings name (lifecycle, source): mapped, so not custom fields.
pub fn setting_keys<'a>(schema: Option<&'a Schema>, names: &[Option<&str>]) -> Vec<&'a str> {
    let Some(schema) = schema else { return Vec::new() };
    names.iter().flatten().filter_map(|name| schema.custom_field(name)).map(|f| f.key.as_str()).collect()
}

/// The field a connection setting names, or the problem on `unified_field`.
pub fn setting_field<'a>(
    entity: Entity,
    schema: &'a Schema,
    setting: &str,
    name: &str,
    unified_field: &str,
) -> Result<&'a FieldDef, FieldError> {
    schema.custom_field(name).ok_or_else(|| {
        FieldError::new(
            unified_field,
            format!(
                "the connection setting `{setting}` names `{name}`, which is not a custom field of Pipedrive {}",
                entity.plural()
            ),
        )
    })
}

/// A lifecycle stage in the lifecycle field: the option whose label is the stage (`Customer`,
/// `Marketing Qualified Lead`) for an option field, the unified value for a text field.
pub fn lifecycle_value(field: &FieldDef, stage: LifecycleStage) -> Result<Value, String> {
    match field.kind.as_str() {
        "enum" | "set" => {
            let id = field
                .options
                .iter()
                .find(|(_, label)| normalize(label) == stage.as_str())
                .map(|(id, _)| *id)
                .ok_or_else(|| {
                    format!(
                        "`{}` has no option for `{}` (options: {})",
                        field.name,
                        stage.as_str(),
                        field.option_labels()
                    )
                })?;
            Ok(if field.kind == "set" { json!([id]) } else { Value::from(id) })
        }
        _ => value_for(field, &Value::String(stage.as_str().to_owned())),
    }
}

/// The lifecycle stage a stored value stands for.
pub fn lifecycle_read(field: &FieldDef, value: &Value) -> Option<LifecycleStage> {
    let shown = display(field, value);
    let label = match &shown {
        Value::String(s) => s.as_str(),
        Value::Array(items) => items.first()?.as_str()?,
        _ => return None,
    };
    (!label.trim().is_empty()).then(|| lifecycle_from_label(label))
}

/// A stored value as text (the `source` field).
pub fn text_read(field: &FieldDef, value: &Value) -> Option<Text> {
    match display(field, value) {
        Value::String(s) if !s.trim().is_empty() => Some(Text::from(s)),
        Value::Number(n) => Some(Text::from(n.to_string())),
        Value::Object(o) => o.get("value").and_then(Value::as_str).map(Text::from),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::wire::FieldOption;

    pub const TRADE_SHOW: &str = "5a313b872ffc53e12ef7a7a4957b6d3130fec189";
    pub const LOYALTY: &str = "9c2e4f6a8b1d3e5f7a9c0b2d4e6f8a1c3e5b7d9f";
    pub const STAGE: &str = "0b8f6e4d2c1a3e5f7d9b2a4c6e8f0a1b3c5d7e9f";
    pub const BUDGET: &str = "d4de1c1518b4531717c676029a45911c340390a6";
    pub const INTERESTS: &str = "3e1a5c7b9d2f4a6c8e0b1d3f5a7c9e2b4d6f8a0c";

    fn field(key: &str, name: &str, kind: &str, options: &[(u64, &str)]) -> Field {
        Field {
            field_code: key.into(),
            field_name: name.into(),
            field_type: kind.into(),
            is_custom_field: key.len() == 40,
            options: (!options.is_empty())
                .then(|| options.iter().map(|(id, label)| FieldOption { id: *id, label: (*label).into() }).collect()),
        }
    }

    pub fn schema() -> Schema {
        Schema::new(vec![
            field("name", "Name", "varchar", &[]),
            field("label_ids", "Labels", "set", &[(5, "Customer"), (6, "Hot lead"), (7, "VIP")]),
            field(TRADE_SHOW, "Trade show", "varchar", &[]),
            field(LOYALTY, "Loyalty score", "double", &[]),
            field(
                STAGE,
                "Lifecycle stage",
                "enum",
                &[(41, "Subscriber"), (42, "Lead"), (43, "Marketing Qualified Lead"), (46, "Customer")],
            ),
            field(BUDGET, "Budget", "monetary", &[]),
            field(INTERESTS, "Interests", "set", &[(71, "Robotics"), (72, "Logistics")]),
        ])
    }

    fn custom(json: &str) -> CustomFields {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn names_resolve_by_key_exact_name_then_loose_name() {
        let schema = schema();
        assert_eq!(schema.custom_field(TRADE_SHOW).unwrap().name, "Trade show");
        assert_eq!(schema.custom_field("Trade show").unwrap().key, TRADE_SHOW);
        assert_eq!(schema.custom_field("trade_show").unwrap().key, TRADE_SHOW);
        assert_eq!(schema.custom_field("loyaltyScore").unwrap().key, LOYALTY);
        assert!(schema.custom_field("Name").is_none(), "system fields are not custom fields");
        assert!(schema.custom_field("favourite colour").is_none());
        assert_eq!(schema.labels().len(), 3);
    }

    #[test]
    fn values_take_their_field_types_form() {
        let requested = custom(
            r#"{"Trade show": "Tokyo 2026", "loyaltyScore": "85", "Lifecycle stage": "customer",
                "Budget": {"value": 500, "currency": "EUR"}, "Interests": ["Robotics", 72], "title": "skip me"}"#,
        );
        let writes = writes(Entity::Person, &schema(), Some(&requested), &["title"]).unwrap();
        let v2 = to_v2(&writes);
        assert_eq!(
            Value::Object(v2),
            json!({TRADE_SHOW: "Tokyo 2026", LOYALTY: 85, STAGE: 46, BUDGET: {"value": 500, "currency": "EUR"},
                   INTERESTS: [71, 72]})
        );
        let v1 = to_v1(&writes);
        assert_eq!(v1[BUDGET], 500);
        assert_eq!(v1[&format!("{BUDGET}_currency")], "EUR");
        assert_eq!(v1[INTERESTS], "71,72");
    }

    #[test]
    fn every_problem_at_once_naming_the_field() {
        let requested = custom(
            r#"{"favourite colour": "blue", "Loyalty score": "lots", "Lifecycle stage": "hot",
            "Interests": [], "Budget": 5}"#,
        );
        let problems = writes(Entity::Person, &schema(), Some(&requested), &[]).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "customFields.Budget",
                "customFields.Interests",
                "customFields.Lifecycle stage",
                "customFields.Loyalty score",
                "customFields.favourite colour"
            ]
        );
        assert!(problems[4].message.contains("not a custom field of Pipedrive persons"), "{}", problems[4].message);
        assert!(problems[2].message.contains("options: Subscriber, Lead"), "{}", problems[2].message);
    }

    #[test]
    fn records_report_every_custom_field_by_the_schemas_name() {
        let schema = schema();
        const UNKNOWN: &str = "ffffffffffffffffffffffffffffffffffffffff";
        let stored: Map<String, Value> =
            serde_json::from_value(json!({STAGE: 46, INTERESTS: [71], BUDGET: null, TRADE_SHOW: "other", UNKNOWN: 1}))
                .unwrap();
        let custom = from_v2(Some(&schema), &stored, &[TRADE_SHOW]).unwrap();
        assert_eq!(
            Value::Object(custom),
            json!({"Lifecycle stage": "Customer", "Interests": ["Robotics"], "Budget": null, UNKNOWN: 1}),
            "labels for option ids; the mapped field left out; a field the schema lacks by its key"
        );
        assert_eq!(from_v2(None, &stored, &[]).unwrap()[STAGE], 46, "no schema: by key, as stored");
        assert_eq!(from_v2(Some(&schema), &Map::new(), &[]), None);

        let flat: Map<String, Value> = serde_json::from_value(
            json!({BUDGET: 500, format!("{BUDGET}_currency"): "EUR", INTERESTS: "71,72", "title": "x"}),
        )
        .unwrap();
        let field = schema.custom_field("Budget").unwrap();
        assert_eq!(v1_value(field, &flat), Some(json!({"value": 500, "currency": "EUR"})));
        assert_eq!(
            Value::Object(from_v1(Some(&schema), &flat, &[])),
            json!({"Budget": {"value": 500, "currency": "EUR"}, "Interests": ["Robotics", "Logistics"]})
        );
        assert_eq!(setting_keys(Some(&schema), &[Some("Lifecycle stage"), None, Some("nope")]), [STAGE]);
    }

    #[test]
    fn namesakes_are_reported_by_key() {
        let mut schema = schema();
        let mut twin = schema.fields[2].clone();
        twin.key = "1".repeat(40);
        schema.fields.push(twin);
        let stored: Map<String, Value> = serde_json::from_value(json!({TRADE_SHOW: "a", "1".repeat(40): "b"})).unwrap();
        let custom = from_v2(Some(&schema), &stored, &[]).unwrap();
        assert_eq!(Value::Object(custom), json!({TRADE_SHOW: "a", "1".repeat(40): "b"}));
        assert!(is_custom_key(TRADE_SHOW) && !is_custom_key("title") && !is_custom_key(&format!("{BUDGET}_currency")));
    }

    #[test]
    fn lifecycle_in_option_and_text_fields() {
        let schema = schema();
        let stage = schema.custom_field("Lifecycle stage").unwrap();
        assert_eq!(lifecycle_value(stage, LifecycleStage::Marketingqualifiedlead).unwrap(), json!(43));
        assert!(lifecycle_value(stage, LifecycleStage::Evangelist).unwrap_err().contains("no option for `evangelist`"));
        assert_eq!(lifecycle_read(stage, &json!(43)), Some(LifecycleStage::Marketingqualifiedlead));
        assert_eq!(lifecycle_read(stage, &json!(99)), None, "an unknown option id has no label");
        let text = schema.custom_field("Trade show").unwrap();
        assert_eq!(lifecycle_value(text, LifecycleStage::Customer).unwrap(), json!("customer"));
        assert_eq!(lifecycle_read(text, &json!("Churned")), Some(LifecycleStage::Other));
        let problem = setting_field(Entity::Person, &schema, "lifecycleField", "Stage", "lifecycleStage").unwrap_err();
        assert_eq!(problem.field, "lifecycleStage");
    }
}
