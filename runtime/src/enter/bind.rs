//! `bind`: a recursive clone of a host tree (or of a slot's), with the table's flags on
//! every mount of it, attached on the mountpoint.

use core::ffi::CStr;

use rustix::fd::{AsFd as _, BorrowedFd, OwnedFd};
use rustix::fs::OFlags;
use rustix::io::Errno;

use crate::enter::fsops::{
    DIRECTORY, Failed, attach, attach_at, clone_flagged, is_dir, open_in_root, relative,
};
use crate::enter::mountpoints::{Dir, Found, split};
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
    let opened = open(roots, mount, source, context, true)?;
    if !mount.is_dir() {
        // A directory source on a file mountpoint, or the reverse.
        if is_dir(&opened).map_err(context.fail(Step::Source))? {
            return Err(context.fail(Step::FileType)(Errno::NOTDIR));
        }
        if is_dir(mountpoint).map_err(context.fail(Step::Mountpoint))? {
            return Err(context.fail(Step::FileType)(Errno::ISDIR));
        }
    }
    let tree = flagged_clone(&opened, mount, context, true)?;
    attach(&tree, mountpoint).map_err(context.fail(Step::Bind))
}

/// [`mount`] for a directory mountpoint given as its last name under its directory
/// (`at`, from [`Parent::find`](crate::enter::mountpoints::Parent::find)): no
/// descriptor of its own, one lookup step at the attach. When that fails (a link or a
/// file there, nothing there), `open` opens the mountpoint the usual way, whose error
/// is the one [`mount`] would give; so is a source's error, once `open` has found the
/// mountpoint fine, as [`mount`] opens it first. A host source in the directory of
/// the last one is found by its name too ([`Sources`]).
pub(super) fn mount_at(
    roots: &Roots,
    sources: &mut Sources,
    at: Found<'_>,
    mount: &Mount,
    source: Source,
    context: Context,
    open_mountpoint: impl Fn() -> Result<OwnedFd, Error>,
) -> Result<(), Error> {
    let found = sources.by_name(roots, source);
    let check = match found {
        Some((from, last)) => {
            // The fault checks of the steps below, in their order.
            context.begin(Step::Source).map(drop)?;
            context.begin(Step::Bind).map(drop)?;
            if mount.flags().is_read_only() {
                context.begin(Step::ReadOnly).map(drop)?;
            }
            let cloned = from.and_then(|from| sys::clone_tree_at(from, last, mount.attributes()));
            // A directory, as the usual way opens a source (`O_DIRECTORY`): not a link
            // (ordinary or magic: `/proc/PID/root`), not a file; attached, the kernel then
            // takes it onto a directory only. On the new root's own tmpfs the mountpoint
            // is the directory the skeleton made, so the kernel's refusal of anything
            // else onto it (EINVAL) is that check already, without an `fstat`.
            let attached = cloned.and_then(|tree| {
                if at.own || is_dir(&tree)? {
                    attach_at(&tree, at.dir, at.name)
                } else {
                    Err(Errno::NOTDIR)
                }
            });
            if attached.is_ok() {
                return Ok(());
            }
            // A link there, say: the usual way, whose errors say what is wrong.
            sources.failed();
            false
        }
        None => true,
    };
    let opened = match open(roots, mount, source, context, check) {
        Ok(opened) => opened,
        Err(error) => {
            open_mountpoint()?;
            return Err(error);
        }
    };
    let tree = flagged_clone(&opened, mount, context, check)?;
    match attach_at(&tree, at.dir, at.name) {
        Ok(()) => Ok(()),
        Err(_) => attach(&tree, &open_mountpoint()?).map_err(context.fail(Step::Bind)),
    }
}

/// The host directory of the last bind's source: the next source in it is found by its
/// last name (one lookup step that follows no link) and cloned with its flags in one
/// call, without a descriptor of its own, a thousand sources side by side opening their
/// directory once. Only while that works there: a source that is a link (Debian's
/// `/bin`, say) takes the usual way, and so do the next ones in its directory.
pub(super) struct Sources {
    dir: Dir,
    /// The last host source's directory, relative to the host's root.
    last: Option<&'static [u8]>,
    /// Whether a source of `last` was found by name, or none was tried yet.
    works: bool,
}

impl Sources {
    pub(super) const fn new() -> Self {
        Sources {
            dir: Dir::new(),
            last: None,
            works: true,
        }
    }

    /// `source`'s directory (opened, or the error opening it) and last name, if it is a
    /// host source in the directory of the last one, where finding one by name works.
    fn by_name<'s>(
        &'s mut self,
        roots: &'s Roots,
        source: Source,
    ) -> Option<(Result<BorrowedFd<'s>, Errno>, &'static CStr)> {
        let Source::Host(path) = source else {
            return None;
        };
        let (dir, last) = split(relative(path))?;
        if self.last != Some(dir) {
            self.last = Some(dir);
            self.works = true;
            return None;
        }
        if !self.works {
            return None;
        }
        if dir.is_empty() {
            return Some((Ok(roots.old.as_fd()), last));
        }
        let opened = self
            .dir
            .open(dir, |dir| open_in_root(&roots.old, dir, DIRECTORY));
        Some((opened, last))
    }

    /// Finding a source of the last one's directory by name failed.
    fn failed(&mut self) {
        self.works = false;
    }
}

/// The source, opened a directory for a directory mountpoint (a file there fails
/// ENOTDIR, which names the file type when the source itself is the file). Fault checks
/// only if `check`.
fn open(
    roots: &Roots,
    mount: &Mount,
    source: Source,
    context: Context,
    check: bool,
) -> Result<OwnedFd, Error> {
    // A directory mountpoint was opened O_DIRECTORY; so is its source, and a file there
    // fails ENOTDIR. A file mountpoint (the table's word, but the path may hold a
    // directory) and its source are checked with fstat.
    let dir_flag = if mount.is_dir() {
        OFlags::DIRECTORY
    } else {
        OFlags::empty()
    };
    let fail = context.begin_if(Step::Source, check)?;
    match open_source(roots, source, dir_flag).map_err(fail) {
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
/// that fails, in two, whose errors say which step failed. Fault checks only if `check`.
fn flagged_clone(
    opened: &OwnedFd,
    mount: &Mount,
    context: Context,
    check: bool,
) -> Result<OwnedFd, Error> {
    let bind = context.begin_if(Step::Bind, check)?;
    let set = if mount.flags().is_read_only() {
        context.begin_if(Step::ReadOnly, check)?
    } else {
        bind
    };
    clone_flagged(opened.as_fd(), true, mount.attributes()).map_err(
        |(failed, errno)| match failed {
            Failed::Clone => bind(errno),
            Failed::Flags => set(errno),
        },
    )
}
