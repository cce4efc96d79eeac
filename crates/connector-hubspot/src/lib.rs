//! HubSpot connector for the unified CRM API (CRM v3 objects API).
//!
//! - [`descriptor`]: what HubSpot stores of each resource; registered with the core registry.
//! - [`mapping`]: pure unified ⇄ HubSpot mapping, one file per resource.
//! - [`wire`]: HubSpot's JSON shapes.
//! - `client`: one function per HubSpot call, and HubSpot's error format.
//! - `connector`: the create flows.

mod client;
mod connector;
pub mod descriptor;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod mapping;
mod owners;
pub mod wire;

pub use client::parse_error;
pub use connector::HubSpot;
pub use descriptor::DESCRIPTOR;

/// The provider id: `?provider=hubspot`, the fixture folder and the facade feature.
pub const PROVIDER: &str = "hubspot";

unified_core::register_connector!(DESCRIPTOR);
