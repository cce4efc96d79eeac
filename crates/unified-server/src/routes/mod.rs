//! One module per endpoint group.

pub mod connections;
pub mod health;
pub mod providers;
pub mod records;
pub mod schemas;
