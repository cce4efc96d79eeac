//! `GET /crm/v3/objects/{type}?limit=&after=&properties=&associations=&archived=`: a type's live (or,
//! with `archived=true`, only its archived) records in id order, a page at a time. No `total`, and a
//! `paging.next` only when there is a next page.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::Response;
use serde::Serialize;
use unified_emulator::lock;

use super::errors;
use super::model::Shared;
use super::render::{ObjectOut, Selection, render};
use super::request::{PathParams, Query};
use super::store::Record;

pub const DEFAULT_LIMIT: usize = 10;
pub const MAX_LIMIT: usize = 100;

#[derive(Debug, Serialize)]
struct Page {
    results: Vec<ObjectOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    paging: Option<Paging>,
}

/// `{"next": {"after": "…", "link"?: "…"}}`.
#[derive(Debug, Serialize)]
pub struct Paging {
    pub next: Next,
}

#[derive(Debug, Serialize)]
pub struct Next {
    pub after: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// A record id as a number, for ordering (every stored id is numeric).
pub fn numeric_id(record: &Record) -> u64 {
    record.id.parse().unwrap_or(u64::MAX)
}

pub async fn list(
    State(shared): State<Shared>,
    Path(path): Path<PathParams>,
    RawQuery(raw): RawQuery,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ty = match path.object_type() {
        Ok(ty) => ty,
        Err(response) => return response,
    };
    let query = Query::parse(raw.as_deref());
    let limit = match query.get("limit").map(str::parse::<usize>) {
        None => DEFAULT_LIMIT,
        Some(Ok(limit)) if (1..=MAX_LIMIT).contains(&limit) => limit,
        Some(_) => {
            let given = query.get("limit").unwrap_or_default();
            return errors::validation(format!("limit must be an integer from 1 to {MAX_LIMIT}, not {given}"));
        }
    };
    // The cursor is the first id of the next page.
    let after = match query.get("after").map(str::parse::<u64>) {
        None => 0,
        Some(Ok(after)) => after,
        Some(Err(_)) => {
            let given = query.get("after").unwrap_or_default();
            return errors::validation(format!("after must be a paging cursor from a previous page, not {given}"));
        }
    };
    let selection = Selection::requested(query.list("properties"));
    let associations = query.object_types("associations");
    let archived = query.flag("archived");

    let state = lock(&shared);
    let mut page: Vec<&Record> =
        state.model.store.records(ty).filter(|r| r.archived() == archived && numeric_id(r) >= after).collect();
    page.sort_unstable_by_key(|r| numeric_id(r));
    let more = page.len() > limit;
    page.truncate(limit);
    let results = page.iter().map(|r| render(&state.model.store, r, &selection, &associations)).collect();
    let paging = match page.last() {
        Some(last) if more => {
            let after = (numeric_id(last) + 1).to_string();
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("api.hubapi.com");
            let rest = query.without("after");
            let separator = if rest.is_empty() { "" } else { "&" };
            let link = format!("http://{host}{}?{rest}{separator}after={after}", uri.path());
            Some(Paging { next: Next { after, link: Some(link) } })
        }
        _ => None,
    };
    drop(state);
    errors::json(StatusCode::OK, &Page { results, paging })
}
