//! The create pipeline, shared by the server and by embedding: resource support, parsing and
//! validation (every problem at once), provider-required fields, warnings, then the connector.

use crate::connector::{Call, Created};
use crate::descriptor::ConnectorDescriptor;
use crate::error::UnifiedError;
use crate::resource::{ResourceKind, UnifiedInput};
use crate::validation::FieldError;

/// Parses a raw body and creates the record. Nothing is sent to the provider unless the body is valid.
pub async fn create_from_json(
    descriptor: &'static ConnectorDescriptor,
    call: Call<'_>,
    resource: ResourceKind,
    body: &[u8],
) -> Result<Created, UnifiedError> {
    support(descriptor, resource)?;
    let input = UnifiedInput::parse_typed(resource, body)?;
    create(descriptor, call, &input).await
}

/// Validates a typed input and creates the record.
pub async fn create(
    descriptor: &'static ConnectorDescriptor,
    call: Call<'_>,
    input: &UnifiedInput,
) -> Result<Created, UnifiedError> {
    let support = support(descriptor, input.resource())?;
    let mut problems = input.check().err().unwrap_or_default();
    let present = input.present_fields();
    for required in support.required {
        if !present.contains(required) && !problems.iter().any(|p| p.field == *required) {
            problems.push(FieldError::new(*required, format!("is required by {}", descriptor.name)));
        }
    }
    if !problems.is_empty() {
        return Err(UnifiedError::Validation { details: problems });
    }
    let mut warnings = support.warnings(descriptor.name, input, call.settings);
    let mut created = descriptor.connector.create(call, input).await?;
    warnings.append(&mut created.warnings);
    created.warnings = warnings;
    Ok(created)
}

fn support(
    descriptor: &'static ConnectorDescriptor,
    resource: ResourceKind,
) -> Result<&'static crate::descriptor::ResourceSupport, UnifiedError> {
    descriptor.resource(resource).ok_or_else(|| UnifiedError::UnsupportedResource {
        provider: descriptor.id.to_owned(),
        resource: resource.as_str().to_owned(),
    })
}
