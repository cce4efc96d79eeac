#![doc = include_str!("../../../README.md")]

pub use unified_core::*;

mod client;
mod connectors;

pub use client::{Client, Connection};
pub use connectors::*;
pub use unified_core::pipeline::{ListRequest, Listed};
pub use unified_core::resource::{
    CompanyInput, CompanyPatch, ContactInput, ContactPatch, DealInput, DealPatch, LeadInput, LeadPatch, MeetingInput,
    MeetingPatch, Patch,
};
pub use unified_core::transport::Credentials;
