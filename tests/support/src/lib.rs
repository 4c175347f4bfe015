//! What mountns's test binaries share: host fixtures, the users a test enters as,
//! children that run in a namespace, a test binary run again in a role; [`BASE`], the
//! base of the tests' declarations; [`profiles`], namespaces declared in a crate other
//! than the tests', to include across the crate boundary; and the [`scenarios`] that
//! two test binaries run, one for each way of making an overlay.
//!
//! The tests' tables come from `namespace!`, with host fixtures at fixed paths under
//! /tmp (a declaration names its sources at compile time). Nothing here mounts: every
//! namespace is entered in a child.

mod children;
mod fixtures;
pub mod profiles;
mod rerun;
pub mod scenarios;
mod users;

pub use children::*;
pub use fixtures::*;
pub use rerun::*;
pub use users::*;

mountns::namespace! {
    /// What every child needs to run /bin/sh: read-only binds of the host's system
    /// directories.
    pub static BASE = {
        bind ro ["/bin/", "/lib/", "/lib64/", "/usr/"];
    };
}
