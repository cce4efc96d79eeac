//! Owner id → name and e-mail. `OwnerId` is a User (`005…`), or for leads possibly a Queue (`00G…`, a
//! `Group` of type `Queue`): a queue has a name but is no person, so its e-mail is `null`.

use unified_core::resource::Text;

use super::prefix;
use crate::wire::SObject;

/// Which object an owner id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerKind {
    User,
    Queue,
}

impl OwnerKind {
    pub fn of(owner_id: &str) -> Self {
        if owner_id.starts_with(prefix::QUEUE) { Self::Queue } else { Self::User }
    }

    /// The object read for the name (`GET /sobjects/{object}/{id}?fields=…`).
    pub fn object(self) -> &'static str {
        match self {
            Self::User => "User",
            Self::Queue => "Group",
        }
    }

    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Self::User => &["Id", "Name", "Email"],
            Self::Queue => &["Id", "Name", "Type"],
        }
    }
}

/// The owner's name and e-mail from the User or Group record (a queue's e-mail is always `None`).
pub fn owner(kind: OwnerKind, record: &SObject) -> (Option<Text>, Option<Text>) {
    let name = record.text("Name").map(Text::from);
    match kind {
        OwnerKind::User => (name, record.text("Email").map(Text::from)),
        OwnerKind::Queue => (name, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_and_queues() {
        assert_eq!(OwnerKind::of("0058c00000AsDfGAAR"), OwnerKind::User);
        assert_eq!(OwnerKind::of("00G8c000004TqWeEAK").object(), "Group");
        let user: SObject = serde_json::from_str(r#"{"Name":"John Smith","Email":"john.smith@acme.com"}"#).unwrap();
        assert_eq!(owner(OwnerKind::User, &user), (Some("John Smith".into()), Some("john.smith@acme.com".into())));
        let queue: SObject =
            serde_json::from_str(r#"{"Name":"Inbound Leads","Type":"Queue","Email":"q@acme.com"}"#).unwrap();
        assert_eq!(owner(OwnerKind::Queue, &queue), (Some("Inbound Leads".into()), None));
    }
}
