#![doc = include_str!("../../../README.md")]

pub use unified_core::*;

mod client;
mod connectors;

pub use client::{Client, Connection};
pub use connectors::*;
pub use unified_core::resource::{ContactInput, DealInput, LeadInput, MeetingInput};
pub use unified_core::transport::Credentials;
