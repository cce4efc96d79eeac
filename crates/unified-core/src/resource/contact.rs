//! `contact`: a person in the CRM.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Text;
use super::declare::declare_bodies;
use super::shared::{Address, CustomFields, LifecycleStage};
use crate::time::Timestamp;
use crate::validation::{Problems, Validate, rules};

declare_bodies! {
    /// The body of `POST /api/v1/contact`. At least one of `firstName`, `lastName`, `email` is required.
    #[schemars(title = "ContactInput")]
    pub struct ContactInput;
    /// The body of `PATCH /api/v1/contact/{id}`: the fields to change (`null` clears one).
    #[schemars(title = "ContactPatch")]
    pub struct ContactPatch;
    fields {
        first_name("firstName"): Text,
        last_name("lastName"): Text,
        #[schemars(email)]
        email("email"): Text,
        phone("phone"): Text,
        /// The company's name, as free text.
        company("company"): Text,
        job_title("jobTitle"): Text,
        address("address"): Address,
        lifecycle_stage("lifecycleStage"): LifecycleStage,
        /// The id of a company record to associate the contact with.
        company_id("companyId"): Text,
        owner_id("ownerId"): Text,
        tags("tags"): Vec<Text>,
        source("source"): Text,
        custom_fields("customFields"): CustomFields,
    }
}

impl Validate for ContactInput {
    fn validate(&self, p: &mut Problems) {
        if !p.is_partial() && self.first_name.is_none() && self.last_name.is_none() && self.email.is_none() {
            p.push("firstName", "one of firstName, lastName or email is required");
        }
        rules::email(p, "email", self.email.as_deref());
        rules::id(p, "companyId", self.company_id.as_deref());
        rules::shared(p, self.owner_id.as_deref(), self.tags.as_deref(), self.custom_fields.as_ref());
    }
}

/// A contact as the provider stored it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
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
    pub company_id: Option<Text>,
    pub owner_id: Option<Text>,
    pub owner_name: Option<Text>,
    pub owner_email: Option<Text>,
    pub tags: Option<Vec<Text>>,
    pub source: Option<Text>,
    pub custom_fields: Option<CustomFields>,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
}
