//! HubSpot's own JSON shapes (CRM v3 objects API), named as HubSpot names them.
//!
//! Property lists are kept as ordered `(name, value)` pairs that borrow from the input or the response
//! body: every HubSpot property value is a string on the wire, and a pair list needs one allocation
//! where a map would need one per entry.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

/// `POST /crm/v3/objects/{type}` body.
#[derive(Debug, Serialize)]
pub struct CreateObject<'a> {
    pub properties: Properties<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub associations: Vec<Association<'a>>,
}

impl<'a> CreateObject<'a> {
    pub fn with(mut self, association: Association<'a>) -> Self {
        self.associations.push(association);
        self
    }
}

/// `properties`: serialized as a JSON object, in insertion order.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Properties<'a>(pub Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'a> Properties<'a> {
    pub fn with_capacity(n: usize) -> Self {
        Self(Vec::with_capacity(n))
    }

    pub fn set(&mut self, name: &'a str, value: impl Into<Cow<'a, str>>) {
        self.0.push((Cow::Borrowed(name), value.into()));
    }

    /// Sets the property when there is a value.
    pub fn set_opt(&mut self, name: &'a str, value: Option<&'a str>) {
        if let Some(value) = value {
            self.set(name, value);
        }
    }

    pub fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_ref())
    }
}

impl Serialize for Properties<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name.as_ref(), value.as_ref())?;
        }
        map.end()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Association<'a> {
    pub to: AssociationTarget<'a>,
    pub types: [AssociationType; 1],
}

#[derive(Debug, Clone, Serialize)]
pub struct AssociationTarget<'a> {
    pub id: &'a str,
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssociationType {
    pub association_category: &'static str,
    pub association_type_id: u32,
}

impl<'a> Association<'a> {
    /// A HubSpot-defined association, e.g. deal→contact `3`.
    pub fn to(id: &'a str, type_id: u32) -> Self {
        Self {
            to: AssociationTarget { id },
            types: [AssociationType { association_category: "HUBSPOT_DEFINED", association_type_id: type_id }],
        }
    }
}

/// `PATCH /crm/v3/objects/{type}/{id}` body (PATCH takes no associations).
#[derive(Debug, Serialize)]
pub struct PatchObject<'a> {
    pub properties: Properties<'a>,
}

/// A CRM object as HubSpot returns it (create, read, list, search, batch read).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CrmObject<'a> {
    #[serde(borrow)]
    pub id: JsonStr<'a>,
    #[serde(borrow)]
    pub properties: PropertyValues<'a>,
    #[serde(borrow, default)]
    pub created_at: Option<JsonStr<'a>>,
    #[serde(borrow, default)]
    pub updated_at: Option<JsonStr<'a>>,
    #[serde(default)]
    pub archived: bool,
    /// A read's `associations=` block: `{"companies": {"results": [{"id", "type"}]}}`.
    #[serde(borrow, default)]
    pub associations: Option<std::collections::BTreeMap<JsonStr<'a>, AssociationBlock<'a>>>,
}

#[derive(Debug, Deserialize)]
pub struct AssociationBlock<'a> {
    #[serde(borrow, default)]
    pub results: Vec<AssociatedObject<'a>>,
}

#[derive(Debug, Deserialize)]
pub struct AssociatedObject<'a> {
    #[serde(borrow)]
    pub id: JsonStr<'a>,
    #[serde(borrow, default, rename = "type")]
    pub kind: Option<JsonStr<'a>>,
}

/// `GET /crm/v3/objects/{type}` and the search answer: a page of objects.
#[derive(Debug, Deserialize)]
pub struct ObjectPage<'a> {
    #[serde(borrow, default)]
    pub results: Vec<CrmObject<'a>>,
    #[serde(borrow, default)]
    pub paging: Option<Paging<'a>>,
}

#[derive(Debug, Deserialize)]
pub struct Paging<'a> {
    #[serde(borrow, default)]
    pub next: Option<NextPage<'a>>,
}

#[derive(Debug, Deserialize)]
pub struct NextPage<'a> {
    #[serde(borrow)]
    pub after: JsonStr<'a>,
}

/// `POST /crm/v3/objects/{type}/search`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchRequest<'a> {
    pub filter_groups: Vec<FilterGroup<'a>>,
    pub sorts: Vec<Sort<'a>>,
    pub properties: Vec<&'a str>,
    pub limit: u32,
    pub after: &'a str,
}

#[derive(Debug, Serialize)]
pub struct FilterGroup<'a> {
    pub filters: Vec<Filter<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Filter<'a> {
    pub property_name: &'a str,
    pub operator: &'static str,
    pub value: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sort<'a> {
    pub property_name: &'a str,
    pub direction: &'static str,
}

/// `POST /crm/v3/objects/{type}/batch/read`.
#[derive(Debug, Serialize)]
pub struct BatchRead<'a> {
    pub properties: Vec<&'a str>,
    pub inputs: Vec<IdInput<'a>>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct IdInput<'a> {
    #[serde(borrow)]
    pub id: &'a str,
}

/// The answer of a batch read: the objects found (`207` when some ids were not).
#[derive(Debug, Deserialize)]
pub struct BatchObjects<'a> {
    #[serde(borrow, default)]
    pub results: Vec<CrmObject<'a>>,
}

/// `POST /crm/v4/associations/{from}/{to}/batch/read` answer.
#[derive(Debug, Deserialize)]
pub struct AssociationBatch {
    #[serde(default)]
    pub results: Vec<AssociationRow>,
}

#[derive(Debug, Deserialize)]
pub struct AssociationRow {
    pub from: FromObject,
    #[serde(default)]
    pub to: Vec<ToObject>,
}

#[derive(Debug, Deserialize)]
pub struct FromObject {
    pub id: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToObject {
    /// A number in v4 answers.
    pub to_object_id: serde_json::Value,
    #[serde(default)]
    pub association_types: Vec<AssociationTypeOut>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssociationTypeOut {
    #[serde(default)]
    pub type_id: Option<u32>,
}

/// `GET /crm/v3/properties/{objectType}`: the portal's property definitions.
#[derive(Debug, Deserialize)]
pub struct PropertyList {
    #[serde(default)]
    pub results: Vec<PropertyDefinition>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertyDefinition {
    pub name: String,
    /// `true` for HubSpot's own properties; absent or `false` for the portal's custom ones.
    #[serde(default)]
    pub hubspot_defined: Option<bool>,
}

/// The `properties` of a returned object: `(name, value)` pairs; a value may be `null`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PropertyValues<'a>(pub Vec<(JsonStr<'a>, Option<JsonStr<'a>>)>);

impl PropertyValues<'_> {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n.as_str() == name).and_then(|(_, v)| v.as_ref()).map(JsonStr::as_str)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for PropertyValues<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Pairs<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for Pairs<'a> {
            type Value = PropertyValues<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of HubSpot properties")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(16));
                while let Some((name, value)) = map.next_entry::<JsonStr<'a>, Option<JsonStr<'a>>>()? {
                    pairs.push((name, value));
                }
                Ok(PropertyValues(pairs))
            }
        }
        d.deserialize_map(Pairs(std::marker::PhantomData))
    }
}

/// A string that borrows from the response body when it holds no escapes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct JsonStr<'a>(pub Cow<'a, str>);

impl JsonStr<'_> {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for JsonStr<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = JsonStr<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(JsonStr(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(JsonStr(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(JsonStr(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V(std::marker::PhantomData))
    }
}

/// `GET /crm/v3/owners/{ownerId}`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Owner {
    pub id: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

/// HubSpot's error envelope: `{"status":"error","message","correlationId","category","errors"?,"context"?}`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ErrorBody {
    pub message: String,
    pub category: Option<String>,
    pub error_type: Option<String>,
    pub policy_name: Option<String>,
    pub errors: Vec<ErrorDetail>,
}

/// One entry of `errors` in the newer error format.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ErrorDetail {
    pub message: String,
    pub code: Option<String>,
    pub context: Option<ErrorContext>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ErrorContext {
    pub property_name: Vec<String>,
    /// `MISSING_SCOPES`: any one of these scopes would do.
    pub required_granular_scopes: Vec<String>,
    /// Older `MISSING_SCOPES` answers.
    pub required_scopes: Vec<String>,
}

/// One entry of the JSON list embedded in a `VALIDATION_ERROR` message
/// (`Property values were not valid: [{"isValid":false,"message":...,"error":...,"name":...}]`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PropertyValidation {
    pub message: String,
    pub error: String,
    pub name: String,
}
