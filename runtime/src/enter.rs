//! Entering a mount table: the steps, in the order DESIGN.md gives and explains. Each
//! step's work is in a file below: the user namespace (`ids.rs`), the scratch root and
//! the switch (`roots.rs`), the skeleton and the mountpoints (`mountpoints.rs`), one
//! file per kind of entry (`bind.rs`, `union.rs`, `proc.rs`, `dev.rs`, `nodes.rs`),
//! the file and mount operations they share (`fsops.rs`), and what confines the
//! program afterwards (`confine.rs`, `landlock.rs`, `limits.rs`, `pid.rs`).
//!
//! Everything here runs between fork and exec: no allocation, no lock, no panic. Paths
//! come from the static table as `&'static CStr`; anything composed is written into a
//! stack buffer whose overflow is an error.

use core::cell::Cell;
use core::ffi::CStr;

use rustix::fd::AsFd as _;
use rustix::fs::{self, Mode};
use rustix::io::Errno;
use rustix::mount::{self, MountPropagationFlags};
use rustix::process::{self, Pid};
use rustix::system;

use crate::error::{Context, Error, Reason, Step};
use crate::params::{self, NoValues, Values};
use crate::sys;
use crate::table::{Identity, Kind, MadeIn, Mount, Namespace, Unshare};

mod bind;
mod confine;
mod descriptors;
pub(crate) mod dev;
mod fsops;
mod hidden;
mod ids;
mod landlock;
mod limits;
mod mountpoints;
mod netns;
mod nodes;
mod pid;
mod proc;
mod roots;
mod union;

use fsops::{DIRECTORY, PathBuf, attach, new_tmpfs, relative};
pub use landlock::force_landlock_abi;
use roots::{Roots, Start};
pub use union::force_legacy_unions;

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
            let threads = ids::threads().map_err(|errno| Error::new(Step::Ids, errno))?;
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
        match parent {
            Some(parent) if self.unshare().contains(Unshare::PID) || self.new_session() => {
                self.enter_through_pid_1(parent, identity, start, params, trees)
            }
            _ => {
                let (user_namespace, own) = ids::unshare(self.namespaces(), identity)?;
                let program = confine::Program::new(identity, user_namespace);
                self.set_hostname()?;
                if self.unshare().contains(Unshare::NET) {
                    Context::NONE.step(Step::Loopback, sys::loopback_up)?;
                }
                // Only now: unshare gave this thread a filesystem context (umask, cwd) of
                // its own, so the other threads of a multithreaded caller keep theirs.
                self.mount(own, user_namespace, program, start, params, trees)?;
                self.confine(program, parent.map(confine::Parent::Pid))
            }
        }
    }

    /// [`Namespace::enter_forking`] through the processes of `enter/pid.rs`. The
    /// namespaces are made for pid 1 only: the caller's stand-in stays where the caller
    /// is, so that its end (which the caller waits for) never has to tear them down.
    /// Never inlined: a launcher whose table has no pid namespace and no new session
    /// is then built without it.
    #[inline(never)]
    fn enter_through_pid_1(
        &'static self,
        parent: Pid,
        identity: Identity,
        start: Start,
        params: &dyn Values,
        trees: descriptors::Trees,
    ) -> Result<(), Error> {
        let mapping = Cell::new(None);
        let mounts = Cell::new(ids::MountsPending::UNKNOWN);
        let bounded = Cell::new(None);
        let program =
            || confine::Program::new(identity, mapping.get().is_some()).bounded(bounded.get());
        // The network namespace is made by pid 1's helper. Pid 1 makes its mount
        // namespace once the helper is at work (which needs none, and then starts
        // sooner), when `fork_into` can.
        let net = self.unshare().contains(Unshare::NET);
        let others = self.namespaces().difference(Unshare::NET);
        pid::enter(
            parent,
            pid::Setup {
                as_pid_1: self.as_pid_1(),
                timeout: self.timeout_seconds(),
                wait_for_init: self.has_host_upper() || self.caps().bits() != 0,
            },
            || {
                let (forked, made, pending) = ids::fork_into(others, identity, net)?;
                mapping.set(made);
                mounts.set(pending);
                Ok(forked)
            },
            || {
                if let Some(mapping) = mapping.get() {
                    ids::map(mapping, identity)?;
                }
                let net = if net {
                    Some(netns::Helper::start()?)
                } else {
                    None
                };
                let own = mounts.get().make()?;
                self.set_hostname()?;
                let made = mapping.get().is_some();
                self.mount(own, made, program(), start, params, trees)?;
                // Before the fork, while the helper may still be at work: neither the
                // program nor pid 1, once it runs, has it to do then.
                bounded.set(confine::bound(self.caps())?);
                net.map_or(Ok(()), netns::Helper::join)
            },
            |parent| self.confine(program(), Some(parent)),
            || confine::give_up_everything(program()),
            || confine::give_up_outside(program()),
        )
    }

    /// Steps 2 to 8 (`enter_unshared`) with the umask 0, then the umask put back: what
    /// is created has the mode the table gives, whatever the caller's umask, and the
    /// program gets the caller's.
    fn mount(
        &'static self,
        // Only in a mount namespace of its own.
        _own: ids::OwnMounts,
        user_namespace: bool,
        program: confine::Program,
        start: Start,
        params: &dyn Values,
        trees: descriptors::Trees,
    ) -> Result<(), Error> {
        let maker = mountpoints::Maker {
            ns: self,
            owner: program.owner(),
        };
        let umask = process::umask(Mode::empty());
        let entered = self.enter_unshared(user_namespace, start, params, maker, trees);
        process::umask(umask);
        entered
    }

    /// Whether a union of the table writes to host directories, which overlayfs lets
    /// only one mount use at a time: the caller then returns only once the namespace
    /// is gone, so that the next run may mount them again.
    fn has_host_upper(&self) -> bool {
        self.mounts().iter().any(|mount| {
            matches!(mount.kind(), Kind::Union { upper: Some(upper), .. } if upper.host().is_some())
        })
    }

    /// The namespaces to make beside the mount namespace: the table's, and UTS whenever
    /// it sets a host name (never the host's).
    fn namespaces(&self) -> Unshare {
        match self.hostname() {
            Some(_) => self.unshare().union(Unshare::UTS),
            None => self.unshare(),
        }
    }

    /// Sets the host name of the new UTS namespace. (The new network namespace has
    /// only `lo`, which is brought up where the namespace is made.)
    fn set_hostname(&self) -> Result<(), Error> {
        if let Some(name) = self.hostname() {
            Context::NONE.step(Step::Hostname, || system::sethostname(name.to_bytes()))?;
        }
        Ok(())
    }

    /// The mount namespace's steps, in order: nothing propagates back to the host; the
    /// scratch root; the skeleton; each entry of the table; the new root and each
    /// `dev` sealed read-only; the switch to the new root.
    fn enter_unshared(
        &'static self,
        user_namespace: bool,
        start: Start,
        params: &dyn Values,
        maker: mountpoints::Maker,
        trees: descriptors::Trees,
    ) -> Result<(), Error> {
        Context::NONE.step(Step::Propagation, || {
            mount::mount_change(
                c"/",
                MountPropagationFlags::PRIVATE | MountPropagationFlags::REC,
            )
        })?;
        let mut roots = Roots::prepare(params, maker, trees)?;
        maker.skeleton(roots.new.as_fd(), self.skeleton())?;
        let mut made = Made {
            data: nodes::Data::new(self.mounts()),
            devs: dev::Devs::new(),
            parent: mountpoints::Parent::new(),
            sources: bind::Sources::new(),
        };
        for mount in self.mounts() {
            mount_one(&mut roots, &mut made, mount, user_namespace)
                .map_err(|error| params::with_value(error, params))?;
        }
        roots.seal()?;
        made.devs.seal()?;
        drop(made);
        roots.switch(start)
    }
}

/// What entries of the table leave behind until the switch: the tmpfs that holds the
/// content of `file`s, and each `dev`'s tmpfs, sealed read-only with the new root.
struct Made {
    data: nodes::Data,
    devs: dev::Devs,
    /// The directory of the last bind's mountpoint, for the next one beside it.
    parent: mountpoints::Parent,
    /// The directory of the last bind's source, for the next one beside it.
    sources: bind::Sources,
}

/// Mounts (or makes) one entry of the table: one match over its kind, calling the
/// file that mounts that kind, its errors naming the entry ([`Context::of`]).
fn mount_one(
    roots: &mut Roots,
    made: &mut Made,
    mount: &'static Mount,
    user_namespace: bool,
) -> Result<(), Error> {
    let context = Context::of(mount);
    let target = relative(mount.target());
    let maker = roots.maker;
    let mountpoint = |roots: &Roots| {
        mountpoints::open_mountpoint(roots.new.as_fd(), target, mount, context, maker)
    };
    match mount.kind() {
        // A directory of the skeleton (or of a bound tree), which exists: found by name.
        Kind::Bind { source } if mount.is_dir() && mount.made_in() == MadeIn::Skeleton => {
            let open = || mountpoint(roots);
            match made
                .parent
                .find(roots.new.as_fd(), roots.own, mount, context)?
            {
                Some(at) => {
                    bind::mount_at(roots, &mut made.sources, at, mount, source, context, open)?;
                }
                None => bind::mount(roots, &open()?, mount, source, context)?,
            }
        }
        Kind::Bind { source } => bind::mount(roots, &mountpoint(roots)?, mount, source, context)?,
        Kind::Tmpfs(tmpfs) => {
            let mountpoint = mountpoint(roots)?;
            context.step(Step::Tmpfs, || {
                attach(&new_tmpfs(tmpfs, mount.attributes())?, &mountpoint)
            })?;
        }
        Kind::Union { lowers, upper } => {
            let mountpoint = mountpoint(roots)?;
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
        Kind::Proc => proc::mount(&mountpoint(roots)?, context)?,
        Kind::Dev => {
            let mountpoint = mountpoint(roots)?;
            dev::build(roots, &mut made.devs, &mountpoint, context)?;
        }
        Kind::File { content } => {
            let mountpoint = mountpoint(roots)?;
            let bytes = nodes::Bytes::Fixed(content);
            nodes::file(roots, &mut made.data, &mountpoint, mount, bytes, context)?;
        }
        Kind::FileParam { name } => {
            let mountpoint = mountpoint(roots)?;
            let bytes = nodes::Bytes::Given(name);
            nodes::file(roots, &mut made.data, &mountpoint, mount, bytes, context)?;
        }
        Kind::Dir => nodes::dir(roots.new.as_fd(), mount, context, maker)?,
        Kind::Symlink { text } => {
            nodes::symlink(roots.new.as_fd(), mount, text, context, maker)?;
        }
    }
    made.parent.mounted(target);
    if target == c"." {
        // Something now covers the new root: later paths and the switch must start on
        // top of it, and a path walk from the old fd would stay below.
        roots.new = fs::open(c"/newroot", DIRECTORY, Mode::empty())
            .map_err(context.fail(Step::Mountpoint))?;
        roots.own = false;
    }
    Ok(())
}
