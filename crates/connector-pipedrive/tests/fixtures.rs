//! Replays every recorded Pipedrive exchange under `fixtures/pipedrive` through the connector and
//! snapshots what it sent and what came back.
//!
//! The suite gives every case the same connection id, while each recording started in a fresh process
//! with an empty custom-field cache: caching is off in this test binary, so that no case reuses the
//! field schema an earlier case read (`src/cache.rs` and the emulator tests cover the cache itself).

#[test]
fn fixtures() {
    connector_pipedrive::cache::set_capacity(0);
    unified_core::testkit::run_fixture_suite(
        &connector_pipedrive::DESCRIPTOR,
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/pipedrive"),
    );
}
