//! Sources given as descriptors (`Params::set_fd`): the directory or file a descriptor
//! refers to is mounted as a clone of that very object, never of a path looked up
//! again (`/proc/self/fd/N` resolved anew could lead elsewhere).
//!
//! The descriptor's mount belongs to the caller's mount namespace, and the kernel lets
//! no other namespace clone it: the clones are taken before the table's namespace is
//! made. As root, `open_tree` clones the descriptor's tree straight away. Without
//! `CAP_SYS_ADMIN`, a short-lived child sharing our descriptor table changes to the
//! descriptor's directory, makes a user and mount namespace of its own (the kernel
//! carries the working directory over to the copy of its mount), clones that, and puts
//! the clone on a descriptor number we chose. A file's descriptor cannot be a working
//! directory: without root it is refused (ENOTDIR). Once the new root is being built, each
//! clone is attached to a scratch name of ours, `/f{n}`, outside the new root, made
//! private (nothing mounted on it reaches the caller's mounts), and used from there as
//! any source is.

use core::ffi::CStr;
use core::fmt::Write as _;

use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
use rustix::fs::{self, CWD, FileType, Mode, OFlags};
use rustix::io::{DupFlags, Errno};
use rustix::mount::{self, MountPropagationFlags, MoveMountFlags, OpenTreeFlags};
use rustix::pipe::{PipeFlags, pipe_with};
use rustix::process::{self, Pid, WaitOptions};
use rustix::thread::UnshareFlags;

use crate::enter::fsops::{ScratchName, new_file};
use crate::error::{Context, Entry, Error, Step};
use crate::params::{Value, Values};
use crate::sys;
use crate::table::{Kind, Namespace, Source};

/// The most slots of one table that may be given descriptors.
const MAX: usize = 16;

/// The trees cloned from the descriptors of a table's slots, by slot name: detached
/// until [`Trees::attach`], then the descriptor of each attached tree's root.
pub(super) struct Trees {
    trees: [Option<(&'static CStr, OwnedFd)>; MAX],
}

const OPEN_TREE: OpenTreeFlags = OpenTreeFlags::OPEN_TREE_CLONE
    .union(OpenTreeFlags::AT_RECURSIVE)
    .union(OpenTreeFlags::OPEN_TREE_CLOEXEC);

impl Trees {
    /// Clones the tree of every slot of `ns` that `values` fill with a descriptor (each
    /// slot once), in this process, before it unshares its mount namespace.
    pub(super) fn clone_all(values: &dyn Values, ns: &'static Namespace) -> Result<Trees, Error> {
        let mut trees = Trees {
            trees: [const { None }; MAX],
        };
        for mount in ns.mounts() {
            let kind = mount.kind();
            let (entry, sources): (_, &[Source]) = match &kind {
                Kind::Bind { source } => (Entry::Bind, core::slice::from_ref(source)),
                Kind::Union { lowers, .. } => (Entry::Union, lowers),
                _ => continue,
            };
            for &source in sources {
                let Source::Slot(name) = source else { continue };
                let Ok(Value::Fd(fd)) = values.value(name) else {
                    continue;
                };
                if trees.get(name).is_some() {
                    continue;
                }
                let context = Context::new(entry, mount.target()).with_source(source);
                let tree = context.step(Step::Descriptor, || clone(fd))?;
                let free = trees.trees.iter_mut().find(|tree| tree.is_none());
                let free = free.ok_or(context.fail(Step::Descriptor)(Errno::NOSPC))?;
                *free = Some((name, tree));
            }
        }
        Ok(trees)
    }

    /// The tree of the slot `name`, if it was given a descriptor.
    pub(super) fn get(&self, name: &CStr) -> Option<BorrowedFd<'_>> {
        self.trees
            .iter()
            .flatten()
            .find(|(slot, _)| *slot == name)
            .map(|(_, tree)| tree.as_fd())
    }

    /// Attaches each tree to `/f{n}` in the scratch root (our root now), makes it
    /// private, and keeps the descriptor of its root in its place.
    pub(super) fn attach(&mut self) -> Result<(), Errno> {
        for (n, slot) in self.trees.iter_mut().enumerate() {
            let Some((_, tree)) = slot else { continue };
            let mut name = ScratchName::new();
            write!(name, "/f{n}").map_err(|_| Errno::NAMETOOLONG)?;
            let dir = FileType::from_raw_mode(fs::fstat(&*tree)?.st_mode).is_dir();
            if dir {
                fs::mkdir(name.as_cstr(), Mode::from_raw_mode(0o700))?;
            } else {
                drop(new_file(CWD, name.as_cstr(), 0o600)?);
            }
            let flags = MoveMountFlags::MOVE_MOUNT_F_EMPTY_PATH;
            mount::move_mount(&*tree, c"", CWD, name.as_cstr(), flags)?;
            // A clone of a shared mount is its peer: what is mounted on it later would
            // show up on the caller's side.
            let private = MountPropagationFlags::PRIVATE | MountPropagationFlags::REC;
            mount::mount_change(name.as_cstr(), private)?;
            let open = OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC;
            *tree = fs::open(name.as_cstr(), open, Mode::empty())?;
        }
        Ok(())
    }
}

/// A detached clone of the tree `fd` refers to, from the caller's mount namespace.
fn clone(fd: BorrowedFd<'_>) -> Result<OwnedFd, Errno> {
    match mount::open_tree(fd, c"", OPEN_TREE | OpenTreeFlags::AT_EMPTY_PATH) {
        // Not root here (no CAP_SYS_ADMIN over the caller's mount namespace): only a
        // directory can be a working directory, which the kernel carries over.
        Err(Errno::PERM) if FileType::from_raw_mode(fs::fstat(fd)?.st_mode).is_dir() => {
            clone_in_a_child(fd)
        }
        Err(Errno::PERM) => Err(Errno::NOTDIR),
        cloned => cloned,
    }
}

/// [`clone`] without privileges, by a child of our own that shares the descriptor
/// table: it makes a user and mount namespace of its own, where its working directory
/// (`fd`'s, changed to first) is carried over to the copy of its mount, which it may
/// clone, and it puts the clone on `placeholder`'s number. Its exit status is the
/// errno, or 0.
fn clone_in_a_child(fd: BorrowedFd<'_>) -> Result<OwnedFd, Errno> {
    // A pipe's end, so that a number is ours and a failure recognizable: the child
    // replaces it with the clone atomically (dup3).
    let (mut placeholder, _write) = pipe_with(PipeFlags::CLOEXEC)?;
    match sys::process::fork_sharing_fds()? {
        None => {
            let done = process::fchdir(fd)
                .and_then(|()| sys::unshare(UnshareFlags::NEWUSER | UnshareFlags::NEWNS))
                .and_then(|()| mount::open_tree(CWD, c".", OPEN_TREE))
                .and_then(|tree| rustix::io::dup3(&tree, &mut placeholder, DupFlags::CLOEXEC));
            // The clone's own number was closed once duplicated (the table is shared, so
            // it would outlive us); nothing of the parent's is dropped: `exit` runs no
            // destructor.
            let code = match done {
                Ok(()) => 0,
                Err(errno) => u8::try_from(errno.raw_os_error()).unwrap_or(u8::MAX),
            };
            sys::process::exit(code)
        }
        Some(child) => {
            let status = process::waitpid(Pid::from_raw(child), WaitOptions::empty());
            let replaced = !FileType::from_raw_mode(fs::fstat(&placeholder)?.st_mode).is_fifo();
            match status.map(|status| status.and_then(|(_, status)| status.exit_status())) {
                _ if replaced => Ok(placeholder),
                Ok(Some(errno)) if errno > 0 => Err(Errno::from_raw_os_error(errno)),
                // Killed, or reaped already (the caller ignores SIGCHLD) with no clone.
                _ => Err(Errno::CHILD),
            }
        }
    }
}
