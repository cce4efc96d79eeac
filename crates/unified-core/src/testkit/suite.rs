//! The shared fixture suite: every case folder of a provider is replayed through the real connector,
//! and what it sent and what came back are snapshotted under fixed names in the case folder
//! (`requests.snap`, `result.snap`), so that a mapping change is a reviewable diff.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Value, json};

use super::fixture::{CaseInput, Exchange, ListCase, RecordedRequest};
use super::replay::ReplayBackend;
use crate::connector::Call;
use crate::cursor::{self, CursorKey, CursorScope};
use crate::descriptor::ConnectorDescriptor;
use crate::operation::Operation;
use crate::pipeline::{self, ListRequest};
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
    let input: CaseInput = read_json(&case.join("input.json"));
    assert!(
        !input.source.trim().is_empty(),
        "input.json has no `source`: say where the provider's answers come from (its documented example or \
         spec, a public SDK's test data, a real recording; never our emulator)"
    );
    let folder = case.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    assert!(
        folder == input.operation.as_str() || folder.starts_with(&format!("{}-", input.operation)),
        "the case folder must start with its operation (`{}-...`)",
        input.operation
    );
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
    let result = runtime.block_on(run_operation(descriptor, call, resource, &input));
    CaseOutcome { sent: backend.sent(), result, problems: backend.problems() }
}

/// The key the testkit seals list cursors with (fixed, so that snapshots are stable).
fn cursor_key() -> CursorKey {
    CursorKey::new([0x5a; 32])
}

/// Runs a case's operation through the pipeline and renders what came back: `{"data", "warnings",
/// "remoteData"}` for one record, `{"pages": [{"data", "next"}]}` for a list (`next` is the connector's
/// own cursor, opened again so that a reviewer can read it), `{"deleted": id}`, or `{"error": <the
/// contract's envelope>}`.
pub async fn run_operation(
    descriptor: &'static ConnectorDescriptor,
    call: Call<'_>,
    resource: ResourceKind,
    input: &CaseInput,
) -> Value {
    let body = serde_json::to_vec(&input.body).expect("a JSON value serializes");
    let id = input.id.as_deref().unwrap_or_default();
    let result = match input.operation {
        Operation::Create => pipeline::create_from_json(descriptor, call, resource, &body).await.map(record),
        Operation::Update => pipeline::update_from_json(descriptor, call, resource, id, &body).await.map(record),
        Operation::Get => pipeline::get(descriptor, call, resource, id).await.map(record),
        Operation::Delete => pipeline::delete(descriptor, call, resource, id).await.map(|()| json!({ "deleted": id })),
        Operation::List => list_pages(descriptor, call, resource, input).await,
    };
    result.unwrap_or_else(|error| json!({ "error": error.envelope(None) }))
}

fn record(output: crate::Created) -> Value {
    let mut value = json!({ "data": output.record, "warnings": output.warnings });
    if let Some(remote) = output.remote_data {
        value["remoteData"] = remote;
    }
    value
}

async fn list_pages(
    descriptor: &'static ConnectorDescriptor,
    call: Call<'_>,
    resource: ResourceKind,
    input: &CaseInput,
) -> Result<Value, crate::UnifiedError> {
    let query = input.query.clone().unwrap_or(ListCase { limit: None, updated_since: None, pages: None });
    let key = cursor_key();
    let scope = CursorScope {
        provider: descriptor.id,
        resource,
        connection_id: call.connection_id,
        updated_since: query.updated_since,
    };
    let mut request = ListRequest { cursor: None, limit: query.limit, updated_since: query.updated_since };
    let mut pages = Vec::new();
    for _ in 0..query.pages.unwrap_or(1) {
        let listed = pipeline::list(descriptor, call, resource, &request, &key).await?;
        let next = listed.next_cursor.as_deref().map(|c| cursor::open(&key, &scope, c)).transpose()?;
        let mut page = json!({ "data": listed.records, "next": next });
        if let Some(remote) = listed.remote_data {
            page["remoteData"] = Value::Array(remote);
        }
        pages.push(page);
        match listed.next_cursor {
            Some(cursor) => request.cursor = Some(cursor),
            None => break,
        }
    }
    Ok(json!({ "pages": pages }))
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
