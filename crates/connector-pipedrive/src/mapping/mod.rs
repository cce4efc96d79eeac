//! Pure mapping between unified resources and Pipedrive records: no I/O, no clock, no randomness.
//!
//! Empty until the first resource is implemented. Add one file per resource (`contact.rs`: the create
//! body from a `ContactInput`, the unified `Contact` from Pipedrive's answer) with unit tests, and keep
//! what they share (custom fields, timestamps, enums) in this module.
