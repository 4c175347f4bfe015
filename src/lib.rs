//! Declare a Linux mount namespace at compile time, enter it at run time.
//!
//! ```
//! use mountns::namespace;
//!
//! namespace! {
//!     /// Host /usr read-only and a fresh /tmp.
//!     pub static SANDBOX = {
//!         include mountns::MINIMAL;
//!         bind ro "/usr/";
//!         bind "/tmp/" tmpfs("size=10M");
//!         bind "/etc/" ["/etc/", tmpfs("size=1M")];
//!     };
//! }
//!
//! assert_eq!(SANDBOX.mounts()[0].target(), c"/dev");
//! println!("{SANDBOX}");
//! ```

#![deny(unsafe_code)]

// Generated code names `::mountns::__private`, also inside this crate (MINIMAL).
extern crate self as mountns;

pub use mountns_macros::namespace;
pub use mountns_runtime::{Flags, Kind, Mount, Mountpoint, Namespace, Param, Tmpfs, Upper};

namespace! {
    /// What a program on a Debian-like host needs besides its own files: the host's
    /// `/dev` and `/proc`, and read-only time zone data and CA certificates.
    ///
    /// Include it with `include mountns::MINIMAL;`.
    pub static MINIMAL = {
        bind ["/dev/", "/proc/"];
        bind ro ["/usr/share/zoneinfo/", "/etc/ssl/certs/", "/usr/share/ca-certificates/"];
        bind ro "/etc/localtime";
    };
}

#[doc(hidden)]
pub mod __private {
    use core::ffi::CStr;

    pub use mountns_macros::namespace;
    pub use mountns_runtime::{Flags, Kind, Mount, Mountpoint, Namespace, Param, Tmpfs, Upper};

    /// `value` followed by a NUL, in an array of its length plus one.
    pub const fn nul_terminate<const N: usize>(value: &str) -> [u8; N] {
        let value = value.as_bytes();
        let mut bytes = [0; N];
        let mut i = 0;
        while i < value.len() && i < N {
            bytes[i] = value[i];
            i += 1;
        }
        bytes
    }

    /// Checks a source given as a constant expression, at compile time.
    pub const fn host_path(bytes: &'static [u8]) -> &'static CStr {
        let Ok(path) = CStr::from_bytes_with_nul(bytes) else {
            panic!("mountns: a source path must not contain a NUL byte");
        };
        if bytes.len() < 2 || bytes[0] != b'/' {
            panic!("mountns: a source must be an absolute path, starting with /");
        }
        path
    }
}
