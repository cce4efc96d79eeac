//! Replays every recorded Pipedrive exchange under `fixtures/pipedrive` through the connector and
//! snapshots what it sent and what came back.

#[test]
fn fixtures() {
    unified_core::testkit::run_fixture_suite(
        &connector_pipedrive::DESCRIPTOR,
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/pipedrive"),
    );
}
