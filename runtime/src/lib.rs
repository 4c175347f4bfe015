//! Implementation detail of `mountns`: the mount table types and the code that enters
//! a table with raw Linux syscalls. Depend on `mountns` instead.
//!
//! Without the default `std` feature it needs only `core`: entering allocates nothing.
//! `std` adds what runs a program through `std::process::Command` (`CommandExt`,
//! `Ids`, `Namespace::exec`) and the run-time values of `Params`. `launcher` (without
//! `std`) adds the program start of a `#![no_std]`, `#![no_main]` launcher; with `std`
//! it adds nothing (std's program start is libc's), so the features stay additive and
//! `cargo doc --all-features` works.

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(unsafe_code)]

mod bits;
#[cfg(feature = "std")]
mod command;
mod enter;
mod error;
mod exposure;
#[doc(hidden)]
pub mod fault;
#[cfg(all(feature = "launcher", not(feature = "std")))]
mod launcher;
mod outcome;
mod params;
mod policy;
mod stack;
mod sys;
mod table;
mod terminal;

#[cfg(feature = "std")]
pub use command::{CommandExt, Ids};
pub use enter::{force_landlock_abi, force_legacy_unions};
pub use error::{Error, Exposes, Reason, Step, Wanted};
pub use exposure::Exposure;
#[cfg(feature = "std")]
pub use params::{Filled, Params};
pub use policy::{Landlock, Limit, Resource, TIMED_OUT};
pub use sys::Instruction;
pub use table::{
    Caps, Flags, Hidden, Kind, MadeIn, Mount, Mountpoint, Namespace, Param, Source, Tmpfs, Unshare,
    Upper,
};

/// What the `namespace!` macro's output builds tables with: the `const fn`
/// constructors and builders of the table's types, and the accessors its tests read.
/// Not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use crate::policy::{landlock, limit};
    pub use crate::sys::instruction;
    pub use crate::table::private::*;
}

#[cfg(all(feature = "launcher", not(feature = "std")))]
#[doc(hidden)]
pub use {
    launcher::panicked as launcher_panicked, launcher::run as launcher_run,
    sys::start::Args as LauncherArgs,
};
