//! The OpenAPI document, checked by standard tools: it passes `openapi-spec-validator`, and a client
//! generated from it by `openapi-python-client` calls every operation of a running server (sandbox mode,
//! HubSpot, which has every operation of every resource), each answer parsing into the generated models.
//!
//! The tools come from PyPI (`pip install openapi-spec-validator openapi-python-client`; `.ci/run`
//! installs them). Without them the test says so and passes, unless `UNIFIED_REQUIRE_OPENAPI_TOOLS` is
//! set (CI sets it), so that `cargo test` works on a fresh machine and CI never skips it.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use unified_server::sandbox::Sandbox;
use unified_server::serve::serve_until_signal;
use unified_server::{AppState, ServerConfig};
use unified_store::Mode;

fn python_has(module: &str) -> bool {
    Command::new("python3").args(["-c", &format!("import {module}")]).status().is_ok_and(|s| s.success())
}

fn run(command: &mut Command, what: &str) -> String {
    let output = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{what} failed:\n{text}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generated_client_calls_every_operation() {
    let tools = python_has("openapi_spec_validator") && python_has("openapi_python_client");
    if !tools {
        assert!(
            std::env::var_os("UNIFIED_REQUIRE_OPENAPI_TOOLS").is_none(),
            "openapi-spec-validator and openapi-python-client are required here (pip install them)"
        );
        eprintln!("skipped: pip install openapi-spec-validator openapi-python-client to run this test");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let document = unified_server::openapi::document();
    let spec = dir.path().join("openapi.json");
    std::fs::write(&spec, serde_json::to_vec_pretty(&document).unwrap()).unwrap();

    let validate =
        "import json, sys\nfrom openapi_spec_validator import validate\nvalidate(json.load(open(sys.argv[1])))";
    run(Command::new("python3").args(["-c", validate]).arg(&spec), "openapi-spec-validator");
    let generated = dir.path().join("generated");
    run(
        Command::new("python3")
            .args(["-m", "openapi_python_client", "generate", "--meta", "none", "--path"])
            .arg(&spec)
            .arg("--output-path")
            .arg(generated.join("client")),
        "openapi-python-client generate",
    );

    let store = unified_store::open(&format!("sqlite://{}", dir.path().join("u.db").display())).await.unwrap();
    let key = store.create_api_key("default", Mode::Test).await.unwrap().secret;
    let sandbox = Arc::new(Sandbox::start().await.unwrap());
    let state = AppState::new(Arc::clone(&store), ServerConfig::default()).with_sandbox(sandbox);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(serve_until_signal(listener, state, Duration::from_secs(1), std::future::pending()));

    let driver = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/openapi_client/drive.py");
    let output = tokio::task::spawn_blocking(move || {
        run(
            Command::new("python3").arg(driver).arg(&generated).arg(&base).arg(&key).arg("hubspot"),
            "the generated client",
        )
    })
    .await
    .unwrap();
    let called: Vec<String> = serde_json::from_str(output.lines().last().unwrap_or("[]")).unwrap();

    let mut expected: Vec<String> = document["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|path| path.as_object().unwrap().values())
        .map(|operation| operation["operationId"].as_str().unwrap().to_owned())
        // Prometheus text is no JSON answer for a client to parse; its endpoint is scraped, not called.
        .filter(|id| id != "metrics")
        .collect();
    expected.sort();
    let mut called_sorted = called.clone();
    called_sorted.sort();
    called_sorted.dedup();
    assert_eq!(called_sorted, expected, "the generated client called every operation: {called:?}");
}
