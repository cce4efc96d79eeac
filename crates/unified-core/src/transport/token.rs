//! Access tokens that change: a [`TokenSource`] hands the transport the token to send, and a fresh one
//! when the provider says the token it sent has expired. Refreshing (and storing, and sharing one refresh
//! among concurrent callers) is the source's business: the server keeps tokens in its store, an
//! embedding program wherever it likes.

use std::fmt;

use async_trait::async_trait;

use crate::error::UnifiedError;

#[async_trait]
pub trait TokenSource: Send + Sync + fmt::Debug + 'static {
    /// The token to send now; a source refreshes first when the token is about to expire.
    async fn current(&self) -> Result<String, UnifiedError>;

    /// The provider answered that `rejected` has expired: a fresh token (refreshed once, however many
    /// callers ask at the same time), or the error that says the connection must be authorised again.
    async fn refreshed(&self, rejected: &str) -> Result<String, UnifiedError>;
}
