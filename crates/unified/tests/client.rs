//! The embedding client's operations, end to end against the HubSpot emulator over real HTTP: create,
//! get, update, list with `updatedSince` and the cursor, delete, and `not_found` after.

use unified::hubspot::emulator::Emulator;
use unified::{
    Client, Connection, ContactInput, ContactPatch, Credentials, ListRequest, Patch, ResourceKind, UnifiedRecord,
};

fn contact(record: &UnifiedRecord) -> &unified::resource::Contact {
    match record {
        UnifiedRecord::Contact(contact) => contact,
        other => panic!("a contact, not {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_get_update_list_delete() {
    let emulator = Emulator::start().await.unwrap();
    let connection = Connection::new(Credentials::bearer("sandbox-embedding")).base_url(emulator.base_url());
    let client = Client::new();
    let since = unified::time::Timestamp(chrono_now());
    let mut ids = Vec::new();
    for i in 0..3 {
        let input = ContactInput {
            last_name: Some(format!("Lovelace {i}").into()),
            email: Some(format!("ada{i}@example.com").into()),
            phone: Some("+44 20 7946 0000".into()),
            ..Default::default()
        };
        let created = client.create_with("hubspot", &connection, input.into()).await.unwrap();
        ids.push(created.record.id().to_owned());
    }

    let got = client.get("hubspot", &connection, ResourceKind::Contact, &ids[0]).await.unwrap();
    assert_eq!(contact(&got.record).last_name.as_deref(), Some("Lovelace 0"));

    let patch = ContactPatch { job_title: Patch::Set("CTO".into()), phone: Patch::Clear, ..Default::default() };
    let updated = client.update("hubspot", &connection, &ids[0], patch).await.unwrap();
    assert_eq!(contact(&updated.record).job_title.as_deref(), Some("CTO"));
    assert_eq!(contact(&updated.record).phone, None);

    let mut request = ListRequest { limit: Some(2), updated_since: Some(since), ..Default::default() };
    let mut listed = Vec::new();
    loop {
        let page = client.list("hubspot", &connection, ResourceKind::Contact, &request).await.unwrap();
        listed.extend(page.records.iter().map(|r| r.id().to_owned()));
        match page.next_cursor {
            Some(cursor) => request.cursor = Some(cursor),
            None => break,
        }
    }
    let mut expected = ids.clone();
    expected.sort();
    listed.sort();
    assert_eq!(listed, expected, "every contact created since, once");

    client.delete("hubspot", &connection, ResourceKind::Contact, &ids[1]).await.unwrap();
    let gone = client.get("hubspot", &connection, ResourceKind::Contact, &ids[1]).await.unwrap_err();
    assert_eq!(gone.code(), "not_found");
}

/// A little before now: the emulator's clock and this one are the same machine's.
fn chrono_now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now() - chrono::Duration::seconds(2)
}
