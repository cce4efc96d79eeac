//! Keyset paging on (modification time, id), written once for every list and search: records come
//! ordered by their [`Position`], and a page starts after the last position of the page before. That is
//! Salesforce's `ORDER BY SystemModstamp, Id` with `WHERE (SystemModstamp > x OR (SystemModstamp = x AND
//! Id > y))`, Pipedrive's `sort_by=update_time` (its `updated_since` is a filter the caller applies
//! first), and HubSpot's search sorted by `hs_lastmodifieddate`. A record modified while a client pages
//! moves to the end, so it is seen again rather than skipped.

use std::cmp::Ordering;

/// Where a record stands in the order: `(modified, id)`, compared in that order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position<M, I> {
    pub modified: M,
    pub id: I,
}

/// One page: the records in order, and the position to start the next page after (`None` on the last).
#[derive(Debug)]
pub struct Page<'a, R, M, I> {
    pub records: Vec<&'a R>,
    pub next: Option<Position<M, I>>,
}

/// The first `limit` records after `after` (from the start when `None`), in (modified, id) order.
pub fn page<'a, R, M: Ord + Clone, I: Ord + Clone>(
    records: impl IntoIterator<Item = &'a R>,
    position: impl Fn(&R) -> Position<M, I>,
    after: Option<&Position<M, I>>,
    limit: usize,
) -> Page<'a, R, M, I> {
    let mut rest: Vec<(Position<M, I>, &'a R)> = records
        .into_iter()
        .map(|record| (position(record), record))
        .filter(|(at, _)| after.is_none_or(|after| at > after))
        .collect();
    let by_position = |a: &(Position<M, I>, &R), b: &(Position<M, I>, &R)| -> Ordering { a.0.cmp(&b.0) };
    let more = rest.len() > limit;
    if more {
        // Only the page's records need sorting: a large store pages in linear time.
        rest.select_nth_unstable_by(limit, by_position);
        rest.truncate(limit);
    }
    rest.sort_unstable_by(by_position);
    let next = if more { rest.last().map(|(at, _)| at.clone()) } else { None };
    Page { records: rest.into_iter().map(|(_, record)| record).collect(), next }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct Row {
        id: u64,
        modified: i64,
    }

    fn at(row: &Row) -> Position<i64, u64> {
        Position { modified: row.modified, id: row.id }
    }

    fn ids(page: &Page<'_, Row, i64, u64>) -> Vec<u64> {
        page.records.iter().map(|r| r.id).collect()
    }

    #[test]
    fn pages_follow_modification_time_then_id() {
        let rows: Vec<Row> = [(3, 20), (1, 10), (4, 10), (2, 30), (5, 10)]
            .into_iter()
            .map(|(id, modified)| Row { id, modified })
            .collect();
        let first = page(&rows, at, None, 2);
        assert_eq!(ids(&first), [1, 4], "ties on time go by id");
        assert_eq!(first.next, Some(Position { modified: 10, id: 4 }));
        let second = page(&rows, at, first.next.as_ref(), 2);
        assert_eq!(ids(&second), [5, 3], "same time, a greater id; then a later time");
        let last = page(&rows, at, second.next.as_ref(), 2);
        assert_eq!((ids(&last), last.next), (vec![2], None));
        let exact = page(&rows, at, None, 5);
        assert_eq!((exact.records.len(), exact.next), (5, None), "a full last page has no next");
        assert!(page(&rows, at, None, 0).records.is_empty());
    }

    #[test]
    fn a_record_modified_while_paging_is_seen_again_not_skipped() {
        let mut rows: Vec<Row> = (1..=4).map(|id| Row { id, modified: 100 }).collect();
        let first = page(&rows, at, None, 2);
        assert_eq!(ids(&first), [1, 2]);
        let next = first.next;
        rows[0].modified = 200;
        let mut seen: Vec<u64> = Vec::new();
        let mut after = next;
        loop {
            let page = page(&rows, at, after.as_ref(), 2);
            seen.extend(ids(&page));
            match page.next {
                Some(position) => after = Some(position),
                None => break,
            }
        }
        assert_eq!(seen, [3, 4, 1], "the rest, then the modified record at its new place");
    }

    #[test]
    fn string_ids_compare_as_text() {
        let rows = [("003B", 1), ("003A", 1)];
        let first = page(&rows, |r| Position { modified: r.1, id: r.0 }, None, 1);
        assert_eq!(first.records, [&("003A", 1)]);
    }
}
