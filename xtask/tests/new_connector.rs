//! `new_connector` on a copy of the workspace: the scaffolded crate, its fixture case and the facade
//! wiring compile and pass `cargo test -p connector-acmecrm -p unified` (which includes the registry test
//! that the facade links exactly the `crates/connector-*` folders), with `CI=true` so that insta only
//! compares snapshots and never writes them.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use xtask::new_connector::{check_id, new_connector};

/// What a scaffolded workspace needs (never `target/`).
const COPIED: &[&str] =
    &["Cargo.toml", "Cargo.lock", "rustfmt.toml", ".cargo", "crates", "xtask", "fixtures", "README.md"];

/// Copies a file or folder, skipping `target` folders, keeping modification times so that cargo's
/// fingerprints of unchanged crates stay fresh from one run to the next.
fn copy(from: &Path, to: &Path) {
    let meta = fs::metadata(from).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    if meta.is_dir() {
        fs::create_dir_all(to).unwrap();
        for entry in fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name() != "target" {
                copy(&entry.path(), &to.join(entry.file_name()));
            }
        }
    } else {
        fs::copy(from, to).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
        if let Ok(modified) = meta.modified() {
            let _ = fs::File::options().write(true).open(to).and_then(|f| f.set_modified(modified));
        }
    }
}

fn copy_workspace(to: &Path) {
    let root = xtask::workspace_root();
    for name in COPIED {
        copy(&root.join(name), &to.join(name));
    }
}

/// A target dir of its own: the outer `cargo test` may hold its target dir's lock, and the copy's
/// dependencies are compiled once and reused by every later run.
fn scaffold_target_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("xtask-scaffold")
}

fn cargo(dir: &Path, args: &[&str]) -> (bool, String) {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo")));
    command.args(args).current_dir(dir).env("CI", "true").env("CARGO_TARGET_DIR", scaffold_target_dir());
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("INSTA_") {
            command.env_remove(name);
        }
    }
    let output = command.output().expect("cargo runs");
    let text = String::from_utf8_lossy(&output.stderr).into_owned() + &String::from_utf8_lossy(&output.stdout);
    (output.status.success(), text)
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[test]
fn scaffolded_connector_compiles_and_passes_its_tests() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy_workspace(root);

    let scaffold = new_connector(root, "acmecrm").unwrap();
    for file in
        ["crates/connector-acmecrm/src/lib.rs", "fixtures/acmecrm/contact/create-unsupported-resource/result.snap"]
    {
        assert!(scaffold.created.iter().any(|f| f == file), "{file} not in {:?}", scaffold.created);
    }
    let case = root.join("fixtures/acmecrm/contact/create-unsupported-resource");
    assert!(!case.join("exchanges.json").exists());
    let facade = fs::read_to_string(root.join("crates/unified/Cargo.toml")).unwrap();
    assert!(facade.contains("acmecrm = [\"dep:connector-acmecrm\"]"), "{facade}");

    let started = Instant::now();
    let (ok, output) = cargo(root, &["test", "-p", "connector-acmecrm", "-p", "unified", "--offline"]);
    eprintln!("nested cargo test: {:.1?}", started.elapsed());
    assert!(ok, "cargo test in the scaffolded copy failed:\n{}", tail(&output, 60));
    assert!(output.contains("registry_lists_exactly_the_connector_crates ... ok"), "{}", tail(&output, 60));
    assert!(!case.join("result.snap.new").exists() && !case.join("requests.snap.new").exists());

    let (ok, output) = cargo(root, &["fmt", "-p", "connector-acmecrm", "--check"]);
    assert!(ok, "the scaffold is not rustfmt-clean:\n{}", tail(&output, 60));
}

#[test]
fn ids_are_lowercase_letters_and_digits_starting_with_a_letter() {
    for id in ["acme", "a", "crm2go", "zoho1"] {
        assert!(check_id(id).is_ok(), "{id}");
    }
    for id in ["", "1crm", "Acme", "acme-crm", "acme_crm", "acme crm", "ácme", "acme/../x"] {
        assert!(check_id(id).is_err(), "{id:?} was accepted");
    }
    // Keywords, the `default` feature and names the facade or the generated code already use.
    for id in ["type", "async", "default", "registry", "transport", "client", "std", "call", "string"] {
        let error = check_id(id).unwrap_err().to_string();
        assert!(error.contains("reserved"), "{id}: {error}");
    }
}

#[test]
fn refuses_an_existing_crate_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy(&xtask::workspace_root().join("Cargo.toml"), &root.join("Cargo.toml"));
    fs::create_dir_all(root.join("crates/connector-acme/src")).unwrap();
    let before = fs::read_to_string(root.join("Cargo.toml")).unwrap();

    let error = new_connector(root, "acme").unwrap_err().to_string();
    assert!(error.contains("crates/connector-acme already exists"), "{error}");
    assert!(!root.join("fixtures/acme").exists());
    assert_eq!(fs::read_to_string(root.join("Cargo.toml")).unwrap(), before);
}

#[test]
fn a_missing_anchor_fails_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy(&xtask::workspace_root().join("Cargo.toml"), &root.join("Cargo.toml"));
    fs::create_dir_all(root.join("crates/unified/src")).unwrap();
    fs::write(root.join("crates/unified/Cargo.toml"), "[features]\ndefault = []\n\n[dependencies]\n").unwrap();
    fs::write(root.join("crates/unified/src/connectors.rs"), "// no markers\n").unwrap();

    let error = format!("{:#}", new_connector(root, "acme").unwrap_err());
    assert!(error.contains("connectors.rs") && error.contains("marker"), "{error}");
    assert!(!root.join("crates/connector-acme").exists());
    assert!(!root.join("fixtures/acme").exists());
    assert!(!fs::read_to_string(root.join("Cargo.toml")).unwrap().contains("acme"));
}
