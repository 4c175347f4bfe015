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
//! Enter it in a child with [`CommandExt::status_in`] (or `spawn_in`, `output_in`,
//! whose errors carry the whole [`Error`]; [`CommandExt::namespace`] sets a command up
//! for std's own methods), in this process with [`Namespace::enter`], or in place of
//! this process with [`Namespace::exec`]:
//!
//! ```no_run
//! # mountns::namespace! { static SANDBOX = { bind ro "/usr/"; }; }
//! use mountns::CommandExt;
//!
//! let status = std::process::Command::new("/bin/ls").status_in(&SANDBOX)?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # The declaration language
//!
//! - `bind FLAGS "TARGET";` or `bind FLAGS ["T1", "T2"];` binds each host path onto the
//!   same path inside; `bind FLAGS "TARGET" SOURCE;` or `bind FLAGS "TARGET" [S1, S2];`
//!   binds sources onto the target.
//! - A source is a string literal (a host path), `tmpfs` or `tmpfs("OPTIONS")` (options of
//!   tmpfs(5), checked at compile time), `param(NAME)` (a path or descriptor given when
//!   entering), `upper("/srv/upper/", "/srv/work/")` (the host's upper and work
//!   directories, which keep a union's writes), or any constant `&'static str` expression.
//! - FLAGS: `ro` (read-only, recursively), `dev` (device nodes work; binds are `nodev`
//!   otherwise, every mount `nosuid`), `noexec`, or nothing.
//! - `proc "/proc/";`, `dev "/dev/";`, `dir "/var/tmp/";`, `symlink "/lib" "usr/lib";`
//!   and `file "/etc/hostname" "box\n";` make a fresh procfs (in a new pid namespace),
//!   a fresh `/dev`, an empty directory, a link and a read-only file; `file rw` a
//!   writable copy; `file "/etc/passwd" param(NAME);` a file whose content is given when
//!   entering; `mode(0640)` after a `dir` or `file`, its mode.
//! - `unshare [net, ipc];`, `hostname "box";`, `new_session;` and `as_pid_1;` set up
//!   the process: more namespaces, a host name, a new session, the program as pid 1.
//!   `chdir "/src";` is the directory the program starts in; `env clear;` and `env
//!   "NAME" "value";` its environment (the caller's otherwise, as any child gets).
//! - The program holds no capability, as root and not, unless `caps [net_bind_service];`
//!   keeps some (`caps [all];` every one); `uid 0;`, `gid 0;` and `groups [27];` choose
//!   its ids inside. It gets a session keyring of its own and dies with its launcher.
//! - `syscalls deny [@mount, ptrace];`, `syscalls allow [@system-service];`,
//!   `syscalls errno(EACCES);`, `sockets [unix, inet];` and `no_userns;` make the
//!   table's syscall policy, compiled to a seccomp program with the table
//!   ([`DEFAULT_SYSCALLS`] is a default one to include).
//! - `landlock;` (or `landlock strict;`), `connect [443];`, `bind_ports [8080];`,
//!   `limit [nofile(1024), as("2G")];` and `timeout(30);` restrict the program: file
//!   access only as the mounts allow (Landlock), TCP ports, resource limits, time.
//! - `include PATH;` splices in the mounts and settings of a namespace declared
//!   elsewhere (this module, another module, another crate) before sorting and
//!   collapsing.
//! - `assert hidden ["/home/"];`, `assert readonly [except ["/src/"]];`, `assert
//!   unshared [net, pid];`, `assert no_dev;` and `assert caps [];` state what the
//!   composed table (includes spliced in, packages expanded) must never expose: a table
//!   that breaks one does not compile, and the hidden paths are checked again when entering, against the host's
//!   links and the run-time sources. [`Namespace::exposure`] reports what a table
//!   exposes, for review.
//! - A trailing slash makes a directory target; without it the target is a file.
//! - Several mounts on one target: binds make a read-only union, the first declared on
//!   top; a tmpfs with binds makes a writable union whose writes land in the tmpfs.
//!
//! # What is checked when
//!
//! At compile time, each a spanned error at the statement or literal that made it (the
//! list is on [`namespace!`]): paths, flags, tmpfs options (their numbers as the kernel
//! reads them), unions that cannot be, and conflicts between statements, also across
//! includes and crates, and the table's `assert` statements. A constant source or a
//! package is checked by const evaluation, so its error points at the expression and
//! names the path at fault (or, for an assertion it breaks, points at the assertion).
//!
//! At run time, as an [`Error`] naming the step, the table entry and the errno: what
//! depends on the host and the caller. A missing source, a file where the table wants a
//! directory, a symbolic link on a mountpoint's path, a kernel or policy that refuses a
//! step (user namespaces, overlayfs layers with submounts), a slot unfilled or filled
//! with a value that fails (shown), a directory to start in that is not there, a
//! missing program, a source that the host resolves to a path the table asserts hidden
//! ([`Step::Hidden`]). Its `Debug` is its `Display`: one sentence. Where the errno
//! alone would mislead, [`Error::reason`] says why, as a [`Reason`] a program can match
//! (the symbolic link or the missing directory on the way to a target, a slot without a
//! value, the hidden path a source exposes, ...).
//!
//! # Requirements
//!
//! - Linux 5.12 or later (`openat2`, the new mount API, `mount_setattr`); unions take
//!   their layers one at a time from 6.8 and by descriptor from 6.15, with fallbacks
//!   before.
//! - `x86_64`, where it is built and tested. The `aarch64` parts (its system calls,
//!   program start and seccomp program) are written but have never been compiled: this
//!   project's machines and CI have no other target.
//! - As root (or with `CAP_SYS_ADMIN`): a mount namespace only; files keep their owners.
//!   The program runs as root without capabilities, or as the ids the table chooses
//!   (`uid`, `gid`, `groups`) or [`CommandExt::namespace_as`] gives.
//! - As any other user: unprivileged user namespaces must be allowed; the caller's uid
//!   and gid are mapped to themselves, or to the `uid` and `gid` the table chooses.
//!   The kernel refuses a user namespace to a multithreaded process, so
//!   [`Namespace::enter`] then fails; the `Command` methods enter in the freshly
//!   forked, single-threaded child.
//!
//! # Features
//!
//! - `std` (default): [`CommandExt`], [`Ids`], [`Namespace::exec`] and [`Params`].
//!   Without it the crate needs only `core`; [`Namespace::enter`] works the same.
//! - `launcher` (without `std`): [`launcher!`], the program start of a static
//!   `#![no_std]`, `#![no_main]` launcher that needs no libc (`examples/tiny/`). With
//!   `std` it adds nothing and `launcher!` is a compile error saying why, so the
//!   features stay additive (`cargo doc --all-features` documents everything).

#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(unsafe_code)]

// Generated code names `::mountns::__private`, also inside this crate (MINIMAL).
extern crate self as mountns;

mod assertions;
mod package;

/// Declares mount namespaces: `static` tables, sorted and collapsed while the crate
/// compiles.
///
/// ```
/// mountns::namespace! {
///     /// Doc comments and attributes go on the static.
///     pub static BUILD = {
///         include mountns::MINIMAL;
///         bind ro ["/usr/", "/bin/", "/lib/", "/lib64/"];
///         bind "/src/" ["/srv/project/", tmpfs("size=100M")];  // writable, host unchanged
///         bind "/tmp/" tmpfs("size=10M,mode=1777");
///     };
///     static SHELL = { include BUILD; bind ro "/etc/passwd"; };
/// }
/// // The expression form gives a `&'static Namespace`.
/// let ns: &'static mountns::Namespace = mountns::namespace! { bind ro "/usr/"; };
/// assert_eq!(ns.mounts().len(), 1);
///
/// // A sandbox: its own /proc (and pid namespace), /dev, network and host name.
/// mountns::namespace! {
///     static SANDBOX = {
///         proc "/proc/";
///         dev "/dev/";
///         bind ro "/usr/";
///         symlink "/bin" "usr/bin";
///         dir "/var/tmp/";
///         file "/etc/hostname" "box\n";
///         unshare [net, ipc];
///         hostname "box";
///         new_session;
///     };
/// }
/// assert!(SANDBOX.unshare().contains(mountns::Unshare::PID));
/// assert_eq!(SANDBOX.hostname(), Some(c"box"));
/// ```
///
/// # Grammar
///
/// | statement | meaning |
/// | --- | --- |
/// | `bind "/usr/";` | bind host `/usr` onto `/usr` |
/// | `bind ["/dev/", "/proc/"];` | the same for each target |
/// | `bind ro "/usr/";` | read-only, recursively (submounts included) |
/// | `bind "/data/" "/srv/data/";` | a host source onto another target |
/// | `bind "/data/" DATA_DIR;` | a source may be any constant `&'static str` |
/// | `bind "/tmp/" tmpfs;`, `tmpfs("size=10M,mode=1777")` | a fresh tmpfs |
/// | `bind "/opt/" ["/srv/a/", "/srv/b/"];` | a read-only union, the first on top |
/// | `bind "/etc/" ["/etc/", tmpfs("size=1M")];` | a writable union: writes land in the tmpfs |
/// | `bind "/src/" [param(PROJECT), tmpfs];` | a source chosen when entering: [`Namespace::with`] |
/// | `bind "/" [CERTS, TZDATA];` | the root as a union of [`Package`]s, each with its propagated inputs |
/// | `bind "/" ["/srv/rootfs/", tmpfs("size=100M")];` | a writable root of your own |
/// | `bind dev "/dev/dri/";` | device nodes work (binds are `nodev` otherwise, every mount `nosuid`); host sources only |
/// | `bind ro noexec "/srv/";` | nothing in it can be executed |
/// | `proc "/proc/";` | a fresh procfs; the table gets a pid namespace |
/// | `dev "/dev/";` | a fresh tmpfs `/dev`: `null`, `zero`, `full`, `random`, `urandom`, `tty`, `pts/`, `shm/`, `fd`, `stdin`, `stdout`, `stderr`, `core` |
/// | `symlink "/lib" "usr/lib";` | a symbolic link: its path, then its text |
/// | `dir "/var/tmp/";`, `dir "/var/tmp/" mode(1777);` | an empty directory, 0755 unless `mode(..)` (octal); the directories made to reach it follow bubblewrap's rule |
/// | `file "/etc/hostname" "box\n";` | a read-only file (0444 unless `mode(..)`); the content is a literal or a constant `&str`, `&[u8]` or `&[u8; N]` (`include_str!`, `include_bytes!`) |
/// | `file rw "/etc/resolv.conf" "nameserver 10.0.0.1\n";` | a writable copy of the content, the program's own (0644 unless `mode(..)`) |
/// | `file "/etc/passwd" param(PASSWD);` | content given when entering: [`Params::set_content`], [`Params::set_content_fd`] |
/// | `bind "/build/" ["/srv/src/", upper("/srv/upper/", "/srv/work/")];` | a writable union whose writes persist in the host's upper directory (literals or `param(NAME)`s) |
/// | `unshare [net, ipc];` | more namespaces: `pid`, `net` (only `lo`, up), `ipc`, `uts`, `cgroup` |
/// | `hostname "box";` | the host name; implies `uts` |
/// | `new_session;` | the program runs in a new session |
/// | `chdir "/src";` | the directory the program starts in, inside; an error when entering if it is not there |
/// | `env clear;` | the program starts without the caller's environment |
/// | `env "LANG" "C.UTF-8";` | the program's environment has this variable (over the caller's) |
/// | `caps [net_bind_service, sys_chroot];` | the program keeps these capabilities (every other is dropped, as root and not); `caps [all];` keeps every one |
/// | `uid 0;`, `gid 0;` | the ids inside: without root the caller is mapped to them, as root the program runs as them |
/// | `groups [27, 100];` | the supplementary groups (none by default once ids are chosen); root only |
/// | `as_pid_1;` | the program is pid 1 of its pid namespace (implied), with no init of ours: nothing reaps its orphans, and it gets only the signals it handles |
/// | `syscalls deny [@mount, ptrace];` | these calls (and groups, systemd's: `@mount`, `@debug`, ...) fail |
/// | `syscalls allow [@system-service];` | only these calls run; calls the tables do not know fail `ENOSYS` |
/// | `syscalls errno(EACCES);` | the errno of a refused call (`EPERM` by default; `clone3` always `ENOSYS`) |
/// | `sockets [unix, inet, inet6];` | `socket` and `socketpair` of other families fail `EAFNOSUPPORT` |
/// | `no_userns;` | no nested user namespace (`clone`/`unshare` with `CLONE_NEWUSER` fail, `clone3` `ENOSYS`) |
/// | `landlock;` | Landlock: files only as the mounts allow (read-only: read and execute, not under `noexec`; writable: also write, create, remove; `dev`: device `ioctl`s; `proc`: read), no mounting even as root, and, on kernels with them, no signals or abstract unix sockets outside; best effort on older kernels: see [`Landlock`] |
/// | `landlock strict;` | the same, or entering fails on a kernel whose Landlock lacks part of it (before ABI 6) |
/// | `connect [443, 53];` | TCP connections only to these ports (Landlock ABI 4); needs `landlock` |
/// | `bind_ports [8080];` | TCP listening only on these ports (`0`: a port the kernel picks); needs `landlock` |
/// | `limit [nofile(1024), nproc(256), as("2G"), cpu(60), fsize("100M"), core(0)];` | rlimits, soft and hard, of the program; sizes in bytes or with a suffix `K`, `M`, `G`, `T` (powers of 1024); see [`Resource`] |
/// | `timeout(30);` | seconds (1 to a year), then pid 1 kills the program and everything it started, and its stand-in exits with [`TIMED_OUT`]; implies `pid` |
/// | `include path::to::NAME;` | splice in another namespace's mounts and settings |
/// | `assert hidden ["/home/", "/root/"];` | no host source is at, under or above these paths (checked when compiling, and when entering as the host resolves each source: [`Step::Hidden`]) |
/// | `assert readonly;`, `assert readonly except ["/src/"];` | every host source is mounted read-only, except on or under these targets (a tmpfs, a tmpfs-backed union and a read-only union never write to the host) |
/// | `assert unshared [net, pid];` | the table makes these namespaces |
/// | `assert no_dev;` | no `dev` flag and no host `/dev` (a fresh `dev` is fine) |
/// | `assert caps [];` | the program keeps at most these capabilities, whatever the includes keep |
///
/// A trailing slash marks a directory target, none a file; a tmpfs or a union always
/// mounts on a directory. Targets are string literals; sources may be constants
/// (`&'static str` or [`Package`]). Statements are sorted so parents are mounted
/// before children; several statements on one target collapse into a union, whichever
/// statements or included namespaces they come from.
///
/// `proc`, `dev`, `dir`, `symlink` and `file` stand alone on their target (the same
/// statement reached twice through includes is one). A `dir` or `symlink` is made in
/// the new root (the lowest layer of a union on `/`) or in a tmpfs, `dev` or writable
/// union of the table; a `file` is its content bound read-only onto a file mountpoint.
/// The settings of included namespaces add up: the namespaces to unshare are their
/// union, a host name must be the same everywhere, and so must a uid, a gid, a list
/// of groups, a directory to start in and each variable's value (`env clear;` anywhere
/// clears); the capabilities kept are the union of the `caps` lists (one per
/// declaration). Syscall policies compose: deny lists unite, allow lists intersect, a
/// call allowed and denied through groups is denied, one errno, socket lists
/// intersect. Every table's program also makes `ioctl` `TIOCSTI`, `TIOCLINUX` and
/// `TIOCSETD` fail `EPERM`. Landlock holds if any statement asks for it (strict if any
/// says `strict`), the ports of every `connect` (and of every `bind_ports`) are allowed,
/// each resource gets the lowest `limit` given, and the shortest `timeout` wins: an
/// includer never loosens what it includes. Assertions travel too: an included namespace's assertions
/// hold over the includer's whole table.
///
/// ```
/// mountns::namespace! {
///     static PROFILE = { bind ro "/usr/"; assert hidden ["/home/"]; assert readonly; };
///     static BUILD = {
///         include PROFILE;
///         bind "/home/" tmpfs;                       // a target, not a source: fine
///         bind "/src/" ["/srv/project/", tmpfs];    // writes stay in the tmpfs: fine
///         assert unshared [pid];
///         proc "/proc/";
///     };
/// }
/// assert_eq!(BUILD.hidden()[0].path(), c"/home/");
/// ```
///
/// ```compile_fail
/// mountns::namespace! {
///     static PROFILE = { assert hidden ["/home/"]; };
///     static LEAKY = { include PROFILE; bind ro "/host/" "/"; };   // "/" holds /home
/// }
/// ```
///
/// # Compile errors
///
/// All reported at once, each at the statement or literal at fault:
/// - a target that is not absolute, is empty, is longer than `PATH_MAX`, or has `.`,
///   `..`, `//` or a NUL; the same for a source (literal or constant);
/// - an unknown or repeated flag; `rw` on anything but a `file`; unknown tmpfs options or
///   malformed values;
/// - a malformed `mode(..)` (digits that are not octal, over 7777, a string, another base
///   or a suffix), a mode on a statement other than `dir` and `file`, set-id bits in a
///   file's mode or set-user-id in a directory's;
/// - an unknown or repeated flag, or a flag after the target (`bind "/usr/" ro;`);
///   unknown tmpfs options, malformed values, and numbers the kernel would read
///   otherwise than written (a leading `0` is octal; past 2^64 wraps) or refuses, every
///   problem of one option string at once;
/// - a target that is not a string literal (a constant is allowed as a source only);
/// - two tmpfs on one target; a target used as a file and as a directory; more than
///   499 layers in a union (packages expanded); the same source twice in one statement
///   (named, at the repeat); the same target and source with different flags, also
///   where only const evaluation finds them alike (a literal and a constant, or
///   constants reached through includes of other invocations); a package on a file
///   target (a package is a directory tree);
/// - `/proc`, `/sys` or `/dev` as a union layer, or two layers of which one lies under
///   the other (overlayfs refuses both);
/// - `upper(..)` with no other source, beside a tmpfs, with an upper and a work directory
///   that are one or nested, that is, holds or lies in a layer of its union, that is
///   `/` or under `/proc`, `/sys` or `/dev`, that is not a literal or `param(NAME)`, or
///   that another union of the table shares; a `dir` or `symlink` that would be made in
///   such a union (in the host's upper);
/// - `ro` on a writable union or on a lone tmpfs; `dev` on a tmpfs or a writable union;
///   a flag on `proc`, `dev`, `dir`, `symlink` or `file`; a mount under a file mount;
/// - `proc`, `dev` or `dir` on a file target (no trailing slash), `symlink` or `file`
///   on a directory target, any of them on `/`; anything under a `proc`, a `symlink`
///   or a `file`; another statement on the target of one of them;
/// - a `dir` or `symlink` that would be made in a host directory: under a bind of a
///   host source, or a read-only union that is not on `/` (a constant source on `/`
///   is found to be one directory, not a union, when it expands);
/// - link text that is empty, has a NUL or is longer than `PATH_MAX`; a `file` content
///   that is not a `&str`, `&[u8]` or `&[u8; N]` (at the expression);
/// - in `unshare [..]`, an empty list, an unknown or repeated word, `user` or `mount`
///   (made automatically); a host name that is empty, longer than 64 bytes or has
///   other characters than letters, digits, `-` and `.`; two different host names;
/// - in `caps [..]`, an unknown capability (the nearest name suggested, or how to write
///   `CAP_SYS_ADMIN`), a repeated one, `all` beside others, an empty list; two `caps`
///   statements in one declaration; a uid or gid that is not 0 to 4294967294 (-1 means
///   none to the kernel), a repeated group; two different uids, gids or group lists;
/// - in `syscalls` and `sockets`, an unknown call, group, address family or errno (the
///   nearest name suggested), an empty list, the same call named in an allow and a
///   deny statement (naming both), two different errnos, an allow list without
///   `execve` or a deny list with it (the program could not start);
/// - a `chdir` that is not absolute; an `env` name that is empty or holds `=`; two
///   different directories, or two values of one variable;
/// - a namespace including itself; an include of something that is not a namespace;
/// - an assertion the composed table breaks, at the assertion (or at the include that
///   brought it), naming the statement at fault and the includes and packages it came
///   through; for a constant, a package or a source of another crate's namespace, by
///   const evaluation, at the same place; in an assertion, an empty list, a path that
///   breaks the path rules, a path or namespace given twice, `mount`, `user` or an
///   unknown word in `unshared`, an unknown capability in `caps` (`assert caps [];`
///   with an empty list is none, and fine);
/// - a Landlock mode other than `strict`; `connect` or `bind_ports` in a namespace that
///   has no `landlock` (its own or included); a port over 65535, port 0 in `connect`,
///   a port twice in one list;
/// - an unknown limit, a limit twice in one list, an empty `limit []`, a size that is
///   neither a number of bytes nor digits with a suffix `K`, `M`, `G` or `T`
///   (`as("2 GB")`), a count or seconds written as a string (`nofile("1K")`), a value
///   of 2^64 - 1 or more (no limit);
/// - a `timeout` of 0, over a year (31536000 seconds), or not an integer; `timeout` with
///   `as_pid_1` (the time limit is kept by mountns's pid 1, which the program replaces);
/// - syntax errors.
///
/// ```compile_fail
/// mountns::namespace! {
///     static BAD = {
///         bind "usr/";                    // error: a target must be absolute
///         bind "/tmp/" [tmpfs, tmpfs];    // error: two tmpfs on one target
///     };
/// }
/// ```
#[doc(inline)]
pub use mountns_macros::namespace;
pub use mountns_runtime::{
    Caps, Error, Exposes, Exposure, Flags, Hidden, Kind, Landlock, Limit, MadeIn, Mount,
    Mountpoint, Namespace, Param, Reason, Resource, Source, Step, TIMED_OUT, Tmpfs, Unshare, Upper,
    Wanted,
};
#[cfg(feature = "std")]
pub use mountns_runtime::{CommandExt, Filled, Ids, Params};
#[doc(hidden)]
pub use mountns_runtime::{force_landlock_abi, force_legacy_unions};
pub use package::Package;

// The words of flags and namespaces are defined once, in `mountns_paths::words`, which
// the macro reads: the runtime's tables spell each constant with its word there, at
// the same position (a flag's bit is also its position).
const _: () = {
    use mountns_paths::words::{FLAGS, UNSHARE, position};
    assert!(Flags::ALL.len() == FLAGS.len() && Unshare::ALL.len() == UNSHARE.len());
    let mut i = 0;
    while i < Flags::ALL.len() {
        let (flag, word) = Flags::ALL[i];
        assert!(matches!(position(FLAGS, word), Some(at) if at == i) && flag.bits() == 1 << i);
        i += 1;
    }
    let mut i = 0;
    while i < Unshare::ALL.len() {
        assert!(matches!(position(UNSHARE, Unshare::ALL[i].1), Some(at) if at == i));
        i += 1;
    }
};

namespace! {
    /// What a program on a Debian-like host needs besides its own files. It mounts:
    ///
    /// | target | what |
    /// | --- | --- |
    /// | `/dev/` | a fresh `/dev`: `null`, `zero`, `full`, `random`, `urandom`, `tty`, a new `pts/`, a private `shm/` (`dev`) |
    /// | `/proc/` | a fresh procfs of the program's own pid namespace, its system knobs read-only (`proc`) |
    /// | `/usr/share/zoneinfo/` | time zone data, read-only |
    /// | `/etc/ssl/certs/` | CA certificates, read-only |
    /// | `/usr/share/ca-certificates/` | what those certificates link to, read-only |
    /// | `/etc/localtime` | the host's time zone, a read-only file bind |
    ///
    /// Include it with `include mountns::MINIMAL;`. Binaries and libraries (`/usr`,
    /// `/lib`...) are the includer's to bind. Its `proc` gives the table a pid
    /// namespace, so the program runs under an init of its own: enter it through
    /// [`CommandExt`], [`Namespace::exec`] or `launcher!`, not [`Namespace::enter`].
    /// The host's `/dev` and `/proc` are bound only by a table that says so
    /// (`bind dev "/dev/";`, `bind "/proc/";`).
    pub static MINIMAL = {
        dev "/dev/";
        proc "/proc/";
        bind ro ["/usr/share/zoneinfo/", "/etc/ssl/certs/", "/usr/share/ca-certificates/"];
        bind ro "/etc/localtime";
    };

    /// A default syscall policy, comparable to podman's and Flatpak's: a deny list of
    /// the kernel's attack surface that ordinary programs (a shell, Python, `make`,
    /// `gcc`) never need, failing `EPERM`. It mounts nothing; include it beside your
    /// mounts with `include mountns::DEFAULT_SYSCALLS;`.
    ///
    /// | refused | why |
    /// | --- | --- |
    /// | `@mount` (`mount`, `umount2`, `pivot_root`, `chroot`, the new mount API) | undoing the view |
    /// | `@module`, `@reboot` (`kexec_load`), `@swap`, `@raw-io`, `@clock` | the machine's, not a program's |
    /// | `@debug` (`ptrace`, `perf_event_open`, `pidfd_getfd`), `process_vm_readv`, `process_vm_writev` | reading and steering other processes |
    /// | `@keyring` (`keyctl`, `add_key`, `request_key`) | the keyrings are not namespaced |
    /// | `bpf`, `userfaultfd`, `io_uring_setup`, `io_uring_enter`, `io_uring_register` | frequent ways into kernel bugs |
    /// | `@cpu-emulation` (`modify_ldt`, `vm86`), `@obsolete` (`uselib`, `_sysctl`, `ustat`, ...) | old interfaces nobody needs |
    /// | `open_by_handle_at`, `name_to_handle_at` | open files by handle, past the view (the "shocker" escape) |
    /// | `acct`, `quotactl`, `quotactl_fd`, `nfsservctl`, `fanotify_init`, `syslog`, `vhangup`, `setns`, `migrate_pages`, `move_pages` | system-wide knobs and other namespaces |
    ///
    /// Also `no_userns;` (no nested user namespace: `unshare -U` fails, `clone3` fails
    /// `ENOSYS` so libcs fall back to `clone`) and `sockets [unix, inet, inet6,
    /// netlink];` (`AF_PACKET`, `AF_ALG`, `AF_VSOCK` and the rest fail `EAFNOSUPPORT`).
    pub static DEFAULT_SYSCALLS = {
        syscalls deny [
            @clock, @cpu-emulation, @debug, @keyring, @module, @mount, @obsolete, @raw-io,
            @reboot, @swap, acct, bpf, fanotify_init, io_uring_enter, io_uring_register,
            io_uring_setup, migrate_pages, move_pages, name_to_handle_at, nfsservctl,
            open_by_handle_at, process_vm_readv, process_vm_writev, quotactl, quotactl_fd,
            setns, syslog, userfaultfd, vhangup
        ];
        sockets [unix, inet, inet6, netlink];
        no_userns;
    };
}

// One text for both definitions below: the documentation is the same whichever
// features a build has.
#[doc = include_str!("launcher.md")]
#[cfg(all(feature = "launcher", not(feature = "std")))]
#[cfg_attr(docsrs, doc(cfg(feature = "launcher")))]
#[macro_export]
macro_rules! launcher {
    ($namespace:path $(,)?) => {
        const _: () = {
            #[cfg(not(target_feature = "crt-static"))]
            ::core::compile_error!(
                "a `mountns::launcher!` binary is linked static, without C start files or C library, and this build is not static: build it with the flags of mountns's `examples/tiny/.cargo/config.toml`: `-C target-feature=+crt-static -C relocation-model=static -C link-arg=-nostartfiles -C link-arg=-nostdlib`, for an explicit `--target`"
            );

            ::core::assert!(
                !$crate::__private::has_slots(&$namespace),
                "a launcher cannot fill `param(NAME)` sources: declare their host paths"
            );

            // The program start of `mountns` calls it by this name.
            #[unsafe(no_mangle)]
            fn mountns_launcher_main(args: ::mountns::__private::LauncherArgs) -> ! {
                ::mountns::__private::launcher_run(&$namespace, args)
            }

            #[panic_handler]
            fn panic(_: &::core::panic::PanicInfo<'_>) -> ! {
                ::mountns::__private::launcher_panicked()
            }
        };
    };
}

#[doc = include_str!("launcher.md")]
#[cfg(not(all(feature = "launcher", not(feature = "std"))))]
#[cfg_attr(docsrs, doc(cfg(feature = "launcher")))]
#[macro_export]
macro_rules! launcher {
    ($($namespace:tt)*) => {
        ::core::compile_error!(
            "`mountns::launcher!` writes the program start of a `#![no_std]` binary: depend on mountns with `default-features = false, features = [\"launcher\"]` (std's program start is libc's)"
        );
    };
}

#[doc(hidden)]
pub mod __private {
    pub use crate::assertions::{HiddenPath, assert_hidden, assert_read_only};
    pub use crate::package::{Layers, Message, Source, Wrap, split};
    pub use mountns_macros::namespace_resumed;
    pub use mountns_runtime::__private::*;
    pub use mountns_runtime::{
        Caps, Flags, Instruction, Kind, Limit, MadeIn, Mount, Mountpoint, Namespace, Param,
        Resource, Unshare,
    };
    #[cfg(all(feature = "launcher", not(feature = "std")))]
    pub use mountns_runtime::{LauncherArgs, launcher_panicked, launcher_run};

    /// The content of a `file` statement, whatever constant it was written as: a
    /// `&str` (`include_str!`), a `&[u8]` or a `&[u8; N]` (`include_bytes!`). Each type
    /// has its own `const fn bytes`, chosen by the compiler.
    pub struct Content<T>(pub T);

    /// What a `file` statement's content may be; any other type is a compile error
    /// saying so, at the expression.
    #[diagnostic::on_unimplemented(
        message = "a file's content is a `&str`, `&[u8]` or `&[u8; N]` constant, not `{Self}`",
        label = "not a `&str`, `&[u8]` or `&[u8; N]`",
        note = "write a string literal, a byte string literal, `include_str!(..)`, `include_bytes!(..)` or a constant of one of those types"
    )]
    pub trait FileContent {
        /// Always `Content<Self>`: a projection, so that a content of another type is
        /// one error, not also a missing method.
        type Content;
    }

    impl FileContent for &'static str {
        type Content = Content<Self>;
    }

    impl FileContent for &'static [u8] {
        type Content = Content<Self>;
    }

    impl<const N: usize> FileContent for &'static [u8; N] {
        type Content = Content<Self>;
    }

    /// The content of a `file` statement, checked to be of a type it may be.
    pub const fn content<T: FileContent<Content = Content<T>>>(value: T) -> T::Content {
        Content(value)
    }

    /// What `include` takes: a namespace.
    #[diagnostic::on_unimplemented(
        message = "`include` takes a namespace declared with `mountns::namespace!`, not `{Self}`",
        label = "not a namespace"
    )]
    pub trait Includable {}

    impl Includable for Namespace {}

    /// Checks, at compile time, that an include names a namespace.
    pub const fn included<T: Includable>(_: &T) {}

    impl Content<&'static str> {
        pub const fn bytes(self) -> &'static [u8] {
            self.0.as_bytes()
        }
    }

    impl Content<&'static [u8]> {
        pub const fn bytes(self) -> &'static [u8] {
            self.0
        }
    }

    impl<const N: usize> Content<&'static [u8; N]> {
        pub const fn bytes(self) -> &'static [u8] {
            self.0
        }
    }

    /// The content of a `file` of another namespace, the `row`th of its table: what an
    /// includer reads instead of an expression that may mean nothing in its crate.
    pub const fn included_content(namespace: &'static Namespace, row: usize) -> &'static [u8] {
        match namespace.mounts()[row].kind() {
            Kind::File { content } => content,
            _ => panic!("mountns internal error: an included file's row is not a file"),
        }
    }
}
