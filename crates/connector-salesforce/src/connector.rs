//! The create flows: mapping → client → mapping. Field names live in `mapping`, calls in `client`.
//!
//! Salesforce's create answers with the id only, so every flow reads the record back (one GET of the
//! whole record, its custom fields among them), reads what the record refers to (a contact's account, a
//! deal's contact roles) and resolves its owner; the record is mapped from what Salesforce stored alone,
//! as a get will map it.

use unified_core::resource::{
    Company, Contact, ContactInput, Deal, DealInput, Lead, LeadInput, Meeting, MeetingInput, Text,
};
use unified_core::transport::RawResponse;
use unified_core::{Call, Operations, Output, Provider, ProviderFailure, UnifiedError, Warning};

use crate::client;
use crate::mapping::contact::{self, Account};
use crate::mapping::deal::ContactRole;
use crate::mapping::owner::{self, OwnerKind};
use crate::mapping::{deal, lead, meeting, soql};
use crate::wire::{Fields, SObject};

/// The Salesforce connector (REST API on the connection's instance).
#[derive(Debug, Clone, Copy)]
pub struct Salesforce;

impl Provider for Salesforce {
    /// Salesforce serves its token endpoint on the org's My Domain, which is the instance the API calls
    /// go to; the connection setting `tokenUrl` names another login host (`https://login.salesforce.com`,
    /// `https://test.salesforce.com` for sandboxes). Its grants carry no `expires_in`: a session is
    /// refreshed when Salesforce answers `INVALID_SESSION_ID`.
    fn token_url(&self, base_url: &str) -> Option<String> {
        Some(format!("{}/services/oauth2/token", base_url.trim_end_matches('/')))
    }
}

#[unified_core::__private::async_trait]
impl Operations<Contact> for Salesforce {
    async fn create(&self, call: Call<'_>, input: &ContactInput) -> Result<Output<Contact>, UnifiedError> {
        create_contact(call, input).await
    }
}

#[unified_core::__private::async_trait]
impl Operations<Lead> for Salesforce {
    async fn create(&self, call: Call<'_>, input: &LeadInput) -> Result<Output<Lead>, UnifiedError> {
        create_lead(call, input).await
    }
}

#[unified_core::__private::async_trait]
impl Operations<Deal> for Salesforce {
    async fn create(&self, call: Call<'_>, input: &DealInput) -> Result<Output<Deal>, UnifiedError> {
        create_deal(call, input).await
    }
}

#[unified_core::__private::async_trait]
impl Operations<Meeting> for Salesforce {
    async fn create(&self, call: Call<'_>, input: &MeetingInput) -> Result<Output<Meeting>, UnifiedError> {
        create_meeting(call, input).await
    }
}

/// Salesforce has no company resource in unified yet.
impl Operations<Company> for Salesforce {}

async fn create_contact(call: Call<'_>, input: &ContactInput) -> Result<Output<Contact>, UnifiedError> {
    let mut request = contact::create_request(input, call.settings)?;
    let mut warnings = Vec::new();
    let linked = match contact::links_account_by_name(input) {
        Some(company) => Some(account_by_name(call, company, &mut warnings).await?),
        None => None,
    };
    if let Some(linked) = &linked {
        contact::set_account(&mut request, linked.id());
    }
    let saved = match client::create(call.client, contact::OBJECT, &request).await {
        Ok(saved) => saved,
        Err(mut error) => {
            if let UnifiedError::ProviderValidation(failure) = &mut error {
                contact::name_account_errors(input, &mut failure.details);
            }
            let created = linked.as_ref().and_then(AccountLink::created);
            return Err(roll_back(call, "Account", created, error).await);
        }
    };
    let (record, response) = read_back(call, contact::OBJECT, &saved.id, &request, &mut warnings).await;
    let found = linked.and_then(AccountLink::found);
    let account = account_of(call, &record, found, &mut warnings).await;
    warnings.extend(contact::unused_company(input, account.as_ref()));
    let mut contact = contact::to_contact(&record, account.as_ref(), call.settings);
    (contact.owner_name, contact.owner_email) = resolve_owner(call, contact.owner_id.as_deref(), &mut warnings).await;
    Ok(Output { record: contact, warnings, remote_data: remote_data(call, response) })
}

/// The account a contact's `company` names: one Salesforce has (as its query answered it), or one this
/// create made (its id only; the name is read back with the contact).
enum AccountLink {
    Found(Account),
    Created(String),
}

impl AccountLink {
    fn id(&self) -> &str {
        match self {
            Self::Found(account) => &account.id,
            Self::Created(id) => id,
        }
    }

    fn created(&self) -> Option<&str> {
        match self {
            Self::Created(id) => Some(id),
            Self::Found(_) => None,
        }
    }

    fn found(self) -> Option<Account> {
        match self {
            Self::Found(account) => Some(account),
            Self::Created(_) => None,
        }
    }
}

/// The oldest account named `company` (a warning when there are several), or a new one (a warning too).
async fn account_by_name(
    call: Call<'_>,
    company: &str,
    warnings: &mut Vec<Warning>,
) -> Result<AccountLink, UnifiedError> {
    let result = client::query(call.client, &soql::account_by_name(company)).await?;
    match contact::account_match(&result) {
        (Some(account), several) => {
            if several {
                warnings.push(Warning::new(
                    "company",
                    format!("several Salesforce accounts are named {company}; the oldest ({}) was used", account.id),
                ));
            }
            Ok(AccountLink::Found(account))
        }
        (None, _) => {
            let saved = client::create(call.client, "Account", &contact::account_request(company)).await?;
            warnings.push(Warning::new(
                "company",
                format!("no Salesforce account was named {company}; account {} was created for it", saved.id),
            ));
            Ok(AccountLink::Created(saved.id))
        }
    }
}

/// The account the stored contact points at (`AccountId`): the one the lookup found, else read. The
/// contact exists by then, so a failed read is a warning (`company` is then `null`).
async fn account_of(
    call: Call<'_>,
    record: &SObject,
    found: Option<Account>,
    warnings: &mut Vec<Warning>,
) -> Option<Account> {
    let account_id = record.text("AccountId")?;
    if let Some(found) = found.filter(|a| a.id.eq_ignore_ascii_case(account_id)) {
        return Some(found);
    }
    let read = client::read(call.client, "Account", account_id, contact::ACCOUNT_FIELDS).await;
    match read.and_then(|response| response.json::<SObject>(crate::PROVIDER)) {
        Ok(account) => Account::from_record(&account),
        Err(error) => {
            warnings.push(Warning::new(
                "company",
                format!("the account {account_id} could not be read ({}); company is null", error.code()),
            ));
            None
        }
    }
}

async fn create_lead(call: Call<'_>, input: &LeadInput) -> Result<Output<Lead>, UnifiedError> {
    let request = lead::create_request(input, call.settings)?;
    let saved = client::create(call.client, lead::OBJECT, &request).await?;
    let mut warnings = Vec::new();
    let (record, response) = read_back(call, lead::OBJECT, &saved.id, &request, &mut warnings).await;
    let mut lead = lead::to_lead(&record, call.settings);
    (lead.owner_name, lead.owner_email) = resolve_owner(call, lead.owner_id.as_deref(), &mut warnings).await;
    Ok(Output { record: lead, warnings, remote_data: remote_data(call, response) })
}

async fn create_deal(call: Call<'_>, input: &DealInput) -> Result<Output<Deal>, UnifiedError> {
    let request = deal::create_request(input, call.settings)?;
    let saved = client::create(call.client, deal::OBJECT, &request).await?;
    if let Some(roles) = deal::contact_roles(input, &saved.id) {
        let refused = match client::create_collection(call.client, &roles).await {
            Ok(results) if results.iter().all(|r| r.success) => None,
            Ok(results) => Some(contact_roles_refused(&results)),
            Err(error) => Some(error),
        };
        if let Some(error) = refused {
            return Err(roll_back(call, deal::OBJECT, Some(&saved.id), error).await);
        }
    }
    let mut warnings = Vec::new();
    let (record, response) = read_back(call, deal::OBJECT, &saved.id, &request, &mut warnings).await;
    let roles = contact_roles_of(call, &saved.id, &mut warnings).await;
    let mut deal = deal::to_deal(&record, &roles, call.settings);
    (deal.owner_name, deal.owner_email) = resolve_owner(call, deal.owner_id.as_deref(), &mut warnings).await;
    Ok(Output { record: deal, warnings, remote_data: remote_data(call, response) })
}

/// The opportunity's contact roles as Salesforce stores them. The deal exists by then, so a failed
/// query is a warning (`contactIds` is then `null`).
async fn contact_roles_of(call: Call<'_>, opportunity_id: &str, warnings: &mut Vec<Warning>) -> Vec<ContactRole> {
    match client::query(call.client, &soql::contact_roles(opportunity_id)).await {
        Ok(result) => deal::contact_roles_of(&result),
        Err(error) => {
            warnings.push(Warning::new(
                "contactIds",
                format!("the contact roles of {opportunity_id} could not be read ({})", error.code()),
            ));
            Vec::new()
        }
    }
}

/// The contact roles are all or none: the refused ones name their `contactIds[i]` (the others only
/// say that they were rolled back with them).
fn contact_roles_refused(results: &[crate::wire::CollectionResult]) -> UnifiedError {
    let mut details = Vec::new();
    let mut messages = Vec::new();
    for (i, result) in results.iter().enumerate() {
        for error in result.errors.iter().filter(|e| e.status_code != "ALL_OR_NONE_OPERATION_ROLLED_BACK") {
            details.push(unified_core::FieldError::new(format!("contactIds[{i}]"), error.message.clone()));
            messages.push(format!("{} ({})", error.message, error.status_code));
        }
    }
    let mut failure = ProviderFailure::new(crate::PROVIDER, Some(200), messages.join("; "));
    failure.body = serde_json::to_value(results).ok();
    failure.details = details;
    UnifiedError::ProviderValidation(failure)
}

async fn create_meeting(call: Call<'_>, input: &MeetingInput) -> Result<Output<Meeting>, UnifiedError> {
    let request = meeting::create_request(input)?;
    let emails = meeting::attendee_emails(input);
    let mut found = std::collections::HashMap::new();
    if !emails.is_empty() {
        found = meeting::matches(&client::query(call.client, &soql::contacts_by_email(&emails)).await?);
        let rest: Vec<&str> = emails.into_iter().filter(|e| !found.contains_key(&e.to_ascii_lowercase())).collect();
        if !rest.is_empty() {
            for (email, lead) in meeting::matches(&client::query(call.client, &soql::leads_by_email(&rest)).await?) {
                found.entry(email).or_insert(lead);
            }
        }
    }
    let saved = client::create(call.client, meeting::OBJECT, &request).await?;
    let relations = meeting::relations(input, &saved.id, &found);
    let mut warnings = relations.unmatched.clone();
    let related = match &relations.collection {
        None => meeting::Related::default(),
        Some(collection) => match client::create_collection(call.client, collection).await {
            Ok(results) => meeting::related(&relations.planned, &results),
            // The event exists: a refused call makes every relation a warning, not the create an error.
            Err(error) => meeting::related(&relations.planned, &vec![refused(&error); relations.planned.len()]),
        },
    };
    warnings.extend(related.warnings);
    let (record, response) = read_back(call, meeting::OBJECT, &saved.id, &request, &mut warnings).await;
    let mut meeting = meeting::to_meeting(&record, &related.relations);
    (meeting.owner_name, meeting.owner_email) = resolve_owner(call, meeting.owner_id.as_deref(), &mut warnings).await;
    Ok(Output { record: meeting, warnings, remote_data: remote_data(call, response) })
}

/// A whole collection call that failed, as the per-record result it stands for.
fn refused(error: &UnifiedError) -> crate::wire::CollectionResult {
    crate::wire::CollectionResult {
        id: None,
        success: false,
        errors: vec![crate::wire::CollectionError {
            status_code: error.code().to_owned(),
            message: error.provider().map_or_else(|| error.message(), |f| f.message.clone()),
            fields: Vec::new(),
        }],
    }
}

/// Reads the created record back. The record exists whatever happens here, so a failed read is a
/// warning: the record is then built from what was sent (no timestamps).
async fn read_back(
    call: Call<'_>,
    object: &str,
    id: &str,
    sent: &Fields<'_>,
    warnings: &mut Vec<Warning>,
) -> (SObject, Option<RawResponse>) {
    let read = match client::read_record(call.client, object, id).await {
        Ok(response) => response.json::<SObject>(crate::PROVIDER).map(|record| (record, response.clone())),
        Err(error) => Err(error),
    };
    match read {
        Ok((record, response)) => (record, Some(response)),
        Err(error) => {
            warnings.push(Warning::new(
                "id",
                format!(
                    "the {object} {id} was created but could not be read back ({}); the fields are those sent",
                    error.code()
                ),
            ));
            let mut record = SObject::default();
            record.fields.insert("Id".to_owned(), id.into());
            for (name, value) in &sent.0 {
                record.fields.insert(name.to_string(), value.clone());
            }
            (record, None)
        }
    }
}

fn remote_data(call: Call<'_>, response: Option<RawResponse>) -> Option<serde_json::Value> {
    call.include_remote_data.then(|| response.map(|r| r.body_value())).flatten()
}

/// A later step failed: delete the record this create made before it, when the failure is a definite
/// refusal (after a timeout the later write may have happened). Returns the original error.
async fn roll_back(call: Call<'_>, object: &str, id: Option<&str>, error: UnifiedError) -> UnifiedError {
    let refused = matches!(
        error,
        UnifiedError::ProviderValidation(_) | UnifiedError::ProviderAuth(_) | UnifiedError::RateLimited { .. }
    );
    if let Some(id) = id.filter(|_| refused)
        && let Err(e) = client::delete(call.client, object, id).await
    {
        tracing::warn!(object, id, code = e.code(), "could not roll back a Salesforce record");
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
    let kind = OwnerKind::of(owner_id);
    match client::owner(call.client, kind, owner_id).await {
        Ok(record) => owner::owner(kind, &record),
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
    use std::sync::Arc;

    use unified_core::connector::Settings;
    use unified_core::testkit::ReplayBackend;
    use unified_core::transport::ProviderClient;

    use super::*;

    #[test]
    fn the_token_endpoint_is_on_the_instance() {
        assert_eq!(
            Provider::token_url(&Salesforce, "https://acme.my.salesforce.com/").as_deref(),
            Some("https://acme.my.salesforce.com/services/oauth2/token")
        );
    }

    #[tokio::test]
    async fn a_mapping_problem_fails_before_any_call() {
        let backend = Arc::new(ReplayBackend::default());
        let client = ProviderClient::builder(&crate::DESCRIPTOR).backend(backend.clone()).build().unwrap();
        let settings = Settings::new();
        let call = Call { client: &client, settings: &settings, include_remote_data: false, connection_id: "test" };
        let input = DealInput {
            name: Some("D".into()),
            stage: Some("Prospecting".into()),
            close_date: Some("2026-07-31".into()),
            contact_ids: Some(vec!["not-an-id".into()]),
            ..Default::default()
        };
        let error = Operations::<Deal>::create(&Salesforce, call, &input).await.unwrap_err();
        assert_eq!((error.code(), error.details()[0].field.as_str()), ("validation_error", "contactIds[0]"));
        assert!(backend.sent().is_empty());
    }
}
