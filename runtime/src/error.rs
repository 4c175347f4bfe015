//! The error of entering a namespace: a small `Copy` value that says which step failed,
//! on which table entry, with which errno; displayed without allocating.

use core::ffi::CStr;
use core::fmt;
#[cfg(feature = "std")]
use std::io;

use rustix::io::Errno;

use crate::stack::StackBuf;
use crate::table::Hidden;

/// What `enter` was doing when it failed, in the order it does it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Step {
    /// Checking that a launcher does not run set-user-id, set-group-id or with file
    /// capabilities, which would hand its privileges to the program.
    SetId,
    /// Mapping the stack that [`CommandExt`](crate::CommandExt)'s hook runs on in the
    /// child, before entering.
    Stack,
    /// Checking the values of the table's `param(NAME)` sources, before anything else.
    Params,
    /// Checking every source, as the host resolves it, against the paths the table
    /// asserts hidden (`assert hidden [..];`, `assert no_dev;`), before anything is
    /// made or mounted.
    Hidden,
    /// Cloning the tree a source's descriptor refers to (`Params::set_fd`), before the
    /// mount namespace is made.
    Descriptor,
    /// `unshare(CLONE_NEWNS)` as root.
    Unshare,
    /// Refusing to enter a table that needs a pid namespace in the calling process,
    /// which no system call can move into one.
    PidNamespace,
    /// Forking the processes a pid namespace needs: pid 1 of the new namespace, and
    /// the program under it.
    Fork,
    /// Asking to be killed when the parent dies (die-with-parent).
    DeathSignal,
    /// `unshare(CLONE_NEWUSER | CLONE_NEWNS)`, without privileges (or when root was
    /// refused a plain mount namespace).
    UserNamespace,
    /// Writing `deny` to `/proc/self/setgroups`.
    Setgroups,
    /// Writing `/proc/self/uid_map`.
    UidMap,
    /// Writing `/proc/self/gid_map`.
    GidMap,
    /// Making every mount private, so nothing propagates to the host.
    Propagation,
    /// Mounting the scratch tmpfs and moving the host tree under it.
    Scratch,
    /// Creating a mountpoint of the skeleton in the new root.
    Skeleton,
    /// Opening (or creating, inside a tmpfs) a mountpoint in the new root.
    Mountpoint,
    /// Opening a host source.
    Source,
    /// A directory source on a file mountpoint, or a file source on a directory.
    FileType,
    /// Cloning the source tree and attaching it.
    Bind,
    /// Making a bind read-only, submounts included.
    ReadOnly,
    /// Creating and attaching a tmpfs.
    Tmpfs,
    /// Creating the tmpfs that holds a union's upper and work directories.
    Upper,
    /// Creating and attaching an overlay with `fsconfig(2)`.
    Union,
    /// Creating and attaching an overlay with a `mount(2)` option string.
    UnionLegacy,
    /// Creating a `dir`, a `symlink` or a `file`, or binding a `file` read-only.
    Node,
    /// Mounting a fresh procfs and covering its system knobs read-only.
    Proc,
    /// Building a fresh `/dev`: its tmpfs, the host's nodes, devpts, shm and links.
    Dev,
    /// Making the new root's own tmpfs read-only.
    Seal,
    /// Switching to the new root.
    PivotRoot,
    /// Detaching the old root.
    Detach,
    /// Changing to the new root directory.
    Chdir,
    /// Setting the host name of the table's UTS namespace.
    Hostname,
    /// Bringing up `lo` in the table's network namespace.
    Loopback,
    /// Starting a new session (`new_session;`).
    Session,
    /// Dropping the capabilities the table does not keep (`caps [..];`), from every set
    /// and for good (securebits locked).
    Capabilities,
    /// Giving the program a new, empty session keyring in place of the caller's.
    Keyring,
    /// Setting a resource limit of `limit [..];`, in the process that executes.
    Limits,
    /// Setting `no_new_privs`.
    NoNewPrivs,
    /// Restricting file access with Landlock (`landlock;`): probing the kernel's ABI,
    /// making the ruleset, opening the root of each mount for its rule, restricting.
    Landlock,
    /// Installing the table's seccomp program (its syscall policy and the terminal
    /// rule), the last step.
    Seccomp,
    /// Switching to the user and group ids of the table (`uid`, `gid`, `groups`) or of
    /// [`CommandExt::namespace_as`](crate::CommandExt::namespace_as), after entering.
    Ids,
    /// Executing the program.
    Exec,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Step::SetId => "check the launcher's ids",
            Step::Stack => "map a stack for entering",
            Step::Params => "fill the sources chosen at run time",
            Step::Hidden => "check the hidden paths",
            Step::Descriptor => "clone the tree of a descriptor",
            Step::Unshare => "create a mount namespace",
            Step::PidNamespace => "enter a pid namespace in this process",
            Step::Fork => "fork into the pid namespace",
            Step::DeathSignal => "set the parent-death signal",
            Step::UserNamespace => "create a user and mount namespace",
            Step::Setgroups => "write /proc/self/setgroups",
            Step::UidMap => "write /proc/self/uid_map",
            Step::GidMap => "write /proc/self/gid_map",
            Step::Propagation => "make the mounts private",
            Step::Scratch => "prepare the scratch root",
            Step::Skeleton => "create in the new root",
            Step::Mountpoint => "open mountpoint",
            Step::Source => "open source",
            Step::FileType => "compare source and mountpoint",
            Step::Bind => "bind",
            Step::ReadOnly => "make read-only",
            Step::Tmpfs => "mount tmpfs",
            Step::Upper => "mount the upper tmpfs",
            Step::Union => "mount overlay",
            Step::UnionLegacy => "mount overlay with mount(2)",
            Step::Node => "create",
            Step::Proc => "mount proc",
            Step::Dev => "build /dev",
            Step::Seal => "make the new root read-only",
            Step::PivotRoot => "switch to the new root",
            Step::Detach => "detach the old root",
            Step::Chdir => "change directory",
            Step::Hostname => "set the host name",
            Step::Loopback => "bring up lo",
            Step::Session => "start a new session",
            Step::Capabilities => "drop capabilities",
            Step::Keyring => "join a new session keyring",
            Step::NoNewPrivs => "set no_new_privs",
            Step::Landlock => "restrict with Landlock",
            Step::Limits => "set the resource limit",
            Step::Seccomp => "install the syscall filter",
            Step::Ids => "switch user and group ids",
            Step::Exec => "exec",
        })
    }
}

/// Which kind of table entry an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Entry {
    None,
    Bind,
    Tmpfs,
    Union,
    Skeleton,
    Proc,
    Dev,
    File,
    Dir,
    Symlink,
    /// A resource of `limit [..];` (its word, the error's target).
    Limit,
    /// The program a launcher executes (the error's source).
    #[cfg(all(feature = "launcher", not(feature = "std")))]
    Program,
}

/// Why a step failed, where the errno alone would mislead.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Reason {
    /// A component of the mountpoint's path inside the new root is a symbolic link:
    /// the target's bytes up to and including that component.
    Link(&'static [u8]),
    /// The process is not dumpable (it switched ids, as `Command::uid` does, or is
    /// set-id), so it cannot map its ids without exposing itself.
    NotDumpable,
    /// A component of the mountpoint's path inside the new root does not exist (a bound
    /// host directory lacks it): the target's bytes up to and including that component.
    Missing(&'static [u8]),
    /// The layer (the error's source) has mounts below it, which the kernel locks in a
    /// user namespace, so overlayfs cannot clone it.
    LockedSubmounts,
    #[cfg(feature = "std")]
    /// `Namespace::exec` was given no program.
    NoProgram,
    /// The source is a `param(NAME)` slot and no value was given for it.
    Unfilled,
    /// The source is a `param(NAME)` slot and its value is not an absolute path.
    NotAbsolute,
    /// The `param(NAME)` slot was given no value of the kind it takes.
    Wants(Wanted),
    /// The union's host upper directory (this) and work directory (the error's
    /// source) are on different mounts.
    SeparateMounts(&'static CStr),
    /// overlayfs refused the union's host upper directory (the error's source) and
    /// work directory (this): another union uses them (EBUSY).
    InUse(&'static CStr),
    /// overlayfs refused the union's host upper directory (the error's source) and
    /// work directory (this): the upper was made over another top layer (ESTALE).
    OtherLayers(&'static CStr),
    /// overlayfs refused the union's host upper directory (the error's source), on a
    /// filesystem of this type (`statfs`'s `f_type`).
    UpperFilesystem(u64),
    /// overlayfs refused a union (ELOOP) whose layer (the error's source) is this other
    /// layer, or lies under it, or holds it.
    Overlapping(&'static CStr),
    /// The host's node that a `dev` binds (the error's source) is not a character device.
    NotADevice,
    /// The table keeps the capability of this number, which the caller does not hold.
    NotHeld(u32),
    /// The table chooses supplementary groups, which only root can set.
    GroupsWithoutRoot,
    /// Both the table (`uid`, `gid`, `groups`) and `namespace_as` choose the ids.
    TwoIdentities,
    /// The process has other threads, which would keep root's ids and capabilities.
    Threads(u32),
    /// The launcher runs set-id or with file capabilities (`AT_SECURE`).
    #[cfg(any(feature = "std", feature = "launcher"))]
    SetId,
    /// The source, as the host resolves it, exposes a path the table asserts hidden;
    /// `value` is a slot's value (the error's source is the slot).
    Hidden {
        hidden: &'static Hidden,
        exposes: Exposes,
        /// The source is a slot: its value (the error's detail) is what exposes it.
        value: bool,
    },
    /// `landlock strict;` needs Landlock ABI `needed`; the kernel has `found` (0: no
    /// Landlock), which lacks `lacks`, a feature of ABI `lacks_abi`.
    LandlockAbi {
        needed: u8,
        found: u8,
        lacks: &'static str,
        lacks_abi: u8,
    },
}

/// How a source exposes a hidden path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Exposes {
    /// It is the hidden path, or lies under it.
    Under,
    /// It holds the hidden path.
    Holds,
    /// It is in a procfs, whose `/proc/PID/root` links reach every path of the host.
    Procfs,
}

/// What a `param(NAME)` slot takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Wanted {
    /// A host path: an upper or work directory.
    Path,
    /// A host path or a descriptor: a source.
    PathOrFd,
    /// Bytes or a descriptor to read them from: a file's content.
    Content,
}

/// The table entry a step works on.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Context {
    pub(crate) entry: Entry,
    pub(crate) target: Option<&'static CStr>,
    pub(crate) source: Option<&'static CStr>,
}

impl Context {
    pub(crate) const NONE: Context = Context {
        entry: Entry::None,
        target: None,
        source: None,
    };

    pub(crate) const fn new(entry: Entry, target: &'static CStr) -> Context {
        Context {
            entry,
            target: Some(target),
            source: None,
        }
    }

    pub(crate) const fn with_source(self, source: &'static CStr) -> Context {
        Context {
            source: Some(source),
            ..self
        }
    }

    /// Runs `step` of this entry: fails if a fault is injected there (tests only), else
    /// calls `call`; its errno becomes an [`Error`] naming the step and the entry. Each
    /// step is named once, so the fault and the error cannot disagree.
    pub(crate) fn step<T>(
        self,
        step: Step,
        call: impl FnOnce() -> Result<T, Errno>,
    ) -> Result<T, Error> {
        // The fault first: an injected failure must stop the call (a fork, say)
        // before it happens, not after.
        let fail = self.begin(step)?;
        call().map_err(fail)
    }

    /// Starts `step` of this entry, for a step of several calls: fails if a fault is
    /// injected there (tests only), else gives the function that turns the step's
    /// errnos into [`Error`]s.
    pub(crate) fn begin(self, step: Step) -> Result<impl Fn(Errno) -> Error + Copy, Error> {
        crate::fault::check(step).map_err(self.fail(step))?;
        Ok(self.fail(step))
    }

    /// Turns an errno of `step` into an [`Error`], for `map_err`.
    pub(crate) fn fail(self, step: Step) -> impl Fn(Errno) -> Error + Copy {
        move |errno| Error {
            step,
            entry: self.entry,
            target: self.target,
            source: self.source,
            errno,
            reason: None,
            detail: Detail::NONE,
        }
    }
}

/// Why a namespace could not be entered: the step, the table entry and the errno.
///
/// Displays as one line, e.g.
/// `mountns: bind "/srv/x" on "/opt": open source: No such file or directory (os error 2)`;
/// formatting it never allocates. `Debug` shows the same sentence (as `anyhow`'s errors
/// do), so that `fn main() -> Result<(), Box<dyn std::error::Error>>` prints it; the
/// parts are [`step`](Error::step), [`target`](Error::target),
/// [`source`](Error::source) and [`errno`](Error::errno).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Error {
    step: Step,
    entry: Entry,
    target: Option<&'static CStr>,
    source: Option<&'static CStr>,
    errno: Errno,
    reason: Option<Reason>,
    /// What the error is about that is not in the static table, copied: the value of a
    /// `param(NAME)` source, the directory to change to, the values given for slots.
    detail: Detail,
}

// An `Error` crosses from a forked child to its parent, copied: its references are to
// the `&'static` table that was entered (a static, or memory leaked for good before the
// fork), and the values of `param(NAME)` slots are copied into its detail.
impl crate::sys::shared::Handed for Error {}

/// A few bytes of text an [`Error`] carries by value (it is `Copy`, and crosses from a
/// forked child to its parent): cut, with `...`, past its room.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Detail {
    bytes: [u8; DETAIL],
    len: u8,
}

/// The room of a [`Detail`].
const DETAIL: usize = 184;

impl Detail {
    pub(crate) const NONE: Detail = Detail {
        bytes: [0; DETAIL],
        len: 0,
    };

    /// The text so far.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
    }

    /// Appends `text`, or as much as fits with `...` after it.
    pub(crate) fn push(&mut self, text: &[u8]) {
        let len = usize::from(self.len);
        // What fits whole, or else all but the room of `...`.
        let (text, cut) = match DETAIL.checked_sub(len) {
            Some(room) if text.len() <= room => (text, false),
            Some(room) if room >= 3 => (text.get(..room - 3).unwrap_or_default(), true),
            _ => return,
        };
        for byte in text.iter().chain(if cut { &b"..."[..] } else { &[] }) {
            if let Some(slot) = self.bytes.get_mut(usize::from(self.len)) {
                *slot = *byte;
                self.len = self.len.saturating_add(1);
            }
        }
    }
}

impl fmt::Write for Detail {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.push(text.as_bytes());
        Ok(())
    }
}

impl Error {
    pub(crate) fn new(step: Step, errno: Errno) -> Error {
        Context::NONE.fail(step)(errno)
    }

    /// The same error about the union layer `layer`.
    pub(crate) const fn on_layer(self, layer: &'static CStr) -> Error {
        Error {
            source: Some(layer),
            ..self
        }
    }

    /// Whether a reason explains the errno already.
    pub(crate) const fn has_reason(&self) -> bool {
        self.reason.is_some()
    }

    pub(crate) const fn because(self, reason: Reason) -> Error {
        Error {
            reason: Some(reason),
            ..self
        }
    }

    /// The same error, with `detail` (see [`Detail`]).
    pub(crate) const fn with_detail(self, detail: Detail) -> Error {
        Error { detail, ..self }
    }

    /// The same error, with the text `bytes` as its detail.
    pub(crate) fn with_text(self, bytes: &[u8]) -> Error {
        let mut detail = Detail::NONE;
        detail.push(bytes);
        self.with_detail(detail)
    }

    /// The step that failed.
    pub fn step(&self) -> Step {
        self.step
    }

    /// The target of the table entry that failed, if the step was about one (for a
    /// skeleton path, relative to the new root).
    pub fn target(&self) -> Option<&'static CStr> {
        self.target
    }

    /// The host source that failed (a bind's source or a union's layer), if any.
    pub fn source(&self) -> Option<&'static CStr> {
        self.source
    }

    /// The raw errno (`ENOENT` is 2), as `std::io::Error::raw_os_error` has it.
    pub fn errno(&self) -> i32 {
        self.errno.raw_os_error()
    }

    /// The symbolic link that made [`Step::Mountpoint`] fail (`ELOOP`): the path, inside
    /// the new root, of the first component of the target that is a link.
    pub fn link(&self) -> Option<&'static [u8]> {
        match self.reason {
            Some(Reason::Link(path)) => Some(path),
            _ => None,
        }
    }

    /// The component of the target that does not exist, when [`Step::Mountpoint`] failed
    /// with `ENOENT`: its path inside the new root, in a directory bound from the host
    /// that lacks it.
    pub fn missing(&self) -> Option<&'static [u8]> {
        match self.reason {
            Some(Reason::Missing(path)) => Some(path),
            _ => None,
        }
    }

    /// Writes the message and a newline to fd 2, without allocating: the child of
    /// [`CommandExt::namespace`](crate::CommandExt::namespace) can pass only the errno
    /// to its parent.
    pub(crate) fn report(&self) {
        eprintln(format_args!("{self}"));
    }

    /// The table entry and the step: `bind "/srv/x" on "/opt": open source: `.
    fn write_entry(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.entry {
            Entry::None => None,
            Entry::Bind => Some("bind"),
            Entry::Tmpfs => Some("tmpfs"),
            Entry::Union => Some("union"),
            Entry::Skeleton => Some("mountpoint"),
            Entry::Proc => Some("proc"),
            Entry::Dev => Some("dev"),
            Entry::File => Some("file"),
            Entry::Dir => Some("dir"),
            Entry::Symlink => Some("symlink"),
            Entry::Limit => Some("limit"),
            #[cfg(all(feature = "launcher", not(feature = "std")))]
            Entry::Program => Some("program"),
        };
        let mut any = false;
        if let Some(kind) = kind {
            f.write_str(kind)?;
            any = true;
        }
        if let Some(source) = self.source {
            let space = if any { " " } else { "" };
            match crate::params::slot(source) {
                Some(name) => {
                    write!(f, "{space}param({})", Lossy(name.to_bytes()))?;
                    // The value given for it, if any (an unfilled slot's detail says
                    // what was given instead).
                    let value = self.detail.as_bytes();
                    if !value.is_empty() && self.reason != Some(Reason::Unfilled) {
                        write!(f, " = {}", Quoted(value))?;
                    }
                }
                None => write!(f, "{space}{}", Quoted(source.to_bytes()))?,
            }
            any = true;
        }
        if let Some(target) = self.target {
            let space = if any { " " } else { "" };
            let on = if matches!(self.entry, Entry::Skeleton | Entry::Limit) {
                ""
            } else {
                "on "
            };
            write!(f, "{space}{on}{}", Quoted(target.to_bytes()))?;
            any = true;
        }
        if any {
            f.write_str(": ")?;
        }
        match self.detail.as_bytes() {
            chosen if self.step == Step::Chdir && !chosen.is_empty() => {
                write!(f, "{} to {}: ", self.step, Quoted(chosen))
            }
            _ => write!(f, "{}: ", self.step),
        }
    }

    /// Whether the source is a `param(NAME)` slot.
    fn is_slot(&self) -> bool {
        self.source.and_then(crate::params::slot).is_some()
    }

    fn hint(&self) -> Option<&'static str> {
        match (self.step, self.errno) {
            (Step::UserNamespace, Errno::INVAL) => Some(
                "the process has more than one thread; enter from a freshly forked child \
                 (Command::namespace) instead",
            ),
            (Step::UserNamespace, Errno::PERM | Errno::NOSPC | Errno::USERS) => Some(
                "this system refuses unprivileged user namespaces; allow them with \
                 sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0 \
                 and kernel.apparmor_restrict_unprivileged_userns=0, or run as root \
                 (a process in a chroot is refused one whatever the sysctls)",
            ),
            (Step::PidNamespace, Errno::INVAL) => Some(
                "the table has a pid namespace (proc, or unshare [pid]), which only the \
                 caller's children can enter; run the program with CommandExt::namespace \
                 (or spawn_in, status_in, output_in), Namespace::exec or a launcher! binary, \
                 which fork the processes it needs",
            ),
            (Step::Session, Errno::PERM) => Some(
                "the process leads a process group (as a job of an interactive shell does), \
                 and setsid refuses a group leader; run the program with \
                 CommandExt::namespace, Namespace::exec or a launcher! binary, which fork a \
                 process of its own for it",
            ),
            (Step::Setgroups | Step::UidMap | Step::GidMap, Errno::XDEV) => {
                Some("/proc is not a procfs; refusing to write to it")
            }
            // A slot's value is the caller's to change, not the declaration.
            (Step::FileType, Errno::NOTDIR) if self.is_slot() => Some(
                "the value given for this source is a directory, and its target a file: give \
                 it the path of a file",
            ),
            (Step::FileType, Errno::ISDIR) if self.is_slot() => Some(
                "the value given for this source is a file, and its target a directory: give \
                 it the path of a directory",
            ),
            (Step::FileType, Errno::NOTDIR) => Some(
                "a directory cannot be bound on a file; declare the target with a trailing slash",
            ),
            (Step::FileType, Errno::ISDIR) => Some(
                "a file cannot be bound on a directory; declare the target without a trailing slash",
            ),
            (Step::Descriptor, Errno::NOTDIR) => Some(
                "without root, a descriptor's tree is cloned through a working directory, which \
                 the kernel carries into a new namespace, and a file cannot be one: give the \
                 file by its path (Params::set), or enter as root",
            ),
            (Step::Descriptor, Errno::INVAL) => Some(
                "the kernel clones only a mount of the caller's own mount namespace, and \
                 only a directory or file of one (not a pipe or socket); open the source in \
                 this namespace",
            ),
            (Step::Propagation, Errno::INVAL) => Some(
                "the root directory of this process is not a mount point (it is in a chroot); \
                 enter from a process whose root is a mount",
            ),
            (Step::Scratch, Errno::INVAL) => Some(
                "pivot_root refused the switch: the root is the initial ramfs (rootfs), which \
                 cannot be moved; enter from a system that switched to a real root",
            ),
            (Step::Tmpfs | Step::Upper, Errno::INVAL) => Some(
                "the kernel refused an option of this tmpfs: one it does not know, or, without \
                 root, a uid= or gid= other than the caller's own, the only ids its user \
                 namespace maps",
            ),
            (Step::Union | Step::UnionLegacy, Errno::INVAL) => {
                Some("overlayfs refused this union; the kernel log (dmesg) says why")
            }
            (Step::Proc, Errno::PERM) => Some(
                "the kernel mounts a procfs only from inside a pid namespace that the \
                 mounting user namespace owns (CommandExt::namespace and Namespace::exec make \
                 one for a table with proc; Namespace::enter cannot), and without root only \
                 while the host's /proc is fully visible (none of its files mounted over, as \
                 containers do)",
            ),
            (Step::Dev, Errno::NOSPC) => {
                Some("a table has at most 8 dev entries, or the tmpfs of one is full")
            }
            (Step::Node, Errno::EXIST) => Some(
                "dir and symlink make new paths only, and something is already there (in a \
                 layer of a union, or made by another entry)",
            ),
            (Step::Hidden, Errno::NAMETOOLONG) => Some(
                "a hidden path lies more than 128 directories deep, more than entering \
                 compares at once; assert one of the directories above it",
            ),
            (Step::UnionLegacy, Errno::TOOBIG) => Some(
                "the overlay options exceed a page, the most mount(2) takes; kernels from 6.8 \
                 take layers one at a time instead",
            ),
            _ => self.process_hint(),
        }
    }

    /// The hints of the steps that set up the program's process: its ids and
    /// privileges.
    fn process_hint(&self) -> Option<&'static str> {
        match (self.step, self.errno) {
            (Step::Ids, Errno::INVAL) => Some(
                "an id is -1 (4294967295), which means none, or there are more supplementary \
                 groups than the kernel takes (65536)",
            ),
            (Step::Chdir, Errno::NOENT | Errno::NOTDIR) => Some(
                "the directory to start in (chdir, or Filled::current_dir) must exist inside the \
                 new root: a directory target of the table, or a directory under one",
            ),
            (Step::Exec, Errno::TOOBIG) => Some(
                "the program's arguments and environment are more than the kernel takes (a \
                 quarter of the stack limit), or than the 4096 variables of a launcher's \
                 environment",
            ),
            (Step::Exec, Errno::INVAL) => {
                Some("the kernel refused the program's ELF headers (more than one interpreter)")
            }
            (Step::Ids, Errno::PERM) => Some(
                "switching to other ids needs root (CAP_SETUID and CAP_SETGID) in a namespace \
                 where they are mapped; as root, CommandExt::namespace_as makes a mount \
                 namespace only, where every id of the host is mapped, so any uid and gid \
                 can be chosen",
            ),
            (Step::Capabilities, Errno::PERM) => Some(
                "dropping capabilities needs CAP_SETPCAP, which the caller lacks (a container \
                 that dropped it, or securebits locked otherwise by a parent)",
            ),
            (Step::Keyring, Errno::DQUOT) => Some(
                "the user has as many keyrings as its quota allows \
                 (/proc/sys/kernel/keys/maxkeys)",
            ),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("mountns: ")?;
        match (self.entry, self.source) {
            // As the std `CommandExt` methods name a program: `exec "/no/such": ...`.
            #[cfg(all(feature = "launcher", not(feature = "std")))]
            (Entry::Program, Some(program)) => {
                write!(f, "{} {}: ", self.step, Quoted(program.to_bytes()))?;
            }
            _ => self.write_entry(f)?,
        }
        if let Some(reason) = self.reason {
            return self.write_reason(reason, f);
        }
        write!(f, "{}", ErrnoText(self.errno))?;
        if let Some(hint) = self.hint() {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

impl Error {
    /// The message of an unfilled slot: how to fill it, and what was given instead.
    fn write_unfilled(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.source.map_or(&b"NAME"[..], CStr::to_bytes);
        write!(
            f,
            "no value for this source; give one with Namespace::with(Params::new()\
             .set({}, PATH))",
            Quoted(name)
        )?;
        // What was given instead, and what the table has (see `params::given`).
        let detail = self.detail.as_bytes();
        let mut lists = detail.splitn(2, |&byte| byte == 0);
        let unknown = lists.next().unwrap_or_default();
        let slots = lists.next().unwrap_or_default();
        if !unknown.is_empty() {
            write!(
                f,
                "; the values given are for {}, which this table has no slot of \
                 (its slots: {})",
                Lossy(unknown),
                Lossy(slots)
            )?;
        }
        Ok(())
    }

    /// The message of an error that has a [`Reason`]: the reason says more than the
    /// errno.
    fn write_reason(&self, reason: Reason, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match reason {
            Reason::Link(path) => {
                write!(
                    f,
                    "{} is a symbolic link inside the new root; bind its target instead",
                    Quoted(path)
                )
            }
            Reason::Missing(path) => {
                write!(
                    f,
                    "{} does not exist ({}); mountns creates mountpoints only in the new root \
                     and in tmpfs, never in a host directory: create it in the directory bound \
                     above it, or declare a tmpfs there",
                    Quoted(path),
                    ErrnoText(self.errno)
                )
            }
            Reason::LockedSubmounts => {
                write!(
                    f,
                    "{}; a layer with mounts below it (as / or /dev have) cannot be an overlay \
                     layer in a user namespace: the kernel refuses to clone it without them; bind \
                     the directories you need instead, or enter as root",
                    ErrnoText(self.errno)
                )
            }
            Reason::Unfilled => self.write_unfilled(f),
            Reason::NotAbsolute => {
                f.write_str("its value is not an absolute path (or holds a NUL byte)")
            }
            Reason::Hidden {
                hidden,
                exposes,
                value,
            } => write_hidden(f, hidden, exposes, value),
            Reason::LandlockAbi {
                needed,
                found,
                lacks,
                lacks_abi,
            } => write_landlock_abi(f, needed, found, lacks, lacks_abi),
            Reason::Wants(wanted) => write_wanted(wanted, f),
            Reason::SeparateMounts(_)
            | Reason::InUse(_)
            | Reason::OtherLayers(_)
            | Reason::UpperFilesystem(_) => self.write_upper_reason(reason, f),
            Reason::Overlapping(other) => {
                write!(
                    f,
                    "layers {} and {} overlap (one is or lies under the other), which \
                     overlayfs refuses; drop one",
                    Quoted(self.source.map_or(&b""[..], CStr::to_bytes)),
                    Quoted(other.to_bytes())
                )
            }
            Reason::NotADevice => f.write_str(
                "the host's node is not a character device; dev binds only the host's \
                     own devices",
            ),
            Reason::NotHeld(_)
            | Reason::GroupsWithoutRoot
            | Reason::TwoIdentities
            | Reason::Threads(_) => write_privileges(f, reason),
            #[cfg(any(feature = "std", feature = "launcher"))]
            Reason::SetId => f.write_str(
                "the launcher runs set-user-id, set-group-id or with file capabilities, and \
                     would hand those privileges to the program; remove the set-id bit (chmod \
                     u-s,g-s) or the file capabilities, and run it as the user the program \
                     should run as (root makes a mount namespace, others a user namespace)",
            ),
            Reason::NotDumpable => f.write_str(
                "the process is not dumpable (it switched ids, as Command::uid and \
                     Command::gid do before entering, or it is set-id), and mapping its ids \
                     into a user namespace would expose it to its new uid; as root, enter \
                     first and switch ids afterwards with CommandExt::namespace_as",
            ),
            #[cfg(feature = "std")]
            Reason::NoProgram => f.write_str("no program given (argv is empty)"),
        }
    }

    /// The message of an error about a union's host upper and work directories.
    fn write_upper_reason(&self, reason: Reason, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match reason {
            Reason::SeparateMounts(upper) => write!(
                f,
                "the upper directory {} and the work directory {} are on different mounts; \
                 overlayfs wants both on one (the same filesystem, reached through the same \
                 mount): make the work directory beside the upper",
                Named(Some(upper)),
                Named(self.source),
            ),
            Reason::InUse(work) => write!(
                f,
                "the upper directory {} or the work directory {} is in use by another union \
                 ({}): overlayfs gives each pair to one union at a time; wait for the other \
                 to end, or give this one directories of its own",
                Named(self.source),
                Named(Some(work)),
                ErrnoText(self.errno)
            ),
            Reason::OtherLayers(work) => write!(
                f,
                "the upper directory {} (with the work directory {}) holds the writes of a \
                 union over another top layer ({}): overlayfs refuses to lay it over others; \
                 keep the top layer it was made with, or start from empty upper and work \
                 directories",
                Named(self.source),
                Named(Some(work)),
                ErrnoText(self.errno)
            ),
            Reason::UpperFilesystem(kind) => {
                let name = match kind {
                    0x794c_7630 => "overlayfs, which cannot be an upper itself",
                    0x6969 => "NFS, which overlayfs takes as a lower layer only",
                    0x6573_5546 => "FUSE, which overlayfs may refuse as an upper",
                    0x9fa0 => "procfs",
                    _ => "a filesystem",
                };
                write!(
                    f,
                    "overlayfs refuses the upper directory {} ({}): it lies on {name} \
                     (type {kind:#x}); an upper needs a local filesystem, writable, with \
                     extended attributes and d_type (ext4, xfs, btrfs, tmpfs); the kernel log \
                     (dmesg) says more",
                    Named(self.source),
                    ErrnoText(self.errno)
                )
            }
            _ => Ok(()),
        }
    }
}

/// Why a `param(NAME)` slot's value does not do: what it takes.
fn write_wanted(wanted: Wanted, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str(match wanted {
        Wanted::PathOrFd => {
            "this source takes a host path (Params::set) or an open descriptor \
             (Params::set_fd), not a file's content"
        }
        Wanted::Path => {
            "an upper or work directory takes a host path (Params::set): overlayfs wants \
             both on one mount, which clones of two descriptors are not"
        }
        Wanted::Content => {
            "no content for this file; give it with Params::set_content(NAME, BYTES) or \
             Params::set_content_fd(NAME, FD)"
        }
    })
}

/// The message of an error about the program's privileges: a capability the caller
/// lacks, groups without root, ids chosen twice, other threads.
fn write_privileges(f: &mut fmt::Formatter<'_>, reason: Reason) -> fmt::Result {
    match reason {
        Reason::NotHeld(number) => {
            let name = usize::try_from(number)
                .ok()
                .and_then(|n| mountns_paths::caps::NAMES.get(n))
                .copied()
                .unwrap_or("?");
            write!(
                f,
                "the table keeps `{name}` (caps [..]), which the caller does not hold; \
                     run it where the caller has that capability, or drop it from the list"
            )
        }
        Reason::GroupsWithoutRoot => f.write_str(
            "the table chooses supplementary groups (groups [..]), which only root can \
                     set: a user namespace keeps the caller's own; enter as root, or drop the \
                     groups statement",
        ),
        Reason::TwoIdentities => f.write_str(
            "the table chooses the ids (uid, gid or groups) and so does namespace_as; \
                     choose them in one place: drop the statements, or use namespace (not \
                     namespace_as)",
        ),
        Reason::Threads(threads) => {
            write!(
                f,
                "the process has {threads} threads, and switching ids switches the calling \
                     thread only: the others would keep root's ids and capabilities, and share \
                     its memory; call enter_as in a single-threaded process (a freshly forked \
                     child), or run the program with CommandExt::namespace_as"
            )
        }
        _ => Ok(()),
    }
}

/// The end of a [`Reason::Hidden`] error: the source or the slot's value, how it
/// exposes the hidden path, and the assertion.
fn write_hidden(
    f: &mut fmt::Formatter<'_>,
    hidden: &Hidden,
    exposes: Exposes,
    value: bool,
) -> fmt::Result {
    // A slot's value is shown beside it (`param(NAME) = "..."`).
    f.write_str(if value { "its value" } else { "the source" })?;
    let relation = match exposes {
        Exposes::Under => "is or lies under",
        Exposes::Holds => "holds",
        Exposes::Procfs => "is in a procfs, whose /proc/PID/root links reach",
    };
    write!(
        f,
        ", as the host resolves it, {relation} {}, which the table asserts the program never \
         sees (assertion {})",
        Quoted(hidden.path().to_bytes()),
        Quoted(hidden.assertion().to_bytes())
    )
}

/// Why `landlock strict;` could not be applied: the ABI it needs, the kernel's, and the
/// first feature the kernel lacks.
fn write_landlock_abi(
    f: &mut fmt::Formatter<'_>,
    needed: u8,
    found: u8,
    lacks: &str,
    lacks_abi: u8,
) -> fmt::Result {
    if found == 0 {
        write!(
            f,
            "this kernel has no Landlock (it is older than Linux 5.13, or Landlock is not \
             enabled at boot: add it to the lsm= kernel parameter), and `landlock strict;` \
             needs ABI {needed}; write `landlock;` to enter without it"
        )
    } else {
        write!(
            f,
            "this kernel's Landlock is ABI {found}, without {lacks} (ABI {lacks_abi}), and \
             `landlock strict;` needs ABI {needed}; enter on a newer kernel, or write \
             `landlock;` to apply what this one supports"
        )
    }
}

impl fmt::Debug for Error {
    /// The sentence of `Display`: what `main` returning an error prints.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl core::error::Error for Error {}

#[cfg(feature = "std")]
impl From<Error> for io::Error {
    /// An `io::Error` of the errno's kind that holds the [`Error`]: it displays the
    /// whole message, and [`get_ref`](io::Error::get_ref) gives the [`Error`] back.
    /// `raw_os_error` is `None`; the errno is [`Error::errno`].
    fn from(error: Error) -> io::Error {
        io::Error::new(io::Error::from_raw_os_error(error.errno()).kind(), error)
    }
}

/// Writes `message` and a newline to fd 2, without allocating.
pub(crate) fn eprintln(message: fmt::Arguments<'_>) {
    use fmt::Write as _;
    // Written in pieces through a small buffer: this runs on whatever stack the caller
    // of `spawn` had (see `Namespace::enter`).
    let mut stderr = Stderr(StackBuf::new());
    let _ = writeln!(stderr, "{message}");
    stderr.flush();
}

/// Writes to fd 2 in pieces of at most 256 bytes, without allocating.
struct Stderr(StackBuf<257>);

impl Stderr {
    fn flush(&mut self) {
        let _ = crate::sys::write_stderr(self.0.as_bytes());
        self.0.clear();
    }
}

impl fmt::Write for Stderr {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for piece in s.as_bytes().chunks(256) {
            if self.0.push(piece).is_err() {
                self.flush();
                self.0.push(piece).map_err(|_| fmt::Error)?;
            }
        }
        Ok(())
    }
}

/// Bytes as text, each invalid UTF-8 sequence as U+FFFD (`CStr::to_string_lossy`
/// without allocating).
pub(crate) struct Lossy<'a>(pub(crate) &'a [u8]);

impl fmt::Display for Lossy<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for chunk in self.0.utf8_chunks() {
            f.write_str(chunk.valid())?;
            if !chunk.invalid().is_empty() {
                f.write_str("\u{fffd}")?;
            }
        }
        Ok(())
    }
}

/// A path in double quotes, escaped like a Rust string, invalid UTF-8 as `\xNN`.
pub(crate) struct Quoted<P>(pub(crate) P);

/// A source as messages name it: its path, quoted, or `param(NAME)` for a slot.
struct Named(Option<&'static CStr>);

impl fmt::Display for Named {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = self.0.unwrap_or(c"");
        match crate::params::slot(source) {
            Some(name) if !name.is_empty() => write!(f, "param({})", Lossy(name.to_bytes())),
            _ => write!(f, "{}", Quoted(source.to_bytes())),
        }
    }
}

impl<P: AsRef<[u8]>> fmt::Display for Quoted<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        for chunk in self.0.as_ref().utf8_chunks() {
            write!(f, "{}", chunk.valid().escape_debug())?;
            for byte in chunk.invalid() {
                write!(f, "\\x{byte:02x}")?;
            }
        }
        f.write_str("\"")
    }
}

/// `No such file or directory (os error 2)`, like `std::io::Error`, but from a static
/// table: std's text comes from an allocated `String`.
struct ErrnoText(Errno);

impl fmt::Display for ErrnoText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self.0.raw_os_error();
        match describe(self.0) {
            Some(text) => write!(f, "{text} (os error {code})"),
            None => write!(f, "os error {code}"),
        }
    }
}

/// glibc's text for the errnos that entering can meet (each system call's documented
/// errors, and ENOTRECOVERABLE, which the fault tests inject); "os error N" alone for
/// the rest.
fn describe(errno: Errno) -> Option<&'static str> {
    Some(match errno {
        Errno::PERM => "Operation not permitted",
        Errno::NOENT => "No such file or directory",
        Errno::INTR => "Interrupted system call",
        Errno::IO => "Input/output error",
        Errno::TOOBIG => "Argument list too long",
        Errno::BADF => "Bad file descriptor",
        Errno::AGAIN => "Resource temporarily unavailable",
        Errno::NOMEM => "Cannot allocate memory",
        Errno::ACCESS => "Permission denied",
        Errno::FAULT => "Bad address",
        Errno::BUSY => "Device or resource busy",
        Errno::EXIST => "File exists",
        Errno::XDEV => "Invalid cross-device link",
        Errno::NODEV => "No such device",
        Errno::NOTDIR => "Not a directory",
        Errno::ISDIR => "Is a directory",
        Errno::INVAL => "Invalid argument",
        Errno::NFILE => "Too many open files in system",
        Errno::MFILE => "Too many open files",
        Errno::FBIG => "File too large",
        Errno::NOSPC => "No space left on device",
        Errno::ROFS => "Read-only file system",
        Errno::MLINK => "Too many links",
        Errno::NAMETOOLONG => "File name too long",
        Errno::NOSYS => "Function not implemented",
        Errno::LOOP => "Too many levels of symbolic links",
        Errno::OVERFLOW => "Value too large for defined data type",
        Errno::USERS => "Too many users",
        Errno::NOTSUP => "Operation not supported",
        Errno::STALE => "Stale file handle",
        Errno::DQUOT => "Disk quota exceeded",
        Errno::NOTRECOVERABLE => "State not recoverable",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_entry_the_step_and_the_errno() {
        let error = Context::new(Entry::Bind, c"/opt")
            .with_source(c"/srv/x")
            .fail(Step::Source)(Errno::NOENT);
        assert_eq!(
            error.to_string(),
            "mountns: bind \"/srv/x\" on \"/opt\": open source: \
             No such file or directory (os error 2)"
        );
        assert_eq!(error.step(), Step::Source);
        assert_eq!(error.target(), Some(c"/opt"));
        assert_eq!(error.source(), Some(c"/srv/x"));
        assert_eq!(error.errno(), 2);
        let io_error = io::Error::from(error);
        assert_eq!(io_error.kind(), io::ErrorKind::NotFound);
        // The io::Error keeps the whole Error, not just its errno.
        assert_eq!(io_error.to_string(), error.to_string());
        let inner = io_error.get_ref().and_then(|e| e.downcast_ref::<Error>());
        assert_eq!(inner, Some(&error));
    }

    #[test]
    fn debug_is_the_sentence_of_display() {
        let target = c"/usr/lib/ssl/certs";
        let error = Context::new(Entry::Tmpfs, target).fail(Step::Mountpoint)(Errno::LOOP)
            .because(Reason::Link(&target.to_bytes()[..12]));
        let sentence = "mountns: tmpfs on \"/usr/lib/ssl/certs\": open mountpoint: \"/usr/lib/ssl\" \
                        is a symbolic link inside the new root; bind its target instead";
        assert_eq!(format!("{error:?}"), sentence);
        assert_eq!(format!("{error:#?}"), sentence);
        // What `main` returning `Box<dyn Error>` prints, directly or through io::Error.
        let boxed: Box<dyn std::error::Error> = Box::new(error);
        assert_eq!(format!("{boxed:?}"), sentence);
        let io_error = io::Error::from(error);
        assert_eq!(
            format!("{io_error:?}"),
            format!("Custom {{ kind: FilesystemLoop, error: {sentence} }}")
        );
    }

    #[test]
    fn without_an_entry() {
        let error = Error::new(Step::PivotRoot, Errno::INVAL);
        assert_eq!(
            error.to_string(),
            "mountns: switch to the new root: Invalid argument (os error 22)"
        );
        let error = Context::new(Entry::Skeleton, c"usr/share").fail(Step::Skeleton)(Errno::ROFS);
        assert_eq!(
            error.to_string(),
            "mountns: mountpoint \"usr/share\": create in the new root: \
             Read-only file system (os error 30)"
        );
    }

    #[test]
    fn says_how_to_allow_user_namespaces() {
        for errno in [Errno::PERM, Errno::NOSPC] {
            let message = Error::new(Step::UserNamespace, errno).to_string();
            assert!(
                message.contains("kernel.unprivileged_userns_clone=1"),
                "{message}"
            );
            assert!(message.contains("user.max_user_namespaces"), "{message}");
            assert!(
                message.contains("apparmor_restrict_unprivileged_userns=0"),
                "{message}"
            );
            assert!(message.contains("in a chroot"), "{message}");
        }
        let message = Error::new(Step::UserNamespace, Errno::INVAL).to_string();
        assert!(message.contains("more than one thread"), "{message}");
        // Root's plain mount namespace has no such advice.
        let message = Error::new(Step::Unshare, Errno::INVAL).to_string();
        assert!(!message.contains(';'), "{message}");
    }

    #[test]
    fn quotes_and_escapes_paths() {
        let source = c"/a\"b\n\xff";
        let error = Context::new(Entry::Union, c"/u")
            .with_source(source)
            .fail(Step::Source)(Errno::NOTDIR);
        assert_eq!(
            error.to_string(),
            "mountns: union \"/a\\\"b\\n\\xff\" on \"/u\": open source: Not a directory (os error 20)"
        );
    }

    #[test]
    fn names_the_link_on_the_way() {
        let target = c"/usr/lib/ssl/certs";
        let error = Context::new(Entry::Tmpfs, target).fail(Step::Mountpoint)(Errno::LOOP)
            .because(Reason::Link(&target.to_bytes()[..12]));
        assert_eq!(error.link(), Some(&b"/usr/lib/ssl"[..]));
        assert_eq!(
            error.to_string(),
            "mountns: tmpfs on \"/usr/lib/ssl/certs\": open mountpoint: \"/usr/lib/ssl\" is a \
             symbolic link inside the new root; bind its target instead"
        );
    }

    #[test]
    fn explains_the_sandbox_entries() {
        let error = Context::new(Entry::Dev, c"/dev")
            .with_source(c"/dev/null")
            .fail(Step::Dev)(Errno::NODEV)
        .because(Reason::NotADevice);
        assert_eq!(
            error.to_string(),
            "mountns: dev \"/dev/null\" on \"/dev\": build /dev: the host's node is not a \
             character device; dev binds only the host's own devices"
        );
        let message = Context::new(Entry::Proc, c"/proc").fail(Step::Proc)(Errno::PERM).to_string();
        assert!(
            message.starts_with(
                "mountns: proc on \"/proc\": mount proc: Operation not permitted (os error 1); \
                 the kernel mounts a procfs only from inside a pid namespace"
            ),
            "{message}"
        );
        assert!(message.contains("fully visible"), "{message}");
        let message =
            Context::new(Entry::Symlink, c"/w/l").fail(Step::Node)(Errno::EXIST).to_string();
        assert!(
            message.starts_with(
                "mountns: symlink on \"/w/l\": create: File exists (os error 17); \
                 dir and symlink make new paths only"
            ),
            "{message}"
        );
    }

    /// Every step, for the tests that go through all hints.
    const STEPS: [Step; 39] = [
        Step::SetId,
        Step::Stack,
        Step::Params,
        Step::Unshare,
        Step::PidNamespace,
        Step::Fork,
        Step::DeathSignal,
        Step::UserNamespace,
        Step::Setgroups,
        Step::UidMap,
        Step::GidMap,
        Step::Propagation,
        Step::Scratch,
        Step::Skeleton,
        Step::Mountpoint,
        Step::Source,
        Step::FileType,
        Step::Bind,
        Step::ReadOnly,
        Step::Tmpfs,
        Step::Upper,
        Step::Union,
        Step::UnionLegacy,
        Step::Node,
        Step::Proc,
        Step::Dev,
        Step::Seal,
        Step::PivotRoot,
        Step::Detach,
        Step::Chdir,
        Step::Hostname,
        Step::Loopback,
        Step::Session,
        Step::Capabilities,
        Step::Keyring,
        Step::NoNewPrivs,
        Step::Seccomp,
        Step::Ids,
        Step::Exec,
    ];

    /// Each hint, whole: the step, the errno and the full message. A hint the code
    /// gives that is not here fails the test below, so every one is read in full.
    const HINTS: &[(Step, i32, &str)] = &[
        (
            Step::PidNamespace,
            22,
            "mountns: enter a pid namespace in this process: Invalid argument (os error 22); the \
             table has a pid namespace (proc, or unshare [pid]), which only the caller's children \
             can enter; run the program with CommandExt::namespace (or spawn_in, status_in, \
             output_in), Namespace::exec or a launcher! binary, which fork the processes it needs",
        ),
        (
            Step::UserNamespace,
            1,
            "mountns: create a user and mount namespace: Operation not permitted (os error 1); \
             this system refuses unprivileged user namespaces; allow them with sysctl \
             kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0 and \
             kernel.apparmor_restrict_unprivileged_userns=0, or run as root (a process in a \
             chroot is refused one whatever the sysctls)",
        ),
        (
            Step::UserNamespace,
            22,
            "mountns: create a user and mount namespace: Invalid argument (os error 22); the \
             process has more than one thread; enter from a freshly forked child \
             (Command::namespace) instead",
        ),
        (
            Step::UserNamespace,
            28,
            "mountns: create a user and mount namespace: No space left on device (os error 28); \
             this system refuses unprivileged user namespaces; allow them with sysctl \
             kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0 and \
             kernel.apparmor_restrict_unprivileged_userns=0, or run as root (a process in a \
             chroot is refused one whatever the sysctls)",
        ),
        (
            Step::UserNamespace,
            87,
            "mountns: create a user and mount namespace: Too many users (os error 87); this \
             system refuses unprivileged user namespaces; allow them with sysctl \
             kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0 and \
             kernel.apparmor_restrict_unprivileged_userns=0, or run as root (a process in a \
             chroot is refused one whatever the sysctls)",
        ),
        (
            Step::Setgroups,
            18,
            "mountns: write /proc/self/setgroups: Invalid cross-device link (os error 18); /proc \
             is not a procfs; refusing to write to it",
        ),
        (
            Step::UidMap,
            18,
            "mountns: write /proc/self/uid_map: Invalid cross-device link (os error 18); /proc is \
             not a procfs; refusing to write to it",
        ),
        (
            Step::GidMap,
            18,
            "mountns: write /proc/self/gid_map: Invalid cross-device link (os error 18); /proc is \
             not a procfs; refusing to write to it",
        ),
        (
            Step::Propagation,
            22,
            "mountns: make the mounts private: Invalid argument (os error 22); the root directory \
             of this process is not a mount point (it is in a chroot); enter from a process whose \
             root is a mount",
        ),
        (
            Step::Scratch,
            22,
            "mountns: prepare the scratch root: Invalid argument (os error 22); pivot_root \
             refused the switch: the root is the initial ramfs (rootfs), which cannot be moved; \
             enter from a system that switched to a real root",
        ),
        (
            Step::FileType,
            20,
            "mountns: compare source and mountpoint: Not a directory (os error 20); a directory \
             cannot be bound on a file; declare the target with a trailing slash",
        ),
        (
            Step::FileType,
            21,
            "mountns: compare source and mountpoint: Is a directory (os error 21); a file cannot \
             be bound on a directory; declare the target without a trailing slash",
        ),
        (
            Step::Tmpfs,
            22,
            "mountns: mount tmpfs: Invalid argument (os error 22); the kernel refused an option \
             of this tmpfs: one it does not know, or, without root, a uid= or gid= other than the \
             caller's own, the only ids its user namespace maps",
        ),
        (
            Step::Upper,
            22,
            "mountns: mount the upper tmpfs: Invalid argument (os error 22); the kernel refused \
             an option of this tmpfs: one it does not know, or, without root, a uid= or gid= \
             other than the caller's own, the only ids its user namespace maps",
        ),
        (
            Step::Union,
            22,
            "mountns: mount overlay: Invalid argument (os error 22); overlayfs refused this \
             union; the kernel log (dmesg) says why",
        ),
        (
            Step::UnionLegacy,
            7,
            "mountns: mount overlay with mount(2): Argument list too long (os error 7); the \
             overlay options exceed a page, the most mount(2) takes; kernels from 6.8 take layers \
             one at a time instead",
        ),
        (
            Step::UnionLegacy,
            22,
            "mountns: mount overlay with mount(2): Invalid argument (os error 22); overlayfs \
             refused this union; the kernel log (dmesg) says why",
        ),
        (
            Step::Node,
            17,
            "mountns: create: File exists (os error 17); dir and symlink make new paths only, and \
             something is already there (in a layer of a union, or made by another entry)",
        ),
        (
            Step::Proc,
            1,
            "mountns: mount proc: Operation not permitted (os error 1); the kernel mounts a \
             procfs only from inside a pid namespace that the mounting user namespace owns \
             (CommandExt::namespace and Namespace::exec make one for a table with proc; \
             Namespace::enter cannot), and without root only while the host's /proc is fully \
             visible (none of its files mounted over, as containers do)",
        ),
        (
            Step::Dev,
            28,
            "mountns: build /dev: No space left on device (os error 28); a table has at most 8 \
             dev entries, or the tmpfs of one is full",
        ),
        (
            Step::Chdir,
            2,
            "mountns: change directory: No such file or directory (os error 2); the directory to \
             start in (chdir, or Filled::current_dir) must exist inside the new root: a directory \
             target of the table, or a directory under one",
        ),
        (
            Step::Chdir,
            20,
            "mountns: change directory: Not a directory (os error 20); the directory to start in \
             (chdir, or Filled::current_dir) must exist inside the new root: a directory target \
             of the table, or a directory under one",
        ),
        (
            Step::Session,
            1,
            "mountns: start a new session: Operation not permitted (os error 1); the process \
             leads a process group (as a job of an interactive shell does), and setsid refuses a \
             group leader; run the program with CommandExt::namespace, Namespace::exec or a \
             launcher! binary, which fork a process of its own for it",
        ),
        (
            Step::Capabilities,
            1,
            "mountns: drop capabilities: Operation not permitted (os error 1); dropping \
             capabilities needs CAP_SETPCAP, which the caller lacks (a container that dropped it, \
             or securebits locked otherwise by a parent)",
        ),
        (
            Step::Keyring,
            122,
            "mountns: join a new session keyring: Disk quota exceeded (os error 122); the user \
             has as many keyrings as its quota allows (/proc/sys/kernel/keys/maxkeys)",
        ),
        (
            Step::Ids,
            1,
            "mountns: switch user and group ids: Operation not permitted (os error 1); switching \
             to other ids needs root (CAP_SETUID and CAP_SETGID) in a namespace where they are \
             mapped; as root, CommandExt::namespace_as makes a mount namespace only, where every \
             id of the host is mapped, so any uid and gid can be chosen",
        ),
        (
            Step::Ids,
            22,
            "mountns: switch user and group ids: Invalid argument (os error 22); an id is -1 \
             (4294967295), which means none, or there are more supplementary groups than the \
             kernel takes (65536)",
        ),
        (
            Step::Exec,
            7,
            "mountns: exec: Argument list too long (os error 7); the program's arguments and \
             environment are more than the kernel takes (a quarter of the stack limit), or than \
             the 4096 variables of a launcher's environment",
        ),
        (
            Step::Exec,
            22,
            "mountns: exec: Invalid argument (os error 22); the kernel refused the program's ELF \
             headers (more than one interpreter)",
        ),
    ];

    #[test]
    fn every_hint_says_a_whole_sentence() {
        let mut hinted = Vec::new();
        for step in STEPS {
            for code in 1..134 {
                let error = Error::new(step, Errno::from_raw_os_error(code));
                if error.hint().is_some() {
                    hinted.push((step, code, error.to_string()));
                }
            }
        }
        let expected: Vec<(Step, i32, String)> = HINTS
            .iter()
            .map(|&(step, code, message)| (step, code, message.to_owned()))
            .collect();
        assert_eq!(hinted, expected);
    }

    #[test]
    fn every_reason_says_a_whole_sentence() {
        let fail = |entry, target, step, errno| Context::new(entry, target).fail(step)(errno);
        let bind = |source, step, errno| {
            Context::new(Entry::Bind, c"/t")
                .with_source(source)
                .fail(step)(errno)
        };
        let cases = [
            (
                fail(Entry::Tmpfs, c"/w/a/b", Step::Mountpoint, Errno::NOENT)
                    .because(Reason::Missing(b"/w/a")),
                "mountns: tmpfs on \"/w/a/b\": open mountpoint: \"/w/a\" does not exist (No such \
                 file or directory (os error 2)); mountns creates mountpoints only in the new root \
                 and in tmpfs, never in a host directory: create it in the directory bound above \
                 it, or declare a tmpfs there",
            ),
            (
                Context::new(Entry::Union, c"/u")
                    .with_source(c"/")
                    .fail(Step::Union)(Errno::INVAL)
                .because(Reason::LockedSubmounts),
                "mountns: union \"/\" on \"/u\": mount overlay: Invalid argument (os error 22); a \
                 layer with mounts below it (as / or /dev have) cannot be an overlay layer in a \
                 user namespace: the kernel refuses to clone it without them; bind the \
                 directories you need instead, or enter as root",
            ),
            (
                bind(c"PROJECT", Step::Params, Errno::INVAL).because(Reason::Unfilled),
                "mountns: bind param(PROJECT) on \"/t\": fill the sources chosen at run time: no \
                 value for this source; give one with \
                 Namespace::with(Params::new().set(\"PROJECT\", PATH))",
            ),
            (
                bind(c"PROJECT", Step::Params, Errno::INVAL)
                    .because(Reason::Unfilled)
                    .with_text(b"PROJCT\0PROJECT, DATA"),
                "mountns: bind param(PROJECT) on \"/t\": fill the sources chosen at run time: no \
                 value for this source; give one with \
                 Namespace::with(Params::new().set(\"PROJECT\", PATH)); the values given are for \
                 PROJCT, which this table has no slot of (its slots: PROJECT, DATA)",
            ),
            (
                bind(c"PROJECT", Step::Params, Errno::INVAL)
                    .because(Reason::NotAbsolute)
                    .with_text(b"src"),
                "mountns: bind param(PROJECT) = \"src\" on \"/t\": fill the sources chosen at run \
                 time: its value is not an absolute path (or holds a NUL byte)",
            ),
            (
                Context::new(Entry::Union, c"/u")
                    .with_source(c"/a/b")
                    .fail(Step::Union)(Errno::LOOP)
                .because(Reason::Overlapping(c"/a")),
                "mountns: union \"/a/b\" on \"/u\": mount overlay: layers \"/a/b\" and \"/a\" \
                 overlap (one is or lies under the other), which overlayfs refuses; drop one",
            ),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), message);
        }
    }

    #[test]
    fn every_reason_of_the_process_says_a_whole_sentence() {
        let bind = |source, step, errno| {
            Context::new(Entry::Bind, c"/t")
                .with_source(source)
                .fail(step)(errno)
        };
        let cases = [
            (
                Error::new(Step::Capabilities, Errno::PERM).because(Reason::NotHeld(21)),
                "mountns: drop capabilities: the table keeps `sys_admin` (caps [..]), which the \
                 caller does not hold; run it where the caller has that capability, or drop it \
                 from the list",
            ),
            (
                Error::new(Step::Ids, Errno::PERM).because(Reason::GroupsWithoutRoot),
                "mountns: switch user and group ids: the table chooses supplementary groups \
                 (groups [..]), which only root can set: a user namespace keeps the caller's own; \
                 enter as root, or drop the groups statement",
            ),
            (
                Error::new(Step::Ids, Errno::INVAL).because(Reason::TwoIdentities),
                "mountns: switch user and group ids: the table chooses the ids (uid, gid or \
                 groups) and so does namespace_as; choose them in one place: drop the statements, \
                 or use namespace (not namespace_as)",
            ),
            (
                Error::new(Step::Ids, Errno::INVAL).because(Reason::Threads(3)),
                "mountns: switch user and group ids: the process has 3 threads, and switching ids \
                 switches the calling thread only: the others would keep root's ids and \
                 capabilities, and share its memory; call enter_as in a single-threaded process \
                 (a freshly forked child), or run the program with CommandExt::namespace_as",
            ),
            (
                Error::new(Step::SetId, Errno::PERM).because(Reason::SetId),
                "mountns: check the launcher's ids: the launcher runs set-user-id, set-group-id \
                 or with file capabilities, and would hand those privileges to the program; \
                 remove the set-id bit (chmod u-s,g-s) or the file capabilities, and run it as \
                 the user the program should run as (root makes a mount namespace, others a user \
                 namespace)",
            ),
            (
                Error::new(Step::UserNamespace, Errno::PERM).because(Reason::NotDumpable),
                "mountns: create a user and mount namespace: the process is not dumpable (it \
                 switched ids, as Command::uid and Command::gid do before entering, or it is \
                 set-id), and mapping its ids into a user namespace would expose it to its new \
                 uid; as root, enter first and switch ids afterwards with \
                 CommandExt::namespace_as",
            ),
            (
                Error::new(Step::Exec, Errno::INVAL).because(Reason::NoProgram),
                "mountns: exec: no program given (argv is empty)",
            ),
            (
                Error::new(Step::Chdir, Errno::NOENT).with_text(b"/src"),
                "mountns: change directory to \"/src\": No such file or directory (os error 2); \
                 the directory to start in (chdir, or Filled::current_dir) must exist inside the \
                 new root: a directory target of the table, or a directory under one",
            ),
            (
                bind(c"PROJECT", Step::FileType, Errno::ISDIR).with_text(b"/home/me/notes"),
                "mountns: bind param(PROJECT) = \"/home/me/notes\" on \"/t\": compare source and \
                 mountpoint: Is a directory (os error 21); the value given for this source is a \
                 file, and its target a directory: give it the path of a directory",
            ),
            (
                bind(c"PROJECT", Step::FileType, Errno::NOTDIR).with_text(b"/home/me"),
                "mountns: bind param(PROJECT) = \"/home/me\" on \"/t\": compare source and \
                 mountpoint: Not a directory (os error 20); the value given for this source is a \
                 directory, and its target a file: give it the path of a file",
            ),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), message);
        }
    }

    #[test]
    fn a_long_detail_is_cut_with_an_ellipsis() {
        let long = [b'a'; 300];
        let error = Error::new(Step::Chdir, Errno::NOENT).with_text(&long);
        let shown = format!("\"{}...\"", "a".repeat(DETAIL - 3));
        assert!(error.to_string().contains(&shown), "{error}");
        let mut detail = Detail::NONE;
        detail.push(b"abc");
        detail.push(&long);
        assert_eq!(detail.as_bytes().len(), DETAIL);
        assert!(detail.as_bytes().ends_with(b"a..."));
        detail.push(b"more");
        assert_eq!(detail.as_bytes().len(), DETAIL);
    }

    #[test]
    fn lossy_text_matches_std() {
        for bytes in [&b"PROJECT"[..], b"a\xffb", b"\xe2\x82x\xf0", b""] {
            assert_eq!(
                Lossy(bytes).to_string(),
                String::from_utf8_lossy(bytes),
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn an_error_stays_small() {
        // Returned through every step of entering, and copied to a shared page: its
        // detail (184 bytes) and a few words.
        assert!(size_of::<Error>() <= 256, "{}", size_of::<Error>());
    }

    #[test]
    fn names_a_hidden_path_and_the_value_that_exposes_it() {
        static HIDDEN: Hidden = Hidden::__new(c"/home/", c"hidden /home/");
        let error = |value: &[u8]| {
            Context::new(Entry::Union, c"/src")
                .with_source(c"PROJECT")
                .fail(Step::Hidden)(Errno::PERM)
            .because(Reason::Hidden {
                hidden: &HIDDEN,
                exposes: Exposes::Under,
                value: true,
            })
            .with_text(value)
            .to_string()
        };
        assert_eq!(
            error(b"/home/me/project"),
            "mountns: union param(PROJECT) = \"/home/me/project\" on \"/src\": check the hidden \
             paths: its value, as the host resolves it, is or lies under \"/home/\", which \
             the table asserts the program never sees (assertion \"hidden /home/\")"
        );
        // A long value is cut, and says so.
        let long = [b'a'; 300];
        let message = error(&long);
        assert!(message.contains("aaa...\""), "{message}");
    }

    #[test]
    fn errno_texts_match_std() {
        for code in 1..134 {
            let errno = Errno::from_raw_os_error(code);
            if describe(errno).is_some() {
                assert_eq!(
                    ErrnoText(errno).to_string(),
                    io::Error::from_raw_os_error(code).to_string()
                );
            }
        }
    }
}
