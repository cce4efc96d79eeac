//! What Salesforce stores of each unified resource (the capability table of the README is this data).
//!
//! Nothing yet: with `resources: &[]` the pipeline answers `unsupported_resource` for every resource,
//! before any call. For each resource the connector implements, add a `ResourceSupport` that lists every
//! unified field of the resource once (`FieldSupport::native`, `::setting` or `::unsupported` with the
//! reason) and the fields Salesforce requires beyond the unified rules, as connector-hubspot does.

use unified_core::descriptor::{AuthKind, AuthScheme, ConnectorDescriptor};

use crate::connector::Salesforce;

pub static DESCRIPTOR: ConnectorDescriptor = ConnectorDescriptor {
    id: crate::PROVIDER,
    name: "Salesforce",
    auth: AuthKind::Oauth2,
    auth_scheme: AuthScheme::Bearer,
    // A placeholder: the live API base URL goes here.
    base_url: "https://api.salesforce.example",
    resources: &[],
    parse_error: crate::client::parse_error,
    connector: &Salesforce,
    // The provider emulator (feature `emulator`) goes here once written: `Some(crate::emulator::serve)`.
    emulator: None,
};

#[cfg(test)]
mod tests {
    #[test]
    fn declaration_lists_every_unified_field_once() {
        assert_eq!(super::DESCRIPTOR.lint(), Vec::<String>::new());
    }
}
