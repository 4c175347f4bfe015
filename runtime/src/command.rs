//! Entering a namespace from `std::process::Command`, and `Namespace::exec`.

use std::ffi::OsStr;
use std::io;
use std::os::unix::process::CommandExt as _;
use std::process::Command;

use rustix::io::Errno;

use crate::error::{Error, Step};
use crate::sys;
use crate::table::Namespace;

/// Runs a [`Command`] inside a namespace.
///
/// ```no_run
/// use std::process::Command;
/// use mountns_runtime::CommandExt as _;
/// # fn run(ns: &'static mountns_runtime::Namespace) -> std::io::Result<()> {
/// let status = Command::new("/bin/ls").arg("/").namespace(ns).status()?;
/// # Ok(()) }
/// ```
pub trait CommandExt: sealed::Sealed {
    /// Enters `ns` in the child, after fork and before exec (after std has applied
    /// `uid`, `gid` and `current_dir`: the directory is looked up again inside the new
    /// root, falling back to `/`).
    ///
    /// std passes only an errno from the child to the parent, so when entering fails,
    /// `spawn`, `status` and `output` return an `io::Error` with just that errno (e.g.
    /// "No such file or directory"); the child first writes the whole message, naming the
    /// step and the table entry, to its stderr.
    fn namespace(&mut self, ns: &'static Namespace) -> &mut Self;
}

impl CommandExt for Command {
    fn namespace(&mut self, ns: &'static Namespace) -> &mut Self {
        sys::pre_exec(self, move || {
            ns.enter().map_err(|error| {
                error.report();
                io::Error::from_raw_os_error(error.errno())
            })
        });
        self
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for std::process::Command {}
}

impl Namespace {
    /// Enters this namespace in the calling process (see [`Namespace::enter`]), then
    /// executes `argv[0]` with arguments `argv`, searching `PATH` inside the new root
    /// like `execvp`. Returns only on error: [`Step::Exec`] if the exec failed.
    ///
    /// The process must have a single thread unless it runs as root. Allocates before
    /// entering, so it is not for use between fork and exec; use
    /// [`CommandExt::namespace`] there.
    pub fn exec(&'static self, argv: &[impl AsRef<OsStr>]) -> Error {
        let Some((program, args)) = argv.split_first() else {
            return Error::new(Step::Exec, Errno::INVAL);
        };
        let mut command = Command::new(program);
        command.args(args);
        if let Err(error) = self.enter() {
            return error;
        }
        if let Err(errno) = crate::fault::check(Step::Exec) {
            return Error::new(Step::Exec, errno);
        }
        let error = command.exec();
        Error::new(
            Step::Exec,
            Errno::from_raw_os_error(error.raw_os_error().unwrap_or(0)),
        )
    }
}
