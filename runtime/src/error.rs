//! The error of entering a namespace: a small `Copy` value that says which step failed,
//! on which table entry, with which errno, and why ([`Reason`]) where the errno alone
//! would mislead. How it reads is `display.rs`, with the hints of `hints.rs`.

use core::ffi::CStr;
use core::fmt;
#[cfg(feature = "std")]
use std::io;

use rustix::io::Errno;

use crate::sys::shared::Handed;
use crate::table::{Hidden, Kind, Mount, Source};

pub(crate) mod display;
mod hints;

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

/// Which kind of table entry an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Entry {
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

/// Why a step failed, where the errno alone would mislead: [`Error::reason`]. Its
/// message is the error's `Display`; more reasons may come.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// A component of the target's path inside the new root is a symbolic link, so
    /// [`Step::Mountpoint`] failed (`ELOOP`): the path, inside the new root, of that
    /// component (the target's bytes up to and including it).
    Link(&'static [u8]),
    /// The process is not dumpable (it switched ids, as `Command::uid` does, or is
    /// set-id), so it cannot map its ids without exposing itself.
    NotDumpable,
    /// A component of the target's path does not exist, so [`Step::Mountpoint`] failed
    /// (`ENOENT`): its path inside the new root (the target's bytes up to and including
    /// it), in a directory bound from the host that lacks it.
    Missing(&'static [u8]),
    /// The layer (the error's source) has mounts below it, which the kernel locks in a
    /// user namespace, so overlayfs cannot clone it.
    LockedSubmounts,
    /// `Namespace::exec` was given no program.
    #[cfg(feature = "std")]
    NoProgram,
    /// The source is a `param(NAME)` slot and no value was given for it.
    Unfilled,
    /// The source is a `param(NAME)` slot and its value is not an absolute path.
    NotAbsolute,
    /// The `param(NAME)` slot was given no value of the kind it takes.
    Wants(Wanted),
    /// The union's host upper directory (this) and work directory (the error's
    /// source) are on different mounts.
    SeparateMounts(Source),
    /// overlayfs refused the union's host upper directory (the error's source) and
    /// work directory (this): another union uses them (EBUSY).
    InUse(Source),
    /// overlayfs refused the union's host upper directory (the error's source) and
    /// work directory (this): the upper was made over another top layer (ESTALE).
    OtherLayers(Source),
    /// overlayfs refused the union's host upper directory (the error's source), on a
    /// filesystem of this type (`statfs`'s `f_type`).
    UpperFilesystem(u64),
    /// overlayfs refused a union (ELOOP) whose layer (the error's source) is this other
    /// layer, or lies under it, or holds it.
    Overlapping(Source),
    /// The host's node that a `dev` binds (the error's source) is not a character device.
    NotADevice,
    /// The table keeps the capability of this number (`CAP_*` of
    /// `<linux/capability.h>`), which the caller does not hold.
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
    /// The source, as the host resolves it, exposes a path the table asserts hidden
    /// ([`Step::Hidden`]).
    #[non_exhaustive]
    Hidden {
        /// The hidden path and the assertion that hides it.
        hidden: &'static Hidden,
        /// How the source exposes it.
        exposes: Exposes,
        /// The source is a `param(NAME)` slot (the error's source), and its value (shown
        /// in the message) is what exposes it.
        value: bool,
    },
    /// `landlock strict;` needs a Landlock ABI the kernel lacks ([`Step::Landlock`]).
    #[non_exhaustive]
    LandlockAbi {
        /// The ABI the table needs.
        needed: u8,
        /// The kernel's ABI (0: no Landlock).
        found: u8,
        /// The first feature the kernel lacks.
        lacks: &'static str,
        /// The ABI that brought `lacks`.
        lacks_abi: u8,
    },
}

/// How a source exposes a hidden path ([`Reason::Hidden`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Exposes {
    /// It is the hidden path, or lies under it.
    Under,
    /// It holds the hidden path.
    Holds,
    /// It is in a procfs, whose `/proc/PID/root` links reach every path of the host.
    Procfs,
}

/// What a `param(NAME)` slot takes ([`Reason::Wants`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Wanted {
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
    pub(crate) entry: Option<Entry>,
    pub(crate) target: Option<&'static CStr>,
    pub(crate) source: Option<Source>,
}

impl Context {
    pub(crate) const NONE: Context = Context {
        entry: None,
        target: None,
        source: None,
    };

    pub(crate) const fn new(entry: Entry, target: &'static CStr) -> Context {
        Context {
            entry: Some(entry),
            target: Some(target),
            source: None,
        }
    }

    /// The table entry that errors about `mount` name: its kind and target, and a
    /// bind's source.
    pub(crate) const fn of(mount: &'static Mount) -> Context {
        let entry = match mount.kind() {
            Kind::Bind { source } => {
                return Context::new(Entry::Bind, mount.target()).with_source(source);
            }
            Kind::Tmpfs(_) => Entry::Tmpfs,
            Kind::Union { .. } => Entry::Union,
            Kind::Proc => Entry::Proc,
            Kind::Dev => Entry::Dev,
            Kind::File { .. } | Kind::FileParam { .. } => Entry::File,
            Kind::Dir => Entry::Dir,
            Kind::Symlink { .. } => Entry::Symlink,
        };
        Context::new(entry, mount.target())
    }

    pub(crate) const fn with_source(self, source: Source) -> Context {
        Context {
            source: Some(source),
            ..self
        }
    }

    /// Turns an errno of `step` into an [`Error`], for `map_err`.
    pub(crate) fn fail(self, step: Step) -> impl Fn(Errno) -> Error + Copy {
        let (source, slot) = untyped(self.source);
        move |errno| Error {
            step,
            entry: self.entry,
            target: self.target,
            source,
            slot,
            errno,
            reason: None,
            detail: Detail::NONE,
        }
    }
}

/// A source as an [`Error`] keeps it: its text, and whether that is a slot's name.
const fn untyped(source: Option<Source>) -> (Option<&'static CStr>, bool) {
    match source {
        Some(Source::Host(path)) => (Some(path), false),
        Some(Source::Slot(name)) => (Some(name), true),
        None => (None, false),
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
    entry: Option<Entry>,
    target: Option<&'static CStr>,
    /// The source's path, or its slot's name if `slot` ([`Error::typed_source`]): apart,
    /// not one `Option<Source>`, the flag fits beside the errno and the error within
    /// 256 bytes.
    source: Option<&'static CStr>,
    slot: bool,
    errno: Errno,
    reason: Option<Reason>,
    /// What the error is about that is not in the static table, copied: the value of a
    /// `param(NAME)` source, the directory to change to, the values given for slots.
    detail: Detail,
}

// An `Error` crosses from a forked child to its parent, copied: its references are to
// the `&'static` table that was entered (a static, or memory leaked for good before the
// fork), and the values of `param(NAME)` slots are copied into its detail.
impl Handed for Error {}

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
    pub(crate) const fn on_layer(self, layer: Source) -> Error {
        let (source, slot) = untyped(Some(layer));
        Error {
            source,
            slot,
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

    /// The source: a host path or a `param(NAME)` slot.
    pub(crate) const fn typed_source(&self) -> Option<Source> {
        match (self.source, self.slot) {
            (Some(name), true) => Some(Source::Slot(name)),
            (Some(path), false) => Some(Source::Host(path)),
            (None, _) => None,
        }
    }

    /// The name of the `param(NAME)` slot the error is about, if its source is one.
    pub(crate) const fn slot(&self) -> Option<&'static CStr> {
        match self.typed_source() {
            Some(Source::Slot(name)) => Some(name),
            _ => None,
        }
    }

    /// The raw errno (`ENOENT` is 2), as `std::io::Error::raw_os_error` has it.
    pub fn errno(&self) -> i32 {
        self.errno.raw_os_error()
    }

    /// Why the step failed, where the errno alone would mislead or the message says
    /// more: a symbolic link or a missing directory on the way to the target, a slot
    /// without a value, a hidden path that a source exposes, and the rest of
    /// [`Reason`]. `None` when the errno and the step say it all.
    pub fn reason(&self) -> Option<Reason> {
        self.reason
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_entry_the_step_and_the_errno() {
        let error = Context::new(Entry::Bind, c"/opt")
            .with_source(Source::Host(c"/srv/x"))
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
    fn names_the_link_on_the_way() {
        let target = c"/usr/lib/ssl/certs";
        let error = Context::new(Entry::Tmpfs, target).fail(Step::Mountpoint)(Errno::LOOP)
            .because(Reason::Link(&target.to_bytes()[..12]));
        assert_eq!(error.reason(), Some(Reason::Link(b"/usr/lib/ssl")));
        assert_eq!(
            error.to_string(),
            "mountns: tmpfs on \"/usr/lib/ssl/certs\": open mountpoint: \"/usr/lib/ssl\" is a \
             symbolic link inside the new root; bind its target instead"
        );
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
    fn an_error_stays_small() {
        // Returned through every step of entering, and copied to a shared page: its
        // detail (184 bytes) and a few words.
        assert!(size_of::<Error>() <= 256, "{}", size_of::<Error>());
    }
}
