//! A record as HubSpot answers it (`{"id","properties","createdAt","updatedAt","archived","archivedAt"?,
//! "associations"?}`), and the value of any property: stored, derived from the record (`hs_object_id`, the
//! create and modify instants) or calculated from its values and live associations.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use compact_str::CompactString;
use serde::Serialize;

use super::schema::{self, Access, ObjectType};
use super::store::{Record, Store};
use super::time::iso;
use super::validate;

/// Which properties an answer carries (besides `hs_object_id` and the two timestamps, always there).
#[derive(Debug)]
pub enum Selection {
    /// A create's answer: what was written and defaulted (a deal always reports its `amount`).
    Created,
    /// An update's answer: the properties this request wrote.
    Written(Vec<String>),
    /// Every stored property (the control plane's listing).
    All,
    /// A read without `properties=`.
    Defaults,
    /// A read's `properties=a,b`: those the portal defines and the record has (had) a value for.
    Only(Vec<String>),
}

impl Selection {
    /// `properties=` as given, or the defaults when it names nothing.
    pub fn requested(names: Vec<String>) -> Self {
        if names.is_empty() { Self::Defaults } else { Self::Only(names) }
    }
}

/// A CRM object as HubSpot returns it, in HubSpot's field order.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectOut {
    pub id: String,
    pub properties: BTreeMap<String, Option<String>>,
    pub created_at: String,
    pub updated_at: String,
    pub archived: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub associations: Option<BTreeMap<&'static str, AssociationResults>>,
}

#[derive(Debug, Serialize)]
pub struct AssociationResults {
    pub results: Vec<AssociatedId>,
}

#[derive(Debug, Serialize)]
pub struct AssociatedId {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
}

/// A stored value as HubSpot answers it: a cleared one is `null`.
fn answered(value: &Option<CompactString>) -> Option<String> {
    value.as_ref().map(ToString::to_string)
}

pub fn render(store: &Store, record: &Record, selection: &Selection, associations: &[ObjectType]) -> ObjectOut {
    let ty = record.object_type;
    let stored = |name: &str| record.properties.get(name).map(answered);
    let mut properties: BTreeMap<String, Option<String>> = match selection {
        Selection::Created | Selection::All => {
            record.properties.iter().map(|(name, value)| (name.to_string(), answered(value))).collect()
        }
        Selection::Defaults => {
            ty.default_read().iter().filter_map(|&name| Some((name.to_owned(), stored(name)?))).collect()
        }
        // An update echoes what it wrote: a cleared value as the `""` that cleared it.
        Selection::Written(names) => {
            names.iter().filter_map(|name| Some((name.clone(), Some(stored(name)?.unwrap_or_default())))).collect()
        }
        Selection::Only(names) => {
            names.iter().filter_map(|name| Some((name.clone(), requested(store, record, name)?))).collect()
        }
    };
    if matches!(selection, Selection::Created) && ty == ObjectType::Deals {
        properties.entry("amount".to_owned()).or_insert(None);
    }
    properties.insert(ty.created_property().to_owned(), Some(iso(record.created_at)));
    properties.insert(ty.modified_property().to_owned(), Some(iso(record.updated_at)));
    properties.insert("hs_object_id".to_owned(), Some(record.id.to_string()));
    ObjectOut {
        id: record.id.to_string(),
        properties,
        created_at: iso(record.created_at),
        updated_at: iso(record.updated_at),
        archived: record.archived(),
        archived_at: record.archived_at.map(iso),
        associations: association_block(store, record, associations),
    }
}

/// `{"companies":{"results":[{"id","type"}]}}`: one entry per association type, types without a live
/// association left out; `None` when nothing is left.
fn association_block(
    store: &Store,
    record: &Record,
    types: &[ObjectType],
) -> Option<BTreeMap<&'static str, AssociationResults>> {
    let block: BTreeMap<&'static str, AssociationResults> = types
        .iter()
        .map(|&to| {
            let results = record
                .links
                .iter()
                .filter(|l| l.to_type == to && store.live(to, &l.to_id).is_some())
                .map(|l| AssociatedId {
                    id: l.to_id.to_string(),
                    kind: schema::type_of(record.object_type, l.type_id).map_or_else(
                        || format!("{}_to_{}", record.object_type.singular(), to.singular()),
                        schema::AssociationType::v3_name,
                    ),
                })
                .collect();
            (to.name(), AssociationResults { results })
        })
        .filter(|(_, r)| !r.results.is_empty())
        .collect();
    (!block.is_empty()).then_some(block)
}

/// A `properties=` name: `None` leaves it out (the portal does not define it, or the record never had a
/// value), `Some(None)` is a cleared value.
fn requested(store: &Store, record: &Record, name: &str) -> Option<Option<String>> {
    let ty = record.object_type;
    let property = ty.property(name)?;
    if let Some(instant) = system_instant(record, name) {
        return Some(Some(iso(instant)));
    }
    if name == "hs_object_id" {
        return Some(Some(record.id.to_string()));
    }
    if property.access == Access::Calculated
        && let Some(value) = calculated(store, record, name)
    {
        return value.map(Some);
    }
    record.properties.get(name).map(answered)
}

/// The create or modify instant, for the properties that hold them.
pub fn system_instant(record: &Record, name: &str) -> Option<DateTime<Utc>> {
    let ty = record.object_type;
    if name == ty.created_property() {
        Some(record.created_at)
    } else if ty.is_modified_property(name) {
        Some(record.updated_at)
    } else {
        None
    }
}

/// A property's value as text, whatever its source; `None` when it has no value.
pub fn value_of<'r>(store: &Store, record: &'r Record, name: &str) -> Option<Cow<'r, str>> {
    if let Some(instant) = system_instant(record, name) {
        return Some(Cow::Owned(iso(instant)));
    }
    if name == "hs_object_id" {
        return Some(Cow::Borrowed(record.id.as_str()));
    }
    if record.object_type.property(name).is_some_and(|p| p.access == Access::Calculated)
        && let Some(value) = calculated(store, record, name)
    {
        return value.map(Cow::Owned);
    }
    record.value(name).map(Cow::Borrowed)
}

/// HubSpot's calculations and roll-ups over what the emulator stores: `None` for a calculated property
/// the emulator has no formula for (its value is whatever was seeded), `Some(None)` for no value.
fn calculated(store: &Store, record: &Record, name: &str) -> Option<Option<String>> {
    let value = |name: &str| record.value(name);
    Some(match (record.object_type, name) {
        (ObjectType::Deals, "amount_in_home_currency") => value("amount").map(ToString::to_string),
        (ObjectType::Deals, "days_to_close") => value("closedate")
            .and_then(validate::datetime)
            .map(|close| (close - record.created_at).num_days().max(0).to_string()),
        (ObjectType::Companies, "num_associated_contacts") => {
            let mut ids: Vec<&str> = record
                .links
                .iter()
                .filter(|l| l.to_type == ObjectType::Contacts && store.live(l.to_type, &l.to_id).is_some())
                .map(|l| l.to_id.as_str())
                .collect();
            ids.sort_unstable();
            ids.dedup();
            Some(ids.len().to_string())
        }
        _ => return None,
    })
}
