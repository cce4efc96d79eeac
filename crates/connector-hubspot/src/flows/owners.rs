//! Owner id → name and e-mail for records, through the per-connection cache.

use unified_core::resource::Text;
use unified_core::{Call, Warning};

use super::kinds::Owned;
use crate::mapping::owner;
use crate::{client, owner_cache};

/// The owner's name and e-mail. The record exists already, so a failed lookup is a warning, not an error.
pub async fn resolve(
    call: Call<'_>,
    owner_id: Option<&str>,
    warnings: &mut Vec<Warning>,
) -> (Option<Text>, Option<Text>) {
    let Some(owner_id) = owner_id else { return (None, None) };
    if let Some(known) = owner_cache::get(call.connection_id, owner_id) {
        return known;
    }
    match client::owner(call.client, owner_id).await {
        Ok(owner) => {
            let (name, email) = (owner::owner_name(&owner), owner.email.as_deref().map(Text::from));
            owner_cache::put(call.connection_id, owner_id, name.clone(), email.clone());
            (name, email)
        }
        Err(error) => {
            let message = format!("the owner {owner_id} could not be resolved to a name ({})", error.code());
            if !warnings.iter().any(|w| w.message == message) {
                warnings.push(Warning::new("ownerId", message));
            }
            (None, None)
        }
    }
}

/// Resolves the owner of each record (each distinct owner once, then from the cache).
pub async fn resolve_all<R: Owned>(call: Call<'_>, records: &mut [R], warnings: &mut Vec<Warning>) {
    for record in records {
        let owner_id = record.owner_id().map(str::to_owned);
        let (name, email) = resolve(call, owner_id.as_deref(), warnings).await;
        record.set_owner(name, email);
    }
}
