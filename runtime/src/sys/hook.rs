//! A hook that runs between fork and exec of a `std::process::Command` (feature
//! `std`): on its own stack, telling its parent how it ended on a shared page or on
//! stderr. What it does is a [`BeforeExec`] of the caller's.

use core::ptr::NonNull;
use core::sync::atomic::{AtomicPtr, Ordering};
use std::io;
use std::process::Command;
use std::sync::Arc;

use rustix::io::Errno;

use super::shared::{Handed, Report, SharedPage};

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

/// The work of a hook: what a child does between fork and exec.
///
/// std runs a hook in the child of a fork, a copy of a process whose other threads may
/// have held locks (the allocator's among them): the hook must be async-signal-safe.
/// So every method here, and all it calls, allocates nothing, takes no lock and does
/// not panic, and reads only memory mapped before the fork; [`before_exec`] and
/// [`spawn_reported`] rely on it. `run` and `tell` run on a stack of the hook's own.
pub(crate) trait BeforeExec: Send + Sync + 'static {
    /// How the work fails: told to the parent on the page of [`spawn_reported`].
    type Error: Handed;
    /// The work.
    fn run(&self) -> Result<(), Self::Error>;
    /// The failure when the hook's stack cannot be mapped.
    fn no_stack(errno: Errno) -> Self::Error;
    /// Writes `error` to stderr, for a parent that gets only its errno.
    fn tell(error: &Self::Error);
    /// The errno std hands to the parent.
    fn errno(error: &Self::Error) -> i32;
}

/// Installs a hook that does `work` in the child between fork and exec. On failure the
/// child writes the error to its stderr ([`BeforeExec::tell`]), since std passes only
/// the errno to the parent.
pub(crate) fn before_exec(command: &mut Command, work: impl BeforeExec) -> &mut Command {
    install(command, work, None)
}

/// What the child of [`spawn_reported`] told before exec or exit: nothing (`None`: the
/// spawn failed before the hook ran, in fork or std's own setup), or the work's result
/// (what failed after it is the exec).
pub(crate) type Told<E> = Option<Result<(), E>>;

/// The state of a [`Report`] whose child did its work.
const DONE: u32 = 1;

/// Where the hook of a [`spawn_reported`] call writes: that call's [`Report`] while it
/// spawns, null otherwise.
type Outlet<E> = Arc<AtomicPtr<Report<E>>>;

/// Points an [`Outlet`] at a live page for as long as it lives.
struct Armed<'a, E>(&'a AtomicPtr<Report<E>>);

impl<E> Drop for Armed<'_, E> {
    fn drop(&mut self) {
        self.0.store(core::ptr::null_mut(), Ordering::Relaxed);
    }
}

/// Runs `spawn` (std's `spawn` or `output` on `command`) with a hook that does `work`,
/// and writes how it ended to a page shared with this process instead of stderr. On
/// error, also returns what the child told.
///
/// The hook stays in `command` (std cannot remove one) but does nothing outside this
/// call: its outlet is null then, so a later spawn neither works nor writes.
pub(crate) fn spawn_reported<W: BeforeExec, T>(
    command: &mut Command,
    work: W,
    spawn: impl FnOnce(&mut Command) -> io::Result<T>,
) -> Result<T, (io::Error, Told<W::Error>)> {
    let page = SharedPage::<Report<W::Error>>::new().map_err(|errno| (errno.into(), None))?;
    let outlet = Outlet::default();
    install(command, work, Some(Arc::clone(&outlet)));
    outlet.store(page.as_ptr(), Ordering::Relaxed);
    // Dropped before `page`: no fork after this call finds the page's address.
    let armed = Armed(&outlet);
    let spawned = spawn(command);
    drop(armed);
    spawned.map_err(|error| {
        let told = match page.get().read() {
            Err(error) => Some(Err(error)),
            Ok(DONE) => Some(Ok(())),
            Ok(_) => None,
        };
        (error, told)
    })
}

/// Writes how the work ended to the report of a [`spawn_reported`] child.
fn write<E: Handed>(report: NonNull<Report<E>>, done: &Result<(), E>) {
    // SAFETY: the outlet held `report` when this process forked, so the page was mapped
    // (`Armed` clears the outlet before the `SharedPage` unmaps it), and this child has it at
    // the same address. This process has one thread; the parent reads the page only
    // once std's spawn has returned, after this hook.
    let report = unsafe { report.as_ref() };
    match done {
        Ok(()) => report.settle(DONE),
        Err(error) => report.fail(*error),
    }
}

/// Installs the hook: it does `work`. Without an outlet, a failure is written to
/// stderr; with one, it goes to the outlet's report, and the hook does nothing while
/// the outlet is null. Safe because the hook is fixed here, and its work a
/// [`BeforeExec`].
fn install<W: BeforeExec>(
    command: &mut Command,
    work: W,
    outlet: Option<Outlet<W::Error>>,
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
        let mut done = Err(W::no_stack(Errno::NOMEM));
        let stacked = on_own_stack(|| {
            done = work.run();
            if report.is_none() {
                // The parent gets only the errno: the child writes the whole message.
                let _ = done.as_ref().inspect_err(|error| W::tell(error));
            }
        });
        if let Err(errno) = stacked {
            let error = W::no_stack(errno);
            if report.is_none() {
                W::tell(&error);
            }
            done = Err(error);
        }
        if let Some(report) = report {
            write(report, &done);
        }
        done.map_err(|error| io::Error::from_raw_os_error(W::errno(&error)))
    };
    // SAFETY: std requires a pre_exec hook to be async-signal-safe: the work is a
    // `BeforeExec`, which allocates nothing, takes no lock and does not panic, and
    // `write` only stores to a page mapped before the fork; the hook reads `work` and
    // `outlet`, which were allocated before the fork.
    unsafe { std::os::unix::process::CommandExt::pre_exec(command, hook) }
}
