//! The in-memory portal: records per object type in the order they were stored, an id index, the live
//! contacts' e-mail index (HubSpot's dedupe key, case-insensitive) and each type's id counter.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use compact_str::{CompactString, ToCompactString};
use unified_emulator::ids::Counter;

use super::schema::{self, ObjectType};

/// Property values as a request writes them, by name: `""` clears a value. Ordered, as HubSpot answers
/// them. `CompactString` keeps names and values of up to 24 bytes (nearly all of them) inline: a stored
/// contact is a few heap blocks, not thirty.
pub type Properties = BTreeMap<CompactString, CompactString>;

/// A record's stored values, by name: `None` for a value that was cleared (it reads back as `null`),
/// `Some("")` for an empty text value (only a seed stores one: HubSpot answers it as `""`).
pub type Values = BTreeMap<CompactString, Option<CompactString>>;

/// Written values as stored: `""` is a cleared value.
pub fn stored(written: Properties) -> Values {
    written.into_iter().map(|(name, value)| (name, (!value.is_empty()).then_some(value))).collect()
}

#[derive(Debug, Clone)]
pub struct Record {
    pub id: CompactString,
    pub object_type: ObjectType,
    /// What was written (and what HubSpot defaults on create); the system properties are derived. A
    /// cleared property keeps its name without a value: it reads back as `null`, while a property never
    /// written is left out of answers.
    pub properties: Values,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
    pub links: Vec<Link>,
}

impl Record {
    pub fn archived(&self) -> bool {
        self.archived_at.is_some()
    }

    /// A property's value, when it has one (an empty text is none).
    pub fn value(&self, name: &str) -> Option<&str> {
        self.properties.get(name)?.as_deref().filter(|v| !v.is_empty())
    }

    pub fn email(&self) -> Option<String> {
        let email = self.value("email")?.trim();
        (!email.is_empty()).then(|| email.to_lowercase())
    }
}

/// An association, kept on both records: each side holds its own direction's type id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub to_type: ObjectType,
    pub to_id: CompactString,
    /// The HubSpot-defined type id, from this record's side (contact → company 279, company → contact 280).
    pub type_id: u32,
}

#[derive(Debug)]
struct Table {
    records: Vec<Record>,
    by_id: HashMap<CompactString, usize>,
    ids: Counter,
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
            .map(|ty| {
                (ty, Table { records: Vec::new(), by_id: HashMap::new(), ids: Counter::starting_at(ty.first_id()) })
            })
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
        table.ids.next_free(|n| n.to_compact_string(), |id| table.by_id.contains_key(id))
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
        self.table(ty).records.iter().find(|r| r.value(property) == Some(value))
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
            self.push_back_link(ty, &id, link);
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

    /// Writes `changes` on a record (an empty value clears a property), stamps `at` as its modification
    /// instant when a value changed, and keeps the e-mail index. `false` when nothing changed.
    pub fn update(&mut self, ty: ObjectType, id: &str, changes: Properties, at: DateTime<Utc>) -> bool {
        let Some(&i) = self.table(ty).by_id.get(id) else { return false };
        let record = &mut self.table_mut(ty).records[i];
        let old_email = record.email();
        let mut changed = false;
        for (name, value) in stored(changes) {
            changed |= record.value(&name) != value.as_deref().filter(|v| !v.is_empty());
            record.properties.insert(name, value);
        }
        if !changed {
            return false;
        }
        record.updated_at = at;
        let new_email = record.email();
        if ty == ObjectType::Contacts && !record.archived() && old_email != new_email {
            if let Some(old) = old_email
                && self.emails.get(old.as_str()) == Some(&i)
            {
                self.emails.remove(old.as_str());
            }
            if let Some(new) = new_email {
                self.emails.insert(new.into(), i);
            }
        }
        true
    }

    /// Associates two live records with a HubSpot-defined type (from `from`'s side), on both records.
    /// `false` when they already were, with that type.
    pub fn link(&mut self, from: ObjectType, from_id: &str, to: ObjectType, to_id: &str, type_id: u32) -> bool {
        let Some(&i) = self.table(from).by_id.get(from_id) else { return false };
        let link = Link { to_type: to, to_id: to_id.into(), type_id };
        let links = &mut self.table_mut(from).records[i].links;
        if links.contains(&link) {
            return false;
        }
        links.push(link.clone());
        self.push_back_link(from, &CompactString::from(from_id), &link);
        true
    }

    /// Removes every association between two records, on both; how many directions were removed.
    pub fn unlink(&mut self, a: ObjectType, a_id: &str, b: ObjectType, b_id: &str) -> usize {
        let mut removed = 0;
        for (ty, id, other, other_id) in [(a, a_id, b, b_id), (b, b_id, a, a_id)] {
            if let Some(&i) = self.table(ty).by_id.get(id) {
                let links = &mut self.table_mut(ty).records[i].links;
                let before = links.len();
                links.retain(|l| !(l.to_type == other && l.to_id == other_id));
                removed += before - links.len();
            }
        }
        removed
    }

    /// The other side's copy of `link`, which starts at record `id` of type `ty`.
    fn push_back_link(&mut self, ty: ObjectType, id: &CompactString, link: &Link) {
        let Some(kind) = schema::type_of(ty, link.type_id) else { return };
        let back = Link { to_type: ty, to_id: id.clone(), type_id: kind.reverse };
        if let Some(&i) = self.table(link.to_type).by_id.get(&link.to_id) {
            let links = &mut self.table_mut(link.to_type).records[i].links;
            if !links.contains(&back) {
                links.push(back);
            }
        }
    }

    /// A type's records in the order they were stored (creation order, or a seed's order).
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
            properties: Values::from([("email".into(), Some(email.into()))]),
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
    fn updates_move_the_email_index_and_stamp_changes_only() {
        let mut store = Store::new();
        let id = contact(&mut store, "old@example.com");
        let later = Utc::now() + chrono::Duration::seconds(5);
        let change = Properties::from([("email".into(), "New@example.com".into())]);
        assert!(store.update(ObjectType::Contacts, &id, change.clone(), later));
        assert_eq!(store.contact_with_email("old@example.com"), None);
        assert_eq!(store.contact_with_email("new@example.com"), Some(id.as_str()));
        assert_eq!(store.get(ObjectType::Contacts, &id).unwrap().updated_at, later);
        assert!(!store.update(ObjectType::Contacts, &id, change, later + chrono::Duration::seconds(1)));
        assert_eq!(store.get(ObjectType::Contacts, &id).unwrap().updated_at, later, "no change, no stamp");
        let cleared = Properties::from([("phone".into(), "".into())]);
        assert!(!store.update(ObjectType::Contacts, &id, cleared, later), "absent and empty are both no value");
        assert_eq!(store.get(ObjectType::Contacts, &id).unwrap().properties["phone"], None, "kept, as cleared");
    }

    #[test]
    fn links_are_kept_on_both_sides_with_their_own_type() {
        let mut store = Store::new();
        let contact_id = contact(&mut store, "a@example.com");
        let company_id = store.next_id(ObjectType::Companies);
        let now = Utc::now();
        store.insert(Record {
            id: company_id.clone(),
            object_type: ObjectType::Companies,
            properties: Values::new(),
            created_at: now,
            updated_at: now,
            archived_at: None,
            links: Vec::new(),
        });
        assert!(store.link(ObjectType::Contacts, &contact_id, ObjectType::Companies, &company_id, 279));
        assert!(!store.link(ObjectType::Contacts, &contact_id, ObjectType::Companies, &company_id, 279));
        let company = store.get(ObjectType::Companies, &company_id).unwrap();
        assert_eq!(company.links, [Link { to_type: ObjectType::Contacts, to_id: contact_id.clone(), type_id: 280 }]);
        assert_eq!(store.unlink(ObjectType::Companies, &company_id, ObjectType::Contacts, &contact_id), 2);
        assert!(store.get(ObjectType::Contacts, &contact_id).unwrap().links.is_empty());
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
            properties: Values::new(),
            created_at: now,
            updated_at: now,
            archived_at: None,
            links: Vec::new(),
        });
        assert_eq!(store.next_id(ObjectType::Deals), (ObjectType::Deals.first_id() + 2).to_string());
    }
}
