//! Salesforce connector for the unified CRM API (REST API, sObject resources, on the connection's
//! `instance_url`).
//!
//! - [`descriptor`]: what Salesforce stores of each resource; registered with the core registry.
//! - [`mapping`]: pure unified ⇄ Salesforce mapping, one file per resource, and SOQL literals.
//! - [`wire`]: Salesforce's JSON shapes.
//! - `client`: one function per Salesforce call, and Salesforce's error format.
//! - `connector`: the create flows.
//! - [`emulator`] (feature `emulator`): Salesforce's REST API in memory, for sandbox mode and tests.

mod client;
mod connector;
pub mod descriptor;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod mapping;
pub mod wire;

pub use client::parse_error;
pub use connector::Salesforce;
pub use descriptor::DESCRIPTOR;

/// The provider id: `?provider=salesforce`, the fixture folder and the facade feature.
pub const PROVIDER: &str = "salesforce";

/// The one pinned REST API version (Spring '26). Every path is under `/services/data/{API_VERSION}/`.
pub const API_VERSION: &str = "v66.0";

unified_core::register_connector!(DESCRIPTOR);
