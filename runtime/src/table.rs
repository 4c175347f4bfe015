//! The mount table that a `namespace!` declaration compiles to.
//!
//! Everything here is built in `static`s by the macro through the `const fn`
//! constructors of [`private`] (the crate's hidden `__private`): the runtime never
//! sorts, merges, parses or allocates. Every path is a
//! `&'static CStr` ready for the kernel.

use core::ffi::CStr;
use core::fmt;
use core::time::Duration;

use crate::bits::{bit_set, write_words};
use crate::policy::{Landlock, Limit};
use crate::sys::Instruction;

use rustix::mount::MountAttrFlags;

pub(crate) mod private;

/// A mount namespace: the collapsed mount table, in mount order.
///
/// Declare one with `mountns::namespace!`; inspect it with [`Namespace::mounts`] or
/// print it (one fstab-like line per mount) with `Display`.
#[derive(Debug)]
pub struct Namespace {
    mounts: &'static [Mount],
    skeleton: &'static [Mountpoint],
    made_parents: &'static [Mountpoint],
    sources: &'static [&'static [Source]],
    unshare: Unshare,
    hostname: Option<&'static CStr>,
    new_session: bool,
    as_pid_1: bool,
    caps: Caps,
    identity: Identity<'static>,
    seccomp: &'static [Instruction],
    hidden: &'static [Hidden],
    landlock: Option<Landlock>,
    limits: &'static [Limit],
    /// Seconds.
    timeout: Option<u32>,
    chdir: Option<&'static CStr>,
    env: Env,
}

/// The program's environment as a table sets it: `env clear;` and `env "NAME" "value";`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Env {
    /// Whether the inherited environment is dropped.
    pub(crate) clear: bool,
    /// `NAME=value`, each name once.
    pub(crate) vars: &'static [&'static CStr],
}

impl Namespace {
    /// Every mountpoint and its ancestors, parents first, relative to the new root:
    /// what the runtime creates in the fresh root before mounting anything.
    pub(crate) const fn skeleton(&self) -> &'static [Mountpoint] {
        self.skeleton
    }

    /// The classic BPF program installed when entering (after `no_new_privs`, last,
    /// in the process that executes the program).
    pub(crate) const fn seccomp(&self) -> &'static [Instruction] {
        self.seccomp
    }

    /// The directory the program starts in, inside the new root (`chdir "/src";`). Without
    /// one, the program starts in the caller's working directory if the new root has it
    /// (`Command::current_dir` is the caller's, looked up again inside), else in `/`.
    pub const fn chdir(&self) -> Option<&'static CStr> {
        self.chdir
    }

    /// Whether the program starts without the caller's environment (`env clear;`). Every
    /// route that executes a program applies it (the `CommandExt` methods, `exec`,
    /// `launcher!`); [`Namespace::enter`] executes nothing and changes no environment.
    pub const fn clears_env(&self) -> bool {
        self.env.clear
    }

    /// The variables the table sets in the program's environment, `NAME=value`
    /// (`env "NAME" "value";`), over the inherited ones of those names; on the routes
    /// that execute a program, as for [`Namespace::clears_env`].
    pub const fn env(&self) -> &'static [&'static CStr] {
        self.env.vars
    }

    /// The host paths the table asserts the program never sees: those of `assert hidden
    /// [..];` and `/dev/` for `assert no_dev;`, of the table and of what it includes.
    /// Checked at compile time on the sources as written, and again when entering on
    /// every source as the host resolves it (links followed) and on `param(NAME)`
    /// values: entering fails with [`Step::Hidden`](crate::Step::Hidden) before
    /// anything is mounted.
    pub const fn hidden(&self) -> &'static [Hidden] {
        self.hidden
    }

    /// How the parent directory `path` (relative, `t/a`) is made when it is created
    /// inside a tmpfs of the table: its mode, and whether it belongs to the program.
    pub(crate) fn made_parent(&self, path: &[u8]) -> (u32, bool) {
        match self
            .made_parents
            .binary_search_by(|parent| parent.path.to_bytes().cmp(path))
        {
            Ok(found) => (
                self.made_parents[found].mode(),
                self.made_parents[found].program,
            ),
            Err(_) => (0o755, false),
        }
    }

    /// The capabilities the program keeps (`caps [..];`); none unless the table says.
    pub const fn caps(&self) -> Caps {
        self.caps
    }

    /// The user id the program runs as inside (`uid N;`), if the table chooses one.
    pub const fn uid(&self) -> Option<u32> {
        self.identity.uid
    }

    /// The group id the program runs as inside (`gid N;`), if the table chooses one.
    pub const fn gid(&self) -> Option<u32> {
        self.identity.gid
    }

    /// The program's supplementary groups (`groups [..];`), if the table chooses them.
    pub const fn groups(&self) -> Option<&'static [u32]> {
        self.identity.groups
    }

    /// The ids the table chooses.
    pub(crate) const fn identity(&self) -> Identity<'static> {
        self.identity
    }

    /// Landlock's rules, if the table has them (`landlock;`): see [`Landlock`].
    pub const fn landlock(&self) -> Option<Landlock> {
        self.landlock
    }

    /// The resource limits set for the program (`limit [..];`), one per resource, in
    /// the order of [`Resource::ALL`](crate::Resource::ALL).
    pub const fn limits(&self) -> &'static [Limit] {
        self.limits
    }

    /// The time limit (`timeout(N);`): that long after the program starts, it and
    /// everything it started are killed, and the process standing in for it exits
    /// with [`TIMED_OUT`](crate::TIMED_OUT).
    pub const fn timeout(&self) -> Option<Duration> {
        match self.timeout {
            Some(seconds) => Some(Duration::from_secs(seconds as u64)),
            None => None,
        }
    }

    /// The time limit in seconds, for the pid namespace's pid 1.
    pub(crate) const fn timeout_seconds(&self) -> Option<u32> {
        self.timeout
    }

    /// The namespaces made beside the mount namespace (`unshare [..];`, and those that
    /// `proc`, `hostname` and `timeout` imply).
    pub const fn unshare(&self) -> Unshare {
        self.unshare
    }

    /// The host name set in the table's UTS namespace (`hostname "box";`).
    pub const fn hostname(&self) -> Option<&'static CStr> {
        self.hostname
    }

    /// Whether the program runs in a new session, without a controlling terminal
    /// (`new_session;`).
    pub const fn new_session(&self) -> bool {
        self.new_session
    }

    /// Whether the program runs as pid 1 of the table's pid namespace (`as_pid_1;`),
    /// rather than as pid 2 under an init that reaps orphans and passes signals on.
    pub const fn as_pid_1(&self) -> bool {
        self.as_pid_1
    }

    /// The collapsed table, in the order the mounts are made: parents before
    /// children, and for one target a tmpfs before what it is the upper of.
    pub const fn mounts(&self) -> &'static [Mount] {
        self.mounts
    }
}

impl fmt::Display for Namespace {
    /// One fstab-like line per mount, then a line for each process-wide setting:
    /// `unshare pid,net`, `hostname box`, `new_session`, `landlock` (`landlock
    /// strict`) with `connect 53,443` and `bind_ports 8080`, `limit
    /// nofile=1024,as=2147483648`, `timeout 30`, `chdir /src`, `env clear`,
    /// `env LANG=C.UTF-8`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for mount in self.mounts {
            writeln!(f, "{mount}")?;
        }
        if self.unshare != Unshare::NONE {
            writeln!(f, "unshare {}", self.unshare)?;
        }
        if let Some(hostname) = self.hostname {
            writeln!(f, "hostname {}", field(hostname))?;
        }
        if self.new_session {
            writeln!(f, "new_session")?;
        }
        if self.as_pid_1 {
            writeln!(f, "as_pid_1")?;
        }
        if self.caps != Caps::NONE {
            writeln!(f, "caps {}", self.caps)?;
        }
        if let Some(uid) = self.identity.uid {
            writeln!(f, "uid {uid}")?;
        }
        if let Some(gid) = self.identity.gid {
            writeln!(f, "gid {gid}")?;
        }
        if let Some(groups) = self.identity.groups {
            f.write_str("groups ")?;
            for (i, gid) in groups.iter().enumerate() {
                let comma = if i == 0 { "" } else { "," };
                write!(f, "{comma}{gid}")?;
            }
            writeln!(f)?;
        }
        if let Some(landlock) = self.landlock {
            writeln!(f, "{landlock}")?;
        }
        if !self.limits.is_empty() {
            f.write_str("limit ")?;
            for (i, limit) in self.limits.iter().enumerate() {
                let comma = if i == 0 { "" } else { "," };
                write!(f, "{comma}{limit}")?;
            }
            writeln!(f)?;
        }
        if let Some(seconds) = self.timeout {
            writeln!(f, "timeout {seconds}")?;
        }
        if let Some(dir) = self.chdir {
            writeln!(f, "chdir {}", field(dir))?;
        }
        if self.env.clear {
            writeln!(f, "env clear")?;
        }
        for var in self.env.vars {
            writeln!(f, "env {}", field(var))?;
        }
        Ok(())
    }
}

/// The capabilities a table's program keeps: `caps [net_bind_service, sys_chroot];`.
/// Every other capability is dropped (bounding, inheritable, ambient, permitted and
/// effective sets), as root and without; `caps [all];` keeps every one. Bit `n` is the
/// capability numbered `n` (`CAP_CHOWN` is 0).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Caps(u64);

impl Caps {
    /// None: the default.
    pub const NONE: Caps = Caps(0);
    /// Every capability, those of kernels newer than this crate too: `caps [all];`.
    pub const ALL: Caps = Caps(u64::MAX);

    /// The raw bits: bit `n` keeps the capability numbered `n`.
    pub const fn bits(self) -> u64 {
        self.0
    }

    /// Whether the capability numbered `number` (`CAP_NET_BIND_SERVICE` is 10) is kept.
    pub const fn keeps(self, number: u32) -> bool {
        number < 64 && self.0 & (1 << number) != 0
    }

    /// Whether every capability is kept (`caps [all];`).
    pub const fn is_all(self) -> bool {
        self.0 == u64::MAX
    }
}

impl fmt::Display for Caps {
    /// The words of `caps [..]`, comma-separated: `net_bind_service,sys_chroot`, or
    /// `all`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return f.write_str(mountns_paths::caps::ALL);
        }
        let words = mountns_paths::caps::NAMES
            .iter()
            .zip(0..)
            .filter(|&(_, number)| self.keeps(number));
        write_words(f, words.map(|(word, _)| *word))
    }
}

/// The ids a table chooses for its program: `uid N;`, `gid N;`, `groups [..];`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Identity<'a> {
    pub(crate) uid: Option<u32>,
    pub(crate) gid: Option<u32>,
    pub(crate) groups: Option<&'a [u32]>,
}

impl Identity<'_> {
    pub(crate) const NONE: Identity<'static> = Identity {
        uid: None,
        gid: None,
        groups: None,
    };

    /// Whether any id is chosen.
    pub(crate) const fn is_chosen(&self) -> bool {
        self.uid.is_some() || self.gid.is_some() || self.groups.is_some()
    }
}

bit_set! {
    /// The namespaces a table makes beside its mount namespace: `unshare [net, ipc];`.
    /// The bits are the kernel's `CLONE_NEW*` flags.
    pub struct Unshare(u32) named in mountns_paths::words::UNSHARE;
    /// None: only the mount namespace (and a user namespace when unprivileged).
    NONE;
    /// Each namespace with the word that names it in `unshare [..];`.
    ALL;
    /// `pid`: a pid namespace; implied by `proc`.
    PID = 0x2000_0000;
    /// `net`: a network namespace holding only `lo`, brought up.
    NET = 0x4000_0000;
    /// `ipc`: System V IPC and POSIX message queues of its own.
    IPC = 0x0800_0000;
    /// `uts`: a host name of its own; implied by `hostname`.
    UTS = 0x0400_0000;
    /// `cgroup`: a cgroup namespace rooted at the caller's cgroup.
    CGROUP = 0x0200_0000;
}

/// A path created in the new root before anything is mounted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mountpoint {
    path: &'static CStr,
    dir: bool,
    link: Option<&'static CStr>,
    mode: u16,
    program: bool,
}

impl Mountpoint {
    /// The mode it is made with: 0755 for a directory and 0644 for an empty file unless
    /// the table says otherwise (a `dir`'s `mode(..)`, or the parents of restricted
    /// directories, as bubblewrap makes them).
    pub const fn mode(&self) -> u32 {
        self.mode as u32
    }

    /// Whether it is made for the program (a `dir`, a `symlink`, a `file`'s mountpoint,
    /// or a directory only on their way): it then belongs to the program's user and
    /// group when root enters to run the program as another user.
    pub const fn is_for_program(&self) -> bool {
        self.program
    }

    /// The text of the link made here, if this is a `symlink` rather than a mountpoint.
    pub const fn link(&self) -> Option<&'static CStr> {
        self.link
    }

    /// The path relative to the new root, without a leading slash (`usr/share`).
    pub const fn path(&self) -> &'static CStr {
        self.path
    }

    /// A directory (`true`) or an empty file for a file bind (`false`).
    pub const fn is_dir(&self) -> bool {
        self.dir
    }
}

bit_set! {
    /// Flags a statement may carry between `bind` and its first target.
    pub struct Flags(u32) named in mountns_paths::words::FLAGS;
    /// No flags.
    NONE;
    /// Each flag with the word that spells it in a declaration.
    ALL;
    /// `ro`: read-only, recursively (submounts included).
    READ_ONLY = 1;
    /// `dev`: device nodes work (a bind is `nodev` without it, as bubblewrap's
    /// `--dev-bind` against `--bind`).
    DEV = 2;
    /// `noexec`: nothing on the mount can be executed.
    NOEXEC = 4;
    /// `rw`, on a `file` only: the program may write the file (a copy of its content,
    /// private to the namespace); a `file` is read-only without it.
    RW = 8;
}

impl Flags {
    /// Whether `ro` is set.
    pub const fn is_read_only(self) -> bool {
        self.contains(Flags::READ_ONLY)
    }

    /// Whether `dev` is set.
    pub const fn is_dev(self) -> bool {
        self.contains(Flags::DEV)
    }

    /// Whether `noexec` is set.
    pub const fn is_noexec(self) -> bool {
        self.contains(Flags::NOEXEC)
    }

    /// Whether `rw` is set (a writable `file`).
    pub const fn is_rw(self) -> bool {
        self.contains(Flags::RW)
    }

    /// The attributes of a mount of the table: always nosuid; nodev unless `dev`;
    /// noexec with `noexec`; read-only with `ro`.
    pub(crate) const fn attributes(self) -> MountAttrFlags {
        let mut attributes = MountAttrFlags::MOUNT_ATTR_NOSUID;
        if !self.is_dev() {
            attributes = attributes.union(MountAttrFlags::MOUNT_ATTR_NODEV);
        }
        if self.is_noexec() {
            attributes = attributes.union(MountAttrFlags::MOUNT_ATTR_NOEXEC);
        }
        if self.is_read_only() {
            attributes = attributes.union(MountAttrFlags::MOUNT_ATTR_RDONLY);
        }
        attributes
    }
}

/// What every mount of a procfs is: no set-id programs, device nodes or executables,
/// as a `noexec` entry.
pub(crate) const PROC_ATTRIBUTES: MountAttrFlags = Flags::NOEXEC.attributes();

/// The attributes of a `dev`'s tmpfs (read-only besides, once sealed): nosuid, nodev,
/// noexec.
pub(crate) const DEV_ATTRIBUTES: MountAttrFlags = MountAttrFlags::MOUNT_ATTR_NOSUID
    .union(MountAttrFlags::MOUNT_ATTR_NODEV)
    .union(MountAttrFlags::MOUNT_ATTR_NOEXEC);

/// One parameter of a tmpfs, `key=value` or a lone `key`, as `fsconfig(2)` takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param {
    key: &'static CStr,
    value: Option<&'static CStr>,
}

impl Param {
    /// The option's name (`size`).
    pub const fn key(&self) -> &'static CStr {
        self.key
    }

    /// The option's value (`10M`), if it has one.
    pub const fn value(&self) -> Option<&'static CStr> {
        self.value
    }
}

/// A fresh tmpfs and its options, checked at compile time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tmpfs {
    options: &'static CStr,
    params: &'static [Param],
}

impl Tmpfs {
    /// The options as written (`size=10M,mode=755`); empty for none.
    pub const fn options(&self) -> &'static CStr {
        self.options
    }

    /// The same options, split.
    pub const fn params(&self) -> &'static [Param] {
        self.params
    }
}

/// The writable layer of a union: a tmpfs mounted outside the new root, holding the
/// overlay's upper and work directories (`tmpfs` among the sources), or upper and work
/// directories of the host that keep the writes from one run to the next
/// (`upper("/srv/upper/", "/srv/work/")`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Upper {
    layer: Layer,
    index: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layer {
    Tmpfs(Tmpfs),
    Host { upper: Source, work: Source },
}

impl Upper {
    /// Which writable union of the table this is (0, 1, ...): names its scratch
    /// directory outside the new root.
    pub(crate) const fn index(&self) -> u32 {
        self.index
    }

    /// The tmpfs that holds the writes, if they live in one.
    pub const fn tmpfs(&self) -> Option<Tmpfs> {
        match self.layer {
            Layer::Tmpfs(tmpfs) => Some(tmpfs),
            Layer::Host { .. } => None,
        }
    }

    /// The host's upper and work directories (or their `param(NAME)` slots), if the
    /// writes persist there.
    pub const fn host(&self) -> Option<(Source, Source)> {
        match self.layer {
            Layer::Host { upper, work } => Some((upper, work)),
            Layer::Tmpfs(_) => None,
        }
    }
}

/// What is mounted on a target. New kinds may come: a `match` has a `_` arm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// A recursive bind of a host path.
    Bind {
        /// The host path, or the slot that gives it.
        source: Source,
    },
    /// A fresh tmpfs.
    Tmpfs(Tmpfs),
    /// An overlayfs union of host directories, the first on top; read-only unless it
    /// has an upper.
    Union {
        /// The host directories (or the slots that give them), top first (as declared).
        lowers: &'static [Source],
        /// The tmpfs that makes the union writable, if one was declared with it.
        upper: Option<Upper>,
    },
    /// `proc`: a fresh procfs of the table's pid namespace (nosuid, nodev, noexec),
    /// with `sys`, `sysrq-trigger`, `irq` and `bus` read-only.
    Proc,
    /// `dev`: a fresh tmpfs holding `null`, `zero`, `full`, `random`, `urandom` and
    /// `tty` (the host's nodes, bound), `pts/` (a new devpts instance) with `ptmx`
    /// linked into it, `shm/` (a private tmpfs) and the links `fd`, `stdin`, `stdout`,
    /// `stderr` and `core` (to `/proc/kcore`).
    Dev,
    /// `file`: a file whose content was fixed at compile time, read-only unless
    /// [`Flags::RW`].
    File {
        /// The file's bytes.
        content: &'static [u8],
    },
    /// `file "/etc/passwd" param(NAME);`: a file whose content is given when entering,
    /// read-only unless [`Flags::RW`].
    FileParam {
        /// The slot's name, filled by `Params::set_content` or `Params::set_content_fd`.
        name: &'static CStr,
    },
    /// `dir`: an empty directory made inside a tmpfs of the table (or a writable
    /// union); one in the new root is made with the skeleton.
    Dir,
    /// `symlink`: a symbolic link made inside a tmpfs of the table (or a writable
    /// union); one in the new root is made with the skeleton.
    Symlink {
        /// The link's text.
        text: &'static CStr,
    },
}

/// Where a bind, a union's layer or a persistent union's upper or work directory comes
/// from: a host path, or a slot whose host path (or descriptor) is given when entering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// An absolute host path (`bind "/usr/";`), looked up as the host resolves it.
    Host(&'static CStr),
    /// A `param(NAME)` slot, by its name: filled by `Params::set` or `Params::set_fd`.
    Slot(&'static CStr),
}

impl Source {
    /// The host path or the slot's name, as errors and `Display` show it.
    pub(crate) const fn text(self) -> &'static CStr {
        match self {
            Source::Host(text) | Source::Slot(text) => text,
        }
    }
}

/// One entry of the collapsed table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mount {
    target: &'static CStr,
    dir: bool,
    flags: Flags,
    kind: Kind,
    made_in: MadeIn,
    mode: Option<u16>,
}

/// Where entering makes an entry's mountpoint (or the directory, link or file of a
/// `dir`, `symlink` or `file`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MadeIn {
    /// With the skeleton, in the new root before anything is mounted.
    Skeleton,
    /// In the enclosing `tmpfs`, once it is mounted: it hides the skeleton below it.
    Tmpfs,
    /// In the enclosing `dev`'s tmpfs, once it is mounted.
    Dev,
    /// In the upper tmpfs of the enclosing writable union (a `dir`, `symlink` or
    /// `file`), which takes what is made in it.
    Upper,
}

impl Mount {
    /// The attributes the mount of this entry gets, each kind's as its code gives them,
    /// and what the table's `Display` prints: the flags' [`Flags::attributes`];
    /// read-only besides for a union without an upper, and for a `file` (noexec too); a
    /// `dev`'s tmpfs nosuid, nodev, noexec, and read-only once sealed; a `proc` nosuid,
    /// nodev, noexec. A `dir` or `symlink` is no mount.
    pub(crate) const fn attributes(&self) -> MountAttrFlags {
        const RDONLY: MountAttrFlags = MountAttrFlags::MOUNT_ATTR_RDONLY;
        let flags = self.flags.attributes();
        match self.kind {
            Kind::Bind { .. } | Kind::Tmpfs(_) | Kind::Union { upper: Some(_), .. } => flags,
            Kind::Union { upper: None, .. } => flags.union(RDONLY),
            // The clone of a file of the data tmpfs, which is noexec, keeps noexec; a
            // `file rw` is the program's to write.
            Kind::File { .. } | Kind::FileParam { .. } if self.flags.is_rw() => {
                flags.union(MountAttrFlags::MOUNT_ATTR_NOEXEC)
            }
            Kind::File { .. } | Kind::FileParam { .. } => {
                flags.union(RDONLY).union(MountAttrFlags::MOUNT_ATTR_NOEXEC)
            }
            Kind::Proc => PROC_ATTRIBUTES,
            Kind::Dev => DEV_ATTRIBUTES.union(RDONLY),
            Kind::Dir | Kind::Symlink { .. } => MountAttrFlags::empty(),
        }
    }

    /// The mode declared for a `dir` or `file` (`mode(0640)`); `None` for the default:
    /// 0755 for a directory, 0444 for a read-only file, 0644 for a `file rw`.
    pub const fn mode(&self) -> Option<u32> {
        match self.mode {
            Some(mode) => Some(mode as u32),
            None => None,
        }
    }

    /// The absolute path inside the namespace, without a trailing slash (`/usr`).
    pub const fn target(&self) -> &'static CStr {
        self.target
    }

    /// Whether the mountpoint is a directory (declared with a trailing slash) or a file.
    pub const fn is_dir(&self) -> bool {
        self.dir
    }

    /// The flags declared on the statement(s).
    pub const fn flags(&self) -> Flags {
        self.flags
    }

    /// Bind, tmpfs or union, with its sources and options.
    pub const fn kind(&self) -> Kind {
        self.kind
    }

    /// Its host sources: a bind's source or a union's layers (slots unfilled); none for
    /// the other kinds.
    pub(crate) const fn host_sources(&'static self) -> &'static [Source] {
        match &self.kind {
            Kind::Bind { source } => core::slice::from_ref(source),
            Kind::Union { lowers, .. } => lowers,
            Kind::Tmpfs(_)
            | Kind::Proc
            | Kind::Dev
            | Kind::File { .. }
            | Kind::FileParam { .. }
            | Kind::Dir
            | Kind::Symlink { .. } => &[],
        }
    }

    /// Where entering makes the mountpoint (or the directory, link or file itself):
    /// with the skeleton, or in the mount enclosing it once that is mounted.
    pub const fn made_in(&self) -> MadeIn {
        self.made_in
    }
}

/// A path or option as a field of an fstab(5) line: space, tab, newline and backslash
/// as octal escapes (`\040`, `\011`, `\012`, `\134`), like every other control
/// character and each byte of invalid UTF-8, so that no name can start a line or a
/// field of its own. In the options field `,` and `:` too (`\054`, `\072`): they
/// separate options and layers.
pub(crate) struct Field<'a> {
    bytes: &'a [u8],
    option: bool,
}

/// A source as a field (as an option value in `option`): its path, or `param(NAME)` for
/// a slot.
pub(crate) struct SourceField {
    pub(crate) source: Source,
    pub(crate) option: bool,
}

impl fmt::Display for SourceField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let escaped = Field {
            bytes: self.source.text().to_bytes(),
            option: self.option,
        };
        match self.source {
            Source::Host(_) => write!(f, "{escaped}"),
            Source::Slot(_) => write!(f, "param({escaped})"),
        }
    }
}

pub(crate) fn field(path: &CStr) -> Field<'_> {
    Field {
        bytes: path.to_bytes(),
        option: false,
    }
}

fn option(path: &CStr) -> Field<'_> {
    Field {
        bytes: path.to_bytes(),
        option: true,
    }
}

impl fmt::Display for Field<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for chunk in self.bytes.utf8_chunks() {
            for c in chunk.valid().chars() {
                let separator = self.option && matches!(c, ',' | ':');
                if c == ' ' || c == '\\' || c.is_control() || separator {
                    let mut bytes = [0; 4];
                    for byte in c.encode_utf8(&mut bytes).bytes() {
                        write!(f, "\\{byte:03o}")?;
                    }
                } else {
                    write!(f, "{c}")?;
                }
            }
            for byte in chunk.invalid() {
                write!(f, "\\{byte:03o}")?;
            }
        }
        Ok(())
    }
}

/// A tmpfs's options (checked at compile time: `key` or `key=value`, commas between),
/// each key and value escaped, `before` the first if there are any.
pub(crate) fn write_options(f: &mut fmt::Formatter<'_>, tmpfs: Tmpfs, before: &str) -> fmt::Result {
    for (i, param) in tmpfs.params.iter().enumerate() {
        let comma = if i == 0 { before } else { "," };
        write!(f, "{comma}{}", option(param.key))?;
        if let Some(value) = param.value {
            write!(f, "={}", option(value))?;
        }
    }
    Ok(())
}

/// `mode=0640` after `separator`, if a mode is declared.
fn write_mode(f: &mut fmt::Formatter<'_>, mode: Option<u16>, separator: &str) -> fmt::Result {
    match mode {
        Some(mode) => write!(f, "{separator}mode={mode:04o}"),
        None => Ok(()),
    }
}

impl fmt::Display for Mount {
    /// `SPEC TARGET TYPE OPTIONS`, like a line of fstab(5); a directory target keeps
    /// its trailing slash. The options start with the flags the mount really gets:
    /// `ro`, `nosuid` (always), `nodev` (unless `dev`), `noexec`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let slash = if self.dir && self.target.to_bytes() != b"/" {
            "/"
        } else {
            ""
        };
        let target = field(self.target);
        let flags = Attributes(self.attributes());
        match self.kind {
            Kind::Bind { source } => {
                let source = SourceField {
                    source,
                    option: false,
                };
                write!(f, "{source} {target}{slash} none rbind,{flags}")
            }
            Kind::Tmpfs(tmpfs) => {
                write!(f, "tmpfs {target}{slash} tmpfs {flags}")?;
                write_options(f, tmpfs, ",")
            }
            Kind::Proc => write!(f, "proc {target}{slash} proc {flags}"),
            Kind::Dev => write!(f, "dev {target}{slash} tmpfs {flags}"),
            Kind::File { content } => {
                write!(f, "file {target} file {flags},size={}", content.len())?;
                write_mode(f, self.mode, ",")
            }
            Kind::FileParam { name } => {
                write!(f, "file {target} file {flags},param({})", option(name))?;
                write_mode(f, self.mode, ",")
            }
            Kind::Dir => match self.mode {
                None => write!(f, "dir {target}{slash} dir defaults"),
                mode => {
                    write!(f, "dir {target}{slash} dir ")?;
                    write_mode(f, mode, "")
                }
            },
            Kind::Symlink { text } => write!(f, "{} {target} symlink defaults", field(text)),
            Kind::Union { lowers, upper } => {
                write!(f, "overlay {target}{slash} overlay {flags},lowerdir=")?;
                for (i, lower) in lowers.iter().enumerate() {
                    let colon = if i == 0 { "" } else { ":" };
                    let lower = SourceField {
                        source: *lower,
                        option: true,
                    };
                    write!(f, "{colon}{lower}")?;
                }
                if let Some(tmpfs) = upper.and_then(|upper| upper.tmpfs()) {
                    f.write_str(",upper=tmpfs(")?;
                    write_options(f, tmpfs, "")?;
                    f.write_str(")")?;
                }
                if let Some((upper, work)) = upper.and_then(|upper| upper.host()) {
                    let (upper, work) = (
                        SourceField {
                            source: upper,
                            option: true,
                        },
                        SourceField {
                            source: work,
                            option: true,
                        },
                    );
                    write!(f, ",upperdir={upper},workdir={work}")?;
                }
                Ok(())
            }
        }
    }
}

/// A host path a table asserts hidden, and the assertion that says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Hidden {
    path: &'static CStr,
    assertion: &'static CStr,
}

impl Hidden {
    /// The path as the assertion wrote it (`/home/`, or `/dev/` for `no_dev`).
    pub const fn path(&self) -> &'static CStr {
        self.path
    }

    /// The assertion: `hidden /home/`, or `no_dev`.
    pub const fn assertion(&self) -> &'static CStr {
        self.assertion
    }
}

/// A mount's attributes as fstab options: `ro,nosuid,nodev,noexec`, those it has.
struct Attributes(MountAttrFlags);

impl fmt::Display for Attributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words = [
            (MountAttrFlags::MOUNT_ATTR_RDONLY, "ro"),
            (MountAttrFlags::MOUNT_ATTR_NOSUID, "nosuid"),
            (MountAttrFlags::MOUNT_ATTR_NODEV, "nodev"),
            (MountAttrFlags::MOUNT_ATTR_NOEXEC, "noexec"),
        ];
        let set = words.iter().filter(|(flag, _)| self.0.contains(*flag));
        write_words(f, set.map(|(_, word)| *word))
    }
}
