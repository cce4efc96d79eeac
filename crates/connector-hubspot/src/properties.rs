//! The portal's custom properties per object type (the properties API), cached per connection for a few
//! minutes: every read needs them (which properties to ask for, which are `customFields`), and portals
//! rarely change their schema. Only successful lookups are kept.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::{Duration, Instant};

use unified_core::{Call, UnifiedError, Warning};

use crate::client;
use crate::mapping::CustomProperties;

const TTL: Duration = Duration::from_secs(300);
/// Past this many entries, expired ones go; if none has expired, everything does.
const CAPACITY: usize = 4096;

type Key = (String, &'static str);
type Entry = (Instant, Arc<CustomProperties>);

static CACHE: LazyLock<Mutex<HashMap<Key, Entry>>> = LazyLock::new(Default::default);

/// The custom properties of `object_type` on this connection. When HubSpot will not say to this
/// connection (a missing scope), the record goes without `customFields` and a warning says why; any
/// other failure is the call's own answer.
pub async fn custom(
    call: Call<'_>,
    object_type: &'static str,
    warnings: &mut Vec<Warning>,
) -> Result<Arc<CustomProperties>, UnifiedError> {
    let key = (call.connection_id.to_owned(), object_type);
    if let Some((at, known)) = CACHE.lock().unwrap_or_else(PoisonError::into_inner).get(&key)
        && at.elapsed() < TTL
    {
        return Ok(Arc::clone(known));
    }
    match client::properties(call.client, object_type).await {
        Ok(list) => {
            let names = list.results.into_iter().filter(|p| p.hubspot_defined != Some(true)).map(|p| p.name).collect();
            let custom = Arc::new(CustomProperties::new(names));
            let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
            if cache.len() >= CAPACITY {
                cache.retain(|_, (at, _)| at.elapsed() < TTL);
                if cache.len() >= CAPACITY {
                    cache.clear();
                }
            }
            cache.insert(key, (Instant::now(), Arc::clone(&custom)));
            Ok(custom)
        }
        // Only "not for you" answers (a missing scope, an object type the portal does not have) are left
        // out; anything else (refused credentials, a rate limit, an outage) the next call would get too.
        Err(error) if !is_not_for_this_connection(&error) => Err(error),
        Err(error) => {
            warnings.push(Warning::new(
                "customFields",
                format!(
                    "HubSpot's properties API did not list the portal's {object_type} properties ({}); custom \
                     fields are left out of the record",
                    error.code()
                ),
            ));
            Ok(Arc::new(CustomProperties::default()))
        }
    }
}

/// A 403 (the token works, but its app was not granted the scope this read needs) or a 404.
fn is_not_for_this_connection(error: &UnifiedError) -> bool {
    error.provider().is_some_and(|f| matches!(f.status, Some(403 | 404)))
}
