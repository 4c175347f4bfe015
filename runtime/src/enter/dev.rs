//! `dev`: a fresh `/dev` holding what programs expect of one and nothing else of the
//! host's. The host's `null`, `zero`, `full`, `random`, `urandom` and `tty` are bound
//! onto empty files (a user namespace may not make device nodes), a new devpts instance
//! gives terminals of its own, a private tmpfs the shared memory, and links point into
//! `/proc/self/fd` (and `core` to `/proc/kcore`).

use core::ffi::CStr;

use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
use rustix::fs::{self, FileType, Mode, OFlags};
use rustix::io::Errno;
use rustix::mount::MountAttrFlags;

use crate::enter::fsops::{DIRECTORY, attach, attach_at, clone_one, new_mount, open_beneath};
use crate::enter::roots::{Roots, open_source};
use crate::error::{Context, Error, Reason, Step};
use crate::sys;
use crate::table::private::param;
use crate::table::{DEV_ATTRIBUTES as ATTRIBUTES, Param, Source};

/// The host's nodes: the name in the new `/dev` and the host path bound there.
pub(crate) const NODES: [(&CStr, &CStr); 6] = [
    (c"null", c"/dev/null"),
    (c"zero", c"/dev/zero"),
    (c"full", c"/dev/full"),
    (c"random", c"/dev/random"),
    (c"urandom", c"/dev/urandom"),
    (c"tty", c"/dev/tty"),
];

/// The links of the new `/dev`, name and text. `core` points at the kernel's memory
/// image, as bubblewrap's `/dev` does (only a process with `CAP_SYS_RAWIO` in the
/// host's user namespace can read it).
const LINKS: [(&CStr, &CStr); 6] = [
    (c"ptmx", c"pts/ptmx"),
    (c"core", c"/proc/kcore"),
    (c"fd", c"/proc/self/fd"),
    (c"stdin", c"/proc/self/fd/0"),
    (c"stdout", c"/proc/self/fd/1"),
    (c"stderr", c"/proc/self/fd/2"),
];

/// The tmpfs of `/dev` itself: empty files, two directories and short links take no
/// pages; the size leaves room for the table's own entries under it.
const TMPFS: [Param; 2] = [param(c"mode", Some(c"0755")), param(c"size", Some(c"64k"))];

/// A devpts of its own, with every user's `ptmx`. No `gid=5`: in a user namespace the
/// tty group may not be mapped, and the kernel then refuses the mount.
const DEVPTS: [Param; 3] = [
    param(c"newinstance", None),
    param(c"ptmxmode", Some(c"0666")),
    param(c"mode", Some(c"0620")),
];

/// `/dev/shm`, writable by all as on the host, but only the sandbox's.
const SHM: [Param; 1] = [param(c"mode", Some(c"1777"))];

const NOSUID: MountAttrFlags = MountAttrFlags::MOUNT_ATTR_NOSUID;
const NODEV: MountAttrFlags = MountAttrFlags::MOUNT_ATTR_NODEV;
const NOEXEC: MountAttrFlags = MountAttrFlags::MOUNT_ATTR_NOEXEC;

/// How many `dev` entries a table may have: their tmpfs stay writable until the seal,
/// for the mountpoints of the entries under them, and are held here until then.
const MAX_DEVS: usize = 8;

/// The tmpfs of each `dev` mounted so far, with its entry.
pub(super) struct Devs {
    mounted: [Option<(Context, OwnedFd)>; MAX_DEVS],
}

impl Devs {
    pub(super) const fn new() -> Devs {
        Devs {
            mounted: [const { None }; MAX_DEVS],
        }
    }

    fn push(&mut self, context: Context, dev: OwnedFd) -> Result<(), Errno> {
        let free = self.mounted.iter_mut().find(|slot| slot.is_none());
        *free.ok_or(Errno::NOSPC)? = Some((context, dev));
        Ok(())
    }

    /// Makes each `dev`'s own tmpfs read-only, not what is mounted in it: `pts` and
    /// `shm` stay writable.
    pub(super) fn seal(&self) -> Result<(), Error> {
        for (context, dev) in self.mounted.iter().flatten() {
            context.step(Step::Dev, || {
                sys::mount_setattr(dev.as_fd(), false, MountAttrFlags::MOUNT_ATTR_RDONLY)
            })?;
        }
        Ok(())
    }
}

/// Builds a `/dev` on `mountpoint`.
pub(super) fn build(
    roots: &Roots,
    devs: &mut Devs,
    mountpoint: &OwnedFd,
    context: Context,
) -> Result<(), Error> {
    let fail = context.begin(Step::Dev)?;
    let dev = new_mount(c"tmpfs", &TMPFS, ATTRIBUTES).map_err(fail)?;
    attach(&dev, mountpoint).map_err(fail)?;
    // `dev` still names the mount, now attached: what follows goes into it.
    for (name, host) in NODES {
        let node = context.with_source(Source::Host(host));
        bind_node(roots, dev.as_fd(), name, host).map_err(|errno| match errno {
            Errno::NODEV => node.fail(Step::Dev)(errno).because(Reason::NotADevice),
            _ => node.fail(Step::Dev)(errno),
        })?;
    }
    mount_in(dev.as_fd(), c"pts", c"devpts", &DEVPTS, NOSUID | NOEXEC).map_err(fail)?;
    mount_in(dev.as_fd(), c"shm", c"tmpfs", &SHM, NOSUID | NODEV).map_err(fail)?;
    for (name, text) in LINKS {
        fs::symlinkat(text, &dev, name).map_err(fail)?;
    }
    devs.push(context, dev).map_err(fail)
}

/// Binds the host's character device `host` onto a new empty file `name` of `dev`. The
/// host's node is opened as a source is (as the host resolves it, never outside its
/// root) and must be a character device: a host that put something else at
/// `/dev/null` does not get it into the sandbox.
fn bind_node(
    roots: &Roots,
    dev: BorrowedFd<'_>,
    name: &CStr,
    host: &'static CStr,
) -> Result<(), Errno> {
    let node = open_source(roots, Source::Host(host), OFlags::empty())?;
    if !FileType::from_raw_mode(fs::fstat(&node)?.st_mode).is_char_device() {
        return Err(Errno::NODEV);
    }
    // An empty file to mount on, made where nothing is (EEXIST otherwise): in the
    // fresh tmpfs of this `dev`, which only we write to, the node is then found by its
    // name as it is attached.
    fs::mknodat(
        dev,
        name,
        FileType::RegularFile,
        Mode::from_raw_mode(0o644),
        0,
    )?;
    // That node alone, not the host's /dev around it; nosuid and noexec, but not nodev.
    attach_at(&clone_one(node.as_fd(), NOSUID | NOEXEC)?, dev, name)
}

/// Mounts a new filesystem of type `fstype` on a new directory `name` of `dev`.
fn mount_in(
    dev: BorrowedFd<'_>,
    name: &CStr,
    fstype: &CStr,
    params: &[Param],
    attributes: MountAttrFlags,
) -> Result<(), Errno> {
    fs::mkdirat(dev, name, Mode::from_raw_mode(0o755))?;
    let dir = open_beneath(dev, name, DIRECTORY)?;
    attach(&new_mount(fstype, params, attributes)?, &dir)
}
