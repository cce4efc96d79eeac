//! Salesforce connector for the unified CRM API.
//!
//! - [`descriptor`]: what Salesforce stores of each resource; registered with the core registry.
//! - [`mapping`]: pure unified ⇄ Salesforce mapping, one file per resource.
//! - [`wire`]: Salesforce's JSON shapes.
//! - `client`: one function per Salesforce call, and Salesforce's error format.
//! - `connector`: the create flows.

mod client;
mod connector;
pub mod descriptor;
pub mod mapping;
pub mod wire;

pub use client::parse_error;
pub use connector::Salesforce;
pub use descriptor::DESCRIPTOR;

/// The provider id: `?provider=salesforce`, the fixture folder and the facade feature.
pub const PROVIDER: &str = "salesforce";

unified_core::register_connector!(DESCRIPTOR);
