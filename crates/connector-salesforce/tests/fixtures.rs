//! Replays every recorded Salesforce exchange under `fixtures/salesforce` through the connector and
//! snapshots what it sent and what came back.

#[test]
fn fixtures() {
    unified_core::testkit::run_fixture_suite(
        &connector_salesforce::DESCRIPTOR,
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/salesforce"),
    );
}
