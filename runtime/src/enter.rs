//! Entering a mount table, in the order of shared/notes/linux-mounts.md.
//!
//! Everything here runs between fork and exec: no allocation, no lock, no panic. Paths
//! come from the static table as `&'static CStr`; anything composed is written into a
//! [`StackBuf`] whose overflow is an error.

use core::ffi::CStr;
use core::fmt::Write as _;
use core::sync::atomic::{AtomicBool, Ordering};

use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
use rustix::fs::{self, CWD, FileType, Mode, OFlags, ResolveFlags};
use rustix::io::Errno;
use rustix::mount::{
    self, FsMountFlags, FsOpenFlags, MountAttrFlags, MountFlags, MountPropagationFlags,
    MoveMountFlags, OpenTreeFlags, UnmountFlags,
};
use rustix::process::{self, DumpableBehavior};
use rustix::thread::{self, UnshareFlags};

use crate::error::{Context, Entry, Error, Reason, Step};
use crate::fault;
use crate::stack::StackBuf;
use crate::sys;
use crate::table::{Kind, Mount, Mountpoint, Namespace, Tmpfs, Upper};

/// Linux's `PATH_MAX`, NUL included.
const PATH_MAX: usize = 4096;

type PathBuf = StackBuf<PATH_MAX>;

/// A name of ours outside the new root: `/u{n}/upper`, `/l{n}`.
type ScratchName = StackBuf<32>;

static LEGACY_UNIONS: AtomicBool = AtomicBool::new(false);

/// Makes unions use the `mount(2)` option-string path of kernels before 6.8 instead of
/// `fsconfig(2)` with `lowerdir+`, in this process and the children it forks from now
/// on. For tests of that path.
pub fn force_legacy_unions(on: bool) {
    LEGACY_UNIONS.store(on, Ordering::Relaxed);
}

impl Namespace {
    /// Enters this namespace in the calling process: afterwards it sees only the mounts
    /// of the table under a fresh root, with `no_new_privs` set. The host's mounts are
    /// untouched.
    ///
    /// As root it makes a mount namespace; otherwise (or when root is refused one) a user
    /// namespace that maps the caller's uid and gid to themselves. The kernel refuses a
    /// user namespace to a process with more than one thread: call this in a freshly
    /// forked child, which is what [`CommandExt::namespace`](crate::CommandExt::namespace)
    /// does, or use [`Namespace::exec`]. As root in a multithreaded process only the
    /// calling thread enters.
    ///
    /// Allocates nothing, takes no lock and never panics, so it may run between fork and
    /// exec. On error the process is left half-way (in a new namespace, maybe switched
    /// root): it should exit, not carry on.
    pub fn enter(&'static self) -> Result<(), Error> {
        // std chdirs to `Command::current_dir` before running pre_exec hooks: remember
        // the path to go back to it inside the new root.
        let mut cwd = PathBuf::new();
        let cwd = match cwd.fill(sys::getcwd) {
            Ok(()) if cwd.as_bytes().first() == Some(&b'/') => Some(cwd),
            _ => None,
        };
        let user_namespace = unshare()?;
        // Mountpoints are created 0755 whatever the caller's umask. Only now: unshare
        // gave this thread a filesystem context (umask, cwd) of its own, so the other
        // threads of a multithreaded caller keep theirs.
        let umask = process::umask(Mode::empty());
        let entered = self.enter_unshared(user_namespace, cwd.as_ref());
        process::umask(umask);
        entered
    }

    fn enter_unshared(
        &'static self,
        user_namespace: bool,
        cwd: Option<&PathBuf>,
    ) -> Result<(), Error> {
        fault::check(Step::Propagation)
            .and_then(|()| {
                mount::mount_change(
                    c"/",
                    MountPropagationFlags::PRIVATE | MountPropagationFlags::REC,
                )
            })
            .map_err(Context::NONE.fail(Step::Propagation))?;
        let mut roots = Roots::prepare()?;
        create_skeleton(roots.new.as_fd(), self.skeleton())?;
        for mount in self.mounts() {
            mount_one(&mut roots, mount, user_namespace)?;
        }
        roots.seal()?;
        roots.switch(cwd.map(StackBuf::as_cstr))?;
        fault::check(Step::NoNewPrivs)
            .and_then(|()| thread::set_no_new_privs(true))
            .map_err(Context::NONE.fail(Step::NoNewPrivs))
    }
}

/// Makes a mount namespace, inside a new user namespace unless we are root. Returns
/// whether it made a user namespace.
fn unshare() -> Result<bool, Error> {
    // The kernel accepts only a map of the *effective* ids of an unprivileged writer.
    let uid = process::geteuid();
    let gid = process::getegid();
    if uid.is_root() {
        match fault::check(Step::Unshare).and_then(|()| sys::unshare(UnshareFlags::NEWNS)) {
            Ok(()) => return Ok(false),
            // Root without CAP_SYS_ADMIN (in a container): try a user namespace.
            Err(Errno::PERM) => {}
            Err(errno) => return Err(Error::new(Step::Unshare, errno)),
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
    fault::check(Step::UserNamespace)
        .and_then(|()| sys::unshare(UnshareFlags::NEWUSER | UnshareFlags::NEWNS))
        .map_err(|errno| Error::new(Step::UserNamespace, errno))?;
    fault::check(Step::Setgroups)
        .and_then(|()| write_proc(c"/proc/self/setgroups", b"deny"))
        .map_err(|errno| Error::new(Step::Setgroups, errno))?;
    let mut line = StackBuf::<64>::new();
    let _ = write!(line, "{0} {0} 1", uid.as_raw());
    fault::check(Step::UidMap)
        .and_then(|()| write_proc(c"/proc/self/uid_map", line.as_bytes()))
        .map_err(|errno| Error::new(Step::UidMap, errno))?;
    line.clear();
    let _ = write!(line, "{0} {0} 1", gid.as_raw());
    fault::check(Step::GidMap)
        .and_then(|()| write_proc(c"/proc/self/gid_map", line.as_bytes()))
        .map_err(|errno| Error::new(Step::GidMap, errno))?;
    Ok(true)
}

/// Writes `contents` to a file of /proc, after checking that it is procfs: a mount over
/// /proc could fake it (CVE-2019-16884).
fn write_proc(path: &CStr, contents: &[u8]) -> Result<(), Errno> {
    let file = fs::open(path, OFlags::WRONLY | OFlags::CLOEXEC, Mode::empty())?;
    if fs::fstatfs(&file)?.f_type != fs::PROC_SUPER_MAGIC {
        return Err(Errno::XDEV);
    }
    match rustix::io::write(&file, contents)? {
        written if written == contents.len() => Ok(()),
        _ => Err(Errno::IO),
    }
}

/// The scratch root (a tmpfs, invisible to the host) while the new root is built.
struct Roots {
    /// The scratch tmpfs, our root until the switch.
    scratch: OwnedFd,
    /// The host's root, at /oldroot in the scratch.
    old: OwnedFd,
    /// The new root, a tmpfs at /newroot in the scratch, or what covers it.
    new: OwnedFd,
    /// The new root's own tmpfs, made read-only once the table is mounted.
    base: OwnedFd,
    /// Whether /stage exists, where the legacy path mounts overlays before moving them.
    stage: bool,
    /// How many layers were staged at /l{n} (see [`stage_layer`]).
    staged: u32,
}

impl Roots {
    fn prepare() -> Result<Roots, Error> {
        let fail = Context::NONE.fail(Step::Scratch);
        let dir = Mode::from_raw_mode(0o755);
        let flags = MountFlags::NOSUID | MountFlags::NODEV;
        let tmpfs =
            |target: &CStr, options| mount::mount(c"tmpfs", target, c"tmpfs", flags, options);
        // Inside our private namespace, so the host's /tmp is only covered, not changed.
        fault::check(Step::Scratch).map_err(fail)?;
        tmpfs(c"/tmp", c"mode=0755").map_err(fail)?;
        fs::mkdir(c"/tmp/oldroot", dir).map_err(fail)?;
        fs::mkdir(c"/tmp/newroot", dir).map_err(fail)?;
        process::pivot_root(c"/tmp", c"/tmp/oldroot").map_err(fail)?;
        process::chdir(c"/").map_err(fail)?;
        // A mount of its own, as the final pivot_root wants. It holds only the skeleton
        // (directories and empty files, which take no pages) and ends read-only; the
        // size limit is a second fence.
        tmpfs(c"/newroot", c"mode=0755,size=64k").map_err(fail)?;
        let open = |path: &CStr| {
            fs::open(
                path,
                OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )
        };
        Ok(Roots {
            scratch: open(c"/").map_err(fail)?,
            old: open(c"/oldroot").map_err(fail)?,
            new: open(c"/newroot").map_err(fail)?,
            base: open(c"/newroot").map_err(fail)?,
            stage: false,
            staged: 0,
        })
    }

    /// Makes the new root's own tmpfs read-only (itself only: the table's mounts keep
    /// their flags), so that nothing undeclared is writable.
    fn seal(&self) -> Result<(), Error> {
        fault::check(Step::Seal)
            .and_then(|()| sys::mount_setattr_read_only(self.base.as_fd(), false))
            .map_err(Context::NONE.fail(Step::Seal))
    }

    /// Makes the new root the root, detaches the scratch (and the host tree under it)
    /// and goes to `cwd` inside, or to `/` if it is not there.
    fn switch(self, cwd: Option<&CStr>) -> Result<(), Error> {
        let fail = |step| Context::NONE.fail(step);
        fault::check(Step::PivotRoot).map_err(fail(Step::PivotRoot))?;
        process::fchdir(&self.new).map_err(fail(Step::PivotRoot))?;
        // The old root ends up stacked on the new one, at "/".
        process::pivot_root(c".", c".").map_err(fail(Step::PivotRoot))?;
        // Unlike the brief's `mount_change(".")` right after pivot_root, go to the old
        // root by its fd first (as the notes do): "." then names the scratch mount
        // itself, not whatever a path walk finds on top of the new root.
        fault::check(Step::Detach).map_err(fail(Step::Detach))?;
        process::fchdir(&self.scratch).map_err(fail(Step::Detach))?;
        mount::mount_change(
            c".",
            MountPropagationFlags::DOWNSTREAM | MountPropagationFlags::REC,
        )
        .map_err(fail(Step::Detach))?;
        mount::unmount(c".", UnmountFlags::DETACH).map_err(fail(Step::Detach))?;
        fault::check(Step::Chdir)
            .and_then(|()| process::chdir(c"/"))
            .map_err(fail(Step::Chdir))?;
        drop(self);
        if let Some(cwd) = cwd {
            // On failure we stay at "/".
            let _ = process::chdir(cwd);
        }
        Ok(())
    }
}

const RESOLVE: ResolveFlags = ResolveFlags::IN_ROOT.union(ResolveFlags::NO_MAGICLINKS);

/// How often to retry an `openat2` that a concurrent mount or rename made fail.
const RESOLVE_TRIES: u32 = 64;

/// `openat2(dir, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)`: never leaves
/// `dir`. The kernel answers EAGAIN when a mount or rename anywhere races with a `..`
/// it resolves, and asks the caller to try again.
fn open_in_root(dir: impl AsFd, path: &CStr, flags: OFlags) -> Result<OwnedFd, Errno> {
    let mut tries = RESOLVE_TRIES;
    loop {
        match fs::openat2(&dir, path, flags, Mode::empty(), RESOLVE) {
            Err(Errno::AGAIN) if tries > 1 => tries -= 1,
            done => return done,
        }
    }
}

/// `target` without its leading slashes, `.` for the root itself.
fn relative(path: &'static CStr) -> &'static CStr {
    let mut path = path;
    while let Some(rest) = path.to_bytes_with_nul().strip_prefix(b"/") {
        path = CStr::from_bytes_with_nul(rest).unwrap_or(c".");
    }
    if path.is_empty() { c"." } else { path }
}

/// Creates a directory, or an empty file, at `name` under `dir`; one that exists is fine.
fn create(dir: BorrowedFd<'_>, name: &CStr, is_dir: bool) -> Result<(), Errno> {
    let created = if is_dir {
        fs::mkdirat(dir, name, Mode::from_raw_mode(0o755))
    } else {
        let flags = OFlags::CREATE | OFlags::EXCL | OFlags::WRONLY | OFlags::CLOEXEC;
        fs::openat(
            dir,
            name,
            flags | OFlags::NOFOLLOW,
            Mode::from_raw_mode(0o644),
        )
        .map(drop)
    };
    match created {
        Err(Errno::EXIST) => Ok(()),
        other => other,
    }
}

/// The skeleton: every mountpoint and its parents, in the fresh new root (ours, so plain
/// relative paths are safe).
fn create_skeleton(new_root: BorrowedFd<'_>, skeleton: &'static [Mountpoint]) -> Result<(), Error> {
    for mountpoint in skeleton {
        let path = relative(mountpoint.path());
        if path == c"." {
            continue;
        }
        fault::check(Step::Skeleton)
            .and_then(|()| create(new_root, path, mountpoint.is_dir()))
            .map_err(Context::new(Entry::Skeleton, mountpoint.path()).fail(Step::Skeleton))?;
    }
    Ok(())
}

fn mount_one(roots: &mut Roots, mount: &'static Mount, user_namespace: bool) -> Result<(), Error> {
    let context = match mount.kind() {
        Kind::Bind { source } => Context::new(Entry::Bind, mount.target()).with_source(source),
        Kind::Tmpfs(_) => Context::new(Entry::Tmpfs, mount.target()),
        Kind::Union { .. } => Context::new(Entry::Union, mount.target()),
    };
    let target = relative(mount.target());
    fault::check(Step::Mountpoint).map_err(context.fail(Step::Mountpoint))?;
    let mountpoint = open_mountpoint(roots.new.as_fd(), target, mount, context)?;
    match mount.kind() {
        Kind::Bind { source } => bind(roots, &mountpoint, mount, source, context)?,
        Kind::Tmpfs(tmpfs) => {
            let fs = fault::check(Step::Tmpfs)
                .and_then(|()| new_tmpfs(tmpfs))
                .map_err(context.fail(Step::Tmpfs))?;
            attach(&fs, &mountpoint).map_err(context.fail(Step::Tmpfs))?;
        }
        Kind::Union { lowers, upper } => {
            union(
                roots,
                &mountpoint,
                mount,
                lowers,
                upper,
                user_namespace,
                context,
            )
            .map_err(|error| find_locked_layer(roots, lowers, error))?;
        }
    }
    if target == c"." {
        // Something now covers the new root: later paths and the switch must start on
        // top of it, and a path walk from the old fd would stay below.
        roots.new = fs::open(
            c"/newroot",
            OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(context.fail(Step::Mountpoint))?;
    }
    Ok(())
}

/// Opens the mountpoint under the new root, never leaving it and following no link on
/// the way; inside a tmpfs of the table, creates it first.
///
/// A link anywhere on the path (a host source bound at a parent holds whatever its
/// owner put there, maybe after a previous run) would make the mount land elsewhere
/// than the table says: it is an error naming the link. Only a file mountpoint may
/// itself be a link (a union's host `/etc/localtime`, say): it is mounted over, not
/// followed, so the declared path shows the declared file and no other path changes.
fn open_mountpoint(
    new_root: BorrowedFd<'_>,
    target: &'static CStr,
    mount: &'static Mount,
    context: Context,
) -> Result<OwnedFd, Error> {
    let mut flags = OFlags::PATH | OFlags::CLOEXEC;
    if mount.is_dir() {
        flags |= OFlags::DIRECTORY;
    } else {
        flags |= OFlags::NOFOLLOW;
    }
    let fail = |errno| {
        let error = context.fail(Step::Mountpoint)(errno);
        match find_link(new_root, mount.target()) {
            Some(link) if errno == Errno::LOOP => error.because(Reason::Link(link)),
            _ if errno == Errno::NOENT => find_missing(new_root, mount.target())
                .map_or(error, |missing| error.because(Reason::Missing(missing))),
            _ => error,
        }
    };
    match open_beneath(new_root, target, flags) {
        Err(Errno::NOENT) if mount.in_tmpfs() => {
            create_path(new_root, target, mount.is_dir()).map_err(fail)?;
            open_beneath(new_root, target, flags).map_err(fail)
        }
        opened => opened.map_err(fail),
    }
}

/// `open_in_root`, refusing every symbolic link on the way (ELOOP), magic or not. A
/// trailing link is opened itself when `flags` has `O_PATH | O_NOFOLLOW`.
fn open_beneath(dir: BorrowedFd<'_>, path: &CStr, flags: OFlags) -> Result<OwnedFd, Errno> {
    let mut tries = RESOLVE_TRIES;
    loop {
        let resolve = RESOLVE | ResolveFlags::NO_SYMLINKS;
        match fs::openat2(dir, path, flags, Mode::empty(), resolve) {
            Err(Errno::AGAIN) if tries > 1 => tries -= 1,
            done => return done,
        }
    }
}

/// The first component of `target` (absolute) that is a symbolic link under `root`:
/// the bytes of `target` up to it. Only to explain an ELOOP: nothing is mounted on
/// what it finds.
fn find_link(root: BorrowedFd<'_>, target: &'static CStr) -> Option<&'static [u8]> {
    let bytes = target.to_bytes();
    let mut dir = fs::openat(root, c".", OFlags::PATH | OFlags::CLOEXEC, Mode::empty()).ok()?;
    let mut end = 0;
    for component in bytes.split(|&byte| byte == b'/') {
        let start = end;
        end = start + component.len() + 1;
        if component.is_empty() {
            continue;
        }
        let mut name = NameBuf::new();
        name.push(component).ok()?;
        let flags = OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let next = open_beneath(dir.as_fd(), name.as_cstr(), flags).ok()?;
        if FileType::from_raw_mode(fs::fstat(&next).ok()?.st_mode).is_symlink() {
            return bytes.get(..end - 1);
        }
        dir = next;
    }
    None
}

/// The first component of `target` (absolute) that does not exist under `root`: the
/// bytes of `target` up to it. Only to explain an ENOENT: nothing is created on it.
fn find_missing(root: BorrowedFd<'_>, target: &'static CStr) -> Option<&'static [u8]> {
    let bytes = target.to_bytes();
    let ends = (1..bytes.len()).filter(|&end| bytes.get(end) == Some(&b'/'));
    for end in ends.chain([bytes.len()]) {
        let prefix = bytes.get(..end)?;
        let mut path = PathBuf::new();
        path.push(prefix).ok()?;
        let flags = OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        match open_beneath(root, path.as_cstr(), flags) {
            Ok(_) => {}
            Err(Errno::NOENT) => return Some(prefix),
            Err(_) => return None,
        }
    }
    None
}

/// One component of a path, NUL-terminated: `NAME_MAX` bytes at most.
type NameBuf = StackBuf<256>;

/// Creates each missing component of `path` under `root`, one directory descriptor at
/// a time and following no link; the last is a file unless `is_dir`.
fn create_path(root: BorrowedFd<'_>, path: &CStr, is_dir: bool) -> Result<(), Errno> {
    let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let mut dir = open_beneath(root, c".", flags)?;
    let mut components = path
        .to_bytes()
        .split(|&byte| byte == b'/')
        .filter(|component| !component.is_empty())
        .peekable();
    while let Some(component) = components.next() {
        let last = components.peek().is_none();
        let mut name = NameBuf::new();
        name.push(component)?;
        create(dir.as_fd(), name.as_cstr(), is_dir || !last)?;
        if !last {
            dir = open_beneath(dir.as_fd(), name.as_cstr(), flags)?;
        }
    }
    Ok(())
}

fn is_dir(fd: &OwnedFd) -> Result<bool, Errno> {
    Ok(FileType::from_raw_mode(fs::fstat(fd)?.st_mode).is_dir())
}

/// Whether the source itself is there and not a directory: an ENOTDIR then means a
/// file where the table wants a directory, not a file in the middle of the path.
fn is_file(roots: &Roots, source: &'static CStr) -> bool {
    open_source(roots, source, OFlags::empty())
        .and_then(|fd| is_dir(&fd))
        .is_ok_and(|dir| !dir)
}

/// Moves a detached mount onto the mountpoint fd.
fn attach(mount: &OwnedFd, mountpoint: &OwnedFd) -> Result<(), Errno> {
    mount::move_mount(
        mount,
        c"",
        mountpoint,
        c"",
        MoveMountFlags::MOVE_MOUNT_F_EMPTY_PATH | MoveMountFlags::MOVE_MOUNT_T_EMPTY_PATH,
    )
}

/// Opens a host path as the host resolves it (absolute symlinks included), never
/// outside the host's root.
fn open_source(roots: &Roots, source: &'static CStr, flags: OFlags) -> Result<OwnedFd, Errno> {
    let flags = flags | OFlags::PATH | OFlags::CLOEXEC;
    open_in_root(&roots.old, relative(source), flags)
}

fn bind(
    roots: &Roots,
    mountpoint: &OwnedFd,
    mount: &Mount,
    source: &'static CStr,
    context: Context,
) -> Result<(), Error> {
    let tree = {
        // A directory mountpoint was opened O_DIRECTORY; so is its source, and a file
        // there fails ENOTDIR. A file mountpoint (the table's word, but the path may
        // hold a directory) and its source are checked with fstat.
        let dir_flag = if mount.is_dir() {
            OFlags::DIRECTORY
        } else {
            OFlags::empty()
        };
        let source =
            match fault::check(Step::Source).and_then(|()| open_source(roots, source, dir_flag)) {
                // A file source on a directory mountpoint.
                Err(Errno::NOTDIR) if mount.is_dir() && is_file(roots, source) => {
                    return Err(context.fail(Step::FileType)(Errno::ISDIR));
                }
                opened => opened.map_err(context.fail(Step::Source))?,
            };
        if !mount.is_dir() {
            // A directory source on a file mountpoint, or the reverse.
            if is_dir(&source).map_err(context.fail(Step::Source))? {
                return Err(context.fail(Step::FileType)(Errno::NOTDIR));
            }
            if is_dir(mountpoint).map_err(context.fail(Step::Mountpoint))? {
                return Err(context.fail(Step::FileType)(Errno::ISDIR));
            }
        }
        // Recursive: a plain bind of a tree with locked submounts fails in a user
        // namespace, and submounts are part of what the host shows there.
        fault::check(Step::Bind).map_err(context.fail(Step::Bind))?;
        mount::open_tree(
            &source,
            c"",
            OpenTreeFlags::AT_EMPTY_PATH
                | OpenTreeFlags::OPEN_TREE_CLONE
                | OpenTreeFlags::AT_RECURSIVE
                | OpenTreeFlags::OPEN_TREE_CLOEXEC,
        )
        .map_err(context.fail(Step::Bind))?
    };
    if mount.flags().is_read_only() {
        fault::check(Step::ReadOnly)
            .and_then(|()| sys::mount_setattr_read_only(tree.as_fd(), true))
            .map_err(context.fail(Step::ReadOnly))?;
    }
    attach(&tree, mountpoint).map_err(context.fail(Step::Bind))
}

/// A detached tmpfs with the table's options, nosuid and nodev.
fn new_tmpfs(tmpfs: Tmpfs) -> Result<OwnedFd, Errno> {
    let fs = mount::fsopen(c"tmpfs", FsOpenFlags::FSOPEN_CLOEXEC)?;
    for param in tmpfs.params() {
        match param.value() {
            Some(value) => mount::fsconfig_set_string(&fs, param.key(), value)?,
            None => mount::fsconfig_set_flag(&fs, param.key())?,
        }
    }
    mount::fsconfig_create(&fs)?;
    mount::fsmount(
        &fs,
        FsMountFlags::FSMOUNT_CLOEXEC,
        MountAttrFlags::MOUNT_ATTR_NOSUID | MountAttrFlags::MOUNT_ATTR_NODEV,
    )
}

/// The scratch directory of a writable union, `/u{index}`, outside the new root.
struct UpperDirs {
    scratch: ScratchName,
}

impl UpperDirs {
    fn prepare(upper: Upper) -> Result<UpperDirs, Errno> {
        let mut scratch = ScratchName::new();
        write!(scratch, "/u{}", upper.index()).map_err(|_| Errno::NAMETOOLONG)?;
        fs::mkdir(scratch.as_cstr(), Mode::from_raw_mode(0o755))?;
        let fs = new_tmpfs(upper.tmpfs())?;
        mount::move_mount(
            &fs,
            c"",
            CWD,
            scratch.as_cstr(),
            MoveMountFlags::MOVE_MOUNT_F_EMPTY_PATH,
        )?;
        drop(fs);
        let dirs = UpperDirs { scratch };
        for name in [&b"/upper"[..], b"/work"] {
            let mut path = ScratchName::new();
            dirs.push(&mut path, name, false)?;
            fs::mkdir(path.as_cstr(), Mode::from_raw_mode(0o755))?;
        }
        Ok(dirs)
    }

    /// Pushes the scratch path then `name` (`/upper` or `/work`).
    fn push<const N: usize>(
        &self,
        buf: &mut StackBuf<N>,
        name: &[u8],
        escape: bool,
    ) -> Result<(), Errno> {
        if escape {
            buf.push_escaped(self.scratch.as_bytes())?;
            buf.push_escaped(name)
        } else {
            buf.push(self.scratch.as_bytes())?;
            buf.push(name)
        }
    }
}

/// What a union is made of, for either way of making it.
struct Layers<'a> {
    mount: &'static Mount,
    lowers: &'static [&'static CStr],
    upper: Option<&'a UpperDirs>,
    user_namespace: bool,
    context: Context,
}

impl Layers<'_> {
    fn read_only(&self) -> bool {
        self.upper.is_none() || self.mount.flags().is_read_only()
    }
}

fn union(
    roots: &mut Roots,
    mountpoint: &OwnedFd,
    mount: &'static Mount,
    lowers: &'static [&'static CStr],
    upper: Option<Upper>,
    user_namespace: bool,
    context: Context,
) -> Result<(), Error> {
    let upper = match upper {
        Some(upper) => Some(
            fault::check(Step::Upper)
                .and_then(|()| UpperDirs::prepare(upper))
                .map_err(context.fail(Step::Upper))?,
        ),
        None => None,
    };
    let layers = Layers {
        mount,
        lowers,
        upper: upper.as_ref(),
        user_namespace,
        context,
    };
    if !LEGACY_UNIONS.load(Ordering::Relaxed) && union_fsconfig(roots, mountpoint, &layers)? {
        return Ok(());
    }
    union_legacy(roots, mountpoint, &layers)
}

/// Builds the overlay one layer at a time (kernel 6.8: `lowerdir+`, no escaping, no page
/// limit). Each layer goes by the descriptor `openat2` found under the host's root
/// where the kernel takes one (6.15: O_PATH descriptors), else by a staged name (see
/// [`stage_layer`]). Returns false if this kernel cannot, for the legacy path to take
/// over.
fn union_fsconfig(
    roots: &mut Roots,
    mountpoint: &OwnedFd,
    layers: &Layers<'_>,
) -> Result<bool, Error> {
    let fail = |step| layers.context.fail(step);
    let fs = fault::check(Step::Union)
        .and_then(|()| mount::fsopen(c"overlay", FsOpenFlags::FSOPEN_CLOEXEC))
        .map_err(fail(Step::Union))?;
    // Before 6.5 overlayfs takes any key here and fails only at create: probe with a key
    // that no parser knows; one that accepts it is the legacy one.
    if mount::fsconfig_set_flag(&fs, c"mountns-probe").is_ok() {
        return Ok(false);
    }
    let mut by_fd = true;
    // The layers, top first: the host's directories...
    for (index, &lower) in layers.lowers.iter().enumerate() {
        let layer = layers.context.with_source(lower);
        let dir = open_source(roots, lower, OFlags::DIRECTORY).map_err(layer.fail(Step::Source))?;
        match add_layer(roots, &fs, &dir, &mut by_fd) {
            Ok(()) => {}
            // 6.5 to 6.7 know the new API but not `lowerdir+`.
            Err(Errno::INVAL) if index == 0 && !by_fd => return Ok(false),
            Err(errno) => return Err(layer.fail(Step::Union)(errno)),
        }
    }
    // ...then the skeleton below them all, so that the mountpoints of nested mounts
    // exist in the merged view even when no layer has them: the mountpoint itself.
    add_layer(roots, &fs, mountpoint, &mut by_fd).map_err(fail(Step::Union))?;
    let mut path = ScratchName::new();
    if let Some(upper) = layers.upper {
        for (key, name) in [(c"upperdir", &b"/upper"[..]), (c"workdir", b"/work")] {
            path.clear();
            upper
                .push(&mut path, name, false)
                .map_err(fail(Step::Union))?;
            mount::fsconfig_set_string(&fs, key, path.as_cstr()).map_err(fail(Step::Union))?;
        }
    }
    if layers.user_namespace {
        // Unprivileged overlayfs keeps its metadata in user.* xattrs (kernel 5.11).
        mount::fsconfig_set_flag(&fs, c"userxattr").map_err(fail(Step::Union))?;
    }
    mount::fsconfig_create(&fs).map_err(fail(Step::Union))?;
    let attributes = if layers.read_only() {
        MountAttrFlags::MOUNT_ATTR_RDONLY
    } else {
        MountAttrFlags::empty()
    };
    let overlay = mount::fsmount(&fs, FsMountFlags::FSMOUNT_CLOEXEC, attributes)
        .map_err(fail(Step::Union))?;
    drop(fs);
    attach(&overlay, mountpoint).map_err(fail(Step::Union))?;
    Ok(true)
}

/// Explains an EINVAL of overlayfs: in a user namespace the kernel locks the mounts
/// below a host directory, and overlayfs cannot clone a layer without them. Cloning each
/// layer alone, as overlayfs does, finds the first such layer; as root none fails.
fn find_locked_layer(roots: &Roots, lowers: &'static [&'static CStr], error: Error) -> Error {
    if error.errno() != Errno::INVAL.raw_os_error()
        || !matches!(error.step(), Step::Union | Step::UnionLegacy)
    {
        return error;
    }
    for &lower in lowers {
        let Ok(dir) = open_source(roots, lower, OFlags::DIRECTORY) else {
            continue;
        };
        let flags = OpenTreeFlags::AT_EMPTY_PATH
            | OpenTreeFlags::OPEN_TREE_CLONE
            | OpenTreeFlags::OPEN_TREE_CLOEXEC;
        if mount::open_tree(&dir, c"", flags).err() == Some(Errno::INVAL) {
            return error.on_layer(lower).because(Reason::LockedSubmounts);
        }
    }
    error
}

/// Adds the lower layer `dir`, by descriptor or, once the kernel has refused one (before
/// 6.13 for any, before 6.15 for O_PATH ones), by a staged name: `by_fd` remembers which.
fn add_layer(
    roots: &mut Roots,
    fs: &OwnedFd,
    dir: &OwnedFd,
    by_fd: &mut bool,
) -> Result<(), Errno> {
    if *by_fd {
        match mount::fsconfig_set_fd(fs, c"lowerdir+", dir) {
            Err(Errno::INVAL | Errno::BADF) => *by_fd = false,
            done => return done,
        }
    }
    let mut path = ScratchName::new();
    stage_layer(roots, dir, &mut path)?;
    mount::fsconfig_set_string(fs, c"lowerdir+", path.as_cstr())
}

/// Clones the directory `dir` onto a new scratch directory `/l{n}`, outside the new
/// root, and leaves that name in `path`. Layers that go to overlayfs by path go by these
/// names: ours and free of links, the kernel's own lookup of them cannot end anywhere
/// else, whereas a link in a host source on the way to, say, `/newroot/box/u` could
/// climb out of the new root.
fn stage_layer(roots: &mut Roots, dir: &OwnedFd, path: &mut ScratchName) -> Result<(), Errno> {
    path.clear();
    write!(path, "/l{}", roots.staged).map_err(|_| Errno::NAMETOOLONG)?;
    roots.staged += 1;
    fs::mkdir(path.as_cstr(), Mode::from_raw_mode(0o755))?;
    // Recursive: a plain clone of a tree with locked submounts fails in a user
    // namespace; overlayfs uses only the top of it.
    let tree = mount::open_tree(
        dir,
        c"",
        OpenTreeFlags::AT_EMPTY_PATH
            | OpenTreeFlags::OPEN_TREE_CLONE
            | OpenTreeFlags::AT_RECURSIVE
            | OpenTreeFlags::OPEN_TREE_CLOEXEC,
    )?;
    mount::move_mount(
        &tree,
        c"",
        CWD,
        path.as_cstr(),
        MoveMountFlags::MOVE_MOUNT_F_EMPTY_PATH,
    )
}

/// Builds the overlay with one `mount(2)` option string (at most a page), mounted on the
/// scratch directory /stage and moved onto the mountpoint.
fn union_legacy(roots: &mut Roots, mountpoint: &OwnedFd, layers: &Layers<'_>) -> Result<(), Error> {
    let fail = layers.context.fail(Step::UnionLegacy);
    fault::check(Step::UnionLegacy).map_err(fail)?;
    // Each layer by a staged name, short and free of links; escaped like every path of
    // the string, though ours need none.
    let mut options = StackBuf::<4096>::new();
    let too_long = |_| Errno::TOOBIG;
    let mut path = ScratchName::new();
    options.push(b"lowerdir=").map_err(too_long).map_err(fail)?;
    for &lower in layers.lowers {
        let layer = layers.context.with_source(lower);
        let dir = open_source(roots, lower, OFlags::DIRECTORY).map_err(layer.fail(Step::Source))?;
        stage_layer(roots, &dir, &mut path).map_err(layer.fail(Step::UnionLegacy))?;
        options
            .push_escaped(path.as_bytes())
            .and_then(|()| options.push(b":"))
            .map_err(too_long)
            .map_err(fail)?;
    }
    // The skeleton below them all, as in `union_fsconfig`.
    stage_layer(roots, mountpoint, &mut path).map_err(fail)?;
    options
        .push_escaped(path.as_bytes())
        .map_err(too_long)
        .map_err(fail)?;
    if let Some(upper) = layers.upper {
        options
            .push(b",upperdir=")
            .and_then(|()| upper.push(&mut options, b"/upper", true))
            .and_then(|()| options.push(b",workdir="))
            .and_then(|()| upper.push(&mut options, b"/work", true))
            .map_err(too_long)
            .map_err(fail)?;
    }
    if layers.user_namespace {
        options
            .push(b",userxattr")
            .map_err(too_long)
            .map_err(fail)?;
    }
    if !roots.stage {
        fs::mkdir(c"/stage", Mode::from_raw_mode(0o755)).map_err(fail)?;
        roots.stage = true;
    }
    let flags = if layers.read_only() {
        MountFlags::RDONLY
    } else {
        MountFlags::empty()
    };
    mount::mount(c"overlay", c"/stage", c"overlay", flags, options.as_cstr()).map_err(fail)?;
    mount::move_mount(
        CWD,
        c"/stage",
        mountpoint,
        c"",
        MoveMountFlags::MOVE_MOUNT_T_EMPTY_PATH,
    )
    .map_err(fail)
}
