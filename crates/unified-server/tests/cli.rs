//! The `unified` binary: commands, output, exit codes, first start and graceful shutdown.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_unified");

fn unified(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("UNIFIED_DATABASE_URL")
        .env_remove("UNIFIED_MASTER_KEY")
        .env_remove("UNIFIED_LISTEN")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn keys_create_prints_only_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = unified(dir.path(), &["keys", "create", "--mode", "live", "--tenant", "acme"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let key = stdout.trim();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(key.starts_with("sk_live_") && key.len() >= 8 + 43, "{key}");
    assert!(key[8..].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{key}");
    assert!(dir.path().join("unified.db").exists(), "default database created in the working directory");

    let list = unified(dir.path(), &["keys", "list"]);
    let listed = text(&list.stdout);
    assert!(listed.contains(&key[..16]) && listed.contains("acme"), "{listed}");
    assert!(!listed.contains(key), "keys list never shows a key");

    let revoke = unified(dir.path(), &["keys", "revoke", &key[..16]]);
    assert!(revoke.status.success(), "{}", text(&revoke.stderr));
    let again = unified(dir.path(), &["keys", "revoke", &key[..16]]);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(text(&again.stderr).lines().count(), 1);
}

#[test]
fn usage_errors_exit_2_and_failures_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(unified(dir.path(), &["keys", "create"]).status.code(), Some(2), "missing --mode");
    assert_eq!(unified(dir.path(), &["keys", "create", "--mode", "staging"]).status.code(), Some(2));
    assert_eq!(unified(dir.path(), &["nonsense"]).status.code(), Some(2));
    let both =
        ["connections", "add", "--end-user", "u", "--provider", "hubspot", "--access-token", "t", "--api-key", "k"];
    assert_eq!(unified(dir.path(), &both).status.code(), Some(2), "a token and an API key");
    let unknown =
        unified(dir.path(), &["connections", "add", "--end-user", "u", "--provider", "nope", "--api-key", "k"]);
    assert_eq!(unknown.status.code(), Some(1));
    let stderr = text(&unknown.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("hubspot"), "lists the registered providers: {stderr}");
    let keyed =
        unified(dir.path(), &["connections", "add", "--end-user", "u", "--provider", "salesforce", "--api-key", "k"]);
    assert_eq!(keyed.status.code(), Some(1));
    assert!(text(&keyed.stderr).contains("Salesforce takes no API keys"), "{}", text(&keyed.stderr));
    for help in
        [&["--help"][..], &["serve", "--help"], &["keys", "create", "--help"], &["connections", "add", "--help"]]
    {
        assert!(unified(dir.path(), help).status.success(), "{help:?}");
    }
}

#[test]
fn connections_add_list_remove() {
    let dir = tempfile::tempdir().unwrap();
    let add = unified(
        dir.path(),
        &[
            "connections",
            "add",
            "--end-user",
            "user-001",
            "--provider",
            "hubspot",
            "--access-token",
            "tok-secret-123",
            "--refresh-token",
            "ref-secret-456",
            "--expires-at",
            "2030-01-01T00:00:00Z",
            "--setting",
            "sourceProperty=lead_source",
            "--base-url",
            "http://127.0.0.1:9/",
            "--mode",
            "test",
        ],
    );
    assert!(add.status.success(), "{}", text(&add.stderr));
    let id = text(&add.stdout).trim().to_owned();
    let list = text(&unified(dir.path(), &["connections", "list", "--end-user", "user-001"]).stdout);
    assert!(list.contains(&id) && list.contains("hubspot") && list.contains("test"), "{list}");
    assert!(!list.contains("tok-secret-123") && !list.contains("ref-secret-456"), "{list}");
    let duplicate = unified(
        dir.path(),
        &["connections", "add", "--end-user", "user-001", "--provider", "hubspot", "--api-key", "k", "--mode", "test"],
    );
    assert_eq!(duplicate.status.code(), Some(1));
    assert!(unified(dir.path(), &["connections", "remove", &id]).status.success());
    assert_eq!(unified(dir.path(), &["connections", "remove", &id]).status.code(), Some(1));
}

#[test]
fn serve_seeds_a_key_prints_the_curl_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let listen = format!("127.0.0.1:{port}");
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", &listen, "--log-format", "json"])
        .current_dir(dir.path())
        .env_remove("UNIFIED_DATABASE_URL")
        .env_remove("UNIFIED_MASTER_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = String::new();
    while !printed.contains("-d '") {
        let line = lines.next().expect("the server prints its first-start message").unwrap();
        printed.push_str(&line);
        printed.push('\n');
    }
    let key = printed.split_whitespace().find(|w| w.starts_with("sk_test_")).expect("a test key").to_owned();
    assert!(
        printed.contains(&format!("http://{listen}/api/v1/contact?provider=hubspot&endUserId=user-001")),
        "{printed}"
    );
    assert!(printed.contains(&format!("Authorization: Bearer {key}")), "{printed}");

    // The API answers: health, and an authenticated create that finds no connection yet.
    let deadline = Instant::now() + Duration::from_secs(10);
    let health = loop {
        if let Ok(out) = Command::new("curl").args(["-s", &format!("http://{listen}/healthz")]).output()
            && out.status.success()
        {
            break text(&out.stdout);
        }
        assert!(Instant::now() < deadline, "the server never answered");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(health.contains("ok"), "{health}");

    // A second start on the same database seeds nothing.
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert_eq!(exit.code(), Some(0), "SIGTERM is a clean exit");
    let second = Command::new(BIN)
        .args(["keys", "list"])
        .current_dir(dir.path())
        .env_remove("UNIFIED_DATABASE_URL")
        .env_remove("UNIFIED_MASTER_KEY")
        .output()
        .unwrap();
    assert_eq!(text(&second.stdout).matches("sk_test_").count(), 1, "exactly one seeded key");
}
