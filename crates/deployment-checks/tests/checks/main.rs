//! The deployment checks, one test binary: see the crate's documentation.

mod alarms;
mod aws;
mod contact_centers;
mod events;
mod intrinsics;
mod template;
mod updates;
mod variables;
mod workspace;
