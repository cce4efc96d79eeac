//! Types shared by several resources.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Provider-native extras, written to the provider's custom fields by their API names.
/// Short strings (most CRM values) live inline, with no allocation.
pub type Text = compact_str::CompactString;

pub type CustomFields = serde_json::Map<String, serde_json::Value>;

/// A postal address. Every key is present in a record (`null` where the provider has no value).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Address {
    pub street: Option<Text>,
    pub city: Option<Text>,
    pub state: Option<Text>,
    pub postal_code: Option<Text>,
    pub country: Option<Text>,
}

impl Address {
    pub fn is_empty(&self) -> bool {
        self.street.is_none()
            && self.city.is_none()
            && self.state.is_none()
            && self.postal_code.is_none()
            && self.country.is_none()
    }

    /// `None` when no part is set, so that a record says `"address": null` rather than an object of nulls.
    pub fn non_empty(self) -> Option<Self> {
        (!self.is_empty()).then_some(self)
    }
}

/// The unified lifecycle stage. A provider value with no equivalent maps to `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LifecycleStage {
    Subscriber,
    Lead,
    Marketingqualifiedlead,
    Salesqualifiedlead,
    Opportunity,
    Customer,
    Evangelist,
    Other,
}

impl LifecycleStage {
    pub const ALL: [Self; 8] = [
        Self::Subscriber,
        Self::Lead,
        Self::Marketingqualifiedlead,
        Self::Salesqualifiedlead,
        Self::Opportunity,
        Self::Customer,
        Self::Evangelist,
        Self::Other,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Subscriber => "subscriber",
            Self::Lead => "lead",
            Self::Marketingqualifiedlead => "marketingqualifiedlead",
            Self::Salesqualifiedlead => "salesqualifiedlead",
            Self::Opportunity => "opportunity",
            Self::Customer => "customer",
            Self::Evangelist => "evangelist",
            Self::Other => "other",
        }
    }

    pub fn from_unified(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// The unified lead status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LeadStatus {
    New,
    Open,
    InProgress,
    Qualified,
    Unqualified,
}

impl LeadStatus {
    pub const ALL: [Self; 5] = [Self::New, Self::Open, Self::InProgress, Self::Qualified, Self::Unqualified];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Open => "open",
            Self::InProgress => "in_progress",
            Self::Qualified => "qualified",
            Self::Unqualified => "unqualified",
        }
    }
}

/// A meeting attendee.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Attendee {
    pub email: Option<Text>,
    pub name: Option<Text>,
}
