//! `deal`: an opportunity with an amount and a stage.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Text;
use super::contact::present;
use super::shared::CustomFields;
use crate::time::Timestamp;
use crate::validation::{Problems, Validate, rules};

/// The body of `POST /api/v1/deal`. `name` is required.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "DealInput")]
pub struct DealInput {
    pub name: Option<Text>,
    pub amount: Option<f64>,
    /// ISO 4217, three capital letters.
    #[schemars(length(equal = 3))]
    pub currency: Option<Text>,
    pub stage: Option<Text>,
    pub pipeline: Option<Text>,
    /// `YYYY-MM-DD`.
    #[schemars(extend("format" = "date"))]
    pub close_date: Option<Text>,
    #[schemars(range(min = 0, max = 100))]
    pub probability: Option<f64>,
    pub contact_ids: Option<Vec<Text>>,
    pub company_id: Option<Text>,
    pub owner_id: Option<Text>,
    pub tags: Option<Vec<Text>>,
    pub source: Option<Text>,
    pub custom_fields: Option<CustomFields>,
}

impl DealInput {
    pub const FIELDS: &'static [&'static str] = &[
        "name",
        "amount",
        "currency",
        "stage",
        "pipeline",
        "closeDate",
        "probability",
        "contactIds",
        "companyId",
        "ownerId",
        "tags",
        "source",
        "customFields",
    ];

    pub fn present_fields(&self) -> Vec<&'static str> {
        let flags = [
            self.name.is_some(),
            self.amount.is_some(),
            self.currency.is_some(),
            self.stage.is_some(),
            self.pipeline.is_some(),
            self.close_date.is_some(),
            self.probability.is_some(),
            self.contact_ids.as_ref().is_some_and(|c| !c.is_empty()),
            self.company_id.is_some(),
            self.owner_id.is_some(),
            self.tags.as_ref().is_some_and(|t| !t.is_empty()),
            self.source.is_some(),
            self.custom_fields.as_ref().is_some_and(|c| !c.is_empty()),
        ];
        present(Self::FIELDS, &flags)
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
