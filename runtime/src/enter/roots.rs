//! The scratch root (a tmpfs, invisible to the host) the new root is built in, the
//! host's root kept open to find sources in, and the switch to the new root.

use core::ffi::CStr;

use rustix::fd::{AsFd as _, OwnedFd};
use rustix::fs::{self, Mode, OFlags};
use rustix::io::Errno;
use rustix::mount::{self, MountAttrFlags, MountFlags, MountPropagationFlags, UnmountFlags};
use rustix::process;

use crate::enter::descriptors::Trees;
use crate::enter::fsops::{DIRECTORY, is_dir, open_in_root, relative};
use crate::enter::mountpoints::Maker;
use crate::error::{Context, Error, Step};
use crate::params::{self, Values};
use crate::sys;
use crate::table::Source;

/// Where the program starts, inside the new root.
#[derive(Clone, Copy)]
pub(super) enum Start<'a> {
    /// A directory the table (`chdir`) or the caller (`Filled::chdir`) chose: it must
    /// be there.
    Chosen(&'a CStr),
    /// The caller's working directory, if the new root has it; else `/`.
    Caller(Option<&'a CStr>),
}

/// The scratch root (a tmpfs, invisible to the host) while the new root is built.
pub(super) struct Roots<'p> {
    /// The values of the table's `param(NAME)` sources.
    pub(super) params: &'p dyn Values,
    /// The scratch tmpfs, our root until the switch.
    pub(super) scratch: OwnedFd,
    /// The host's root, at /oldroot in the scratch.
    pub(super) old: OwnedFd,
    /// The new root, a tmpfs at /newroot in the scratch, or what covers it.
    pub(super) new: OwnedFd,
    /// The new root's own tmpfs, made read-only once the table is mounted.
    pub(super) base: OwnedFd,
    /// Whether `new` is still `base`: nothing is mounted on the new root's `/` yet.
    pub(super) own: bool,
    /// Whether /stage exists, where the legacy path mounts overlays before moving them.
    pub(super) stage: bool,
    /// How many layers were staged at /l{n} (see `union.rs`).
    pub(super) staged: u32,
    /// How paths of the table are made.
    pub(super) maker: Maker,
    /// The trees of the slots given descriptors, attached in the scratch root.
    pub(super) trees: Trees,
}

impl<'p> Roots<'p> {
    pub(super) fn prepare(
        params: &'p dyn Values,
        maker: Maker,
        mut trees: Trees,
    ) -> Result<Roots<'p>, Error> {
        Context::NONE.step(Step::Scratch, || {
            let dir = Mode::from_raw_mode(0o755);
            let flags = MountFlags::NOSUID | MountFlags::NODEV;
            let tmpfs =
                |target: &CStr, options| mount::mount(c"tmpfs", target, c"tmpfs", flags, options);
            // Inside our private namespace, so the host's /tmp is only covered.
            tmpfs(c"/tmp", c"mode=0755")?;
            fs::mkdir(c"/tmp/oldroot", dir)?;
            fs::mkdir(c"/tmp/newroot", dir)?;
            process::pivot_root(c"/tmp", c"/tmp/oldroot")?;
            process::chdir(c"/")?;
            // A mount of its own, as the final pivot_root wants. It holds only the
            // skeleton (directories and empty files, which take no pages) and ends
            // read-only; the size limit is a second fence.
            tmpfs(c"/newroot", c"mode=0755,size=64k")?;
            trees.attach()?;
            let open = |path: &CStr| fs::open(path, DIRECTORY, Mode::empty());
            Ok(Roots {
                params,
                scratch: open(c"/")?,
                old: open(c"/oldroot")?,
                new: open(c"/newroot")?,
                base: open(c"/newroot")?,
                own: true,
                stage: false,
                staged: 0,
                maker,
                trees,
            })
        })
    }

    /// Makes the new root's own tmpfs read-only (itself only: the table's mounts keep
    /// their flags), so that nothing undeclared is writable. Only now: the mountpoints
    /// of later entries were created in it.
    pub(super) fn seal(&self) -> Result<(), Error> {
        Context::NONE.step(Step::Seal, || {
            sys::mount_setattr(self.base.as_fd(), false, MountAttrFlags::MOUNT_ATTR_RDONLY)
        })
    }

    /// Makes the new root the root, detaches the scratch (and the host tree under it)
    /// and goes where the program starts.
    pub(super) fn switch(self, start: Start) -> Result<(), Error> {
        Context::NONE.step(Step::PivotRoot, || {
            process::fchdir(&self.new)?;
            // The old root ends up stacked on the new one, at "/".
            process::pivot_root(c".", c".")
        })?;
        Context::NONE.step(Step::Detach, || {
            // Go to the old root by its fd before detaching it: "." then names the
            // scratch mount itself, not whatever a path walk finds on top of the new
            // root.
            process::fchdir(&self.scratch)?;
            mount::mount_change(
                c".",
                MountPropagationFlags::DOWNSTREAM | MountPropagationFlags::REC,
            )?;
            mount::unmount(c".", UnmountFlags::DETACH)
        })?;
        Context::NONE.step(Step::Chdir, || process::chdir(c"/"))?;
        drop(self);
        match start {
            Start::Chosen(dir) => Context::NONE
                .step(Step::Chdir, || process::chdir(dir))
                .map_err(|error| error.with_text(dir.to_bytes())),
            Start::Caller(cwd) => {
                // On failure we stay at "/".
                if let Some(cwd) = cwd {
                    let _ = process::chdir(cwd);
                }
                Ok(())
            }
        }
    }
}

/// Opens a host path as the host resolves it (absolute symlinks included), never
/// outside the host's root; for a slot given a descriptor, the root of its tree (a new
/// descriptor of it, `O_PATH`), which must be a directory if `flags` says so.
pub(super) fn open_source(roots: &Roots, source: Source, flags: OFlags) -> Result<OwnedFd, Errno> {
    if let Source::Slot(name) = source
        && let Some(tree) = roots.trees.get(name)
    {
        let tree = rustix::io::fcntl_dupfd_cloexec(tree, 0)?;
        if flags.contains(OFlags::DIRECTORY) && !is_dir(&tree)? {
            return Err(Errno::NOTDIR);
        }
        return Ok(tree);
    }
    let flags = flags | OFlags::PATH | OFlags::CLOEXEC;
    let path = params::resolve(roots.params, source)?;
    open_in_root(&roots.old, relative(path), flags)
}

/// Whether the source itself is there and not a directory: an ENOTDIR then means a
/// file where the table wants a directory, not a file in the middle of the path.
pub(super) fn is_file(roots: &Roots, source: Source) -> bool {
    open_source(roots, source, OFlags::empty())
        .and_then(|fd| is_dir(&fd))
        .is_ok_and(|dir| !dir)
}
