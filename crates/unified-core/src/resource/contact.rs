//! `contact`: a person in the CRM.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Text;
use super::shared::{Address, CustomFields, LifecycleStage};
use crate::time::Timestamp;
use crate::validation::{Problems, Validate, rules};

/// The body of `POST /api/v1/contact`. At least one of `firstName`, `lastName`, `email` is required.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "ContactInput")]
pub struct ContactInput {
    pub first_name: Option<Text>,
    pub last_name: Option<Text>,
    #[schemars(email)]
    pub email: Option<Text>,
    pub phone: Option<Text>,
    pub company: Option<Text>,
    pub job_title: Option<Text>,
    pub address: Option<Address>,
    pub lifecycle_stage: Option<LifecycleStage>,
    pub owner_id: Option<Text>,
    pub tags: Option<Vec<Text>>,
    pub source: Option<Text>,
    pub custom_fields: Option<CustomFields>,
}

impl ContactInput {
    pub const FIELDS: &'static [&'static str] = &[
        "firstName",
        "lastName",
        "email",
        "phone",
        "company",
        "jobTitle",
        "address",
        "lifecycleStage",
        "ownerId",
        "tags",
        "source",
        "customFields",
    ];

    /// The unified fields that carry a value, for warnings about fields a provider cannot store.
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
            self.owner_id.is_some(),
            self.tags.as_ref().is_some_and(|t| !t.is_empty()),
            self.source.is_some(),
            self.custom_fields.as_ref().is_some_and(|c| !c.is_empty()),
        ];
        present(Self::FIELDS, &flags)
    }
}

pub(crate) fn present(fields: &[&'static str], flags: &[bool]) -> Vec<&'static str> {
    fields.iter().zip(flags).filter(|(_, on)| **on).map(|(f, _)| *f).collect()
}

impl Validate for ContactInput {
    fn validate(&self, p: &mut Problems) {
        if self.first_name.is_none() && self.last_name.is_none() && self.email.is_none() {
            p.push("firstName", "one of firstName, lastName or email is required");
        }
        rules::email(p, "email", self.email.as_deref());
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
    pub owner_id: Option<Text>,
    pub owner_name: Option<Text>,
    pub owner_email: Option<Text>,
    pub tags: Option<Vec<Text>>,
    pub source: Option<Text>,
    pub custom_fields: Option<CustomFields>,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
}
