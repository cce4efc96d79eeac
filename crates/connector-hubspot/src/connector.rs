//! The HubSpot connector: each resource's operations, sequenced in `flows` (create, read, update,
//! delete), mapped in `mapping`, called in `client`.

use unified_core::operation::{ListQuery, Page};
use unified_core::resource::{
    Company, CompanyInput, CompanyPatch, Contact, ContactInput, ContactPatch, Deal, DealInput, DealPatch, Lead,
    LeadInput, LeadPatch, Meeting, MeetingInput, MeetingPatch,
};
use unified_core::{Call, Operations, Output, Provider, UnifiedError};

use crate::flows::kinds::{Companies, Contacts, Deals, Kind, Leads, Meetings};
use crate::flows::{create, delete, read, update};

/// The HubSpot connector (CRM v3 objects API).
#[derive(Debug, Clone, Copy)]
pub struct HubSpot;

impl Provider for HubSpot {
    /// HubSpot serves its token endpoint from the API host (so a base-URL override moves it too).
    fn token_url(&self, base_url: &str) -> Option<String> {
        Some(format!("{}/oauth/v3/token", base_url.trim_end_matches('/')))
    }
}

/// The operations of one resource: `create` and `update` are the resource's own flows; get, list and
/// delete are the same for every resource, through its [`Kind`].
macro_rules! operations {
    ($record:ty, $input:ty, $patch:ty, $kind:ty, $create:path, $update:path) => {
        #[unified_core::__private::async_trait]
        impl Operations<$record> for HubSpot {
            async fn create(&self, call: Call<'_>, input: &$input) -> Result<Output<$record>, UnifiedError> {
                $create(call, input).await
            }

            async fn get(&self, call: Call<'_>, id: &str) -> Result<Output<$record>, UnifiedError> {
                read::get::<$kind>(call, id).await
            }

            async fn list(&self, call: Call<'_>, query: &ListQuery) -> Result<Page<$record>, UnifiedError> {
                read::list::<$kind>(call, query).await
            }

            async fn update(&self, call: Call<'_>, id: &str, patch: &$patch) -> Result<Output<$record>, UnifiedError> {
                $update(call, id, patch).await
            }

            async fn delete(&self, call: Call<'_>, id: &str) -> Result<(), UnifiedError> {
                delete::archive(call, <$kind>::OBJECT, id).await
            }
        }
    };
}

operations!(Contact, ContactInput, ContactPatch, Contacts, create::contact, update::contact);
operations!(Lead, LeadInput, LeadPatch, Leads, create::lead, update::lead);
operations!(Deal, DealInput, DealPatch, Deals, create::deal, update::deal);
operations!(Meeting, MeetingInput, MeetingPatch, Meetings, create::meeting, update::meeting);
operations!(Company, CompanyInput, CompanyPatch, Companies, create::company, update::company);
