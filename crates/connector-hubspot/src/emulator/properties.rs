//! The properties API over the emulated schema: `GET /crm/v3/properties/{objectType}` → `{"results":[…]}`
//! and `GET /crm/v3/properties/{objectType}/{propertyName}` (and `/crm/properties/2026-03/...`).
//! HubSpot-defined properties say `"hubspotDefined": true`; the portal's custom ones leave it out, as
//! HubSpot does. System and calculated properties are read-only values.

use axum::Router;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::Serialize;

use super::errors::{self, Envelope};
use super::model::Shared;
use super::request::{PathParams, Query};
use super::schema::{Access, Kind, ObjectType, Property};

/// When the emulated portal's properties were defined (a fixed instant: the schema is static).
const DEFINED_AT: &str = "2024-02-19T10:12:44.118Z";

pub fn router() -> Router<Shared> {
    ["/crm/v3/properties", "/crm/properties/{version}"].into_iter().fold(Router::new(), |router, prefix| {
        router
            .route(&format!("{prefix}/{{object_type}}"), get(all))
            .route(&format!("{prefix}/{{object_type}}/{{object_id}}"), get(one))
    })
}

/// A property definition, in HubSpot's field order.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PropertyOut {
    updated_at: &'static str,
    created_at: &'static str,
    name: &'static str,
    label: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    field_type: &'static str,
    description: &'static str,
    group_name: &'static str,
    options: Vec<OptionOut>,
    display_order: i32,
    calculated: bool,
    external_options: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    referenced_object_type: Option<&'static str>,
    has_unique_value: bool,
    hidden: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    hubspot_defined: Option<bool>,
    modification_metadata: Modification,
    form_field: bool,
    data_sensitivity: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct OptionOut {
    label: &'static str,
    value: &'static str,
    display_order: usize,
    hidden: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Modification {
    archivable: bool,
    read_only_definition: bool,
    read_only_value: bool,
}

#[derive(Debug, Serialize)]
struct Listing {
    results: Vec<PropertyOut>,
}

fn describe(ty: ObjectType, property: &Property) -> PropertyOut {
    let (kind, field_type) = property.wire_types();
    let options = match &property.kind {
        Kind::Enumeration(enumeration) => enumeration
            .options
            .iter()
            .enumerate()
            .map(|(i, &(label, value))| OptionOut { label, value, display_order: i, hidden: false })
            .collect(),
        _ => Vec::new(),
    };
    let owner = matches!(property.kind, Kind::Owner);
    PropertyOut {
        updated_at: DEFINED_AT,
        created_at: DEFINED_AT,
        name: property.name,
        label: property.label,
        kind,
        field_type,
        description: "",
        group_name: ty.property_group(),
        options,
        display_order: -1,
        calculated: property.access == Access::Calculated,
        external_options: owner,
        referenced_object_type: owner.then_some("OWNER"),
        has_unique_value: property.name == "hs_object_id",
        hidden: false,
        hubspot_defined: (!property.custom).then_some(true),
        modification_metadata: Modification {
            archivable: property.custom,
            read_only_definition: !property.custom,
            read_only_value: property.read_only(),
        },
        form_field: !property.read_only(),
        data_sensitivity: "non_sensitive",
    }
}

/// `?archived=true` lists archived properties: the emulated portal has none.
async fn all(Path(path): Path<PathParams>, RawQuery(raw): RawQuery) -> Response {
    let ty = match path.object_type() {
        Ok(ty) => ty,
        Err(response) => return response,
    };
    let archived = Query::parse(raw.as_deref()).flag("archived");
    let results = if archived { Vec::new() } else { ty.properties().iter().map(|p| describe(ty, p)).collect() };
    errors::json(StatusCode::OK, &Listing { results })
}

async fn one(Path(path): Path<PathParams>) -> Response {
    let ty = match path.object_type() {
        Ok(ty) => ty,
        Err(response) => return response,
    };
    match ty.property(path.id()) {
        Some(property) => errors::json(StatusCode::OK, &describe(ty, property)),
        None => Envelope::new(
            Some("OBJECT_NOT_FOUND"),
            format!("Unable to find property {} for object type {}", path.id(), ty.type_id()),
        )
        .into_response(StatusCode::NOT_FOUND),
    }
}
