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
pub use mountns_runtime::{
    CommandExt, Error, Flags, Kind, Mount, Mountpoint, Namespace, Param, Step, Tmpfs, Upper,
    force_legacy_unions,
};

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

    /// A source given as a constant expression, checked at compile time like a literal
    /// source and normalized (no trailing slash), NUL-padded to the array's length.
    pub const fn source_bytes<const N: usize>(value: &str) -> [u8; N] {
        let value = value.as_bytes();
        if value.is_empty() || value[0] != b'/' {
            panic!("mountns: a source must be an absolute path, starting with /");
        }
        let mut len = value.len();
        while len > 1 && value[len - 1] == b'/' {
            len -= 1;
        }
        let mut bytes = [0; N];
        let mut i = 0;
        while i < len {
            let byte = value[i];
            if byte == 0 {
                panic!("mountns: a source must not contain a NUL byte");
            }
            if byte == b'/' {
                let next = if i + 1 < len { value[i + 1] } else { b'/' };
                let after = if i + 2 < len { value[i + 2] } else { b'/' };
                let third = if i + 3 < len { value[i + 3] } else { b'/' };
                if i + 1 < len && next == b'/' {
                    panic!("mountns: a source must not have an empty component (//)");
                }
                if next == b'.' && (after == b'/' || (after == b'.' && third == b'/')) {
                    panic!("mountns: a source must not contain `.` or `..` components");
                }
            }
            bytes[i] = byte;
            i += 1;
        }
        bytes
    }

    /// The C string in a buffer from [`source_bytes`].
    pub const fn host_path(bytes: &'static [u8]) -> &'static CStr {
        match CStr::from_bytes_until_nul(bytes) {
            Ok(path) => path,
            Err(_) => panic!("mountns: a source buffer without its NUL"),
        }
    }
}
