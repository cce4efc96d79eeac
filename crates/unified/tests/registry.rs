//! Every `crates/connector-*` folder is linked and registered, and nothing else is.

#[test]
fn registry_lists_exactly_the_connector_crates() {
    let crates_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut on_disk: Vec<String> = std::fs::read_dir(crates_dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.strip_prefix("connector-").map(str::to_owned))
        .collect();
    on_disk.sort();
    assert!(!on_disk.is_empty());
    assert_eq!(unified::registry::ids(), on_disk);
}

#[test]
fn unknown_provider_lists_the_registered_ids() {
    let error = unified::registry::lookup("nosuchcrm").unwrap_err();
    assert_eq!(error.code(), "unknown_provider");
    assert!(error.message().contains("hubspot"), "{}", error.message());
}

#[test]
fn every_descriptor_is_well_formed() {
    for descriptor in unified::registry::all() {
        assert_eq!(descriptor.lint(), Vec::<String>::new(), "{}", descriptor.id);
    }
}
