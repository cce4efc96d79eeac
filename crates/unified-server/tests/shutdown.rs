//! SIGTERM mid-load: in-flight requests finish, the process exits 0, and nothing is half-written in the
//! store (every idempotency key of the load is completed, none left in progress).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use unified_core::{Operation, ResourceKind};
use unified_server::idempotency::record_hash;
use unified_server::routes::records::RecordQuery;
use unified_store::IdempotencyBegin;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_in_flight_creates_finish() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_unified"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--log-format", "json", "--shutdown-grace", "20"])
        .current_dir(dir.path())
        .env("RUST_LOG", "warn,unified_server::sandbox=info")
        .env_remove("UNIFIED_DATABASE_URL")
        .env_remove("UNIFIED_MASTER_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The first-start message names the key; the sandbox log line names the emulator.
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let key = stdout
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| line.split_whitespace().find(|w| w.starts_with("sk_test_")).map(str::to_owned))
        .expect("a seeded test key");
    std::thread::spawn(move || stdout.for_each(drop));
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let emulator = loop {
        let line = stderr.next().expect("the sandbox log line").unwrap();
        if let Ok(log) = serde_json::from_str::<Value>(&line)
            && log["provider"] == "hubspot"
            && let Some(url) = log["url"].as_str()
        {
            break url.to_owned();
        }
    };
    std::thread::spawn(move || stderr.for_each(drop));

    let http = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..100 {
        if http.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status().is_success()) {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(ready, "the server became ready");
    // Warm up the sandbox connection, then make every create slow.
    let warm = http
        .post(format!("{base}/api/v1/contact?provider=hubspot&endUserId=u1"))
        .bearer_auth(&key)
        .json(&json!({ "email": "warm@example.com" }))
        .send()
        .await
        .unwrap();
    assert_eq!(warm.status().as_u16(), 201);
    let fault = json!({ "kind": "slow", "count": 8, "delayMs": 1500 });
    http.post(format!("{emulator}/_emulator/faults")).json(&fault).send().await.unwrap();

    let creates: Vec<_> = (0..8)
        .map(|i| {
            let request = http
                .post(format!("{base}/api/v1/contact?provider=hubspot&endUserId=u1"))
                .bearer_auth(&key)
                .header("idempotency-key", format!("load-{i}"))
                .json(&json!({ "email": format!("load-{i}@example.com") }));
            tokio::spawn(async move { request.send().await.map(|r| r.status().as_u16()) })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let signalled = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(signalled.success());

    for create in creates {
        assert_eq!(create.await.unwrap().expect("an answer, not a dropped connection"), 201);
    }
    let status = tokio::task::spawn_blocking(move || child.wait()).await.unwrap().unwrap();
    assert_eq!(status.code(), Some(0), "a clean exit after draining");
    let refused = http.get(format!("{base}/healthz")).send().await;
    assert!(refused.is_err(), "no longer accepting");

    // Nothing half-written: every key of the load is completed (replayed), none in progress.
    let store = unified_store::open(&format!("sqlite://{}", dir.path().join("unified.db").display())).await.unwrap();
    let tenant = store.authenticate(&key).await.unwrap().unwrap().tenant_id;
    let query = RecordQuery::parse(Operation::Create, Some("provider=hubspot&endUserId=u1")).unwrap();
    for i in 0..8 {
        let body = serde_json::to_vec(&json!({ "email": format!("load-{i}@example.com") })).unwrap();
        let hash = record_hash(Operation::Create, ResourceKind::Contact, "", &query, &body);
        let begin = store.idempotency_begin(&tenant, &format!("test:load-{i}"), &hash, Duration::from_secs(3600)).await;
        assert!(matches!(begin, Ok(IdempotencyBegin::Replay { status: 201, .. })), "load-{i}: {begin:?}");
    }
}
