//! The shared harness of the emulator fidelity tests (`tests/emulator_fidelity.rs` of each connector):
//! every recorded exchange of a provider's fixtures is replayed over real HTTP against a fresh emulator
//! per case, and the emulator's answer must match the recorded status, headers and body, ids and
//! timestamps aside.
//!
//! What is shared lives here: the case walk and its report ([`replay_every_case`]), the exchange loop
//! ([`Replay::run`]), the HTTP side of a case ([`Session`]), the recorded ⇄ emulator id map ([`Ids`])
//! and the comparison ([`compare`], [`compare_json`]). What differs per provider stays in its test: the
//! preconditions a recording implies (a portal seeded once per case, seeds and faults before a call, the
//! token to send), how ids are translated into a request, what part of an answer a recording rightly
//! holds ([`Replay::comparable`]), and what counts as an id or a timestamp ([`Normalisation`]).

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use serde_json::Value;

use super::fixture::{Exchange, RecordedRequest, RecordedResponse};
use super::suite::case_dirs;

/// What replaying one case found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Exchanges sent to the emulator and compared.
    pub replayed: usize,
    /// What the replay did on its own account (seeds, skipped calls); reported, never a failure.
    pub notes: Vec<String>,
    /// Differences from the recording; any one fails the case.
    pub mismatches: Vec<String>,
}

/// Replays every `<resource>/<case>/` folder under `root` (the fixture suite's own walk, so that both
/// see the same cases) with `replay`, prints one report for all of them, and panics if any case
/// differs. A case without `exchanges.json` sent nothing, so there is nothing to replay.
pub async fn replay_every_case(root: &Path, mut replay: impl AsyncFnMut(&[Exchange]) -> Outcome) {
    let cases = case_dirs(root);
    assert!(!cases.is_empty(), "no fixture cases under {}", root.display());
    let mut report = Vec::new();
    let mut failed = 0;
    for dir in &cases {
        let resource = dir.parent().and_then(Path::file_name).unwrap_or_default().to_string_lossy();
        let name = format!("{resource}/{}", dir.file_name().unwrap_or_default().to_string_lossy());
        let path = dir.join("exchanges.json");
        if !path.exists() {
            report.push(format!("ok   {name} (no exchanges: nothing was sent)"));
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let exchanges: Vec<Exchange> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let outcome = replay(&exchanges).await;
        let verdict = if outcome.mismatches.is_empty() { "ok  " } else { "FAIL" };
        report.push(format!("{verdict} {name} ({} of {} exchanges replayed)", outcome.replayed, exchanges.len()));
        report.extend(outcome.notes.iter().map(|n| format!("       note: {n}")));
        report.extend(outcome.mismatches.iter().map(|m| format!("       {m}")));
        failed += usize::from(!outcome.mismatches.is_empty());
    }
    println!("{}", report.join("\n"));
    assert_eq!(failed, 0, "{failed} of {} fixture cases differ from the emulator (report above)", cases.len());
}

/// One provider's replay of one case against one fresh emulator.
pub trait Replay: Normalisation + Sized {
    /// The HTTP client, id map and outcome of the case.
    fn session(&mut self) -> &mut Session;

    /// What the whole recording implies before its first call (records and owners it reads but never
    /// made); an `Err` is one mismatch, and the calls are still replayed.
    fn setup(&mut self, _exchanges: &[Exchange]) -> impl Future<Output = Result<(), String>> {
        async { Ok(()) }
    }

    /// Seeds and faults the recording implies before exchange `i`; returns the token to send it with.
    fn preconditions(
        &mut self,
        call: &str,
        i: usize,
        exchanges: &[Exchange],
    ) -> impl Future<Output = Result<&'static str, String>>;

    /// The recorded request with its ids as the emulator knows them (and any redacted secret replaced).
    fn translate(&self, request: &RecordedRequest) -> RecordedRequest;

    /// The recorded and the emulator's JSON bodies of an answer to `request`, as they are compared: a
    /// provider narrows them to what a recording rightly holds (each rule with its reason). Both as
    /// they are by default.
    fn comparable(&self, _request: &RecordedRequest, recorded: Value, actual: Value) -> (Value, Value) {
        (recorded, actual)
    }

    /// Replays `exchanges` in order after the [`setup`](Replay::setup): a call the recording shows
    /// unanswered is skipped, a failed precondition is a mismatch, and every answer is compared with the
    /// recorded one ([`compare_with`], through [`comparable`](Replay::comparable)).
    fn run(mut self, exchanges: &[Exchange]) -> impl Future<Output = Outcome> {
        async move {
            if let Err(problem) = self.setup(exchanges).await {
                self.session().outcome.mismatches.push(format!("setup failed: {problem}"));
            }
            for (i, exchange) in exchanges.iter().enumerate() {
                let (request, recorded) = (&exchange.request, &exchange.response);
                let call = format!("#{i} {} {}", request.method, request.path);
                if let Some(failure) = &recorded.failure {
                    // A call that got no answer (`timeout`, `connect`, `io`) recorded the connector's side
                    // of a fault; an emulator that answers cannot reproduce a missing answer: skipped.
                    self.session().note(format!("{call}: recorded `{failure}`, no answer to compare: skipped"));
                    continue;
                }
                let token = match self.preconditions(&call, i, exchanges).await {
                    Ok(token) => token,
                    Err(problem) => {
                        self.session().outcome.mismatches.push(format!("{call}: precondition failed: {problem}"));
                        continue;
                    }
                };
                let translated = self.translate(request);
                let answer = self.session().send(&translated, token).await;
                self.session().outcome.replayed += 1;
                let mut ids = std::mem::take(&mut self.session().ids);
                let mismatches =
                    compare_with::<Self>(&call, recorded, &answer, &mut ids, |r, a| self.comparable(request, r, a));
                let session = self.session();
                session.ids = ids;
                session.outcome.mismatches.extend(mismatches);
            }
            std::mem::take(&mut self.session().outcome)
        }
    }
}

/// The HTTP side of one case: a client for the emulator at `base_url`, the id map, the outcome so far.
#[derive(Debug)]
pub struct Session {
    pub http: reqwest::Client,
    pub ids: Ids,
    pub outcome: Outcome,
    base_url: String,
}

impl Session {
    /// For the emulator at `base_url` (`http://127.0.0.1:<port>`).
    pub fn new(base_url: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            ids: Ids::default(),
            outcome: Outcome::default(),
            base_url: base_url.into(),
        }
    }

    /// The emulator's URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub fn note(&mut self, note: String) {
        self.outcome.notes.push(note);
    }

    /// `POST /_emulator{path}` with a JSON body; the JSON answer, or what went wrong.
    pub async fn control_post(&self, path: &str, body: &Value) -> Result<Value, String> {
        let (status, answer) = self.control_post_status(path, body).await?;
        if status.is_success() { Ok(answer) } else { Err(format!("POST /_emulator{path} {body}: {status} {answer}")) }
    }

    /// `POST /_emulator{path}` with a JSON body; the status and JSON answer, whatever the status.
    pub async fn control_post_status(&self, path: &str, body: &Value) -> Result<(reqwest::StatusCode, Value), String> {
        let response = self
            .http
            .post(self.url(&format!("/_emulator{path}")))
            .json(body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let answer: Value = response.json().await.map_err(|e| e.to_string())?;
        Ok((status, answer))
    }

    /// Sends a (translated) request as recorded: a string body as a form, any other non-null body as JSON.
    pub async fn send(&self, request: &RecordedRequest, token: &str) -> Answer {
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).expect("a recorded HTTP method");
        let mut builder = self.http.request(method, self.url(&request.path)).query(&request.query).bearer_auth(token);
        builder = match &request.body {
            Value::Null => builder,
            Value::String(form) => {
                builder.header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(form.clone())
            }
            body => builder.json(body),
        };
        let response = builder.send().await.expect("the emulator answers");
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(name, value)| Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned())))
            .collect();
        let text = response.text().await.unwrap_or_default();
        Answer { status, headers, text }
    }
}

/// What the emulator answered: status, headers (lower-case names) and body text.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub text: String,
}

/// Recorded id ⇄ emulator id, one to one within a case.
#[derive(Debug, Default)]
pub struct Ids {
    forward: HashMap<String, String>,
    backward: HashMap<String, String>,
}

impl Ids {
    /// Whether the recorded id stands for an emulator id yet.
    pub fn knows(&self, recorded: &str) -> bool {
        self.forward.contains_key(recorded)
    }

    /// The emulator id `recorded` stands for, or `recorded` itself.
    pub fn translate(&self, recorded: &str) -> String {
        self.forward.get(recorded).cloned().unwrap_or_else(|| recorded.to_owned())
    }

    /// Every run of `text` (see [`runs`]) that is a known recorded id, as the emulator knows it.
    pub fn translate_runs(&self, text: &str, class: fn(&u8) -> bool) -> String {
        runs(text, class).into_iter().map(|(_, run)| self.forward.get(run).map_or(run, String::as_str)).collect()
    }

    /// Lets `recorded` stand for `actual` from now on; an error if either already stands for another.
    pub fn bind(&mut self, recorded: &str, actual: &str) -> Result<(), String> {
        if let Some(earlier) = self.forward.get(recorded) {
            return if earlier == actual {
                Ok(())
            } else {
                Err(format!("recorded id {recorded} was emulator id {earlier} earlier in the case, now {actual}"))
            };
        }
        if let Some(other) = self.backward.get(actual) {
            return Err(format!(
                "emulator id {actual} already stands for recorded id {other}, now also for {recorded}"
            ));
        }
        self.forward.insert(recorded.to_owned(), actual.to_owned());
        self.backward.insert(actual.to_owned(), recorded.to_owned());
        Ok(())
    }
}

/// What a provider's recordings and emulator legitimately differ in. An `Err` carries a detail appended
/// to the mismatch (empty for none).
pub trait Normalisation {
    /// Whether a recorded header's value differs per call, so that only its presence is compared.
    fn header_value_varies(_name: &str) -> bool {
        false
    }

    /// The emulator's parsed JSON body, made comparable with a recording.
    fn answer_body(body: Value) -> Value {
        body
    }

    /// A value under `key` (an object member, or an item of an array under it) that the provider
    /// compares its own way; `None` leaves it to the structural comparison.
    fn keyed(_key: Option<&str>, _recorded: &Value, _actual: &Value, _ids: &mut Ids) -> Option<Result<(), String>> {
        None
    }

    /// Two strings: the same text, ids and timestamps aside.
    fn text(recorded: &str, actual: &str, ids: &mut Ids) -> Result<(), String>;
}

/// Status, recorded headers and body of one answer; the differences, each naming the call.
pub fn compare<N: Normalisation>(
    call: &str,
    recorded: &RecordedResponse,
    answer: &Answer,
    ids: &mut Ids,
) -> Vec<String> {
    compare_with::<N>(call, recorded, answer, ids, |r, a| (r, a))
}

/// [`compare`], the two JSON bodies (recorded, emulator's) first passed through `view`.
pub fn compare_with<N: Normalisation>(
    call: &str,
    recorded: &RecordedResponse,
    answer: &Answer,
    ids: &mut Ids,
    view: impl FnOnce(Value, Value) -> (Value, Value),
) -> Vec<String> {
    let mut mismatches = Vec::new();
    if recorded.status != answer.status {
        mismatches.push(format!(
            "{call}: status: recorded {}, emulator {} (body {})",
            recorded.status, answer.status, answer.text
        ));
        return mismatches;
    }
    for (name, value) in &recorded.headers {
        match answer.headers.get(name.to_ascii_lowercase().as_str()) {
            None => mismatches.push(format!("{call}: header {name}: recorded {value:?}, emulator sends none")),
            Some(actual) if !N::header_value_varies(name) && actual != value => {
                mismatches.push(format!("{call}: header {name}: recorded {value:?}, emulator {actual:?}"));
            }
            Some(_) => {}
        }
    }
    let json = recorded.headers.get("content-type").is_none_or(|t| t.contains("json"));
    if let (false, Value::String(text)) = (json, &recorded.body) {
        if *text != answer.text {
            mismatches.push(format!("{call}: body: recorded {text:?}, emulator {:?}", answer.text));
        }
        return mismatches;
    }
    let actual = if answer.text.is_empty() {
        Value::Null
    } else {
        match serde_json::from_str(&answer.text) {
            Ok(value) => N::answer_body(value),
            Err(_) => {
                mismatches.push(format!("{call}: body: recorded JSON, emulator {:?}", answer.text));
                return mismatches;
            }
        }
    };
    let (recorded, actual) = view(recorded.body.clone(), actual);
    let mut differences = Vec::new();
    compare_json::<N>("$", None, &recorded, &actual, ids, &mut differences);
    mismatches.extend(differences.into_iter().map(|d| format!("{call}: body {d}")));
    mismatches
}

/// Structural comparison of the values at `path` (under `key`); differences are pushed as
/// `$.path: recorded X, emulator Y`.
pub fn compare_json<N: Normalisation>(
    path: &str,
    key: Option<&str>,
    recorded: &Value,
    actual: &Value,
    ids: &mut Ids,
    out: &mut Vec<String>,
) {
    if let Some(verdict) = N::keyed(key, recorded, actual, ids) {
        if let Err(problem) = verdict {
            out.push(format!("{path}: recorded {recorded}, emulator {actual}{problem}"));
        }
        return;
    }
    match (recorded, actual) {
        (Value::Object(r), Value::Object(a)) => {
            let keys: BTreeSet<&String> = r.keys().chain(a.keys()).collect();
            for k in keys {
                let at = format!("{path}.{k}");
                match (r.get(k), a.get(k)) {
                    (Some(rv), Some(av)) => compare_json::<N>(&at, Some(k), rv, av, ids, out),
                    (Some(rv), None) => out.push(format!("{at}: recorded {rv}, emulator has none")),
                    (None, Some(av)) => out.push(format!("{at}: not recorded, emulator adds {av}")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(r), Value::Array(a)) if r.len() == a.len() => {
            for (i, (rv, av)) in r.iter().zip(a).enumerate() {
                compare_json::<N>(&format!("{path}[{i}]"), key, rv, av, ids, out);
            }
        }
        (Value::String(r), Value::String(a)) => {
            if let Err(problem) = N::text(r, a, ids) {
                out.push(format!("{path}: recorded {r:?}, emulator {a:?}{problem}"));
            }
        }
        (r, a) if r == a => {}
        (r, a) => out.push(format!("{path}: recorded {r}, emulator {a}")),
    }
}

/// Equal text run by run (see [`runs`]), except that a pair of runs of `class` that `is_id` accepts is
/// an id pair, bound in `ids`.
pub fn compare_runs(
    recorded: &str,
    actual: &str,
    ids: &mut Ids,
    class: fn(&u8) -> bool,
    is_id: impl Fn(&str, &str) -> bool,
) -> Result<(), String> {
    let (r, a) = (runs(recorded, class), runs(actual, class));
    if r.len() != a.len() {
        return Err(String::new());
    }
    for ((r_in, r_text), (a_in, a_text)) in r.iter().zip(&a) {
        if r_in != a_in {
            return Err(String::new());
        }
        if *r_in && is_id(r_text, a_text) {
            ids.bind(r_text, a_text).map_err(|e| format!(" ({e})"))?;
        } else if r_text != a_text {
            return Err(String::new());
        }
    }
    Ok(())
}

/// `text` as alternating runs of bytes in and out of `class`: with `u8::is_ascii_digit`,
/// `"Existing ID: 88415392071"` → `[(false, "Existing ID: "), (true, "88415392071")]`.
pub fn runs(text: &str, class: fn(&u8) -> bool) -> Vec<(bool, &str)> {
    let mut runs = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for i in 1..=bytes.len() {
        if i == bytes.len() || class(&bytes[i]) != class(&bytes[start]) {
            runs.push((class(&bytes[start]), &text[start..i]));
            start = i;
        }
    }
    runs
}

/// Every string in a JSON document (not the keys) through `f`.
pub fn map_strings(value: &Value, f: &impl Fn(&str) -> String) -> Value {
    match value {
        Value::String(s) => Value::String(f(s)),
        Value::Array(items) => Value::Array(items.iter().map(|v| map_strings(v, f)).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), map_strings(v, f))).collect()),
        other => other.clone(),
    }
}

/// An RFC 3339 timestamp with a time (`2026-05-14T09:31:02.487Z`).
pub fn is_rfc3339_timestamp(text: &str) -> bool {
    text.len() >= 20 && text.contains('T') && chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Digit runs of 4 or more are ids; no other normalisation.
    struct Digits;

    impl Normalisation for Digits {
        fn text(recorded: &str, actual: &str, ids: &mut Ids) -> Result<(), String> {
            compare_runs(recorded, actual, ids, u8::is_ascii_digit, |r, a| r.len() >= 4 && a.len() >= 4)
        }
    }

    #[test]
    fn ids_bind_one_to_one() {
        let mut ids = Ids::default();
        assert!(ids.bind("1001", "2001").is_ok() && ids.bind("1001", "2001").is_ok());
        assert!(ids.bind("1001", "2002").is_err() && ids.bind("1002", "2001").is_err());
        assert_eq!(ids.translate("1001"), "2001");
        assert_eq!(ids.translate_runs("/a/1001/b", u8::is_ascii_digit), "/a/2001/b");
    }

    #[test]
    fn the_comparison_reports_every_difference() {
        let mut out = Vec::new();
        let recorded = json!({"id": "1001", "a": [1, "x"], "gone": true, "msg": "id 1001 at 12"});
        let actual = json!({"id": "2001", "a": [2, "x"], "new": null, "msg": "id 2001 at 13"});
        compare_json::<Digits>("$", None, &recorded, &actual, &mut Ids::default(), &mut out);
        assert_eq!(
            out,
            [
                "$.a[0]: recorded 1, emulator 2",
                "$.gone: recorded true, emulator has none",
                "$.msg: recorded \"id 1001 at 12\", emulator \"id 2001 at 13\"",
                "$.new: not recorded, emulator adds null",
            ]
        );
    }

    #[test]
    fn a_view_narrows_both_bodies_before_the_comparison() {
        let recorded: RecordedResponse =
            serde_json::from_value(json!({"status": 200, "body": {"results": [{"id": "1001"}]}})).unwrap();
        let answer = Answer {
            status: 200,
            text: r#"{"results": [{"id": "2001"}, {"id": "2002"}]}"#.into(),
            ..Answer::default()
        };
        let first_only = |r: Value, a: Value| (r, json!({"results": [a["results"][0].clone()]}));
        let mut ids = Ids::default();
        assert!(compare_with::<Digits>("#0", &recorded, &answer, &mut ids, first_only).is_empty());
        assert_eq!(ids.translate("1001"), "2001");
        let all = compare::<Digits>("#0", &recorded, &answer, &mut Ids::default());
        assert_eq!(all.len(), 1, "{all:?}");
    }

    #[test]
    fn an_answer_is_compared_by_status_then_headers_then_body() {
        let recorded: RecordedResponse = serde_json::from_value(json!({"status": 200,
            "headers": {"content-type": "application/json"}, "body": {"id": "1001"}}))
        .unwrap();
        let mut answer = Answer { status: 201, ..Answer::default() };
        let status = compare::<Digits>("#0 GET /x", &recorded, &answer, &mut Ids::default());
        assert_eq!(status, ["#0 GET /x: status: recorded 200, emulator 201 (body )"]);
        answer.status = 200;
        answer.text = r#"{"id": "2001", "extra": 1}"#.into();
        let rest = compare::<Digits>("#0 GET /x", &recorded, &answer, &mut Ids::default());
        assert_eq!(
            rest,
            [
                "#0 GET /x: header content-type: recorded \"application/json\", emulator sends none",
                "#0 GET /x: body $.extra: not recorded, emulator adds 1",
            ]
        );
    }
}
