//! The table's process policy beside its mounts: Landlock (`landlock;`, `connect [..];`,
//! `bind_ports [..];`), resource limits (`limit [..];`) and the time limit
//! (`timeout(N);`). Built in `static`s by the macro, like the mount table.

use core::fmt;

/// `landlock;` or `landlock strict;`, with the TCP ports of `connect [..];` and
/// `bind_ports [..];`: file access only as the mount table allows, enforced by the
/// kernel's Landlock after the switch to the new root.
///
/// Each mount gets the rights its kind and flags give (read-only: read and execute,
/// no execute under `noexec`; writable: also write, create and remove; `dev`: the
/// device ioctls; `proc`: read), the rest of the new root only listing, and nothing
/// outside it. Where the kernel has them (Landlock ABI 6), abstract unix sockets and
/// signals of processes outside the sandbox are out of reach too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Landlock {
    strict: bool,
    connect: Option<&'static [u16]>,
    bind: Option<&'static [u16]>,
}

/// `landlock;` (`landlock strict;`), with the ports of `connect [..];` and
/// `bind_ports [..];`: a constructor of the crate's hidden `__private`.
pub const fn landlock(
    strict: bool,
    connect: Option<&'static [u16]>,
    bind: Option<&'static [u16]>,
) -> Landlock {
    Landlock {
        strict,
        connect,
        bind,
    }
}

impl Landlock {
    /// Whether entering fails on a kernel whose Landlock lacks something the table
    /// asks for (`landlock strict;`), rather than applying what it supports.
    pub const fn is_strict(&self) -> bool {
        self.strict
    }

    /// The only TCP ports the program may connect to (`connect [443, 53];`), sorted;
    /// `None`: TCP connections are not restricted.
    pub const fn connect(&self) -> Option<&'static [u16]> {
        self.connect
    }

    /// The only TCP ports the program may bind (`bind_ports [8080];`), sorted; `None`:
    /// binding is not restricted.
    pub const fn bind_ports(&self) -> Option<&'static [u16]> {
        self.bind
    }
}

impl fmt::Display for Landlock {
    /// `landlock` or `landlock strict`, then a line for each port list:
    /// `connect 53,443`, `bind_ports 8080`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.strict {
            "landlock strict"
        } else {
            "landlock"
        })?;
        for (word, ports) in [("connect", self.connect), ("bind_ports", self.bind)] {
            let Some(ports) = ports else { continue };
            write!(f, "\n{word} ")?;
            if ports.is_empty() {
                f.write_str("none")?;
            }
            for (i, port) in ports.iter().enumerate() {
                let comma = if i == 0 { "" } else { "," };
                write!(f, "{comma}{port}")?;
            }
        }
        Ok(())
    }
}

/// A resource that `limit [..];` limits: the kernel's `RLIMIT_*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Resource {
    /// `nofile`: open descriptors (`RLIMIT_NOFILE`); a descriptor numbered at or over
    /// the limit cannot be made (EMFILE).
    Nofile,
    /// `nproc`: processes of the program's real user id (`RLIMIT_NPROC`), not only the
    /// sandbox's: every process of that user in its user namespace (the host's, for a
    /// program that a root launcher runs as another user; the sandbox's own, entered
    /// through a user namespace). Root's ids ignore it.
    Nproc,
    /// `as`: bytes of virtual memory (`RLIMIT_AS`).
    As,
    /// `cpu`: seconds of processor time (`RLIMIT_CPU`); then SIGXCPU, or SIGKILL.
    Cpu,
    /// `fsize`: the largest file the program may write, in bytes (`RLIMIT_FSIZE`).
    Fsize,
    /// `core`: the largest core dump, in bytes (`RLIMIT_CORE`); 0 for none.
    Core,
}

impl Resource {
    /// Each resource with the word that names it in `limit [..];`.
    pub const ALL: &'static [(Resource, &'static str)] = &[
        (Resource::Nofile, "nofile"),
        (Resource::Nproc, "nproc"),
        (Resource::As, "as"),
        (Resource::Cpu, "cpu"),
        (Resource::Fsize, "fsize"),
        (Resource::Core, "core"),
    ];

    /// The word, as errors name it.
    pub(crate) const fn name(self) -> &'static core::ffi::CStr {
        match self {
            Resource::Nofile => c"nofile",
            Resource::Nproc => c"nproc",
            Resource::As => c"as",
            Resource::Cpu => c"cpu",
            Resource::Fsize => c"fsize",
            Resource::Core => c"core",
        }
    }

    /// The word that names it in `limit [..];`.
    pub const fn word(self) -> &'static str {
        match self {
            Resource::Nofile => "nofile",
            Resource::Nproc => "nproc",
            Resource::As => "as",
            Resource::Cpu => "cpu",
            Resource::Fsize => "fsize",
            Resource::Core => "core",
        }
    }
}

/// One entry of `limit [..];`: a resource and its limit, set as both the soft and the
/// hard limit of the program (or the caller's hard limit, if that is lower: a limit
/// only tightens).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Limit {
    resource: Resource,
    value: u64,
}

/// The limit of `resource` at `value`: a constructor of the crate's hidden `__private`.
pub const fn limit(resource: Resource, value: u64) -> Limit {
    Limit { resource, value }
}

impl Limit {
    pub const fn resource(&self) -> Resource {
        self.resource
    }

    /// The limit: a count, bytes (`as`, `fsize`, `core`) or seconds (`cpu`).
    pub const fn value(&self) -> u64 {
        self.value
    }
}

impl fmt::Display for Limit {
    /// `nofile=1024`; sizes in bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.resource.word(), self.value)
    }
}

/// The exit status of the process standing in for the program (the child of
/// `CommandExt`, the process that called `Namespace::exec`, a launcher) when the
/// table's time limit (`timeout(N);`) ended the program: 137, `128 + SIGKILL`, what a
/// shell reports for a program killed by SIGKILL. Killed otherwise (by SIGKILL or any
/// signal), the program makes the stand-in die of that signal instead, so
/// `status.code() == Some(TIMED_OUT)` is a timeout, unless the program itself exited
/// with 137.
pub const TIMED_OUT: i32 = 137;
