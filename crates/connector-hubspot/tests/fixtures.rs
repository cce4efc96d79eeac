//! Replays every recorded HubSpot exchange under `fixtures/hubspot` through the connector and
//! snapshots what it sent and what came back.

#[test]
fn fixtures() {
    unified_core::testkit::run_fixture_suite(
        &connector_hubspot::DESCRIPTOR,
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/hubspot"),
    );
}
