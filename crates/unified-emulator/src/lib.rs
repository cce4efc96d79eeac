//! The toolkit every provider emulator plugs its [`Model`] into, so that each emulator keeps only what
//! is its provider's own (its records, endpoints, validation, error bodies, what its faults answer and
//! its rate-limit headers) and the rest is written once:
//!
//! - [`control`]: the control plane under `/_emulator/` (faults, stats, reset, clock, the index page),
//!   with the provider's own control routes (its records) merged in.
//! - [`gate`]: the middleware in front of every provider call: stats, the next fault, the token check,
//!   the provider's rate-limit headers.
//! - [`fault`] and [`queue`]: one fault request shape for every provider, and the queue of pending faults.
//! - [`tokens`], [`auth`] and [`form`]: the OAuth token book, credentials in headers, form bodies.
//! - [`clock`], [`stats`], [`ids`], [`random`], [`wire`]: the emulated clock, request statistics, the
//!   providers' id formats, random values, response helpers.
//! - [`paging`]: keyset paging on (modification time, id); [`window`]: a rolling rate-limit window.
//! - [`serve`]: the assembled router, the registry's serve function and a test server.

pub mod auth;
pub mod clock;
pub mod control;
pub mod fault;
pub mod form;
pub mod gate;
pub mod ids;
pub mod model;
pub mod paging;
pub mod queue;
pub mod random;
pub mod serve;
pub mod state;
pub mod stats;
pub mod tokens;
pub mod window;
pub mod wire;

#[cfg(test)]
mod testing;

pub use auth::Credential;
pub use fault::{Failure, Fault, FaultSpec, Kind, NoExtras, NoKind, ProviderKind};
pub use gate::Caller;
pub use model::{Answered, Call, Model, Profile, QueuedFault, Slow};
pub use serve::{Emulator, router, serve};
pub use state::{Shared, State, lock};
pub use tokens::{SANDBOX_PREFIX, TokenBook, Verdict};
