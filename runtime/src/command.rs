//! Entering a namespace from `std::process::Command`, and `Namespace::exec`.

use std::ffi::OsStr;
use std::os::unix::process::CommandExt as _;
use std::process::Command;

use rustix::io::Errno;
use rustix::process::{Gid, Uid};

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
    ///
    /// Combined with `Command::uid` or `Command::gid`, entering fails: std switches ids
    /// before this hook runs, and the child could then only map its ids into a user
    /// namespace by becoming dumpable, which would hand the parent's memory and
    /// descriptors to the new uid until exec. Use [`CommandExt::namespace_as`].
    fn namespace(&mut self, ns: &'static Namespace) -> &mut Self;

    /// Enters `ns` in the child as root, then switches to `ids` (supplementary groups,
    /// gid, uid, in that order; every capability goes with root) before exec: the safe
    /// way for a root launcher to run a program as another user. The caller must be
    /// root (`CAP_SETUID` and `CAP_SETGID`); do not also set `Command::uid` or `gid`.
    ///
    /// Entering needs only a mount namespace then, so files keep their owners, and the
    /// child is never dumpable while it holds copies of the parent's memory and
    /// descriptors: the kernel makes it non-dumpable when it switches ids, until exec.
    ///
    /// ```no_run
    /// use std::process::Command;
    /// use mountns_runtime::{CommandExt as _, Ids};
    /// # fn run(ns: &'static mountns_runtime::Namespace) -> std::io::Result<()> {
    /// let status = Command::new("/bin/id")
    ///     .namespace_as(ns, Ids::new(65534, 65534).groups(&[65534]))
    ///     .status()?;
    /// # Ok(()) }
    /// ```
    fn namespace_as(&mut self, ns: &'static Namespace, ids: Ids) -> &mut Self;
}

impl CommandExt for Command {
    fn namespace(&mut self, ns: &'static Namespace) -> &mut Self {
        sys::enter_before_exec(self, ns, None)
    }

    fn namespace_as(&mut self, ns: &'static Namespace, ids: Ids) -> &mut Self {
        sys::enter_before_exec(self, ns, Some(ids))
    }
}

/// The user id, group id and supplementary groups that a program runs with after
/// [`CommandExt::namespace_as`] or [`Namespace::enter_as`] entered its namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ids {
    uid: Uid,
    gid: Gid,
    groups: Vec<Gid>,
}

impl Ids {
    /// `uid` and `gid`, with no supplementary groups.
    pub fn new(uid: u32, gid: u32) -> Ids {
        Ids {
            uid: Uid::from_raw(uid),
            gid: Gid::from_raw(gid),
            groups: Vec::new(),
        }
    }

    /// Sets the supplementary groups (none by default).
    #[must_use]
    pub fn groups(mut self, groups: &[u32]) -> Ids {
        self.groups = groups.iter().map(|&gid| Gid::from_raw(gid)).collect();
        self
    }

    /// The user id.
    pub fn uid(&self) -> u32 {
        self.uid.as_raw()
    }

    /// The group id.
    pub fn gid(&self) -> u32 {
        self.gid.as_raw()
    }

    /// The supplementary groups.
    pub fn supplementary_groups(&self) -> impl ExactSizeIterator<Item = u32> + '_ {
        self.groups.iter().map(|gid| gid.as_raw())
    }

    /// Switches the calling thread to these ids: groups, gid, then uid, all three of
    /// real, effective and saved. Allocates nothing.
    pub(crate) fn switch(&self) -> Result<(), Error> {
        let fail = |errno| Error::new(Step::Ids, errno);
        crate::fault::check(Step::Ids).map_err(fail)?;
        rustix::thread::set_thread_groups(&self.groups).map_err(fail)?;
        rustix::thread::set_thread_res_gid(self.gid, self.gid, self.gid).map_err(fail)?;
        rustix::thread::set_thread_res_uid(self.uid, self.uid, self.uid).map_err(fail)
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for std::process::Command {}
}

impl Namespace {
    /// Enters this namespace as root (see [`Namespace::enter`]), then switches the
    /// calling thread to `ids`, as [`CommandExt::namespace_as`] does in its child.
    /// Fails with [`Step::Ids`] before entering if the caller is not root.
    pub fn enter_as(&'static self, ids: &Ids) -> Result<(), Error> {
        if !rustix::process::geteuid().is_root() {
            return Err(Error::new(Step::Ids, Errno::PERM));
        }
        self.enter()?;
        ids.switch()
    }

    /// Enters this namespace in the calling process (see [`Namespace::enter`]), then
    /// executes `argv[0]` with arguments `argv`, searching `PATH` inside the new root
    /// like `execvp`. Returns only on error: [`Step::Exec`] if the exec failed.
    ///
    /// The process must have a single thread unless it runs as root. Allocates before
    /// entering, so it is not for use between fork and exec; use
    /// [`CommandExt::namespace`] there.
    pub fn exec(&'static self, argv: &[impl AsRef<OsStr>]) -> Error {
        let Some((program, rest)) = argv.split_first() else {
            return Error::new(Step::Exec, Errno::INVAL);
        };
        let mut command = Command::new(program);
        command.args(rest);
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
