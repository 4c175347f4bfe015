//! Implementation detail of `mountns`: the mount table types and the code that enters
//! a table with raw Linux syscalls. Depend on `mountns` instead.

#![deny(unsafe_code)]

mod command;
mod enter;
mod error;
#[doc(hidden)]
pub mod fault;
mod params;
mod stack;
mod sys;
mod table;

pub use command::{CommandExt, Ids};
pub use enter::force_legacy_unions;
pub use error::{Error, Step};
pub use params::{Filled, Params};
pub use table::{Flags, Kind, Mount, Mountpoint, Namespace, Param, Tmpfs, Upper};
