//! Secrets never reach the logs, and the logs carry the request id. A test binary of its own: tracing's
//! per-callsite interest cache is process-wide, and other tests' threads hitting a callsite first (with
//! no subscriber) would make this capture flaky.

mod common;

use std::sync::{Arc, Mutex};

use axum::body::Body;
use common::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

const EMAIL_ONLY: &str = r#"{"email":"sam.taylor@example.com"}"#;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn secrets_never_reach_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    // A current-thread runtime: every task of the request (and of reqwest) runs under this subscriber.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (ok_id, failed_id, key) = tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            let hubspot = hubspot().await;
            Mock::given(method("POST"))
                .and(path("/crm/v3/objects/contacts"))
                .respond_with(ResponseTemplate::new(201).set_body_json(seed_created_body("12345678901")))
                .up_to_n_times(1)
                .with_priority(1)
                .mount(&hubspot)
                .await;
            on_create(&hubspot, ResponseTemplate::new(401).set_body_json(unauthorized_body())).await;
            Mock::given(method("GET"))
                .and(path("/crm/v3/owners/67823451"))
                .respond_with(ResponseTemplate::new(200).set_body_json(owner_body()))
                .mount(&hubspot)
                .await;
            let h = Harness::new().await;
            let key = h.live(&hubspot.uri()).await;
            let ok = h.post(CREATE_CONTACT, &key, SEED).await;
            ok.created();
            let failed = h.post(CREATE_CONTACT, &key, EMAIL_ONLY).await;
            failed.error(401, "provider_auth_error");
            // A wrong key is not logged either.
            let wrong = format!("{}X", key.secret);
            let request = post(CREATE_CONTACT)
                .header("authorization", format!("Bearer {wrong}"))
                .body(Body::from(EMAIL_ONLY))
                .unwrap();
            h.send(request).await.error(401, "unauthorized");
            (ok.request_id().to_owned(), failed.request_id().to_owned(), key)
        })
    });
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    // The capture works, and the logs carry the request ids (the contract: the id is in the logs).
    assert!(logs.contains(&ok_id), "the request id of the create is logged:\n{logs}");
    assert!(logs.contains(&failed_id), "the request id of the failed create is logged:\n{logs}");
    assert!(!logs.contains(&key.secret), "the API key is in the logs:\n{logs}");
    assert!(!logs.contains(&key.secret[8..]), "the API key's secret part is in the logs:\n{logs}");
    assert!(!logs.contains(TOKEN), "the access token is in the logs:\n{logs}");
}
