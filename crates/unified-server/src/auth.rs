//! The API key extractor: `Authorization: Bearer sk_test_...` or `sk_live_...`.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use unified_core::UnifiedError;
use unified_store::{ApiKey, Mode};

use crate::app::AppState;
use crate::reply::ApiError;
use crate::request_id::RequestId;

/// The authenticated caller: a tenant, and the mode its key grants.
#[derive(Debug, Clone)]
pub struct Caller {
    pub key: ApiKey,
}

impl Caller {
    pub fn tenant_id(&self) -> &str {
        &self.key.tenant_id
    }

    pub fn mode(&self) -> Mode {
        self.key.mode
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let request_id = RequestId::from_request_parts(parts, state).await.unwrap_or_else(|never| match never {});
        let reject =
            |reason: &str| ApiError::new(UnifiedError::Unauthorized { reason: reason.to_owned() }, &request_id);
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Err(reject("Missing API key: send `Authorization: Bearer sk_test_...` or `sk_live_...`"));
        };
        let presented = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .ok_or_else(|| reject("Malformed Authorization header: expected `Bearer <API key>`"))?;
        match state.store.authenticate(presented).await {
            Ok(Some(key)) => Ok(Self { key }),
            Ok(None) => Err(reject("Invalid or revoked API key")),
            Err(e) => Err(ApiError::new(UnifiedError::internal(format!("authenticating: {e}")), &request_id)),
        }
    }
}
