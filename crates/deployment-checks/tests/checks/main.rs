//! The deployment checks, one test binary: see the crate's documentation.

mod aws;
mod events;
mod intrinsics;
mod template;
mod updates;
mod variables;
mod workspace;
