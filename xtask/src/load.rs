//! `cargo xtask load [--requests N] [--concurrency C]`: the load benchmark.
//!
//! It builds `unified` in release, then in one run and on loopback only:
//!
//! 1. starts `unified emulator hubspot` alone and drives N creates of the seed contact straight at it, with
//!    the HubSpot body the connector sends for that contact (found by running the real connector once
//!    against that emulator);
//! 2. starts `unified serve` on a fresh SQLite database in a temp dir (its first start prints the test key
//!    and the seed contact; the key's first request gets a sandbox connection to the server's own HubSpot
//!    emulator) and drives the same N creates through `POST /api/v1/contact?provider=hubspot`.
//!
//! HubSpot refuses a second contact with the same e-mail, so every create has its own
//! (`load-e-<n>@example.com` at the emulator, `load-s-<n>@example.com` through the server). Both phases
//! start with a warm-up that is not measured (the server's creates the sandbox connection).
//!
//! For each phase: requests/s (requests answered, N unless the deadline cut the phase short, over the
//! phase's wall time), p50, p99 and max latency, errors (any answer but 201, transport errors, requests
//! not sent before the deadline), and whether the emulator stored exactly the e-mails answered 201 (`lost`
//! counts the 201s it does not hold plus the records it holds without a 201). Then the server's peak RSS
//! (`VmHWM` right after the measured creates; the sandbox emulator's records live in the server process)
//! and the ratio of the server's throughput to the emulator's. The last line on stdout is one JSON object:
//! `emulator_rps`, `server_rps`, `ratio`, `p50_ms`, `p99_ms` (the server's), `errors` (both phases),
//! `lost` (both phases), `peak_rss_mb` (the server's, in MB of 10^6 bytes; `null` without `/proc`).
//!
//! The load generator runs in this process, so it must be optimized: unoptimized, it caps the lone
//! emulator at about a quarter of its throughput. `cargo xtask` builds debug, so `main.rs` runs `load`
//! again through `cargo run --release -p xtask`.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use serde_json::{Value, json};
use unified::registry;
use unified_core::connector::{Call, Settings};
use unified_core::pipeline;
use unified_core::resource::ResourceKind;
use unified_core::testkit::RecordingBackend;
use unified_core::transport::{Credentials, ProviderClient, ReqwestBackend};

/// What `cargo xtask load` was asked for.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Creates per phase.
    pub requests: usize,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Both phases together (warm-ups and checks included) stop sending when this is over.
    pub timeout: Duration,
}

/// The figures of one run.
#[derive(Debug, Clone)]
pub struct Report {
    pub requests: usize,
    pub concurrency: usize,
    pub emulator: PhaseReport,
    pub server: PhaseReport,
    /// `/proc/loadavg` (1, 5, 15 minutes) before and after the run.
    pub load_before: Option<String>,
    pub load_after: Option<String>,
}

/// One phase's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseReport {
    pub requests_per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Requests that were not answered 201, not answered at all, or not sent.
    pub errors: usize,
    /// `"422"`, `"timeout"`, `"not sent (deadline)"`, ... → count.
    pub error_kinds: BTreeMap<String, usize>,
    /// The first error's status and body (or transport message), shortened.
    pub first_error: Option<String>,
    /// Requests answered 201.
    pub created: usize,
    /// Records of this phase that the emulator holds.
    pub stored: usize,
    /// 201s the emulator does not hold, plus records it holds that were not answered 201.
    pub lost: usize,
    /// What the emulator received during the measured creates: `"POST /crm/v3/objects/contacts"` → count.
    pub provider_calls: BTreeMap<String, u64>,
    /// The serving process's peak RSS (`VmHWM`, KiB) right after the measured creates: before the check of
    /// the stored records, whose listing of every record would raise it.
    pub peak_rss_kib: Option<u64>,
    /// CPU time (user + system) per measured create: of the serving process, and of this load generator.
    pub cpu_us_per_create: Option<f64>,
    pub generator_cpu_us_per_create: Option<f64>,
}

/// The issue's targets, for 64 concurrent requests over 10,000 (the RSS one at 256 concurrent).
pub const TARGET_RATIO: f64 = 0.5;
pub const TARGET_P99_MS: f64 = 10.0;
pub const TARGET_PEAK_RSS_MB: f64 = 80.0;

/// KiB (what `/proc` counts in) to MB of 10^6 bytes, the unit of the target, and to MiB.
const MB_PER_KIB: f64 = 1024.0 / 1_000_000.0;
const MIB_PER_KIB: f64 = 1.0 / 1024.0;
/// Where each phase's e-mails start: measured creates, then its warm-up's.
const EMULATOR_PREFIX: &str = "load-e-";
const EMULATOR_WARM_UP_PREFIX: &str = "load-we-";
const SERVER_PREFIX: &str = "load-s-";
const SERVER_WARM_UP_PREFIX: &str = "load-ws-";
const EMAIL_DOMAIN: &str = "@example.com";
/// Stands for the e-mail in a body template; found exactly once in the serialized body.
const EMAIL_PLACEHOLDER: &str = "load-placeholder-7c1f@example.com";
const END_USER: &str = "load-user";
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const STOP_GRACE: Duration = Duration::from_secs(5);

impl Report {
    pub fn peak_rss_mb(&self) -> Option<f64> {
        self.server.peak_rss_kib.map(|kib| kib as f64 * MB_PER_KIB)
    }

    /// Server throughput over emulator throughput.
    pub fn ratio(&self) -> f64 {
        if self.emulator.requests_per_sec > 0.0 {
            self.server.requests_per_sec / self.emulator.requests_per_sec
        } else {
            0.0
        }
    }

    pub fn errors(&self) -> usize {
        self.emulator.errors + self.server.errors
    }

    pub fn lost(&self) -> usize {
        self.emulator.lost + self.server.lost
    }

    /// The last line of the output.
    pub fn json_line(&self) -> String {
        json!({
            "emulator_rps": round(self.emulator.requests_per_sec, 1),
            "server_rps": round(self.server.requests_per_sec, 1),
            "ratio": round(self.ratio(), 3),
            "p50_ms": round(self.server.p50_ms, 3),
            "p99_ms": round(self.server.p99_ms, 3),
            "errors": self.errors(),
            "lost": self.lost(),
            "peak_rss_mb": self.peak_rss_mb().map(|mb| round(mb, 1)),
        })
        .to_string()
    }

    /// Why the run failed its checks (errors or lost records), if it did. Speed and memory are only reported.
    pub fn failure(&self) -> Option<String> {
        (self.errors() > 0 || self.lost() > 0)
            .then(|| format!("{} errors and {} lost records (see above)", self.errors(), self.lost()))
    }

    /// The human-readable table and notes printed before the JSON line.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "load: {} creates per phase, {} concurrent; each create has its own e-mail \
             ({EMULATOR_PREFIX}<n>{EMAIL_DOMAIN} at the emulator, {SERVER_PREFIX}<n>{EMAIL_DOMAIN} through the server) \
             because HubSpot refuses duplicate e-mails",
            self.requests, self.concurrency
        );
        let _ = writeln!(
            out,
            "machine load (1/5/15 min): {} before, {} after",
            self.load_before.as_deref().unwrap_or("?"),
            self.load_after.as_deref().unwrap_or("?")
        );
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{:<18} {:>11} {:>9} {:>9} {:>9} {:>7} {:>8} {:>7} {:>5}",
            "phase", "requests/s", "p50 ms", "p99 ms", "max ms", "errors", "201s", "stored", "lost"
        );
        for (name, phase) in [("emulator (alone)", &self.emulator), ("server (sandbox)", &self.server)] {
            let _ = writeln!(
                out,
                "{name:<18} {:>11.1} {:>9.3} {:>9.3} {:>9.3} {:>7} {:>8} {:>7} {:>5}",
                phase.requests_per_sec,
                phase.p50_ms,
                phase.p99_ms,
                phase.max_ms,
                phase.errors,
                phase.created,
                phase.stored,
                phase.lost
            );
        }
        let _ = writeln!(out);
        let mb = |kib: Option<u64>| {
            kib.map_or_else(
                || "?".to_owned(),
                |k| format!("{:.1} MB = {:.1} MiB", k as f64 * MB_PER_KIB, k as f64 * MIB_PER_KIB),
            )
        };
        let _ = writeln!(
            out,
            "server peak RSS (VmHWM): {} (emulator alone: {})",
            mb(self.server.peak_rss_kib),
            mb(self.emulator.peak_rss_kib)
        );
        let _ = writeln!(out, "server/emulator throughput: {:.3}", self.ratio());
        let us = |v: Option<f64>| v.map_or_else(|| "?".to_owned(), |v| format!("{v:.0} µs"));
        for (name, phase) in [("emulator", &self.emulator), ("server", &self.server)] {
            let _ = writeln!(
                out,
                "CPU per create, {name} phase: {name} process {}, load generator {}",
                us(phase.cpu_us_per_create),
                us(phase.generator_cpu_us_per_create)
            );
        }
        if self.server.created > 0 && !self.server.provider_calls.is_empty() {
            let total: u64 = self.server.provider_calls.values().sum();
            let calls: Vec<String> =
                self.server.provider_calls.iter().map(|(call, n)| format!("{call} ×{n}")).collect();
            let _ = writeln!(
                out,
                "sandbox emulator calls per server create: {:.2} ({})",
                total as f64 / self.server.created as f64,
                calls.join(", ")
            );
        }
        for (name, phase) in [("emulator", &self.emulator), ("server", &self.server)] {
            if !phase.error_kinds.is_empty() {
                let kinds: Vec<String> = phase.error_kinds.iter().map(|(kind, n)| format!("{kind} ×{n}")).collect();
                let _ = writeln!(out, "{name} errors: {}", kinds.join(", "));
            }
            if let Some(first) = &phase.first_error {
                let _ = writeln!(out, "{name} first error: {first}");
            }
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "targets (issue: 64 concurrent over 10,000 requests; RSS at 256 concurrent):");
        let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
        let _ = writeln!(
            out,
            "  0 errors, 0 lost: {} ({} errors, {} lost)",
            verdict(self.errors() == 0 && self.lost() == 0),
            self.errors(),
            self.lost()
        );
        let _ = writeln!(
            out,
            "  server ≥ {:.0}% of the emulator's throughput: {} ({:.1}%)",
            TARGET_RATIO * 100.0,
            verdict(self.ratio() >= TARGET_RATIO),
            self.ratio() * 100.0
        );
        let _ = writeln!(
            out,
            "  server p99 < {TARGET_P99_MS} ms: {} ({:.3} ms)",
            verdict(self.server.p99_ms < TARGET_P99_MS),
            self.server.p99_ms
        );
        match self.peak_rss_mb() {
            Some(rss) => {
                let _ = writeln!(
                    out,
                    "  server peak RSS < {TARGET_PEAK_RSS_MB} MB: {} ({rss:.1} MB)",
                    verdict(rss < TARGET_PEAK_RSS_MB)
                );
            }
            None => {
                let _ = writeln!(out, "  server peak RSS < {TARGET_PEAK_RSS_MB} MB: unknown (no /proc)");
            }
        }
        out
    }
}

/// `value` rounded to `decimals` places (for the JSON line).
fn round(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

/// The nearest-rank percentile (`p` in 0..=100) of sorted samples; 0 when there are none.
pub fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// A JSON body with the e-mail cut out, so that each request only concatenates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyTemplate {
    head: String,
    tail: String,
}

impl BodyTemplate {
    /// `body` serialized, with the one occurrence of `placeholder` (a JSON string's content) as the hole.
    pub fn new(body: &Value, placeholder: &str) -> Result<Self> {
        let text = body.to_string();
        let quoted = serde_json::to_string(placeholder)?;
        let mut parts = text.split(quoted.as_str());
        match (parts.next(), parts.next(), parts.next()) {
            (Some(head), Some(tail), None) => Ok(Self { head: format!("{head}\""), tail: format!("\"{tail}") }),
            _ => bail!("the body must hold {placeholder} exactly once: {text}"),
        }
    }

    /// The body with `email` (plain ASCII, no JSON escape needed) in the hole.
    pub fn render(&self, email: &str) -> String {
        let mut body = String::with_capacity(self.head.len() + email.len() + self.tail.len());
        body.push_str(&self.head);
        body.push_str(email);
        body.push_str(&self.tail);
        body
    }
}

/// The seed contact's e-mail replaced by `email`.
pub fn seed_with_email(seed: &str, email: &str) -> Result<Value> {
    let mut value: Value = serde_json::from_str(seed).context("the seed contact is not JSON")?;
    let object = value.as_object_mut().context("the seed contact is not a JSON object")?;
    ensure!(object.contains_key("email"), "the seed contact has no e-mail");
    object.insert("email".to_owned(), Value::String(email.to_owned()));
    Ok(value)
}

/// What `unified serve` prints on its first start (stdout) and logs (stderr, JSON lines) while starting.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ServerStartup {
    pub key: Option<String>,
    /// `http://127.0.0.1:PORT`, from the seed example's curl line.
    pub base_url: Option<String>,
    /// The seed contact, from the curl line's `-d '...'`.
    pub seed: Option<String>,
    /// The sandbox HubSpot emulator's base URL, from the `sandbox emulator started` log line.
    pub sandbox_url: Option<String>,
    /// The `unified is listening` log line was seen.
    pub listening: bool,
}

impl ServerStartup {
    /// Takes what it needs from one line of the first-start message.
    pub fn stdout_line(&mut self, line: &str) {
        let line = line.trim();
        if line.starts_with("sk_test_") && !line.contains(' ') {
            self.key = Some(line.to_owned());
        } else if let Some(rest) = line.strip_prefix("curl -X POST '")
            && let Some((base, _)) = rest.split_once("/api/v1/")
        {
            self.base_url = Some(base.to_owned());
        } else if let Some(seed) = line.strip_prefix("-d '").and_then(|rest| rest.strip_suffix('\'')) {
            self.seed = Some(seed.to_owned());
        }
    }

    /// Takes what it needs from one JSON log line (other lines are ignored).
    pub fn log_line(&mut self, line: &str) {
        let Ok(Value::Object(event)) = serde_json::from_str::<Value>(line) else { return };
        let field = |name: &str| event.get(name).and_then(Value::as_str);
        match field("message") {
            Some("sandbox emulator started") if field("provider") == Some("hubspot") => {
                self.sandbox_url = field("url").map(str::to_owned);
            }
            Some("unified is listening") => self.listening = true,
            _ => {}
        }
    }

    pub fn ready(&self) -> bool {
        self.key.is_some()
            && self.base_url.is_some()
            && self.seed.is_some()
            && self.sandbox_url.is_some()
            && self.listening
    }
}

/// `http://127.0.0.1:PORT` from `HubSpot emulator on http://127.0.0.1:PORT (control plane: ...)`.
pub fn emulator_url(line: &str) -> Option<String> {
    let start = line.find("http://")?;
    let url = line[start..].split_whitespace().next()?;
    Some(url.trim_end_matches('/').to_owned())
}

/// Process `pid`'s peak resident set (`VmHWM`), in KiB; `None` without `/proc`.
/// CPU time (user + system) that process `pid` (or `self`) has used, from `/proc/<pid>/stat`; `None`
/// where there is no `/proc`.
fn cpu_time(pid: &str) -> Option<Duration> {
    cpu_ticks(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
        // `/proc` counts in USER_HZ, 100 per second on Linux.
        .map(|ticks| Duration::from_millis(ticks * 10))
}

/// utime + stime of a `/proc/<pid>/stat` line. The command name may hold spaces and parentheses: the
/// fields are counted from its last `)`, after which utime and stime are the 12th and 13th.
pub fn cpu_ticks(stat: &str) -> Option<u64> {
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

fn peak_rss_kib(pid: u32) -> Option<u64> {
    vm_hwm_kib(&std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?)
}

/// `VmHWM` (peak resident set), in KiB, from the text of `/proc/<pid>/status`.
pub fn vm_hwm_kib(status: &str) -> Option<u64> {
    status.lines().find_map(|line| line.strip_prefix("VmHWM:")?.trim().strip_suffix("kB")?.trim().parse().ok())
}

/// Runs the benchmark under `root` (the workspace): build, both phases, checks.
pub fn load(root: &Path, options: &LoadOptions) -> Result<Report> {
    ensure!(options.requests > 0, "--requests must be at least 1");
    ensure!(options.concurrency > 0, "--concurrency must be at least 1");
    let load_before = loadavg();
    let binary = build(root)?;
    let temp = tempfile::Builder::new().prefix("unified-load-").tempdir().context("creating a temp dir")?;

    let (mut emulator, emulator_lines) = Process::spawn(
        "unified emulator",
        Command::new(&binary)
            .args(["emulator", "hubspot", "--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "warn")
            .current_dir(temp.path()),
    )?;
    let emulator_base = emulator.wait_for(&emulator_lines, |line| match line {
        Line::Stdout(text) => emulator_url(text),
        Line::Stderr(_) => None,
    })?;
    eprintln!("load: the HubSpot emulator is on {emulator_base}");

    let database = temp.path().join("load.db");
    let (mut server, server_lines) = Process::spawn(
        "unified serve",
        Command::new(&binary)
            .arg("serve")
            .args(["--listen", "127.0.0.1:0", "--log-format", "json", "--shutdown-grace", "2"])
            .arg("--database-url")
            .arg(format!("sqlite://{}", database.display()))
            .env("RUST_LOG", "warn,unified_server::sandbox=info,unified_server::serve=info")
            .env_remove("UNIFIED_MASTER_KEY")
            .current_dir(temp.path()),
    )?;
    let mut startup = ServerStartup::default();
    server.wait_for(&server_lines, |line| {
        match line {
            Line::Stdout(text) => startup.stdout_line(text),
            Line::Stderr(text) => startup.log_line(text),
        }
        startup.ready().then_some(())
    })?;
    // The receivers go; the reader threads keep draining the pipes so that the processes never block.
    drop((emulator_lines, server_lines));
    let (Some(key), Some(server_base), Some(seed), Some(sandbox_base)) =
        (startup.key, startup.base_url, startup.seed, startup.sandbox_url)
    else {
        unreachable!("ready() checked every field")
    };
    eprintln!("load: unified serve is on {server_base}, its sandbox HubSpot emulator on {sandbox_base}");

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    let deadline = Instant::now() + options.timeout;
    let run = Run { requests: options.requests, concurrency: options.concurrency, deadline };
    let (emulator_phase, server_phase) = runtime.block_on(async {
        let emulator_target = emulator_target(&emulator_base, &seed).await?;
        let emulator_phase = run
            .phase(Phase {
                name: "emulator",
                target: emulator_target,
                emulator_base: &emulator_base,
                pid: emulator.child.id(),
                warm_up_prefix: EMULATOR_WARM_UP_PREFIX,
                prefix: EMULATOR_PREFIX,
            })
            .await?;

        let server_target = Target {
            url: format!("{server_base}/api/v1/contact?provider=hubspot&endUserId={END_USER}"),
            authorization: format!("Bearer {key}"),
            body: BodyTemplate::new(&seed_with_email(&seed, EMAIL_PLACEHOLDER)?, EMAIL_PLACEHOLDER)?,
        };
        let server_phase = run
            .phase(Phase {
                name: "server",
                target: server_target,
                emulator_base: &sandbox_base,
                pid: server.child.id(),
                warm_up_prefix: SERVER_WARM_UP_PREFIX,
                prefix: SERVER_PREFIX,
            })
            .await?;
        anyhow::Ok((emulator_phase, server_phase))
    })?;
    server.stop();
    emulator.stop();
    Ok(Report {
        requests: options.requests,
        concurrency: options.concurrency,
        emulator: emulator_phase,
        server: server_phase,
        load_before,
        load_after: loadavg(),
    })
}

fn loadavg() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    Some(text.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
}

/// `cargo build --release -p unified-server`; the path of the `unified` binary.
fn build(root: &Path) -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    eprintln!("load: cargo build --release -p unified-server");
    let status = Command::new(cargo)
        .args(["build", "--release", "-p", "unified-server"])
        .current_dir(root)
        .stdin(Stdio::null())
        .status()
        .context("running cargo build")?;
    ensure!(status.success(), "cargo build --release -p unified-server failed ({status})");
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |dir| root.join(dir));
    let binary = target.join("release").join(format!("unified{}", std::env::consts::EXE_SUFFIX));
    ensure!(binary.is_file(), "{} is missing after the build", binary.display());
    Ok(binary)
}

/// One line a child printed.
#[derive(Debug)]
enum Line {
    Stdout(String),
    Stderr(String),
}

/// A child process, stopped (SIGTERM, then SIGKILL after a grace period) when dropped.
#[derive(Debug)]
struct Process {
    name: &'static str,
    child: Child,
    /// The last lines it printed, for the message when it dies.
    tail: VecDeque<String>,
}

impl Process {
    /// Spawns `command` with its stdout and stderr read line by line, each by a thread that keeps reading
    /// until the pipe closes (whether or not anyone still receives).
    fn spawn(name: &'static str, command: &mut Command) -> Result<(Self, mpsc::Receiver<Line>)> {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {name}"))?;
        let (sender, receiver) = mpsc::channel();
        if let Some(stdout) = child.stdout.take() {
            pump(stdout, sender.clone(), Line::Stdout);
        }
        if let Some(stderr) = child.stderr.take() {
            pump(stderr, sender, Line::Stderr);
        }
        Ok((Self { name, child, tail: VecDeque::new() }, receiver))
    }

    /// Reads lines until `found` returns something, the process exits, or the startup timeout is over.
    fn wait_for<T>(&mut self, lines: &mpsc::Receiver<Line>, mut found: impl FnMut(&Line) -> Option<T>) -> Result<T> {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        while Instant::now() < deadline {
            match lines.recv_timeout(Duration::from_millis(100)) {
                Ok(line) => {
                    if let Some(value) = found(&line) {
                        return Ok(value);
                    }
                    let (Line::Stdout(text) | Line::Stderr(text)) = line;
                    if self.tail.len() == 20 {
                        self.tail.pop_front();
                    }
                    self.tail.push_back(text);
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Some(status) = self.child.try_wait()? {
                        bail!("{} exited while starting ({status}): {}", self.name, self.tail_text());
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let status = self.child.wait()?;
                    bail!("{} exited while starting ({status}): {}", self.name, self.tail_text());
                }
            }
        }
        bail!("{} did not start within {}s: {}", self.name, STARTUP_TIMEOUT.as_secs(), self.tail_text())
    }

    fn tail_text(&self) -> String {
        if self.tail.is_empty() { "no output".to_owned() } else { Vec::from(self.tail.clone()).join(" | ") }
    }

    /// SIGTERM (through `kill`: this crate has no unsafe code), then SIGKILL after the grace period.
    fn stop(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + STOP_GRACE;
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.stop();
    }
}

fn pump(pipe: impl Read + Send + 'static, sender: mpsc::Sender<Line>, wrap: fn(String) -> Line) {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(pipe);
        let mut buffer = Vec::new();
        loop {
            buffer.clear();
            match reader.read_until(b'\n', &mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let text = String::from_utf8_lossy(&buffer).trim_end().to_owned();
                    // Once nobody listens, the line is dropped: the point is to keep the pipe empty.
                    let _ = sender.send(wrap(text));
                }
            }
        }
    });
}

/// Where one phase sends its creates.
#[derive(Debug)]
struct Target {
    url: String,
    authorization: String,
    body: BodyTemplate,
}

/// The lone emulator's target: the create call the HubSpot connector makes for the seed contact, found by
/// running the connector once against that emulator with no connection settings (as a sandbox connection).
async fn emulator_target(emulator_base: &str, seed: &str) -> Result<Target> {
    const TOKEN: &str = "sandbox-load";
    let descriptor = registry::lookup("hubspot").map_err(|e| anyhow::anyhow!("{}", e.message()))?;
    let backend = Arc::new(RecordingBackend::new(ReqwestBackend::shared()));
    let client = ProviderClient::builder(descriptor)
        .credentials(Credentials::bearer(TOKEN))
        .backend(backend.clone())
        .base_url(emulator_base)
        .build()
        .map_err(|e| anyhow::anyhow!("building the HubSpot client: {}", e.message()))?;
    let body = serde_json::to_vec(&seed_with_email(seed, EMAIL_PLACEHOLDER)?)?;
    let settings = Settings::new();
    let call = Call { client: &client, settings: &settings, include_remote_data: false, connection_id: "load" };
    pipeline::create_from_json(descriptor, call, ResourceKind::Contact, &body)
        .await
        .map_err(|e| anyhow::anyhow!("the connector's create against the emulator failed: {}", e.message()))?;
    let exchange = backend
        .exchanges()
        .into_iter()
        .find(|exchange| exchange.request.method == "POST" && exchange.request.path.ends_with("/contacts"))
        .context("the connector made no POST .../contacts call")?;
    Ok(Target {
        url: format!("{emulator_base}{}", exchange.request.path),
        authorization: format!("Bearer {TOKEN}"),
        body: BodyTemplate::new(&exchange.request.body, EMAIL_PLACEHOLDER)?,
    })
}

/// `GET /_emulator/stats`'s `requests`: `"POST /crm/v3/objects/contacts"` → count.
async fn provider_stats(emulator_base: &str) -> Result<BTreeMap<String, u64>> {
    let stats: Value = control_client()?
        .get(format!("{emulator_base}/_emulator/stats"))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await
        .context("reading /_emulator/stats")?;
    let requests = stats.get("requests").and_then(Value::as_object).context("/_emulator/stats has no `requests`")?;
    Ok(requests.iter().filter_map(|(call, n)| Some((call.clone(), n.as_u64()?))).collect())
}

/// The e-mail numbers `<prefix><n>@example.com` of the live contacts the emulator holds.
async fn stored_numbers(emulator_base: &str, prefix: &str) -> Result<BTreeSet<usize>> {
    let records: Vec<Value> = control_client()?
        .get(format!("{emulator_base}/_emulator/records/contacts"))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await
        .context("reading /_emulator/records/contacts")?;
    Ok(records
        .iter()
        .filter_map(|record| record.pointer("/properties/email")?.as_str())
        .filter_map(|email| email.strip_prefix(prefix)?.strip_suffix(EMAIL_DOMAIN)?.parse().ok())
        .collect())
}

fn control_client() -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder().no_proxy().timeout(REQUEST_TIMEOUT).build()?)
}

fn load_client(concurrency: usize) -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .no_proxy()
        .http1_only()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(concurrency)
        .connect_timeout(Duration::from_secs(5))
        .timeout(REQUEST_TIMEOUT)
        .build()?)
}

#[derive(Debug, Clone, Copy)]
struct Run {
    requests: usize,
    concurrency: usize,
    deadline: Instant,
}

/// One phase: where its creates go, and where they should end up.
#[derive(Debug)]
struct Phase<'a> {
    name: &'static str,
    target: Target,
    /// The emulator that stores the records (the lone one, or the server's sandbox emulator).
    emulator_base: &'a str,
    /// The serving process, whose peak RSS is read after the measured creates.
    pid: u32,
    /// E-mails of the warm-up and of the measured creates start with these.
    warm_up_prefix: &'static str,
    prefix: &'static str,
}

impl Run {
    /// A warm-up (one request alone, then one per worker, not measured), the measured creates, the peak
    /// RSS, and the check of what the emulator stored.
    async fn phase(&self, phase: Phase<'_>) -> Result<PhaseReport> {
        let Phase { name, target, emulator_base, pid, warm_up_prefix, prefix } = phase;
        let client = load_client(self.concurrency)?;
        let target = Arc::new(target);
        let first = drive(&client, &target, &format!("{warm_up_prefix}first-"), 1, 1, self.deadline).await;
        if first.created != 1 {
            bail!("{name}: the first warm-up create failed: {}", first.first_error.unwrap_or_default());
        }
        let warm = drive(&client, &target, warm_up_prefix, self.concurrency, self.concurrency, self.deadline).await;
        if warm.errors() > 0 {
            eprintln!(
                "load: {name}: {} of {} warm-up creates failed: {}",
                warm.errors(),
                self.concurrency,
                warm.first_error.as_deref().unwrap_or_default()
            );
        }
        let before = stored_numbers(emulator_base, prefix).await?;
        ensure!(before.is_empty(), "{name}: the emulator already holds {} contacts of this phase", before.len());
        let calls_before = provider_stats(emulator_base).await?;

        eprintln!("load: {name}: {} creates, {} concurrent", self.requests, self.concurrency);
        let cpu_before = (cpu_time(&pid.to_string()), cpu_time("self"));
        let measured = drive(&client, &target, prefix, self.requests, self.concurrency, self.deadline).await;
        let cpu_after = (cpu_time(&pid.to_string()), cpu_time("self"));
        let creates = measured.requests;
        let per_create = |before: Option<Duration>, after: Option<Duration>| {
            let spent = after?.checked_sub(before?)?;
            (creates > 0).then(|| spent.as_secs_f64() * 1e6 / creates as f64)
        };
        // Before the check: listing every stored record raises the emulator's RSS for a moment.
        let peak_rss_kib = peak_rss_kib(pid);
        let mut calls = provider_stats(emulator_base).await?;
        for (call, n) in &mut calls {
            *n = n.saturating_sub(calls_before.get(call).copied().unwrap_or(0));
        }
        calls.retain(|_, n| *n > 0);
        let stored = stored_numbers(emulator_base, prefix).await?;
        let mut report = measured.report(&stored, calls);
        report.peak_rss_kib = peak_rss_kib;
        report.cpu_us_per_create = per_create(cpu_before.0, cpu_after.0);
        report.generator_cpu_us_per_create = per_create(cpu_before.1, cpu_after.1);
        Ok(report)
    }
}

/// What the workers of one drive saw.
#[derive(Debug, Default)]
struct Outcome {
    requests: usize,
    wall: Duration,
    /// Latency of every answered or failed request, µs.
    latencies_us: Vec<u32>,
    /// The e-mail numbers answered 201.
    created_numbers: Vec<usize>,
    created: usize,
    error_kinds: BTreeMap<String, usize>,
    first_error: Option<String>,
}

impl Outcome {
    fn errors(&self) -> usize {
        self.error_kinds.values().sum()
    }

    fn error(&mut self, kind: String, detail: impl FnOnce() -> String) {
        *self.error_kinds.entry(kind).or_default() += 1;
        if self.first_error.is_none() {
            self.first_error = Some(detail());
        }
    }

    fn merge(&mut self, other: Outcome) {
        self.latencies_us.extend(other.latencies_us);
        self.created_numbers.extend(other.created_numbers);
        self.created += other.created;
        for (kind, n) in other.error_kinds {
            *self.error_kinds.entry(kind).or_default() += n;
        }
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    fn report(mut self, stored: &BTreeSet<usize>, provider_calls: BTreeMap<String, u64>) -> PhaseReport {
        let not_sent = self.requests.saturating_sub(self.latencies_us.len());
        if not_sent > 0 {
            *self.error_kinds.entry("not sent (deadline)".to_owned()).or_default() += not_sent;
        }
        self.latencies_us.sort_unstable();
        let ms = |us: u32| f64::from(us) / 1000.0;
        let answered: BTreeSet<usize> = self.created_numbers.iter().copied().collect();
        let lost = answered.difference(stored).count() + stored.difference(&answered).count();
        let secs = self.wall.as_secs_f64();
        PhaseReport {
            requests_per_sec: if secs > 0.0 { self.latencies_us.len() as f64 / secs } else { 0.0 },
            p50_ms: ms(percentile(&self.latencies_us, 50.0)),
            p99_ms: ms(percentile(&self.latencies_us, 99.0)),
            max_ms: ms(self.latencies_us.last().copied().unwrap_or(0)),
            errors: self.errors(),
            error_kinds: self.error_kinds,
            first_error: self.first_error,
            created: self.created,
            stored: stored.len(),
            lost,
            provider_calls,
            peak_rss_kib: None,
            cpu_us_per_create: None,
            generator_cpu_us_per_create: None,
        }
    }
}

/// `requests` creates (e-mails `<prefix>0@example.com`...) by `concurrency` workers that take the next
/// number until none is left or the deadline is over.
async fn drive(
    client: &reqwest::Client,
    target: &Arc<Target>,
    prefix: &str,
    requests: usize,
    concurrency: usize,
    deadline: Instant,
) -> Outcome {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency.min(requests))
        .map(|_| {
            let (client, target, next, prefix) =
                (client.clone(), Arc::clone(target), Arc::clone(&next), prefix.to_owned());
            tokio::spawn(async move {
                let mut outcome = Outcome::default();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= requests || Instant::now() >= deadline {
                        break;
                    }
                    one(&client, &target, &prefix, n, &mut outcome).await;
                }
                outcome
            })
        })
        .collect();
    let mut total = Outcome { requests, ..Outcome::default() };
    for worker in workers {
        match worker.await {
            Ok(outcome) => total.merge(outcome),
            Err(e) => total.error("worker panicked".to_owned(), || e.to_string()),
        }
    }
    total.wall = started.elapsed();
    total
}

async fn one(client: &reqwest::Client, target: &Target, prefix: &str, n: usize, outcome: &mut Outcome) {
    let body = target.body.render(&format!("{prefix}{n}{EMAIL_DOMAIN}"));
    let started = Instant::now();
    let sent = client
        .post(&target.url)
        .header(reqwest::header::AUTHORIZATION, &target.authorization)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await;
    let answer = match sent {
        Ok(response) => {
            let status = response.status().as_u16();
            response.bytes().await.map(|bytes| (status, bytes))
        }
        Err(e) => Err(e),
    };
    outcome.latencies_us.push(u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX));
    match answer {
        Ok((201, _)) => {
            outcome.created += 1;
            outcome.created_numbers.push(n);
        }
        Ok((status, bytes)) => outcome.error(status.to_string(), || {
            let text = String::from_utf8_lossy(&bytes);
            format!("{status} {}", text.chars().take(300).collect::<String>())
        }),
        Err(e) => {
            let kind = if e.is_timeout() {
                "timeout"
            } else if e.is_connect() {
                "connect"
            } else {
                "transport"
            };
            outcome.error(kind.to_owned(), || format!("{kind}: {e:#}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&samples, 50.0), 50);
        assert_eq!(percentile(&samples, 99.0), 99);
        assert_eq!(percentile(&samples, 100.0), 100);
        assert_eq!(percentile(&samples, 0.0), 1);
        assert_eq!(percentile(&[7], 50.0), 7);
        assert_eq!(percentile(&[7], 99.0), 7);
        assert_eq!(percentile(&[], 99.0), 0);
        // The p99 of 1,000 samples is the 990th: 11 slow requests show in it, 10 do not.
        let mut many = vec![1_000u32; 989];
        many.extend([50_000; 11]);
        assert_eq!(percentile(&many, 99.0), 50_000);
        many[989] = 1_000;
        many.sort_unstable();
        assert_eq!(percentile(&many, 99.0), 1_000);
    }

    fn phase(rps: f64, p50: f64, p99: f64, errors: usize, lost: usize, rss: u64) -> PhaseReport {
        PhaseReport {
            requests_per_sec: rps,
            p50_ms: p50,
            p99_ms: p99,
            max_ms: p99,
            errors,
            error_kinds: BTreeMap::new(),
            first_error: None,
            created: 10,
            stored: 10,
            lost,
            provider_calls: BTreeMap::from([("POST /crm/v3/objects/contacts".to_owned(), 10)]),
            peak_rss_kib: Some(rss),
            cpu_us_per_create: Some(120.0),
            generator_cpu_us_per_create: Some(60.0),
        }
    }

    fn report() -> Report {
        Report {
            requests: 10_000,
            concurrency: 64,
            emulator: phase(10_000.04, 1.0, 2.0, 1, 0, 10_240),
            server: phase(5_123.456, 3.21459, 9.87654, 2, 3, 40_960 + 51),
            load_before: Some("0.10 0.20 0.30".to_owned()),
            load_after: None,
        }
    }

    #[test]
    fn the_json_line_has_exactly_the_figures() {
        let line = report().json_line();
        assert!(!line.contains('\n'));
        let value: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(
            value,
            json!({
                "emulator_rps": 10000.0,
                "server_rps": 5123.5,
                "ratio": 0.512,
                "p50_ms": 3.215,
                "p99_ms": 9.877,
                "errors": 3,
                "lost": 3,
                "peak_rss_mb": 42.0,
            })
        );
        let keys: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 8);

        let mut no_proc = report();
        no_proc.server.peak_rss_kib = None;
        no_proc.emulator.requests_per_sec = 0.0;
        let value: Value = serde_json::from_str(&no_proc.json_line()).unwrap();
        assert_eq!(value["peak_rss_mb"], Value::Null);
        assert_eq!(value["ratio"], json!(0.0));
    }

    #[test]
    fn the_table_names_every_target() {
        let table = report().table();
        assert!(table.contains("emulator (alone)") && table.contains("server (sandbox)"), "{table}");
        assert!(table.contains("0 errors, 0 lost: MISSED (3 errors, 3 lost)"), "{table}");
        assert!(table.contains("throughput: met (51.2%)"), "{table}");
        assert!(table.contains("p99 < 10 ms: met (9.877 ms)"), "{table}");
        assert!(table.contains("peak RSS < 80 MB: met (42.0 MB)"), "{table}");
        assert!(table.contains("server peak RSS (VmHWM): 42.0 MB = 40.0 MiB"), "{table}");
        assert!(table.contains("per server create: 1.00"), "{table}");
        assert!(table.contains("CPU per create, server phase: server process 120 µs, load generator 60 µs"), "{table}");
        assert_eq!(report().failure().as_deref(), Some("3 errors and 3 lost records (see above)"));
    }

    #[test]
    fn body_templates_cut_out_the_email() {
        let body = json!({"properties": {"email": EMAIL_PLACEHOLDER, "firstname": "Jane"}});
        let template = BodyTemplate::new(&body, EMAIL_PLACEHOLDER).unwrap();
        let rendered: Value = serde_json::from_str(&template.render("load-e-7@example.com")).unwrap();
        assert_eq!(rendered, json!({"properties": {"email": "load-e-7@example.com", "firstname": "Jane"}}));

        assert!(BodyTemplate::new(&json!({"email": "x@example.com"}), EMAIL_PLACEHOLDER).is_err());
        let twice = json!({"a": EMAIL_PLACEHOLDER, "b": EMAIL_PLACEHOLDER});
        assert!(BodyTemplate::new(&twice, EMAIL_PLACEHOLDER).is_err());
    }

    #[test]
    fn the_seed_gets_its_email_replaced() {
        let seed = r#"{"firstName":"Jane","email":"jane.doe@example.com"}"#;
        assert_eq!(
            seed_with_email(seed, "a@example.com").unwrap(),
            json!({"firstName":"Jane","email":"a@example.com"})
        );
        assert!(seed_with_email(r#"{"firstName":"Jane"}"#, "a@example.com").is_err());
        assert!(seed_with_email("[]", "a@example.com").is_err());
    }

    #[test]
    fn the_server_startup_is_read_from_its_output() {
        let message = "Created tenant `default` and a test-mode API key. It is shown once; keep it:\n\n    \
                       sk_test_dp_abc-DEF_123\n\nTry the seed example:\n\n\
                       curl -X POST 'http://127.0.0.1:40123/api/v1/contact?provider=hubspot&endUserId=user-001' \\\n  \
                       -H 'Authorization: Bearer sk_test_dp_abc-DEF_123' \\\n  \
                       -H 'Content-Type: application/json' \\\n  \
                       -d '{\"firstName\":\"Jane\",\"email\":\"jane.doe@example.com\"}'\n";
        let mut startup = ServerStartup::default();
        for line in message.lines() {
            startup.stdout_line(line);
        }
        assert_eq!(startup.key.as_deref(), Some("sk_test_dp_abc-DEF_123"));
        assert_eq!(startup.base_url.as_deref(), Some("http://127.0.0.1:40123"));
        assert_eq!(startup.seed.as_deref(), Some(r#"{"firstName":"Jane","email":"jane.doe@example.com"}"#));
        assert!(!startup.ready());

        startup.log_line("not json");
        startup.log_line(
            r#"{"timestamp":"t","level":"INFO","message":"sandbox emulator started","provider":"pipedrive","url":"http://127.0.0.1:1"}"#,
        );
        assert_eq!(startup.sandbox_url, None);
        startup.log_line(
            r#"{"timestamp":"t","level":"INFO","message":"sandbox emulator started","provider":"hubspot","url":"http://127.0.0.1:2","target":"unified_server::sandbox"}"#,
        );
        assert_eq!(startup.sandbox_url.as_deref(), Some("http://127.0.0.1:2"));
        assert!(!startup.ready());
        startup.log_line(r#"{"level":"INFO","message":"unified is listening","address":"127.0.0.1:40123"}"#);
        assert!(startup.ready());
    }

    #[test]
    fn emulator_urls_and_peak_rss_are_parsed() {
        assert_eq!(
            emulator_url("HubSpot emulator on http://127.0.0.1:5002 (control plane: http://127.0.0.1:5002/_emulator/)")
                .as_deref(),
            Some("http://127.0.0.1:5002")
        );
        assert_eq!(emulator_url("starting"), None);
        let status = "Name:\tunified\nVmPeak:\t  999 kB\nVmHWM:\t   45312 kB\nVmRSS:\t   40000 kB\n";
        assert_eq!(vm_hwm_kib(status), Some(45_312));
        assert_eq!(vm_hwm_kib("Name:\tx\n"), None);
        // utime 1500 and stime 250 ticks, after a command name with a space and a parenthesis.
        let stat = "4242 (tokio (rt) x) S 1 4242 4242 0 -1 4194560 900 0 0 0 1500 250 0 0 20 0 6 0 100 0 0";
        assert_eq!(cpu_ticks(stat), Some(1750));
        assert_eq!(cpu_ticks("garbage"), None);
    }

    #[test]
    fn lost_counts_both_directions() {
        let outcome = Outcome {
            requests: 4,
            wall: Duration::from_secs(2),
            latencies_us: vec![3_000, 1_000, 2_000, 4_000],
            created_numbers: vec![0, 1, 2],
            created: 3,
            error_kinds: BTreeMap::from([("422".to_owned(), 1)]),
            first_error: Some("422 ...".to_owned()),
        };
        // 1 and 2 answered 201 but not stored, 3 stored without a 201.
        let report = outcome.report(&BTreeSet::from([0, 3]), BTreeMap::new());
        assert_eq!((report.created, report.stored, report.lost, report.errors), (3, 2, 3, 1));
        assert_eq!(report.requests_per_sec, 2.0);
        assert_eq!((report.p50_ms, report.p99_ms, report.max_ms), (2.0, 4.0, 4.0));

        let short = Outcome { requests: 5, latencies_us: vec![1_000], ..Outcome::default() };
        let report = short.report(&BTreeSet::new(), BTreeMap::new());
        assert_eq!(report.errors, 4);
        assert_eq!(report.error_kinds.get("not sent (deadline)"), Some(&4));
    }
}
