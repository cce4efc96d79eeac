//! `deal`: an opportunity with an amount and a stage.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Text;
use super::declare::declare_bodies;
use super::shared::CustomFields;
use crate::time::Timestamp;
use crate::validation::{Problems, Validate, rules};

declare_bodies! {
    /// The body of `POST /api/v1/deal`. `name` is required.
    #[schemars(title = "DealInput")]
    pub struct DealInput;
    /// The body of `PATCH /api/v1/deal/{id}`: the fields to change (`null` clears one).
    #[schemars(title = "DealPatch")]
    pub struct DealPatch;
    fields {
        name("name"): Text,
        amount("amount"): f64,
        /// ISO 4217, three capital letters.
        #[schemars(length(equal = 3))]
        currency("currency"): Text,
        stage("stage"): Text,
        pipeline("pipeline"): Text,
        /// `YYYY-MM-DD`.
        #[schemars(extend("format" = "date"))]
        close_date("closeDate"): Text,
        #[schemars(range(min = 0, max = 100))]
        probability("probability"): f64,
        contact_ids("contactIds"): Vec<Text>,
        company_id("companyId"): Text,
        owner_id("ownerId"): Text,
        tags("tags"): Vec<Text>,
        source("source"): Text,
        custom_fields("customFields"): CustomFields,
    }
}

impl Validate for DealInput {
    fn validate(&self, p: &mut Problems) {
        rules::required_text(p, "name", self.name.as_deref());
        if let Some(amount) = self.amount
            && !amount.is_finite()
        {
            p.push("amount", "must be a finite number");
        }
        rules::currency(p, "currency", self.currency.as_deref());
        rules::date(p, "closeDate", self.close_date.as_deref());
        rules::percentage(p, "probability", self.probability);
        rules::ids(p, "contactIds", self.contact_ids.as_deref());
        rules::shared(p, self.owner_id.as_deref(), self.tags.as_deref(), self.custom_fields.as_ref());
    }
}

/// A deal as the provider stored it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Deal {
    pub id: Text,
    pub remote_id: Text,
    pub name: Option<Text>,
    pub amount: Option<f64>,
    pub currency: Option<Text>,
    pub stage: Option<Text>,
    pub pipeline: Option<Text>,
    pub close_date: Option<Text>,
    pub probability: Option<f64>,
    pub contact_ids: Option<Vec<Text>>,
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
