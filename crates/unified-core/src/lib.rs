//! The core of the unified CRM API.
//!
//! - [`resource`]: the unified bodies and records (`contact`, `lead`, `deal`, `meeting`, `company`).
//! - [`operation`]: create, get, list, update, delete; the list query and page.
//! - [`cursor`]: sealed, scope-bound list cursors.
//! - [`validation`]: field rules that report every problem at once, each with its field path.
//! - [`error`]: the one error model, with the `code` and status of the HTTP contract.
//! - [`connector`] and [`descriptor`]: what a provider crate implements and declares.
//! - [`registry`]: connectors register themselves with [`register_connector!`].
//! - [`transport`]: the one HTTP client every connector calls through.
//! - [`pipeline`]: parse, validate, check the operation, warn, call: the same path for the server and
//!   for embedding.
//! - `testkit` (feature `testkit`): the replay transport and the shared fixture suite.

pub mod connector;
pub mod cursor;
pub mod descriptor;
pub mod error;
pub mod oauth;
pub mod operation;
pub mod pipeline;
pub mod registry;
pub mod resource;
pub mod time;
pub mod transport;
pub mod validation;

#[cfg(feature = "testkit")]
pub mod testkit;

pub use connector::{Call, Connector, Created, Operations, Output, Provider, Warning};
pub use descriptor::{AuthKind, AuthScheme, ConnectorDescriptor, Example, FieldSupport, ResourceSupport, Storage};
pub use error::{ErrorEnvelope, ProviderFailure, UnifiedError};
pub use operation::{ListQuery, Operation, Page};
pub use resource::{Resource, ResourceKind, UnifiedInput, UnifiedPatch, UnifiedRecord};
pub use validation::FieldError;

#[doc(hidden)]
pub mod __private {
    pub use async_trait::async_trait;
    pub use inventory;
}
