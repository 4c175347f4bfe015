//! The hook that enters a namespace between fork and exec of a `std::process::Command`
//! (feature `std`): its own stack, and the page a child reports its outcome on.

use core::ptr::NonNull;
use core::sync::atomic::{AtomicPtr, Ordering};
use std::io;
use std::process::Command;
use std::sync::Arc;

use rustix::io::Errno;

use super::shared::{Report, SharedPage};
use crate::command::Ids;
use crate::error::{Error, Step};
use crate::params::Filled;

/// The size of the stack the `pre_exec` hook runs on, its lowest page a guard.
const HOOK_STACK: usize = 256 * 1024;

/// Runs `run` on a stack of its own: mapped for it, with a guard page below, and
/// unmapped after. The thread that called `spawn` may have a small stack (a thread
/// built with `stack_size(32 * 1024)`), and the child runs the hook on a copy of it;
/// entering needs more than that in a debug build. Fails if the stack cannot be
/// mapped, so the caller reports an error instead of overflowing into a signal.
pub(crate) fn on_own_stack<F: FnOnce()>(run: F) -> Result<(), Errno> {
    use rustix::mm::{MapFlags, MprotectFlags, ProtFlags, mmap_anonymous, mprotect, munmap};

    /// What the trampoline takes: the closure, moved out once.
    struct Call<F>(Option<F>);

    extern "C" fn trampoline<F: FnOnce()>(call: *mut Call<F>) {
        // SAFETY: `call` points to the live `Call` of `on_own_stack`, whose frame waits
        // for this function to return; nothing else touches it meanwhile.
        if let Some(run) = unsafe { &mut *call }.0.take() {
            // A panic cannot unwind out of an `extern "C"` function: it aborts.
            run();
        }
    }

    // SAFETY: a fresh anonymous mapping at an address of the kernel's choosing: no
    // existing memory is affected.
    let stack = unsafe {
        mmap_anonymous(
            core::ptr::null_mut(),
            HOOK_STACK,
            ProtFlags::READ | ProtFlags::WRITE,
            MapFlags::PRIVATE | MapFlags::STACK,
        )
    }?;
    // SAFETY: the lowest page of our own mapping (the kernel rounds the length up to a
    // whole page where pages are larger), which nothing uses yet.
    let guarded = unsafe { mprotect(stack, 4096, MprotectFlags::empty()) };
    if let Err(errno) = guarded {
        // SAFETY: the mapping made above, not used.
        let _ = unsafe { munmap(stack, HOOK_STACK) };
        return Err(errno);
    }
    let mut call = Call(Some(run));
    let top = stack.cast::<u8>().wrapping_add(HOOK_STACK);
    // SAFETY: `top` is the page-aligned (so 16-byte aligned, as the ABI wants at a
    // call) end of a writable mapping of ours; the old stack pointer is kept in a
    // callee-saved register and restored when the trampoline returns, which it does
    // (it cannot unwind: a panic aborts). Every caller-saved register is declared
    // clobbered.
    unsafe {
        super::arch::switch_stack(
            top,
            trampoline::<F> as *const () as usize,
            &raw mut call as usize,
        );
    }
    // SAFETY: the mapping made above; the trampoline has returned, nothing uses it.
    unsafe { munmap(stack, HOOK_STACK) }
}

/// Installs the hook that enters `ns` in the child between fork and exec, then
/// switches to `ids` if given. On failure the child writes the message to its stderr,
/// since std passes only the errno to the parent.
pub(crate) fn enter_before_exec(
    command: &mut Command,
    ns: Filled,
    ids: Option<Ids>,
) -> &mut Command {
    install(command, ns, ids, None)
}

/// What the child of [`spawn_reported`] told its parent before exec or exit.
pub(crate) enum Told {
    /// Nothing: the spawn failed before the hook ran (fork, or std's own setup).
    Nothing,
    /// The child entered the namespace; what failed came after (exec).
    Entered,
    /// Entering failed with this error.
    Failed(Error),
}

/// The state of a [`Report`] whose child entered the namespace.
const ENTERED: u32 = 1;

impl Told {
    /// What `report` says: the page a child of [`spawn_reported`] wrote its outcome to,
    /// mapped `MAP_SHARED` before the fork.
    fn read(report: &Report) -> Told {
        match report.read() {
            Err(error) => Told::Failed(error),
            Ok(ENTERED) => Told::Entered,
            Ok(_) => Told::Nothing,
        }
    }
}

/// Where the hook of a [`spawn_reported`] call writes: that call's [`Report`] while it
/// spawns, null otherwise.
type Outlet = Arc<AtomicPtr<Report>>;

/// Points an [`Outlet`] at a live page for as long as it lives.
struct Armed<'a>(&'a AtomicPtr<Report>);

impl Drop for Armed<'_> {
    fn drop(&mut self) {
        self.0.store(core::ptr::null_mut(), Ordering::Relaxed);
    }
}

/// Runs `spawn` (std's `spawn` or `output` on `command`) with a hook that enters `ns`,
/// then switches to `ids` if given, and writes its outcome to a page shared with this
/// process instead of stderr. On error, also returns what the child told.
///
/// The hook stays in `command` (std cannot remove one) but does nothing outside this
/// call: its outlet is null then, so a later spawn neither enters nor writes.
pub(crate) fn spawn_reported<T>(
    command: &mut Command,
    ns: Filled,
    ids: Option<Ids>,
    spawn: impl FnOnce(&mut Command) -> io::Result<T>,
) -> Result<T, (io::Error, Told)> {
    let page = SharedPage::<Report>::new().map_err(|errno| (errno.into(), Told::Nothing))?;
    let outlet = Outlet::default();
    install(command, ns, ids, Some(Arc::clone(&outlet)));
    outlet.store(page.as_ptr(), Ordering::Relaxed);
    // Dropped before `page`: no fork after this call finds the page's address.
    let armed = Armed(&outlet);
    let spawned = spawn(command);
    drop(armed);
    spawned.map_err(|error| (error, Told::read(page.get())))
}

/// Writes the outcome of entering to the report of a [`spawn_reported`] child.
fn tell(report: NonNull<Report>, entered: &Result<(), Error>) {
    // SAFETY: the outlet held `report` when this process forked, so the page was mapped
    // (`Armed` clears the outlet before the `SharedPage` unmaps it), and this child has it at
    // the same address. This process has one thread; the parent reads the page only
    // once std's spawn has returned, after this hook.
    let report = unsafe { report.as_ref() };
    match entered {
        Ok(()) => report.settle(ENTERED),
        Err(error) => report.fail(*error),
    }
}

/// Installs the hook: it enters `ns`, then switches to `ids` if given. Without an
/// outlet, a failure is written to stderr; with one, it goes to the outlet's report,
/// and the hook does nothing while the outlet is null. Safe because the hook is fixed
/// here, not the caller's.
fn install(
    command: &mut Command,
    ns: Filled,
    ids: Option<Ids>,
    outlet: Option<Outlet>,
) -> &mut Command {
    let hook = move || {
        let report = match &outlet {
            None => None,
            Some(outlet) => match NonNull::new(outlet.load(Ordering::Relaxed)) {
                // Installed by an earlier `spawn_reported` on this command: not ours.
                None => return Ok(()),
                report => report,
            },
        };
        let mut entered = Err(Error::new(Step::Stack, Errno::NOMEM));
        let stacked = on_own_stack(|| {
            entered = ns.enter_to_exec(ids.as_ref());
            if report.is_none() {
                // The parent gets only the errno: the child writes the whole message.
                let _ = entered.inspect_err(Error::report);
            }
        });
        if let Err(errno) = stacked {
            let error = Error::new(Step::Stack, errno);
            if report.is_none() {
                error.report();
            }
            entered = Err(error);
        }
        if let Some(report) = report {
            tell(report, &entered);
        }
        entered.map_err(|error| io::Error::from_raw_os_error(error.errno()))
    };
    // SAFETY: std requires a pre_exec hook to be async-signal-safe: `enter`,
    // `enter_as`, `Error::report` and `tell` allocate nothing, take no lock and do not
    // panic; they only make syscalls with paths from the static table or stack buffers,
    // and read `ids` and `outlet`, which were allocated before the fork.
    unsafe { std::os::unix::process::CommandExt::pre_exec(command, hook) }
}
