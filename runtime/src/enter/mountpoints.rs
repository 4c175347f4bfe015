//! Where mounts go: the skeleton made in the fresh new root, and each mountpoint
//! opened beneath the new root without following a link (created first inside a
//! tmpfs of the table), with the link or missing component named when that fails.

use core::ffi::CStr;

use rustix::fd::{AsFd as _, BorrowedFd, OwnedFd};
use rustix::fs::{self, AtFlags, FileType, Mode, OFlags};
use rustix::io::Errno;

use crate::enter::fsops::{
    DIRECTORY, NameBuf, PathBuf, create, open_beneath, open_on_mount, relative,
};
use crate::enter::ids::Owner;
use crate::error::{Context, Entry, Error, Reason, Step};
use crate::table::{MadeIn, Mount, Mountpoint, Namespace};

/// How the paths of a table are made: with the modes it gives, and what is made for
/// the program given to its user (`owner`, when root runs it as another).
#[derive(Clone, Copy)]
pub(super) struct Maker {
    pub(super) ns: &'static Namespace,
    pub(super) owner: Option<Owner>,
}

impl Maker {
    /// Gives `name` under `dir` (never following a link) to the program's user, if it is
    /// made for the program and another user runs it.
    pub(super) fn give(self, dir: BorrowedFd<'_>, name: &CStr, program: bool) -> Result<(), Errno> {
        match self.owner {
            Some(Owner { uid, gid }) if program => {
                fs::chownat(dir, name, uid, gid, AtFlags::SYMLINK_NOFOLLOW)
            }
            _ => Ok(()),
        }
    }

    /// Gives the data file `file` (a `file`'s content) to the program's user, if another
    /// user runs it.
    pub(super) fn give_file(self, file: BorrowedFd<'_>) -> Result<(), Errno> {
        match self.owner {
            Some(Owner { uid, gid }) => fs::fchown(file, uid, gid),
            None => Ok(()),
        }
    }

    /// The skeleton: every mountpoint and its parents, in the fresh new root (ours, so
    /// plain relative paths are safe), then its symbolic links: made last, no other
    /// path of the skeleton can lead through one (it would find a directory there, and
    /// the link then fails EEXIST).
    pub(super) fn skeleton(
        self,
        new_root: BorrowedFd<'_>,
        skeleton: &'static [Mountpoint],
    ) -> Result<(), Error> {
        for mountpoint in skeleton.iter().filter(|path| path.link().is_none()) {
            let path = relative(mountpoint.path());
            if path == c"." {
                continue;
            }
            Context::new(Entry::Skeleton, mountpoint.path()).step(Step::Skeleton, || {
                if create(new_root, path, mountpoint.is_dir(), mountpoint.mode())? {
                    self.give(new_root, path, mountpoint.is_for_program())?;
                }
                Ok(())
            })?;
        }
        for mountpoint in skeleton {
            if let Some(text) = mountpoint.link() {
                let path = relative(mountpoint.path());
                Context::new(Entry::Skeleton, mountpoint.path()).step(Step::Skeleton, || {
                    fs::symlinkat(text, new_root, path)?;
                    self.give(new_root, path, mountpoint.is_for_program())
                })?;
            }
        }
        Ok(())
    }
}

/// Opens the mountpoint under the new root, never leaving it and following no link on
/// the way; inside a tmpfs of the table, creates it first.
///
/// A link anywhere on the path (a host source bound at a parent holds whatever its
/// owner put there, maybe after a previous run) would make the mount land elsewhere
/// than the table says: it is an error naming the link. Only a file mountpoint may
/// itself be a link (a union's host `/etc/localtime`, say): it is mounted over, not
/// followed, so the declared path shows the declared file and no other path changes.
pub(super) fn open_mountpoint(
    new_root: BorrowedFd<'_>,
    target: &'static CStr,
    mount: &'static Mount,
    context: Context,
    maker: Maker,
) -> Result<OwnedFd, Error> {
    let mut flags = OFlags::PATH | OFlags::CLOEXEC;
    if mount.is_dir() {
        flags |= OFlags::DIRECTORY;
    } else {
        flags |= OFlags::NOFOLLOW;
    }
    let opened = context.step(Step::Mountpoint, || {
        match open_beneath(new_root, target, flags) {
            Err(Errno::NOENT) if mount.made_in() != MadeIn::Skeleton => {
                create_path(new_root, target, mount.is_dir(), maker)?;
                open_beneath(new_root, target, flags)
            }
            opened => opened,
        }
    });
    opened.map_err(|error| explain(error, new_root, mount.target()))
}

/// The directory of the last mountpoint found by its name, opened beneath the new root
/// following no link: binds side by side in one directory (a thousand of them) look it
/// up once, then each is attached by its last name alone.
pub(super) struct Parent {
    dir: Dir,
    /// Whether the kept directory lies on the mount of the new root it was opened
    /// from, no mount crossed on the way (see [`Found::own`]).
    own: bool,
}

/// A mountpoint's directory and last name, found by [`Parent::find`].
#[derive(Clone, Copy)]
pub(super) struct Found<'s> {
    pub(super) dir: BorrowedFd<'s>,
    pub(super) name: &'static CStr,
    /// Whether `dir` is a directory of the new root's own tmpfs, which only this
    /// process writes (or a process of its user with rights over it, through
    /// `/proc/PID/root`, which reaches the host's root there anyway): the skeleton
    /// made `name` a directory there, and no owner of a host tree can put a link or a
    /// file in its place.
    pub(super) own: bool,
}

impl Parent {
    pub(super) const fn new() -> Self {
        Parent {
            dir: Dir::new(),
            own: false,
        }
    }

    /// The directory holding `mount`'s target, opened beneath `new_root` as
    /// [`open_mountpoint`] opens a mountpoint, and the target's last name; `None` when
    /// that name is not one plain name (`..`, say), which [`open_mountpoint`] then
    /// handles. Errors are [`open_mountpoint`]'s, explained. `own_root`: whether
    /// `new_root` is the new root's own tmpfs, nothing mounted on `/` yet.
    pub(super) fn find<'s>(
        &'s mut self,
        new_root: BorrowedFd<'s>,
        own_root: bool,
        mount: &'static Mount,
        context: Context,
    ) -> Result<Option<Found<'s>>, Error> {
        let Some((dir, name)) = split(relative(mount.target())) else {
            return Ok(None);
        };
        let fail = context.begin(Step::Mountpoint)?;
        if dir.is_empty() {
            let at = Found {
                dir: new_root,
                name,
                own: own_root,
            };
            return Ok(Some(at));
        }
        let own = &mut self.own;
        // On the root's mount all the way, or else (EXDEV: a mount on the way, a bound
        // tree say) opened the usual way; any other error is the usual way's too, the
        // walk being the same up to where it failed.
        let open = |path: &CStr| match open_on_mount(new_root, path, DIRECTORY) {
            Err(Errno::XDEV) => {
                *own = false;
                open_beneath(new_root, path, DIRECTORY)
            }
            opened => {
                *own = own_root;
                opened
            }
        };
        let opened = self.dir.open(dir, open);
        let opened = opened.map_err(|errno| explain(fail(errno), new_root, mount.target()))?;
        Ok(Some(Found {
            dir: opened,
            name,
            own: self.own,
        }))
    }

    /// Forgets the directory once a mount covers it, or covers a directory above it:
    /// `target` (relative to the new root) was just mounted.
    pub(super) fn mounted(&mut self, target: &CStr) {
        let target = target.to_bytes();
        let covered = |dir: &[u8]| {
            target == b"."
                || dir
                    .strip_prefix(target)
                    .is_some_and(|rest| rest.is_empty() || rest.first() == Some(&b'/'))
        };
        if self.dir.open.as_ref().is_some_and(|(dir, _)| covered(dir)) {
            self.dir.open = None;
        }
    }
}

/// A directory opened by its path, kept for the next lookup of the same path.
pub(super) struct Dir {
    open: Option<(&'static [u8], OwnedFd)>,
}

impl Dir {
    pub(super) const fn new() -> Self {
        Dir { open: None }
    }

    /// The directory at `path`, opened with `open` unless it is the one kept.
    pub(super) fn open(
        &mut self,
        path: &'static [u8],
        open: impl FnOnce(&CStr) -> Result<OwnedFd, Errno>,
    ) -> Result<BorrowedFd<'_>, Errno> {
        if !matches!(&self.open, Some((kept, _)) if *kept == path) {
            self.open = None;
            let mut buf = PathBuf::new();
            buf.push(path)?;
            self.open = Some((path, open(buf.as_cstr())?));
        }
        self.open
            .as_ref()
            .map(|(_, dir)| dir.as_fd())
            .ok_or(Errno::BADF)
    }
}

/// A relative path as its directory (empty: none) and its last name, which must be one
/// plain name (not `.` or `..`); `None` otherwise.
pub(super) fn split(path: &'static CStr) -> Option<(&'static [u8], &'static CStr)> {
    let bytes = path.to_bytes_with_nul();
    let (dir, name) = match bytes.iter().rposition(|&byte| byte == b'/') {
        Some(slash) => (bytes.get(..slash)?, bytes.get(slash + 1..)?),
        None => (&[][..], bytes),
    };
    let name = CStr::from_bytes_with_nul(name).ok()?;
    let plain = !matches!(name.to_bytes(), b"" | b"." | b"..") && dir.last() != Some(&b'/');
    plain.then_some((dir, name))
}

/// Names the link (ELOOP) or the missing component (ENOENT) on the way to `target`
/// that made `error`.
pub(super) fn explain(error: Error, new_root: BorrowedFd<'_>, target: &'static CStr) -> Error {
    match (error.errno(), diagnose(new_root, target)) {
        (errno, Some(reason @ Reason::Link(_))) if errno == Errno::LOOP.raw_os_error() => {
            error.because(reason)
        }
        (errno, Some(reason @ Reason::Missing(_))) if errno == Errno::NOENT.raw_os_error() => {
            error.because(reason)
        }
        _ => error,
    }
}

/// Why `target` (absolute) could not be opened under `root`: its first component that
/// is a symbolic link or that does not exist, as the bytes of `target` up to it. Only
/// to explain an ELOOP or ENOENT: nothing is mounted or created on what it finds.
pub(super) fn diagnose(root: BorrowedFd<'_>, target: &'static CStr) -> Option<Reason> {
    let bytes = target.to_bytes();
    let mut dir = fs::openat(root, c".", OFlags::PATH | OFlags::CLOEXEC, Mode::empty()).ok()?;
    let mut end = 0;
    for component in bytes.split(|&byte| byte == b'/') {
        let start = end;
        end = start + component.len() + 1;
        if component.is_empty() {
            continue;
        }
        let prefix = bytes.get(..end - 1)?;
        let mut name = NameBuf::new();
        name.push(component).ok()?;
        let flags = OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let next = match open_beneath(dir.as_fd(), name.as_cstr(), flags) {
            Ok(next) => next,
            Err(Errno::NOENT) => return Some(Reason::Missing(prefix)),
            Err(_) => return None,
        };
        if FileType::from_raw_mode(fs::fstat(&next).ok()?.st_mode).is_symlink() {
            return Some(Reason::Link(prefix));
        }
        dir = next;
    }
    None
}

/// Creates each missing component of `path` under `root`, one directory descriptor at
/// a time and following no link; the last (a mountpoint) is a file unless `is_dir`.
pub(super) fn create_path(
    root: BorrowedFd<'_>,
    path: &CStr,
    is_dir: bool,
    maker: Maker,
) -> Result<(), Errno> {
    let (dir, name) = create_parents(root, path, maker)?;
    let mode = if is_dir { 0o755 } else { 0o644 };
    create(dir.as_fd(), name.as_cstr(), is_dir, mode).map(drop)
}

/// Creates each missing directory above the last component of `path` (relative) under
/// `root`, one directory descriptor at a time and following no link, each with the mode
/// and owner the table gives it: that directory, opened `O_PATH`, and the last
/// component's name.
pub(super) fn create_parents(
    root: BorrowedFd<'_>,
    path: &CStr,
    maker: Maker,
) -> Result<(OwnedFd, NameBuf), Errno> {
    let mut dir = open_beneath(root, c".", DIRECTORY)?;
    let bytes = path.to_bytes();
    let mut end = 0;
    let mut components = bytes.split(|&byte| byte == b'/').peekable();
    let mut name = NameBuf::new();
    while let Some(component) = components.next() {
        end += component.len() + 1;
        if component.is_empty() {
            continue;
        }
        name.clear();
        name.push(component)?;
        if components.peek().is_some() {
            let parent = bytes.get(..end - 1).unwrap_or_default();
            let (mode, program) = maker.ns.made_parent(parent);
            if create(dir.as_fd(), name.as_cstr(), true, mode)? {
                maker.give(dir.as_fd(), name.as_cstr(), program)?;
            }
            dir = open_beneath(dir.as_fd(), name.as_cstr(), DIRECTORY)?;
        }
    }
    Ok((dir, name))
}
