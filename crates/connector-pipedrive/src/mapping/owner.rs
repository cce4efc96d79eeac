//! Owner id → name and e-mail (`GET /api/v1/users/{id}`: users exist only in v1).

use unified_core::resource::Text;

use crate::wire::User;

/// The owner's display name (the e-mail when the user has no name) and e-mail.
pub fn owner(user: &User) -> (Option<Text>, Option<Text>) {
    let email = super::text(user.email.as_deref());
    let name = super::text(user.name.as_deref()).or_else(|| email.clone());
    (name, email)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_or_email() {
        let user = |name: Option<&str>, email: Option<&str>| User {
            id: 1,
            name: name.map(Into::into),
            email: email.map(Into::into),
        };
        let (name, email) = owner(&user(Some("John Smith"), Some("john.smith@acme.com")));
        assert_eq!((name.as_deref(), email.as_deref()), (Some("John Smith"), Some("john.smith@acme.com")));
        assert_eq!(owner(&user(Some(" "), Some("q@x.co"))).0.as_deref(), Some("q@x.co"));
        assert_eq!(owner(&user(None, None)), (None, None));
    }
}
