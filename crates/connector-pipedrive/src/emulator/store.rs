//! The in-memory company: records per kind in creation order, each the JSON object Pipedrive returns for
//! it, an id index and each kind's id counter. Deleted records stay (Pipedrive keeps them 30 days) with
//! `is_deleted: true`, out of reads and searches.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};
use unified_emulator::ids::Counter;

/// What the emulator stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Persons,
    Organizations,
    Deals,
    Activities,
    Leads,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Self::Persons, Self::Organizations, Self::Deals, Self::Activities, Self::Leads];

    pub fn parse(segment: &str) -> Option<Self> {
        Some(match segment {
            "persons" | "person" => Self::Persons,
            "organizations" | "organization" => Self::Organizations,
            "deals" | "deal" => Self::Deals,
            "activities" | "activity" => Self::Activities,
            "leads" | "lead" => Self::Leads,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Persons => "persons",
            Self::Organizations => "organizations",
            Self::Deals => "deals",
            Self::Activities => "activities",
            Self::Leads => "leads",
        }
    }

    /// As Pipedrive names it in `<Thing> not found`.
    pub fn thing(self) -> &'static str {
        match self {
            Self::Persons => "Person",
            Self::Organizations => "Organization",
            Self::Deals => "Deal",
            Self::Activities => "Activity",
            Self::Leads => "Lead",
        }
    }

    /// Where each numeric id counter starts (leads have UUIDs).
    pub fn first_id(self) -> u64 {
        match self {
            Self::Persons => 5821,
            Self::Organizations => 2210,
            Self::Deals => 9812,
            Self::Activities => 104_233,
            Self::Leads => 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The id as text (a number, or a lead's UUID).
    pub id: String,
    /// The record as Pipedrive returns it.
    pub body: Map<String, Value>,
}

impl Record {
    pub fn deleted(&self) -> bool {
        self.body.get("is_deleted").and_then(Value::as_bool).unwrap_or(false)
    }

    pub fn text(&self, key: &str) -> Option<&str> {
        self.body.get(key).and_then(Value::as_str)
    }
}

#[derive(Debug)]
struct Table {
    records: Vec<Record>,
    by_id: HashMap<String, usize>,
    next_id: Counter,
}

#[derive(Debug)]
pub struct Store {
    tables: BTreeMap<Kind, Table>,
}

impl Store {
    pub fn new() -> Self {
        let tables = Kind::ALL
            .into_iter()
            .map(|k| {
                (k, Table { records: Vec::new(), by_id: HashMap::new(), next_id: Counter::starting_at(k.first_id()) })
            })
            .collect();
        Self { tables }
    }

    fn table(&self, kind: Kind) -> &Table {
        &self.tables[&kind]
    }

    fn table_mut(&mut self, kind: Kind) -> &mut Table {
        self.tables.get_mut(&kind).expect("every kind has a table")
    }

    /// The next free numeric id of a kind (seeded records may have taken some).
    pub fn next_id(&mut self, kind: Kind) -> u64 {
        let table = self.table_mut(kind);
        table.next_id.next_free(|n| n, |n| table.by_id.contains_key(&n.to_string()))
    }

    pub fn exists(&self, kind: Kind, id: &str) -> bool {
        self.table(kind).by_id.contains_key(id)
    }

    /// A record, deleted or not.
    pub fn get(&self, kind: Kind, id: &str) -> Option<&Record> {
        let table = self.table(kind);
        table.by_id.get(id).map(|&i| &table.records[i])
    }

    /// A record that is not deleted.
    pub fn live(&self, kind: Kind, id: &str) -> Option<&Record> {
        self.get(kind, id).filter(|r| !r.deleted())
    }

    pub fn live_u64(&self, kind: Kind, id: u64) -> Option<&Record> {
        self.live(kind, &id.to_string())
    }

    pub fn insert_into(&mut self, kind: Kind, record: Record) {
        let table = self.table_mut(kind);
        table.by_id.insert(record.id.clone(), table.records.len());
        table.records.push(record);
    }

    /// Marks a live record deleted; `false` when there is none.
    pub fn delete(&mut self, kind: Kind, id: &str, at: &str) -> bool {
        let table = self.table_mut(kind);
        let Some(&i) = table.by_id.get(id) else { return false };
        let record = &mut table.records[i];
        if record.deleted() {
            return false;
        }
        record.body.insert("is_deleted".to_owned(), Value::Bool(true));
        record.body.insert("update_time".to_owned(), Value::String(at.to_owned()));
        true
    }

    /// A kind's records in creation order, deleted ones included.
    pub fn records(&self, kind: Kind) -> impl Iterator<Item = &Record> {
        self.table(kind).records.iter()
    }

    /// A kind's live records.
    pub fn live_records(&self, kind: Kind) -> impl Iterator<Item = &Record> {
        self.records(kind).filter(|r| !r.deleted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(id: u64) -> Record {
        Record { id: id.to_string(), body: json!({"id": id, "is_deleted": false}).as_object().unwrap().clone() }
    }

    #[test]
    fn ids_count_up_skip_taken_ones_and_deletes_stay() {
        let mut store = Store::new();
        assert_eq!(store.next_id(Kind::Persons), 5821);
        store.insert_into(Kind::Persons, record(5822));
        assert_eq!(store.next_id(Kind::Persons), 5823);
        assert!(store.live(Kind::Persons, "5822").is_some());
        assert!(store.delete(Kind::Persons, "5822", "2026-05-14T09:31:02Z"));
        assert!(!store.delete(Kind::Persons, "5822", "2026-05-14T09:31:02Z"), "already deleted");
        assert!(store.live(Kind::Persons, "5822").is_none() && store.get(Kind::Persons, "5822").is_some());
        assert_eq!(store.live_records(Kind::Persons).count(), 0);
        assert_eq!(Kind::parse("organizations"), Some(Kind::Organizations));
    }
}
