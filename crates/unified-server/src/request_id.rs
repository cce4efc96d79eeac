//! `x-request-id`: taken from the caller when it is sane, otherwise a new ULID; set on every
//! response, carried in `error.requestId` and in the request's log span.

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

pub static HEADER: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn from_caller(value: &HeaderValue) -> Option<Self> {
        let text = value.to_str().ok()?;
        let sane = !text.is_empty() && text.len() <= 128 && text.bytes().all(|b| b.is_ascii_graphic());
        sane.then(|| Self(text.to_owned()))
    }

    fn generate() -> Self {
        Self(ulid::Ulid::generate().to_string())
    }
}

/// Middleware: assigns the id, runs the request inside a span that carries it, and echoes it.
pub async fn assign(mut request: Request, next: Next) -> Response {
    let id = request.headers().get(&HEADER).and_then(RequestId::from_caller).unwrap_or_else(RequestId::generate);
    request.extensions_mut().insert(id.clone());
    let span =
        tracing::info_span!("request", request_id = %id.0, method = %request.method(), path = %request.uri().path());
    let started = std::time::Instant::now();
    let mut response = tracing::Instrument::instrument(next.run(request), span.clone()).await;
    if response.extensions().get::<crate::app::Panicked>().is_some() {
        response = crate::reply::error_response(&unified_core::UnifiedError::internal("panic"), Some(&id));
    }
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "served"
        );
    });
    if let Ok(value) = HeaderValue::from_str(&id.0) {
        response.headers_mut().insert(HEADER.clone(), value);
    }
    response
}

impl<S: Send + Sync> FromRequestParts<S> for RequestId {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<RequestId>().cloned().unwrap_or_else(RequestId::generate))
    }
}
