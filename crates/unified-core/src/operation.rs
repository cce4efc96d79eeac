//! The operations of the API on a resource, and the list query and page they share.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// What a call does to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    Create,
    Get,
    List,
    Update,
    Delete,
}

impl Operation {
    pub const ALL: [Self; 5] = [Self::Create, Self::Get, Self::List, Self::Update, Self::Delete];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Get => "get",
            Self::List => "list",
            Self::Update => "update",
            Self::Delete => "delete",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every operation: what a connector declares for a resource it fully supports.
pub const ALL_OPERATIONS: &[Operation] = &Operation::ALL;
/// Create only: what a connector declares until its other operations are built.
pub const CREATE_ONLY: &[Operation] = &[Operation::Create];

/// A page request as the connector sees it: the cursor is the connector's own (the pipeline has checked
/// and opened the sealed one the caller sent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// Where the previous page stopped, in the connector's own terms; `None` for the first page.
    pub cursor: Option<String>,
    /// 1..=100.
    pub limit: u32,
    /// Only records modified at or after this instant, oldest modification first (then by id).
    pub updated_since: Option<Timestamp>,
}

/// One page of records.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub records: Vec<T>,
    /// Where the next page starts, in the connector's own terms; `None` on the last page.
    pub next: Option<String>,
    /// The provider's raw records, same order, when the call asked for them.
    pub remote_data: Option<Vec<serde_json::Value>>,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { records: self.records.into_iter().map(f).collect(), next: self.next, remote_data: self.remote_data }
    }
}
