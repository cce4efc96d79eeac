//! Each credential travels the way its provider takes it: a Pipedrive API token as `x-api-token`, a
//! Pipedrive OAuth token as `Authorization: Bearer`, registered through `POST /api/v1/connections` and
//! used by a create against a stand-in answering with the recorded Pipedrive exchange.

mod common;

use common::*;
use serde_json::{Value, json};
use unified_store::Mode;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The recorded answers of `fixtures/pipedrive/contact/create-minimal`: the person, then its owner.
fn recorded() -> Vec<(String, String, Value)> {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/pipedrive/contact/create-minimal/exchanges.json");
    let exchanges: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    exchanges
        .into_iter()
        .map(|e| {
            let request = &e["request"];
            (
                request["method"].as_str().unwrap().to_owned(),
                request["path"].as_str().unwrap().to_owned(),
                e["response"]["body"].clone(),
            )
        })
        .collect()
}

async fn pipedrive() -> MockServer {
    let server = MockServer::start().await;
    for (verb, route, body) in recorded() {
        Mock::given(method(verb.as_str()))
            .and(path(route.as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&server)
            .await;
    }
    server
}

#[tokio::test]
async fn pipedrive_api_tokens_travel_as_x_api_token_and_oauth_tokens_as_bearer() {
    let server = pipedrive().await;
    let h = Harness::new().await;
    let key = h.key("acme", Mode::Live).await;
    for (end_user, credentials) in [
        ("token-user", json!({"apiKey": "pd-api-token-1"})),
        ("oauth-user", json!({"accessToken": "pd-oauth-token-1"})),
    ] {
        let connection = json!({"endUserId": end_user, "provider": "pipedrive", "credentials": credentials,
            "baseUrl": server.uri()});
        let reply = h.post("/api/v1/connections", &key, connection.to_string()).await;
        assert_eq!(reply.status.as_u16(), 201, "{}", reply.text());
        let created = h
            .post(
                &format!("/api/v1/contact?provider=pipedrive&endUserId={end_user}"),
                &key,
                r#"{"email":"jane.doe@example.com"}"#,
            )
            .await
            .created();
        assert_eq!(created["data"]["data"]["remoteId"], "5821", "{created}");
    }

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 4, "a person and its owner per create");
    let (token_calls, oauth_calls) = requests.split_at(2);
    for call in token_calls {
        assert_eq!(call.headers.get("x-api-token").unwrap(), "pd-api-token-1", "{}", call.url);
        assert!(call.headers.get("authorization").is_none(), "{}", call.url);
    }
    for call in oauth_calls {
        assert_eq!(call.headers.get("authorization").unwrap(), "Bearer pd-oauth-token-1", "{}", call.url);
        assert!(call.headers.get("x-api-token").is_none(), "{}", call.url);
    }
}
