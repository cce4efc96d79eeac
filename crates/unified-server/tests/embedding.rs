//! The server library on its own: an embedder (or a test binary) that builds the app with
//! `unified_server::router` and names nothing else must still get the registered connectors.
//!
//! This file deliberately does not mention the `unified` facade or any connector crate.

use std::sync::Arc;

use axum::body::Body;
use http::Request;
use http_body_util::BodyExt;
use tower::ServiceExt;
use unified_server::{AppState, ServerConfig, router};

#[tokio::test]
async fn the_library_router_knows_hubspot() {
    let dir = tempfile::tempdir().unwrap();
    let store = unified_store::open(&format!("sqlite://{}", dir.path().join("u.db").display())).await.unwrap();
    let app = router(AppState::new(Arc::clone(&store), ServerConfig::default()));
    let request = Request::builder().uri("/api/v1/providers").body(Body::empty()).unwrap();
    let response = app.oneshot(request).await.unwrap();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let ids: Vec<&str> = body["data"]["data"].as_array().unwrap().iter().filter_map(|p| p["id"].as_str()).collect();
    assert!(ids.contains(&"hubspot"), "GET /api/v1/providers from the library's router lists {ids:?}");
}
