//! Owner names and e-mails, cached per connection for a few minutes: every create with an owner would
//! otherwise cost a second HubSpot call, and owners change rarely. Only successful lookups are kept.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, PoisonError};
use std::time::{Duration, Instant};

use unified_core::resource::Text;

const TTL: Duration = Duration::from_secs(300);
/// Past this many entries, expired ones go; if none has expired, everything does.
const CAPACITY: usize = 4096;

type Key = (String, String);
type Entry = (Instant, Option<Text>, Option<Text>);

static OWNERS: LazyLock<Mutex<HashMap<Key, Entry>>> = LazyLock::new(Default::default);

/// The cached name and e-mail of `owner_id` on this connection, if fresh.
pub fn get(connection_id: &str, owner_id: &str) -> Option<(Option<Text>, Option<Text>)> {
    let owners = OWNERS.lock().unwrap_or_else(PoisonError::into_inner);
    let (at, name, email) = owners.get(&(connection_id.to_owned(), owner_id.to_owned()))?;
    (at.elapsed() < TTL).then(|| (name.clone(), email.clone()))
}

pub fn put(connection_id: &str, owner_id: &str, name: Option<Text>, email: Option<Text>) {
    let mut owners = OWNERS.lock().unwrap_or_else(PoisonError::into_inner);
    if owners.len() >= CAPACITY {
        owners.retain(|_, (at, _, _)| at.elapsed() < TTL);
        if owners.len() >= CAPACITY {
            owners.clear();
        }
    }
    owners.insert((connection_id.to_owned(), owner_id.to_owned()), (Instant::now(), name, email));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_per_connection() {
        put("conn-a", "1", Some("John Smith".into()), None);
        assert_eq!(get("conn-a", "1"), Some((Some("John Smith".into()), None)));
        assert_eq!(get("conn-b", "1"), None, "another connection sees nothing");
        assert_eq!(get("conn-a", "2"), None);
    }
}
