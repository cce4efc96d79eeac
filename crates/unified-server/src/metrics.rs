//! Prometheus metrics: requests by route, provider, resource and status; provider call latency.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use unified_core::transport::{CallRecord, Observer};

use crate::app::AppState;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    operation: String,
    provider: String,
    resource: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ProviderLabels {
    provider: String,
    /// The provider's status, or `error` when it did not answer.
    status: String,
}

#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    request_seconds: Family<RequestLabels, Histogram>,
    provider_seconds: Arc<Family<ProviderLabels, Histogram>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

fn latency_buckets() -> Histogram {
    Histogram::new([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0])
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("unified");
        let requests = Family::<RequestLabels, Counter>::default();
        let request_seconds =
            Family::<RequestLabels, Histogram>::new_with_constructor(latency_buckets as fn() -> Histogram);
        let provider_seconds =
            Family::<ProviderLabels, Histogram>::new_with_constructor(latency_buckets as fn() -> Histogram);
        registry.register(
            "requests",
            "API requests by route, operation, provider, resource and status",
            requests.clone(),
        );
        registry.register("request_duration_seconds", "API request latency", request_seconds.clone());
        registry.register(
            "provider_call_duration_seconds",
            "Latency of each provider call attempt, by provider and provider status",
            provider_seconds.clone(),
        );
        Self { registry, requests, request_seconds, provider_seconds: Arc::new(provider_seconds) }
    }

    pub fn request(&self, route: &str, tags: &RequestTags, status: u16, elapsed: Duration) {
        let labels = RequestLabels {
            route: route.to_owned(),
            operation: tags.operation.to_owned(),
            provider: tags.provider.clone(),
            resource: tags.resource.clone(),
            status,
        };
        self.requests.get_or_create(&labels).inc();
        self.request_seconds.get_or_create(&labels).observe(elapsed.as_secs_f64());
    }

    /// Plugged into each provider client: one observation per attempt.
    pub fn provider_observer(&self) -> Observer {
        let family = self.provider_seconds.clone();
        Arc::new(move |call: &CallRecord<'_>| {
            let status = call.status.map_or_else(|| "error".to_owned(), |s| s.to_string());
            family
                .get_or_create(&ProviderLabels { provider: call.provider.to_owned(), status })
                .observe(call.elapsed.as_secs_f64());
        })
    }

    pub fn render(&self) -> String {
        let mut text = String::new();
        if prometheus_client::encoding::text::encode(&mut text, &self.registry).is_err() {
            tracing::error!("could not encode metrics");
        }
        text
    }
}

/// Operation, provider and resource of a request, set by the handler on its response for the request
/// counter (`-` where the request never got that far, or the endpoint has none).
#[derive(Debug, Clone)]
pub struct RequestTags {
    pub provider: String,
    pub resource: String,
    pub operation: &'static str,
}

impl Default for RequestTags {
    fn default() -> Self {
        Self { provider: "-".into(), resource: "-".into(), operation: "-" }
    }
}

/// Middleware: counts every request (rejected ones included) by route template, provider, resource
/// and status, and observes its latency.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route =
        request.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    let tags = response.extensions().get::<RequestTags>().cloned().unwrap_or_default();
    state.metrics.request(&route, &tags, response.status().as_u16(), started.elapsed());
    response
}

pub async fn serve(State(state): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], state.metrics.render())
        .into_response()
}
