//! The in-memory portal: records per object type in creation order, an id index, the live contacts'
//! e-mail index (HubSpot's dedupe key, case-insensitive) and each type's id counter.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use compact_str::{CompactString, ToCompactString};

use super::schema::ObjectType;

/// A record's properties, by name. Ordered, as HubSpot answers them. `CompactString` keeps names and
/// values of up to 24 bytes (nearly all of them) inline: a stored contact is a few heap blocks, not thirty.
pub type Properties = BTreeMap<CompactString, CompactString>;

#[derive(Debug, Clone)]
pub struct Record {
    pub id: CompactString,
    pub object_type: ObjectType,
    /// What was written (and what HubSpot defaults on create); the system properties are derived.
    pub properties: Properties,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
    pub links: Vec<Link>,
}

impl Record {
    pub fn archived(&self) -> bool {
        self.archived_at.is_some()
    }

    pub fn email(&self) -> Option<String> {
        let email = self.properties.get("email")?.trim();
        (!email.is_empty()).then(|| email.to_lowercase())
    }
}

/// An association, kept on both records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub to_type: ObjectType,
    pub to_id: CompactString,
    /// The HubSpot-defined type id it was created with; `None` on the other side's copy.
    pub type_id: Option<u32>,
}

#[derive(Debug)]
struct Table {
    records: Vec<Record>,
    by_id: HashMap<CompactString, usize>,
    next_id: u64,
}

#[derive(Debug)]
pub struct Store {
    tables: BTreeMap<ObjectType, Table>,
    /// Lowercased e-mail → position of the live contact that has it in the contacts' table (records are
    /// never removed, so a position stays valid and saves storing the id twice).
    emails: HashMap<CompactString, usize>,
}

impl Store {
    pub fn new() -> Self {
        let tables = ObjectType::ALL
            .into_iter()
            .map(|ty| (ty, Table { records: Vec::new(), by_id: HashMap::new(), next_id: ty.first_id() }))
            .collect();
        Self { tables, emails: HashMap::new() }
    }

    fn table(&self, ty: ObjectType) -> &Table {
        &self.tables[&ty]
    }

    fn table_mut(&mut self, ty: ObjectType) -> &mut Table {
        self.tables.get_mut(&ty).expect("every object type has a table")
    }

    /// The next free id of a type (seeded records may have taken some).
    pub fn next_id(&mut self, ty: ObjectType) -> CompactString {
        let table = self.table_mut(ty);
        loop {
            let id = table.next_id.to_compact_string();
            table.next_id += 1;
            if !table.by_id.contains_key(&id) {
                return id;
            }
        }
    }

    pub fn exists(&self, ty: ObjectType, id: &str) -> bool {
        self.table(ty).by_id.contains_key(id)
    }

    /// A record by id, live or archived.
    pub fn get(&self, ty: ObjectType, id: &str) -> Option<&Record> {
        let table = self.table(ty);
        table.by_id.get(id).map(|&i| &table.records[i])
    }

    /// A live record by id.
    pub fn live(&self, ty: ObjectType, id: &str) -> Option<&Record> {
        self.get(ty, id).filter(|r| !r.archived())
    }

    /// The first record whose property has this value (`idProperty=email`; e-mails case-insensitive).
    pub fn find_by(&self, ty: ObjectType, property: &str, value: &str) -> Option<&Record> {
        if ty == ObjectType::Contacts && property == "email" {
            return self.contact_by_email(value);
        }
        self.table(ty).records.iter().find(|r| r.properties.get(property).is_some_and(|v| v == value))
    }

    /// The id of the live contact that has this e-mail, if any.
    pub fn contact_with_email(&self, email: &str) -> Option<&str> {
        self.contact_by_email(email).map(|r| r.id.as_str())
    }

    fn contact_by_email(&self, email: &str) -> Option<&Record> {
        let &i = self.emails.get(email.trim().to_lowercase().as_str())?;
        Some(&self.table(ObjectType::Contacts).records[i])
    }

    /// Stores a record (its id must be free) and the other side of each of its associations.
    pub fn insert(&mut self, record: Record) {
        let (ty, id) = (record.object_type, record.id.clone());
        if ty == ObjectType::Contacts
            && !record.archived()
            && let Some(email) = record.email()
        {
            let position = self.table(ty).records.len();
            self.emails.insert(email.into(), position);
        }
        for link in &record.links {
            let back = Link { to_type: ty, to_id: id.clone(), type_id: None };
            if let Some(&i) = self.table(link.to_type).by_id.get(&link.to_id) {
                self.table_mut(link.to_type).records[i].links.push(back);
            }
        }
        let table = self.table_mut(ty);
        table.by_id.insert(id, table.records.len());
        table.records.push(record);
    }

    /// Archives a live record; `false` when there is none.
    pub fn archive(&mut self, ty: ObjectType, id: &str, at: DateTime<Utc>) -> bool {
        let Some(&i) = self.table(ty).by_id.get(id) else { return false };
        let record = &mut self.table_mut(ty).records[i];
        if record.archived() {
            return false;
        }
        record.archived_at = Some(at);
        record.updated_at = at;
        if let Some(email) = record.email()
            && self.contact_with_email(&email) == Some(id)
        {
            self.emails.remove(email.as_str());
        }
        true
    }

    /// A type's records in creation order.
    pub fn records(&self, ty: ObjectType) -> impl Iterator<Item = &Record> {
        self.table(ty).records.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(store: &mut Store, email: &str) -> CompactString {
        let id = store.next_id(ObjectType::Contacts);
        let now = Utc::now();
        store.insert(Record {
            id: id.clone(),
            object_type: ObjectType::Contacts,
            properties: Properties::from([("email".into(), email.into())]),
            created_at: now,
            updated_at: now,
            archived_at: None,
            links: Vec::new(),
        });
        id
    }

    #[test]
    fn emails_are_unique_among_live_contacts_only() {
        let mut store = Store::new();
        let id = contact(&mut store, "Jane@Example.com");
        assert_eq!(store.contact_with_email("jane@example.COM"), Some(id.as_str()));
        assert!(store.archive(ObjectType::Contacts, &id, Utc::now()));
        assert!(!store.archive(ObjectType::Contacts, &id, Utc::now()), "already archived");
        assert_eq!(store.contact_with_email("jane@example.com"), None);
        assert!(store.live(ObjectType::Contacts, &id).is_none() && store.get(ObjectType::Contacts, &id).is_some());
        let again = contact(&mut store, "jane@example.com");
        assert_ne!(again, id);
    }

    #[test]
    fn ids_count_up_and_skip_taken_ones() {
        let mut store = Store::new();
        let first = store.next_id(ObjectType::Deals);
        assert_eq!(first, ObjectType::Deals.first_id().to_string());
        let taken = (ObjectType::Deals.first_id() + 1).to_compact_string();
        let now = Utc::now();
        store.insert(Record {
            id: taken.clone(),
            object_type: ObjectType::Deals,
            properties: Properties::new(),
            created_at: now,
            updated_at: now,
            archived_at: None,
            links: Vec::new(),
        });
        assert_eq!(store.next_id(ObjectType::Deals), (ObjectType::Deals.first_id() + 2).to_string());
    }
}
