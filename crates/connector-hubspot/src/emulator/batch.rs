//! `POST /crm/v3/objects/{type}/batch/read` `{"properties":[…],"idProperty"?,"inputs":[{"id":"…"}]}`
//! (`?archived=true` reads archived records): `{"status":"COMPLETE","results":[…],"startedAt","completedAt"}`,
//! or `207` with HubSpot's `OBJECT_NOT_FOUND` error naming the ids it could not read. No associations.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use unified_emulator::lock;

use super::errors;
use super::model::Shared;
use super::objects::find;
use super::render::{ObjectOut, Selection, render};
use super::request::{PathParams, Query};
use super::time::iso;
use super::validate;

/// HubSpot's cap on the inputs of one object batch call.
pub const MAX_INPUTS: usize = 100;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BatchReadIn {
    #[serde(default)]
    properties: Vec<String>,
    #[serde(default)]
    id_property: Option<String>,
    inputs: Vec<IdIn>,
}

#[derive(Debug, Deserialize)]
pub struct IdIn {
    pub id: Value,
}

impl IdIn {
    /// HubSpot takes ids as strings or numbers.
    pub fn text(&self) -> String {
        match &self.id {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

/// A batch answer, in HubSpot's field order.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchOut<T: Serialize> {
    pub status: &'static str,
    pub results: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_errors: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<Value>>,
    pub started_at: String,
    pub completed_at: String,
}

impl<T: Serialize> BatchOut<T> {
    /// `200`, or `207` (Multi-Status) when some inputs failed.
    pub fn complete(results: Vec<T>, errors: Vec<Value>, at: chrono::DateTime<chrono::Utc>) -> Response {
        let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::MULTI_STATUS };
        let body = Self {
            status: "COMPLETE",
            results,
            num_errors: (!errors.is_empty()).then_some(errors.len()),
            errors: (!errors.is_empty()).then_some(errors),
            started_at: iso(at),
            completed_at: iso(at),
        };
        errors::json(status, &body)
    }
}

pub async fn read(
    State(shared): State<Shared>,
    Path(path): Path<PathParams>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    let ty = match path.object_type() {
        Ok(ty) => ty,
        Err(response) => return response,
    };
    let input: BatchReadIn = match validate::parse_json(&body)
        .and_then(|v| serde_json::from_value(v).map_err(|e| validate::invalid(&e.to_string())))
    {
        Ok(input) => input,
        Err(message) => return errors::validation(message),
    };
    if input.inputs.len() > MAX_INPUTS {
        return errors::validation(format!("Too many inputs: {} (at most {MAX_INPUTS})", input.inputs.len()));
    }
    let archived = Query::parse(raw.as_deref()).flag("archived");
    let selection = Selection::requested(input.properties);
    let state = lock(&shared);
    let mut results: Vec<ObjectOut> = Vec::new();
    let mut missing: Vec<String> = Vec::new();
    for id in input.inputs.iter().map(IdIn::text) {
        match find(&state.model.store, ty, &id, input.id_property.as_deref()).filter(|r| r.archived() == archived) {
            Some(record) => results.push(render(&state.model.store, record, &selection, &[])),
            None => missing.push(id),
        }
    }
    let errors = if missing.is_empty() {
        Vec::new()
    } else {
        let message = format!(
            "Could not get some {} objects, they may be deleted or not exist. Check that ids are valid.",
            ty.upper()
        );
        vec![
            json!({"status": "error", "category": "OBJECT_NOT_FOUND", "message": message, "context": {"ids": missing}}),
        ]
    };
    let now = state.now();
    drop(state);
    BatchOut::complete(results, errors, now)
}
