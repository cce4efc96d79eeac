//! One function per Salesforce call, through unified-core's transport (all under
//! `/services/data/{API_VERSION}/` of the connection's instance), and `parse_error`.

use unified_core::transport::{FailureKind, Method, ProviderClient, ProviderError, RawRequest, RawResponse};
use unified_core::{FieldError, UnifiedError};

use crate::API_VERSION;
use crate::mapping::fields::unified_field;
use crate::mapping::owner::OwnerKind;
use crate::wire::{ApiError, Collection, CollectionResult, Fields, OAuthError, QueryResult, SObject, SaveResult};

/// `/services/data/v66.0{rest}`.
pub fn path(rest: &str) -> String {
    format!("/services/data/{API_VERSION}{rest}")
}

/// `POST /sobjects/{object}/`: Salesforce answers with the new id only.
pub async fn create(client: &ProviderClient, object: &str, fields: &Fields<'_>) -> Result<SaveResult, UnifiedError> {
    let response = client.post_json(&path(&format!("/sobjects/{object}/")), fields).await;
    response.map_err(|e| in_context(e, object))?.json(client.provider())
}

/// `GET /sobjects/{object}/{id}`: every field the integration user can see (`null` where unset), the
/// custom fields among them.
pub async fn read_record(client: &ProviderClient, object: &str, id: &str) -> Result<RawResponse, UnifiedError> {
    client.get(&path(&format!("/sobjects/{object}/{id}")), &[]).await
}

/// `GET /sobjects/{object}/{id}?fields=…`: only the fields asked for (`null` where unset).
pub async fn read(
    client: &ProviderClient,
    object: &str,
    id: &str,
    fields: &[&str],
) -> Result<RawResponse, UnifiedError> {
    client.get(&path(&format!("/sobjects/{object}/{id}")), &[("fields", &fields.join(","))]).await
}

/// `DELETE /sobjects/{object}/{id}` (`204`; the record goes to the recycle bin).
pub async fn delete(client: &ProviderClient, object: &str, id: &str) -> Result<(), UnifiedError> {
    let request = RawRequest {
        method: Method::DELETE,
        path: path(&format!("/sobjects/{object}/{id}")),
        query: Vec::new(),
        body: None,
    };
    client.send(request).await.map(drop)
}

/// `GET /query?q=…` (the connector's queries fit one page).
pub async fn query(client: &ProviderClient, soql: &str) -> Result<QueryResult, UnifiedError> {
    client.get(&path("/query"), &[("q", soql)]).await?.json(client.provider())
}

/// `POST /composite/sobjects`: one result per record, in order (a `200` whatever became of each).
pub async fn create_collection(
    client: &ProviderClient,
    collection: &Collection<'_>,
) -> Result<Vec<CollectionResult>, UnifiedError> {
    let object = collection.records.first().map_or("", |r| r.attributes.kind);
    let response = client.post_json(&path("/composite/sobjects"), collection).await;
    response.map_err(|e| in_context(e, object))?.json(client.provider())
}

/// The owner's User (`005…`) or queue (`00G…`, a `Group`).
pub async fn owner(client: &ProviderClient, kind: OwnerKind, id: &str) -> Result<SObject, UnifiedError> {
    read(client, kind.object(), id, kind.fields()).await?.json(client.provider())
}

/// Salesforce's error body → message, unified field errors and kind. Field names are mapped without
/// knowing the object; the client functions that know it refine them ([`in_context`]).
pub fn parse_error(status: u16, body: &[u8]) -> ProviderError {
    parse_error_in(None, status, body)
}

/// A refused write's field errors, named for the object the call wrote (`AccountId` is a contact's
/// `company` but a deal's `companyId`).
fn in_context(error: UnifiedError, object: &str) -> UnifiedError {
    match error {
        UnifiedError::ProviderValidation(mut failure) => {
            if let (Some(status), Some(body)) = (failure.status, &failure.body)
                && let Ok(bytes) = serde_json::to_vec(body)
            {
                failure.details = parse_error_in(Some(object), status, &bytes).details;
            }
            UnifiedError::ProviderValidation(failure)
        }
        other => other,
    }
}

fn parse_error_in(object: Option<&str>, status: u16, body: &[u8]) -> ProviderError {
    let Ok(errors) = serde_json::from_slice::<Vec<ApiError>>(body) else {
        if let Ok(oauth) = serde_json::from_slice::<OAuthError>(body)
            && !oauth.error.is_empty()
        {
            let message = if oauth.error_description.is_empty() { oauth.error } else { oauth.error_description };
            return ProviderError { message, ..ProviderError::default() };
        }
        return unified_core::transport::parse_error_as_text(status, body);
    };
    let mut details = Vec::new();
    let mut messages = Vec::new();
    let mut kind = None;
    let mut retry_after = None;
    for error in &errors {
        let mut message = error.message.clone();
        match error.error_code.as_str() {
            "INVALID_SESSION_ID" => kind = Some(FailureKind::AuthExpired),
            // An org limit, whatever the 403 says: the concurrent one frees up within seconds; the
            // daily one as calls age out of its rolling 24 hours, past any retry budget.
            "REQUEST_LIMIT_EXCEEDED" => {
                kind = Some(FailureKind::RateLimited);
                retry_after = Some(if error.message.contains("Concurrent") { 2 } else { 3600 });
            }
            "DUPLICATES_DETECTED" => {
                let (field, duplicate) = duplicate(error);
                message = format!("{message} ({duplicate})");
                details.push(FieldError::new(field, duplicate));
            }
            _ => {}
        }
        if error.fields.is_empty() {
            if let Some(column) = missing_column(&error.message) {
                details.push(FieldError::new(unified_field(object, column), error.message.clone()));
            }
        } else {
            details
                .extend(error.fields.iter().map(|f| FieldError::new(unified_field(object, f), error.message.clone())));
        }
        messages.push(message);
    }
    ProviderError { message: messages.join("; "), details, kind, retry_after }
}

/// `No such column 'Foo__c' on sobject of type Contact` → `Foo__c` (Salesforce names no `fields`).
fn missing_column(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("No such column '")?;
    rest.split_once('\'').map(|(column, _)| column).filter(|c| !c.is_empty())
}

/// The field a blocked duplicate is reported on, and a sentence naming the records it duplicates.
fn duplicate(error: &ApiError) -> (&'static str, String) {
    let Some(result) = &error.duplicate_result else {
        return ("email", "(a duplicate rule blocked the save)".to_owned());
    };
    let field = match result.duplicate_rule_entity_type.as_str() {
        "Lead" | "Contact" => "email",
        "Account" => "company",
        _ => "name",
    };
    let matches: Vec<String> = result
        .match_results
        .iter()
        .flat_map(|m| m.match_records.iter().map(move |r| (m.entity_type.as_str(), r)))
        .filter_map(|(entity, r)| Some(format!("{entity} {}", r.record.id()?)))
        .collect();
    let records = if matches.is_empty() { "an existing record".to_owned() } else { matches.join(", ") };
    (field, format!("duplicates the existing {records}, by the duplicate rule {}", result.duplicate_rule))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_name_unified_fields() {
        let body = br#"[{"message":"Required fields are missing: [LastName, Company]","errorCode":"REQUIRED_FIELD_MISSING","fields":["LastName","Company"]}]"#;
        let parsed = parse_error(400, body);
        let fields: Vec<&str> = parsed.details.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["lastName", "company"]);
        assert_eq!(parsed.message, "Required fields are missing: [LastName, Company]");
        assert_eq!(parsed.kind, None);
    }

    #[test]
    fn unknown_columns_are_custom_fields() {
        let body = br#"[{"message":"No such column 'Loyalty_Score__c' on sobject of type Contact","errorCode":"INVALID_FIELD"}]"#;
        let parsed = parse_error(400, body);
        assert_eq!(parsed.details[0].field, "customFields.Loyalty_Score__c");
    }

    #[test]
    fn limits_are_rate_limits_and_sessions_expire() {
        let daily = br#"[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#;
        let parsed = parse_error(403, daily);
        assert_eq!((parsed.kind, parsed.retry_after), (Some(FailureKind::RateLimited), Some(3600)));
        let concurrent =
            br#"[{"message":"ConcurrentPerOrgLongTxn Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#;
        assert_eq!(parse_error(403, concurrent).retry_after, Some(2));
        let expired = br#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#;
        assert_eq!(parse_error(401, expired).kind, Some(FailureKind::AuthExpired));
        let forbidden =
            br#"[{"message":"insufficient access rights on object id","errorCode":"INSUFFICIENT_ACCESS_OR_READONLY"}]"#;
        assert_eq!(parse_error(403, forbidden).kind, None, "the status decides: an auth error");
    }

    #[test]
    fn duplicates_name_the_duplicate() {
        let body = br#"[{"message":"Use one of these records?","errorCode":"DUPLICATES_DETECTED","fields":[],"duplicateResult":{"allowSave":false,"duplicateRule":"Standard_Lead_Duplicate_Rule","duplicateRuleEntityType":"Lead","errorMessage":"Use one of these records?","matchResults":[{"entityType":"Lead","matchEngine":"FuzzyMatchEngine","rule":"Standard_Lead_Match_Rule_v1_0","size":1,"success":true,"errors":[],"matchRecords":[{"matchConfidence":100.0,"fieldDiffs":[],"additionalInformation":[],"record":{"attributes":{"type":"Lead","url":"/services/data/v66.0/sobjects/Lead/00Q8c00001ZxYwVAAV"},"Id":"00Q8c00001ZxYwVAAV"}}]}]}}]"#;
        let parsed = parse_error(400, body);
        assert_eq!(parsed.details[0].field, "email");
        assert!(parsed.details[0].message.contains("Lead 00Q8c00001ZxYwVAAV"), "{:?}", parsed.details);
        assert_eq!(
            parsed.message,
            "Use one of these records? (duplicates the existing Lead 00Q8c00001ZxYwVAAV, by the duplicate rule Standard_Lead_Duplicate_Rule)"
        );
    }

    #[test]
    fn object_context_refines_field_names() {
        let body = br#"[{"message":"Account ID: id value of incorrect type: 0058c00000AsDfGAAR","errorCode":"FIELD_INTEGRITY_EXCEPTION","fields":["AccountId"]}]"#;
        assert_eq!(parse_error(400, body).details[0].field, "companyId");
        assert_eq!(parse_error_in(Some("Contact"), 400, body).details[0].field, "company");
    }

    #[test]
    fn oauth_and_non_json_bodies() {
        let body = br#"{"error":"invalid_grant","error_description":"expired access/refresh token"}"#;
        assert_eq!(parse_error(400, body).message, "expired access/refresh token");
        assert_eq!(parse_error(502, b"Bad Gateway").message, "Bad Gateway");
    }
}
