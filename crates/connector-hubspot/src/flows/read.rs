//! get and list, once for every resource (see [`Kind`]): read the objects with the properties and
//! associations the read mapping needs, read what else the records need, map, resolve owners.

use std::collections::HashMap;

use unified_core::operation::{ListQuery, Page};
use unified_core::{Call, Output, ProviderFailure, UnifiedError, Warning};

use super::kinds::{Extra, Kind, Needs};
use super::owners;
use crate::mapping::links::Links;
use crate::mapping::{CustomProperties, ReadContext, contact, meeting};
use crate::paging::{self, Cursor, Hit};
use crate::wire::{BatchObjects, CrmObject, ObjectPage};
use crate::{client, properties};

/// A `GET` query string longer than this goes through the batch-read endpoint instead (a portal with
/// hundreds of custom properties would otherwise make a URL HubSpot refuses).
const MAX_QUERY: usize = 3000;

/// `GET /crm/v3/objects/{type}/{id}` with what the read mapping needs.
pub async fn get<K: Kind>(call: Call<'_>, id: &str) -> Result<Output<K::Record>, UnifiedError> {
    let mut warnings = Vec::new();
    let custom = properties::custom(call, K::OBJECT, &mut warnings).await?;
    let ctx = ReadContext { settings: call.settings, custom: &custom };
    let wanted = ctx.properties(K::MAPPED);
    if wanted.iter().map(|p| p.len() + 1).sum::<usize>() > MAX_QUERY {
        let (mut records, mut remote) = read_many::<K>(call, &[id], &custom, &mut warnings).await?;
        let Some(record) = records.pop() else { return Err(not_found(id)) };
        return Ok(Output { record, warnings, remote_data: call.include_remote_data.then(|| remote.remove(0)) });
    }
    let response = client::get_object(call.client, K::OBJECT, id, &wanted, K::LINKS).await?;
    let object: CrmObject<'_> = response.json(crate::PROVIDER)?;
    let links = Links::from_object(&object);
    let extra = extra(call, K::NEEDS, &[&links]).await?;
    let mut record = K::record(&object, &links, &extra, &ctx);
    owners::resolve_all(call, std::slice::from_mut(&mut record), &mut warnings).await;
    Ok(Output { record, warnings, remote_data: call.include_remote_data.then(|| response.body_value()) })
}

/// A `not_found` for an id HubSpot did not return (a batch read leaves missing ids out).
fn not_found(id: &str) -> UnifiedError {
    UnifiedError::NotFound(ProviderFailure::new(crate::PROVIDER, Some(404), format!("no record with id {id}")))
}

/// One page: without `updatedSince`, HubSpot's own list order and `after`; with it, the search API in
/// ascending modification time then id (see [`paging`]).
pub async fn list<K: Kind>(call: Call<'_>, query: &ListQuery) -> Result<Page<K::Record>, UnifiedError> {
    let cursor = match query.cursor.as_deref() {
        Some(text) => Some(Cursor::decode(text).ok_or_else(stale_cursor)?),
        None => None,
    };
    let (ids, next) = match (cursor, query.updated_since) {
        (None, None) => ids_after::<K>(call, query.limit, None).await?,
        (Some(Cursor::After { after }), None) => ids_after::<K>(call, query.limit, Some(&after)).await?,
        (None, Some(since)) => {
            ids_since::<K>(call, Cursor::Since { since: since.millis(), strict: false }, query.limit).await?
        }
        (Some(cursor @ (Cursor::Since { .. } | Cursor::Block { .. })), Some(_)) => {
            ids_since::<K>(call, cursor, query.limit).await?
        }
        _ => return Err(stale_cursor()),
    };
    let mut warnings = Vec::new();
    let custom = properties::custom(call, K::OBJECT, &mut warnings).await?;
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let (records, remote) = if ids.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        read_many::<K>(call, &ids, &custom, &mut warnings).await?
    };
    for warning in &warnings {
        tracing::info!(provider = crate::PROVIDER, field = %warning.field, message = %warning.message, "list warning");
    }
    Ok(Page { records, next: next.map(|c| c.encode()), remote_data: call.include_remote_data.then_some(remote) })
}

fn stale_cursor() -> UnifiedError {
    UnifiedError::InvalidCursor { reason: "it was issued by another version of the HubSpot connector".into() }
}

/// A page of ids from `GET /crm/v3/objects/{type}`.
async fn ids_after<K: Kind>(
    call: Call<'_>,
    limit: u32,
    after: Option<&str>,
) -> Result<(Vec<String>, Option<Cursor>), UnifiedError> {
    let response = client::list_ids(call.client, K::OBJECT, limit, after).await?;
    let page: ObjectPage<'_> = response.json(crate::PROVIDER)?;
    let ids = page.results.iter().map(|o| o.id.as_str().to_owned()).collect();
    let next = page.paging.and_then(|p| p.next).map(|n| Cursor::After { after: n.after.as_str().to_owned() });
    Ok((ids, next))
}

/// A page of ids from the search API, in (modification time, id) order.
async fn ids_since<K: Kind>(
    call: Call<'_>,
    mut cursor: Cursor,
    limit: u32,
) -> Result<(Vec<String>, Option<Cursor>), UnifiedError> {
    // At most twice: a page of one timestamp is asked again in `Block` mode.
    for _ in 0..2 {
        let request = paging::search_request(&cursor, K::MODIFIED, limit);
        let response = client::search(call.client, K::OBJECT, &request).await?;
        let page: ObjectPage<'_> = response.json(crate::PROVIDER)?;
        let hits = page.results.iter().map(|o| hit(o, K::MODIFIED)).collect::<Result<Vec<_>, _>>()?;
        let step = paging::step(&cursor, hits, limit);
        match step.hits {
            Some(hits) => return Ok((hits.iter().map(|h| h.id.to_string()).collect(), step.next)),
            None => cursor = step.next.expect("a block step says where it goes on"),
        }
    }
    Err(UnifiedError::internal("the HubSpot search did not move on from one timestamp"))
}

/// A search hit's id and modification time; a hit without them is HubSpot breaking its own format.
fn hit(object: &CrmObject<'_>, modified: &str) -> Result<Hit, UnifiedError> {
    let id = object.id.as_str().parse().ok();
    let at = object.properties.get(modified).and_then(crate::mapping::timestamp_text);
    match (id, at) {
        (Some(id), Some(at)) => Ok(Hit { modified: at.millis(), id }),
        _ => Err(UnifiedError::ProviderUnavailable(ProviderFailure::new(
            crate::PROVIDER,
            Some(200),
            format!("a search result without a numeric id and `{modified}`"),
        ))),
    }
}

/// The records of `ids`, in that order (ids HubSpot does not know are left out), and their raw objects.
pub async fn read_many<K: Kind>(
    call: Call<'_>,
    ids: &[&str],
    custom: &CustomProperties,
    warnings: &mut Vec<Warning>,
) -> Result<(Vec<K::Record>, Vec<serde_json::Value>), UnifiedError> {
    let ctx = ReadContext { settings: call.settings, custom };
    let response = client::batch_read(call.client, K::OBJECT, ids, &ctx.properties(K::MAPPED)).await?;
    let batch: BatchObjects<'_> = response.json(crate::PROVIDER)?;
    let by_id: HashMap<&str, &CrmObject<'_>> = batch.results.iter().map(|o| (o.id.as_str(), o)).collect();
    let found: Vec<&str> = ids.iter().copied().filter(|id| by_id.contains_key(id)).collect();
    let links = links_of(call, K::OBJECT, K::LINKS, &found).await?;
    let link_refs: Vec<&Links> = found.iter().map(|id| &links[*id]).collect();
    let extra = extra(call, K::NEEDS, &link_refs).await?;
    let mut records: Vec<K::Record> = found.iter().map(|id| K::record(by_id[id], &links[*id], &extra, &ctx)).collect();
    owners::resolve_all(call, &mut records, warnings).await;
    let remote = if call.include_remote_data {
        let raw = response.body_value();
        let raw = raw.get("results").and_then(|r| r.as_array()).cloned().unwrap_or_default();
        found.iter().filter_map(|id| raw.iter().find(|o| o["id"] == *id).cloned()).collect()
    } else {
        Vec::new()
    };
    Ok((records, remote))
}

/// The associations of each of `ids` to each of `types`, with one v4 batch read per type.
pub async fn links_of(
    call: Call<'_>,
    object: &str,
    types: &[&str],
    ids: &[&str],
) -> Result<HashMap<String, Links>, UnifiedError> {
    let mut links: HashMap<String, Links> = ids.iter().map(|id| ((*id).to_owned(), Links::default())).collect();
    if ids.is_empty() {
        return Ok(links);
    }
    for to in types {
        let batch = client::batch_associations(call.client, object, to, ids).await?;
        for (id, found) in &mut links {
            found.add_batch(to, id, &batch);
        }
    }
    Ok(links)
}

/// What the records need beside their objects: the associated contacts, read in one batch.
pub async fn extra(call: Call<'_>, needs: Needs, links: &[&Links]) -> Result<Extra, UnifiedError> {
    let mut extra = Extra::default();
    let mut ids: Vec<&str> = Vec::new();
    for id in links.iter().flat_map(|l| l.of(contact::OBJECT)) {
        if !ids.contains(&id.as_str()) {
            ids.push(id.as_str());
        }
    }
    if needs == Needs::Nothing || ids.is_empty() {
        return Ok(extra);
    }
    match needs {
        Needs::Nothing => {}
        Needs::Attendees => {
            let response = client::batch_read(call.client, contact::OBJECT, &ids, meeting::ATTENDEE_PROPERTIES).await?;
            let batch: BatchObjects<'_> = response.json(crate::PROVIDER)?;
            for object in &batch.results {
                if let Some(attendee) = meeting::attendee_from(object) {
                    extra.attendees.insert(object.id.as_str().to_owned(), attendee);
                }
            }
        }
        Needs::Person => {
            // A lead's custom fields are the lead's own: its contact is read for the person fields only.
            let custom = CustomProperties::default();
            let ctx = ReadContext { settings: call.settings, custom: &custom };
            let response =
                client::batch_read(call.client, contact::OBJECT, &ids, &ctx.properties(contact::MAPPED)).await?;
            let batch: BatchObjects<'_> = response.json(crate::PROVIDER)?;
            for object in &batch.results {
                let person = contact::person_record(&object.properties, &ctx);
                extra.persons.insert(object.id.as_str().to_owned(), person);
            }
        }
    }
    Ok(extra)
}
