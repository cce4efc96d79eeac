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
pub struct Problems(Vec<FieldError>);

impl Problems {
    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_result(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() { Ok(()) } else { Err(self.0) }
    }
}

/// A unified input's own rules (beyond types, which serde checks).
pub trait Validate {
    fn validate(&self, problems: &mut Problems);
}
