//! Paging, pure: the connector's own cursor and the search requests it leads to.
//!
//! Without `updatedSince` a list follows HubSpot's own `after` of `GET /crm/v3/objects/{type}`. With it,
//! every page is a fresh search from the page before's position (keyset paging on modification time,
//! then id), so the search API's 10,000-result cap is never reached:
//!
//! - `Since { since, strict }`: records modified at (or, `strict`, after) `since`, sorted by
//!   modification time. A full page ends inside a run of records that share its last timestamp `T`, and
//!   HubSpot sorts on one property only, so that run is dropped from the page and the next page starts
//!   again at `T`: every timestamp of a page is complete, and the page is sorted locally by (time, id).
//! - `Block { at, after_id }`: a full page of one timestamp (an import) is paged by id instead, with
//!   `hs_object_id GT after_id`, until the run is done; then `Since { at, strict: true }` goes on.

use serde::{Deserialize, Serialize};

use crate::wire::{Filter, FilterGroup, SearchRequest, Sort};

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "k")]
pub enum Cursor {
    #[serde(rename = "a")]
    After { after: String },
    #[serde(rename = "s")]
    Since { since: i64, strict: bool },
    #[serde(rename = "b")]
    Block { at: i64, after_id: u64 },
}

impl Cursor {
    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("a cursor serializes")
    }

    /// `None` when the text is not a cursor of this connector (the sealed token was made by another
    /// version of it).
    pub fn decode(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }
}

/// The search one page runs: ids and modification times only (the records are read in one batch after).
pub fn search_request<'a>(cursor: &Cursor, modified: &'a str, limit: u32) -> SearchRequest<'a> {
    let filter =
        |property_name: &'a str, operator: &'static str, value: String| Filter { property_name, operator, value };
    let (filters, sort_by) = match cursor {
        Cursor::Since { since, strict } => {
            (vec![filter(modified, if *strict { "GT" } else { "GTE" }, since.to_string())], modified)
        }
        Cursor::Block { at, after_id } => (
            vec![filter(modified, "EQ", at.to_string()), filter("hs_object_id", "GT", after_id.to_string())],
            "hs_object_id",
        ),
        Cursor::After { .. } => (Vec::new(), modified),
    };
    SearchRequest {
        filter_groups: vec![FilterGroup { filters }],
        sorts: vec![Sort { property_name: sort_by, direction: "ASCENDING" }],
        properties: vec![modified, "hs_object_id"],
        limit,
        after: "0",
    }
}

/// One search hit: its id and modification time (epoch ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    pub modified: i64,
    pub id: u64,
}

/// What a search page gives: the hits to answer, in order, and where the next page starts. `None` as the
/// hits means "ask again in `Block` mode" (the whole page shared one timestamp).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub hits: Option<Vec<Hit>>,
    pub next: Option<Cursor>,
}

/// Turns a search answer (`hits`, as HubSpot ordered them) for `cursor` into the page to answer.
pub fn step(cursor: &Cursor, mut hits: Vec<Hit>, limit: u32) -> Step {
    let full = hits.len() >= limit as usize;
    hits.sort_unstable();
    match cursor {
        Cursor::Block { at, .. } => {
            let next = match hits.last() {
                Some(last) if full => Cursor::Block { at: *at, after_id: last.id },
                _ => Cursor::Since { since: *at, strict: true },
            };
            Step { hits: Some(hits), next: Some(next) }
        }
        _ if !full => Step { hits: Some(hits), next: None },
        _ => {
            let last = hits.last().expect("a full page is not empty").modified;
            hits.retain(|h| h.modified < last);
            if hits.is_empty() {
                Step { hits: None, next: Some(Cursor::Block { at: last, after_id: 0 }) }
            } else {
                Step { hits: Some(hits), next: Some(Cursor::Since { since: last, strict: false }) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(modified: i64, id: u64) -> Hit {
        Hit { modified, id }
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_none() {
        for cursor in [
            Cursor::After { after: "88415392072".into() },
            Cursor::Since { since: 1_780_300_800_000, strict: true },
            Cursor::Block { at: 1, after_id: 7 },
        ] {
            assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        }
        assert_eq!(Cursor::decode("after=1"), None);
    }

    #[test]
    fn a_full_page_drops_its_last_timestamp_and_starts_there_next() {
        let step = step(&Cursor::Since { since: 0, strict: false }, vec![hit(20, 3), hit(10, 9), hit(20, 1)], 3);
        assert_eq!(step.hits, Some(vec![hit(10, 9)]));
        assert_eq!(step.next, Some(Cursor::Since { since: 20, strict: false }));
    }

    #[test]
    fn a_short_page_is_the_last_and_is_sorted_by_time_then_id() {
        let step = step(&Cursor::Since { since: 0, strict: false }, vec![hit(20, 3), hit(20, 1)], 3);
        assert_eq!(step.hits, Some(vec![hit(20, 1), hit(20, 3)]));
        assert_eq!(step.next, None);
    }

    #[test]
    fn a_page_of_one_timestamp_pages_by_id_then_goes_on_after_it() {
        let first = step(&Cursor::Since { since: 0, strict: false }, vec![hit(5, 2), hit(5, 1)], 2);
        assert_eq!(first, Step { hits: None, next: Some(Cursor::Block { at: 5, after_id: 0 }) });
        let block = Cursor::Block { at: 5, after_id: 0 };
        let full = step(&block, vec![hit(5, 1), hit(5, 2)], 2);
        assert_eq!(full.next, Some(Cursor::Block { at: 5, after_id: 2 }));
        let rest = step(&Cursor::Block { at: 5, after_id: 2 }, vec![hit(5, 3)], 2);
        assert_eq!(rest.next, Some(Cursor::Since { since: 5, strict: true }));
    }

    #[test]
    fn the_searches() {
        let body = serde_json::to_value(search_request(&Cursor::Block { at: 5, after_id: 7 }, "lastmodifieddate", 100))
            .unwrap();
        assert_eq!(
            body,
            serde_json::json!({"filterGroups": [{"filters": [
                {"propertyName": "lastmodifieddate", "operator": "EQ", "value": "5"},
                {"propertyName": "hs_object_id", "operator": "GT", "value": "7"}]}],
              "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
              "properties": ["lastmodifieddate", "hs_object_id"], "limit": 100, "after": "0"})
        );
    }

    /// A simulation over 25,000 records with long runs of one timestamp and a page size of 100: every
    /// record is answered once, in (time, id) order, and no search reaches past HubSpot's 10,000 cap.
    #[test]
    fn every_record_once_in_order_past_the_cap() {
        let mut records: Vec<Hit> = (0..25_000u64).map(|i| hit(1_000 + (i as i64 / 700) * 3, 10_000 + i)).collect();
        records.reverse();
        let limit = 100;
        let mut cursor = Cursor::Since { since: 0, strict: false };
        let mut seen = Vec::new();
        for _ in 0..10_000 {
            let mut matching: Vec<Hit> = records
                .iter()
                .copied()
                .filter(|h| match &cursor {
                    Cursor::Since { since, strict } => {
                        if *strict {
                            h.modified > *since
                        } else {
                            h.modified >= *since
                        }
                    }
                    Cursor::Block { at, after_id } => h.modified == *at && h.id > *after_id,
                    Cursor::After { .. } => true,
                })
                .collect();
            // HubSpot sorts on one property; within a timestamp the order is its own (here: reversed ids).
            match &cursor {
                Cursor::Block { .. } => matching.sort_by_key(|h| h.id),
                _ => matching.sort_by_key(|h| h.modified),
            }
            matching.truncate(limit as usize);
            let next = step(&cursor, matching, limit);
            seen.extend(next.hits.into_iter().flatten());
            match next.next {
                Some(c) => cursor = c,
                None => break,
            }
        }
        let mut expected = records.clone();
        expected.sort_unstable();
        assert_eq!(seen, expected);
    }
}
