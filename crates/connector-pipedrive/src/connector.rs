//! The create flows: mapping → client → mapping. Field names live in `mapping`, calls in `client`.
//!
//! Every body is mapped once before the first write, so that a bad id, an unknown custom-field name or
//! a value of the wrong type fails (400) before anything exists in Pipedrive; reading the company's
//! field schema (cached per connection) may come first.
//!
//! The record is mapped from what Pipedrive stored alone (its answer, the organization and person it
//! links, the company's schema), never from the caller's body, as a get will map it: the schema is read
//! (or taken from the cache) for whatever custom fields and labels the stored record carries.

use std::sync::Arc;

use unified_core::resource::{
    Company, Contact, ContactInput, Deal, DealInput, Lead, LeadInput, Meeting, MeetingInput, Text,
};
use unified_core::transport::RawResponse;
use unified_core::{Call, Operations, Output, Provider, UnifiedError, Warning};

use crate::client;
use crate::mapping::contact::{self, PersonInput};
use crate::mapping::custom::{self, Entity, Schema};
use crate::mapping::{deal, lead, meeting, owner};
use crate::wire::{self, Envelope, LeadLabel, Organization, OrganizationCreate, Person};
use crate::{PROVIDER, cache};

/// The Pipedrive connector (API v2, and v1 where Pipedrive has no v2: leads, lead labels, users).
#[derive(Debug, Clone, Copy)]
pub struct Pipedrive;

impl Provider for Pipedrive {
    /// Pipedrive's token endpoint is `oauth.pipedrive.com`, beside every company's API domain; an API
    /// that is not Pipedrive's own host (the emulator, a proxy) serves it itself.
    fn token_url(&self, base_url: &str) -> Option<String> {
        let host = url::Url::parse(base_url).ok().and_then(|u| u.host_str().map(str::to_owned));
        Some(match host {
            Some(host) if host == "pipedrive.com" || host.ends_with(".pipedrive.com") => {
                "https://oauth.pipedrive.com/oauth/token".to_owned()
            }
            _ => format!("{}/oauth/token", base_url.trim_end_matches('/')),
        })
    }
}

#[unified_core::__private::async_trait]
impl Operations<Contact> for Pipedrive {
    async fn create(&self, call: Call<'_>, input: &ContactInput) -> Result<Output<Contact>, UnifiedError> {
        create_contact(call, input).await
    }
}

#[unified_core::__private::async_trait]
impl Operations<Lead> for Pipedrive {
    async fn create(&self, call: Call<'_>, input: &LeadInput) -> Result<Output<Lead>, UnifiedError> {
        create_lead(call, input).await
    }
}

#[unified_core::__private::async_trait]
impl Operations<Deal> for Pipedrive {
    async fn create(&self, call: Call<'_>, input: &DealInput) -> Result<Output<Deal>, UnifiedError> {
        create_deal(call, input).await
    }
}

#[unified_core::__private::async_trait]
impl Operations<Meeting> for Pipedrive {
    async fn create(&self, call: Call<'_>, input: &MeetingInput) -> Result<Output<Meeting>, UnifiedError> {
        create_meeting(call, input).await
    }
}

/// Pipedrive has no company resource in unified yet.
impl Operations<Company> for Pipedrive {}

/// What a create made so far, for a roll-back.
#[derive(Debug, Clone, Copy)]
enum Made {
    Organization(u64),
    Person(u64),
}

async fn create_contact(call: Call<'_>, input: &ContactInput) -> Result<Output<Contact>, UnifiedError> {
    let person = PersonInput::from(input);
    let schema = match person.needs_schema(call.settings) {
        true => Some(schema(call, Entity::Person, &person.field_names(call.settings)).await?),
        false => None,
    };
    contact::create_request(&person, call.settings, schema.as_deref(), None)?;

    let mut warnings = Vec::new();
    let mut made = Vec::new();
    let organization = match contact::company_to_look_up(input) {
        Some(name) => Some(organization(call, name, person.owner_id, &mut made, &mut warnings).await?),
        None => None,
    };
    let (body, mut more) =
        contact::create_request(&person, call.settings, schema.as_deref(), organization.as_ref().map(|o| o.id))?;
    warnings.append(&mut more);
    let response = match client::create_person(call.client, &body).await {
        Ok(response) => response,
        Err(mut error) => {
            if let UnifiedError::ProviderValidation(failure) = &mut error {
                contact::name_organization_errors(input, &mut failure.details);
            }
            return Err(roll_back(call, &made, error).await);
        }
    };
    let stored: Envelope<Person> = response.json(PROVIDER)?;
    let organization = organization_of(call, stored.data.org_id, organization, &mut warnings).await;
    warnings.extend(contact::unused_company(input, organization.as_ref()));
    let keys = contact::custom_keys(&stored.data);
    let needed = contact::needs_schema_to_read(&stored.data);
    let schema = schema_to_read(call, Entity::Person, schema, needed, &keys, &mut warnings).await;
    let mut record = contact::to_contact(&stored.data, organization.as_ref(), call.settings, schema.as_deref());
    (record.owner_name, record.owner_email) = resolve_owner(call, record.owner_id.as_deref(), &mut warnings).await;
    Ok(Output { record, warnings, remote_data: call.include_remote_data.then(|| response.body_value()) })
}

async fn create_lead(call: Call<'_>, input: &LeadInput) -> Result<Output<Lead>, UnifiedError> {
    let person = lead::person_input(input);
    let person_schema = match person.needs_schema(call.settings) {
        true => Some(schema(call, Entity::Person, &person.field_names(call.settings)).await?),
        false => None,
    };
    let deal_schema = match lead::needs_deal_schema(input, call.settings) {
        true => Some(schema(call, Entity::Deal, &lead::deal_field_names(input, call.settings)).await?),
        false => None,
    };
    let lead_labels = match lead::needs_labels(input, call.settings) {
        true => Some(lead_labels(call).await?),
        false => None,
    };
    // Everything mapped once before the first write.
    let title = lead::title(input).map_err(|p| UnifiedError::from(vec![p]))?;
    let identifies = person.identifies_someone();
    if identifies {
        contact::create_request(&person, call.settings, person_schema.as_deref(), None)?;
    }
    let (label_ids, mut warnings) = match lead_labels.as_deref() {
        Some(labels) => lead::label_ids(input, call.settings, labels)?,
        None => (Vec::new(), Vec::new()),
    };
    lead::create_request(
        input,
        call.settings,
        deal_schema.as_deref(),
        title.clone(),
        Some(1),
        None,
        label_ids.clone(),
    )?;

    let mut made = Vec::new();
    let organization = match input.company.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(name) => Some(organization(call, name, person.owner_id, &mut made, &mut warnings).await?),
        None => None,
    };
    let org_id = organization.as_ref().map(|o| o.id);
    let stored_person = match identifies {
        true => match lead_person(call, &person, person_schema.as_deref(), org_id, &mut made, &mut warnings).await {
            Ok(person) => Some(person),
            Err(error) => return Err(roll_back(call, &made, error).await),
        },
        false => None,
    };
    let person_id = stored_person.as_ref().map(|(p, _)| p.id);
    let request =
        lead::create_request(input, call.settings, deal_schema.as_deref(), title, person_id, org_id, label_ids)?;
    let response = match client::create_lead(call.client, &request).await {
        Ok(response) => response,
        Err(error) => return Err(roll_back(call, &made, error).await),
    };
    let stored: Envelope<wire::Lead> = response.json(PROVIDER)?;
    let person = stored_person.as_ref().map(|(p, _)| p);
    let org_id = stored.data.organization_id.or(person.and_then(|p| p.org_id));
    let organization = organization_of(call, org_id, organization, &mut warnings).await;
    let person_needs_schema = person.is_some_and(|p| lead::needs_person_schema_to_read(p, call.settings));
    let person_keys = person.map(contact::custom_keys).unwrap_or_default();
    let person_schema =
        schema_to_read(call, Entity::Person, person_schema, person_needs_schema, &person_keys, &mut warnings).await;
    let deal_needs_schema = lead::needs_deal_schema_to_read(&stored.data);
    let deal_keys = lead::custom_keys(&stored.data);
    let deal_schema =
        schema_to_read(call, Entity::Deal, deal_schema, deal_needs_schema, &deal_keys, &mut warnings).await;
    let labels_needed = !stored.data.label_ids.is_empty();
    let lead_labels = lead_labels_to_read(call, lead_labels, labels_needed, &mut warnings).await;
    let linked = lead::Linked {
        person,
        organization: organization.as_ref(),
        person_schema: person_schema.as_deref(),
        deal_schema: deal_schema.as_deref(),
        lead_labels: lead_labels.as_deref().map(Vec::as_slice),
    };
    let mut record = lead::to_lead(&stored.data, linked, call.settings);
    (record.owner_name, record.owner_email) = resolve_owner(call, record.owner_id.as_deref(), &mut warnings).await;
    let remote_data = call.include_remote_data.then(|| {
        let person = stored_person.as_ref().map_or(serde_json::Value::Null, |(_, raw)| raw.body_value());
        serde_json::json!({ "person": person, "lead": response.body_value() })
    });
    Ok(Output { record, warnings, remote_data })
}

/// The lead's person: the one that has the e-mail (left as it is, with a warning), else a new one.
async fn lead_person(
    call: Call<'_>,
    person: &PersonInput<'_>,
    schema: Option<&Schema>,
    org_id: Option<u64>,
    made: &mut Vec<Made>,
    warnings: &mut Vec<Warning>,
) -> Result<(Person, RawResponse), UnifiedError> {
    if let Some(email) = person.email.map(str::trim).filter(|e| !e.is_empty())
        && let Some(id) = client::find_person_by_email(call.client, email).await?
    {
        warnings.push(Warning::new(
            "email",
            format!("a Pipedrive person with {email} already existed (id {id}); the lead links it, unchanged"),
        ));
        let response = client::person(call.client, id).await?;
        let stored: Envelope<Person> = response.json(PROVIDER)?;
        return Ok((stored.data, response));
    }
    let (body, mut more) = contact::create_request(person, call.settings, schema, org_id)?;
    warnings.append(&mut more);
    let response = client::create_person(call.client, &body).await?;
    let stored: Envelope<Person> = response.json(PROVIDER)?;
    made.push(Made::Person(stored.data.id));
    Ok((stored.data, response))
}

async fn create_deal(call: Call<'_>, input: &DealInput) -> Result<Output<Deal>, UnifiedError> {
    let schema = match deal::needs_schema(input, call.settings) {
        true => Some(schema(call, Entity::Deal, &deal::field_names(input, call.settings)).await?),
        false => None,
    };
    let (body, mut warnings) = deal::create_request(input, call.settings, schema.as_deref())?;
    let response = client::create_deal(call.client, &body).await?;
    let stored: Envelope<wire::Deal> = response.json(PROVIDER)?;
    let keys = deal::custom_keys(&stored.data);
    let needed = deal::needs_schema_to_read(&stored.data);
    let schema = schema_to_read(call, Entity::Deal, schema, needed, &keys, &mut warnings).await;
    let mut record = deal::to_deal(&stored.data, call.settings, schema.as_deref());
    (record.owner_name, record.owner_email) = resolve_owner(call, record.owner_id.as_deref(), &mut warnings).await;
    Ok(Output { record, warnings, remote_data: call.include_remote_data.then(|| response.body_value()) })
}

async fn create_meeting(call: Call<'_>, input: &MeetingInput) -> Result<Output<Meeting>, UnifiedError> {
    let body = meeting::create_request(input, call.settings)?;
    let created = client::create_activity(call.client, &body).await?;
    let stored: Envelope<wire::Activity> = created.json(PROVIDER)?;
    let mut warnings = Vec::new();
    let (activity, response) = read_activity(call, stored.data, created, &mut warnings).await;
    let mut record = meeting::to_meeting(&activity);
    (record.owner_name, record.owner_email) = resolve_owner(call, record.owner_id.as_deref(), &mut warnings).await;
    Ok(Output { record, warnings, remote_data: call.include_remote_data.then(|| response.body_value()) })
}

/// The created activity read back with its attendees, which the create's answer leaves out. The
/// activity exists by then, so a failed read is a warning: the record is the create's answer, without
/// attendees.
async fn read_activity(
    call: Call<'_>,
    created: wire::Activity,
    answer: RawResponse,
    warnings: &mut Vec<Warning>,
) -> (wire::Activity, RawResponse) {
    let read = match client::activity(call.client, created.id).await {
        Ok(response) => response.json::<Envelope<wire::Activity>>(PROVIDER).map(|read| (read.data, response)),
        Err(error) => Err(error),
    };
    match read {
        Ok(read) => read,
        Err(error) => {
            warnings.push(Warning::new(
                "attendees",
                format!(
                    "the activity {} could not be read back ({}); its attendees are unknown",
                    created.id,
                    error.code()
                ),
            ));
            (created, answer)
        }
    }
}

/// The organization a stored record links (`org_id`): the one the create found or made, else read. The
/// record exists by then, so a failed read is a warning (`company` is then `null`).
async fn organization_of(
    call: Call<'_>,
    org_id: Option<u64>,
    known: Option<Organization>,
    warnings: &mut Vec<Warning>,
) -> Option<Organization> {
    let org_id = org_id?;
    if let Some(known) = known.filter(|o| o.id == org_id) {
        return Some(known);
    }
    match client::organization(call.client, org_id).await {
        Ok(organization) => Some(organization),
        Err(error) => {
            warnings.push(Warning::new(
                "company",
                format!("the organization {org_id} could not be read ({}); company is null", error.code()),
            ));
            None
        }
    }
}

/// The schema a stored record is read through, when it carries custom fields or labels: the one the
/// write used when it knows every key, else the cached or a fresh one. The record exists by then, so a
/// failed read is a warning: custom fields are then reported by key, and tags left out.
async fn schema_to_read(
    call: Call<'_>,
    entity: Entity,
    loaded: Option<Arc<Schema>>,
    needed: bool,
    keys: &[&str],
    warnings: &mut Vec<Warning>,
) -> Option<Arc<Schema>> {
    let complete = loaded.as_ref().is_some_and(|s| custom::unknown_names(s, keys.iter().copied()).is_empty());
    if !needed || complete {
        return loaded;
    }
    match schema(call, entity, keys).await {
        Ok(schema) => Some(schema),
        Err(error) => {
            warnings.push(Warning::new(
                "customFields",
                format!(
                    "the fields of Pipedrive {} could not be read ({}); custom fields are named by key",
                    entity.plural(),
                    error.code()
                ),
            ));
            loaded
        }
    }
}

/// The lead labels a stored lead's `label_ids` are read through (status and tags), when it has some.
async fn lead_labels_to_read(
    call: Call<'_>,
    loaded: Option<Arc<Vec<LeadLabel>>>,
    needed: bool,
    warnings: &mut Vec<Warning>,
) -> Option<Arc<Vec<LeadLabel>>> {
    if !needed || loaded.is_some() {
        return loaded;
    }
    match lead_labels(call).await {
        Ok(labels) => Some(labels),
        Err(error) => {
            warnings.push(Warning::new(
                "tags",
                format!("the lead labels could not be read ({}); status and tags are unknown", error.code()),
            ));
            None
        }
    }
}

/// The organization named `name`: found by exact name, or created (with a warning saying so).
async fn organization(
    call: Call<'_>,
    name: &str,
    owner_id: Option<&str>,
    made: &mut Vec<Made>,
    warnings: &mut Vec<Warning>,
) -> Result<Organization, UnifiedError> {
    if let Some(found) = client::find_organization(call.client, name).await? {
        return Ok(found);
    }
    let owner_id = owner_id.and_then(|id| id.trim().parse().ok());
    let created = client::create_organization(call.client, &OrganizationCreate { name, owner_id }).await?;
    made.push(Made::Organization(created.id));
    warnings.push(Warning::new(
        "company",
        format!("no Pipedrive organization was named `{name}`; one was created (id {}) and linked", created.id),
    ));
    Ok(created)
}

/// The company's fields of one entity: from the cache, unless it lacks one of `names` (a field added
/// since it was read) or has none yet.
async fn schema(call: Call<'_>, entity: Entity, names: &[&str]) -> Result<Arc<Schema>, UnifiedError> {
    let key = cache::key(call.connection_id, call.client.base_url());
    if let Some((age, cached)) = cache::schema(&key, entity)
        && (custom::unknown_names(&cached, names.iter().copied()).is_empty() || age < cache::MIN_REFRESH)
    {
        return Ok(cached);
    }
    let schema = Arc::new(Schema::new(client::fields(call.client, entity).await?));
    cache::put_schema(&key, entity, Arc::clone(&schema));
    Ok(schema)
}

/// The company's lead labels, cached like the fields.
async fn lead_labels(call: Call<'_>) -> Result<Arc<Vec<LeadLabel>>, UnifiedError> {
    let key = cache::key(call.connection_id, call.client.base_url());
    if let Some(cached) = cache::lead_labels(&key) {
        return Ok(cached);
    }
    let labels = Arc::new(client::lead_labels(call.client).await?);
    cache::put_lead_labels(&key, Arc::clone(&labels));
    Ok(labels)
}

/// A later step failed: delete what this create made, newest first, when the failure is a definite
/// refusal (after a timeout the later record may exist, and what it links must stay). Returns the error.
async fn roll_back(call: Call<'_>, made: &[Made], error: UnifiedError) -> UnifiedError {
    let refused = matches!(
        error,
        UnifiedError::ProviderValidation(_) | UnifiedError::ProviderAuth(_) | UnifiedError::RateLimited { .. }
    );
    if refused {
        for made in made.iter().rev() {
            let (what, id, result) = match *made {
                Made::Person(id) => ("person", id, client::delete_person(call.client, id).await),
                Made::Organization(id) => ("organization", id, client::delete_organization(call.client, id).await),
            };
            if let Err(e) = result {
                tracing::warn!(what, id, code = e.code(), "could not roll back a Pipedrive record");
            }
        }
    }
    error
}

/// The owner's name and e-mail. The record already exists, so a failed lookup is a warning, not an error.
async fn resolve_owner(
    call: Call<'_>,
    owner_id: Option<&str>,
    warnings: &mut Vec<Warning>,
) -> (Option<Text>, Option<Text>) {
    let Some(owner_id) = owner_id else { return (None, None) };
    match client::user(call.client, owner_id).await {
        Ok(user) => owner::owner(&user),
        Err(error) => {
            warnings.push(Warning::new(
                "ownerId",
                format!("the owner {owner_id} could not be resolved to a name ({})", error.code()),
            ));
            (None, None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_endpoint_is_pipedrive_s_oauth_host_or_the_api_s_own() {
        assert_eq!(
            Provider::token_url(&Pipedrive, "https://acme.pipedrive.com").as_deref(),
            Some("https://oauth.pipedrive.com/oauth/token")
        );
        assert_eq!(
            Provider::token_url(&Pipedrive, "http://127.0.0.1:5002/").as_deref(),
            Some("http://127.0.0.1:5002/oauth/token")
        );
    }
}
