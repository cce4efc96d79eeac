//! A connector README's generated tables (operations and field capabilities) against its descriptor.
//! `UNIFIED_BLESS=1 cargo test` rewrites them in place; otherwise a drift fails with the new table.

use std::path::Path;

use crate::descriptor::ConnectorDescriptor;

const OPERATIONS: (&str, &str) = ("<!-- operations table: begin -->\n", "<!-- operations table: end -->");
const CAPABILITIES: (&str, &str) = ("<!-- capability table: begin -->\n", "<!-- capability table: end -->");

/// Checks (or, with `UNIFIED_BLESS=1`, rewrites) both tables of the README at `path`. A README without
/// the operations markers gets them just before the capability table when blessed.
pub fn check(descriptor: &ConnectorDescriptor, path: impl AsRef<Path>) {
    let path = path.as_ref();
    let readme = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut text = readme.clone();
    if !text.contains(OPERATIONS.0)
        && let Some(at) = text.find(CAPABILITIES.0)
    {
        text.insert_str(at, &format!("{}{}\n\n", OPERATIONS.0, OPERATIONS.1));
    }
    text = replace_block(&text, OPERATIONS, &descriptor.operations_table());
    text = replace_block(&text, CAPABILITIES, &descriptor.capability_table());
    if text == readme {
        return;
    }
    if std::env::var_os("UNIFIED_BLESS").is_some() {
        std::fs::write(path, &text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    panic!(
        "{}'s generated tables are out of date (rerun with UNIFIED_BLESS=1 to rewrite them); expected:\n\n{}{}{}\n\n{}{}{}\n",
        path.display(),
        OPERATIONS.0,
        descriptor.operations_table(),
        OPERATIONS.1,
        CAPABILITIES.0,
        descriptor.capability_table(),
        CAPABILITIES.1
    );
}

fn replace_block(text: &str, (begin, end): (&str, &str), table: &str) -> String {
    let (Some(start), Some(stop)) = (text.find(begin), text.find(end)) else {
        panic!("the README has no `{}` ... `{end}` block", begin.trim_end());
    };
    format!("{}{begin}{table}{}", &text[..start], &text[stop..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_between_the_markers() {
        let text = "a\n<!-- capability table: begin -->\nold\n<!-- capability table: end -->\nb\n";
        assert_eq!(
            replace_block(text, CAPABILITIES, "new\n"),
            "a\n<!-- capability table: begin -->\nnew\n<!-- capability table: end -->\nb\n"
        );
    }
}
