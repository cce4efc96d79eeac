//! Expiring access tokens: the transport refreshes once through its token source and sends again; the
//! refresh-token grant itself.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use unified_core::__private::async_trait;
use unified_core::descriptor::{AuthKind, AuthScheme, ConnectorDescriptor};
use unified_core::oauth::{OAuthApp, RefreshError, refresh};
use unified_core::resource::{Company, Contact, Deal, Lead, Meeting};
use unified_core::transport::{FailureKind, ProviderClient, ProviderError, ReqwestBackend, TokenSource};
use unified_core::{Operations, Provider, UnifiedError};
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

struct Dummy;

// Declares no resource: every operation is the trait's default, `unsupported_operation`.
impl Provider for Dummy {}
impl Operations<Contact> for Dummy {}
impl Operations<Lead> for Dummy {}
impl Operations<Deal> for Dummy {}
impl Operations<Meeting> for Dummy {}
impl Operations<Company> for Dummy {}

fn expired_on_401(status: u16, body: &[u8]) -> ProviderError {
    let text = String::from_utf8_lossy(body);
    let kind = (status == 401 && text.contains("EXPIRED")).then_some(FailureKind::AuthExpired);
    ProviderError { message: text.into_owned(), kind, ..ProviderError::default() }
}

static DESCRIPTOR: ConnectorDescriptor = ConnectorDescriptor {
    id: "testcrm",
    name: "Test CRM",
    auth: AuthKind::Oauth2,
    auth_scheme: AuthScheme::Bearer,
    api_key_scheme: None,
    base_url: "http://127.0.0.1:9",
    resources: &[],
    parse_error: expired_on_401,
    connector: &Dummy,
    emulator: None,
};

/// Hands out `old`, and `new-N` after each refresh.
#[derive(Debug, Default)]
struct Tokens {
    refreshes: AtomicUsize,
}

#[async_trait]
impl TokenSource for Tokens {
    async fn current(&self) -> Result<String, UnifiedError> {
        Ok(match self.refreshes.load(Ordering::SeqCst) {
            0 => "old".into(),
            n => format!("new-{n}"),
        })
    }

    async fn refreshed(&self, _rejected: &str) -> Result<String, UnifiedError> {
        let n = self.refreshes.fetch_add(1, Ordering::SeqCst) + 1;
        Ok(format!("new-{n}"))
    }
}

async fn client(server: &MockServer, tokens: Arc<Tokens>) -> ProviderClient {
    ProviderClient::builder(&DESCRIPTOR)
        .base_url(server.uri())
        .token_source(tokens)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_the_post_sent_again() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("authorization", "Bearer old"))
        .respond_with(ResponseTemplate::new(401).set_body_string("EXPIRED_AUTHENTICATION"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(header("authorization", "Bearer new-1"))
        .respond_with(ResponseTemplate::new(201).set_body_string("{}"))
        .mount(&server)
        .await;
    let tokens = Arc::new(Tokens::default());
    let response = client(&server, tokens.clone()).await.post_json("/objects", &serde_json::json!({})).await.unwrap();
    assert_eq!(response.status, 201);
    assert_eq!(tokens.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_token_refused_again_after_the_refresh_is_an_auth_error_not_a_loop() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_string("EXPIRED_AUTHENTICATION"))
        .mount(&server)
        .await;
    let tokens = Arc::new(Tokens::default());
    let error = client(&server, tokens.clone()).await.post_json("/objects", &serde_json::json!({})).await.unwrap_err();
    assert_eq!(error.code(), "provider_auth_error");
    assert_eq!(tokens.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn an_invalid_token_is_not_refreshed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_string("INVALID_AUTHENTICATION"))
        .mount(&server)
        .await;
    let tokens = Arc::new(Tokens::default());
    let error = client(&server, tokens.clone()).await.get("/objects", &[]).await.unwrap_err();
    assert_eq!(error.code(), "provider_auth_error");
    assert_eq!(tokens.refreshes.load(Ordering::SeqCst), 0);
}

fn app() -> OAuthApp {
    OAuthApp { client_id: "client-1".into(), client_secret: "shh-secret".into() }
}

#[tokio::test]
async fn the_refresh_grant_sends_a_form_body_and_reads_the_grant() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/v3/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string_contains("grant_type=refresh_token"))
        .and(body_string_contains("client_id=client-1"))
        .and(body_string_contains("client_secret=shh-secret"))
        .and(body_string_contains("refresh_token=r%2Fold"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "a-new", "refresh_token": "r-new", "expires_in": 1800, "token_type": "bearer",
            "api_domain": "https://acme.pipedrive.com"
        })))
        .mount(&server)
        .await;
    let backend = ReqwestBackend::shared();
    let url = format!("{}/oauth/v3/token", server.uri());
    let grant = refresh(backend.as_ref(), &url, &app(), "r/old", Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        (grant.access_token.as_str(), grant.refresh_token.as_deref(), grant.expires_in),
        ("a-new", Some("r-new"), Some(1800))
    );
    assert_eq!(grant.extra["api_domain"], "https://acme.pipedrive.com");
    assert!(!format!("{grant:?} {:?}", app()).contains("a-new") && !format!("{:?}", app()).contains("shh"));
}

#[tokio::test]
async fn a_refused_grant_and_an_unavailable_endpoint_are_told_apart() {
    let server = MockServer::start().await;
    Mock::given(path("/refused"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(
                serde_json::json!({"error": "invalid_grant", "error_description": "refresh token revoked"}),
            ),
        )
        .mount(&server)
        .await;
    Mock::given(path("/down")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let backend = ReqwestBackend::shared();
    let refused =
        refresh(backend.as_ref(), &format!("{}/refused", server.uri()), &app(), "r", Duration::from_secs(5)).await;
    assert_eq!(refused.unwrap_err(), RefreshError::Rejected("refresh token revoked".into()));
    let down = refresh(backend.as_ref(), &format!("{}/down", server.uri()), &app(), "r", Duration::from_secs(5)).await;
    assert!(matches!(down, Err(RefreshError::Unavailable(_))), "{down:?}");
}
