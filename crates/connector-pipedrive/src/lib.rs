//! Pipedrive connector for the unified CRM API (API v2, and v1 where Pipedrive has no v2).
//!
//! - [`descriptor`]: what Pipedrive stores of each resource; registered with the core registry.
//! - [`mapping`]: pure unified ⇄ Pipedrive mapping, one file per resource, and custom fields.
//! - [`wire`]: Pipedrive's JSON shapes.
//! - [`cache`]: each connection's field schema and lead labels, read once and reused.
//! - `client`: one function per Pipedrive call, and Pipedrive's error format.
//! - `connector`: the create flows.

pub mod cache;
mod client;
mod connector;
pub mod descriptor;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod mapping;
pub mod wire;

pub use client::{parse_error, parse_error_at};
pub use connector::Pipedrive;
pub use descriptor::DESCRIPTOR;

/// The provider id: `?provider=pipedrive`, the fixture folder and the facade feature.
pub const PROVIDER: &str = "pipedrive";

unified_core::register_connector!(DESCRIPTOR);
