//! How a resource declares its bodies once: one field list makes the create body (`*Input`, every field
//! `Option`), the update body (`*Patch`, every field a three-state [`Patch`]), their field lists and the
//! helpers the pipeline needs (present, set and cleared fields).

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::shared::{Address, Attendee, CustomFields, LeadStatus, LifecycleStage, Text};
use crate::validation::Validate;

/// One field of an update body: left out (unchanged), `null` (cleared) or a value (set).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum Patch<T> {
    #[default]
    Absent,
    Clear,
    Set(T),
}

impl<T> Patch<T> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Self::Absent)
    }

    pub fn is_clear(&self) -> bool {
        matches!(self, Self::Clear)
    }

    /// The value being set, if any.
    pub fn value(&self) -> Option<&T> {
        match self {
            Self::Set(value) => Some(value),
            _ => None,
        }
    }

    /// `None` when absent; `Some(None)` when cleared; `Some(Some(v))` when set.
    pub fn as_change(&self) -> Option<Option<&T>> {
        match self {
            Self::Absent => None,
            Self::Clear => Some(None),
            Self::Set(value) => Some(Some(value)),
        }
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Set(value) => value.serialize(s),
            Self::Absent | Self::Clear => s.serialize_none(),
        }
    }
}

/// `null` is `Clear`; a missing key never reaches this (the field's `#[serde(default)]` makes it `Absent`).
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Option::<T>::deserialize(d)?.map_or(Self::Clear, Self::Set))
    }
}

/// The schema of a patch field is that of the value, or `null`.
impl<T: JsonSchema> JsonSchema for Patch<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        Option::<T>::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        Option::<T>::schema_id()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        Option::<T>::json_schema(generator)
    }

    fn _schemars_private_non_optional_json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::_schemars_private_non_optional_json_schema(generator)
    }

    fn _schemars_private_is_option() -> bool {
        true
    }
}

/// Whether a value counts as given, for warnings about fields a provider cannot store: an empty list,
/// address or custom-field object stores nothing.
pub trait Present {
    fn is_present(&self) -> bool {
        true
    }
}

impl Present for Text {}
impl Present for f64 {}
impl Present for i64 {}
impl Present for LifecycleStage {}
impl Present for LeadStatus {}

impl<T> Present for Vec<T> {
    fn is_present(&self) -> bool {
        !self.is_empty()
    }
}

impl Present for Address {
    fn is_present(&self) -> bool {
        !self.is_empty()
    }
}

impl Present for CustomFields {
    fn is_present(&self) -> bool {
        !self.is_empty()
    }
}

impl Present for Attendee {}

/// A create body.
pub trait ResourceInput:
    std::fmt::Debug
    + Clone
    + Default
    + PartialEq
    + Serialize
    + DeserializeOwned
    + JsonSchema
    + Validate
    + Send
    + Sync
    + 'static
{
    /// Every field, as named on the wire, in declaration order.
    const FIELDS: &'static [&'static str];

    /// The fields that carry a value.
    fn present_fields(&self) -> Vec<&'static str>;
}

/// An update body: each field absent, cleared or set.
pub trait ResourcePatch:
    std::fmt::Debug + Clone + Default + PartialEq + Serialize + DeserializeOwned + JsonSchema + Send + Sync + 'static
{
    type Input: ResourceInput;

    const FIELDS: &'static [&'static str];

    /// Fields set or cleared.
    fn touched_fields(&self) -> Vec<&'static str>;

    /// Fields sent as `null`.
    fn cleared_fields(&self) -> Vec<&'static str>;

    /// The values being set, as a create body (absent and cleared fields are `None`), so that the create
    /// rules can check them.
    fn values(&self) -> Self::Input;
}

/// Declares a resource's create and update bodies from one field list:
///
/// ```ignore
/// declare_bodies! {
///     /// The body of `POST /api/v1/contact`.
///     #[schemars(title = "ContactInput")]
///     pub struct ContactInput;
///     /// The body of `PATCH /api/v1/contact/{id}`.
///     #[schemars(title = "ContactPatch")]
///     pub struct ContactPatch;
///     fields {
///         first_name("firstName"): Text,
///         #[schemars(email)] email("email"): Text,
///     }
/// }
/// ```
macro_rules! declare_bodies {
    (
        $(#[$input_meta:meta])*
        pub struct $Input:ident;
        $(#[$patch_meta:meta])*
        pub struct $Patch:ident;
        fields {
            $( $(#[$field_meta:meta])* $field:ident($wire:literal): $ty:ty, )*
        }
    ) => {
        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields)]
        $(#[$input_meta])*
        pub struct $Input {
            $( $(#[$field_meta])* #[serde(rename = $wire)] pub $field: Option<$ty>, )*
        }

        impl $Input {
            pub const FIELDS: &'static [&'static str] = &[$($wire),*];

            /// The unified fields that carry a value, for warnings about fields a provider cannot store.
            pub fn present_fields(&self) -> Vec<&'static str> {
                let mut present = Vec::new();
                $(
                    if self.$field.as_ref().is_some_and($crate::resource::declare::Present::is_present) {
                        present.push($wire);
                    }
                )*
                present
            }
        }

        impl $crate::resource::declare::ResourceInput for $Input {
            const FIELDS: &'static [&'static str] = <$Input>::FIELDS;

            fn present_fields(&self) -> Vec<&'static str> {
                <$Input>::present_fields(self)
            }
        }

        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields)]
        $(#[$patch_meta])*
        pub struct $Patch {
            $(
                $(#[$field_meta])*
                #[serde(rename = $wire, default, skip_serializing_if = "crate::resource::declare::Patch::is_absent")]
                pub $field: $crate::resource::declare::Patch<$ty>,
            )*
        }

        impl $crate::resource::declare::ResourcePatch for $Patch {
            type Input = $Input;

            const FIELDS: &'static [&'static str] = <$Input>::FIELDS;

            fn touched_fields(&self) -> Vec<&'static str> {
                let mut touched = Vec::new();
                $( if !self.$field.is_absent() { touched.push($wire); } )*
                touched
            }

            fn cleared_fields(&self) -> Vec<&'static str> {
                let mut cleared = Vec::new();
                $( if self.$field.is_clear() { cleared.push($wire); } )*
                cleared
            }

            fn values(&self) -> $Input {
                $Input { $( $field: self.$field.value().cloned(), )* }
            }
        }
    };
}

pub(crate) use declare_bodies;
