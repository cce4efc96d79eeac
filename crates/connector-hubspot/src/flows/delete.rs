//! Delete: HubSpot archives (the record moves to the recycling bin; contacts can be restored for 90
//! days) and answers `204` whether or not the id exists, so the record is read first: a record that is
//! gone is `not_found`. A lead's delete archives the lead, never its contact.

use unified_core::{Call, UnifiedError};

use crate::client;

pub async fn archive(call: Call<'_>, object: &str, id: &str) -> Result<(), UnifiedError> {
    client::read_object(call.client, object, id, &["hs_object_id"]).await?;
    client::archive_object(call.client, object, id).await
}
