//! Test support for connector crates (feature `testkit`).
//!
//! - [`fixture`]: the on-disk fixture format (`input.json`, `exchanges.json`).
//! - [`replay`]: a [`Backend`](crate::transport::Backend) that serves recorded exchanges in order and
//!   fails on a call that differs from the recording.
//! - [`record`]: a backend that records real exchanges, redacting credentials before anything is kept.
//! - [`suite`]: the shared fixture suite every connector runs from `tests/fixtures.rs`.
//! - [`readme`]: a connector README's generated tables, checked against its descriptor.
//! - [`fidelity`]: the shared harness of the emulator fidelity tests (`tests/emulator_fidelity.rs`).

pub mod fidelity;
pub mod fixture;
pub mod readme;
pub mod record;
pub mod replay;
pub mod suite;

pub use fixture::{CaseInput, Exchange, ListCase, RecordedRequest, RecordedResponse};
pub use record::RecordingBackend;
pub use replay::ReplayBackend;
pub use suite::{CaseOutcome, run_case, run_fixture_suite, run_operation};
