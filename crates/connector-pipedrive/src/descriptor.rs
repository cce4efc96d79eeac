//! What Pipedrive stores of each unified resource (the capability table of the README is this data).

use unified_core::descriptor::{
    AuthKind, AuthScheme, ConnectorDescriptor, Example, FieldSupport as F, ResourceSupport,
};
use unified_core::operation::CREATE_ONLY;
use unified_core::resource::ResourceKind;

use crate::connector::Pipedrive;
use crate::mapping::{LIFECYCLE_SETTING, SOURCE_SETTING, STATUS_SETTING};

const LIFECYCLE: F = F::setting("lifecycleStage", LIFECYCLE_SETTING);
const SOURCE: F = F::setting("source", SOURCE_SETTING);

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
    F::native("tags"),
    SOURCE,
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
    F::setting("status", STATUS_SETTING),
    F::native("ownerId"),
    F::native("tags"),
    SOURCE,
    F::native("customFields"),
];

const DEAL: [F; 13] = [
    F::native("name"),
    F::native("amount"),
    F::native("currency"),
    F::native("stage"),
    F::native("pipeline"),
    F::native("closeDate"),
    F::native("probability"),
    F::native("contactIds"),
    F::native("companyId"),
    F::native("ownerId"),
    F::native("tags"),
    SOURCE,
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
    F::unsupported("tags", "Pipedrive activities have no labels"),
    F::unsupported("source", "Pipedrive activities have no source and no custom fields to hold one"),
    F::native("customFields"),
];

/// Bodies this provider accepts, for the behaviour suite (`{n}` is unique per use).
const EXAMPLE_CONTACT: Example = Example {
    create: r#"{"firstName":"Ada","lastName":"Lovelace {n}","email":"ada.{n}@example.com"}"#,
    update: r#"{"jobTitle":"Analyst","phone":null}"#,
};
const EXAMPLE_LEAD: Example = Example {
    create: r#"{"lastName":"Hopper {n}","company":"Harvard","email":"grace.{n}@example.com"}"#,
    update: r#"{"status":"qualified","phone":null}"#,
};
const EXAMPLE_DEAL: Example =
    Example { create: r#"{"name":"Fleet rollout {n}","amount":1000}"#, update: r#"{"amount":2500,"closeDate":null}"# };
const EXAMPLE_MEETING: Example = Example {
    create: r#"{"title":"Quarterly review {n}","startTime":"2026-12-09T09:00:00Z","endTime":"2026-12-09T10:00:00Z"}"#,
    update: r#"{"location":"Room 1","description":null}"#,
};

pub static DESCRIPTOR: ConnectorDescriptor = ConnectorDescriptor {
    id: crate::PROVIDER,
    name: "Pipedrive",
    // OAuth (a marketplace app): `Authorization: Bearer <access token>`, sent to the company domain the
    // token answer names (`api_domain`, the connection's base URL). See the README for API tokens.
    auth: AuthKind::Oauth2,
    auth_scheme: AuthScheme::Bearer,
    // Personal API tokens, against `https://api.pipedrive.com`.
    api_key_scheme: Some(AuthScheme::Header("x-api-token")),
    base_url: "https://api.pipedrive.com",
    resources: &[
        ResourceSupport {
            resource: ResourceKind::Contact,
            operations: CREATE_ONLY,
            fields: &CONTACT,
            required: &[],
            example: EXAMPLE_CONTACT,
        },
        ResourceSupport {
            resource: ResourceKind::Lead,
            operations: CREATE_ONLY,
            fields: &LEAD,
            required: &[],
            example: EXAMPLE_LEAD,
        },
        ResourceSupport {
            resource: ResourceKind::Deal,
            operations: CREATE_ONLY,
            fields: &DEAL,
            required: &[],
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
    connector: &Pipedrive,
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
