//! One function per HubSpot call, through unified-core's transport, and `parse_error`.

use unified_core::transport::{
    FailureKind, Method, ProviderClient, ProviderError, RawRequest, RawResponse, path_segment,
};
use unified_core::{FieldError, ProviderFailure, UnifiedError};

use crate::mapping::fields::unified_field;
use crate::wire::{
    AssociationBatch, BatchRead, CreateObject, ErrorBody, IdInput, Owner, PatchObject, PropertyList,
    PropertyValidation, SearchRequest,
};

/// `POST /crm/v3/objects/{object_type}`.
pub async fn create_object(
    client: &ProviderClient,
    object_type: &str,
    body: &CreateObject<'_>,
) -> Result<RawResponse, UnifiedError> {
    client.post_json(&format!("/crm/v3/objects/{object_type}"), body).await
}

/// `GET /crm/v3/objects/{object_type}/{id}?properties=...` (the properties HubSpot then answers).
pub async fn read_object(
    client: &ProviderClient,
    object_type: &str,
    id: &str,
    properties: &[&str],
) -> Result<RawResponse, UnifiedError> {
    get_object(client, object_type, id, properties, &[]).await
}

/// `GET /crm/v3/objects/{object_type}/{id}?properties=...&associations=...`.
pub async fn get_object(
    client: &ProviderClient,
    object_type: &str,
    id: &str,
    properties: &[&str],
    associations: &[&str],
) -> Result<RawResponse, UnifiedError> {
    let path = format!("/crm/v3/objects/{object_type}/{}", path_segment(id));
    let mut request = RawRequest::get(path).query("properties", properties.join(","));
    if !associations.is_empty() {
        request = request.query("associations", associations.join(","));
    }
    client.send(request).await
}

/// `GET /crm/v3/objects/{object_type}?limit=&after=`: one page of ids, in HubSpot's order.
pub async fn list_ids(
    client: &ProviderClient,
    object_type: &str,
    limit: u32,
    after: Option<&str>,
) -> Result<RawResponse, UnifiedError> {
    let mut request = RawRequest::get(format!("/crm/v3/objects/{object_type}"))
        .query("limit", limit.to_string())
        .query("properties", "hs_object_id");
    if let Some(after) = after {
        request = request.query("after", after);
    }
    client.send(request).await
}

/// `POST /crm/v3/objects/{object_type}/search`.
pub async fn search(
    client: &ProviderClient,
    object_type: &str,
    body: &SearchRequest<'_>,
) -> Result<RawResponse, UnifiedError> {
    client.post_json(&format!("/crm/v3/objects/{object_type}/search"), body).await
}

/// `POST /crm/v3/objects/{object_type}/batch/read`: the objects found (a `207` names the missing ones).
pub async fn batch_read(
    client: &ProviderClient,
    object_type: &str,
    ids: &[&str],
    properties: &[&str],
) -> Result<RawResponse, UnifiedError> {
    let body = BatchRead { properties: properties.to_vec(), inputs: ids.iter().map(|id| IdInput { id }).collect() };
    client.post_json(&format!("/crm/v3/objects/{object_type}/batch/read"), &body).await
}

/// `POST /crm/v4/associations/{from}/{to}/batch/read`: the `to` objects each `from` object is associated with.
pub async fn batch_associations(
    client: &ProviderClient,
    from: &str,
    to: &str,
    ids: &[&str],
) -> Result<AssociationBatch, UnifiedError> {
    let body =
        serde_json::json!({ "inputs": ids.iter().map(|id| serde_json::json!({ "id": id })).collect::<Vec<_>>() });
    client.post_json(&format!("/crm/v4/associations/{from}/{to}/batch/read"), &body).await?.json(client.provider())
}

/// `PATCH /crm/v3/objects/{object_type}/{id}`.
pub async fn update_object(
    client: &ProviderClient,
    object_type: &str,
    id: &str,
    body: &PatchObject<'_>,
) -> Result<RawResponse, UnifiedError> {
    client.patch_json(&format!("/crm/v3/objects/{object_type}/{}", path_segment(id)), body).await
}

/// `PUT /crm/v4/objects/{from}/{id}/associations/{to}/{to_id}` with one HubSpot-defined association
/// type (the one a create uses: contact→primary company `1`, deal→contact `3`, ...). The `default`
/// endpoint would make the unlabeled one, which is never the primary.
pub async fn associate(
    client: &ProviderClient,
    from: &str,
    id: &str,
    to: &str,
    to_id: &str,
    type_id: u32,
) -> Result<(), UnifiedError> {
    let path = format!("/crm/v4/objects/{from}/{}/associations/{to}/{}", path_segment(id), path_segment(to_id));
    let body = [crate::wire::AssociationType { association_category: "HUBSPOT_DEFINED", association_type_id: type_id }];
    client.send(RawRequest::json(Method::PUT, path, &body)?).await.map(drop)
}

/// `DELETE /crm/v4/objects/{from}/{id}/associations/{to}/{to_id}`: every association between the two.
pub async fn dissociate(
    client: &ProviderClient,
    from: &str,
    id: &str,
    to: &str,
    to_id: &str,
) -> Result<(), UnifiedError> {
    let path = format!("/crm/v4/objects/{from}/{}/associations/{to}/{}", path_segment(id), path_segment(to_id));
    client.delete(&path).await.map(drop)
}

/// `GET /crm/v3/properties/{object_type}`: the portal's property definitions.
pub async fn properties(client: &ProviderClient, object_type: &str) -> Result<PropertyList, UnifiedError> {
    client.get(&format!("/crm/v3/properties/{object_type}"), &[]).await?.json(client.provider())
}

/// `DELETE /crm/v3/objects/{object_type}/{id}` (archives the record).
pub async fn archive_object(client: &ProviderClient, object_type: &str, id: &str) -> Result<(), UnifiedError> {
    client.delete(&format!("/crm/v3/objects/{object_type}/{}", path_segment(id))).await.map(drop)
}

/// `GET /crm/v3/owners/{ownerId}`; a deactivated user is an archived owner, read with `archived=true`.
pub async fn owner(client: &ProviderClient, owner_id: &str) -> Result<Owner, UnifiedError> {
    let path = format!("/crm/v3/owners/{}", path_segment(owner_id));
    match client.get(&path, &[]).await {
        Ok(response) => response.json(client.provider()),
        Err(UnifiedError::NotFound(_)) => client.get(&path, &[("archived", "true")]).await?.json(client.provider()),
        Err(error) => Err(error),
    }
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
        let mut parsed = unified_core::transport::parse_error_as_text(status, body);
        if matches!(status, 423 | 477) {
            parsed.kind = Some(FailureKind::Busy);
            parsed.retry_after = (status == 423).then_some(2);
        }
        return parsed;
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
        let Some(context) = &detail.context else { continue };
        details.extend(context.property_name.iter().map(|p| FieldError::new(unified_field(p), detail.message.clone())));
        // MISSING_SCOPES: the scopes the connection's app must be granted (any one of them would do).
        let scopes = if context.required_granular_scopes.is_empty() {
            &context.required_scopes
        } else {
            &context.required_granular_scopes
        };
        if !scopes.is_empty() {
            details.push(FieldError::new(
                "scopes",
                format!("the HubSpot app needs one of these scopes: {}", scopes.join(", ")),
            ));
        }
    }
    if status == 409
        && let Some(id) = existing_id_in(&error.message)
    {
        details.push(FieldError::new("email", format!("a contact with this email already exists (id {id})")));
    }
    let kind = match (status, error.category.as_deref(), error.error_type.as_deref()) {
        (_, _, Some("RATE_LIMIT")) | (429, _, _) => Some(FailureKind::RateLimited),
        (401, Some("EXPIRED_AUTHENTICATION"), _) => Some(FailureKind::AuthExpired),
        // 423 Locked (a burst of writes; the lock lasts about 2 s) and 477 Migration in Progress (the
        // account is moving data centre; it sends Retry-After): nothing was done, the call may be sent again.
        (423 | 477, _, _) => Some(FailureKind::Busy),
        _ => None,
    };
    // HubSpot sends no Retry-After: the secondly window frees up within a second; a daily limit does
    // not, so its wait is past any retry budget and goes straight back to the caller.
    let retry_after = match (status, error.policy_name.as_deref()) {
        (_, Some("DAILY")) => Some(3600),
        (_, Some(_)) => Some(1),
        (423, None) => Some(2),
        _ => None,
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
    fn missing_scopes_are_named() {
        let body = br#"{"status":"error","message":"This app hasn't been granted all required scopes to make this call.","correlationId":"f1","errors":[{"message":"One or more of the following scopes are required.","context":{"requiredGranularScopes":["crm.objects.deals.write"]}}],"category":"MISSING_SCOPES"}"#;
        let parsed = parse_error(403, body);
        assert_eq!(parsed.details[0].field, "scopes");
        assert!(parsed.details[0].message.contains("crm.objects.deals.write"), "{:?}", parsed.details);
    }

    #[test]
    fn locked_and_migrating_are_busy() {
        assert_eq!(parse_error(423, b"").kind, Some(FailureKind::Busy));
        assert_eq!(parse_error(423, b"").retry_after, Some(2));
        let body = br#"{"status":"error","message":"Migration in progress","correlationId":"x","category":"MIGRATION_IN_PROGRESS"}"#;
        assert_eq!(parse_error(477, body).kind, Some(FailureKind::Busy));
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
