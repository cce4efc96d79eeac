//! The const description of a connector: data, so that warnings, the providers endpoint and the README
//! capability tables all come from one place.

use std::fmt;

use serde::Serialize;

use crate::connector::{Connector, Settings, Warning};
use crate::operation::Operation;
use crate::resource::ResourceKind;
use crate::transport::ParseErrorFn;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthKind {
    Oauth2,
    ApiKey,
}

/// How the credential travels on each call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthScheme {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// `Authorization: <prefix> <token>` (Zoho's `Zoho-oauthtoken`).
    AuthorizationPrefix(&'static str),
    /// A header of its own (`x-api-token: <token>`).
    Header(&'static str),
}

/// Whether a provider stores a unified field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum Storage {
    /// A native field holds it.
    Native,
    /// Stored only when the connection setting of this name says where.
    Setting(&'static str),
    /// Not stored: a create that carries it gets a warning with this reason.
    Unsupported(&'static str),
    /// A native field holds it, but only a create can set it: an update that carries it gets a warning
    /// with this reason.
    CreateOnly(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FieldSupport {
    pub field: &'static str,
    pub storage: Storage,
}

impl FieldSupport {
    pub const fn native(field: &'static str) -> Self {
        Self { field, storage: Storage::Native }
    }

    pub const fn setting(field: &'static str, setting: &'static str) -> Self {
        Self { field, storage: Storage::Setting(setting) }
    }

    pub const fn unsupported(field: &'static str, reason: &'static str) -> Self {
        Self { field, storage: Storage::Unsupported(reason) }
    }

    pub const fn create_only(field: &'static str, reason: &'static str) -> Self {
        Self { field, storage: Storage::CreateOnly(reason) }
    }
}

/// Bodies this provider accepts for a resource (a valid stage, the fields it requires), for the behaviour
/// suite and the docs. `{n}` in them stands for a token unique to each use (e-mails must differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Example {
    /// A create body.
    pub create: &'static str,
    /// An update body that sets one field and clears (`null`) another.
    pub update: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceSupport {
    pub resource: ResourceKind,
    /// What the connector does with this resource; anything else is `unsupported_operation`, refused
    /// before any provider call.
    pub operations: &'static [Operation],
    /// Every unified field of the resource, each with how the provider stores it.
    pub fields: &'static [FieldSupport],
    /// Fields the provider requires beyond the unified rules (checked before any call).
    pub required: &'static [&'static str],
    pub example: Example,
}

impl ResourceSupport {
    pub fn field(&self, name: &str) -> Option<&FieldSupport> {
        self.fields.iter().find(|f| f.field == name)
    }

    pub fn supports(&self, operation: Operation) -> bool {
        self.operations.contains(&operation)
    }

    /// Warnings for the `fields` of a body (those given, or set and cleared in an update) that this
    /// provider cannot store, or cannot change in an `operation`, with these settings.
    pub fn warnings(
        &self,
        provider_name: &str,
        fields: &[&'static str],
        settings: &Settings,
        operation: Operation,
    ) -> Vec<Warning> {
        fields
            .iter()
            .copied()
            .filter_map(|field| match self.field(field).map(|f| f.storage) {
                Some(Storage::Native) => None,
                Some(Storage::CreateOnly(_)) if operation == Operation::Create => None,
                Some(Storage::CreateOnly(reason)) => {
                    Some(Warning::new(field, format!("{reason}; the value was not changed")))
                }
                Some(Storage::Setting(key)) if settings.get(key).is_some_and(|v| !v.is_empty()) => None,
                Some(Storage::Setting(key)) => Some(Warning::new(
                    field,
                    format!("{provider_name} has no native field for `{field}`; set the connection setting `{key}` to store it. The value was not stored"),
                )),
                Some(Storage::Unsupported(reason)) => {
                    Some(Warning::new(field, format!("{reason}; the value was not stored")))
                }
                None => Some(Warning::new(field, format!("{provider_name} does not store `{field}`; the value was not stored"))),
            })
            .collect()
    }
}

/// One connector, as declared by its crate and registered with [`register_connector!`](crate::register_connector).
pub struct ConnectorDescriptor {
    /// Lowercase ASCII: the `?provider=` value, the crate suffix and the fixture folder.
    pub id: &'static str,
    pub name: &'static str,
    /// The provider's main credential (what its marketplace apps use), and how it travels.
    pub auth: AuthKind,
    pub auth_scheme: AuthScheme,
    /// How an API key travels when the provider takes one besides OAuth tokens (Pipedrive's
    /// `x-api-token`, HubSpot's private-app tokens as `Bearer`); `None` when it takes none.
    pub api_key_scheme: Option<AuthScheme>,
    /// The live API base URL (a connection may override it).
    pub base_url: &'static str,
    pub resources: &'static [ResourceSupport],
    /// Turns a refused call's status and body into the provider's message, field errors and kind.
    pub parse_error: ParseErrorFn,
    pub connector: &'static dyn Connector,
    /// The provider's emulator (the connector crate's feature `emulator`), for sandbox mode and tests.
    pub emulator: Option<EmulatorFn>,
}

/// Serves a provider's emulator on a bound listener until the process ends. Plain `std` and futures
/// types, so that unified-core needs no HTTP server of its own.
pub type EmulatorFn =
    fn(std::net::TcpListener) -> std::pin::Pin<Box<dyn std::future::Future<Output = std::io::Result<()>> + Send>>;

impl ConnectorDescriptor {
    pub fn resource(&self, resource: ResourceKind) -> Option<&'static ResourceSupport> {
        self.resources.iter().find(|r| r.resource == resource)
    }

    /// How a credential of `kind` travels, or `None` when the provider does not take that kind.
    pub fn scheme_for(&self, kind: AuthKind) -> Option<AuthScheme> {
        match kind {
            kind if kind == self.auth => Some(self.auth_scheme),
            AuthKind::ApiKey => self.api_key_scheme,
            AuthKind::Oauth2 => None,
        }
    }

    pub fn supports(&self, resource: ResourceKind) -> bool {
        self.resource(resource).is_some()
    }

    /// Whether `operation` on `resource` is declared.
    pub fn supports_operation(&self, resource: ResourceKind, operation: Operation) -> bool {
        self.resource(resource).is_some_and(|r| r.supports(operation))
    }

    /// The README operations table (resource × operation), generated from this declaration.
    pub fn operations_table(&self) -> String {
        let mut out = String::from("| resource |");
        for op in Operation::ALL {
            out.push_str(&format!(" {op} |"));
        }
        out.push_str("\n| --- |");
        out.push_str(&" --- |".repeat(Operation::ALL.len()));
        out.push('\n');
        for resource in ResourceKind::ALL {
            out.push_str(&format!("| {resource} |"));
            for op in Operation::ALL {
                let on = self.resource(resource).is_some_and(|r| r.supports(op));
                out.push_str(if on { " ✓ |" } else { " – |" });
            }
            out.push('\n');
        }
        out
    }

    /// The README capability table (resource × field), generated from this declaration so that it
    /// cannot drift: `✓` native, `setting: <key>` stored when the connection sets it, `–` not stored.
    pub fn capability_table(&self) -> String {
        let mut out = String::from("| resource | field | stored |\n| --- | --- | --- |\n");
        for support in self.resources {
            for field in support.resource.fields() {
                let stored = match support.field(field).map(|f| f.storage) {
                    Some(Storage::Native) => "✓".to_owned(),
                    Some(Storage::Setting(key)) => format!("with the setting `{key}`"),
                    Some(Storage::Unsupported(why)) => format!("– ({why})"),
                    Some(Storage::CreateOnly(why)) => format!("✓ on create only ({why})"),
                    None => "–".to_owned(),
                };
                let required = if support.required.contains(field) { " (required)" } else { "" };
                out.push_str(&format!("| {} | `{field}`{required} | {stored} |\n", support.resource));
            }
        }
        out
    }

    /// Problems with the declaration itself: every unified field of each resource must be listed once.
    /// Each connector's tests call this.
    pub fn lint(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.id.is_empty() || !self.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
            problems.push(format!("id `{}` must be lowercase ASCII letters and digits", self.id));
        }
        for support in self.resources {
            let resource = support.resource;
            if support.operations.is_empty() {
                problems.push(format!("{resource}: no operation is declared; leave the resource out instead"));
            }
            for field in resource.fields() {
                let count = support.fields.iter().filter(|f| f.field == *field).count();
                if count != 1 {
                    problems.push(format!("{resource}.{field} is listed {count} times; list it once"));
                }
            }
            for f in support.fields {
                if !resource.fields().contains(&f.field) {
                    problems.push(format!("{resource}.{} is not a unified field", f.field));
                }
            }
            for required in support.required {
                if !resource.fields().contains(required) {
                    problems.push(format!("{resource}: required `{required}` is not a unified field"));
                }
            }
            let sample = |text: &str| text.replace("{n}", "1");
            if support.supports(Operation::Create)
                && let Err(e) =
                    crate::resource::UnifiedInput::parse(resource, sample(support.example.create).as_bytes())
            {
                problems.push(format!("{resource}: the example create body is refused: {e:?}"));
            }
            if support.supports(Operation::Update) {
                match crate::resource::UnifiedPatch::parse(resource, sample(support.example.update).as_bytes()) {
                    Err(e) => problems.push(format!("{resource}: the example update body is refused: {e:?}")),
                    Ok(patch)
                        if patch.cleared_fields().is_empty() || patch.cleared_fields() == patch.touched_fields() =>
                    {
                        problems.push(format!("{resource}: the example update must set one field and clear another"));
                    }
                    Ok(_) => {}
                }
            }
        }
        problems
    }
}

impl fmt::Debug for ConnectorDescriptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectorDescriptor").field("id", &self.id).field("name", &self.name).finish_non_exhaustive()
    }
}
