//! HubSpot connector for the unified CRM API (CRM v3 objects API).
//!
//! - [`descriptor`]: what HubSpot stores of each resource; registered with the core registry.
//! - [`mapping`]: pure unified ⇄ HubSpot mapping, one file per resource.
//! - [`wire`]: HubSpot's JSON shapes.
//! - `client`: one function per HubSpot call, and HubSpot's error format.
//! - `connector`: the operations of each resource; `flows`: what each one sends, in which order.
//! - [`paging`]: the connector's own list cursor and the searches it leads to.

mod client;
mod connector;
pub mod descriptor;
#[cfg(feature = "emulator")]
pub mod emulator;
mod flows;
pub mod mapping;
mod owner_cache;
pub mod paging;
mod properties;
pub mod wire;

pub use client::parse_error;
pub use connector::HubSpot;
pub use descriptor::DESCRIPTOR;

/// The provider id: `?provider=hubspot`, the fixture folder and the facade feature.
pub const PROVIDER: &str = "hubspot";

unified_core::register_connector!(DESCRIPTOR);
