//! `company`: an organisation (HubSpot `companies`, Salesforce `Account`, Pipedrive `organizations`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Text;
use super::declare::declare_bodies;
use super::shared::{Address, CustomFields};
use crate::time::Timestamp;
use crate::validation::{Problems, Validate, rules};

declare_bodies! {
    /// The body of `POST /api/v1/company`. `name` is required.
    #[schemars(title = "CompanyInput")]
    pub struct CompanyInput;
    /// The body of `PATCH /api/v1/company/{id}`: the fields to change (`null` clears one).
    #[schemars(title = "CompanyPatch")]
    pub struct CompanyPatch;
    fields {
        name("name"): Text,
        /// The company's domain name, such as `acme.com`.
        domain("domain"): Text,
        /// An http(s) URL.
        #[schemars(url)]
        website("website"): Text,
        industry("industry"): Text,
        phone("phone"): Text,
        address("address"): Address,
        /// Number of employees.
        #[schemars(range(min = 0))]
        employees("employees"): i64,
        /// Yearly revenue, in the company's currency.
        #[schemars(range(min = 0))]
        annual_revenue("annualRevenue"): f64,
        description("description"): Text,
        owner_id("ownerId"): Text,
        tags("tags"): Vec<Text>,
        source("source"): Text,
        custom_fields("customFields"): CustomFields,
    }
}

impl Validate for CompanyInput {
    fn validate(&self, p: &mut Problems) {
        rules::required_text(p, "name", self.name.as_deref());
        rules::domain(p, "domain", self.domain.as_deref());
        rules::web_url(p, "website", self.website.as_deref());
        if self.employees.is_some_and(|n| n < 0) {
            p.push("employees", "must not be negative");
        }
        rules::non_negative(p, "annualRevenue", self.annual_revenue);
        rules::shared(p, self.owner_id.as_deref(), self.tags.as_deref(), self.custom_fields.as_ref());
    }
}

/// A company as the provider stored it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Company {
    pub id: Text,
    pub remote_id: Text,
    pub name: Option<Text>,
    pub domain: Option<Text>,
    pub website: Option<Text>,
    pub industry: Option<Text>,
    pub phone: Option<Text>,
    pub address: Option<Address>,
    pub employees: Option<i64>,
    pub annual_revenue: Option<f64>,
    pub description: Option<Text>,
    pub owner_id: Option<Text>,
    pub owner_name: Option<Text>,
    pub owner_email: Option<Text>,
    pub tags: Option<Vec<Text>>,
    pub source: Option<Text>,
    pub custom_fields: Option<CustomFields>,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(input: &CompanyInput) -> Vec<String> {
        let mut p = Problems::default();
        input.validate(&mut p);
        p.into_result().err().unwrap_or_default().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn rules() {
        assert_eq!(problems(&CompanyInput::default()), ["name"]);
        let bad = CompanyInput {
            name: Some("Acme".into()),
            domain: Some("https://acme.com".into()),
            website: Some("acme.com".into()),
            employees: Some(-1),
            annual_revenue: Some(-5.0),
            ..Default::default()
        };
        assert_eq!(problems(&bad), ["domain", "website", "employees", "annualRevenue"]);
        let good = CompanyInput {
            name: Some("Acme".into()),
            domain: Some("acme.co.uk".into()),
            website: Some("https://www.acme.co.uk/about".into()),
            employees: Some(0),
            annual_revenue: Some(1.5e6),
            ..Default::default()
        };
        assert!(problems(&good).is_empty());
    }
}
