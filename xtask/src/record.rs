//! `cargo xtask record <provider> <resource> <case>`: runs a fixture case's `input.json` through the real
//! connector against the live provider API and writes what was exchanged to the case's `exchanges.json`.
//!
//! Credentials never reach the file: the auth header is not part of a recording, `RecordingBackend`
//! redacts secret keys (`access_token`, ...) in bodies, and before writing, every occurrence of the
//! secret itself is replaced with `[REDACTED]`; the write is refused if it still appears.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail, ensure};
use serde_json::Value;
use unified::registry;
use unified_core::connector::Call;
use unified_core::resource::ResourceKind;
use unified_core::testkit::fixture::REDACTED;
use unified_core::testkit::{CaseInput, RecordingBackend, run_operation};
use unified_core::transport::{Credentials, ProviderClient, ReqwestBackend};

use crate::relative;

/// A secret shorter than this would also match unrelated text (ids, words), so redaction by value
/// could not be trusted: no real token or API key is this short.
const MIN_SECRET_LEN: usize = 8;

/// What a recording produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub provider: String,
    /// `exchanges.json`, relative to the workspace root.
    pub path: String,
    /// The number of provider calls recorded (retries included).
    pub calls: usize,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The operation succeeded: the record's id (redacted where it holds a secret), if one came back.
    Done { operation: &'static str, id: Option<String>, warnings: usize },
    /// The pipeline's error (a recorded refusal is a legitimate fixture: validation, conflicts, ...).
    Failed { code: String, status: u16 },
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let calls = if self.calls == 1 { "1 call".to_owned() } else { format!("{} calls", self.calls) };
        write!(f, "recorded {calls} to {}: ", self.path)?;
        match &self.outcome {
            Outcome::Done { operation, id: Some(id), warnings } => {
                write!(f, "{operation}: id {id} ({warnings} warnings)")
            }
            Outcome::Done { operation, id: None, .. } => write!(f, "{operation}: done"),
            Outcome::Failed { code, status } => write!(f, "error {code} ({status})"),
        }
    }
}

impl Summary {
    /// What to do next, once the recording is on disk.
    pub fn next_steps(&self) -> String {
        format!(
            "next: `cargo test -p connector-{}` to replay it, then `cargo insta review` to accept its snapshots",
            self.provider
        )
    }
}

/// Records `fixtures/<provider>/<resource>/<case>/` under `root`: reads its `input.json`, creates the
/// record through the registered connector with `credentials` (against `base_url` when given, else the
/// provider's live URL) and writes `exchanges.json`.
pub async fn record(
    root: &Path,
    provider: &str,
    resource: &str,
    case: &str,
    credentials: &Credentials,
    base_url: Option<&str>,
) -> Result<Summary> {
    let descriptor = registry::lookup(provider).map_err(|e| anyhow::anyhow!("{}", e.message()))?;
    let resource: ResourceKind =
        resource.parse().map_err(|e: unified_core::UnifiedError| anyhow::anyhow!("{}", e.message()))?;
    if case.is_empty() || case.starts_with('.') || case.contains(['/', '\\']) {
        bail!("case name {case:?} must be a single folder name");
    }
    let secrets = secrets(credentials)?;

    let case_dir = root.join("fixtures").join(descriptor.id).join(resource.as_str()).join(case);
    let input_path = case_dir.join("input.json");
    let input_rel = relative(root, &input_path);
    if !input_path.is_file() {
        bail!(
            "{input_rel} does not exist: write the case's input first, e.g. {{\"operation\": \"create\", \"source\": \"a recording from a real account\", \"body\": {{\"email\": \"jane.doe@example.com\"}}}}"
        );
    }
    let text = fs::read_to_string(&input_path).with_context(|| format!("reading {input_rel}"))?;
    let input: CaseInput = serde_json::from_str(&text).with_context(|| format!("{input_rel} is not a case input"))?;

    let backend = Arc::new(RecordingBackend::new(ReqwestBackend::shared()));
    let mut builder = ProviderClient::builder(descriptor).credentials(credentials.clone()).backend(backend.clone());
    if let Some(url) = base_url {
        builder = builder.base_url(url);
    }
    let client = builder.build().map_err(|e| anyhow::anyhow!("building the {provider} client: {}", e.message()))?;
    let call = Call {
        client: &client,
        settings: &input.settings,
        include_remote_data: input.include_remote_data,
        connection_id: "recording",
    };
    let result = run_operation(descriptor, call, resource, &input).await;

    let exchanges = backend.exchanges();
    let text = redacted_json(&serde_json::to_value(&exchanges)?, &secrets)?;
    let path: PathBuf = case_dir.join("exchanges.json");
    let path_rel = relative(root, &path);
    fs::write(&path, text).with_context(|| format!("writing {path_rel}"))?;

    let outcome = match result.get("error") {
        Some(error) => Outcome::Failed {
            code: error["error"]["code"].as_str().unwrap_or_default().to_owned(),
            status: error["statusCode"].as_u64().and_then(|s| u16::try_from(s).ok()).unwrap_or_default(),
        },
        None => Outcome::Done {
            operation: input.operation.as_str(),
            id: result["data"]["id"].as_str().map(|id| redact_text(id, &secrets)),
            warnings: result["warnings"].as_array().map_or(0, Vec::len),
        },
    };
    Ok(Summary { provider: descriptor.id.to_owned(), path: path_rel, calls: exchanges.len(), outcome })
}

/// The secrets of `credentials` to scrub: the one sent on each call, and an OAuth refresh token.
fn secrets(credentials: &Credentials) -> Result<Vec<String>> {
    let mut secrets: Vec<String> = credentials.secret().into_iter().map(str::to_owned).collect();
    if let Credentials::OAuth { refresh_token: Some(refresh), .. } = credentials {
        secrets.push(refresh.clone());
    }
    if secrets.is_empty() {
        bail!("no credential to record with: set UNIFIED_RECORD_TOKEN or UNIFIED_RECORD_API_KEY");
    }
    if secrets.iter().any(|s| s.len() < MIN_SECRET_LEN) {
        bail!("the credential is shorter than {MIN_SECRET_LEN} characters, too short to redact reliably");
    }
    Ok(secrets)
}

/// Pretty JSON with a trailing newline, with every occurrence of a secret (in keys and string values,
/// then in the text itself) replaced by `[REDACTED]`. Fails if a secret still appears, raw or escaped.
pub fn redacted_json(value: &Value, secrets: &[String]) -> Result<String> {
    let mut value = value.clone();
    redact_value(&mut value, secrets);
    let mut text = serde_json::to_string_pretty(&value)?;
    text.push('\n');
    for secret in secrets {
        text = text.replace(secret.as_str(), REDACTED);
        let escaped = serde_json::to_string(secret)?;
        let escaped = &escaped[1..escaped.len() - 1];
        ensure!(
            !text.contains(secret.as_str()) && !text.contains(escaped),
            "the credential still appears in the recording after redaction; nothing was written"
        );
    }
    // Only a secret outside string values (a bare number, say) changes the text here, and breaks it.
    ensure!(
        serde_json::from_str::<Value>(&text).is_ok(),
        "the credential appears in the recording outside a string value; nothing was written"
    );
    Ok(text)
}

fn redact_value(value: &mut Value, secrets: &[String]) {
    match value {
        Value::String(text) => *text = redact_text(text, secrets),
        Value::Array(items) => items.iter_mut().for_each(|item| redact_value(item, secrets)),
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (key, mut item) in entries {
                redact_value(&mut item, secrets);
                map.insert(redact_text(&key, secrets), item);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

fn redact_text(text: &str, secrets: &[String]) -> String {
    secrets.iter().fold(text.to_owned(), |text, secret| text.replace(secret.as_str(), REDACTED))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_scrubbed_from_keys_values_and_text() {
        let secrets = vec!["pat-na1-s3cr3t\"x".to_owned()];
        let value = serde_json::json!({"a": ["Bearer pat-na1-s3cr3t\"x"], "pat-na1-s3cr3t\"x": 1, "n": 2});
        let text = redacted_json(&value, &secrets).unwrap();
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(text.ends_with("}\n"));
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["a"][0], "Bearer [REDACTED]");
        assert_eq!(back["[REDACTED]"], 1);
    }

    #[test]
    fn a_secret_outside_strings_refuses_the_write() {
        let secrets = vec!["12345678".to_owned()];
        let error = redacted_json(&serde_json::json!({"n": 12345678}), &secrets).unwrap_err();
        assert!(error.to_string().contains("outside a string value"), "{error}");
    }

    #[test]
    fn credentials_must_be_present_and_long_enough() {
        assert!(secrets(&Credentials::None).is_err());
        assert!(secrets(&Credentials::bearer("short")).is_err());
        let oauth = Credentials::OAuth {
            access_token: "access-token-1".into(),
            refresh_token: Some("refresh-token-1".into()),
            expires_at: None,
        };
        assert_eq!(secrets(&oauth).unwrap(), ["access-token-1", "refresh-token-1"]);
    }
}
