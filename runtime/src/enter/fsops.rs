//! The file and mount operations every step uses: lookups that never leave a root,
//! creating paths, and the new mount API's calls (a detached mount made, cloned,
//! configured and attached by descriptor).

use core::ffi::CStr;

use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
use rustix::fs::{self, AtFlags, FileType, Mode, OFlags, ResolveFlags};
use rustix::io::Errno;
use rustix::mount::{
    self, FsMountFlags, FsOpenFlags, MountAttrFlags, MoveMountFlags, OpenTreeFlags,
};

use crate::stack::StackBuf;
use crate::sys;
use crate::table::{Param, Tmpfs};

/// Linux's `PATH_MAX`, NUL included.
pub(super) const PATH_MAX: usize = 4096;

pub(super) type PathBuf = StackBuf<PATH_MAX>;

/// A name of ours outside the new root: `/u{n}/upper`, `/l{n}`.
pub(super) type ScratchName = StackBuf<32>;

/// One component of a path, NUL-terminated: `NAME_MAX` bytes at most.
pub(super) type NameBuf = StackBuf<256>;

/// A directory, opened as a path only (`O_PATH | O_DIRECTORY | O_CLOEXEC`).
pub(super) const DIRECTORY: OFlags = OFlags::PATH.union(OFlags::DIRECTORY).union(OFlags::CLOEXEC);

pub(super) const RESOLVE: ResolveFlags = ResolveFlags::IN_ROOT.union(ResolveFlags::NO_MAGICLINKS);

/// How often to retry an `openat2` that a concurrent mount or rename made fail.
pub(super) const RESOLVE_TRIES: u32 = 64;

/// `openat2(dir, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)`: never leaves
/// `dir`. The kernel answers EAGAIN when a mount or rename anywhere races with a `..`
/// it resolves, and asks the caller to try again.
pub(super) fn open_in_root(dir: impl AsFd, path: &CStr, flags: OFlags) -> Result<OwnedFd, Errno> {
    openat2_retried(dir.as_fd(), path, flags, RESOLVE)
}

/// `openat2`, tried again (at most `RESOLVE_TRIES` times in all) while it answers EAGAIN.
pub(super) fn openat2_retried(
    dir: BorrowedFd<'_>,
    path: &CStr,
    flags: OFlags,
    resolve: ResolveFlags,
) -> Result<OwnedFd, Errno> {
    let mut tries = RESOLVE_TRIES;
    loop {
        match fs::openat2(dir, path, flags, Mode::empty(), resolve) {
            Err(Errno::AGAIN) if tries > 1 => tries -= 1,
            done => return done,
        }
    }
}

/// `open_in_root`, refusing every symbolic link on the way (ELOOP), magic or not. A
/// trailing link is opened itself when `flags` has `O_PATH | O_NOFOLLOW`.
pub(super) fn open_beneath(
    dir: BorrowedFd<'_>,
    path: &CStr,
    flags: OFlags,
) -> Result<OwnedFd, Errno> {
    openat2_retried(dir, path, flags, RESOLVE | ResolveFlags::NO_SYMLINKS)
}

/// `open_beneath`, crossing no mount either (EXDEV): what it opens lies on `dir`'s
/// mount.
pub(super) fn open_on_mount(
    dir: BorrowedFd<'_>,
    path: &CStr,
    flags: OFlags,
) -> Result<OwnedFd, Errno> {
    let resolve = RESOLVE | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_XDEV;
    openat2_retried(dir, path, flags, resolve)
}

/// `target` without its leading slashes, `.` for the root itself.
pub(super) fn relative(path: &CStr) -> &CStr {
    let mut path = path;
    while let Some(rest) = path.to_bytes_with_nul().strip_prefix(b"/") {
        path = CStr::from_bytes_with_nul(rest).unwrap_or(c".");
    }
    if path.is_empty() { c"." } else { path }
}

/// Creates a directory, or an empty file, at `name` under `dir` with `mode`: whether
/// it did; one that exists is fine (and left as it is).
pub(super) fn create(
    dir: BorrowedFd<'_>,
    name: &CStr,
    is_dir: bool,
    mode: u32,
) -> Result<bool, Errno> {
    let created = if is_dir {
        make_dir(dir, name, mode)
    } else {
        new_file(dir, name, mode).map(drop)
    };
    match created {
        Ok(()) => Ok(true),
        Err(Errno::EXIST) => Ok(false),
        Err(errno) => Err(errno),
    }
}

/// Creates the directory `name` under `dir` with `mode`, set-group-id included, which
/// `mkdir` leaves out (sticky it keeps).
pub(super) fn make_dir(dir: BorrowedFd<'_>, name: &CStr, mode: u32) -> Result<(), Errno> {
    fs::mkdirat(dir, name, Mode::from_raw_mode(mode))?;
    if mode & 0o2000 == 0 {
        return Ok(());
    }
    fs::chmodat(dir, name, Mode::from_raw_mode(mode), AtFlags::empty())
}

/// Creates the file `name` under `dir` with `mode`, open for writing: EEXIST if
/// anything is there already, a link included (never followed).
pub(super) fn new_file(dir: BorrowedFd<'_>, name: &CStr, mode: u32) -> Result<OwnedFd, Errno> {
    let flags = OFlags::CREATE | OFlags::EXCL | OFlags::WRONLY | OFlags::NOFOLLOW;
    fs::openat(
        dir,
        name,
        flags | OFlags::CLOEXEC,
        Mode::from_raw_mode(mode),
    )
}

pub(super) fn is_dir(fd: &OwnedFd) -> Result<bool, Errno> {
    Ok(FileType::from_raw_mode(fs::fstat(fd)?.st_mode).is_dir())
}

/// Moves a detached mount onto the mountpoint fd.
pub(super) fn attach(mount: &OwnedFd, mountpoint: &OwnedFd) -> Result<(), Errno> {
    mount::move_mount(
        mount,
        c"",
        mountpoint,
        c"",
        MoveMountFlags::MOVE_MOUNT_F_EMPTY_PATH | MoveMountFlags::MOVE_MOUNT_T_EMPTY_PATH,
    )
}

/// Attaches the detached `mount` on `name` under `dir`: one lookup step that follows
/// no link (a link there is mounted over, and a directory tree fails ENOTDIR on one)
/// but crosses mounts and triggers an automount, as opening `name` `O_DIRECTORY` does.
pub(super) fn attach_at(mount: &OwnedFd, dir: BorrowedFd<'_>, name: &CStr) -> Result<(), Errno> {
    mount::move_mount(
        mount,
        c"",
        dir,
        name,
        MoveMountFlags::MOVE_MOUNT_F_EMPTY_PATH | MoveMountFlags::MOVE_MOUNT_T_AUTOMOUNTS,
    )
}

/// A detached recursive clone of the tree at `dir`. Recursive: a plain clone of a tree
/// with locked submounts fails in a user namespace, and submounts are part of what the
/// host shows there.
pub(crate) fn clone_tree(dir: impl AsFd) -> Result<OwnedFd, Errno> {
    mount::open_tree(
        dir,
        c"",
        OpenTreeFlags::AT_EMPTY_PATH
            | OpenTreeFlags::OPEN_TREE_CLONE
            | OpenTreeFlags::AT_RECURSIVE
            | OpenTreeFlags::OPEN_TREE_CLOEXEC,
    )
}

/// A detached tmpfs with the table's options and `attributes`.
pub(super) fn new_tmpfs(tmpfs: Tmpfs, attributes: MountAttrFlags) -> Result<OwnedFd, Errno> {
    new_mount(c"tmpfs", tmpfs.params(), attributes)
}

/// A detached new mount of a filesystem of type `fstype` with `params`.
pub(super) fn new_mount(
    fstype: &CStr,
    params: &[Param],
    attributes: MountAttrFlags,
) -> Result<OwnedFd, Errno> {
    new_mount_with(fstype, attributes, |fs| {
        for param in params {
            match param.value() {
                Some(value) => mount::fsconfig_set_string(fs, param.key(), value)?,
                None => mount::fsconfig_set_flag(fs, param.key())?,
            }
        }
        Ok(())
    })
}

/// A detached new mount of a filesystem of type `fstype`, configured by `configure`.
pub(super) fn new_mount_with(
    fstype: &CStr,
    attributes: MountAttrFlags,
    configure: impl FnOnce(&OwnedFd) -> Result<(), Errno>,
) -> Result<OwnedFd, Errno> {
    let fs = mount::fsopen(fstype, FsOpenFlags::FSOPEN_CLOEXEC)?;
    configure(&fs)?;
    mount::fsconfig_create(&fs)?;
    mount::fsmount(&fs, FsMountFlags::FSMOUNT_CLOEXEC, attributes)
}

/// Binds the mount at `from`, that mount alone, onto `onto` with `attributes`: for a
/// host's device node, a file of ours or an entry of a fresh procfs, none of which has
/// mounts below it (in a user namespace, a clone that would leave locked submounts
/// behind fails).
pub(super) fn bind_one(
    from: impl AsFd,
    attributes: MountAttrFlags,
    onto: &OwnedFd,
) -> Result<(), Errno> {
    attach(&clone_one(from.as_fd(), attributes)?, onto)
}

/// A detached clone of the one mount at `from`, with `attributes`.
pub(super) fn clone_one(
    from: BorrowedFd<'_>,
    attributes: MountAttrFlags,
) -> Result<OwnedFd, Errno> {
    clone_flagged(from, false, attributes).map_err(|(_, errno)| errno)
}

/// Which call of [`clone_flagged`] failed: the clone, or setting its flags.
#[derive(Clone, Copy)]
pub(super) enum Failed {
    Clone,
    Flags,
}

/// A detached clone of the mount at `from` (`recursive`: of its tree), with `attributes`
/// on each of its mounts: in one call where the kernel can (6.15), else in two, whose
/// error says which failed.
pub(super) fn clone_flagged(
    from: BorrowedFd<'_>,
    recursive: bool,
    attributes: MountAttrFlags,
) -> Result<OwnedFd, (Failed, Errno)> {
    if let Ok(tree) = sys::clone_tree_with(from, recursive, attributes) {
        return Ok(tree);
    }
    let tree = if recursive {
        clone_tree(from)
    } else {
        mount::open_tree(
            from,
            c"",
            OpenTreeFlags::AT_EMPTY_PATH
                | OpenTreeFlags::OPEN_TREE_CLONE
                | OpenTreeFlags::OPEN_TREE_CLOEXEC,
        )
    };
    let tree = tree.map_err(|errno| (Failed::Clone, errno))?;
    sys::mount_setattr(tree.as_fd(), recursive, attributes)
        .map_err(|errno| (Failed::Flags, errno))?;
    Ok(tree)
}
