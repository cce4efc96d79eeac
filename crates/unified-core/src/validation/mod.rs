//! Validation: every problem at once, each with the path of its field.

mod currency;
mod email;
pub mod rules;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use currency::is_iso_4217;
pub use email::is_valid_email;

/// One problem with one field: `{"field": "attendees[1].email", "message": "is not a valid email address"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// Collects problems; rules push, the caller turns the lot into a result.
#[derive(Debug, Default)]
pub struct Problems {
    found: Vec<FieldError>,
    partial: bool,
}

impl Problems {
    /// For an update body: the rules of each field given apply, "required" rules do not (a field left
    /// out stays as it is at the provider).
    pub fn partial() -> Self {
        Self { found: Vec::new(), partial: true }
    }

    /// Whether this checks an update body (required rules are off).
    pub fn is_partial(&self) -> bool {
        self.partial
    }

    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.found.push(FieldError::new(field, message));
    }

    pub fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    pub fn into_result(self) -> Result<(), Vec<FieldError>> {
        if self.found.is_empty() { Ok(()) } else { Err(self.found) }
    }
}

/// A unified input's own rules (beyond types, which serde checks).
pub trait Validate {
    fn validate(&self, problems: &mut Problems);
}
