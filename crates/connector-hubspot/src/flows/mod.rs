//! What each operation sends and in which order: mapping → client → mapping. Field names live in
//! `mapping`, calls in `client`; `kinds` says what each resource reads, so that `read` is written once.

pub mod create;
pub mod delete;
pub mod kinds;
pub mod owners;
pub mod read;
pub mod update;
