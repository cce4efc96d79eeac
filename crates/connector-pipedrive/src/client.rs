//! One function per Pipedrive call, through unified-core's transport, and `parse_error`.
//!
//! Paths are relative to the connection's base URL: the company domain of the OAuth token answer
//! (`api_domain`, e.g. `https://northwind.pipedrive.com`) or `https://api.pipedrive.com`.

use chrono::{DateTime, Utc};
use unified_core::transport::{FailureKind, Method, ProviderClient, ProviderError, RawRequest, RawResponse};
use unified_core::{FieldError, UnifiedError};

use crate::mapping::custom::Entity;
use crate::mapping::fields::{field_in_message, unified_field};
use crate::wire::{
    ActivityCreate, DealCreate, Envelope, ErrorBody, Field, LeadCreate, LeadLabel, Organization, OrganizationCreate,
    OrganizationHit, PersonCreate, PersonHit, SearchResults, User,
};

/// `POST /api/v2/persons`.
pub async fn create_person(client: &ProviderClient, body: &PersonCreate) -> Result<RawResponse, UnifiedError> {
    client.post_json("/api/v2/persons", body).await
}

/// `GET /api/v2/persons/{id}`.
pub async fn person(client: &ProviderClient, id: u64) -> Result<RawResponse, UnifiedError> {
    client.get(&format!("/api/v2/persons/{id}"), &[]).await
}

/// `DELETE /api/v2/persons/{id}` (rolls back a person this create made).
pub async fn delete_person(client: &ProviderClient, id: u64) -> Result<(), UnifiedError> {
    delete(client, format!("/api/v2/persons/{id}")).await
}

/// `GET /api/v2/persons/search?term=<email>&fields=email&exact_match=true`: the person with this e-mail.
pub async fn find_person_by_email(client: &ProviderClient, email: &str) -> Result<Option<u64>, UnifiedError> {
    let query = [("term", email), ("fields", "email"), ("exact_match", "true")];
    let response = client.get("/api/v2/persons/search", &query).await?;
    let found: Envelope<SearchResults<PersonHit>> = response.json(client.provider())?;
    Ok(found
        .data
        .items
        .into_iter()
        .find(|hit| hit.item.emails.iter().any(|e| e.trim().eq_ignore_ascii_case(email.trim())))
        .map(|hit| hit.item.id))
}

/// `GET /api/v2/organizations/search?term=<name>&fields=name&exact_match=true`: the organization named
/// exactly so (Pipedrive's exact match ignores case; so does this).
pub async fn find_organization(client: &ProviderClient, name: &str) -> Result<Option<Organization>, UnifiedError> {
    let query = [("term", name), ("fields", "name"), ("exact_match", "true")];
    let response = client.get("/api/v2/organizations/search", &query).await?;
    let found: Envelope<SearchResults<OrganizationHit>> = response.json(client.provider())?;
    let wanted = name.trim();
    let hits = found.data.items;
    let exact = hits.iter().find(|hit| hit.item.name.trim() == wanted);
    let loose = hits.iter().find(|hit| hit.item.name.trim().eq_ignore_ascii_case(wanted));
    Ok(exact.or(loose).map(|hit| Organization { id: hit.item.id, name: Some(hit.item.name.clone()) }))
}

/// `POST /api/v2/organizations`.
pub async fn create_organization(
    client: &ProviderClient,
    body: &OrganizationCreate<'_>,
) -> Result<Organization, UnifiedError> {
    let response = client.post_json("/api/v2/organizations", body).await?;
    Ok(response.json::<Envelope<Organization>>(client.provider())?.data)
}

/// `GET /api/v2/organizations/{id}`.
pub async fn organization(client: &ProviderClient, id: u64) -> Result<Organization, UnifiedError> {
    let response = client.get(&format!("/api/v2/organizations/{id}"), &[]).await?;
    Ok(response.json::<Envelope<Organization>>(client.provider())?.data)
}

/// `DELETE /api/v2/organizations/{id}` (rolls back an organization this create made).
pub async fn delete_organization(client: &ProviderClient, id: u64) -> Result<(), UnifiedError> {
    delete(client, format!("/api/v2/organizations/{id}")).await
}

/// `POST /api/v2/deals`.
pub async fn create_deal(client: &ProviderClient, body: &DealCreate) -> Result<RawResponse, UnifiedError> {
    client.post_json("/api/v2/deals", body).await
}

/// `POST /api/v2/activities`.
pub async fn create_activity(client: &ProviderClient, body: &ActivityCreate) -> Result<RawResponse, UnifiedError> {
    client.post_json("/api/v2/activities", body).await
}

/// `GET /api/v2/activities/{id}?include_fields=attendees`: the attendees come back only when asked for.
pub async fn activity(client: &ProviderClient, id: u64) -> Result<RawResponse, UnifiedError> {
    client.get(&format!("/api/v2/activities/{id}"), &[("include_fields", "attendees")]).await
}

/// `POST /api/v1/leads` (v1 only).
pub async fn create_lead(client: &ProviderClient, body: &LeadCreate) -> Result<RawResponse, UnifiedError> {
    client.post_json("/api/v1/leads", body).await
}

/// `GET /api/v1/leadLabels` (v1 only).
pub async fn lead_labels(client: &ProviderClient) -> Result<Vec<LeadLabel>, UnifiedError> {
    let response = client.get("/api/v1/leadLabels", &[]).await?;
    Ok(response.json::<Envelope<Option<Vec<LeadLabel>>>>(client.provider())?.data.unwrap_or_default())
}

/// `GET /api/v2/personFields` or `dealFields`, every page (500 fields a page).
pub async fn fields(client: &ProviderClient, entity: Entity) -> Result<Vec<Field>, UnifiedError> {
    let path = match entity {
        Entity::Person => "/api/v2/personFields",
        Entity::Deal => "/api/v2/dealFields",
    };
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    // A schema of more than 20 pages (10,000 fields) is not a real company's: stop rather than loop.
    for _ in 0..20 {
        let mut query = vec![("limit", "500")];
        if let Some(cursor) = cursor.as_deref() {
            query.push(("cursor", cursor));
        }
        let response = client.get(path, &query).await?;
        let page: Envelope<Option<Vec<Field>>> = response.json(client.provider())?;
        all.extend(page.data.unwrap_or_default());
        cursor = page.additional_data.and_then(|a| a.next_cursor).filter(|c| !c.is_empty());
        if cursor.is_none() {
            break;
        }
    }
    Ok(all)
}

/// `GET /api/v1/users/{id}` (users exist only in v1).
pub async fn user(client: &ProviderClient, id: &str) -> Result<User, UnifiedError> {
    let response = client.get(&format!("/api/v1/users/{id}"), &[]).await?;
    Ok(response.json::<Envelope<User>>(client.provider())?.data)
}

async fn delete(client: &ProviderClient, path: String) -> Result<(), UnifiedError> {
    client.send(RawRequest { method: Method::DELETE, path, query: Vec::new(), body: None }).await.map(drop)
}

/// The burst window: a burst 429 frees up within it.
pub const BURST_WINDOW_SECONDS: u64 = 2;

/// Pipedrive's error body → message, unified field errors and kind.
pub fn parse_error(status: u16, body: &[u8]) -> ProviderError {
    parse_error_at(status, body, Utc::now())
}

/// [`parse_error`] at a given instant (the daily budget's wait runs to the next midnight UTC).
///
/// - `Validation failed: <path>: <message>; ...` (and a field a message names) become field errors.
/// - A 429 is a rate limit. The daily token budget (Pipedrive says `daily` in the message; the transport
///   shows a parser no headers, so `x-daily-ratelimit-token-remaining: 0` cannot be read here) waits
///   until the budget resets at midnight UTC: past any retry budget, so it goes straight back to the
///   caller. A burst frees up within the 2-second window.
/// - A 403 that is an HTML page is Cloudflare blocking a client that ignored 429s: a rate limit too.
/// - A 401 may be an expired OAuth token: the transport refreshes once where it can.
pub fn parse_error_at(status: u16, body: &[u8], now: DateTime<Utc>) -> ProviderError {
    let parsed = serde_json::from_slice::<ErrorBody>(body).ok().filter(|b| b.error.is_some() || b.message.is_some());
    let Some(error) = parsed else {
        let mut fallback = unified_core::transport::parse_error_as_text(status, body);
        if status == 403 && String::from_utf8_lossy(body).trim_start().starts_with('<') {
            fallback.kind = Some(FailureKind::RateLimited);
            fallback.retry_after = Some(60);
            fallback.message = "blocked for ignoring rate limits (HTML 403)".to_owned();
        }
        return fallback;
    };
    let message = error.error.clone().or(error.message.clone()).unwrap_or_default();
    let mut details = Vec::new();
    if let Some(list) = message.strip_prefix("Validation failed:") {
        for problem in list.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            match problem.split_once(": ") {
                Some((path, why)) => details.push(FieldError::new(unified_field(path), why.trim())),
                None => details.push(FieldError::new("body", problem)),
            }
        }
    } else if matches!(status, 400 | 404 | 422)
        && let Some(field) = field_in_message(&message)
    {
        details.push(FieldError::new(field, message.clone()));
    }
    let daily = {
        let text = message.to_ascii_lowercase();
        text.contains("daily") || text.contains("budget")
    };
    let (kind, retry_after) = match status {
        429 if daily => (Some(FailureKind::RateLimited), Some(seconds_until_utc_midnight(now))),
        429 => (Some(FailureKind::RateLimited), Some(BURST_WINDOW_SECONDS)),
        402 => (Some(FailureKind::Validation), None),
        // Pipedrive answers an expired OAuth token as any refused one (`unauthorized access`): worth one
        // refresh when the connection has a refresh token (an API token is never refreshed).
        401 => (Some(FailureKind::AuthExpired), None),
        _ => (None, None),
    };
    ProviderError { message, details, kind, retry_after }
}

/// Seconds from `now` to the next midnight UTC, at least one.
pub fn seconds_until_utc_midnight(now: DateTime<Utc>) -> u64 {
    let tomorrow = now.date_naive().succ_opt().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc());
    tomorrow.map_or(86_400, |t| u64::try_from((t - now).num_seconds()).unwrap_or(1).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn validation_failures_name_unified_fields() {
        let body = br#"{"success":false,"error":"Validation failed: stage_id: Stage with id 99 does not exist; emails[0].value: must be a string","error_info":"Please check developers.pipedrive.com","data":null,"additional_data":null}"#;
        let parsed = parse_error(400, body);
        let fields: Vec<(&str, &str)> = parsed.details.iter().map(|d| (d.field.as_str(), d.message.as_str())).collect();
        assert_eq!(fields, [("stage", "Stage with id 99 does not exist"), ("email", "must be a string")]);
        assert_eq!(parsed.kind, None);
        let plain = parse_error(404, br#"{"success":false,"error":"Organization not found","error_info":"x"}"#);
        assert_eq!(plain.details[0].field, "company");
        assert_eq!(plain.message, "Organization not found");
    }

    #[test]
    fn burst_and_daily_rate_limits() {
        let burst = br#"{"success":false,"error":"Request over limit","errorCode":429,"error_info":"Please check developers.pipedrive.com","data":null,"additional_data":null}"#;
        let parsed = parse_error(429, burst);
        assert_eq!((parsed.kind, parsed.retry_after), (Some(FailureKind::RateLimited), Some(2)));
        let daily = br#"{"success":false,"error":"Daily API token budget exceeded","errorCode":429,"error_info":"Please check developers.pipedrive.com","data":null,"additional_data":null}"#;
        let parsed = parse_error_at(429, daily, at("2026-05-14T23:00:00Z"));
        assert_eq!((parsed.kind, parsed.retry_after), (Some(FailureKind::RateLimited), Some(3600)));
        assert_eq!(seconds_until_utc_midnight(at("2026-05-14T23:59:59.500Z")), 1);
        assert_eq!(seconds_until_utc_midnight(at("2026-05-14T00:00:00Z")), 86_400);
    }

    #[test]
    fn auth_and_account_errors() {
        let unauthorized = br#"{"success":false,"error":"unauthorized access","errorCode":401,"error_info":"Please check developers.pipedrive.com","data":null,"additional_data":null}"#;
        let parsed = parse_error(401, unauthorized);
        assert_eq!((parsed.message.as_str(), parsed.kind), ("unauthorized access", Some(FailureKind::AuthExpired)));
        assert_eq!(
            parse_error(402, br#"{"success":false,"error":"Payment required"}"#).kind,
            Some(FailureKind::Validation)
        );
        let blocked = parse_error(403, b"<html><head><title>Attention Required! | Cloudflare</title></head></html>");
        assert_eq!((blocked.kind, blocked.retry_after), (Some(FailureKind::RateLimited), Some(60)));
        let oauth = parse_error(400, br#"{"success":false,"error":"invalid_grant","message":"Invalid refresh token"}"#);
        assert_eq!(oauth.message, "invalid_grant");
    }

    #[test]
    fn non_json_bodies_keep_their_text() {
        assert_eq!(parse_error(502, b"Bad Gateway").message, "Bad Gateway");
        assert_eq!(parse_error(503, b"<html>503</html>").message, "");
    }
}
