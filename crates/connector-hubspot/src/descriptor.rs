//! What HubSpot stores of each unified resource (the capability table of the README is this data).

use unified_core::descriptor::{AuthKind, AuthScheme, ConnectorDescriptor, FieldSupport as F, ResourceSupport};
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
        },
        ResourceSupport { resource: ResourceKind::Lead, operations: ALL_OPERATIONS, fields: &LEAD, required: &[] },
        // Every HubSpot deal sits in a stage: `dealstage` is required on create.
        ResourceSupport {
            resource: ResourceKind::Deal,
            operations: ALL_OPERATIONS,
            fields: &DEAL,
            required: &["stage"],
        },
        ResourceSupport {
            resource: ResourceKind::Meeting,
            operations: ALL_OPERATIONS,
            fields: &MEETING,
            required: &[],
        },
        ResourceSupport {
            resource: ResourceKind::Company,
            operations: ALL_OPERATIONS,
            fields: &COMPANY,
            required: &[],
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
