//! The README's capability table is generated from the descriptor; this test keeps them in step.

#[test]
fn readme_capability_table_matches_the_descriptor() {
    let readme = include_str!("../README.md");
    let table = connector_salesforce::DESCRIPTOR.capability_table();
    let expected = format!("<!-- capability table: begin -->\n{table}<!-- capability table: end -->");
    assert!(
        readme.contains(&expected),
        "README.md's capability table is out of date; replace the block between the markers with:\n\n{expected}\n"
    );
}
