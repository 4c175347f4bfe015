//! Declare a Linux mount namespace at compile time, enter it at run time.

#![deny(unsafe_code)]

// Generated code names `::mountns::__private`, also inside this crate (MINIMAL).
extern crate self as mountns;

pub use mountns_runtime::{Flags, Kind, Mount, Mountpoint, Namespace, Param, Tmpfs, Upper};

#[doc(hidden)]
pub mod __private {
    pub use mountns_runtime::{Flags, Kind, Mount, Mountpoint, Namespace, Param, Tmpfs, Upper};
}
