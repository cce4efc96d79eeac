//! The shared fixture suite: every case folder of a provider is replayed through the real connector,
//! and what it sent and what came back are snapshotted under fixed names in the case folder
//! (`requests.snap`, `result.snap`), so that a mapping change is a reviewable diff.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Value, json};

use super::fixture::{CaseInput, Exchange, RecordedRequest};
use super::replay::ReplayBackend;
use crate::connector::Call;
use crate::descriptor::ConnectorDescriptor;
use crate::pipeline;
use crate::resource::ResourceKind;
use crate::transport::{Credentials, ProviderClient};

/// What one case produced.
#[derive(Debug)]
pub struct CaseOutcome {
    /// The requests the connector sent, in order.
    pub sent: Vec<RecordedRequest>,
    /// `{"data", "warnings", "remoteData"}` or `{"error": <the contract's envelope>}`.
    pub result: Value,
    /// Differences between what was sent and what was recorded.
    pub problems: Vec<String>,
}

/// Runs every `<resource>/<case>/` folder under `dir`. Panics once, at the end, naming every failed case.
pub fn run_fixture_suite(descriptor: &'static ConnectorDescriptor, dir: impl AsRef<Path>) {
    let cases = case_dirs(dir.as_ref());
    assert!(!cases.is_empty(), "no fixture cases under {}", dir.as_ref().display());
    let mut failed = Vec::new();
    for case in &cases {
        let name = case_name(case);
        let outcome = catch_unwind(AssertUnwindSafe(|| check_case(descriptor, case)));
        if let Err(panic) = outcome {
            let reason = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            failed.push(format!("{name}: {}", reason.lines().next().unwrap_or_default()));
        }
    }
    assert!(failed.is_empty(), "{} of {} fixture cases failed:\n  {}", failed.len(), cases.len(), failed.join("\n  "));
}

fn check_case(descriptor: &'static ConnectorDescriptor, case: &Path) {
    let outcome = run_case(descriptor, case);
    assert!(outcome.problems.is_empty(), "replay mismatch: {}", outcome.problems.join("; "));
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(case);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(case_name(case));
    // Both snapshots are checked (and, outside CI, written as `.snap.new`) before reporting either.
    let requests =
        catch_unwind(AssertUnwindSafe(|| settings.bind(|| insta::assert_json_snapshot!("requests", outcome.sent))));
    let result =
        catch_unwind(AssertUnwindSafe(|| settings.bind(|| insta::assert_json_snapshot!("result", outcome.result))));
    let failed: Vec<&str> = [("requests.snap", requests.is_err()), ("result.snap", result.is_err())]
        .into_iter()
        .filter_map(|(name, failed)| failed.then_some(name))
        .collect();
    assert!(failed.is_empty(), "snapshot differs: {}", failed.join(", "));
}

/// Replays one case folder through the connector: no network, paused clock (retry waits are instant).
pub fn run_case(descriptor: &'static ConnectorDescriptor, case: &Path) -> CaseOutcome {
    let resource: ResourceKind = case
        .parent()
        .and_then(Path::file_name)
        .and_then(|n| n.to_str())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{}: the parent folder must be a resource name", case.display()));
    let input: CaseInput = read_json(&case.join("input.json"));
    let exchanges: Vec<Exchange> =
        if case.join("exchanges.json").exists() { read_json(&case.join("exchanges.json")) } else { Vec::new() };
    let backend = Arc::new(ReplayBackend::new(exchanges));
    let client = ProviderClient::builder(descriptor)
        .credentials(match descriptor.auth {
            crate::descriptor::AuthKind::Oauth2 => Credentials::bearer("fixture-token"),
            crate::descriptor::AuthKind::ApiKey => Credentials::api_key("fixture-token"),
        })
        .backend(backend.clone())
        .build()
        .expect("fixture client builds");
    let body = serde_json::to_vec(&input.body).expect("a JSON value serializes");
    let connection_id = format!("fixture:{}", case_name(case));
    let call = Call {
        client: &client,
        settings: &input.settings,
        include_remote_data: input.include_remote_data,
        // Each case is a connection of its own, so that per-connection caches never carry one case's
        // answers into another (each recording started from a fresh process).
        connection_id: &connection_id,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a current-thread runtime builds");
    let result = runtime.block_on(pipeline::create_from_json(descriptor, call, resource, &body));
    let result = match result {
        Ok(created) => {
            let mut value = json!({ "data": created.record, "warnings": created.warnings });
            if let Some(remote) = created.remote_data {
                value["remoteData"] = remote;
            }
            value
        }
        Err(error) => json!({ "error": error.envelope(None) }),
    };
    CaseOutcome { sent: backend.sent(), result, problems: backend.problems() }
}

/// `<dir>/<resource>/<case>` folders that hold an `input.json`, sorted.
pub fn case_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut cases = Vec::new();
    for resource in sorted_dirs(dir) {
        cases.extend(sorted_dirs(&resource).into_iter().filter(|c| c.join("input.json").is_file()));
    }
    cases
}

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn case_name(case: &Path) -> String {
    let parts: Vec<_> = case.iter().rev().take(3).collect();
    parts.iter().rev().map(|p| p.to_string_lossy()).collect::<Vec<_>>().join("/")
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> T {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
