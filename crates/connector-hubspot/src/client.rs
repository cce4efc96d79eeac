//! One function per HubSpot call, through unified-core's transport, and `parse_error`.

use unified_core::transport::{FailureKind, Method, ProviderClient, ProviderError, RawRequest, RawResponse};
use unified_core::{FieldError, ProviderFailure, UnifiedError};

use crate::mapping::fields::unified_field;
use crate::wire::{CreateObject, ErrorBody, Owner, PropertyValidation};

/// `POST /crm/v3/objects/{object_type}`.
pub async fn create_object(
    client: &ProviderClient,
    object_type: &str,
    body: &CreateObject<'_>,
) -> Result<RawResponse, UnifiedError> {
    client.post_json(&format!("/crm/v3/objects/{object_type}"), body).await
}

/// `GET /crm/v3/objects/{object_type}/{id}?properties=...`.
pub async fn read_object(
    client: &ProviderClient,
    object_type: &str,
    id: &str,
    properties: &[&str],
) -> Result<RawResponse, UnifiedError> {
    client.get(&format!("/crm/v3/objects/{object_type}/{id}"), &[("properties", &properties.join(","))]).await
}

/// `DELETE /crm/v3/objects/{object_type}/{id}` (archives the record).
pub async fn archive_object(client: &ProviderClient, object_type: &str, id: &str) -> Result<(), UnifiedError> {
    let path = format!("/crm/v3/objects/{object_type}/{id}");
    let request = RawRequest { method: Method::DELETE, path, query: Vec::new(), body: None };
    client.send(request).await.map(drop)
}

/// `GET /crm/v3/owners/{ownerId}`.
pub async fn owner(client: &ProviderClient, owner_id: &str) -> Result<Owner, UnifiedError> {
    client.get(&format!("/crm/v3/owners/{owner_id}"), &[]).await?.json(client.provider())
}

/// The id of the record a 409 `CONFLICT` names (`Contact already exists. Existing ID: 88415392071`):
/// HubSpot gives it only inside the message.
pub fn existing_id(error: &UnifiedError) -> Option<String> {
    let UnifiedError::ProviderValidation(ProviderFailure { status: Some(409), message, .. }) = error else {
        return None;
    };
    existing_id_in(message)
}

fn existing_id_in(message: &str) -> Option<String> {
    let (_, rest) = message.split_once("Existing ID:")?;
    let id: String = rest.trim_start().chars().take_while(char::is_ascii_digit).collect();
    (!id.is_empty()).then_some(id)
}

/// HubSpot's error envelope → message, unified field errors and kind.
pub fn parse_error(status: u16, body: &[u8]) -> ProviderError {
    let Ok(error) = serde_json::from_slice::<ErrorBody>(body) else {
        return unified_core::transport::parse_error_as_text(status, body);
    };
    let mut details = Vec::new();
    let mut message = error.message.clone();
    if let Some((summary, list)) = error.message.split_once(": [").map(|(s, l)| (s, format!("[{l}")))
        && let Ok(problems) = serde_json::from_str::<Vec<PropertyValidation>>(&list)
    {
        // The embedded list becomes field errors; the message keeps its readable summary.
        details.extend(problems.into_iter().map(|p| FieldError::new(unified_field(&p.name), p.message)));
        message = summary.to_owned();
    }
    for detail in &error.errors {
        let properties = detail.context.as_ref().map(|c| c.property_name.as_slice()).unwrap_or_default();
        details.extend(properties.iter().map(|p| FieldError::new(unified_field(p), detail.message.clone())));
    }
    if status == 409
        && let Some(id) = existing_id_in(&error.message)
    {
        details.push(FieldError::new("email", format!("a contact with this email already exists (id {id})")));
    }
    let kind = match (status, error.category.as_deref(), error.error_type.as_deref()) {
        (_, _, Some("RATE_LIMIT")) | (429, _, _) => Some(FailureKind::RateLimited),
        (401, Some("EXPIRED_AUTHENTICATION"), _) => Some(FailureKind::AuthExpired),
        _ => None,
    };
    // HubSpot sends no Retry-After: the secondly window frees up within a second; a daily limit does
    // not, so its wait is past any retry budget and goes straight back to the caller.
    let retry_after = match error.policy_name.as_deref() {
        Some("DAILY") => Some(3600),
        Some(_) => Some(1),
        None => None,
    };
    ProviderError { message, details, kind, retry_after }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_validation_errors_name_unified_fields() {
        let body = br#"{"status":"error","message":"Property values were not valid: [{\"isValid\":false,\"message\":\"Property \\\"favourite_colour\\\" does not exist\",\"error\":\"PROPERTY_DOESNT_EXIST\",\"name\":\"favourite_colour\"},{\"isValid\":false,\"message\":\"bad option\",\"error\":\"INVALID_OPTION\",\"name\":\"lifecyclestage\"}]","correlationId":"x","category":"VALIDATION_ERROR"}"#;
        let parsed = parse_error(400, body);
        let fields: Vec<&str> = parsed.details.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["customFields.favourite_colour", "lifecycleStage"]);
        assert_eq!(parsed.details[0].message, "Property \"favourite_colour\" does not exist");
        assert_eq!(parsed.message, "Property values were not valid");
        assert_eq!(parsed.kind, None);
    }

    #[test]
    fn conflict_names_email_and_the_existing_id() {
        let body = br#"{"status":"error","message":"Contact already exists. Existing ID: 88415392071","correlationId":"b","category":"CONFLICT"}"#;
        let parsed = parse_error(409, body);
        assert_eq!(parsed.details[0].field, "email");
        assert!(parsed.details[0].message.contains("88415392071"));
    }

    #[test]
    fn rate_limits_and_expired_tokens() {
        let body = br#"{"status":"error","message":"You have reached your secondly limit.","errorType":"RATE_LIMIT","correlationId":"0","policyName":"TEN_SECONDLY_ROLLING"}"#;
        let parsed = parse_error(429, body);
        assert_eq!((parsed.kind, parsed.retry_after), (Some(FailureKind::RateLimited), Some(1)));
        let body = br#"{"status":"error","message":"expired","correlationId":"0","category":"EXPIRED_AUTHENTICATION"}"#;
        assert_eq!(parse_error(401, body).kind, Some(FailureKind::AuthExpired));
    }

    #[test]
    fn non_json_bodies_keep_their_text() {
        assert_eq!(parse_error(502, b"Bad Gateway").message, "Bad Gateway");
    }

    #[test]
    fn existing_id_only_from_a_409() {
        let failure = |status| {
            let mut f = ProviderFailure::new("hubspot", Some(status), "Contact already exists. Existing ID: 42");
            f.details.clear();
            UnifiedError::ProviderValidation(f)
        };
        assert_eq!(existing_id(&failure(409)).as_deref(), Some("42"));
        assert_eq!(existing_id(&failure(400)), None);
    }
}
