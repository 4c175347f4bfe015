//! Implementation detail of `mountns`: the mount table types and the code that enters
//! a table with raw Linux syscalls. Depend on `mountns` instead.

#![deny(unsafe_code)]

mod table;

pub use table::{Flags, Kind, Mount, Mountpoint, Namespace, Param, Tmpfs, Upper};
