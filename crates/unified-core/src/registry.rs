//! The connector registry: every linked connector crate submits its descriptor with
//! [`register_connector!`](crate::register_connector); lookups never hard-code a list.

use crate::descriptor::ConnectorDescriptor;
use crate::error::UnifiedError;

#[derive(Debug)]
pub struct Registration(pub &'static ConnectorDescriptor);

inventory::collect!(Registration);

/// Registers a connector's descriptor. Connector crates call this once, in `lib.rs`:
/// `unified_core::register_connector!(DESCRIPTOR);`. A crate that nothing links is not registered,
/// so the facade names every connector crate.
#[macro_export]
macro_rules! register_connector {
    ($descriptor:path) => {
        $crate::__private::inventory::submit! {
            $crate::registry::Registration(&$descriptor)
        }
    };
}

/// Every registered connector, sorted by id.
pub fn all() -> Vec<&'static ConnectorDescriptor> {
    let mut all: Vec<_> = inventory::iter::<Registration>.into_iter().map(|r| r.0).collect();
    all.sort_by_key(|d| d.id);
    all.dedup_by_key(|d| d.id);
    all
}

pub fn ids() -> Vec<&'static str> {
    all().into_iter().map(|d| d.id).collect()
}

/// The connector with this id; an unknown id fails with the sorted list of registered ids.
pub fn lookup(id: &str) -> Result<&'static ConnectorDescriptor, UnifiedError> {
    inventory::iter::<Registration>
        .into_iter()
        .map(|r| r.0)
        .find(|d| d.id == id)
        .ok_or_else(|| UnifiedError::UnknownProvider { id: id.to_owned(), known: ids() })
}
