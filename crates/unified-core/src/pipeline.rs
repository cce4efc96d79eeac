//! The create pipeline, shared by the server and by embedding: resource support, parsing and
//! validation (every problem at once, provider-required fields included), warnings, then the connector.
//!
//! The server calls [`prepare_json`] and [`run`] separately, to look the connection up and claim the
//! idempotency key in between; embedding calls [`create`].

use crate::connector::{Call, Created};
use crate::descriptor::{ConnectorDescriptor, ResourceSupport};
use crate::error::UnifiedError;
use crate::resource::{ResourceKind, UnifiedInput};
use crate::validation::FieldError;

/// Parses and validates a raw body for `descriptor`'s `resource`. Nothing is sent anywhere.
pub fn prepare_json(
    descriptor: &'static ConnectorDescriptor,
    resource: ResourceKind,
    body: &[u8],
) -> Result<UnifiedInput, UnifiedError> {
    let support = support(descriptor, resource)?;
    let rules = |input: &UnifiedInput| problems(descriptor, support, input).map(drop);
    Ok(UnifiedInput::parse_with(resource, body, rules)?)
}

/// The unified rules and the provider's own required fields, all problems at once.
pub fn validate(
    descriptor: &'static ConnectorDescriptor,
    input: &UnifiedInput,
) -> Result<&'static ResourceSupport, UnifiedError> {
    let support = support(descriptor, input.resource())?;
    problems(descriptor, support, input).map_err(|details| UnifiedError::Validation { details })
}

fn problems(
    descriptor: &'static ConnectorDescriptor,
    support: &'static ResourceSupport,
    input: &UnifiedInput,
) -> Result<&'static ResourceSupport, Vec<FieldError>> {
    let mut problems = input.check().err().unwrap_or_default();
    let present = input.present_fields();
    for required in support.required {
        if !present.contains(required) && !problems.iter().any(|p| p.field == *required) {
            problems.push(FieldError::new(*required, format!("is required by {}", descriptor.name)));
        }
    }
    if problems.is_empty() { Ok(support) } else { Err(problems) }
}

/// Runs a validated input through the connector; warnings for unstorable fields come first.
pub async fn run(
    descriptor: &'static ConnectorDescriptor,
    call: Call<'_>,
    input: &UnifiedInput,
) -> Result<Created, UnifiedError> {
    let support = support(descriptor, input.resource())?;
    let mut warnings = support.warnings(descriptor.name, input, call.settings);
    let mut created = descriptor.connector.create(call, input).await?;
    warnings.append(&mut created.warnings);
    created.warnings = warnings;
    Ok(created)
}

/// Parses a raw body and creates the record.
pub async fn create_from_json(
    descriptor: &'static ConnectorDescriptor,
    call: Call<'_>,
    resource: ResourceKind,
    body: &[u8],
) -> Result<Created, UnifiedError> {
    let input = prepare_json(descriptor, resource, body)?;
    run(descriptor, call, &input).await
}

/// Validates a typed input and creates the record.
pub async fn create(
    descriptor: &'static ConnectorDescriptor,
    call: Call<'_>,
    input: &UnifiedInput,
) -> Result<Created, UnifiedError> {
    validate(descriptor, input)?;
    run(descriptor, call, input).await
}

fn support(
    descriptor: &'static ConnectorDescriptor,
    resource: ResourceKind,
) -> Result<&'static ResourceSupport, UnifiedError> {
    descriptor.resource(resource).ok_or_else(|| UnifiedError::UnsupportedResource {
        provider: descriptor.id.to_owned(),
        resource: resource.as_str().to_owned(),
    })
}
