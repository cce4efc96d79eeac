//! The emulated company: its users, its person and deal fields (Pipedrive's own and the company's custom
//! ones, keyed by 40-character hashes), lead labels, pipelines and stages, and activity types.

use serde::Serialize;
use serde_json::{Value, json};

/// The company behind every token.
pub const COMPANY_ID: u64 = 9_902_154;
pub const COMPANY_DOMAIN: &str = "northwind-demo";

/// A user of the company, as `GET /api/v1/users/{id}` shows it.
#[derive(Debug, Clone, Copy)]
pub struct User {
    pub id: u64,
    pub name: &'static str,
    pub email: &'static str,
    pub active: bool,
    pub admin: bool,
    pub timezone: &'static str,
    pub currency: &'static str,
    pub created: &'static str,
    pub modified: &'static str,
}

/// John Smith owns what a `sandbox-` token creates; Casey Nguyen is deactivated.
pub static USERS: &[User] = &[
    User {
        id: 13_374_021,
        name: "John Smith",
        email: "john.smith@acme.com",
        active: true,
        admin: true,
        timezone: "Europe/Berlin",
        currency: "EUR",
        created: "2024-03-11 08:12:40",
        modified: "2026-04-02 16:05:11",
    },
    User {
        id: 13_374_057,
        name: "Lena Vogel",
        email: "lena.vogel@northwind-demo.com",
        active: true,
        admin: false,
        timezone: "Europe/Berlin",
        currency: "EUR",
        created: "2024-06-20 11:47:03",
        modified: "2026-03-18 09:22:54",
    },
    User {
        id: 12_011_988,
        name: "Casey Nguyen",
        email: "casey.nguyen@acme.com",
        active: false,
        admin: false,
        timezone: "America/New_York",
        currency: "USD",
        created: "2023-08-02 08:41:19",
        modified: "2025-11-28 12:03:55",
    },
];

/// The user a `sandbox-` token acts as.
pub const DEFAULT_USER: u64 = 13_374_021;

pub fn user(id: u64) -> Option<&'static User> {
    USERS.iter().find(|u| u.id == id)
}

pub fn active_user(id: u64) -> Option<&'static User> {
    user(id).filter(|u| u.active)
}

impl User {
    /// The v1 user object.
    pub fn to_json(self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "default_currency": self.currency,
            "locale": "en_US",
            "lang": 1,
            "email": self.email,
            "phone": null,
            "activated": self.active,
            "last_login": self.modified,
            "created": self.created,
            "modified": self.modified,
            "has_created_company": self.admin,
            "active_flag": self.active,
            "timezone_name": self.timezone,
            "timezone_offset": if self.timezone.starts_with("Europe") { "+02:00" } else { "-04:00" },
            "role_id": 1,
            "icon_url": null,
            "is_admin": self.admin,
            "is_deleted": false,
        })
    }
}

/// Whose fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Person,
    Deal,
}

/// A field definition, in `GET /api/v2/personFields` form.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Field {
    pub field_name: &'static str,
    pub field_code: &'static str,
    pub field_type: &'static str,
    pub options: Option<&'static [FieldOption]>,
    pub subfields: Option<&'static [Subfield]>,
    pub is_custom_field: bool,
    pub is_optional_response_field: bool,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct FieldOption {
    pub id: u64,
    pub label: &'static str,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Subfield {
    pub field_code: &'static str,
    pub field_name: &'static str,
    pub field_type: &'static str,
}

impl Field {
    pub fn option(&self, id: u64) -> Option<&'static FieldOption> {
        self.options.and_then(|options| options.iter().find(|o| o.id == id))
    }
}

const fn system(field_name: &'static str, field_code: &'static str, field_type: &'static str) -> Field {
    Field {
        field_name,
        field_code,
        field_type,
        options: None,
        subfields: None,
        is_custom_field: false,
        is_optional_response_field: false,
    }
}

const fn custom(field_name: &'static str, field_code: &'static str, field_type: &'static str) -> Field {
    Field {
        field_name,
        field_code,
        field_type,
        options: None,
        subfields: None,
        is_custom_field: true,
        is_optional_response_field: false,
    }
}

const fn with_options(mut field: Field, options: &'static [FieldOption]) -> Field {
    field.options = Some(options);
    field
}

const fn optional(mut field: Field) -> Field {
    field.is_optional_response_field = true;
    field
}

const MONETARY: &[Subfield] = &[Subfield { field_code: "currency", field_name: "Currency", field_type: "varchar" }];
const RANGE: &[Subfield] = &[Subfield { field_code: "until", field_name: "Until", field_type: "date" }];

pub const PERSON_LABELS: &[FieldOption] = &[
    FieldOption { id: 5, label: "Customer" },
    FieldOption { id: 6, label: "Hot lead" },
    FieldOption { id: 7, label: "Warm lead" },
    FieldOption { id: 8, label: "Cold lead" },
    FieldOption { id: 9, label: "VIP" },
];

pub const LIFECYCLE_OPTIONS: &[FieldOption] = &[
    FieldOption { id: 41, label: "Subscriber" },
    FieldOption { id: 42, label: "Lead" },
    FieldOption { id: 43, label: "Marketing Qualified Lead" },
    FieldOption { id: 44, label: "Sales Qualified Lead" },
    FieldOption { id: 45, label: "Opportunity" },
    FieldOption { id: 46, label: "Customer" },
    FieldOption { id: 47, label: "Evangelist" },
    FieldOption { id: 48, label: "Other" },
];

const INTERESTS: &[FieldOption] = &[
    FieldOption { id: 71, label: "Robotics" },
    FieldOption { id: 72, label: "Logistics" },
    FieldOption { id: 73, label: "AI" },
];

const MARKETING: &[FieldOption] = &[
    FieldOption { id: 101, label: "no_consent" },
    FieldOption { id: 102, label: "unsubscribed" },
    FieldOption { id: 103, label: "subscribed" },
    FieldOption { id: 104, label: "archived" },
];

/// The person fields: Pipedrive's own, then the company's custom ones.
pub static PERSON_FIELDS: &[Field] = &[
    system("Name", "name", "varchar"),
    system("First name", "first_name", "varchar"),
    system("Last name", "last_name", "varchar"),
    system("Owner", "owner_id", "user"),
    system("Organization", "org_id", "org"),
    system("Email", "emails", "varchar"),
    system("Phone", "phones", "phone"),
    with_options(system("Labels", "label_ids", "set"), PERSON_LABELS),
    system("Visible to", "visible_to", "visible_to"),
    optional(with_options(system("Marketing status", "marketing_status", "enum"), MARKETING)),
    system("Job title", "job_title", "varchar"),
    system("Postal address", "postal_address", "address"),
    system("Person created", "add_time", "date"),
    system("Update time", "update_time", "date"),
    custom("Trade show", "5a313b872ffc53e12ef7a7a4957b6d3130fec189", "varchar"),
    custom("Loyalty score", "9c2e4f6a8b1d3e5f7a9c0b2d4e6f8a1c3e5b7d9f", "double"),
    with_options(custom("Lifecycle stage", "0b8f6e4d2c1a3e5f7d9b2a4c6e8f0a1b3c5d7e9f", "enum"), LIFECYCLE_OPTIONS),
    custom("Lead source", "6f1d3b5a7c9e2f4a6b8d0c1e3f5a7b9d2c4e6f8a", "varchar"),
    with_options(custom("Interests", "3e1a5c7b9d2f4a6c8e0b1d3f5a7c9e2b4d6f8a0c", "set"), INTERESTS),
    custom("Birthday", "1d3f5a7c9e2b4d6f8a0c1e3b5d7f9a2c4e6b8d0f", "date"),
];

pub const DEAL_LABELS: &[FieldOption] = &[
    FieldOption { id: 11, label: "Hot" },
    FieldOption { id: 12, label: "Warm" },
    FieldOption { id: 13, label: "Cold" },
    FieldOption { id: 14, label: "Strategic" },
];

const PRODUCT_INTEREST: &[FieldOption] = &[
    FieldOption { id: 91, label: "AMR fleet" },
    FieldOption { id: 92, label: "Software" },
    FieldOption { id: 93, label: "Services" },
];

const DEAL_STATUS: &[FieldOption] =
    &[FieldOption { id: 1, label: "open" }, FieldOption { id: 2, label: "won" }, FieldOption { id: 3, label: "lost" }];

/// The deal fields (which leads inherit).
pub static DEAL_FIELDS: &[Field] = &[
    system("Title", "title", "varchar"),
    system("Value", "value", "monetary"),
    system("Currency", "currency", "varchar"),
    system("Pipeline", "pipeline_id", "double"),
    system("Stage", "stage_id", "stage"),
    system("Contact person", "person_id", "people"),
    system("Organization", "org_id", "org"),
    system("Owner", "owner_id", "user"),
    system("Expected close date", "expected_close_date", "date"),
    system("Probability", "probability", "double"),
    with_options(system("Status", "status", "status"), DEAL_STATUS),
    with_options(system("Label", "label_ids", "set"), DEAL_LABELS),
    system("Visible to", "visible_to", "visible_to"),
    system("Deal created", "add_time", "date"),
    system("Update time", "update_time", "date"),
    custom("Region", "f71e507373d14e99dc78c9cb59dbbd7983f1f059", "varchar"),
    Field { subfields: Some(MONETARY), ..custom("Budget", "d4de1c1518b4531717c676029a45911c340390a6", "monetary") },
    custom("Lead source", "8a0c2e4f6b1d3f5a7c9e0b2d4f6a8c1e3b5d7f9a", "varchar"),
    custom("Decision date", "2c4e6a8f0b1d3e5a7c9f1b3d5e7a9c0e2f4b6d8a", "date"),
    with_options(custom("Product interest", "7b9d1f3a5c7e9b2d4f6a8c0e1b3d5f7a9c2e4b6d", "set"), PRODUCT_INTEREST),
    Field { subfields: Some(RANGE), ..custom("Trial period", "4f6a8c0e2b4d6f8a1c3e5b7d9f0a2c4e6b8d1f3a", "daterange") },
];

pub fn fields(entity: Entity) -> &'static [Field] {
    match entity {
        Entity::Person => PERSON_FIELDS,
        Entity::Deal => DEAL_FIELDS,
    }
}

/// A custom field of an entity by its key.
pub fn custom_field(entity: Entity, key: &str) -> Option<&'static Field> {
    fields(entity).iter().find(|f| f.is_custom_field && f.field_code == key)
}

pub fn label_options(entity: Entity) -> &'static [FieldOption] {
    match entity {
        Entity::Person => PERSON_LABELS,
        Entity::Deal => DEAL_LABELS,
    }
}

/// A lead label (the defaults of a new company).
#[derive(Debug, Clone, Copy)]
pub struct LeadLabel {
    pub id: &'static str,
    pub name: &'static str,
    pub color: &'static str,
}

pub static LEAD_LABELS: &[LeadLabel] = &[
    LeadLabel { id: "f2d0a1b4-3c5e-4f6a-8b7c-9d0e1f2a3b4c", name: "Hot", color: "red" },
    LeadLabel { id: "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", name: "Warm", color: "yellow" },
    LeadLabel { id: "0c9b8a7f-6e5d-4c3b-9a2f-1e0d9c8b7a6f", name: "Cold", color: "blue" },
];

impl LeadLabel {
    pub fn to_json(self) -> Value {
        json!({"id": self.id, "name": self.name, "color": self.color,
               "add_time": "2024-03-11T08:12:40.000Z", "update_time": "2024-03-11T08:12:40.000Z"})
    }
}

/// A deal stage: its id, pipeline and name.
#[derive(Debug, Clone, Copy)]
pub struct Stage {
    pub id: u64,
    pub pipeline_id: u64,
    pub name: &'static str,
}

/// Pipeline 1 is the default "Sales pipeline"; 2 is "Partnerships".
pub static STAGES: &[Stage] = &[
    Stage { id: 1, pipeline_id: 1, name: "Qualified" },
    Stage { id: 2, pipeline_id: 1, name: "Contact Made" },
    Stage { id: 3, pipeline_id: 1, name: "Demo Scheduled" },
    Stage { id: 4, pipeline_id: 1, name: "Proposal Made" },
    Stage { id: 5, pipeline_id: 1, name: "Negotiations Started" },
    Stage { id: 6, pipeline_id: 2, name: "Intro" },
    Stage { id: 7, pipeline_id: 2, name: "Agreement" },
];

pub const DEFAULT_PIPELINE: u64 = 1;

pub fn stage(id: u64) -> Option<&'static Stage> {
    STAGES.iter().find(|s| s.id == id)
}

pub fn first_stage(pipeline_id: u64) -> Option<&'static Stage> {
    STAGES.iter().find(|s| s.pipeline_id == pipeline_id)
}

/// The active activity types' `key_string`s.
pub static ACTIVITY_TYPES: &[&str] = &["call", "meeting", "task", "deadline", "email", "lunch"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_keys_are_40_hex_characters_and_unique() {
        for entity in [Entity::Person, Entity::Deal] {
            let custom: Vec<&str> = fields(entity).iter().filter(|f| f.is_custom_field).map(|f| f.field_code).collect();
            assert!(custom.iter().all(|k| k.len() == 40 && k.bytes().all(|b| b.is_ascii_hexdigit())), "{custom:?}");
            let mut sorted = custom.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), custom.len());
        }
        assert!(custom_field(Entity::Person, "5a313b872ffc53e12ef7a7a4957b6d3130fec189").is_some());
        assert!(custom_field(Entity::Deal, "5a313b872ffc53e12ef7a7a4957b6d3130fec189").is_none());
        assert_eq!(first_stage(2).map(|s| s.id), Some(6));
        assert!(active_user(12_011_988).is_none() && user(12_011_988).is_some());
    }
}
