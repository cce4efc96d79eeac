//! The HTTP contract of api.md section 6 (get, list, update, delete), in process, over a connector that
//! exists only in this test binary: `memcrm` keeps contacts in memory (every operation) and creates deals
//! (nothing else), and counts the calls it gets, so that "no provider call" can be asserted.

mod common;

use axum::body::Body;
use common::*;
use http::{Method, Request, StatusCode};
use serde_json::{Value, json};
use unified_store::{Mode, NewConnection, StoredCredentials};

mod memcrm {
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use std::sync::{LazyLock, Mutex};

    use unified_core::descriptor::{AuthKind, AuthScheme, ConnectorDescriptor, FieldSupport as F, ResourceSupport};
    use unified_core::operation::{ALL_OPERATIONS, CREATE_ONLY, ListQuery, Page};
    use unified_core::resource::{
        Company, Contact, ContactInput, ContactPatch, Deal, DealInput, Lead, Meeting, Patch, ResourceKind,
    };
    use unified_core::time::Timestamp;
    use unified_core::{Call, Example, Operations, Output, Provider, ProviderFailure, UnifiedError};

    /// Calls that reached the connector, by connection (the pipeline refuses the rest before).
    pub static CALLS: LazyLock<Mutex<BTreeMap<String, usize>>> = LazyLock::new(Default::default);

    fn count(call: Call<'_>) {
        *CALLS.lock().unwrap().entry(call.connection_id.to_owned()).or_default() += 1;
    }
    /// id → (the connection that created it, the contact).
    static CONTACTS: LazyLock<Mutex<BTreeMap<String, (String, Contact)>>> = LazyLock::new(Default::default);
    static NEXT: AtomicUsize = AtomicUsize::new(1000);

    #[derive(Debug)]
    pub struct MemCrm;

    impl Provider for MemCrm {}

    fn missing(id: &str) -> UnifiedError {
        let mut failure = ProviderFailure::new("memcrm", Some(404), format!("no contact {id}"));
        failure.body = Some(serde_json::json!({ "error": "not found", "id": id }));
        UnifiedError::NotFound(failure)
    }

    #[unified_core::__private::async_trait]
    impl Operations<Contact> for MemCrm {
        async fn create(&self, call: Call<'_>, input: &ContactInput) -> Result<Output<Contact>, UnifiedError> {
            count(call);
            let id = NEXT.fetch_add(1, Ordering::SeqCst).to_string();
            let now = Timestamp(chrono::Utc::now());
            let contact = Contact {
                id: id.as_str().into(),
                remote_id: id.as_str().into(),
                first_name: input.first_name.clone(),
                last_name: input.last_name.clone(),
                email: input.email.clone(),
                phone: input.phone.clone(),
                created_at: Some(now),
                updated_at: Some(now),
                ..Contact::default()
            };
            CONTACTS.lock().unwrap().insert(id, (call.connection_id.to_owned(), contact.clone()));
            Ok(Output::new(contact))
        }

        async fn get(&self, call: Call<'_>, id: &str) -> Result<Output<Contact>, UnifiedError> {
            count(call);
            CONTACTS.lock().unwrap().get(id).map(|(_, c)| Output::new(c.clone())).ok_or_else(|| missing(id))
        }

        async fn list(&self, call: Call<'_>, query: &ListQuery) -> Result<Page<Contact>, UnifiedError> {
            count(call);
            let start: usize = query.cursor.as_deref().map_or(0, |c| c.parse().unwrap());
            let all: Vec<Contact> = CONTACTS
                .lock()
                .unwrap()
                .values()
                .filter(|(connection, _)| connection == call.connection_id)
                .map(|(_, c)| c)
                .filter(|c| query.updated_since.is_none_or(|since| c.updated_at.is_some_and(|u| u >= since)))
                .cloned()
                .collect();
            let end = (start + query.limit as usize).min(all.len());
            let next = (end < all.len()).then(|| end.to_string());
            Ok(Page { records: all[start..end].to_vec(), next, remote_data: None })
        }

        async fn update(
            &self,
            call: Call<'_>,
            id: &str,
            patch: &ContactPatch,
        ) -> Result<Output<Contact>, UnifiedError> {
            count(call);
            let mut contacts = CONTACTS.lock().unwrap();
            let (_, contact) = contacts.get_mut(id).ok_or_else(|| missing(id))?;
            for (slot, change) in [
                (&mut contact.first_name, &patch.first_name),
                (&mut contact.last_name, &patch.last_name),
                (&mut contact.phone, &patch.phone),
                (&mut contact.email, &patch.email),
            ] {
                match change {
                    Patch::Absent => {}
                    Patch::Clear => *slot = None,
                    Patch::Set(value) => *slot = Some(value.clone()),
                }
            }
            contact.updated_at = Some(Timestamp(chrono::Utc::now()));
            Ok(Output::new(contact.clone()))
        }

        async fn delete(&self, call: Call<'_>, id: &str) -> Result<(), UnifiedError> {
            count(call);
            CONTACTS.lock().unwrap().remove(id).map(drop).ok_or_else(|| missing(id))
        }
    }

    #[unified_core::__private::async_trait]
    impl Operations<Deal> for MemCrm {
        async fn create(&self, call: Call<'_>, _: &DealInput) -> Result<Output<Deal>, UnifiedError> {
            count(call);
            Ok(Output::new(Deal { id: "d-1".into(), remote_id: "d-1".into(), ..Deal::default() }))
        }
    }

    impl Operations<Lead> for MemCrm {}
    impl Operations<Meeting> for MemCrm {}
    impl Operations<Company> for MemCrm {}

    const CONTACT: [F; 13] = [
        F::native("firstName"),
        F::native("lastName"),
        F::native("email"),
        F::native("phone"),
        F::unsupported("company", "no companies here"),
        F::unsupported("jobTitle", "no job titles here"),
        F::unsupported("address", "no addresses here"),
        F::unsupported("lifecycleStage", "no stages here"),
        F::unsupported("companyId", "no companies here"),
        F::unsupported("ownerId", "no owners here"),
        F::unsupported("tags", "no tags here"),
        F::unsupported("source", "no sources here"),
        F::unsupported("customFields", "no custom fields here"),
    ];

    const DEAL: [F; 13] = [
        F::native("name"),
        F::native("amount"),
        F::native("currency"),
        F::native("stage"),
        F::native("pipeline"),
        F::native("closeDate"),
        F::native("probability"),
        F::native("contactIds"),
        F::native("companyId"),
        F::native("ownerId"),
        F::native("tags"),
        F::native("source"),
        F::native("customFields"),
    ];

    pub static DESCRIPTOR: ConnectorDescriptor = ConnectorDescriptor {
        id: "memcrm",
        name: "MemCRM",
        auth: AuthKind::ApiKey,
        auth_scheme: AuthScheme::Bearer,
        api_key_scheme: None,
        base_url: "http://127.0.0.1:9",
        resources: &[
            ResourceSupport {
                resource: ResourceKind::Contact,
                operations: ALL_OPERATIONS,
                fields: &CONTACT,
                // Required by MemCRM beyond the unified rules: an update may not clear it.
                required: &["lastName"],
                example: Example { create: r#"{"lastName":"L{n}"}"#, update: r#"{"firstName":"F","phone":null}"# },
            },
            ResourceSupport {
                resource: ResourceKind::Deal,
                operations: CREATE_ONLY,
                fields: &DEAL,
                required: &[],
                example: Example { create: r#"{"name":"D{n}"}"#, update: "{}" },
            },
        ],
        parse_error: unified_core::transport::parse_error_as_text,
        connector: &MemCrm,
        emulator: None,
    };

    unified_core::register_connector!(DESCRIPTOR);
}

/// A live key with a MemCRM connection for `end_user`.
async fn memcrm(h: &Harness, tenant: &str, end_user: &str) -> Key {
    let key = h.key(tenant, Mode::Live).await;
    connect(h, &key, end_user).await;
    key
}

async fn connect(h: &Harness, key: &Key, end_user: &str) {
    h.store
        .insert_connection(NewConnection {
            tenant_id: key.tenant_id.clone(),
            mode: Mode::Live,
            end_user_id: end_user.into(),
            provider: "memcrm".into(),
            credentials: StoredCredentials::ApiKey { api_key: "k".into() },
            settings: Default::default(),
            base_url: None,
        })
        .await
        .unwrap();
}

fn q(end_user: &str) -> String {
    format!("provider=memcrm&endUserId={end_user}")
}

fn request(method: Method, uri: &str, key: &Key, body: Option<Value>) -> Request<Body> {
    let builder = Request::builder().method(method).uri(uri).header("authorization", key.bearer());
    match body {
        Some(body) => builder.header("content-type", "application/json").body(Body::from(body.to_string())).unwrap(),
        None => builder.body(Body::empty()).unwrap(),
    }
}

/// The calls MemCRM got on `key`'s connection for `end_user`.
async fn calls(h: &Harness, key: &Key, end_user: &str) -> usize {
    let connection = h.store.find_connection(&key.tenant_id, Mode::Live, end_user, "memcrm").await.unwrap().unwrap();
    memcrm::CALLS.lock().unwrap().get(&connection.id).copied().unwrap_or(0)
}

/// Creates a contact on `end_user`'s connection.
async fn create(h: &Harness, key: &Key, end_user: &str, last_name: &str) -> String {
    let body = json!({ "lastName": last_name, "email": format!("{last_name}@{end_user}.example") });
    let reply = h.send(request(Method::POST, &format!("/api/v1/contact?{}", q(end_user)), key, Some(body))).await;
    reply.created()["data"]["data"]["id"].as_str().unwrap().to_owned()
}

fn success(reply: &Reply, status: u16, message: &str) -> Value {
    assert_eq!(reply.status.as_u16(), status, "{}", reply.text());
    let body = reply.json();
    assert_eq!(keys(&body), set(&["success", "statusCode", "message", "data"]), "{body}");
    assert_eq!(
        (body["success"].clone(), body["statusCode"].clone(), body["message"].clone()),
        (json!(true), json!(status), json!(message))
    );
    body
}

#[tokio::test]
async fn get_update_delete_answer_the_contract_envelopes() {
    let h = Harness::new().await;
    let key = memcrm(&h, "acme", "u1").await;
    let id = create(&h, &key, "u1", "Lovelace").await;
    let one = format!("/api/v1/contact/{id}?{}", q("u1"));

    let got = success(&h.send(request(Method::GET, &one, &key, None)).await, 200, "OK");
    assert_eq!(got["data"]["data"]["lastName"], "Lovelace");
    assert_eq!(keys(&got["data"]), set(&["data"]), "no warnings or remoteData unless there are any");

    let patch = json!({ "firstName": "Ada", "email": null });
    let updated = success(&h.send(request(Method::PATCH, &one, &key, Some(patch))).await, 200, "Updated");
    assert_eq!(updated["data"]["data"]["firstName"], "Ada");
    assert_eq!(updated["data"]["data"]["email"], Value::Null, "null clears");
    assert_eq!(updated["data"]["data"]["lastName"], "Lovelace", "absent is left unchanged");

    let deleted = success(&h.send(request(Method::DELETE, &one, &key, None)).await, 200, "Deleted");
    assert_eq!(deleted["data"], json!({ "data": { "id": id, "remoteId": id } }));
    let gone = h.send(request(Method::GET, &one, &key, None)).await.error(404, "not_found");
    assert_eq!(gone["error"]["provider"]["status"], 404, "the CRM's own status: {gone}");
    assert_eq!(gone["error"]["provider"]["body"]["error"], "not found", "and its body: {gone}");
    h.send(request(Method::DELETE, &one, &key, None)).await.error(404, "not_found");
    h.send(request(Method::PATCH, &one, &key, Some(json!({"firstName": "X"})))).await.error(404, "not_found");
}

#[tokio::test]
async fn update_bodies_are_checked_field_by_field_before_any_call() {
    let h = Harness::new().await;
    let key = memcrm(&h, "acme", "u2").await;
    let id = create(&h, &key, "u2", "Hopper").await;
    let one = format!("/api/v1/contact/{id}?{}", q("u2"));
    let before = calls(&h, &key, "u2").await;
    let cases = [
        (json!({ "emial": "x" }), "emial"),
        (json!({ "email": "not-an-email" }), "email"),
        (json!({ "lastName": null }), "lastName"),
        (json!({ "firstName": 5 }), "firstName"),
        (json!({}), "body"),
        (json!({ "customFields": null }), "customFields"),
    ];
    for (body, field) in cases {
        let refused =
            h.send(request(Method::PATCH, &one, &key, Some(body.clone()))).await.error(400, "validation_error");
        let fields: Vec<&str> =
            refused["error"]["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
        assert_eq!(fields, [field], "{body}: {refused}");
    }
    let message = h
        .send(request(Method::PATCH, &one, &key, Some(json!({ "lastName": null }))))
        .await
        .error(400, "validation_error")["error"]["details"][0]["message"]
        .clone();
    assert!(message.as_str().unwrap().contains("MemCRM"), "names who requires it: {message}");
    // Required rules of create do not apply to an update: a lone phone is fine; unstorable fields warn.
    let warned = success(
        &h.send(request(Method::PATCH, &one, &key, Some(json!({ "phone": "+1", "jobTitle": "CTO" })))).await,
        200,
        "Updated",
    );
    assert_eq!(warned["data"]["warnings"][0]["field"], "jobTitle", "{warned}");
    assert_eq!(calls(&h, &key, "u2").await, before + 1, "only the valid update reached the connector");
}

#[tokio::test]
async fn ids_that_cannot_be_record_ids_are_refused() {
    let h = Harness::new().await;
    let key = memcrm(&h, "acme", "u3").await;
    let before = calls(&h, &key, "u3").await;
    for id in ["..", "%2E%2E", &"7".repeat(300), "a%0Ab"] {
        let reply = h.send(request(Method::GET, &format!("/api/v1/contact/{id}?{}", q("u3")), &key, None)).await;
        let refused = reply.error(400, "validation_error");
        assert_eq!(refused["error"]["details"][0]["field"], "id", "{id}: {refused}");
    }
    assert_eq!(calls(&h, &key, "u3").await, before);
    // A percent-encoded id reaches the connector decoded.
    h.send(request(Method::GET, &format!("/api/v1/contact/a%2Fb?{}", q("u3")), &key, None))
        .await
        .error(404, "not_found");
}

#[tokio::test]
async fn list_pages_with_sealed_cursors_bound_to_their_query_and_connection() {
    let h = Harness::new().await;
    let key = memcrm(&h, "acme", "u4").await;
    connect(&h, &key, "u5").await;
    for i in 0..5 {
        create(&h, &key, "u4", &format!("P{i}")).await;
    }
    let list = |extra: &str| format!("/api/v1/contact?{}&limit=2{extra}", q("u4"));
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for page in 0.. {
        let uri = match &cursor {
            None => list(""),
            Some(c) => list(&format!("&cursor={c}")),
        };
        let body = success(&h.send(request(Method::GET, &uri, &key, None)).await, 200, "OK");
        assert_eq!(keys(&body["data"]), set(&["data", "nextCursor"]), "{body}");
        seen.extend(
            body["data"]["data"].as_array().unwrap().iter().map(|r| r["lastName"].as_str().unwrap().to_owned()),
        );
        match body["data"]["nextCursor"].as_str() {
            Some(next) => {
                assert!(next.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "URL-safe: {next}");
                assert_ne!(next, (2 * (page + 1)).to_string(), "opaque: not the connector's own cursor");
                cursor = Some(next.to_owned());
            }
            None => break,
        }
    }
    assert_eq!(seen, ["P0", "P1", "P2", "P3", "P4"]);

    let first = success(&h.send(request(Method::GET, &list(""), &key, None)).await, 200, "OK");
    let token = first["data"]["nextCursor"].as_str().unwrap().to_owned();
    let before = calls(&h, &key, "u4").await + calls(&h, &key, "u5").await;
    let mut tampered = token.clone().into_bytes();
    let last = tampered.len() - 1;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    for uri in [
        list(&format!("&cursor={tampered}")),
        list(&format!("&cursor={token}&updatedSince=2020-01-01T00:00:00Z")),
        format!("/api/v1/contact?{}&limit=2&cursor={token}", q("u5")),
        list("&cursor=garbage!"),
    ] {
        let refused = h.send(request(Method::GET, &uri, &key, None)).await.error(400, "invalid_cursor");
        assert!(refused["message"].as_str().unwrap().contains("cursor"), "{refused}");
    }
    // Another tenant's key with the same end user id has no such connection at all.
    let other = memcrm(&h, "globex", "u4").await;
    h.send(request(Method::GET, &list(&format!("&cursor={token}")), &other, None)).await.error(400, "invalid_cursor");
    let after = calls(&h, &key, "u4").await + calls(&h, &key, "u5").await + calls(&h, &other, "u4").await;
    assert_eq!(after, before, "no refused cursor reached the connector");

    for bad in ["&limit=0", "&limit=101", "&limit=x", "&updatedSince=yesterday", "&sort=asc"] {
        let uri = format!("/api/v1/contact?{}{bad}", q("u4"));
        h.send(request(Method::GET, &uri, &key, None)).await.error(400, "invalid_query");
    }
}

#[tokio::test]
async fn an_undeclared_operation_is_422_and_never_reaches_the_connector() {
    let h = Harness::new().await;
    let key = memcrm(&h, "acme", "u6").await;
    let deal = |path: &str| format!("/api/v1/deal{path}?{}", q("u6"));
    for (method, uri, body) in [
        (Method::GET, deal("/1"), None),
        (Method::GET, deal(""), None),
        (Method::PATCH, deal("/1"), Some(json!({ "name": "x" }))),
        (Method::DELETE, deal("/1"), None),
    ] {
        let refused = h.send(request(method.clone(), &uri, &key, body)).await.error(422, "unsupported_operation");
        let message = refused["message"].as_str().unwrap();
        assert!(message.contains("memcrm") && message.contains("deal"), "{method} {uri}: {message}");
    }
    let refused = h.send(request(Method::GET, &format!("/api/v1/meeting/1?{}", q("u6")), &key, None)).await;
    refused.error(422, "unsupported_resource");
    assert_eq!(calls(&h, &key, "u6").await, 0);
}

#[tokio::test]
async fn idempotency_keys_on_update_and_delete() {
    let h = Harness::new().await;
    let key = memcrm(&h, "acme", "u7").await;
    let id = create(&h, &key, "u7", "Turing").await;
    let one = format!("/api/v1/contact/{id}?{}", q("u7"));
    let with_key = |method: Method, idem: &str, body: Option<Value>| {
        let mut r = request(method, &one, &key, body);
        r.headers_mut().insert("idempotency-key", idem.parse().unwrap());
        r
    };
    let first = h.send(with_key(Method::PATCH, "upd-1", Some(json!({ "firstName": "Alan" })))).await;
    let first_body = success(&first, 200, "Updated");
    let before = calls(&h, &key, "u7").await;
    let again = h.send(with_key(Method::PATCH, "upd-1", Some(json!({ "firstName": "Alan" })))).await;
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(success(&again, 200, "Updated"), first_body);
    assert_eq!(calls(&h, &key, "u7").await, before, "a replay calls no provider");
    h.send(with_key(Method::PATCH, "upd-1", Some(json!({ "firstName": "Other" }))))
        .await
        .error(409, "idempotency_conflict");
    // The same key on another operation is another request.
    h.send(with_key(Method::DELETE, "upd-1", None)).await.error(409, "idempotency_conflict");

    let deleted = h.send(with_key(Method::DELETE, "del-1", None)).await;
    success(&deleted, 200, "Deleted");
    let replayed = h.send(with_key(Method::DELETE, "del-1", None)).await;
    assert_eq!(replayed.status, StatusCode::OK, "a retried delete answers what the first did: {}", replayed.text());
    assert_eq!(replayed.header("idempotent-replayed"), Some("true"));
}

#[tokio::test]
async fn metrics_count_requests_by_operation() {
    let h = Harness::new().await;
    let key = memcrm(&h, "acme", "u8").await;
    let id = create(&h, &key, "u8", "Hamilton").await;
    h.send(request(Method::GET, &format!("/api/v1/contact/{id}?{}", q("u8")), &key, None)).await;
    h.send(request(Method::GET, &format!("/api/v1/contact?{}", q("u8")), &key, None)).await;
    let text = h.get("/metrics", None).await.text();
    for needle in [
        r#"unified_requests_total{route="/api/v1/{resource}",operation="create",provider="memcrm",resource="contact",status="201"} 1"#,
        r#"unified_requests_total{route="/api/v1/{resource}/{id}",operation="get",provider="memcrm",resource="contact",status="200"} 1"#,
        r#"unified_requests_total{route="/api/v1/{resource}",operation="list",provider="memcrm",resource="contact",status="200"} 1"#,
    ] {
        assert!(text.contains(needle), "missing {needle}:\n{text}");
    }
}
