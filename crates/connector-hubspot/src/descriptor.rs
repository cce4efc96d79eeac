//! What HubSpot stores of each unified resource (the capability table of the README is this data).

use unified_core::descriptor::{
    AuthKind, AuthScheme, ConnectorDescriptor, Example, FieldSupport as F, ResourceSupport,
};
use unified_core::operation::ALL_OPERATIONS;
use unified_core::resource::ResourceKind;

use crate::connector::HubSpot;
use crate::mapping::SOURCE_SETTING;

const TAGS: F = F::unsupported(
    "tags",
    "HubSpot has no native tags (a multi-checkbox property set through customFields can hold them)",
);
const SOURCE: F = F::setting("source", SOURCE_SETTING);

const PERSON: [F; 10] = [
    F::native("firstName"),
    F::native("lastName"),
    F::native("email"),
    F::native("phone"),
    F::native("company"),
    F::native("jobTitle"),
    F::native("address"),
    F::native("lifecycleStage"),
    F::native("ownerId"),
    F::native("customFields"),
];

const CONTACT: [F; 13] = {
    let mut fields = [TAGS; 13];
    let mut i = 0;
    while i < PERSON.len() {
        fields[i] = PERSON[i];
        i += 1;
    }
    fields[11] = SOURCE;
    fields[12] = F::native("companyId");
    fields
};

const LEAD: [F; 13] = {
    let mut fields = [TAGS; 13];
    let mut i = 0;
    while i < PERSON.len() {
        fields[i] = PERSON[i];
        i += 1;
    }
    fields[11] = SOURCE;
    fields[12] = F::native("status");
    fields
};

const DEAL: [F; 13] = [
    F::native("name"),
    F::native("amount"),
    F::native("currency"),
    F::native("stage"),
    F::native("pipeline"),
    F::native("closeDate"),
    F::unsupported("probability", "HubSpot derives a deal's probability from its stage"),
    F::native("contactIds"),
    F::native("companyId"),
    F::native("ownerId"),
    TAGS,
    SOURCE,
    F::native("customFields"),
];

const MEETING: [F; 12] = [
    F::native("title"),
    F::native("description"),
    F::native("startTime"),
    F::native("endTime"),
    F::native("location"),
    F::create_only(
        "attendees",
        "HubSpot's attendees are the meeting's associated contacts: an update changes them with contactIds",
    ),
    F::native("contactIds"),
    F::native("dealId"),
    F::native("ownerId"),
    TAGS,
    SOURCE,
    F::native("customFields"),
];

const COMPANY: [F; 13] = [
    F::native("name"),
    F::native("domain"),
    F::native("website"),
    F::native("industry"),
    F::native("phone"),
    F::native("address"),
    F::native("employees"),
    F::native("annualRevenue"),
    F::native("description"),
    F::native("ownerId"),
    TAGS,
    SOURCE,
    F::native("customFields"),
];

/// Bodies this provider accepts, for the behaviour suite (`{n}` is unique per use).
const EXAMPLE_CONTACT: Example = Example {
    create: r#"{"firstName":"Ada","lastName":"Lovelace {n}","email":"ada.{n}@example.com","phone":"+44 20 7946 0000"}"#,
    update: r#"{"jobTitle":"Analyst","phone":null}"#,
};
const EXAMPLE_LEAD: Example = Example {
    create: r#"{"firstName":"Grace","lastName":"Hopper {n}","email":"grace.{n}@example.com","company":"Harvard"}"#,
    update: r#"{"status":"qualified","phone":null}"#,
};
const EXAMPLE_DEAL: Example = Example {
    create: r#"{"name":"Fleet rollout {n}","stage":"appointmentscheduled","amount":1000,"closeDate":"2026-07-31"}"#,
    update: r#"{"amount":2500,"closeDate":null}"#,
};
const EXAMPLE_MEETING: Example = Example {
    create: r#"{"title":"Discovery call {n}","startTime":"2026-06-02T13:00:00Z","endTime":"2026-06-02T13:30:00Z","description":"Agenda"}"#,
    update: r#"{"location":"Room 1","description":null}"#,
};
const EXAMPLE_COMPANY: Example = Example {
    create: r#"{"name":"Northwind {n}","domain":"northwind{n}.example","phone":"+34 911 234 567"}"#,
    update: r#"{"description":"Fleet tracking","phone":null}"#,
};

pub static DESCRIPTOR: ConnectorDescriptor = ConnectorDescriptor {
    id: crate::PROVIDER,
    name: "HubSpot",
    auth: AuthKind::Oauth2,
    auth_scheme: AuthScheme::Bearer,
    // Private-app access tokens: long-lived, sent like OAuth tokens.
    api_key_scheme: Some(AuthScheme::Bearer),
    base_url: "https://api.hubapi.com",
    resources: &[
        ResourceSupport {
            resource: ResourceKind::Contact,
            operations: ALL_OPERATIONS,
            fields: &CONTACT,
            required: &[],
            example: EXAMPLE_CONTACT,
        },
        ResourceSupport {
            resource: ResourceKind::Lead,
            operations: ALL_OPERATIONS,
            fields: &LEAD,
            required: &[],
            example: EXAMPLE_LEAD,
        },
        // Every HubSpot deal sits in a stage: `dealstage` is required on create.
        ResourceSupport {
            resource: ResourceKind::Deal,
            operations: ALL_OPERATIONS,
            fields: &DEAL,
            required: &["stage"],
            example: EXAMPLE_DEAL,
        },
        ResourceSupport {
            resource: ResourceKind::Meeting,
            operations: ALL_OPERATIONS,
            fields: &MEETING,
            required: &[],
            example: EXAMPLE_MEETING,
        },
        ResourceSupport {
            resource: ResourceKind::Company,
            operations: ALL_OPERATIONS,
            fields: &COMPANY,
            required: &[],
            example: EXAMPLE_COMPANY,
        },
    ],
    parse_error: crate::client::parse_error,
    connector: &HubSpot,
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
