//! One module per endpoint group.

pub mod connections;
pub mod create;
pub mod health;
pub mod providers;
pub mod schemas;
