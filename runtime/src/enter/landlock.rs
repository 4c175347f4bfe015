//! `landlock;`: after the switch to the new root, a Landlock ruleset derived from the
//! mount table, so that the program reaches files only as the table allows whatever
//! it does to its mounts (once a filesystem ruleset holds, the kernel refuses `mount`,
//! `umount` and `pivot_root` even to `CAP_SYS_ADMIN`).
//!
//! Each mount's root gets a path-beneath rule with the rights its kind and flags give;
//! the new root's own tmpfs, only listing. Landlock's rights add up down a path, so a
//! mount nested in a writable one gets write rights too, and its own mount flags (which
//! nothing inside can change any more) keep it read-only. Paths outside the new root
//! (the host's, reached through a descriptor the caller left open) match no rule.
//!
//! The kernel's Landlock ABI decides what is handled: what it lacks is left out (best
//! effort), unless the table says `landlock strict;`, which fails instead. Everything
//! here allocates nothing: one `O_PATH` descriptor at a time, rules from the table.

use core::sync::atomic::{AtomicU32, Ordering};

use linux_raw_sys::landlock::{
    LANDLOCK_ACCESS_FS_EXECUTE, LANDLOCK_ACCESS_FS_IOCTL_DEV, LANDLOCK_ACCESS_FS_MAKE_BLOCK,
    LANDLOCK_ACCESS_FS_MAKE_CHAR, LANDLOCK_ACCESS_FS_MAKE_DIR, LANDLOCK_ACCESS_FS_MAKE_FIFO,
    LANDLOCK_ACCESS_FS_MAKE_REG, LANDLOCK_ACCESS_FS_MAKE_SOCK, LANDLOCK_ACCESS_FS_MAKE_SYM,
    LANDLOCK_ACCESS_FS_READ_DIR, LANDLOCK_ACCESS_FS_READ_FILE, LANDLOCK_ACCESS_FS_REFER,
    LANDLOCK_ACCESS_FS_REMOVE_DIR, LANDLOCK_ACCESS_FS_REMOVE_FILE, LANDLOCK_ACCESS_FS_TRUNCATE,
    LANDLOCK_ACCESS_FS_WRITE_FILE, LANDLOCK_ACCESS_NET_BIND_TCP, LANDLOCK_ACCESS_NET_CONNECT_TCP,
    LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET, LANDLOCK_SCOPE_SIGNAL,
};
use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
use rustix::fs::{self, Mode, OFlags};
use rustix::io::Errno;

use crate::enter::fsops::{DIRECTORY, open_beneath, relative};
use crate::error::{Context, Error, Reason, Step};
use crate::policy::Landlock;
use crate::sys::landlock as sys;
use crate::table::{Kind, Mount, Namespace};

/// Reading: files and directory listings.
const READ: u64 = (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR) as u64;
const EXECUTE: u64 = LANDLOCK_ACCESS_FS_EXECUTE as u64;
/// Writing, creating, removing, renaming and truncating; never device nodes.
const WRITE: u64 = (LANDLOCK_ACCESS_FS_WRITE_FILE
    | LANDLOCK_ACCESS_FS_REMOVE_DIR
    | LANDLOCK_ACCESS_FS_REMOVE_FILE
    | LANDLOCK_ACCESS_FS_MAKE_DIR
    | LANDLOCK_ACCESS_FS_MAKE_REG
    | LANDLOCK_ACCESS_FS_MAKE_SOCK
    | LANDLOCK_ACCESS_FS_MAKE_FIFO
    | LANDLOCK_ACCESS_FS_MAKE_SYM
    | LANDLOCK_ACCESS_FS_REFER
    | LANDLOCK_ACCESS_FS_TRUNCATE) as u64;
const READ_DIR: u64 = LANDLOCK_ACCESS_FS_READ_DIR as u64;
const CONNECT: u64 = LANDLOCK_ACCESS_NET_CONNECT_TCP as u64;
const BIND: u64 = LANDLOCK_ACCESS_NET_BIND_TCP as u64;
/// Abstract unix sockets and signals of processes outside the sandbox (ABI 6).
const SCOPES: u64 = (LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL) as u64;
/// The `ioctl`s of device files (a terminal's job control among them).
const DEVICE: u64 = LANDLOCK_ACCESS_FS_IOCTL_DEV as u64;
/// The rights the kernel takes on a rule for a file rather than a directory.
const ON_A_FILE: u64 = (LANDLOCK_ACCESS_FS_EXECUTE
    | LANDLOCK_ACCESS_FS_WRITE_FILE
    | LANDLOCK_ACCESS_FS_READ_FILE
    | LANDLOCK_ACCESS_FS_TRUNCATE
    | LANDLOCK_ACCESS_FS_IOCTL_DEV) as u64;

/// The filesystem rights of ABI 1: every right up to `MAKE_SYM`.
const ABI_1: u64 = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) as u64 - 1;

/// Every filesystem right this ABI knows.
const fn handled_fs(abi: u32) -> u64 {
    let mut rights = if abi >= 1 { ABI_1 } else { 0 };
    if abi >= 2 {
        rights |= LANDLOCK_ACCESS_FS_REFER as u64;
    }
    if abi >= 3 {
        rights |= LANDLOCK_ACCESS_FS_TRUNCATE as u64;
    }
    if abi >= 5 {
        rights |= DEVICE;
    }
    rights
}

/// What a feature of the table needs: the ABI, and the feature as an error names it.
struct Feature {
    abi: u8,
    name: &'static str,
}

/// Each feature `landlock;` uses, by the ABI that brought it; `net` only with ports.
const FEATURES: [Feature; 5] = [
    Feature {
        abi: 1,
        name: "file access rules",
    },
    Feature {
        abi: 2,
        name: "renaming and linking files between directories (REFER)",
    },
    Feature {
        abi: 3,
        name: "the truncation right",
    },
    Feature {
        abi: 4,
        name: "TCP port rules",
    },
    Feature {
        abi: 6,
        name: "the scopes of abstract unix sockets and signals",
    },
];

/// The ABI a table's rules need in full: its scopes' (6). Device ioctls (5) come
/// before that.
const NEEDED: u8 = 6;

/// A cap on the ABI used, for tests of older kernels: 0 for none, else the cap + 1.
static FORCED_ABI: AtomicU32 = AtomicU32::new(0);

/// Makes entering use at most Landlock ABI `abi` (`Some(0)`: as if the kernel had no
/// Landlock), in this process and the children it forks from now on; `None` uses the
/// kernel's. For tests of older kernels; hidden from the docs.
#[doc(hidden)]
pub fn force_landlock_abi(abi: Option<u32>) {
    FORCED_ABI.store(
        abi.map_or(0, |abi| abi.saturating_add(1)),
        Ordering::Relaxed,
    );
}

/// The ABI to use: the kernel's (0 without Landlock), capped by [`force_landlock_abi`].
fn abi() -> u32 {
    let kernel = sys::abi().unwrap_or(0);
    match FORCED_ABI.load(Ordering::Relaxed) {
        0 => kernel,
        cap => kernel.min(cap - 1),
    }
}

/// Restricts this process (and what it forks and executes) with the Landlock ruleset
/// of `ns`. Runs after the switch to the new root and `no_new_privs`.
pub(super) fn restrict(ns: &'static Namespace, landlock: Landlock) -> Result<(), Error> {
    let fail = Context::NONE.begin(Step::Landlock)?;
    let abi = abi();
    let ports = landlock.connect().is_some() || landlock.bind_ports().is_some();
    if landlock.is_strict() && abi < u32::from(NEEDED) {
        let lacking = FEATURES
            .iter()
            .find(|feature| u32::from(feature.abi) > abi && (feature.abi != 4 || ports))
            .unwrap_or(&FEATURES[FEATURES.len() - 1]);
        return Err(fail(Errno::NOTSUP).because(Reason::LandlockAbi {
            needed: NEEDED,
            found: u8::try_from(abi).unwrap_or(u8::MAX),
            lacks: lacking.name,
            lacks_abi: lacking.abi,
        }));
    }
    if abi == 0 {
        // Best effort, and nothing to apply.
        return Ok(());
    }
    let handled = handled_fs(abi);
    let mut net = 0;
    if abi >= 4 {
        if landlock.connect().is_some() {
            net |= CONNECT;
        }
        if landlock.bind_ports().is_some() {
            net |= BIND;
        }
    }
    let scoped = if abi >= 6 { SCOPES } else { 0 };
    let ruleset = sys::create_ruleset(handled, net, scoped).map_err(fail)?;
    let rules = Rules {
        ruleset: ruleset.as_fd(),
        handled,
    };
    let root = fs::open(c"/", DIRECTORY, Mode::empty()).map_err(fail)?;
    // The new root's own tmpfs holds only mountpoints: listing them is all. A mount on
    // `/` covers it and brings its own rights.
    if !ns.mounts().iter().any(|mount| mount.target() == c"/") {
        rules.allow(root.as_fd(), READ_DIR, true).map_err(fail)?;
    }
    for mount in ns.mounts() {
        rules.mount(root.as_fd(), mount)?;
    }
    if net != 0 {
        let ports = [(landlock.connect(), CONNECT), (landlock.bind_ports(), BIND)];
        for (ports, access) in ports {
            for &port in ports.unwrap_or_default() {
                sys::allow_port(rules.ruleset, port, access).map_err(fail)?;
            }
        }
    }
    sys::restrict_self(rules.ruleset).map_err(fail)
}

/// The ruleset being filled, and the rights it handles.
struct Rules<'a> {
    ruleset: BorrowedFd<'a>,
    handled: u64,
}

impl Rules<'_> {
    /// Allows `rights` (those handled; on a file, those a file takes) beneath `fd`.
    fn allow(&self, fd: BorrowedFd<'_>, rights: u64, dir: bool) -> Result<(), Errno> {
        let mut rights = rights & self.handled;
        if !dir {
            rights &= ON_A_FILE;
        }
        if rights == 0 {
            return Ok(());
        }
        sys::allow_beneath(self.ruleset, fd, rights)
    }

    /// The rule of one mount of the table, on its root inside the new root; a `dev`
    /// also gets one on its private `shm`.
    fn mount(&self, root: BorrowedFd<'_>, mount: &'static Mount) -> Result<(), Error> {
        let Some(rights) = rights(mount) else {
            return Ok(());
        };
        let context = Context::of(mount);
        let fail = context.fail(Step::Landlock);
        let mut flags = OFlags::PATH | OFlags::CLOEXEC;
        if mount.is_dir() {
            flags |= OFlags::DIRECTORY;
        } else {
            flags |= OFlags::NOFOLLOW;
        }
        let opened: OwnedFd = open_beneath(root, relative(mount.target()), flags).map_err(fail)?;
        self.allow(opened.as_fd(), rights, mount.is_dir())
            .map_err(fail)?;
        if mount.kind() == Kind::Dev {
            let shm = open_beneath(opened.as_fd(), c"shm", DIRECTORY).map_err(fail)?;
            self.allow(shm.as_fd(), READ | EXECUTE | WRITE, true)
                .map_err(fail)?;
        }
        Ok(())
    }
}

/// What a mount of the table allows, as its kind and flags say; `None` for a `dir` or
/// `symlink`, which its parent covers.
const fn rights(mount: &Mount) -> Option<u64> {
    let flags = mount.flags();
    let execute = if flags.is_noexec() { 0 } else { EXECUTE };
    let device = if flags.is_dev() { DEVICE } else { 0 };
    Some(match mount.kind() {
        // A union without an upper is read-only, declared `ro` or not.
        Kind::Union { upper: None, .. } => READ | execute | device,
        Kind::Bind { .. } if flags.is_read_only() => READ | execute | device,
        Kind::Bind { .. } | Kind::Union { .. } | Kind::Tmpfs(_) => READ | execute | WRITE | device,
        // What reading `/proc/self` needs; the covers and the rest of the procfs stay
        // read-only whatever the mounts do.
        Kind::Proc => READ,
        // Its nodes (a terminal's ioctls too), and `pts`; `shm` has a rule of its own.
        Kind::Dev => READ | LANDLOCK_ACCESS_FS_WRITE_FILE as u64 | DEVICE,
        // A `file rw` is its own copy, writable (never truncated away: it is a mount).
        Kind::File { .. } | Kind::FileParam { .. } if flags.is_rw() => {
            (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE) as u64
        }
        Kind::File { .. } | Kind::FileParam { .. } => LANDLOCK_ACCESS_FS_READ_FILE as u64,
        Kind::Dir | Kind::Symlink { .. } => return None,
    })
}

// Never handed out: device nodes are made by nobody inside.
const _: () =
    assert!(WRITE & (LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_BLOCK) as u64 == 0);
