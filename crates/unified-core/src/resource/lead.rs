//! `lead`: a prospect not yet qualified.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Text;
use super::contact::present;
use super::shared::{Address, CustomFields, LeadStatus, LifecycleStage};
use crate::time::Timestamp;
use crate::validation::{Problems, Validate, rules};

/// The body of `POST /api/v1/lead`. At least one of `lastName`, `email`, `company` is required.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "LeadInput")]
pub struct LeadInput {
    pub first_name: Option<Text>,
    pub last_name: Option<Text>,
    #[schemars(email)]
    pub email: Option<Text>,
    pub phone: Option<Text>,
    pub company: Option<Text>,
    pub job_title: Option<Text>,
    pub address: Option<Address>,
    pub lifecycle_stage: Option<LifecycleStage>,
    pub status: Option<LeadStatus>,
    pub owner_id: Option<Text>,
    pub tags: Option<Vec<Text>>,
    pub source: Option<Text>,
    pub custom_fields: Option<CustomFields>,
}

impl LeadInput {
    pub const FIELDS: &'static [&'static str] = &[
        "firstName",
        "lastName",
        "email",
        "phone",
        "company",
        "jobTitle",
        "address",
        "lifecycleStage",
        "status",
        "ownerId",
        "tags",
        "source",
        "customFields",
    ];

    pub fn present_fields(&self) -> Vec<&'static str> {
        let flags = [
            self.first_name.is_some(),
            self.last_name.is_some(),
            self.email.is_some(),
            self.phone.is_some(),
            self.company.is_some(),
            self.job_title.is_some(),
            self.address.as_ref().is_some_and(|a| !a.is_empty()),
            self.lifecycle_stage.is_some(),
            self.status.is_some(),
            self.owner_id.is_some(),
            self.tags.as_ref().is_some_and(|t| !t.is_empty()),
            self.source.is_some(),
            self.custom_fields.as_ref().is_some_and(|c| !c.is_empty()),
        ];
        present(Self::FIELDS, &flags)
    }
}

impl Validate for LeadInput {
    fn validate(&self, p: &mut Problems) {
        if self.last_name.is_none() && self.email.is_none() && self.company.is_none() {
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
