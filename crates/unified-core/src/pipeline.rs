//! The pipeline, shared by the server and by embedding: resource and operation support, parsing and
//! validation (every problem at once, provider-required fields included), warnings, cursors, then the
//! connector. Nothing reaches a provider unless the operation is declared and the request is valid.
//!
//! The server calls [`prepare_json`] / [`prepare_patch`] and [`run`] / [`run_update`] separately, to look
//! the connection up and claim the idempotency key in between; embedding calls [`create`] and friends.

use crate::connector::{Call, Created};
use crate::cursor::{self, CursorKey, CursorScope};
use crate::descriptor::{ConnectorDescriptor, ResourceSupport};
use crate::error::UnifiedError;
use crate::operation::{ListQuery, Operation, Page};
use crate::resource::{ResourceKind, UnifiedInput, UnifiedPatch, UnifiedRecord};
use crate::time::Timestamp;
use crate::validation::FieldError;

/// The largest page a caller may ask for, and the default.
pub const MAX_LIMIT: u32 = 100;
pub const DEFAULT_LIMIT: u32 = 50;

/// The resource's declaration, when `operation` is declared on it.
pub fn support_for(
    descriptor: &'static ConnectorDescriptor,
    resource: ResourceKind,
    operation: Operation,
) -> Result<&'static ResourceSupport, UnifiedError> {
    let support = descriptor.resource(resource).ok_or_else(|| UnifiedError::UnsupportedResource {
        provider: descriptor.id.to_owned(),
        resource: resource.as_str().to_owned(),
    })?;
    if support.supports(operation) {
        Ok(support)
    } else {
        Err(UnifiedError::unsupported_operation(descriptor.id, resource, operation))
    }
}

/// Parses and validates a create body for `descriptor`'s `resource`. Nothing is sent anywhere.
pub fn prepare_json(
    descriptor: &'static ConnectorDescriptor,
    resource: ResourceKind,
    body: &[u8],
) -> Result<UnifiedInput, UnifiedError> {
    let support = support_for(descriptor, resource, Operation::Create)?;
    let rules = |input: &UnifiedInput| problems(descriptor, support, input).map(drop);
    Ok(UnifiedInput::parse_with(resource, body, rules)?)
}

/// Parses and checks an update body: the create rules on the fields given, and no field the unified
/// rules or the provider require may be cleared.
pub fn prepare_patch(
    descriptor: &'static ConnectorDescriptor,
    resource: ResourceKind,
    body: &[u8],
) -> Result<UnifiedPatch, UnifiedError> {
    let support = support_for(descriptor, resource, Operation::Update)?;
    Ok(UnifiedPatch::parse_with(resource, body, |patch| patch_problems(descriptor, support, patch))?)
}

/// A record id from the caller: something a provider could have issued, never a path step.
pub fn check_id(id: &str) -> Result<(), UnifiedError> {
    let problem = if id.trim().is_empty() {
        Some("must not be empty")
    } else if id.len() > 255 {
        Some("is longer than 255 bytes")
    } else if id == "." || id == ".." {
        Some("is not a record id")
    } else if id.chars().any(char::is_control) {
        Some("must not contain control characters")
    } else {
        None
    };
    match problem {
        Some(message) => Err(UnifiedError::Validation { details: vec![FieldError::new("id", message)] }),
        None => Ok(()),
    }
}

/// The unified rules and the provider's own required fields, all problems at once.
pub fn validate(
    descriptor: &'static ConnectorDescriptor,
    input: &UnifiedInput,
) -> Result<&'static ResourceSupport, UnifiedError> {
    let support = support_for(descriptor, input.resource(), Operation::Create)?;
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

fn patch_problems(
    descriptor: &'static ConnectorDescriptor,
    support: &'static ResourceSupport,
    patch: &UnifiedPatch,
) -> Result<(), Vec<FieldError>> {
    let problems: Vec<FieldError> = patch
        .cleared_fields()
        .into_iter()
        .filter(|f| support.required.contains(f) && !patch.resource().required().contains(f))
        .map(|f| FieldError::new(f, format!("is required by {} and cannot be cleared", descriptor.name)))
        .collect();
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

/// Runs a validated create body through the connector; warnings for unstorable fields come first.
pub async fn run(
    descriptor: &'static ConnectorDescriptor,
    call: Call<'_>,
    input: &UnifiedInput,
) -> Result<Created, UnifiedError> {
    let support = support_for(descriptor, input.resource(), Operation::Create)?;
    let mut warnings = support.warnings(descriptor.name, &input.present_fields(), call.settings, Operation::Create);
    // A 404 while creating names something the body refers to, not the record: the data was refused.
    let mut created = descriptor.connector.create(call, input).await.map_err(not_found_is_refusal)?;
    warnings.append(&mut created.warnings);
    created.warnings = warnings;
    Ok(created)
}

fn not_found_is_refusal(error: UnifiedError) -> UnifiedError {
    match error {
        UnifiedError::NotFound(failure) => UnifiedError::ProviderValidation(failure),
        other => other,
    }
}

/// Runs a checked update body through the connector; warnings for unstorable fields come first.
pub async fn run_update(
    descriptor: &'static ConnectorDescriptor,
    call: Call<'_>,
    id: &str,
    patch: &UnifiedPatch,
) -> Result<Created, UnifiedError> {
    let support = support_for(descriptor, patch.resource(), Operation::Update)?;
    check_id(id)?;
    let mut warnings = support.warnings(descriptor.name, &patch.touched_fields(), call.settings, Operation::Update);
    let mut updated = descriptor.connector.update(call, id, patch).await?;
    warnings.append(&mut updated.warnings);
    updated.warnings = warnings;
    Ok(updated)
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

/// Parses a raw body and updates the record.
pub async fn update_from_json(
    descriptor: &'static ConnectorDescriptor,
    call: Call<'_>,
    resource: ResourceKind,
    id: &str,
    body: &[u8],
) -> Result<Created, UnifiedError> {
    let patch = prepare_patch(descriptor, resource, body)?;
    run_update(descriptor, call, id, &patch).await
}

/// Checks a typed patch and updates the record.
pub async fn update(
    descriptor: &'static ConnectorDescriptor,
    call: Call<'_>,
    id: &str,
    patch: &UnifiedPatch,
) -> Result<Created, UnifiedError> {
    let support = support_for(descriptor, patch.resource(), Operation::Update)?;
    let mut problems = patch.check().err().unwrap_or_default();
    problems.extend(patch_problems(descriptor, support, patch).err().unwrap_or_default());
    if !problems.is_empty() {
        return Err(UnifiedError::Validation { details: problems });
    }
    run_update(descriptor, call, id, patch).await
}

/// One record by id.
pub async fn get(
    descriptor: &'static ConnectorDescriptor,
    call: Call<'_>,
    resource: ResourceKind,
    id: &str,
) -> Result<Created, UnifiedError> {
    support_for(descriptor, resource, Operation::Get)?;
    check_id(id)?;
    descriptor.connector.get(call, resource, id).await
}

/// Deletes one record by id.
pub async fn delete(
    descriptor: &'static ConnectorDescriptor,
    call: Call<'_>,
    resource: ResourceKind,
    id: &str,
) -> Result<(), UnifiedError> {
    support_for(descriptor, resource, Operation::Delete)?;
    check_id(id)?;
    descriptor.connector.delete(call, resource, id).await
}

/// A list request as the caller sends it: the cursor is the sealed token of a previous page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListRequest {
    pub cursor: Option<String>,
    pub limit: Option<u32>,
    pub updated_since: Option<Timestamp>,
}

/// A page with its sealed `nextCursor`.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub records: Vec<UnifiedRecord>,
    pub next_cursor: Option<String>,
    pub remote_data: Option<Vec<serde_json::Value>>,
}

/// One page of a list. The caller's cursor is opened (and refused when it was not issued for this
/// provider, resource, connection and query) before any provider call; the next one is sealed.
pub async fn list(
    descriptor: &'static ConnectorDescriptor,
    call: Call<'_>,
    resource: ResourceKind,
    request: &ListRequest,
    key: &CursorKey,
) -> Result<Listed, UnifiedError> {
    support_for(descriptor, resource, Operation::List)?;
    let limit = request.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(UnifiedError::InvalidQuery { message: format!("`limit` must be 1 to {MAX_LIMIT}, not {limit}") });
    }
    let scope = CursorScope {
        provider: descriptor.id,
        resource,
        connection_id: call.connection_id,
        updated_since: request.updated_since,
    };
    let cursor = request.cursor.as_deref().map(|token| cursor::open(key, &scope, token)).transpose()?;
    let query = ListQuery { cursor, limit, updated_since: request.updated_since };
    let Page { records, next, remote_data } = descriptor.connector.list(call, resource, &query).await?;
    Ok(Listed { records, next_cursor: next.map(|inner| cursor::seal(key, &scope, &inner)), remote_data })
}
