//! Implementation detail of `mountns`: the mount table types and the code that enters
//! a table with raw Linux syscalls. Depend on `mountns` instead.
//!
//! Without the default `std` feature it needs only `core`: entering allocates nothing.
//! `std` adds what runs a program through `std::process::Command` (`CommandExt`,
//! `Ids`, `Namespace::exec`) and the run-time values of `Params`.

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(unsafe_code)]

#[cfg(feature = "std")]
mod command;
mod enter;
mod error;
#[doc(hidden)]
pub mod fault;
mod params;
mod stack;
mod sys;
mod table;

#[cfg(feature = "std")]
pub use command::{CommandExt, Ids};
pub use enter::force_legacy_unions;
pub use error::{Error, Step};
#[cfg(feature = "std")]
pub use params::{Filled, Params};
pub use table::{Flags, Kind, Mount, Mountpoint, Namespace, Param, Tmpfs, Upper};
