//! Every connector crate, named so that the linker keeps its registration (a crate nothing
//! references is dropped, and its `register_connector!` with it). `cargo xtask new-connector` edits
//! the lines between the markers.

// connectors: begin
#[cfg(feature = "hubspot")]
pub use connector_hubspot as hubspot;
#[cfg(feature = "pipedrive")]
pub use connector_pipedrive as pipedrive;
#[cfg(feature = "salesforce")]
pub use connector_salesforce as salesforce;
// connectors: end
