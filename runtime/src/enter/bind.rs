//! `bind`: a recursive clone of a host tree (or of a slot's), with the table's flags on
//! every mount of it, attached on the mountpoint.

use core::ffi::CStr;

use rustix::fd::{AsFd as _, BorrowedFd, OwnedFd};
use rustix::fs::OFlags;
use rustix::io::Errno;

use crate::enter::fsops::{attach, attach_at, clone_tree, is_dir};
use crate::enter::roots::{Roots, is_file, open_source};
use crate::error::{Context, Error, Step};
use crate::sys;
use crate::table::{Mount, Source};

pub(super) fn mount(
    roots: &Roots,
    mountpoint: &OwnedFd,
    mount: &Mount,
    source: Source,
    context: Context,
) -> Result<(), Error> {
    let opened = open(roots, mount, source, context)?;
    if !mount.is_dir() {
        // A directory source on a file mountpoint, or the reverse.
        if is_dir(&opened).map_err(context.fail(Step::Source))? {
            return Err(context.fail(Step::FileType)(Errno::NOTDIR));
        }
        if is_dir(mountpoint).map_err(context.fail(Step::Mountpoint))? {
            return Err(context.fail(Step::FileType)(Errno::ISDIR));
        }
    }
    let tree = flagged_clone(&opened, mount, context)?;
    attach(&tree, mountpoint).map_err(context.fail(Step::Bind))
}

/// [`mount`] for a directory mountpoint given as its last `name` under `dir`: no
/// descriptor of its own, one lookup step at the attach. When that fails (a link or a
/// file there, nothing there), `open` opens the mountpoint the usual way, whose error
/// is the one [`mount`] would give; so is a source's error, once `open` has found the
/// mountpoint fine, as [`mount`] opens it first.
pub(super) fn mount_at(
    roots: &Roots,
    (dir, name): (BorrowedFd<'_>, &CStr),
    mount: &Mount,
    source: Source,
    context: Context,
    open_mountpoint: impl Fn() -> Result<OwnedFd, Error>,
) -> Result<(), Error> {
    let opened = match open(roots, mount, source, context) {
        Ok(opened) => opened,
        Err(error) => {
            open_mountpoint()?;
            return Err(error);
        }
    };
    let tree = flagged_clone(&opened, mount, context)?;
    match attach_at(&tree, dir, name) {
        Ok(()) => Ok(()),
        Err(_) => attach(&tree, &open_mountpoint()?).map_err(context.fail(Step::Bind)),
    }
}

/// The source, opened a directory for a directory mountpoint (a file there fails
/// ENOTDIR, which names the file type when the source itself is the file).
fn open(roots: &Roots, mount: &Mount, source: Source, context: Context) -> Result<OwnedFd, Error> {
    // A directory mountpoint was opened O_DIRECTORY; so is its source, and a file there
    // fails ENOTDIR. A file mountpoint (the table's word, but the path may hold a
    // directory) and its source are checked with fstat.
    let dir_flag = if mount.is_dir() {
        OFlags::DIRECTORY
    } else {
        OFlags::empty()
    };
    match context.step(Step::Source, || open_source(roots, source, dir_flag)) {
        // A file source on a directory mountpoint.
        Err(error)
            if error.errno() == Errno::NOTDIR.raw_os_error()
                && mount.is_dir()
                && is_file(roots, source) =>
        {
            Err(context.fail(Step::FileType)(Errno::ISDIR))
        }
        opened => opened,
    }
}

/// The detached clone of the source's tree, every flag set on each of its mounts in
/// one call: the host's mounts below the source (a devtmpfs, a disk of set-id
/// programs) get them too. Cloned and set in one call where the kernel can (6.15); when
/// that fails, in two, whose errors say which step failed.
fn flagged_clone(opened: &OwnedFd, mount: &Mount, context: Context) -> Result<OwnedFd, Error> {
    let bind = context.begin(Step::Bind)?;
    let set = if mount.flags().is_read_only() {
        context.begin(Step::ReadOnly)?
    } else {
        bind
    };
    if let Ok(tree) = sys::clone_tree_with(opened.as_fd(), true, mount.attributes()) {
        return Ok(tree);
    }
    let tree = clone_tree(opened).map_err(bind)?;
    sys::mount_setattr(tree.as_fd(), true, mount.attributes()).map_err(set)?;
    Ok(tree)
}
