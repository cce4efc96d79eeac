//! What Salesforce stores of each unified resource (the capability table of the README is this data),
//! and the fields Salesforce requires beyond the unified rules (checked before any call).

use unified_core::descriptor::{
    AuthKind, AuthScheme, ConnectorDescriptor, Example, FieldSupport as F, ResourceSupport,
};
use unified_core::operation::CREATE_ONLY;
use unified_core::resource::ResourceKind;

use crate::connector::Salesforce;
use crate::mapping::{LIFECYCLE_SETTING, MULTI_CURRENCY_SETTING};

const TAGS: F = F::unsupported(
    "tags",
    "Salesforce records have no native tags (Topics are a Chatter feature; a custom field set through customFields can hold them)",
);
const LIFECYCLE: F = F::setting("lifecycleStage", LIFECYCLE_SETTING);

const CONTACT: [F; 13] = [
    F::native("firstName"),
    F::native("lastName"),
    F::native("email"),
    F::native("phone"),
    F::native("company"),
    F::native("jobTitle"),
    F::native("address"),
    LIFECYCLE,
    F::native("companyId"),
    F::native("ownerId"),
    TAGS,
    F::native("source"),
    F::native("customFields"),
];

const LEAD: [F; 13] = [
    F::native("firstName"),
    F::native("lastName"),
    F::native("email"),
    F::native("phone"),
    F::native("company"),
    F::native("jobTitle"),
    F::native("address"),
    LIFECYCLE,
    F::native("status"),
    F::native("ownerId"),
    TAGS,
    F::native("source"),
    F::native("customFields"),
];

const DEAL: [F; 13] = [
    F::native("name"),
    F::native("amount"),
    F::setting("currency", MULTI_CURRENCY_SETTING),
    F::native("stage"),
    F::unsupported(
        "pipeline",
        "Salesforce has no pipelines: an opportunity's record type (RecordTypeId, through customFields) picks its sales process",
    ),
    F::native("closeDate"),
    F::native("probability"),
    F::native("contactIds"),
    F::native("companyId"),
    F::native("ownerId"),
    TAGS,
    F::native("source"),
    F::native("customFields"),
];

const MEETING: [F; 12] = [
    F::native("title"),
    F::native("description"),
    F::native("startTime"),
    F::native("endTime"),
    F::native("location"),
    F::native("attendees"),
    F::native("contactIds"),
    F::native("dealId"),
    F::native("ownerId"),
    TAGS,
    F::unsupported("source", "Salesforce events have no source field"),
    F::native("customFields"),
];

/// Bodies this provider accepts, for the behaviour suite (`{n}` is unique per use).
const EXAMPLE_CONTACT: Example = Example {
    create: r#"{"lastName":"Lovelace {n}","email":"ada.{n}@example.com","phone":"+44 20 7946 0000"}"#,
    update: r#"{"jobTitle":"Analyst","phone":null}"#,
};
const EXAMPLE_LEAD: Example = Example {
    create: r#"{"lastName":"Hopper {n}","company":"Harvard","email":"grace.{n}@example.com"}"#,
    update: r#"{"status":"qualified","phone":null}"#,
};
const EXAMPLE_DEAL: Example = Example {
    create: r#"{"name":"Fleet rollout {n}","stage":"Prospecting","closeDate":"2026-09-30","amount":1000}"#,
    update: r#"{"amount":2500,"probability":null}"#,
};
const EXAMPLE_MEETING: Example = Example {
    create: r#"{"title":"Intro call {n}","startTime":"2026-06-02T13:00:00Z","endTime":"2026-06-02T13:30:00Z"}"#,
    update: r#"{"location":"Room 1","description":null}"#,
};

pub static DESCRIPTOR: ConnectorDescriptor = ConnectorDescriptor {
    id: crate::PROVIDER,
    name: "Salesforce",
    auth: AuthKind::Oauth2,
    auth_scheme: AuthScheme::Bearer,
    // Salesforce takes OAuth access tokens (or session ids) only.
    api_key_scheme: None,
    // The production login host. The REST API lives on each org's own instance (`instance_url` of its
    // token response, e.g. `https://acme.my.salesforce.com`): a live connection sets it as its base URL.
    base_url: "https://login.salesforce.com",
    resources: &[
        ResourceSupport {
            resource: ResourceKind::Contact,
            operations: CREATE_ONLY,
            fields: &CONTACT,
            required: &["lastName"],
            example: EXAMPLE_CONTACT,
        },
        ResourceSupport {
            resource: ResourceKind::Lead,
            operations: CREATE_ONLY,
            fields: &LEAD,
            required: &["lastName", "company"],
            example: EXAMPLE_LEAD,
        },
        ResourceSupport {
            resource: ResourceKind::Deal,
            operations: CREATE_ONLY,
            fields: &DEAL,
            required: &["stage", "closeDate"],
            example: EXAMPLE_DEAL,
        },
        ResourceSupport {
            resource: ResourceKind::Meeting,
            operations: CREATE_ONLY,
            fields: &MEETING,
            required: &[],
            example: EXAMPLE_MEETING,
        },
    ],
    parse_error: crate::client::parse_error,
    connector: &Salesforce,
    emulator: EMULATOR,
};

#[cfg(feature = "emulator")]
const EMULATOR: Option<unified_core::descriptor::EmulatorFn> = Some(crate::emulator::serve);
#[cfg(not(feature = "emulator"))]
const EMULATOR: Option<unified_core::descriptor::EmulatorFn> = None;

#[cfg(test)]
mod tests {
    #[test]
    fn declaration_lists_every_unified_field_once() {
        assert_eq!(super::DESCRIPTOR.lint(), Vec::<String>::new());
    }
}
