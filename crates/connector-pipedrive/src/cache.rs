//! The per-connection cache of a company's schema: its person fields, deal fields and lead labels, which
//! custom-field names, tags and statuses resolve through. Pipedrive's keys differ per company, so the
//! cache is keyed by the connection (its id, and the base URL its calls go to: two emulators, or a
//! company whose domain changed, never share an entry).
//!
//! Bounded: at most [`capacity`] connections (the least recently used one makes room), each part re-read
//! after [`TTL`], and sooner when a create names a field the cached part lacks (a field added since; at
//! most once per [`MIN_REFRESH`], so that a misspelt name does not re-read the schema on every call).
//!
//! The fixture suite gives every case the same connection id while each recording started empty (a
//! fresh process), so its test binary sets the capacity to 0: nothing is cached there.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use crate::mapping::custom::{Entity, Schema};
use crate::wire::LeadLabel;

/// How many connections the cache holds by default.
pub const DEFAULT_CAPACITY: usize = 1024;
/// How long a part is trusted.
pub const TTL: Duration = Duration::from_secs(600);
/// A part younger than this is not re-read for an unknown name.
pub const MIN_REFRESH: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Part {
    Fields(Entity),
    LeadLabels,
}

#[derive(Debug, Clone)]
enum Value {
    Schema(Arc<Schema>),
    Labels(Arc<Vec<LeadLabel>>),
}

#[derive(Debug)]
struct Entry {
    parts: HashMap<Part, (Instant, Value)>,
    last_used: u64,
}

#[derive(Debug)]
struct Cache {
    entries: HashMap<String, Entry>,
    capacity: usize,
    /// A use counter: the entry with the smallest `last_used` is the least recently used.
    uses: u64,
}

impl Cache {
    fn new(capacity: usize) -> Self {
        Self { entries: HashMap::new(), capacity, uses: 0 }
    }

    fn get(&mut self, key: &str, part: Part) -> Option<(Duration, Value)> {
        self.uses += 1;
        let uses = self.uses;
        let entry = self.entries.get_mut(key)?;
        let (at, value) = entry.parts.get(&part)?;
        let age = at.elapsed();
        if age >= TTL {
            entry.parts.remove(&part);
            return None;
        }
        entry.last_used = uses;
        Some((age, value.clone()))
    }

    fn put(&mut self, key: &str, part: Part, value: Value) {
        if self.capacity == 0 {
            return;
        }
        self.uses += 1;
        let uses = self.uses;
        if !self.entries.contains_key(key) {
            self.shrink_to(self.capacity - 1);
        }
        let entry =
            self.entries.entry(key.to_owned()).or_insert_with(|| Entry { parts: HashMap::new(), last_used: uses });
        entry.last_used = uses;
        entry.parts.insert(part, (Instant::now(), value));
    }

    /// Evicts the least recently used connections until at most `size` remain.
    fn shrink_to(&mut self, size: usize) {
        while self.entries.len() > size {
            let oldest = self.entries.iter().min_by_key(|(_, e)| e.last_used).map(|(k, _)| k.clone());
            match oldest {
                Some(oldest) => self.entries.remove(&oldest),
                None => break,
            };
        }
    }
}

fn cache() -> MutexGuard<'static, Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(Cache::new(DEFAULT_CAPACITY))).lock().unwrap_or_else(PoisonError::into_inner)
}

/// The cache key of a connection.
pub fn key(connection_id: &str, base_url: &str) -> String {
    format!("{connection_id}\u{1f}{}", base_url.trim_end_matches('/'))
}

fn get(key: &str, part: Part) -> Option<(Duration, Value)> {
    cache().get(key, part)
}

fn put(key: &str, part: Part, value: Value) {
    cache().put(key, part, value);
}

/// A cached schema and its age.
pub fn schema(key: &str, entity: Entity) -> Option<(Duration, Arc<Schema>)> {
    match get(key, Part::Fields(entity))? {
        (age, Value::Schema(schema)) => Some((age, schema)),
        _ => None,
    }
}

pub fn put_schema(key: &str, entity: Entity, schema: Arc<Schema>) {
    put(key, Part::Fields(entity), Value::Schema(schema));
}

/// Cached lead labels.
pub fn lead_labels(key: &str) -> Option<Arc<Vec<LeadLabel>>> {
    match get(key, Part::LeadLabels)? {
        (_, Value::Labels(labels)) => Some(labels),
        _ => None,
    }
}

pub fn put_lead_labels(key: &str, labels: Arc<Vec<LeadLabel>>) {
    put(key, Part::LeadLabels, Value::Labels(labels));
}

/// How many connections the cache holds at most; 0 turns caching off (and empties it).
pub fn set_capacity(capacity: usize) {
    let mut cache = cache();
    cache.capacity = capacity;
    cache.shrink_to(capacity);
}

pub fn capacity() -> usize {
    cache().capacity
}

/// Forgets every connection's schema.
pub fn clear() {
    cache().entries.clear();
}

/// How many connections have something cached.
pub fn len() -> usize {
    cache().entries.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tests share the process-wide cache: each uses its own keys and none changes the capacity.
    fn schema_named(name: &str) -> Arc<Schema> {
        Arc::new(Schema {
            fields: vec![crate::mapping::custom::FieldDef {
                key: "a".repeat(40),
                name: name.to_owned(),
                kind: "varchar".to_owned(),
                custom: true,
                options: Vec::new(),
            }],
        })
    }

    #[test]
    fn connections_and_base_urls_do_not_share_entries() {
        let one = key("cache-test-1", "https://northwind.pipedrive.com/");
        assert_eq!(one, key("cache-test-1", "https://northwind.pipedrive.com"));
        let other_host = key("cache-test-1", "http://127.0.0.1:9");
        let other_connection = key("cache-test-2", "https://northwind.pipedrive.com");
        put_schema(&one, Entity::Person, schema_named("Region"));
        let (age, cached) = schema(&one, Entity::Person).unwrap();
        assert!(age < MIN_REFRESH);
        assert_eq!(cached.fields[0].name, "Region");
        assert!(schema(&one, Entity::Deal).is_none(), "person and deal fields are separate parts");
        assert!(schema(&other_host, Entity::Person).is_none());
        assert!(schema(&other_connection, Entity::Person).is_none());
        put_lead_labels(&one, Arc::new(vec![LeadLabel { id: "x".into(), name: "Hot".into() }]));
        assert_eq!(lead_labels(&one).unwrap()[0].name, "Hot");
        assert!(capacity() > 0);
    }

    #[test]
    fn the_least_recently_used_connection_makes_room() {
        let mut cache = Cache::new(2);
        let value = || Value::Schema(schema_named("Region"));
        cache.put("a", Part::LeadLabels, value());
        cache.put("b", Part::LeadLabels, value());
        assert!(cache.get("a", Part::LeadLabels).is_some(), "a is now more recent than b");
        cache.put("c", Part::LeadLabels, value());
        assert_eq!(cache.entries.len(), 2);
        assert!(cache.get("b", Part::LeadLabels).is_none(), "b was evicted");
        assert!(cache.get("a", Part::LeadLabels).is_some() && cache.get("c", Part::LeadLabels).is_some());
        cache.put("a", Part::Fields(Entity::Deal), value());
        assert_eq!(cache.entries.len(), 2, "a second part of a cached connection evicts nothing");

        let mut off = Cache::new(0);
        off.put("a", Part::LeadLabels, value());
        assert!(off.entries.is_empty(), "capacity 0 caches nothing");
    }
}
