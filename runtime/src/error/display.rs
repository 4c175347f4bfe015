//! How an [`Error`] reads: one line, `mountns: ` and the table entry, the step, then
//! the reason or the errno's text with its hint (`hints.rs`); written to stderr in
//! pieces, without allocating.

use core::ffi::CStr;
use core::fmt;

use rustix::io::Errno;

use super::{Entry, Error, Exposes, Reason, Step, Wanted};
use crate::stack::StackBuf;
use crate::table::{Hidden, Source};

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

impl Error {
    /// Writes the message and a newline to fd 2, without allocating: the child of
    /// [`CommandExt::namespace`](crate::CommandExt::namespace) can pass only the errno
    /// to its parent.
    pub(crate) fn report(&self) {
        eprintln(format_args!("{self}"));
    }

    /// The table entry and the step: `bind "/srv/x" on "/opt": open source: `.
    fn write_entry(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.entry.map(|entry| match entry {
            Entry::Bind => "bind",
            Entry::Tmpfs => "tmpfs",
            Entry::Union => "union",
            Entry::Skeleton => "mountpoint",
            Entry::Proc => "proc",
            Entry::Dev => "dev",
            Entry::File => "file",
            Entry::Dir => "dir",
            Entry::Symlink => "symlink",
            Entry::Limit => "limit",
            #[cfg(all(feature = "launcher", not(feature = "std")))]
            Entry::Program => "program",
        });
        let mut any = false;
        if let Some(kind) = kind {
            f.write_str(kind)?;
            any = true;
        }
        if let Some(source) = self.typed_source() {
            let space = if any { " " } else { "" };
            match source {
                Source::Slot(name) => {
                    write!(f, "{space}param({})", Lossy(name.to_bytes()))?;
                    // The value given for it, if any (an unfilled slot's detail says
                    // what was given instead).
                    let value = self.detail.as_bytes();
                    if !value.is_empty() && self.reason != Some(Reason::Unfilled) {
                        write!(f, " = {}", Quoted(value))?;
                    }
                }
                Source::Host(path) => write!(f, "{space}{}", Quoted(path.to_bytes()))?,
            }
            any = true;
        }
        if let Some(target) = self.target {
            let space = if any { " " } else { "" };
            let on = if matches!(self.entry, Some(Entry::Skeleton | Entry::Limit)) {
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
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("mountns: ")?;
        match (self.entry, self.source) {
            // As the std `CommandExt` methods name a program: `exec "/no/such": ...`.
            #[cfg(all(feature = "launcher", not(feature = "std")))]
            (Some(Entry::Program), Some(program)) => {
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
                    Quoted(other.text().to_bytes())
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
                Named(self.typed_source()),
            ),
            Reason::InUse(work) => write!(
                f,
                "the upper directory {} or the work directory {} is in use by another union \
                 ({}): overlayfs gives each pair to one union at a time; wait for the other \
                 to end, or give this one directories of its own",
                Named(self.typed_source()),
                Named(Some(work)),
                ErrnoText(self.errno)
            ),
            Reason::OtherLayers(work) => write!(
                f,
                "the upper directory {} (with the work directory {}) holds the writes of a \
                 union over another top layer ({}): overlayfs refuses to lay it over others; \
                 keep the top layer it was made with, or start from empty upper and work \
                 directories",
                Named(self.typed_source()),
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
                    Named(self.typed_source()),
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
struct Named(Option<Source>);

impl fmt::Display for Named {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(Source::Slot(name)) => write!(f, "param({})", Lossy(name.to_bytes())),
            Some(Source::Host(path)) => write!(f, "{}", Quoted(path.to_bytes())),
            None => write!(f, "{}", Quoted(b"")),
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
    use std::io;

    use super::super::Context;
    use super::*;

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
    fn quotes_and_escapes_paths() {
        let source = c"/a\"b\n\xff";
        let error = Context::new(Entry::Union, c"/u")
            .with_source(Source::Host(source))
            .fail(Step::Source)(Errno::NOTDIR);
        assert_eq!(
            error.to_string(),
            "mountns: union \"/a\\\"b\\n\\xff\" on \"/u\": open source: Not a directory (os error 20)"
        );
    }

    #[test]
    fn explains_the_sandbox_entries() {
        let error = Context::new(Entry::Dev, c"/dev")
            .with_source(Source::Host(c"/dev/null"))
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

    #[test]
    fn every_reason_says_a_whole_sentence() {
        let fail = |entry, target, step, errno| Context::new(entry, target).fail(step)(errno);
        let bind = |name, step, errno| {
            Context::new(Entry::Bind, c"/t")
                .with_source(Source::Slot(name))
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
                    .with_source(Source::Host(c"/"))
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
                    .with_source(Source::Host(c"/a/b"))
                    .fail(Step::Union)(Errno::LOOP)
                .because(Reason::Overlapping(Source::Host(c"/a"))),
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
        let bind = |name, step, errno| {
            Context::new(Entry::Bind, c"/t")
                .with_source(Source::Slot(name))
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
    fn names_a_hidden_path_and_the_value_that_exposes_it() {
        static HIDDEN: Hidden = crate::table::private::hidden(c"/home/", c"hidden /home/");
        let error = |value: &[u8]| {
            Context::new(Entry::Union, c"/src")
                .with_source(Source::Slot(c"PROJECT"))
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
