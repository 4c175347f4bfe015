//! The user namespace: made when the caller is not root (or root is refused a mount
//! namespace), with the caller's ids mapped to those the table chooses; and what tells
//! whether ids may be switched at all.

use core::ffi::CStr;
use core::fmt::Write as _;

use rustix::fs::{self, Mode, OFlags};
use rustix::io::Errno;
use rustix::process::{self, DumpableBehavior, Gid, Uid};
use rustix::thread::UnshareFlags;

use crate::enter::fsops::DIRECTORY;
use crate::error::{Context, Error, Reason, Step};
use crate::stack::StackBuf;
use crate::sys;
use crate::table::{Identity, Unshare};

/// Who owns what the table makes for its program, when that is not whoever enters:
/// root entering to run the program as another user.
#[derive(Clone, Copy)]
pub(crate) struct Owner {
    pub(crate) uid: Option<Uid>,
    pub(crate) gid: Option<Gid>,
}

/// The caller's effective ids outside a user namespace it made: what the namespace
/// maps the program's ids to.
#[derive(Clone, Copy)]
pub(super) struct Mapping {
    uid: Uid,
    gid: Gid,
}

/// Makes a mount namespace and the `other` namespaces in this process, inside a new
/// user namespace (which then owns them all) unless we are root. Returns whether it
/// made a user namespace, where the caller is mapped to the uid and gid of `identity`
/// (its own if none is chosen).
pub(super) fn unshare(other: Unshare, identity: Identity) -> Result<(bool, OwnMounts), Error> {
    let ((), mapping) = make(UnshareFlags::NEWNS, other, identity, sys::unshare)?;
    if let Some(mapping) = mapping {
        map(mapping, identity)?;
    }
    Ok((mapping.is_some(), OwnMounts(())))
}

/// That this process is in a mount namespace that entering made: what the mount steps
/// take, made only here, so that none of them can run in the caller's namespace (where
/// making `/` private and pivoting would change the host's).
pub(super) struct OwnMounts(());

/// What [`fork_into`] left of the child's mount namespace: made with the fork, or to
/// make once the child has started what may start first ([`MountsPending::make`]).
#[derive(Clone, Copy)]
pub(super) struct MountsPending {
    later: bool,
}

impl MountsPending {
    /// Not known to be made: [`MountsPending::make`] makes one (the safe side).
    pub(super) const UNKNOWN: MountsPending = MountsPending { later: true };

    /// The child's mount namespace, made now unless the fork made it.
    pub(super) fn make(self) -> Result<OwnMounts, Error> {
        if self.later {
            Context::NONE.step(Step::Unshare, || sys::unshare(UnshareFlags::NEWNS))?;
        }
        Ok(OwnMounts(()))
    }
}

/// [`unshare`] for a child: forks a process made in the new namespaces, while this one
/// stays where it is; with `mounts_later`, the child makes its mount namespace itself,
/// once it has started what may start first. Returns the child's pid here, `None` in
/// the child, the user namespace's [`Mapping`], which the child writes with [`map`]
/// before anything else, and its mount namespace to [`MountsPending::make`].
///
/// `mounts_later` is taken only with `other` not empty: every namespace but a user
/// namespace takes `CAP_SYS_ADMIN`, so that root without it (in a container) is still
/// refused here, as it would be refused the mount namespace, and gets a user namespace
/// instead; with none, the fork makes the mount namespace.
pub(super) fn fork_into(
    other: Unshare,
    identity: Identity,
    mounts_later: bool,
) -> Result<(Option<i32>, Option<Mapping>, MountsPending), Error> {
    let later = mounts_later && other != Unshare::NONE;
    let mounts = if later {
        UnshareFlags::empty()
    } else {
        UnshareFlags::NEWNS
    };
    let (forked, mapping) = make(mounts, other, identity, sys::process::fork_into)?;
    Ok((forked, mapping, MountsPending { later }))
}

/// Makes the namespaces with `how` (`unshare`, or a fork into them): `mounts` (a mount
/// namespace, or none) and `other`, as root without a user namespace if the kernel
/// lets it, else with one, after the checks that a user namespace needs. Returns what
/// `how` returned, and the mapping to write if it made a user namespace.
fn make<T>(
    mounts: UnshareFlags,
    other: Unshare,
    identity: Identity,
    mut how: impl FnMut(UnshareFlags) -> Result<T, Errno>,
) -> Result<(T, Option<Mapping>), Error> {
    let namespaces = mounts | UnshareFlags::from_bits_retain(other.bits());
    // The kernel accepts only a map of the *effective* ids of an unprivileged writer.
    let mapping = Mapping {
        uid: process::geteuid(),
        gid: process::getegid(),
    };
    if mapping.uid.is_root() {
        match Context::NONE.step(Step::Unshare, || how(namespaces)) {
            Ok(made) => return Ok((made, None)),
            // Root without CAP_SYS_ADMIN (in a container): try a user namespace.
            Err(error) if error.errno() == Errno::PERM.raw_os_error() => {}
            Err(error) => return Err(error),
        }
    }
    // A process that switched ids (std's `Command::uid` does, before pre_exec hooks) or
    // is set-id is not dumpable, so /proc/self/uid_map belongs to the host's root and
    // cannot be written. Making it dumpable would let any process of its new uid read
    // its memory and take its descriptors, copies of a privileged parent's until exec:
    // refuse, and name the way that works (enter as root, then switch ids).
    if process::dumpable_behavior().ok() != Some(DumpableBehavior::Dumpable) {
        return Err(Error::new(Step::UserNamespace, Errno::PERM).because(Reason::NotDumpable));
    }
    // `deny` below keeps the caller's own groups, which nothing can change.
    if identity.groups.is_some() {
        return Err(Error::new(Step::Ids, Errno::PERM).because(Reason::GroupsWithoutRoot));
    }
    let made = Context::NONE.step(Step::UserNamespace, || {
        how(UnshareFlags::NEWUSER | namespaces)
    })?;
    Ok((made, Some(mapping)))
}

/// Maps the program's ids in the user namespace this process was just made in to the
/// caller's outside (`mapping`), the only map the kernel lets an unprivileged process
/// write, with `setgroups` denied first, as it demands.
pub(super) fn map(mapping: Mapping, identity: Identity) -> Result<(), Error> {
    let none = Context::NONE;
    none.step(Step::Setgroups, || {
        write_proc(c"/proc/self/setgroups", b"deny")
    })?;
    let mut line = StackBuf::<64>::new();
    let inside = identity.uid.unwrap_or(mapping.uid.as_raw());
    let _ = write!(line, "{inside} {} 1", mapping.uid.as_raw());
    none.step(Step::UidMap, || {
        write_proc(c"/proc/self/uid_map", line.as_bytes())
    })?;
    line.clear();
    let inside = identity.gid.unwrap_or(mapping.gid.as_raw());
    let _ = write!(line, "{inside} {} 1", mapping.gid.as_raw());
    none.step(Step::GidMap, || {
        write_proc(c"/proc/self/gid_map", line.as_bytes())
    })
}

/// How many threads this process has: the kernel counts them in the links of
/// `/proc/self/task` (two more than the threads), read without allocating.
pub(super) fn threads() -> Result<u32, Errno> {
    let task = fs::open(c"/proc/self/task", DIRECTORY, Mode::empty())?;
    if fs::fstatfs(&task)?.f_type != fs::PROC_SUPER_MAGIC {
        return Err(Errno::XDEV);
    }
    let links = fs::fstat(&task)?.st_nlink;
    u32::try_from(links.saturating_sub(2)).map_err(|_| Errno::OVERFLOW)
}

/// Writes `contents` to a file of /proc, after checking that it is procfs: a mount over
/// /proc could fake it (CVE-2019-16884).
pub(super) fn write_proc(path: &CStr, contents: &[u8]) -> Result<(), Errno> {
    let file = fs::open(path, OFlags::WRONLY | OFlags::CLOEXEC, Mode::empty())?;
    if fs::fstatfs(&file)?.f_type != fs::PROC_SUPER_MAGIC {
        return Err(Errno::XDEV);
    }
    match rustix::io::write(&file, contents)? {
        written if written == contents.len() => Ok(()),
        _ => Err(Errno::IO),
    }
}
