//! Entering a namespace from `std::process::Command`, and `Namespace::exec`.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt as _;
use std::process::{Child, Command, ExitStatus, Output};

use rustix::io::Errno;

use crate::error::display::Quoted;
use crate::error::{Error, Reason, Step};
use crate::params::Filled;
use crate::sys::{self, BeforeExec};
use crate::table::Identity;
use crate::table::Namespace;

/// Runs a [`Command`] inside a namespace.
///
/// Two ways, which differ only in what an error says:
///
/// - [`spawn_in`](CommandExt::spawn_in), [`status_in`](CommandExt::status_in) and
///   [`output_in`](CommandExt::output_in) (and their `_in_as` forms) return the whole
///   [`Error`] when entering fails: the `io::Error` displays it (`mountns: bind
///   "/srv/missing" on "/data": open source: No such file or directory (os error 2)`)
///   and [`get_ref`](io::Error::get_ref) gives it back. A program that cannot be
///   executed inside is named too.
/// - [`namespace`](CommandExt::namespace) and [`namespace_as`](CommandExt::namespace_as)
///   set the command up for std's own `spawn`, `status` and `output`, which carry only
///   the errno from the child: the child writes the message to its stderr.
///
/// ```no_run
/// use std::process::Command;
/// use mountns::{CommandExt as _, Error};
/// # fn run(ns: &'static mountns::Namespace) -> std::io::Result<()> {
/// match Command::new("/bin/ls").arg("/").status_in(ns) {
///     Ok(status) => println!("ls: {status}"),
///     Err(error) => {
///         eprintln!("{error}"); // mountns: bind "/srv/missing" on "/data": open source: ...
///         if let Some(error) = error.get_ref().and_then(|e| e.downcast_ref::<Error>()) {
///             eprintln!("step {:?}, errno {}", error.step(), error.errno());
///         }
///     }
/// }
/// let status = Command::new("/bin/ls").arg("/").namespace(ns).status()?;
/// # Ok(()) }
/// ```
pub trait CommandExt: sealed::Sealed {
    /// Spawns the command in `ns`, like [`Command::spawn`]: the child enters `ns` after
    /// fork and before exec (see [`namespace`](CommandExt::namespace)).
    ///
    /// If entering fails, the `io::Error` holds the [`Error`]: its `Display` names the
    /// step, the table entry and the errno, [`get_ref`](io::Error::get_ref) and
    /// [`into_inner`](io::Error::into_inner) give it back, and its
    /// [`kind`](io::Error::kind) is the errno's (`raw_os_error` is `None`: use
    /// [`Error::errno`]). If the program cannot be executed inside, the error names it:
    /// `mountns: exec "/no/such": No such file or directory (os error 2)`, with the
    /// errno's kind. Other errors (fork, `current_dir`) are std's. The child writes
    /// nothing to its stderr.
    ///
    /// The child learns where to write through a hook that this call adds to the
    /// command and that does nothing outside the call: a later `spawn` of the same
    /// command does not enter `ns`, and calling this again enters it once. Do not
    /// combine with [`namespace`](CommandExt::namespace), which would enter twice.
    fn spawn_in(&mut self, ns: impl Into<Filled>) -> io::Result<Child>;

    /// Runs the command in `ns` and waits for it, like [`Command::status`]; errors as
    /// for [`spawn_in`](CommandExt::spawn_in).
    fn status_in(&mut self, ns: impl Into<Filled>) -> io::Result<ExitStatus>;

    /// Runs the command in `ns` and collects its output, like [`Command::output`];
    /// errors as for [`spawn_in`](CommandExt::spawn_in).
    fn output_in(&mut self, ns: impl Into<Filled>) -> io::Result<Output>;

    /// [`spawn_in`](CommandExt::spawn_in), switching to `ids` after entering, as
    /// [`namespace_as`](CommandExt::namespace_as) does.
    fn spawn_in_as(&mut self, ns: impl Into<Filled>, ids: Ids) -> io::Result<Child>;

    /// [`status_in`](CommandExt::status_in), switching to `ids` after entering.
    fn status_in_as(&mut self, ns: impl Into<Filled>, ids: Ids) -> io::Result<ExitStatus>;

    /// [`output_in`](CommandExt::output_in), switching to `ids` after entering.
    fn output_in_as(&mut self, ns: impl Into<Filled>, ids: Ids) -> io::Result<Output>;

    /// Enters `ns` in the child, after fork and before exec (after std has applied
    /// `uid`, `gid` and `current_dir`: the directory is looked up again inside the new
    /// root, falling back to `/`, unless the table (`chdir`) or
    /// [`Filled::current_dir`] chooses one). The table's environment (`env clear;`,
    /// `env "NAME" "value";`) is set on the command now, as `Command::env_clear` and
    /// `Command::env` would: variables set on it afterwards are added. So do the other
    /// methods of this trait.
    ///
    /// std passes only an errno from the child to the parent, so when entering fails,
    /// `spawn`, `status` and `output` return an `io::Error` with just that errno (e.g.
    /// "No such file or directory"); the child first writes the whole message, naming the
    /// step and the table entry, to its stderr. [`spawn_in`](CommandExt::spawn_in),
    /// [`status_in`](CommandExt::status_in) and [`output_in`](CommandExt::output_in)
    /// return that message instead.
    ///
    /// Combined with `Command::uid` or `Command::gid`, entering fails: std switches ids
    /// before this hook runs, and the child could then only map its ids into a user
    /// namespace by becoming dumpable, which would hand the parent's memory and
    /// descriptors to the new uid until exec. Use [`CommandExt::namespace_as`].
    ///
    /// With a pid namespace (`proc`, `unshare [pid];`) or `new_session;`, the child
    /// forks pid 1 of the namespace, which forks the program (pid 2): `spawn` returns
    /// once the program executes, and the [`Child`] is the process that stands in for
    /// it. Its status is the program's (exit code, or the signal that killed it);
    /// TERM, INT, HUP, QUIT, USR1 and USR2 sent to it reach the program; when it is
    /// killed, the program and everything it started die with it. It also dies when
    /// the *thread* that spawned it exits (`PR_SET_PDEATHSIG` follows the thread that
    /// forked): spawn from a thread that outlives the child.
    fn namespace(&mut self, ns: impl Into<Filled>) -> &mut Self;

    /// Enters `ns` in the child as root, then switches to `ids` (supplementary groups,
    /// gid, uid, in that order; every capability goes with root) before exec: the safe
    /// way for a root launcher to run a program as another user. The caller must be
    /// root (`CAP_SETUID` and `CAP_SETGID`); do not also set `Command::uid` or `gid`.
    /// [`status_in_as`](CommandExt::status_in_as) and the other `_in_as` methods do the
    /// same and return the whole error.
    ///
    /// Entering needs only a mount namespace then, so files keep their owners, and the
    /// child is never dumpable while it holds copies of the parent's memory and
    /// descriptors: the kernel makes it non-dumpable when it switches ids, until exec.
    ///
    /// ```no_run
    /// use std::process::Command;
    /// use mountns::{CommandExt as _, Ids};
    /// # fn run(ns: &'static mountns::Namespace) -> std::io::Result<()> {
    /// let status = Command::new("/bin/id")
    ///     .namespace_as(ns, Ids::new(65534, 65534).groups(&[65534]))
    ///     .status()?;
    /// # Ok(()) }
    /// ```
    fn namespace_as(&mut self, ns: impl Into<Filled>, ids: Ids) -> &mut Self;
}

impl CommandExt for Command {
    fn spawn_in(&mut self, ns: impl Into<Filled>) -> io::Result<Child> {
        spawn_reported(self, ns.into(), None, Command::spawn)
    }

    fn status_in(&mut self, ns: impl Into<Filled>) -> io::Result<ExitStatus> {
        // As std's `status`: spawn with the same defaults, then wait. Not through
        // `status` itself, so that an error of `wait` is never taken for one of exec.
        self.spawn_in(ns)?.wait()
    }

    fn output_in(&mut self, ns: impl Into<Filled>) -> io::Result<Output> {
        // std's own `output`, for its defaults (stdin null, stdout and stderr piped
        // unless set), which no getter exposes. Once the child has entered, an error is
        // taken for one of exec, since reading the pipes and waiting practically never
        // fail (std retries EINTR).
        spawn_reported(self, ns.into(), None, Command::output)
    }

    fn spawn_in_as(&mut self, ns: impl Into<Filled>, ids: Ids) -> io::Result<Child> {
        spawn_reported(self, ns.into(), Some(ids), Command::spawn)
    }

    fn status_in_as(&mut self, ns: impl Into<Filled>, ids: Ids) -> io::Result<ExitStatus> {
        self.spawn_in_as(ns, ids)?.wait()
    }

    fn output_in_as(&mut self, ns: impl Into<Filled>, ids: Ids) -> io::Result<Output> {
        spawn_reported(self, ns.into(), Some(ids), Command::output)
    }

    fn namespace(&mut self, ns: impl Into<Filled>) -> &mut Self {
        let ns = ns.into();
        set_env(self, ns.ns);
        sys::before_exec(self, Entering { ns, ids: None })
    }

    fn namespace_as(&mut self, ns: impl Into<Filled>, ids: Ids) -> &mut Self {
        let ns = ns.into();
        set_env(self, ns.ns);
        sys::before_exec(self, Entering { ns, ids: Some(ids) })
    }
}

/// Gives `command` the environment `ns` sets: without the inherited one (`env clear;`),
/// and with its variables (`env "NAME" "value";`). std then builds the program's
/// environment before forking, as for any `Command`.
fn set_env(command: &mut Command, ns: &Namespace) {
    if ns.clears_env() {
        command.env_clear();
    }
    for var in ns.env() {
        let var = var.to_bytes();
        let (name, value) = var.split_at(var.iter().position(|&b| b == b'=').unwrap_or(0));
        command.env(
            OsStr::from_bytes(name),
            OsStr::from_bytes(value.get(1..).unwrap_or_default()),
        );
    }
}

/// Runs `spawn` on `command` entering `ns`, and makes its error say what the child told.
fn spawn_reported<T>(
    command: &mut Command,
    ns: Filled,
    ids: Option<Ids>,
    spawn: impl FnOnce(&mut Command) -> io::Result<T>,
) -> io::Result<T> {
    set_env(command, ns.ns);
    sys::spawn_reported(command, Entering { ns, ids }, spawn).map_err(|(error, told)| {
        match told {
            // Entering failed.
            Some(Err(entering)) => entering.into(),
            // The child entered the namespace; what failed came after: exec.
            Some(Ok(())) => io::Error::new(
                error.kind(),
                ExecError {
                    program: command.get_program().to_owned(),
                    error,
                },
            ),
            // The spawn failed before the hook ran (fork, or std's own setup).
            None => error,
        }
    })
}

/// What the hook of a command does in its child: enter `ns`, then switch to `ids` if
/// given.
struct Entering {
    ns: Filled,
    ids: Option<Ids>,
}

/// Async-signal-safe, as a hook must be: entering, [`Error::report`] and the
/// constructors allocate nothing, take no lock and do not panic; they only make
/// syscalls with paths from the static table or stack buffers, and read `ns` and
/// `ids`, which were allocated before the fork.
impl BeforeExec for Entering {
    type Error = Error;

    fn run(&self) -> Result<(), Error> {
        self.ns.enter_to_exec(self.ids.as_ref())
    }

    fn no_stack(errno: Errno) -> Error {
        Error::new(Step::Stack, errno)
    }

    fn tell(error: &Error) {
        error.report();
    }

    fn errno(error: &Error) -> i32 {
        error.errno()
    }
}

/// A program that could not be executed after its child entered the namespace.
struct ExecError {
    program: OsString,
    /// std's error, with the errno.
    error: io::Error,
}

impl fmt::Display for ExecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let program = Quoted(self.program.as_bytes());
        write!(f, "mountns: {} {program}: {}", Step::Exec, self.error)
    }
}

impl fmt::Debug for ExecError {
    /// The sentence of `Display`, as for [`Error`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for ExecError {}

/// The user id, group id and supplementary groups that a program runs with after
/// [`CommandExt::namespace_as`] or [`Namespace::enter_as`] entered its namespace: ids
/// chosen at run time. A table that chooses them itself (`uid`, `gid`, `groups`) takes
/// no `Ids`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ids {
    uid: u32,
    gid: u32,
    groups: Vec<u32>,
}

impl Ids {
    /// `uid` and `gid`, with no supplementary groups. An id of -1 (`u32::MAX`), which
    /// to the kernel means "leave as is", makes switching fail with `EINVAL`.
    pub fn new(uid: u32, gid: u32) -> Ids {
        // Unchecked: -1 is refused when switching, with an error rather than a panic.
        Ids {
            uid,
            gid,
            groups: Vec::new(),
        }
    }

    /// Sets the supplementary groups (none by default).
    #[must_use]
    pub fn groups(mut self, groups: &[u32]) -> Ids {
        self.groups = groups.to_vec();
        self
    }

    /// The user id.
    pub fn uid(&self) -> u32 {
        self.uid
    }

    /// The group id.
    pub fn gid(&self) -> u32 {
        self.gid
    }

    /// The supplementary groups.
    pub fn supplementary_groups(&self) -> impl ExactSizeIterator<Item = u32> + '_ {
        self.groups.iter().copied()
    }

    /// The ids to switch to after entering.
    fn identity(&self) -> Identity<'_> {
        Identity {
            uid: Some(self.uid),
            gid: Some(self.gid),
            groups: Some(&self.groups),
        }
    }
}

/// Switching to `ids` needs root: fails with [`Step::Ids`] before entering otherwise.
fn as_root(ids: Option<&Ids>) -> Result<(), Error> {
    if ids.is_some() && !rustix::process::geteuid().is_root() {
        return Err(Error::new(Step::Ids, Errno::PERM));
    }
    Ok(())
}

/// Whether this process runs set-id or with file capabilities: the kernel's
/// `AT_SECURE`, read from `/proc/self/auxv` (std gives no `getauxval`), or real and
/// effective ids that differ.
fn set_id() -> bool {
    use rustix::process::{getegid, geteuid, getgid, getuid};
    if getuid() != geteuid() || getgid() != getegid() {
        return true;
    }
    let Ok(auxv) = std::fs::read("/proc/self/auxv") else {
        return false;
    };
    let word = |chunk: &[u8]| {
        chunk
            .try_into()
            .map(usize::from_ne_bytes)
            .unwrap_or_default()
    };
    auxv.chunks_exact(2 * size_of::<usize>())
        .map(|pair| pair.split_at(size_of::<usize>()))
        .any(|(key, value)| word(key) == AT_SECURE && word(value) != 0)
}

/// The auxiliary vector's key for "set-id or file capabilities" (`<linux/auxvec.h>`).
const AT_SECURE: usize = 23;

mod sealed {
    pub trait Sealed {}
    impl Sealed for std::process::Command {}
}

impl Namespace {
    /// Whether `status`, of the process that stood in for a program of this table (the
    /// child of [`CommandExt`], a launcher, the caller of [`Namespace::exec`]), says
    /// that the table's time limit (`timeout(N);`) ended the program: the table has one
    /// and the status is the exit code [`TIMED_OUT`](crate::TIMED_OUT) (137), where a
    /// program killed otherwise, even by SIGKILL, leaves a status of that signal. A
    /// program that itself exits with 137 looks the same.
    pub fn timed_out(&self, status: ExitStatus) -> bool {
        self.timeout().is_some() && status.code() == Some(crate::TIMED_OUT)
    }

    /// Enters this namespace as root (see [`Namespace::enter`]), then switches the
    /// calling thread to `ids`, as [`CommandExt::namespace_as`] does in its child.
    /// Fails with [`Step::Ids`] before entering if the caller is not root.
    pub fn enter_as(&'static self, ids: &Ids) -> Result<(), Error> {
        Filled::from(self).enter_as(ids)
    }

    /// Enters this namespace in the calling process (see [`Namespace::enter`]), then
    /// executes `argv[0]` with arguments `argv`, searching `PATH` inside the new root
    /// like `execvp`. Returns only on error: [`Step::Exec`] if the exec failed.
    ///
    /// The process must have a single thread unless it runs as root. Allocates before
    /// entering, so it is not for use between fork and exec; use
    /// [`CommandExt::namespace`] there.
    ///
    /// With a pid namespace (or `new_session;`), the program runs in a process forked
    /// for it (pid 2 of the namespace), and this process stands in for it outside, as
    /// [`CommandExt::namespace`]'s child does: it passes the usual signals on, dies
    /// with its parent (and takes the namespace along), and ends as the program did.
    /// An error of the exec comes back in the program's process, whose exit status the
    /// caller then ends with.
    pub fn exec(&'static self, argv: &[impl AsRef<OsStr>]) -> Error {
        Filled::from(self).exec(argv)
    }
}

impl Filled {
    /// [`Namespace::enter`], with the values of the `param(NAME)` sources: each must
    /// be set to an absolute path, or entering fails with [`Step::Params`] before
    /// anything else happens.
    pub fn enter(&self) -> Result<(), Error> {
        self.ns.enter_here(&self.params, None, self.start())
    }

    /// [`Namespace::enter_as`], with the values of the `param(NAME)` sources.
    pub fn enter_as(&self, ids: &Ids) -> Result<(), Error> {
        as_root(Some(ids))?;
        self.ns
            .enter_here(&self.params, Some(ids.identity()), self.start())
    }

    /// Enters for a program executed next, switching to `ids` if given: with a pid
    /// namespace, through the processes it needs, returning `Ok` only in the one that
    /// is to execute (see `Namespace::enter_with`).
    pub(crate) fn enter_to_exec(&self, ids: Option<&Ids>) -> Result<(), Error> {
        as_root(ids)?;
        self.ns
            .enter_with(&self.params, ids.map(Ids::identity), self.start())
    }

    /// [`Namespace::exec`], with the values of the `param(NAME)` sources.
    pub fn exec(&self, argv: &[impl AsRef<OsStr>]) -> Error {
        let Some((program, rest)) = argv.split_first() else {
            return Error::new(Step::Exec, Errno::INVAL).because(Reason::NoProgram);
        };
        let mut command = Command::new(program);
        command.args(rest);
        set_env(&mut command, self.ns);
        if set_id() {
            return Error::new(Step::SetId, Errno::PERM).because(Reason::SetId);
        }
        if let Err(error) = self.enter_to_exec(None) {
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
