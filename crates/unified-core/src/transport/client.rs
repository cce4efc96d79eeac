//! [`ProviderClient`]: one connection's view of a provider's API.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::{HeaderName, HeaderValue, Method};
use serde::Serialize;

use super::backend::{Backend, Outgoing, ReqwestBackend, SendError};
use super::retry::{RetryPolicy, parse_retry_after};
use super::{Credentials, FailureKind, ParseErrorFn, RawRequest, RawResponse, TokenSource};
use crate::descriptor::{AuthKind, AuthScheme, ConnectorDescriptor};
use crate::error::{ProviderFailure, UnifiedError};

/// What one attempt of one provider call looked like, for metrics. No URL, no credentials.
#[derive(Debug, Clone)]
pub struct CallRecord<'a> {
    pub provider: &'a str,
    pub method: &'a Method,
    pub path: &'a str,
    /// The provider's status, or `None` when it did not answer.
    pub status: Option<u16>,
    pub elapsed: Duration,
}

/// Called after every attempt (the server's metrics plug in here).
pub type Observer = Arc<dyn Fn(&CallRecord<'_>) + Send + Sync>;

#[derive(Clone)]
pub struct ProviderClient {
    inner: Arc<Inner>,
}

struct Inner {
    provider: &'static str,
    base_url: String,
    auth: Option<(HeaderName, HeaderValue)>,
    /// Tokens that change (OAuth): the header is made per attempt from the source's token.
    tokens: Option<Arc<dyn TokenSource>>,
    scheme: AuthScheme,
    backend: Arc<dyn Backend>,
    policy: RetryPolicy,
    timeout: Duration,
    parse_error: ParseErrorFn,
    observer: Option<Observer>,
}

impl fmt::Debug for ProviderClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderClient")
            .field("provider", &self.inner.provider)
            .field("base_url", &self.inner.base_url)
            .field("auth", &self.inner.auth.as_ref().map(|_| "[REDACTED]"))
            .field("policy", &self.inner.policy)
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}

/// Builds a [`ProviderClient`] from a descriptor: base URL, credentials, backend, policy and timeout.
pub struct ProviderClientBuilder {
    descriptor: &'static ConnectorDescriptor,
    base_url: Option<String>,
    credentials: Credentials,
    backend: Option<Arc<dyn Backend>>,
    policy: RetryPolicy,
    timeout: Duration,
    observer: Option<Observer>,
    tokens: Option<Arc<dyn TokenSource>>,
}

impl fmt::Debug for ProviderClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderClientBuilder").field("provider", &self.descriptor.id).finish_non_exhaustive()
    }
}

impl ProviderClientBuilder {
    /// Overrides the descriptor's live base URL (regional hosts, emulators, tests).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    pub fn backend(mut self, backend: Arc<dyn Backend>) -> Self {
        self.backend = Some(backend);
        self
    }

    pub fn policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Per attempt; default 30 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn observer(mut self, observer: Observer) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Takes the access token from `source` on each call (in place of static credentials) and, when the
    /// provider answers that it expired, asks the source for a fresh one and sends the call once more.
    pub fn token_source(mut self, source: Arc<dyn TokenSource>) -> Self {
        self.tokens = Some(source);
        self
    }

    pub fn build(self) -> Result<ProviderClient, UnifiedError> {
        let auth = match (&self.tokens, &self.credentials) {
            (Some(_), _) | (None, Credentials::None) => None,
            (None, Credentials::OAuth { access_token, .. }) => {
                Some(auth_header(self.scheme(AuthKind::Oauth2)?, access_token)?)
            }
            (None, Credentials::ApiKey(key)) => Some(auth_header(self.scheme(AuthKind::ApiKey)?, key)?),
        };
        Ok(ProviderClient {
            inner: Arc::new(Inner {
                provider: self.descriptor.id,
                base_url: self.base_url.unwrap_or_else(|| self.descriptor.base_url.to_owned()),
                auth,
                tokens: self.tokens,
                scheme: self.descriptor.auth_scheme,
                backend: self.backend.unwrap_or_else(|| ReqwestBackend::shared()),
                policy: self.policy,
                timeout: self.timeout,
                parse_error: self.descriptor.parse_error,
                observer: self.observer,
            }),
        })
    }
}

impl ProviderClientBuilder {
    /// How this provider takes a credential of `kind`; refused when it takes none of that kind.
    fn scheme(&self, kind: AuthKind) -> Result<AuthScheme, UnifiedError> {
        self.descriptor.scheme_for(kind).ok_or_else(|| {
            let what = match kind {
                AuthKind::ApiKey => "API keys",
                AuthKind::Oauth2 => "OAuth tokens",
            };
            let message = format!("{} takes no {what}: the connection needs other credentials", self.descriptor.name);
            UnifiedError::ProviderAuth(ProviderFailure::new(self.descriptor.id, None, message))
        })
    }
}

fn auth_header(scheme: AuthScheme, secret: &str) -> Result<(HeaderName, HeaderValue), UnifiedError> {
    let (name, text) = match scheme {
        AuthScheme::Bearer => (http::header::AUTHORIZATION, format!("Bearer {secret}")),
        AuthScheme::AuthorizationPrefix(prefix) => (http::header::AUTHORIZATION, format!("{prefix} {secret}")),
        AuthScheme::Header(name) => (
            HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| UnifiedError::internal(format!("`{name}` is not a valid header name")))?,
            secret.to_owned(),
        ),
    };
    let mut value = HeaderValue::from_str(&text)
        .map_err(|_| UnifiedError::internal("the connection's credential is not a valid header value"))?;
    value.set_sensitive(true);
    Ok((name, value))
}

/// The wait a refused call's body asks for (HubSpot's 477 carries it in a header, others in the body).
fn error_retry_after(response: &RawResponse, inner: &Inner) -> Option<u64> {
    (inner.parse_error)(response.status, &response.body).retry_after
}

enum Wait {
    RateLimit(Duration),
    Backoff,
}

impl ProviderClient {
    pub fn builder(descriptor: &'static ConnectorDescriptor) -> ProviderClientBuilder {
        ProviderClientBuilder {
            descriptor,
            base_url: None,
            credentials: Credentials::None,
            backend: None,
            policy: RetryPolicy::default(),
            timeout: Duration::from_secs(30),
            observer: None,
            tokens: None,
        }
    }

    pub fn provider(&self) -> &'static str {
        self.inner.provider
    }

    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// `POST path` with a JSON body.
    pub async fn post_json<B: Serialize + ?Sized>(&self, path: &str, body: &B) -> Result<RawResponse, UnifiedError> {
        self.send(RawRequest::post_json(path, body)?).await
    }

    /// `PATCH path` with a JSON body.
    pub async fn patch_json<B: Serialize + ?Sized>(&self, path: &str, body: &B) -> Result<RawResponse, UnifiedError> {
        self.send(RawRequest::json(Method::PATCH, path, body)?).await
    }

    /// `DELETE path`.
    pub async fn delete(&self, path: &str) -> Result<RawResponse, UnifiedError> {
        self.send(RawRequest::delete(path)).await
    }

    /// `GET path?query`.
    pub async fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<RawResponse, UnifiedError> {
        let mut request = RawRequest::get(path);
        request.query = query.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        self.send(request).await
    }

    /// Sends with retries; a 2xx comes back as `Ok`, anything else as the classified error.
    pub async fn send(&self, request: RawRequest) -> Result<RawResponse, UnifiedError> {
        let inner = &*self.inner;
        // Sending these twice does what sending them once does, so a failure that may have reached the
        // provider can be retried; a POST never is.
        let idempotent =
            matches!(request.method, Method::GET | Method::HEAD | Method::PUT | Method::PATCH | Method::DELETE);
        let mut waited = Duration::ZERO;
        let mut backoff = inner.policy.backoff;
        let mut attempt = 1;
        let mut token = match &inner.tokens {
            Some(source) => Some(source.current().await?),
            None => None,
        };
        let mut refreshed = false;
        loop {
            let dynamic = token.as_deref().map(|t| auth_header(inner.scheme, t)).transpose()?;
            let auth = dynamic.as_ref().or(inner.auth.as_ref());
            let outcome = self.attempt(&request, auth).await;
            let last = attempt >= inner.policy.max_tries;
            let (error, wait) = match outcome {
                Ok(response) if response.is_success() => return Ok(response),
                // A DELETE retried after a failure that may have reached the provider: the record it finds
                // gone is the one the first attempt deleted.
                Ok(response) if request.method == Method::DELETE && attempt > 1 && response.status == 404 => {
                    return Ok(response);
                }
                Ok(response) => {
                    let (error, kind) = self.classify(&response);
                    // An expired token was refused before anything happened: refresh once and send again
                    // (a POST too), outside the retry budget.
                    if kind == FailureKind::AuthExpired
                        && !refreshed
                        && let (Some(source), Some(rejected)) = (&inner.tokens, token.as_deref())
                    {
                        tracing::info!(provider = inner.provider, "access token expired; refreshing");
                        token = Some(source.refreshed(rejected).await?);
                        refreshed = true;
                        continue;
                    }
                    let wait = match kind {
                        FailureKind::RateLimited => {
                            error.retry_after().map(|s| Wait::RateLimit(Duration::from_secs(s)))
                        }
                        FailureKind::Unavailable if idempotent => Some(Wait::Backoff),
                        FailureKind::Busy => Some(Wait::RateLimit(Duration::from_secs(
                            parse_retry_after(&response.headers).or(error_retry_after(&response, inner)).unwrap_or(2),
                        ))),
                        _ => None,
                    };
                    (error, wait)
                }
                Err(send_error) => (self.network_error(&send_error), idempotent.then_some(Wait::Backoff)),
            };
            let wait = match wait {
                Some(Wait::RateLimit(d)) => Some(d),
                Some(Wait::Backoff) => Some(backoff),
                None => None,
            };
            match wait {
                Some(wait) if !last && waited + wait <= inner.policy.max_wait => {
                    tracing::debug!(provider = inner.provider, path = %request.path, attempt, wait_ms = wait.as_millis() as u64, "retrying provider call");
                    tokio::time::sleep(wait).await;
                    waited += wait;
                    backoff = backoff.saturating_mul(2);
                    attempt += 1;
                }
                _ => return Err(error),
            }
        }
    }

    async fn attempt(
        &self,
        request: &RawRequest,
        auth: Option<&(HeaderName, HeaderValue)>,
    ) -> Result<RawResponse, SendError> {
        let inner = &*self.inner;
        let outgoing = Outgoing { base_url: &inner.base_url, request, auth: auth.map(|(n, v)| (n, v)) };
        let started = Instant::now();
        let result = match tokio::time::timeout(inner.timeout, inner.backend.execute(outgoing)).await {
            Ok(result) => result,
            Err(_) => Err(SendError::Timeout),
        };
        let elapsed = started.elapsed();
        let status = result.as_ref().ok().map(|r| r.status);
        tracing::debug!(provider = inner.provider, method = %request.method, path = %request.path, status, elapsed_ms = elapsed.as_millis() as u64, "provider call");
        if let Some(observer) = &inner.observer {
            observer(&CallRecord {
                provider: inner.provider,
                method: &request.method,
                path: &request.path,
                status,
                elapsed,
            });
        }
        result
    }

    fn classify(&self, response: &RawResponse) -> (UnifiedError, FailureKind) {
        let inner = &*self.inner;
        let parsed = (inner.parse_error)(response.status, &response.body);
        let kind = parsed.kind.unwrap_or_else(|| FailureKind::from_status(response.status));
        let message = if parsed.message.is_empty() { format!("HTTP {}", response.status) } else { parsed.message };
        let failure = ProviderFailure {
            id: inner.provider.to_owned(),
            status: Some(response.status),
            message,
            body: (!response.body.is_empty()).then(|| response.body_value()),
            details: parsed.details,
            retry_after: (kind == FailureKind::Busy)
                .then(|| parse_retry_after(&response.headers).or(parsed.retry_after))
                .flatten(),
        };
        let error = match kind {
            FailureKind::Validation => UnifiedError::ProviderValidation(failure),
            FailureKind::Auth | FailureKind::AuthExpired => UnifiedError::ProviderAuth(failure),
            FailureKind::RateLimited => UnifiedError::RateLimited {
                failure,
                retry_after: parse_retry_after(&response.headers)
                    .or(parsed.retry_after)
                    .or(Some(inner.policy.default_rate_limit_wait.as_secs().max(1))),
            },
            FailureKind::Unavailable | FailureKind::Busy => UnifiedError::ProviderUnavailable(failure),
            FailureKind::NotFound => UnifiedError::NotFound(failure),
        };
        (error, kind)
    }

    fn network_error(&self, error: &SendError) -> UnifiedError {
        let failure = ProviderFailure::new(self.inner.provider, None, error.to_string());
        match error {
            SendError::Timeout => UnifiedError::ProviderTimeout(failure),
            SendError::Connect(_) | SendError::Io(_) => UnifiedError::ProviderUnavailable(failure),
        }
    }
}
