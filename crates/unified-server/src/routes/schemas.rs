//! `GET /api/v1/schemas/{resource}`: the JSON Schema of an input body, generated from the Rust types.

use axum::Json;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use unified_core::ResourceKind;

use crate::reply::ApiError;
use crate::request_id::RequestId;

pub async fn one(request_id: RequestId, Path(resource): Path<String>) -> Result<Response, ApiError> {
    let resource: ResourceKind = resource.parse().map_err(|e| ApiError::new(e, &request_id))?;
    Ok(Json(resource.input_schema()).into_response())
}
