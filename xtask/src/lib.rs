//! The project tasks behind `cargo xtask` (see `src/main.rs` for the command line).
//!
//! - [`new_connector`]: scaffold `crates/connector-<id>`, its first fixture case and the facade feature.
//! - [`record`]: run a fixture case's input against the live provider and write its `exchanges.json`.
//! - [`load`]: the load benchmark, the emulator alone against the server in sandbox mode.
//!
//! All take the workspace root as a parameter, so that tests run them on a copy or a temp dir.

pub mod load;
pub mod new_connector;
pub mod record;

use std::path::{Path, PathBuf};

pub use load::{LoadOptions, load};
pub use new_connector::new_connector;
pub use record::record;

/// The workspace this xtask was built in (the parent of the `xtask` crate).
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// `path` relative to `root` for messages, or as is when it is not under `root`.
pub(crate) fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}
