//! `cargo xtask load` end to end, small: ignored by default because it builds `unified` in release (minutes
//! on a cold target dir) and measures nothing useful in a debug test binary. Run it with
//! `cargo test -p xtask --test load -- --ignored`.

use std::time::Duration;

use serde_json::Value;
use xtask::{LoadOptions, load, workspace_root};

#[test]
#[ignore = "builds unified in release; run with --ignored"]
fn a_small_run_loses_nothing_and_ends_with_the_json_line() {
    let options = LoadOptions { requests: 200, concurrency: 8, timeout: Duration::from_secs(120) };
    let report = load(&workspace_root(), &options).expect("the load run");
    assert_eq!((report.errors(), report.lost()), (0, 0), "{}", report.table());
    assert_eq!((report.emulator.created, report.server.created), (200, 200));
    assert_eq!((report.emulator.stored, report.server.stored), (200, 200));
    // Every server create reached the sandbox emulator: the create itself, and the owner lookup.
    assert_eq!(report.server.provider_calls.get("POST /crm/v3/objects/contacts"), Some(&200));

    let json: Value = serde_json::from_str(&report.json_line()).unwrap();
    for key in ["emulator_rps", "server_rps", "ratio", "p50_ms", "p99_ms", "errors", "lost", "peak_rss_mb"] {
        assert!(json.get(key).is_some_and(|v| v.is_number()), "{key} in {json}");
    }
    assert!(report.server.peak_rss_kib.is_some_and(|kib| kib > 0));
}
