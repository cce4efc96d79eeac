//! The in-memory org: records per sObject in creation order, an index by 18-character id, and each
//! object's record counter. Deleted records stay (Salesforce's recycle bin) but are no longer found.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde_json::Value;
use unified_emulator::ids::Counter;

use super::ids;
use super::schema::{API_USER, QUEUE_SEED, SObjectType, USERS_SEED};

#[derive(Debug, Clone)]
pub struct Record {
    /// 18 characters.
    pub id: String,
    pub sobject: SObjectType,
    /// What was written and defaulted, by canonical field name; system fields are derived.
    pub fields: BTreeMap<String, Value>,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub created_by: String,
    pub deleted: bool,
}

impl Record {
    pub fn text(&self, field: &str) -> Option<&str> {
        self.fields.get(field).and_then(Value::as_str).filter(|v| !v.is_empty())
    }
}

#[derive(Debug, Clone)]
struct Table {
    records: Vec<Record>,
    /// The next record number.
    next: Counter,
}

#[derive(Debug, Clone)]
pub struct Store {
    tables: BTreeMap<SObjectType, Table>,
    by_id: HashMap<String, (SObjectType, usize)>,
}

impl Store {
    /// An org with its users and its lead queue.
    pub fn new(now: DateTime<Utc>) -> Self {
        let tables = SObjectType::ALL
            .into_iter()
            .map(|t| (t, Table { records: Vec::new(), next: Counter::starting_at(t.first_number()) }))
            .collect();
        let mut store = Self { tables, by_id: HashMap::new() };
        let since = DateTime::parse_from_rfc3339("2024-02-19T10:12:44Z").map_or(now, |t| t.with_timezone(&Utc));
        let api_user = ids::to18(API_USER);
        for user in USERS_SEED {
            let mut values: BTreeMap<String, Value> =
                user.fields.iter().map(|(k, v)| ((*k).to_owned(), Value::from(*v))).collect();
            values.insert("IsActive".into(), Value::Bool(user.active));
            store.insert(Record {
                id: ids::to18(user.id),
                sobject: SObjectType::User,
                fields: values,
                created: since,
                modified: since,
                created_by: api_user.clone(),
                deleted: false,
            });
        }
        let (id, name, developer_name) = QUEUE_SEED;
        store.insert(Record {
            id: ids::to18(id),
            sobject: SObjectType::Group,
            fields: BTreeMap::from([
                ("Name".to_owned(), Value::from(name)),
                ("DeveloperName".to_owned(), Value::from(developer_name)),
                ("Type".to_owned(), Value::from("Queue")),
                ("Email".to_owned(), Value::Null),
            ]),
            created: since,
            modified: since,
            created_by: api_user.clone(),
            deleted: false,
        });
        store
    }

    /// The next free id of an object.
    pub fn next_id(&mut self, sobject: SObjectType) -> String {
        let table = self.tables.get_mut(&sobject).expect("every sObject has a table");
        table.next.next_free(|n| ids::make(sobject.key_prefix(), n), |id| self.by_id.contains_key(id))
    }

    /// A live record by a 15- or 18-character id (of any object).
    pub fn get(&self, id: &str) -> Option<&Record> {
        let (sobject, i) = self.by_id.get(&ids::to18(id))?;
        let record = &self.tables[sobject].records[*i];
        (!record.deleted).then_some(record)
    }

    pub fn exists(&self, id: &str) -> bool {
        self.by_id.contains_key(&ids::to18(id))
    }

    pub fn insert(&mut self, record: Record) {
        let table = self.tables.get_mut(&record.sobject).expect("every sObject has a table");
        self.by_id.insert(record.id.clone(), (record.sobject, table.records.len()));
        table.records.push(record);
    }

    /// Deletes a live record; `false` when there is none.
    pub fn delete(&mut self, sobject: SObjectType, id: &str) -> bool {
        let Some((found, i)) = self.by_id.get(&ids::to18(id)).copied() else { return false };
        if found != sobject {
            return false;
        }
        let record = &mut self.tables.get_mut(&found).expect("every sObject has a table").records[i];
        if record.deleted {
            return false;
        }
        record.deleted = true;
        true
    }

    /// An object's live records in creation order.
    pub fn records(&self, sobject: SObjectType) -> impl Iterator<Item = &Record> {
        self.tables[&sobject].records.iter().filter(|r| !r.deleted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_users_and_queue_and_ids() {
        let mut store = Store::new(Utc::now());
        let john = store.get(API_USER).expect("found by its 15-character id");
        assert_eq!(john.text("Email"), Some("john.smith@acme.com"));
        assert!(store.get(&ids::to18(QUEUE_SEED.0)).is_some());
        let first = store.next_id(SObjectType::Contact);
        assert!(first.starts_with("0038c0") && first.len() == 18 && ids::is_well_formed(&first), "{first}");
        assert_ne!(store.next_id(SObjectType::Contact), first);
    }

    #[test]
    fn deleted_records_are_not_found() {
        let mut store = Store::new(Utc::now());
        let id = store.next_id(SObjectType::Account);
        let now = Utc::now();
        store.insert(Record {
            id: id.clone(),
            sobject: SObjectType::Account,
            fields: BTreeMap::new(),
            created: now,
            modified: now,
            created_by: String::new(),
            deleted: false,
        });
        assert!(!store.delete(SObjectType::Contact, &id), "wrong object");
        assert!(store.delete(SObjectType::Account, &id));
        assert!(!store.delete(SObjectType::Account, &id), "already deleted");
        assert!(store.get(&id).is_none() && store.exists(&id));
        assert_eq!(store.records(SObjectType::Account).count(), 0);
    }
}
