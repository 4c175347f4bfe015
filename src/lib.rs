//! Declare a Linux mount namespace at compile time, enter it at run time.
//!
//! ```
//! use mountns::namespace;
//!
//! namespace! {
//!     /// Host /usr read-only and a fresh /tmp.
//!     pub static SANDBOX = {
//!         include mountns::MINIMAL;                  // splice in another namespace
//!         bind ro "/usr/";                           // host /usr, read-only
//!         bind "/tmp/" tmpfs("size=10M");            // a fresh tmpfs
//!         bind "/etc/" ["/etc/", tmpfs("size=1M")];  // writable union over host /etc
//!         bind "/opt/" ["/srv/a/", "/srv/b/"];       // read-only union, /srv/a on top
//!     };
//! }
//!
//! // The table was sorted and collapsed at compile time.
//! assert_eq!(SANDBOX.mounts()[0].target(), c"/dev");
//! assert!(matches!(SANDBOX.mounts()[1].kind(), mountns::Kind::Union { upper: Some(_), .. }));
//! println!("{SANDBOX}"); // one fstab-like line per mount
//! ```
//!
//! Enter it in a child with [`CommandExt::namespace`], in this process with
//! [`Namespace::enter`], or in place of this process with [`Namespace::exec`]:
//!
//! ```no_run
//! # mountns::namespace! { static SANDBOX = { bind ro "/usr/"; }; }
//! use mountns::CommandExt;
//!
//! let status = std::process::Command::new("/bin/ls").namespace(&SANDBOX).status()?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # The declaration language
//!
//! - `bind FLAGS "TARGET";` or `bind FLAGS ["T1", "T2"];` binds each host path onto the
//!   same path inside; `bind FLAGS "TARGET" SOURCE;` or `bind FLAGS "TARGET" [S1, S2];`
//!   binds sources onto the target.
//! - A source is a string literal (a host path), `tmpfs` or `tmpfs("OPTIONS")` (options of
//!   tmpfs(5), checked at compile time), or any constant `&'static str` expression.
//! - FLAGS: `ro` (read-only, recursively), or nothing.
//! - `include PATH;` splices in the mounts of a namespace declared elsewhere (this
//!   module, another module, another crate) before sorting and collapsing.
//! - A trailing slash makes a directory target; without it the target is a file.
//! - Several mounts on one target: binds make a read-only union, the first declared on
//!   top; a tmpfs with binds makes a writable union whose writes land in the tmpfs.
//!
//! Every mistake is a compile error at the statement or literal that made it.

#![deny(unsafe_code)]

// Generated code names `::mountns::__private`, also inside this crate (MINIMAL).
extern crate self as mountns;

mod package;

pub use mountns_macros::namespace;
pub use mountns_runtime::{
    CommandExt, Error, Flags, Ids, Kind, Mount, Mountpoint, Namespace, Param, Step, Tmpfs, Upper,
    force_legacy_unions,
};
pub use package::Package;

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
    pub use crate::package::{Layers, Source, Wrap, split};
    pub use mountns_macros::namespace_resumed;
    pub use mountns_runtime::{Flags, Kind, Mount, Mountpoint, Namespace, Param, Tmpfs, Upper};
}
