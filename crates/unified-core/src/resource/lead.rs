//! `lead`: a prospect not yet qualified.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Text;
use super::declare::declare_bodies;
use super::shared::{Address, CustomFields, LeadStatus, LifecycleStage};
use crate::time::Timestamp;
use crate::validation::{Problems, Validate, rules};

declare_bodies! {
    /// The body of `POST /api/v1/lead`. At least one of `lastName`, `email`, `company` is required.
    #[schemars(title = "LeadInput")]
    pub struct LeadInput;
    /// The body of `PATCH /api/v1/lead/{id}`: the fields to change (`null` clears one).
    #[schemars(title = "LeadPatch")]
    pub struct LeadPatch;
    fields {
        first_name("firstName"): Text,
        last_name("lastName"): Text,
        #[schemars(email)]
        email("email"): Text,
        phone("phone"): Text,
        company("company"): Text,
        job_title("jobTitle"): Text,
        address("address"): Address,
        lifecycle_stage("lifecycleStage"): LifecycleStage,
        status("status"): LeadStatus,
        owner_id("ownerId"): Text,
        tags("tags"): Vec<Text>,
        source("source"): Text,
        custom_fields("customFields"): CustomFields,
    }
}

impl Validate for LeadInput {
    fn validate(&self, p: &mut Problems) {
        if !p.is_partial() && self.last_name.is_none() && self.email.is_none() && self.company.is_none() {
            p.push("lastName", "one of lastName, email or company is required");
        }
        rules::email(p, "email", self.email.as_deref());
        rules::shared(p, self.owner_id.as_deref(), self.tags.as_deref(), self.custom_fields.as_ref());
    }
}

/// A lead as the provider stored it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Lead {
    pub id: Text,
    pub remote_id: Text,
    pub first_name: Option<Text>,
    pub last_name: Option<Text>,
    pub email: Option<Text>,
    pub phone: Option<Text>,
    pub company: Option<Text>,
    pub job_title: Option<Text>,
    pub address: Option<Address>,
    pub lifecycle_stage: Option<LifecycleStage>,
    pub status: Option<LeadStatus>,
    pub owner_id: Option<Text>,
    pub owner_name: Option<Text>,
    pub owner_email: Option<Text>,
    pub tags: Option<Vec<Text>>,
    pub source: Option<Text>,
    pub custom_fields: Option<CustomFields>,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
}
