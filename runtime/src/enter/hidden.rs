//! `assert hidden [..]` (and `/dev` for `assert no_dev`) when entering: no source of the
//! table, as the host resolves it (its links followed, a `param(NAME)` filled), may be
//! a hidden path, lie under one, or hold one. It runs before anything is made or
//! mounted, in the caller's own view of the host, and allocates nothing.
//!
//! Paths are compared by what they are, not by their text: each hidden path and each
//! source is opened `O_PATH`, the directories above it are found by opening `..` one at
//! a time, and (device, inode) pairs are compared. A hidden path that is missing on the
//! host, or that the caller may not look up, is skipped: nothing can be bound through
//! it.

use core::ffi::CStr;

use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
use rustix::fs::{self, FileType, Mode, OFlags, ResolveFlags};
use rustix::io::Errno;

use crate::enter::fsops::{DIRECTORY, PathBuf, openat2_retried};
use crate::error::{Context, Error, Exposes, Reason, Step};
use crate::params::{self, Values};
use crate::table::{Hidden, Namespace, Source};

/// A file by what it is: its device and inode.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Id {
    dev: u64,
    ino: u64,
}

/// The `Id` of nothing yet.
const NO_ID: Id = Id { dev: 0, ino: 0 };

/// Hidden paths compared in one pass over the sources.
const HIDDEN_PER_PASS: usize = 32;

/// The directories above those hidden paths, at most, in one pass.
const ABOVE_PER_PASS: usize = 128;

/// Directories known to lie under no hidden path of the pass: a walk up stops at one.
const CLEAN: usize = 16;

/// Links followed at the end of a path, as the kernel's limit (`MAXSYMLINKS`).
const MAX_LINKS: u32 = 40;

/// Fails with [`Step::Hidden`] if a source of `ns` is, lies under or holds one of the
/// paths it asserts hidden.
pub(super) fn check(values: &dyn Values, ns: &'static Namespace) -> Result<(), Error> {
    let hidden = ns.hidden();
    if hidden.is_empty() {
        return Ok(());
    }
    let fail = Context::NONE.begin(Step::Hidden)?;
    let root = fs::open(c"/", DIRECTORY, Mode::empty()).map_err(fail)?;
    let mut next = 0;
    // Locals borrowed, not arrays moved into a struct: each is on the stack once.
    let mut own = [(NO_ID, 0); HIDDEN_PER_PASS];
    let mut above = [(NO_ID, 0); ABOVE_PER_PASS];
    let mut clean = [NO_ID; CLEAN];
    let mut marks = Marks {
        own: &mut own,
        own_len: 0,
        above: &mut above,
        above_len: 0,
        clean: &mut clean,
        clean_len: 0,
        clean_next: 0,
    };
    while next < hidden.len() {
        marks.clear();
        next = marks.fill(root.as_fd(), hidden, next).map_err(fail)?;
        if marks.own_len == 0 {
            continue;
        }
        for (context, source) in params::sources(ns) {
            // Every slot was checked to have a value.
            let Ok(path) = params::resolve(values, source) else {
                continue;
            };
            let Some((index, exposes)) = marks
                .find(root.as_fd(), path)
                .map_err(context.fail(Step::Hidden))?
            else {
                continue;
            };
            let value = matches!(source, Source::Slot(_));
            let Some(hidden) = hidden.get(usize::from(index)) else {
                continue;
            };
            let error = context.fail(Step::Hidden)(Errno::PERM).because(Reason::Hidden {
                hidden,
                exposes,
                value,
            });
            return Err(if value {
                error.with_text(path.to_bytes())
            } else {
                error
            });
        }
    }
    Ok(())
}

/// One pass's hidden paths, the directories above them, and directories found clean.
struct Marks<'a> {
    /// Each hidden path, with its index in the table's list.
    own: &'a mut [(Id, u16); HIDDEN_PER_PASS],
    own_len: usize,
    /// The directories above each, with its index.
    above: &'a mut [(Id, u16); ABOVE_PER_PASS],
    above_len: usize,
    /// Directories under none of `own`, filled in turn.
    clean: &'a mut [Id; CLEAN],
    clean_len: usize,
    clean_next: usize,
}

impl Marks<'_> {
    /// Empty, for the next pass.
    fn clear(&mut self) {
        self.own_len = 0;
        self.above_len = 0;
        self.clean_len = 0;
        self.clean_next = 0;
    }

    /// Takes the hidden paths from the `start`th on, as many as fit: the index of the
    /// first left for the next pass.
    fn fill(
        &mut self,
        root: BorrowedFd<'_>,
        hidden: &[Hidden],
        start: usize,
    ) -> Result<usize, Errno> {
        for (index, hidden) in hidden.iter().enumerate().skip(start) {
            if self.own_len == HIDDEN_PER_PASS {
                return Ok(index);
            }
            let (object, holder) = match locate(root, hidden.path()) {
                Ok(found) => found,
                Err(errno) if unreachable(errno) => continue,
                Err(errno) => return Err(errno),
            };
            let tag = u16::try_from(index).map_err(|_| Errno::NAMETOOLONG)?;
            let above_before = self.above_len;
            let mut full = false;
            if let Some(holder) = holder {
                walk_up(holder, |id| {
                    if let Some(slot) = self.above.get_mut(self.above_len) {
                        *slot = (id, tag);
                        self.above_len += 1;
                        false
                    } else {
                        full = true;
                        true
                    }
                })?;
            }
            if full {
                self.above_len = above_before;
                // One path whose directories alone do not fit: absurdly deep.
                return if self.own_len == 0 {
                    Err(Errno::NAMETOOLONG)
                } else {
                    Ok(index)
                };
            }
            if let Some(slot) = self.own.get_mut(self.own_len) {
                *slot = (id_of(&object)?, tag);
                self.own_len += 1;
            }
        }
        Ok(hidden.len())
    }

    /// The hidden path that the source at `path` exposes, and how, if any. A source
    /// that cannot be found is left to the mount that opens it, which fails the same
    /// way.
    fn find(&mut self, root: BorrowedFd<'_>, path: &CStr) -> Result<Option<(u16, Exposes)>, Errno> {
        let (object, holder) = match locate(root, path) {
            Ok(found) => found,
            Err(errno) if unreachable(errno) => return Ok(None),
            Err(errno) => return Err(errno),
        };
        let id = id_of(&object)?;
        if let Some(index) = tag(&self.own[..self.own_len], id) {
            return Ok(Some((index, Exposes::Under)));
        }
        if let Some(index) = tag(&self.above[..self.above_len], id) {
            return Ok(Some((index, Exposes::Holds)));
        }
        // A procfs reaches every path through its /proc/PID/root links.
        if fs::fstatfs(&object)?.f_type == fs::PROC_SUPER_MAGIC {
            return Ok(self.own[..self.own_len]
                .first()
                .map(|(_, index)| (*index, Exposes::Procfs)));
        }
        let Some(holder) = holder else {
            return Ok(None);
        };
        let (own, clean) = (&self.own[..self.own_len], &self.clean[..self.clean_len]);
        let mut found = None;
        let mut walked = [NO_ID; CLEAN];
        let mut walked_len = 0;
        walk_up(holder, |id| {
            found = tag(own, id);
            if found.is_some() || clean.contains(&id) {
                return true;
            }
            if let Some(slot) = walked.get_mut(walked_len) {
                *slot = id;
                walked_len += 1;
            }
            false
        })?;
        if found.is_some() {
            return Ok(found.map(|index| (index, Exposes::Under)));
        }
        for &id in &walked[..walked_len] {
            self.clean[self.clean_next] = id;
            self.clean_next = (self.clean_next + 1) % CLEAN;
            self.clean_len = (self.clean_len + 1).min(CLEAN);
        }
        Ok(None)
    }
}

/// Whether `errno` says a path cannot be reached by this caller at all: missing, a file
/// on the way, no permission, too many links, too long.
fn unreachable(errno: Errno) -> bool {
    matches!(
        errno,
        Errno::NOENT | Errno::NOTDIR | Errno::ACCESS | Errno::LOOP | Errno::NAMETOOLONG
    )
}

/// The index of `id` among `marks`.
fn tag(marks: &[(Id, u16)], id: Id) -> Option<u16> {
    marks
        .iter()
        .find(|(mark, _)| *mark == id)
        .map(|(_, index)| *index)
}

fn id_of(fd: impl AsFd) -> Result<Id, Errno> {
    let stat = fs::fstat(fd)?;
    Ok(Id {
        dev: stat.st_dev,
        ino: stat.st_ino,
    })
}

/// The directory above `dir` (`dir` itself at the root).
fn dotdot(dir: &OwnedFd) -> Result<OwnedFd, Errno> {
    fs::openat(dir, c"..", DIRECTORY, Mode::empty())
}

/// Calls `visit` with `dir` and each directory above it, up to the root, until it
/// returns `true`.
fn walk_up(dir: OwnedFd, mut visit: impl FnMut(Id) -> bool) -> Result<(), Errno> {
    let mut dir = dir;
    let mut id = id_of(&dir)?;
    loop {
        if visit(id) {
            return Ok(());
        }
        let up = dotdot(&dir)?;
        let up_id = id_of(&up)?;
        if up_id == id {
            return Ok(());
        }
        (dir, id) = (up, up_id);
    }
}

/// Opens `path` under `dir` (from `root` if absolute, or without `dir`) as the host
/// resolves it, no magic link followed: the host's own lookup, since this runs before
/// the caller leaves its root.
fn open(
    root: BorrowedFd<'_>,
    dir: Option<&OwnedFd>,
    path: &PathBuf,
    flags: OFlags,
) -> Result<OwnedFd, Errno> {
    let bytes = path.as_cstr().to_bytes_with_nul();
    let start = match (bytes.first(), dir) {
        (Some(b'/'), _) | (_, None) => root,
        (_, Some(dir)) => dir.as_fd(),
    };
    let skip = bytes.iter().position(|&byte| byte != b'/').unwrap_or(0);
    let relative = bytes
        .get(skip..)
        .and_then(|rest| CStr::from_bytes_with_nul(rest).ok())
        .ok_or(Errno::INVAL)?;
    let relative = if relative.is_empty() { c"." } else { relative };
    openat2_retried(
        start,
        relative,
        flags | OFlags::PATH | OFlags::CLOEXEC,
        ResolveFlags::NO_MAGICLINKS,
    )
}

/// The file at `path`, every link followed (the last one too, by hand, so that the
/// directory it lies in is known), opened `O_PATH`, and that directory (`None` for the
/// root). One path buffer: a link's text replaces the path it was found at.
// Not inlined: its path buffer is then on the stack once, only while it runs.
#[inline(never)]
fn locate(root: BorrowedFd<'_>, path: &CStr) -> Result<(OwnedFd, Option<OwnedFd>), Errno> {
    let mut current = PathBuf::new();
    current.push(path.to_bytes())?;
    // Where a relative `current` starts: the directory of the link it was read from.
    let mut base: Option<OwnedFd> = None;
    for _ in 0..MAX_LINKS {
        let object = open(root, base.as_ref(), &current, OFlags::NOFOLLOW)?;
        let kind = FileType::from_raw_mode(fs::fstat(&object)?.st_mode);
        if kind.is_dir() {
            // What holds a directory is its `..`, unless it is the root.
            let up = dotdot(&object)?;
            let holder = (id_of(&up)? != id_of(&object)?).then_some(up);
            return Ok((object, holder));
        }
        // A file or a link: what holds it is the directory its path names.
        let parent = current
            .as_bytes()
            .iter()
            .rposition(|&byte| byte == b'/')
            .map_or(0, |slash| slash + 1);
        current.truncate(parent);
        let holder = open(root, base.as_ref(), &current, OFlags::DIRECTORY)?;
        if !kind.is_symlink() {
            return Ok((object, Some(holder)));
        }
        current.fill(|bytes| fs::readlinkat_raw(&object, c"", bytes))?;
        base = Some(holder);
    }
    Err(Errno::LOOP)
}
