//! `POST /api/v1/connections`, `GET /api/v1/connections?endUserId=`, `DELETE /api/v1/connections/{id}`:
//! an end user's provider connections, in the caller's tenant and mode. Credentials are write-only.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use unified_core::descriptor::AuthKind;
use unified_core::{ConnectorDescriptor, FieldError, UnifiedError, registry};
use unified_store::{Connection, NewConnection, StoreError, StoredCredentials};

use crate::app::AppState;
use crate::auth::Caller;
use crate::reply::{ApiError, ok, plain_error, success};
use crate::request_id::RequestId;

/// The body of `POST /api/v1/connections`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConnectionInput {
    pub end_user_id: String,
    pub provider: String,
    pub credentials: CredentialsInput,
    #[serde(default)]
    pub settings: BTreeMap<String, String>,
    /// Overrides the provider's API base URL (regional or self-hosted endpoints).
    pub base_url: Option<String>,
}

/// OAuth tokens or an API key. Never returned by any endpoint.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged, deny_unknown_fields)]
pub enum CredentialsInput {
    #[serde(rename_all = "camelCase")]
    OAuth { access_token: String, refresh_token: Option<String>, expires_at: Option<DateTime<Utc>> },
    #[serde(rename_all = "camelCase")]
    ApiKey { api_key: String },
}

/// A connection as the API shows it: everything but the credentials.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionView {
    pub id: String,
    pub end_user_id: String,
    pub provider: String,
    pub mode: String,
    /// `oauth2` or `api_key`.
    pub auth_kind: &'static str,
    pub expires_at: Option<DateTime<Utc>>,
    pub status: String,
    pub settings: BTreeMap<String, String>,
    pub base_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Connection> for ConnectionView {
    fn from(c: &Connection) -> Self {
        Self {
            id: c.id.clone(),
            end_user_id: c.end_user_id.clone(),
            provider: c.provider.clone(),
            mode: c.mode.as_str().to_owned(),
            auth_kind: match c.credentials {
                StoredCredentials::Oauth { .. } => "oauth2",
                StoredCredentials::ApiKey { .. } => "api_key",
            },
            expires_at: c.credentials.expires_at(),
            status: c.status.as_str().to_owned(),
            settings: c.settings.clone(),
            base_url: c.base_url.clone(),
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// Why `descriptor`'s provider cannot use `credentials` (it takes no API key, say), or `None`.
pub fn credential_problem(descriptor: &ConnectorDescriptor, credentials: &StoredCredentials) -> Option<String> {
    let (kind, what) = match credentials {
        StoredCredentials::Oauth { .. } => (AuthKind::Oauth2, "OAuth tokens"),
        StoredCredentials::ApiKey { .. } => (AuthKind::ApiKey, "API keys"),
    };
    let wanted = match descriptor.auth {
        AuthKind::Oauth2 => "an OAuth access token",
        AuthKind::ApiKey => "an API key",
    };
    descriptor.scheme_for(kind).is_none().then(|| format!("{} takes no {what}: send {wanted}", descriptor.name))
}

pub async fn create(
    State(state): State<AppState>,
    request_id: RequestId,
    caller: Caller,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let fail = |e: UnifiedError| ApiError::new(e, &request_id);
    let body = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            fail(UnifiedError::PayloadTooLarge { limit: state.config.body_limit })
        } else {
            fail(UnifiedError::Validation { details: vec![FieldError::new("body", r.body_text())] })
        }
    })?;
    let input: ConnectionInput = serde_json::from_slice(&body)
        .map_err(|e| fail(UnifiedError::Validation { details: vec![FieldError::new("body", e.to_string())] }))?;
    let mut problems = Vec::new();
    if input.end_user_id.trim().is_empty() {
        problems.push(FieldError::new("endUserId", "must not be empty"));
    }
    if let Some(url) = &input.base_url
        && url::Url::parse(url).map(|u| !matches!(u.scheme(), "http" | "https")).unwrap_or(true)
    {
        problems.push(FieldError::new("baseUrl", "must be an http or https URL"));
    }
    if !problems.is_empty() {
        return Err(fail(UnifiedError::Validation { details: problems }));
    }
    let descriptor = registry::lookup(&input.provider).map_err(fail)?;
    let credentials = match input.credentials {
        CredentialsInput::OAuth { access_token, refresh_token, expires_at } => {
            StoredCredentials::Oauth { access_token, refresh_token, expires_at }
        }
        CredentialsInput::ApiKey { api_key } => StoredCredentials::ApiKey { api_key },
    };
    if let Some(problem) = credential_problem(descriptor, &credentials) {
        let field = match credentials {
            StoredCredentials::Oauth { .. } => "credentials.accessToken",
            StoredCredentials::ApiKey { .. } => "credentials.apiKey",
        };
        return Err(fail(UnifiedError::Validation { details: vec![FieldError::new(field, problem)] }));
    }
    let new = NewConnection {
        tenant_id: caller.tenant_id().to_owned(),
        mode: caller.mode(),
        end_user_id: input.end_user_id,
        provider: descriptor.id.to_owned(),
        credentials,
        settings: input.settings,
        base_url: input.base_url,
    };
    match state.store.insert_connection(new).await {
        Ok(connection) => Ok(success(StatusCode::CREATED, "Created", ConnectionView::from(&connection))),
        Err(StoreError::Conflict(message)) => {
            Ok(plain_error(Some(&request_id), StatusCode::CONFLICT, "connection_exists", &message))
        }
        Err(e) => Err(fail(UnifiedError::internal(format!("storing the connection: {e}")))),
    }
}

pub async fn list(
    State(state): State<AppState>,
    request_id: RequestId,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let mut end_user = None;
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "endUserId" => end_user = Some(value.into_owned()),
            other => {
                let message = format!("Unknown query parameter `{other}`; allowed: endUserId");
                return Err(ApiError::new(UnifiedError::InvalidQuery { message }, &request_id));
            }
        }
    }
    let connections = state
        .store
        .list_connections(Some(caller.tenant_id()), Some(caller.mode()), end_user.as_deref())
        .await
        .map_err(|e| ApiError::new(UnifiedError::internal(format!("listing connections: {e}")), &request_id))?;
    Ok(ok(connections.iter().map(ConnectionView::from).collect::<Vec<_>>()))
}

pub async fn remove(
    State(state): State<AppState>,
    request_id: RequestId,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let fail = |e: UnifiedError| ApiError::new(e, &request_id);
    // Only the caller's tenant and mode: another tenant's id is simply not there.
    let mine = state
        .store
        .list_connections(Some(caller.tenant_id()), Some(caller.mode()), None)
        .await
        .map_err(|e| fail(UnifiedError::internal(format!("finding the connection: {e}"))))?
        .into_iter()
        .any(|c| c.id == id);
    let deleted = mine
        && state
            .store
            .delete_connection(Some(caller.tenant_id()), &id)
            .await
            .map_err(|e| fail(UnifiedError::internal(format!("deleting the connection: {e}"))))?;
    if deleted {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Ok(plain_error(Some(&request_id), StatusCode::NOT_FOUND, "connection_not_found", "No such connection"))
    }
}
