//! `bind`: a recursive clone of a host tree (or of a slot's), with the table's flags on
//! every mount of it, attached on the mountpoint.

use rustix::fd::{AsFd as _, OwnedFd};
use rustix::fs::OFlags;
use rustix::io::Errno;

use crate::enter::fsops::{attach, clone_tree, is_dir};
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
    // A directory mountpoint was opened O_DIRECTORY; so is its source, and a file there
    // fails ENOTDIR. A file mountpoint (the table's word, but the path may hold a
    // directory) and its source are checked with fstat.
    let dir_flag = if mount.is_dir() {
        OFlags::DIRECTORY
    } else {
        OFlags::empty()
    };
    let opened = match context.step(Step::Source, || open_source(roots, source, dir_flag)) {
        // A file source on a directory mountpoint.
        Err(error)
            if error.errno() == Errno::NOTDIR.raw_os_error()
                && mount.is_dir()
                && is_file(roots, source) =>
        {
            return Err(context.fail(Step::FileType)(Errno::ISDIR));
        }
        opened => opened?,
    };
    if !mount.is_dir() {
        // A directory source on a file mountpoint, or the reverse.
        if is_dir(&opened).map_err(context.fail(Step::Source))? {
            return Err(context.fail(Step::FileType)(Errno::NOTDIR));
        }
        if is_dir(mountpoint).map_err(context.fail(Step::Mountpoint))? {
            return Err(context.fail(Step::FileType)(Errno::ISDIR));
        }
    }
    let bind = context.begin(Step::Bind)?;
    let tree = clone_tree(&opened).map_err(bind)?;
    // Every flag in one call, on the whole tree: the host's mounts below the source (a
    // devtmpfs, a disk of set-id programs) get them too.
    let set_flags = || sys::mount_setattr(tree.as_fd(), true, mount.attributes());
    if mount.flags().is_read_only() {
        context.step(Step::ReadOnly, set_flags)?;
    } else {
        set_flags().map_err(bind)?;
    }
    attach(&tree, mountpoint).map_err(bind)
}
