//! Salesforce's own JSON shapes, named as Salesforce names them: the request bodies of `client`, the records
//! it returns and its error body (read by `client::parse_error`).
//!
//! Empty until the first resource is implemented. Keep these types plain serde shapes with no unified
//! logic; the translation to and from unified resources lives in `mapping`.
