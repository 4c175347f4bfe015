//! Entering a mount table, in the order DESIGN.md gives and explains.
//!
//! Everything here runs between fork and exec: no allocation, no lock, no panic. Paths
//! come from the static table as `&'static CStr`; anything composed is written into a
//! [`StackBuf`] whose overflow is an error.

use core::ffi::CStr;
use core::fmt::Write as _;
use core::sync::atomic::{AtomicBool, Ordering};

use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
use rustix::fs::{self, AtFlags, FileType, Mode, OFlags, ResolveFlags};
use rustix::io::Errno;
use rustix::mount::{
    self, FsMountFlags, FsOpenFlags, MountAttrFlags, MountFlags, MountPropagationFlags,
    MoveMountFlags, OpenTreeFlags, UnmountFlags,
};
use rustix::process::{self, DumpableBehavior, Gid, Pid, Uid};
use rustix::system;
use rustix::thread::UnshareFlags;

use crate::error::{Context, Entry, Error, Reason, Step};
use crate::params::{self, NoValues, Values};
use crate::stack::StackBuf;
use crate::sys;
use crate::table::{
    Flags, Identity, Kind, Mount, Mountpoint, Namespace, Param, Source, Tmpfs, Unshare,
};

mod confine;
mod descriptors;
pub(crate) mod dev;
mod hidden;
mod landlock;
mod limits;
mod nodes;
mod pid;
mod proc;
mod union;

/// Linux's `PATH_MAX`, NUL included.
const PATH_MAX: usize = 4096;

type PathBuf = StackBuf<PATH_MAX>;

/// A name of ours outside the new root: `/u{n}/upper`, `/l{n}`.
type ScratchName = StackBuf<32>;

pub use landlock::force_landlock_abi;

static LEGACY_UNIONS: AtomicBool = AtomicBool::new(false);

/// Makes unions use the `mount(2)` option-string path of kernels before 6.8 instead of
/// `fsconfig(2)` with `lowerdir+`, in this process and the children it forks from now
/// on. For tests and benchmarks of that path; hidden from the docs.
#[doc(hidden)]
pub fn force_legacy_unions(on: bool) {
    LEGACY_UNIONS.store(on, Ordering::Relaxed);
}

impl Namespace {
    /// Enters this namespace in the calling process: afterwards it sees only the mounts
    /// of the table under a fresh root, with `no_new_privs` set, restricted by the
    /// table's Landlock ruleset (`landlock;`) and resource limits (`limit [..];`), and
    /// the table's seccomp program installed (its syscall policy, and `ioctl`
    /// `TIOCSTI`, `TIOCLINUX` and `TIOCSETD` failing with `EPERM`); all of it, as the
    /// capabilities, for the calling thread. The host's mounts are untouched.
    ///
    /// As root it makes a mount namespace; otherwise (or when root is refused one) a user
    /// namespace that maps the caller's uid and gid to themselves. The kernel refuses a
    /// user namespace to a process with more than one thread: call this in a freshly
    /// forked child, which is what [`CommandExt::namespace`](crate::CommandExt::namespace)
    /// does, or use [`Namespace::exec`]. As root in a multithreaded process only the
    /// calling thread enters. The table's other namespaces (`unshare [net, ipc];`) are
    /// made too, its host name set and `lo` brought up.
    ///
    /// A table with a pid namespace (`proc`, `unshare [pid];`) is refused
    /// ([`Step::PidNamespace`], `EINVAL`): no system call moves the caller into a new pid
    /// namespace, only its children. Run a program in it with
    /// [`CommandExt::namespace`](crate::CommandExt::namespace) (or
    /// [`status_in`](crate::CommandExt::status_in) and the like), [`Namespace::exec`],
    /// or a `launcher!` binary, which fork the processes it needs.
    ///
    /// Allocates nothing, takes no lock and never panics, so it may run between fork and
    /// exec. On error the process is left half-way (in a new namespace, maybe switched
    /// root): it should exit, not carry on.
    ///
    /// A table with `param(NAME)` sources needs their values: enter it with
    /// [`Filled::enter`](crate::Filled::enter) (from [`Namespace::with`]); here every
    /// slot is unfilled, an error before anything is mounted.
    pub fn enter(&'static self) -> Result<(), Error> {
        self.enter_here(&NoValues, None, self.chdir())
    }

    /// [`Namespace::enter`] with `params` for the table's slots, `ids` (root only)
    /// to switch to instead of the table's, and the directory to start in, if one is
    /// chosen: refuses a table with a pid namespace, which needs the processes of
    /// [`Namespace::enter_with`].
    pub(crate) fn enter_here(
        &'static self,
        params: &dyn Values,
        ids: Option<Identity>,
        chdir: Option<&CStr>,
    ) -> Result<(), Error> {
        if self.unshare().contains(Unshare::PID) {
            return Err(Error::new(Step::PidNamespace, Errno::INVAL));
        }
        if ids.is_some() {
            // Ids and capabilities are the calling thread's: the others would keep
            // root's, and share its memory.
            let threads = threads().map_err(|errno| Error::new(Step::Ids, errno))?;
            if threads > 1 {
                return Err(Error::new(Step::Ids, Errno::INVAL).because(Reason::Threads(threads)));
            }
        }
        self.enter_forking(params, ids, chdir, None)
    }

    /// Enters with `params` for the table's slots, checked first, for a caller that
    /// executes a program next (`CommandExt`'s hook, `exec`, a launcher), and `ids`
    /// (root only) to switch to instead of the table's. The program dies with the
    /// caller's parent. With a pid namespace or a new session, returns `Ok` only in a
    /// process forked to execute (pid 2 of the namespace; not a process group leader,
    /// which `setsid` refuses, as a shell's job is one); the caller itself returns only
    /// an error, or never: it waits for the program and ends as it does
    /// (`enter/pid.rs`).
    #[cfg(any(feature = "std", feature = "launcher"))]
    pub(crate) fn enter_with(
        &'static self,
        params: &dyn Values,
        ids: Option<Identity>,
        chdir: Option<&CStr>,
    ) -> Result<(), Error> {
        // Read first: the parent may die while we enter, and the check after setting the
        // death signal must compare with the parent we started with.
        let parent = process::getppid().ok_or(Error::new(Step::DeathSignal, Errno::SRCH))?;
        self.enter_forking(params, ids, chdir, Some(parent))
    }

    /// Enters, in the processes of `enter/pid.rs` for a table with a pid namespace or a
    /// new session when a program is executed next (`parent`, the process it dies
    /// with), else in this one.
    fn enter_forking(
        &'static self,
        params: &dyn Values,
        ids: Option<Identity>,
        chdir: Option<&CStr>,
        parent: Option<Pid>,
    ) -> Result<(), Error> {
        params::check(params, self)?;
        hidden::check(params, self)?;
        let identity = match ids {
            Some(_) if self.identity().is_chosen() => {
                return Err(Error::new(Step::Ids, Errno::INVAL).because(Reason::TwoIdentities));
            }
            Some(ids) => ids,
            None => self.identity(),
        };
        // std chdirs to `Command::current_dir` before running pre_exec hooks: remember
        // the path to go back to it inside the new root, unless one is chosen.
        let mut cwd = PathBuf::new();
        let start = match (chdir, cwd.fill(sys::getcwd)) {
            (Some(dir), _) => Start::Chosen(dir),
            (None, Ok(())) if cwd.as_bytes().first() == Some(&b'/') => {
                Start::Caller(Some(cwd.as_cstr()))
            }
            (None, _) => Start::Caller(None),
        };
        // Before unsharing: the kernel clones a descriptor's mount only from the
        // namespace it belongs to.
        let trees = descriptors::Trees::clone_all(params, self)?;
        let user_namespace = unshare(self.namespaces(), identity)?;
        // Root in a mount namespace switches to the chosen ids before executing; a user
        // namespace maps the caller to them already.
        let program = confine::Program {
            identity,
            switch_ids: !user_namespace && identity.is_chosen(),
        };
        self.set_up_namespaces()?;
        // What is created has the mode the table gives, whatever the caller's umask. Only now: unshare
        // gave this thread a filesystem context (umask, cwd) of its own, so the other
        // threads of a multithreaded caller keep theirs.
        let umask = process::umask(Mode::empty());
        let maker = Maker {
            ns: self,
            owner: program.owner(),
        };
        let enter = || self.enter_unshared(user_namespace, start, params, maker, trees);
        let entered = match parent {
            Some(parent) if self.unshare().contains(Unshare::PID) || self.new_session() => {
                pid::enter(
                    parent,
                    self.as_pid_1(),
                    enter,
                    |parent| self.confine(program, Some(parent)),
                    || confine::give_up_everything(program, true),
                    || confine::give_up_everything(program, false),
                    self.timeout_seconds(),
                )
            }
            _ => enter().and_then(|()| self.confine(program, parent.map(confine::Parent::Pid))),
        };
        process::umask(umask);
        entered
    }

    /// The namespaces to make beside the mount namespace: the table's, and UTS whenever
    /// it sets a host name (never the host's).
    fn namespaces(&self) -> Unshare {
        match self.hostname() {
            Some(_) => self.unshare().union(Unshare::UTS),
            None => self.unshare(),
        }
    }

    /// Sets the host name of the new UTS namespace, and brings up `lo` in the new
    /// network namespace, which has nothing else.
    fn set_up_namespaces(&self) -> Result<(), Error> {
        if let Some(name) = self.hostname() {
            Context::NONE.step(Step::Hostname, || system::sethostname(name.to_bytes()))?;
        }
        if self.unshare().contains(Unshare::NET) {
            Context::NONE.step(Step::Loopback, sys::loopback_up)?;
        }
        Ok(())
    }

    fn enter_unshared(
        &'static self,
        user_namespace: bool,
        start: Start,
        params: &dyn Values,
        maker: Maker,
        trees: descriptors::Trees,
    ) -> Result<(), Error> {
        Context::NONE.step(Step::Propagation, || {
            mount::mount_change(
                c"/",
                MountPropagationFlags::PRIVATE | MountPropagationFlags::REC,
            )
        })?;
        let mut roots = Roots::prepare(params, self.mounts(), maker, trees)?;
        maker.skeleton(roots.new.as_fd(), self.skeleton())?;
        for mount in self.mounts() {
            mount_one(&mut roots, mount, user_namespace)
                .map_err(|error| params::with_value(error, params))?;
        }
        roots.seal()?;
        roots.switch(start)
    }
}

/// Where the program starts, inside the new root.
#[derive(Clone, Copy)]
enum Start<'a> {
    /// A directory the table (`chdir`) or the caller (`Filled::chdir`) chose: it must
    /// be there.
    Chosen(&'a CStr),
    /// The caller's working directory, if the new root has it; else `/`.
    Caller(Option<&'a CStr>),
}

/// Makes a mount namespace and the `other` namespaces, inside a new user namespace
/// (which then owns them all) unless we are root. Returns whether it made a user
/// namespace, where the caller is mapped to the uid and gid of `identity` (its own if
/// none is chosen).
fn unshare(other: Unshare, identity: Identity) -> Result<bool, Error> {
    let namespaces = UnshareFlags::NEWNS | UnshareFlags::from_bits_retain(other.bits());
    // The kernel accepts only a map of the *effective* ids of an unprivileged writer.
    let uid = process::geteuid();
    let gid = process::getegid();
    if uid.is_root() {
        match Context::NONE.step(Step::Unshare, || sys::unshare(namespaces)) {
            Ok(()) => return Ok(false),
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
    let none = Context::NONE;
    none.step(Step::UserNamespace, || {
        sys::unshare(UnshareFlags::NEWUSER | namespaces)
    })?;
    none.step(Step::Setgroups, || {
        write_proc(c"/proc/self/setgroups", b"deny")
    })?;
    let mut line = StackBuf::<64>::new();
    let inside = identity.uid.unwrap_or(uid.as_raw());
    let _ = write!(line, "{inside} {} 1", uid.as_raw());
    none.step(Step::UidMap, || {
        write_proc(c"/proc/self/uid_map", line.as_bytes())
    })?;
    line.clear();
    let inside = identity.gid.unwrap_or(gid.as_raw());
    let _ = write!(line, "{inside} {} 1", gid.as_raw());
    none.step(Step::GidMap, || {
        write_proc(c"/proc/self/gid_map", line.as_bytes())
    })?;
    Ok(true)
}

/// How many threads this process has: the kernel counts them in the links of
/// `/proc/self/task` (two more than the threads), read without allocating.
fn threads() -> Result<u32, Errno> {
    let task = fs::open(
        c"/proc/self/task",
        OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    if fs::fstatfs(&task)?.f_type != fs::PROC_SUPER_MAGIC {
        return Err(Errno::XDEV);
    }
    let links = fs::fstat(&task)?.st_nlink;
    u32::try_from(links.saturating_sub(2)).map_err(|_| Errno::OVERFLOW)
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
struct Roots<'p> {
    /// The values of the table's `param(NAME)` sources.
    params: &'p dyn Values,
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
    /// Where the content of the table's `file`s is written (see [`nodes::Data`]).
    data: nodes::Data,
    /// The tmpfs of each `dev`, made read-only with the new root's.
    devs: dev::Devs,
    /// How paths of the table are made.
    maker: Maker,
    /// The trees of the slots given descriptors, attached in the scratch root.
    trees: descriptors::Trees,
}

impl<'p> Roots<'p> {
    fn prepare(
        params: &'p dyn Values,
        mounts: &'static [Mount],
        maker: Maker,
        mut trees: descriptors::Trees,
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
            let open = |path: &CStr| {
                fs::open(
                    path,
                    OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
                    Mode::empty(),
                )
            };
            Ok(Roots {
                params,
                scratch: open(c"/")?,
                old: open(c"/oldroot")?,
                new: open(c"/newroot")?,
                base: open(c"/newroot")?,
                stage: false,
                staged: 0,
                data: nodes::Data::new(mounts),
                devs: dev::Devs::new(),
                maker,
                trees,
            })
        })
    }

    /// Makes the new root's own tmpfs and each `dev`'s tmpfs read-only (themselves
    /// only: the table's mounts keep their flags), so that nothing undeclared is
    /// writable. Only now: the mountpoints of later entries were created in them.
    fn seal(&self) -> Result<(), Error> {
        Context::NONE.step(Step::Seal, || {
            sys::mount_setattr(self.base.as_fd(), false, MountAttrFlags::MOUNT_ATTR_RDONLY)
        })?;
        self.devs.seal()
    }

    /// Makes the new root the root, detaches the scratch (and the host tree under it)
    /// and goes where the program starts.
    fn switch(self, start: Start) -> Result<(), Error> {
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

const RESOLVE: ResolveFlags = ResolveFlags::IN_ROOT.union(ResolveFlags::NO_MAGICLINKS);

/// How often to retry an `openat2` that a concurrent mount or rename made fail.
const RESOLVE_TRIES: u32 = 64;

/// `openat2(dir, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)`: never leaves
/// `dir`. The kernel answers EAGAIN when a mount or rename anywhere races with a `..`
/// it resolves, and asks the caller to try again.
fn open_in_root(dir: impl AsFd, path: &CStr, flags: OFlags) -> Result<OwnedFd, Errno> {
    openat2_retried(dir.as_fd(), path, flags, RESOLVE)
}

/// `openat2`, tried again (at most `RESOLVE_TRIES` times in all) while it answers EAGAIN.
fn openat2_retried(
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

/// `target` without its leading slashes, `.` for the root itself.
fn relative(path: &CStr) -> &CStr {
    let mut path = path;
    while let Some(rest) = path.to_bytes_with_nul().strip_prefix(b"/") {
        path = CStr::from_bytes_with_nul(rest).unwrap_or(c".");
    }
    if path.is_empty() { c"." } else { path }
}

/// Creates a directory, or an empty file, at `name` under `dir` with `mode`: whether
/// it did; one that exists is fine (and left as it is).
fn create(dir: BorrowedFd<'_>, name: &CStr, is_dir: bool, mode: u32) -> Result<bool, Errno> {
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
fn make_dir(dir: BorrowedFd<'_>, name: &CStr, mode: u32) -> Result<(), Errno> {
    fs::mkdirat(dir, name, Mode::from_raw_mode(mode))?;
    if mode & 0o2000 == 0 {
        return Ok(());
    }
    fs::chmodat(dir, name, Mode::from_raw_mode(mode), AtFlags::empty())
}

/// Creates the file `name` under `dir` with `mode`, open for writing: EEXIST if
/// anything is there already, a link included (never followed).
fn new_file(dir: BorrowedFd<'_>, name: &CStr, mode: u32) -> Result<OwnedFd, Errno> {
    let flags = OFlags::CREATE | OFlags::EXCL | OFlags::WRONLY | OFlags::NOFOLLOW;
    fs::openat(
        dir,
        name,
        flags | OFlags::CLOEXEC,
        Mode::from_raw_mode(mode),
    )
}

/// Who owns what the table makes for its program, when that is not whoever enters:
/// root entering to run the program as another user.
#[derive(Clone, Copy)]
pub(crate) struct Owner {
    pub(crate) uid: Option<Uid>,
    pub(crate) gid: Option<Gid>,
}

/// How the paths of a table are made: with the modes it gives, and what is made for
/// the program given to its user (`owner`, when root runs it as another).
#[derive(Clone, Copy)]
struct Maker {
    ns: &'static Namespace,
    owner: Option<Owner>,
}

impl Maker {
    /// Gives `name` under `dir` (never following a link) to the program's user, if it is
    /// made for the program and another user runs it.
    fn give(self, dir: BorrowedFd<'_>, name: &CStr, program: bool) -> Result<(), Errno> {
        match self.owner {
            Some(Owner { uid, gid }) if program => {
                fs::chownat(dir, name, uid, gid, AtFlags::SYMLINK_NOFOLLOW)
            }
            _ => Ok(()),
        }
    }

    /// Gives the data file `file` (a `file`'s content) to the program's user, if another
    /// user runs it.
    fn give_file(self, file: BorrowedFd<'_>) -> Result<(), Errno> {
        match self.owner {
            Some(Owner { uid, gid }) => fs::fchown(file, uid, gid),
            None => Ok(()),
        }
    }

    /// The skeleton: every mountpoint and its parents, in the fresh new root (ours, so
    /// plain relative paths are safe), then its symbolic links: made last, no other
    /// path of the skeleton can lead through one (it would find a directory there, and
    /// the link then fails EEXIST).
    fn skeleton(
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

/// The table entry that errors about `mount` name.
fn context(mount: &'static Mount) -> Context {
    match mount.kind() {
        Kind::Bind { source } => Context::new(Entry::Bind, mount.target()).with_source(source),
        Kind::Tmpfs(_) => Context::new(Entry::Tmpfs, mount.target()),
        Kind::Union { .. } => Context::new(Entry::Union, mount.target()),
        Kind::Proc => Context::new(Entry::Proc, mount.target()),
        Kind::Dev => Context::new(Entry::Dev, mount.target()),
        Kind::File { .. } | Kind::FileParam { .. } => Context::new(Entry::File, mount.target()),
        Kind::Dir => Context::new(Entry::Dir, mount.target()),
        Kind::Symlink { .. } => Context::new(Entry::Symlink, mount.target()),
    }
}

fn mount_one(roots: &mut Roots, mount: &'static Mount, user_namespace: bool) -> Result<(), Error> {
    let context = context(mount);
    let target = relative(mount.target());
    let maker = roots.maker;
    let mountpoint = || open_mountpoint(roots.new.as_fd(), target, mount, context, maker);
    match mount.kind() {
        Kind::Bind { source } => bind(roots, &mountpoint()?, mount, source, context)?,
        Kind::Tmpfs(tmpfs) => {
            let mountpoint = mountpoint()?;
            context.step(Step::Tmpfs, || {
                attach(&new_tmpfs(tmpfs, attributes_of(mount))?, &mountpoint)
            })?;
        }
        Kind::Union { lowers, upper } => {
            let mountpoint = mountpoint()?;
            union::mount(
                roots,
                &mountpoint,
                mount,
                lowers,
                upper,
                user_namespace,
                context,
            )?;
        }
        Kind::Proc => proc::mount(&mountpoint()?, context)?,
        Kind::Dev => {
            let mountpoint = mountpoint()?;
            dev::build(roots, &mountpoint, context)?;
        }
        Kind::File { content } => {
            let mountpoint = mountpoint()?;
            nodes::file(
                roots,
                &mountpoint,
                mount,
                nodes::Bytes::Fixed(content),
                context,
            )?;
        }
        Kind::FileParam { name } => {
            let mountpoint = mountpoint()?;
            nodes::file(
                roots,
                &mountpoint,
                mount,
                nodes::Bytes::Given(name),
                context,
            )?;
        }
        Kind::Dir => nodes::dir(roots.new.as_fd(), mount, context, maker)?,
        Kind::Symlink { text } => {
            nodes::symlink(roots.new.as_fd(), mount, text, context, maker)?;
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

/// The attributes the mount of `mount` gets, each kind's as its code gives them, and
/// what the table's `Display` prints: the flags' [`attributes`]; read-only besides for
/// a union without an upper, and for a `file` (noexec too); a `dev`'s tmpfs nosuid, nodev, noexec, and
/// read-only once sealed; a `proc` nosuid, nodev, noexec. A `dir` or `symlink` is no
/// mount.
pub(crate) const fn attributes_of(mount: &Mount) -> MountAttrFlags {
    const RDONLY: MountAttrFlags = MountAttrFlags::MOUNT_ATTR_RDONLY;
    let flags = attributes(mount.flags());
    match mount.kind() {
        Kind::Bind { .. } | Kind::Tmpfs(_) | Kind::Union { upper: Some(_), .. } => flags,
        Kind::Union { upper: None, .. } => flags.union(RDONLY),
        // The clone of a file of the data tmpfs, which is noexec, keeps noexec; a `file
        // rw` is the program's to write.
        Kind::File { .. } | Kind::FileParam { .. } if mount.flags().is_rw() => {
            flags.union(MountAttrFlags::MOUNT_ATTR_NOEXEC)
        }
        Kind::File { .. } | Kind::FileParam { .. } => {
            flags.union(RDONLY).union(MountAttrFlags::MOUNT_ATTR_NOEXEC)
        }
        Kind::Proc => proc::ATTRIBUTES,
        Kind::Dev => dev::ATTRIBUTES.union(RDONLY),
        Kind::Dir | Kind::Symlink { .. } => MountAttrFlags::empty(),
    }
}

/// The attributes of a mount of the table: always nosuid; nodev unless `dev`; noexec
/// with `noexec`; read-only with `ro`.
const fn attributes(flags: Flags) -> MountAttrFlags {
    let mut attributes = MountAttrFlags::MOUNT_ATTR_NOSUID;
    if !flags.is_dev() {
        attributes = attributes.union(MountAttrFlags::MOUNT_ATTR_NODEV);
    }
    if flags.is_noexec() {
        attributes = attributes.union(MountAttrFlags::MOUNT_ATTR_NOEXEC);
    }
    if flags.is_read_only() {
        attributes = attributes.union(MountAttrFlags::MOUNT_ATTR_RDONLY);
    }
    attributes
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
            Err(Errno::NOENT) if mount.in_tmpfs() => {
                create_path(new_root, target, mount.is_dir(), maker)?;
                open_beneath(new_root, target, flags)
            }
            opened => opened,
        }
    });
    opened.map_err(|error| explain(error, new_root, mount.target()))
}

/// Names the link (ELOOP) or the missing component (ENOENT) on the way to `target`
/// that made `error`.
fn explain(error: Error, new_root: BorrowedFd<'_>, target: &'static CStr) -> Error {
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

/// `open_in_root`, refusing every symbolic link on the way (ELOOP), magic or not. A
/// trailing link is opened itself when `flags` has `O_PATH | O_NOFOLLOW`.
fn open_beneath(dir: BorrowedFd<'_>, path: &CStr, flags: OFlags) -> Result<OwnedFd, Errno> {
    openat2_retried(dir, path, flags, RESOLVE | ResolveFlags::NO_SYMLINKS)
}

/// Why `target` (absolute) could not be opened under `root`: its first component that
/// is a symbolic link or that does not exist, as the bytes of `target` up to it. Only
/// to explain an ELOOP or ENOENT: nothing is mounted or created on what it finds.
fn diagnose(root: BorrowedFd<'_>, target: &'static CStr) -> Option<Reason> {
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

/// One component of a path, NUL-terminated: `NAME_MAX` bytes at most.
type NameBuf = StackBuf<256>;

/// Creates each missing component of `path` under `root`, one directory descriptor at
/// a time and following no link; the last (a mountpoint) is a file unless `is_dir`.
fn create_path(root: BorrowedFd<'_>, path: &CStr, is_dir: bool, maker: Maker) -> Result<(), Errno> {
    let (dir, name) = create_parents(root, path, maker)?;
    let mode = if is_dir { 0o755 } else { 0o644 };
    create(dir.as_fd(), name.as_cstr(), is_dir, mode).map(drop)
}

/// Creates each missing directory above the last component of `path` (relative) under
/// `root`, one directory descriptor at a time and following no link, each with the mode
/// and owner the table gives it: that directory, opened `O_PATH`, and the last
/// component's name.
fn create_parents(
    root: BorrowedFd<'_>,
    path: &CStr,
    maker: Maker,
) -> Result<(OwnedFd, NameBuf), Errno> {
    let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let mut dir = open_beneath(root, c".", flags)?;
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
            dir = open_beneath(dir.as_fd(), name.as_cstr(), flags)?;
        }
    }
    Ok((dir, name))
}

fn is_dir(fd: &OwnedFd) -> Result<bool, Errno> {
    Ok(FileType::from_raw_mode(fs::fstat(fd)?.st_mode).is_dir())
}

/// Whether the source itself is there and not a directory: an ENOTDIR then means a
/// file where the table wants a directory, not a file in the middle of the path.
fn is_file(roots: &Roots, source: Source) -> bool {
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
/// outside the host's root; for a slot given a descriptor, the root of its tree (a new
/// descriptor of it, `O_PATH`), which must be a directory if `flags` says so.
fn open_source(roots: &Roots, source: Source, flags: OFlags) -> Result<OwnedFd, Errno> {
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

fn bind(
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
    let set_flags = || sys::mount_setattr(tree.as_fd(), true, attributes_of(mount));
    if mount.flags().is_read_only() {
        context.step(Step::ReadOnly, set_flags)?;
    } else {
        set_flags().map_err(bind)?;
    }
    attach(&tree, mountpoint).map_err(bind)
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
fn new_tmpfs(tmpfs: Tmpfs, attributes: MountAttrFlags) -> Result<OwnedFd, Errno> {
    new_mount(c"tmpfs", tmpfs.params(), attributes)
}

/// A detached new mount of a filesystem of type `fstype` with `params`.
fn new_mount(
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
fn new_mount_with(
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
fn bind_one(from: impl AsFd, attributes: MountAttrFlags, onto: &OwnedFd) -> Result<(), Errno> {
    let bound = mount::open_tree(
        from,
        c"",
        OpenTreeFlags::AT_EMPTY_PATH
            | OpenTreeFlags::OPEN_TREE_CLONE
            | OpenTreeFlags::OPEN_TREE_CLOEXEC,
    )?;
    sys::mount_setattr(bound.as_fd(), false, attributes)?;
    attach(&bound, onto)
}
