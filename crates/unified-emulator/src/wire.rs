//! Response helpers in whatever form the provider's wire format asks for.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A JSON body with the provider's exact content type (each spells it its own way).
pub fn json(status: StatusCode, content_type: &'static str, body: &impl Serialize) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// The HTML page a provider's edge answers a `502`, `503` or `504` with.
pub fn gateway_page(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let reason = status.canonical_reason().unwrap_or("Error");
    let page = format!("<html><body><h1>{} {reason}</h1></body></html>", status.as_u16());
    let mut response = (status, page).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_and_pages() {
        let answer = json(StatusCode::CREATED, "application/json;charset=UTF-8", &[1, 2]);
        assert_eq!(answer.status(), StatusCode::CREATED);
        assert_eq!(answer.headers()[header::CONTENT_TYPE], "application/json;charset=UTF-8");
        let page = gateway_page(504);
        assert_eq!(
            (page.status(), page.headers()[header::CONTENT_TYPE].to_str().unwrap()),
            (StatusCode::GATEWAY_TIMEOUT, "text/html")
        );
        assert_eq!(gateway_page(1000).status(), StatusCode::SERVICE_UNAVAILABLE, "not a status: 503");
    }
}
