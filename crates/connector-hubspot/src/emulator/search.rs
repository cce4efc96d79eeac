//! `POST /crm/v3/objects/{type}/search`: HubSpot's CRM search over the live records of a type.
//! `filterGroups` (filters ANDed inside a group, groups ORed), a free-text `query`, the first of `sorts`
//! (unsorted, oldest created first), `properties`, `limit` and an integer offset `after`. HubSpot sorts on
//! that one property only and answers ties in an order of its own: here, the order the portal stored
//! the records in (creation order, or a seed's), so that a seeded portal reproduces a recorded one.
//! The answer is `{"total", "results", "paging"?}`, never with associations. HubSpot's limits apply:
//! 5 groups, 6 filters in a group, 18 in all, 200 results a page, 10,000 results a query, and a body of
//! at most 3,000 characters.

use std::cmp::Ordering;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use unified_emulator::lock;

use super::errors;
use super::filters::{Filter, FilterIn, Operand, Type, property_type, record_operand};
use super::list::{Next, Paging};
use super::model::Shared;
use super::render::{ObjectOut, Selection, render, value_of};
use super::request::PathParams;
use super::schema::ObjectType;
use super::store::{Record, Store};
use super::validate;

pub const MAX_BODY_CHARS: usize = 3000;
pub const MAX_GROUPS: usize = 5;
pub const MAX_FILTERS_PER_GROUP: usize = 6;
pub const MAX_FILTERS: usize = 18;
pub const DEFAULT_LIMIT: usize = 10;
pub const MAX_LIMIT: usize = 200;
/// How far a query can page: `after + limit` may not pass it.
pub const MAX_RESULTS: usize = 10_000;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchIn {
    #[serde(default)]
    filter_groups: Vec<GroupIn>,
    #[serde(default)]
    sorts: Vec<SortIn>,
    #[serde(default)]
    properties: Vec<String>,
    #[serde(default)]
    query: Option<String>,
    #[serde(default)]
    limit: Option<Value>,
    #[serde(default)]
    after: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct GroupIn {
    #[serde(default)]
    filters: Vec<FilterIn>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SortIn {
    property_name: String,
    #[serde(default)]
    direction: Option<String>,
}

#[derive(Debug, Serialize)]
struct SearchOut {
    total: usize,
    results: Vec<ObjectOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    paging: Option<Paging>,
}

/// A checked search request.
struct Search {
    groups: Vec<Vec<Filter>>,
    query: Vec<String>,
    sort: Option<Sort>,
    selection: Selection,
    limit: usize,
    after: usize,
}

struct Sort {
    property: String,
    kind: Type,
    descending: bool,
}

pub async fn search(State(shared): State<Shared>, Path(path): Path<PathParams>, body: Bytes) -> Response {
    let ty = match path.object_type() {
        Ok(ty) => ty,
        Err(response) => return response,
    };
    let search = match parse(ty, &body) {
        Ok(search) => search,
        Err(message) => return errors::validation(message),
    };
    let state = lock(&shared);
    let store = &state.model.store;
    let mut hits: Vec<(&Record, Option<Operand>)> = store
        .records(ty)
        .filter(|r| !r.archived() && search.matches(store, r))
        .map(|r| (r, search.sort.as_ref().and_then(|s| record_operand(store, r, &s.property, s.kind))))
        .collect();
    // Stable sorts: ties stay in storage order.
    match &search.sort {
        Some(sort) => hits.sort_by(|(_, ka), (_, kb)| by_key(ka, kb, sort.descending)),
        None => hits.sort_by_key(|(r, _)| r.created_at),
    }
    let total = hits.len();
    let results = hits
        .iter()
        .skip(search.after)
        .take(search.limit)
        .map(|(r, _)| render(store, r, &search.selection, &[]))
        .collect();
    let next = search.after + search.limit;
    let paging =
        (search.limit > 0 && next < total).then(|| Paging { next: Next { after: next.to_string(), link: None } });
    let body = SearchOut { total, results, paging };
    drop(state);
    errors::json(StatusCode::OK, &body)
}

/// Missing values last in either direction (as HubSpot's index sorts them).
fn by_key(a: &Option<Operand>, b: &Option<Operand>, descending: bool) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => {
            let ordering = a.sort_order(b);
            if descending { ordering.reverse() } else { ordering }
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

impl Search {
    fn matches(&self, store: &Store, record: &Record) -> bool {
        let groups = self.groups.is_empty() || self.groups.iter().any(|g| g.iter().all(|f| f.matches(store, record)));
        groups && (self.query.is_empty() || matches_query(store, record, &self.query))
    }
}

/// Every word of the query starts a word of one of the type's searchable properties.
fn matches_query(store: &Store, record: &Record, words: &[String]) -> bool {
    let ty = record.object_type;
    let values: Vec<String> =
        ty.searchable().iter().filter_map(|name| value_of(store, record, name)).map(|v| v.to_lowercase()).collect();
    words.iter().all(|word| values.iter().any(|value| split_words(value).any(|w| w.starts_with(word.as_str()))))
}

fn split_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty())
}

/// A number or a numeric string (HubSpot takes both for `limit` and `after`).
fn count(value: Option<&Value>, field: &str) -> Result<Option<usize>, String> {
    let parsed = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_u64().and_then(|n| usize::try_from(n).ok()),
        Some(Value::String(s)) => s.trim().parse().ok(),
        Some(_) => None,
    };
    parsed.map(Some).ok_or_else(|| format!("{field} must be a non-negative integer"))
}

fn parse(ty: ObjectType, body: &[u8]) -> Result<Search, String> {
    let characters = String::from_utf8_lossy(body).chars().count();
    if characters > MAX_BODY_CHARS {
        return Err(format!(
            "The request body is {characters} characters long; a search request can be at most {MAX_BODY_CHARS}."
        ));
    }
    let input: SearchIn =
        serde_json::from_value(validate::parse_json(body)?).map_err(|e| validate::invalid(&e.to_string()))?;

    let filters: usize = input.filter_groups.iter().map(|g| g.filters.len()).sum();
    if input.filter_groups.len() > MAX_GROUPS {
        return Err(format!(
            "Too many filter groups: {} (a search can have at most {MAX_GROUPS}).",
            input.filter_groups.len()
        ));
    }
    if let Some(group) = input.filter_groups.iter().find(|g| g.filters.len() > MAX_FILTERS_PER_GROUP) {
        return Err(format!(
            "Too many filters in a filter group: {} (a group can have at most {MAX_FILTERS_PER_GROUP}).",
            group.filters.len()
        ));
    }
    if filters > MAX_FILTERS {
        return Err(format!("Too many filters: {filters} (a search can have at most {MAX_FILTERS} in all)."));
    }
    let groups = input
        .filter_groups
        .iter()
        .map(|g| g.filters.iter().map(|f| Filter::parse(ty, f)).collect::<Result<Vec<_>, _>>())
        .collect::<Result<Vec<_>, _>>()?;

    // Only the first sort counts, as in HubSpot.
    let sort = match input.sorts.first() {
        None => None,
        Some(sort) => {
            let kind = property_type(ty, &sort.property_name)
                .ok_or_else(|| format!("Property \"{}\" does not exist on {}", sort.property_name, ty.name()))?;
            let descending = match sort.direction.as_deref() {
                None | Some("ASCENDING") => false,
                Some("DESCENDING") => true,
                Some(other) => return Err(format!("{other} is not a sort direction: ASCENDING or DESCENDING")),
            };
            Some(Sort { property: sort.property_name.clone(), kind, descending })
        }
    };

    let limit = count(input.limit.as_ref(), "limit")?.unwrap_or(DEFAULT_LIMIT);
    if limit > MAX_LIMIT {
        return Err(format!("limit must be at most {MAX_LIMIT}, not {limit}"));
    }
    let after = count(input.after.as_ref(), "after")?.unwrap_or(0);
    if after + limit > MAX_RESULTS {
        return Err(format!(
            "The search results limit of {MAX_RESULTS} was reached: after ({after}) + limit ({limit}) is past it. \
             Narrow the search (for example by hs_object_id or the modification date) to read further."
        ));
    }
    let query = input.query.as_deref().unwrap_or_default().to_lowercase();
    Ok(Search {
        groups,
        query: split_words(&query).map(str::to_owned).collect(),
        sort,
        selection: Selection::requested(input.properties),
        limit,
        after,
    })
}
