//! Owner id → name and e-mail (`GET /crm/v3/owners/{ownerId}`).

use unified_core::resource::Text;

use crate::wire::Owner;

/// The owner's display name: first and last name, or the e-mail when HubSpot has no name.
pub fn owner_name(owner: &Owner) -> Option<Text> {
    let parts: Vec<&str> = [owner.first_name.as_deref(), owner.last_name.as_deref()]
        .into_iter()
        .flatten()
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() { owner.email.as_deref().map(Text::from) } else { Some(Text::from(parts.join(" "))) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner(first: Option<&str>, last: Option<&str>, email: Option<&str>) -> Owner {
        Owner {
            id: "1".into(),
            email: email.map(Into::into),
            first_name: first.map(Into::into),
            last_name: last.map(Into::into),
            kind: None,
        }
    }

    #[test]
    fn names() {
        assert_eq!(owner_name(&owner(Some("John"), Some("Smith"), None)).as_deref(), Some("John Smith"));
        assert_eq!(owner_name(&owner(Some("John"), Some(""), None)).as_deref(), Some("John"));
        assert_eq!(owner_name(&owner(None, None, Some("q@x.co"))).as_deref(), Some("q@x.co"));
        assert_eq!(owner_name(&owner(None, None, None)), None);
    }
}
