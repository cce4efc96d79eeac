//! Pipedrive connector for the unified CRM API.
//!
//! - [`descriptor`]: what Pipedrive stores of each resource; registered with the core registry.
//! - [`mapping`]: pure unified ⇄ Pipedrive mapping, one file per resource.
//! - [`wire`]: Pipedrive's JSON shapes.
//! - `client`: one function per Pipedrive call, and Pipedrive's error format.
//! - `connector`: the create flows.

mod client;
mod connector;
pub mod descriptor;
pub mod mapping;
pub mod wire;

pub use client::parse_error;
pub use connector::Pipedrive;
pub use descriptor::DESCRIPTOR;

/// The provider id: `?provider=pipedrive`, the fixture folder and the facade feature.
pub const PROVIDER: &str = "pipedrive";

unified_core::register_connector!(DESCRIPTOR);
