//! The unified resources: what a caller sends (`*Input`) and what comes back (the records).

pub mod contact;
pub mod deal;
pub mod lead;
pub mod meeting;
pub mod shared;

mod parse;

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use contact::{Contact, ContactInput};
pub use deal::{Deal, DealInput};
pub use lead::{Lead, LeadInput};
pub use meeting::{Meeting, MeetingInput};
pub use shared::{Address, Attendee, CustomFields, LeadStatus, LifecycleStage, Text};

use crate::validation::{FieldError, Problems, Validate};

/// The resources of the API, in the order the contract lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ResourceKind {
    Contact,
    Lead,
    Deal,
    Meeting,
}

impl ResourceKind {
    pub const ALL: [Self; 4] = [Self::Contact, Self::Lead, Self::Deal, Self::Meeting];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Contact => "contact",
            Self::Lead => "lead",
            Self::Deal => "deal",
            Self::Meeting => "meeting",
        }
    }

    /// Every unified input field of this resource, as named on the wire.
    pub const fn fields(self) -> &'static [&'static str] {
        match self {
            Self::Contact => ContactInput::FIELDS,
            Self::Lead => LeadInput::FIELDS,
            Self::Deal => DealInput::FIELDS,
            Self::Meeting => MeetingInput::FIELDS,
        }
    }

    /// The JSON Schema of this resource's input body.
    pub fn input_schema(self) -> schemars::Schema {
        match self {
            Self::Contact => schemars::schema_for!(ContactInput),
            Self::Lead => schemars::schema_for!(LeadInput),
            Self::Deal => schemars::schema_for!(DealInput),
            Self::Meeting => schemars::schema_for!(MeetingInput),
        }
    }

    pub fn names() -> String {
        Self::ALL.map(Self::as_str).join(", ")
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ResourceKind {
    type Err = crate::UnifiedError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| crate::UnifiedError::UnknownResource { name: s.to_owned() })
    }
}

/// A unified input body of any resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum UnifiedInput {
    Contact(ContactInput),
    Lead(LeadInput),
    Deal(DealInput),
    Meeting(MeetingInput),
}

impl UnifiedInput {
    /// Parses and validates a body for `resource`. On failure, every problem is reported at once:
    /// unknown fields, wrong types (each with its path) and the rules broken by the other fields.
    pub fn parse(resource: ResourceKind, body: &[u8]) -> Result<Self, Vec<FieldError>> {
        Self::parse_with(resource, body, Self::check)
    }

    /// As [`Self::parse`], with `rules` in place of [`Self::check`] (the pipeline adds a provider's
    /// required fields). `rules` also runs on the well-typed fields of a body that did not parse; its
    /// problems are added for the fields not already reported.
    pub fn parse_with(
        resource: ResourceKind,
        body: &[u8],
        rules: impl Fn(&Self) -> Result<(), Vec<FieldError>>,
    ) -> Result<Self, Vec<FieldError>> {
        let failure = match Self::parse_typed(resource, body) {
            Ok(input) => return rules(&input).map(|()| input),
            Err(failure) => failure,
        };
        let mut problems = failure.problems;
        if let Some(rest) = failure.rest
            && let Err(more) = rules(&rest)
        {
            let reported = |field: &str| {
                problems.iter().any(|p| {
                    field == p.field
                        || field
                            .strip_prefix(p.field.as_str())
                            .is_some_and(|r| r.starts_with('.') || r.starts_with('['))
                })
            };
            let more: Vec<FieldError> = more.into_iter().filter(|p| !reported(&p.field)).collect();
            problems.extend(more);
        }
        Err(problems)
    }

    /// Parses the body's JSON and types only (unknown fields, wrong types).
    fn parse_typed(resource: ResourceKind, body: &[u8]) -> Result<Self, parse::Failure<Self>> {
        fn typed<T: serde::de::DeserializeOwned + parse::Fields>(
            body: &[u8],
            variant: fn(T) -> UnifiedInput,
        ) -> Result<UnifiedInput, parse::Failure<UnifiedInput>> {
            parse::typed(body)
                .map(variant)
                .map_err(|f| parse::Failure { problems: f.problems, rest: f.rest.map(variant) })
        }
        match resource {
            ResourceKind::Contact => typed(body, Self::Contact),
            ResourceKind::Lead => typed(body, Self::Lead),
            ResourceKind::Deal => typed(body, Self::Deal),
            ResourceKind::Meeting => typed(body, Self::Meeting),
        }
    }

    /// Runs the validation rules, returning every problem.
    pub fn check(&self) -> Result<(), Vec<FieldError>> {
        let mut problems = Problems::default();
        match self {
            Self::Contact(i) => i.validate(&mut problems),
            Self::Lead(i) => i.validate(&mut problems),
            Self::Deal(i) => i.validate(&mut problems),
            Self::Meeting(i) => i.validate(&mut problems),
        }
        problems.into_result()
    }

    pub fn resource(&self) -> ResourceKind {
        match self {
            Self::Contact(_) => ResourceKind::Contact,
            Self::Lead(_) => ResourceKind::Lead,
            Self::Deal(_) => ResourceKind::Deal,
            Self::Meeting(_) => ResourceKind::Meeting,
        }
    }

    pub fn present_fields(&self) -> Vec<&'static str> {
        match self {
            Self::Contact(i) => i.present_fields(),
            Self::Lead(i) => i.present_fields(),
            Self::Deal(i) => i.present_fields(),
            Self::Meeting(i) => i.present_fields(),
        }
    }
}

macro_rules! input_from {
    ($($variant:ident($ty:ty)),*) => {$(
        impl From<$ty> for UnifiedInput {
            fn from(input: $ty) -> Self {
                Self::$variant(input)
            }
        }
    )*};
}
input_from!(Contact(ContactInput), Lead(LeadInput), Deal(DealInput), Meeting(MeetingInput));

/// A unified record of any resource, serialized as the record itself.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum UnifiedRecord {
    Contact(Contact),
    Lead(Lead),
    Deal(Deal),
    Meeting(Meeting),
}

impl UnifiedRecord {
    pub fn id(&self) -> &str {
        match self {
            Self::Contact(r) => &r.id,
            Self::Lead(r) => &r.id,
            Self::Deal(r) => &r.id,
            Self::Meeting(r) => &r.id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `FIELDS` drives unknown-field messages and warnings: it must match the struct exactly.
    #[test]
    fn field_lists_match_the_schemas() {
        for resource in ResourceKind::ALL {
            let schema = resource.input_schema();
            let mut from_schema: Vec<&str> =
                schema.get("properties").unwrap().as_object().unwrap().keys().map(String::as_str).collect();
            let mut declared = resource.fields().to_vec();
            from_schema.sort_unstable();
            declared.sort_unstable();
            assert_eq!(from_schema, declared, "{resource}");
        }
    }

    #[test]
    fn unknown_resource_lists_the_resources() {
        let err = "company".parse::<ResourceKind>().unwrap_err();
        assert_eq!(err.code(), "unknown_resource");
        assert!(err.message().contains("contact, lead, deal, meeting"), "{}", err.message());
    }

    #[test]
    fn records_always_carry_every_key() {
        let record = serde_json::to_value(UnifiedRecord::Contact(Contact::default())).unwrap();
        let keys: Vec<&String> = record.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 18);
        assert!(record["source"].is_null());
        assert!(record["createdAt"].is_null());
    }
}
