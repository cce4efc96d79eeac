//! The unified resources: what a caller sends (`*Input` to create, `*Patch` to update) and what comes
//! back (the records). Each resource is declared once, in its own file, and tied together by
//! [`Resource`]; [`for_each_resource!`](crate::for_each_resource) is the one place that lists them all.

pub mod company;
pub mod contact;
pub mod deal;
pub mod declare;
pub mod lead;
pub mod meeting;
pub mod shared;

mod parse;

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use company::{Company, CompanyInput, CompanyPatch};
pub use contact::{Contact, ContactInput, ContactPatch};
pub use deal::{Deal, DealInput, DealPatch};
pub use declare::{Patch, ResourceInput, ResourcePatch};
pub use lead::{Lead, LeadInput, LeadPatch};
pub use meeting::{Meeting, MeetingInput, MeetingPatch};
pub use shared::{Address, Attendee, CustomFields, LeadStatus, LifecycleStage, Text};

use crate::validation::{FieldError, Problems, Validate};

/// Runs `$body` once with `$R` standing for the record type of `$kind`, the one match over resources
/// that the rest of the code shares: `for_each_resource!(kind, R => R::Input::FIELDS)`.
#[macro_export]
macro_rules! for_each_resource {
    ($kind:expr, $R:ident => $body:expr) => {
        match $kind {
            $crate::resource::ResourceKind::Contact => {
                type $R = $crate::resource::Contact;
                $body
            }
            $crate::resource::ResourceKind::Lead => {
                type $R = $crate::resource::Lead;
                $body
            }
            $crate::resource::ResourceKind::Deal => {
                type $R = $crate::resource::Deal;
                $body
            }
            $crate::resource::ResourceKind::Meeting => {
                type $R = $crate::resource::Meeting;
                $body
            }
            $crate::resource::ResourceKind::Company => {
                type $R = $crate::resource::Company;
                $body
            }
        }
    };
}

/// The resources of the API, in the order the contract lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ResourceKind {
    Contact,
    Lead,
    Deal,
    Meeting,
    Company,
}

/// One unified resource: its create body, its update body and its record (the implementing type).
pub trait Resource: fmt::Debug + Clone + PartialEq + Serialize + JsonSchema + Send + Sync + Sized + 'static {
    const KIND: ResourceKind;
    /// Fields the unified rules require on create each on its own; an update may not clear them.
    const REQUIRED: &'static [&'static str];
    type Input: ResourceInput;
    type Patch: ResourcePatch<Input = Self::Input>;

    fn id(&self) -> &str;
    fn into_unified(self) -> UnifiedRecord;
    fn input_from(input: &UnifiedInput) -> Option<&Self::Input>;
    fn patch_from(patch: &UnifiedPatch) -> Option<&Self::Patch>;
}

macro_rules! resources {
    ($($variant:ident: $record:ident, $input:ident, $patch:ident, required $required:expr;)*) => {
        impl ResourceKind {
            pub const ALL: [Self; 5] = [$(Self::$variant),*];
        }

        /// A create body of any resource.
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[serde(untagged)]
        pub enum UnifiedInput {
            $($variant($input),)*
        }

        /// An update body of any resource.
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[serde(untagged)]
        pub enum UnifiedPatch {
            $($variant($patch),)*
        }

        /// A unified record of any resource, serialized as the record itself.
        #[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
        #[serde(untagged)]
        pub enum UnifiedRecord {
            $($variant($record),)*
        }

        $(
            impl Resource for $record {
                const KIND: ResourceKind = ResourceKind::$variant;
                const REQUIRED: &'static [&'static str] = $required;
                type Input = $input;
                type Patch = $patch;

                fn id(&self) -> &str {
                    &self.id
                }

                fn into_unified(self) -> UnifiedRecord {
                    UnifiedRecord::$variant(self)
                }

                fn input_from(input: &UnifiedInput) -> Option<&$input> {
                    match input {
                        UnifiedInput::$variant(i) => Some(i),
                        #[allow(unreachable_patterns)]
                        _ => None,
                    }
                }

                fn patch_from(patch: &UnifiedPatch) -> Option<&$patch> {
                    match patch {
                        UnifiedPatch::$variant(p) => Some(p),
                        #[allow(unreachable_patterns)]
                        _ => None,
                    }
                }
            }

            impl From<$input> for UnifiedInput {
                fn from(input: $input) -> Self {
                    Self::$variant(input)
                }
            }

            impl From<$patch> for UnifiedPatch {
                fn from(patch: $patch) -> Self {
                    Self::$variant(patch)
                }
            }
        )*

        impl UnifiedInput {
            pub fn resource(&self) -> ResourceKind {
                match self {
                    $(Self::$variant(_) => ResourceKind::$variant,)*
                }
            }

            pub fn present_fields(&self) -> Vec<&'static str> {
                match self {
                    $(Self::$variant(i) => i.present_fields(),)*
                }
            }

            /// Runs the validation rules, returning every problem.
            pub fn check(&self) -> Result<(), Vec<FieldError>> {
                let mut problems = Problems::default();
                match self {
                    $(Self::$variant(i) => i.validate(&mut problems),)*
                }
                problems.into_result()
            }
        }

        impl UnifiedPatch {
            pub fn resource(&self) -> ResourceKind {
                match self {
                    $(Self::$variant(_) => ResourceKind::$variant,)*
                }
            }

            /// Fields set or cleared.
            pub fn touched_fields(&self) -> Vec<&'static str> {
                match self {
                    $(Self::$variant(p) => p.touched_fields(),)*
                }
            }

            /// Fields sent as `null`.
            pub fn cleared_fields(&self) -> Vec<&'static str> {
                match self {
                    $(Self::$variant(p) => p.cleared_fields(),)*
                }
            }

            /// The create rules on the fields given, "required" rules aside; and no field the unified
            /// rules require may be cleared.
            pub fn check(&self) -> Result<(), Vec<FieldError>> {
                match self {
                    $(Self::$variant(p) => check_patch::<$record>(p),)*
                }
            }
        }

        impl UnifiedRecord {
            pub fn id(&self) -> &str {
                match self {
                    $(Self::$variant(r) => &r.id,)*
                }
            }

            pub fn resource(&self) -> ResourceKind {
                match self {
                    $(Self::$variant(_) => ResourceKind::$variant,)*
                }
            }
        }
    };
}

resources! {
    Contact: Contact, ContactInput, ContactPatch, required &[];
    Lead: Lead, LeadInput, LeadPatch, required &[];
    Deal: Deal, DealInput, DealPatch, required &["name"];
    Meeting: Meeting, MeetingInput, MeetingPatch, required &["title", "startTime", "endTime"];
    Company: Company, CompanyInput, CompanyPatch, required &["name"];
}

/// The checks of an update body of `R` (see [`UnifiedPatch::check`]).
pub fn check_patch<R: Resource>(patch: &R::Patch) -> Result<(), Vec<FieldError>> {
    let mut problems = Problems::partial();
    if patch.touched_fields().is_empty() {
        problems.push("body", "names no field to change; send the fields to change (null clears one)");
    }
    patch.values().validate(&mut problems);
    for field in patch.cleared_fields() {
        if R::REQUIRED.contains(&field) {
            problems.push(field, "is required and cannot be cleared");
        } else if field == "customFields" {
            problems.push(field, "cannot be cleared as a whole; set each custom field to null to clear it");
        }
    }
    problems.into_result()
}

impl ResourceKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Contact => "contact",
            Self::Lead => "lead",
            Self::Deal => "deal",
            Self::Meeting => "meeting",
            Self::Company => "company",
        }
    }

    /// The name with a capital, for operation ids (`listContacts`) and tags.
    pub const fn title(self) -> &'static str {
        match self {
            Self::Contact => "Contact",
            Self::Lead => "Lead",
            Self::Deal => "Deal",
            Self::Meeting => "Meeting",
            Self::Company => "Company",
        }
    }

    /// The plural, for operation ids (`listCompanies`).
    pub const fn plural_title(self) -> &'static str {
        match self {
            Self::Contact => "Contacts",
            Self::Lead => "Leads",
            Self::Deal => "Deals",
            Self::Meeting => "Meetings",
            Self::Company => "Companies",
        }
    }

    /// Every unified input field of this resource, as named on the wire.
    pub fn fields(self) -> &'static [&'static str] {
        for_each_resource!(self, R => <R as Resource>::Input::FIELDS)
    }

    /// Fields the unified rules require on create each on its own.
    pub fn required(self) -> &'static [&'static str] {
        for_each_resource!(self, R => R::REQUIRED)
    }

    /// The JSON Schema of this resource's create body.
    pub fn input_schema(self) -> schemars::Schema {
        for_each_resource!(self, R => schemars::schema_for!(<R as Resource>::Input))
    }

    /// The JSON Schema of this resource's update body.
    pub fn patch_schema(self) -> schemars::Schema {
        for_each_resource!(self, R => schemars::schema_for!(<R as Resource>::Patch))
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
        for_each_resource!(resource, R => parse::with_rules(body, <R as Resource>::Input::FIELDS, |i: <R as Resource>::Input| Self::from(i), &rules))
    }
}

impl UnifiedPatch {
    /// Parses an update body for `resource` and checks it ([`Self::check`] and then `rules`), every
    /// problem at once.
    pub fn parse_with(
        resource: ResourceKind,
        body: &[u8],
        rules: impl Fn(&Self) -> Result<(), Vec<FieldError>>,
    ) -> Result<Self, Vec<FieldError>> {
        let all = |patch: &Self| {
            let mut problems = patch.check().err().unwrap_or_default();
            if let Err(more) = rules(patch) {
                let fresh: Vec<FieldError> =
                    more.into_iter().filter(|m| !problems.iter().any(|p| p.field == m.field)).collect();
                problems.extend(fresh);
            }
            if problems.is_empty() { Ok(()) } else { Err(problems) }
        };
        for_each_resource!(resource, R => parse::with_rules(body, <R as Resource>::Patch::FIELDS, |p: <R as Resource>::Patch| Self::from(p), all))
    }

    pub fn parse(resource: ResourceKind, body: &[u8]) -> Result<Self, Vec<FieldError>> {
        Self::parse_with(resource, body, |_| Ok(()))
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
        let err = "note".parse::<ResourceKind>().unwrap_err();
        assert_eq!(err.code(), "unknown_resource");
        assert!(err.message().contains("contact, lead, deal, meeting, company"), "{}", err.message());
    }

    #[test]
    fn records_always_carry_every_key() {
        let record = serde_json::to_value(UnifiedRecord::Contact(Contact::default())).unwrap();
        let keys: Vec<&String> = record.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 19);
        assert!(record["source"].is_null());
        assert!(record["createdAt"].is_null());
    }
}
