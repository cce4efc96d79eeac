//! Salesforce record ids (the toolkit's 18-character ids) on this org's pod.

pub use unified_emulator::ids::salesforce::{is_well_formed, suffix, to18};

/// The emulated org's pod and reserved character, after the key prefix.
const POD: &str = "8c0";

/// The 18-character id of record number `n` of the object with this key prefix.
pub fn make(prefix: &str, n: u64) -> String {
    unified_emulator::ids::salesforce::make(prefix, POD, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_on_this_orgs_pod() {
        let id = make("003", 62);
        assert!(id.starts_with("0038c0000000010") && is_well_formed(&id), "{id}");
    }
}
