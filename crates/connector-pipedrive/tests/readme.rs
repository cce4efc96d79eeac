//! The README's operations and capability tables are generated from the descriptor; this test keeps
//! them in step (`UNIFIED_BLESS=1` rewrites them).

#[test]
fn readme_tables_match_the_descriptor() {
    unified_core::testkit::readme::check(
        &connector_pipedrive::DESCRIPTOR,
        concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"),
    );
}
