//! The only module with `unsafe`: what rustix lacks or marks unsafe, and (`start`) the
//! program start of a launcher without libc.

#![allow(unsafe_code)]
// System call arguments and results are machine words: descriptors, numbers and
// pointers go into registers as they are, and the kernel's answer is -4095..0 or a
// value of the call's own type.
#![allow(
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    clippy::cast_possible_truncation
)]

#[cfg(feature = "std")]
use core::cell::UnsafeCell;
#[cfg(feature = "std")]
use core::mem::MaybeUninit;
#[cfg(feature = "std")]
use core::ptr::NonNull;
#[cfg(feature = "std")]
use core::sync::atomic::{AtomicPtr, AtomicU32, Ordering};
#[cfg(feature = "std")]
use std::io;
#[cfg(feature = "std")]
use std::process::Command;
#[cfg(feature = "std")]
use std::sync::Arc;

use linux_raw_sys::general::{
    __NR_getcwd, __NR_mount_setattr, AT_EMPTY_PATH, AT_RECURSIVE, MOUNT_ATTR_RDONLY, mount_attr,
};
use rustix::fd::{AsRawFd, BorrowedFd};
use rustix::io::Errno;
use rustix::thread::UnshareFlags;

#[cfg(feature = "std")]
use crate::command::Ids;
#[cfg(feature = "std")]
use crate::error::{Error, Step};
#[cfg(feature = "std")]
use crate::params::Filled;

/// A system call straight to the kernel (no libc, no errno): its return value, or
/// the errno. Only for the calls rustix does not offer without allocating.
///
/// # Safety
/// The arguments must be valid for the call `number`: pointers live and large enough
/// for what the kernel reads or writes through them.
#[cfg(target_arch = "x86_64")]
unsafe fn raw_syscall(number: u32, args: [usize; 5]) -> Result<usize, Errno> {
    let ret: isize;
    // SAFETY: the x86_64 syscall ABI: number in rax, arguments in rdi, rsi, rdx, r10,
    // r8; the kernel clobbers rcx and r11 and touches no stack. The caller vouches for
    // the arguments.
    unsafe {
        core::arch::asm!(
            "syscall",
            inlateout("rax") number as isize => ret,
            in("rdi") args[0],
            in("rsi") args[1],
            in("rdx") args[2],
            in("r10") args[3],
            in("r8") args[4],
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    result(ret)
}

/// See the x86_64 version.
///
/// # Safety
/// As for the x86_64 version.
#[cfg(target_arch = "aarch64")]
unsafe fn raw_syscall(number: u32, args: [usize; 5]) -> Result<usize, Errno> {
    let ret: isize;
    // SAFETY: the aarch64 syscall ABI: number in x8, arguments in x0 to x4, result in
    // x0; no stack use. The caller vouches for the arguments.
    unsafe {
        core::arch::asm!(
            "svc 0",
            in("x8") number as usize,
            inlateout("x0") args[0] as isize => ret,
            in("x1") args[1],
            in("x2") args[2],
            in("x3") args[3],
            in("x4") args[4],
            options(nostack),
        );
    }
    result(ret)
}

#[cfg(feature = "launcher")]
pub(crate) mod start;

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
compile_error!("mountns: raw system calls are written for x86_64 and aarch64 only");

/// The kernel returns `-errno` (from -4095 to -1) on failure.
fn result(ret: isize) -> Result<usize, Errno> {
    if (-4095..0).contains(&ret) {
        Err(Errno::from_raw_os_error(-ret as i32))
    } else {
        Ok(ret as usize)
    }
}

/// `unshare(flags)`.
pub(crate) fn unshare(flags: UnshareFlags) -> Result<(), Errno> {
    debug_assert!(!flags.contains(UnshareFlags::FILES));
    // SAFETY: rustix marks unshare unsafe for CLONE_FILES, which would let threads see
    // different fd tables; we pass only CLONE_NEWNS and CLONE_NEWUSER.
    unsafe { rustix::thread::unshare_unsafe(flags - UnshareFlags::FILES) }
}

/// `mount_setattr(mount, "", AT_EMPTY_PATH [| AT_RECURSIVE], {attr_set: MOUNT_ATTR_RDONLY})`:
/// makes the mount of `mount` read-only, and with `recursive` every mount below it
/// (kernel 5.12).
pub(crate) fn mount_setattr_read_only(mount: BorrowedFd<'_>, recursive: bool) -> Result<(), Errno> {
    let flags = if recursive {
        AT_EMPTY_PATH | AT_RECURSIVE
    } else {
        AT_EMPTY_PATH
    };
    let attr = mount_attr {
        attr_set: MOUNT_ATTR_RDONLY.into(),
        attr_clr: 0,
        propagation: 0,
        userns_fd: 0,
    };
    // SAFETY: the path is a NUL-terminated static string and `attr` a live `mount_attr`
    // of the size passed; the kernel only reads both, during the call.
    unsafe {
        raw_syscall(
            __NR_mount_setattr,
            [
                mount.as_raw_fd() as usize,
                c"".as_ptr() as usize,
                flags as usize,
                &raw const attr as usize,
                size_of::<mount_attr>(),
            ],
        )
    }
    .map(drop)
}

/// `getcwd` into `buf`: returns the length of the path, without its NUL.
pub(crate) fn getcwd(buf: &mut [u8]) -> Result<usize, Errno> {
    // SAFETY: the kernel writes at most `buf.len()` bytes into `buf`, which we borrow
    // mutably for the duration of the call.
    let len = unsafe { raw_syscall(__NR_getcwd, [buf.as_mut_ptr() as usize, buf.len(), 0, 0, 0]) }?;
    // The kernel counts the NUL.
    len.checked_sub(1).ok_or(Errno::NOENT)
}

#[cfg(feature = "std")]
/// The size of the stack the `pre_exec` hook runs on, its lowest page a guard.
const HOOK_STACK: usize = 256 * 1024;

#[cfg(feature = "std")]
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
        switch_stack(
            top,
            trampoline::<F> as *const () as usize,
            &raw mut call as usize,
        );
    }
    // SAFETY: the mapping made above; the trampoline has returned, nothing uses it.
    unsafe { munmap(stack, HOOK_STACK) }
}

#[cfg(feature = "std")]
/// Calls `function(argument)` with the stack pointer at `top`, then switches back.
///
/// # Safety
/// `top` must be the 16-byte aligned end of writable memory large enough for the call,
/// and `function` an `extern "C" fn(usize)` that returns normally.
#[cfg(target_arch = "x86_64")]
unsafe fn switch_stack(top: *mut u8, function: usize, argument: usize) {
    // SAFETY: the caller vouches for `top` and `function`; r12 is callee-saved, so it
    // holds the old stack pointer across the call.
    unsafe {
        core::arch::asm!(
            "mov r12, rsp",
            "mov rsp, {top}",
            "call {function}",
            "mov rsp, r12",
            top = in(reg) top,
            function = in(reg) function,
            in("rdi") argument,
            out("r12") _,
            clobber_abi("C"),
        );
    }
}

#[cfg(feature = "std")]
/// See the x86_64 version.
///
/// # Safety
/// As for the x86_64 version.
#[cfg(target_arch = "aarch64")]
unsafe fn switch_stack(top: *mut u8, function: usize, argument: usize) {
    // SAFETY: as for the x86_64 version; x20 is callee-saved.
    unsafe {
        core::arch::asm!(
            "mov x20, sp",
            "mov sp, {top}",
            "blr {function}",
            "mov sp, x20",
            top = in(reg) top,
            function = in(reg) function,
            in("x0") argument,
            out("x20") _,
            clobber_abi("C"),
        );
    }
}

#[cfg(feature = "std")]
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

#[cfg(feature = "std")]
/// What the child of [`spawn_reported`] told its parent before exec or exit.
pub(crate) enum Told {
    /// Nothing: the spawn failed before the hook ran (fork, or std's own setup).
    Nothing,
    /// The child entered the namespace; what failed came after (exec).
    Entered,
    /// Entering failed with this error.
    Failed(Error),
}

#[cfg(feature = "std")]
/// The page a child of [`spawn_reported`] writes its outcome to: mapped `MAP_SHARED`
/// before the fork, so the parent sees the child's writes.
#[repr(C)]
struct Report {
    /// 0 as mapped, then `ENTERED` or `FAILED`, stored after `error`.
    state: AtomicU32,
    error: UnsafeCell<MaybeUninit<Error>>,
}

#[cfg(feature = "std")]
const ENTERED: u32 = 1;
#[cfg(feature = "std")]
const FAILED: u32 = 2;

#[cfg(feature = "std")]
/// One [`Report`] in a shared anonymous mapping of its own, unmapped on drop.
struct ReportPage(NonNull<Report>);

#[cfg(feature = "std")]
impl ReportPage {
    fn new() -> io::Result<ReportPage> {
        use rustix::mm::{MapFlags, ProtFlags, mmap_anonymous};
        // SAFETY: a fresh anonymous mapping at an address of the kernel's choosing: no
        // existing memory is affected. The kernel fills it with zeros: `state` is
        // 0, a valid `AtomicU32`; `error` may be anything (`MaybeUninit`).
        let page = unsafe {
            mmap_anonymous(
                core::ptr::null_mut(),
                size_of::<Report>(),
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::SHARED,
            )
        }?;
        NonNull::new(page.cast::<Report>())
            .map(ReportPage)
            .ok_or_else(|| io::Error::from(io::ErrorKind::OutOfMemory))
    }

    fn read(&self) -> Told {
        // SAFETY: the mapping lives until `self` drops; `Report` is page-aligned there.
        let report = unsafe { self.0.as_ref() };
        match report.state.load(Ordering::Acquire) {
            ENTERED => Told::Entered,
            // SAFETY: FAILED is stored (Release, read with Acquire above) only by `tell`,
            // after it wrote a whole `Error` into `error`. Copying its bytes back is
            // sound: `Error` is `Copy` (no drop, no ownership), its enums were written
            // as valid values, and its references are `&'static` to memory of this
            // process (the static table, or memory leaked for good), which the child,
            // a fork of this process, had at the same addresses.
            FAILED => Told::Failed(unsafe { (*report.error.get()).assume_init_read() }),
            _ => Told::Nothing,
        }
    }
}

#[cfg(feature = "std")]
impl Drop for ReportPage {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `new`; no child writes to it any more (see
        // `Armed`), and nothing in this process refers to it after `self`.
        let _ = unsafe { rustix::mm::munmap(self.0.as_ptr().cast(), size_of::<Report>()) };
    }
}

#[cfg(feature = "std")]
/// Where the hook of a [`spawn_reported`] call writes: that call's [`Report`] while it
/// spawns, null otherwise.
type Outlet = Arc<AtomicPtr<Report>>;

#[cfg(feature = "std")]
/// Points an [`Outlet`] at a live page for as long as it lives.
struct Armed<'a>(&'a AtomicPtr<Report>);

#[cfg(feature = "std")]
impl Drop for Armed<'_> {
    fn drop(&mut self) {
        self.0.store(core::ptr::null_mut(), Ordering::Relaxed);
    }
}

#[cfg(feature = "std")]
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
    let page = ReportPage::new().map_err(|error| (error, Told::Nothing))?;
    let outlet = Outlet::default();
    install(command, ns, ids, Some(Arc::clone(&outlet)));
    outlet.store(page.0.as_ptr(), Ordering::Relaxed);
    // Dropped before `page`: no fork after this call finds the page's address.
    let armed = Armed(&outlet);
    let spawned = spawn(command);
    drop(armed);
    spawned.map_err(|error| (error, page.read()))
}

#[cfg(feature = "std")]
/// Writes the outcome of entering to the report of a [`spawn_reported`] child.
fn tell(report: NonNull<Report>, entered: &Result<(), Error>) {
    // SAFETY: the outlet held `report` when this process forked, so the page was mapped
    // (`Armed` clears the outlet before `ReportPage` unmaps it), and this child has it at
    // the same address. This process has one thread; the parent reads the page only
    // once std's spawn has returned, after this hook.
    let report = unsafe { report.as_ref() };
    let state = match entered {
        Ok(()) => ENTERED,
        Err(error) => {
            // SAFETY: as above; nothing else reads or writes `error` meanwhile.
            unsafe { (*report.error.get()).write(*error) };
            FAILED
        }
    };
    report.state.store(state, Ordering::Release);
}

#[cfg(feature = "std")]
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
            entered = match &ids {
                Some(ids) => ns.enter_as(ids),
                None => ns.enter(),
            };
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

#[cfg(any(feature = "std", feature = "launcher"))]
/// Writes `bytes` to fd 2; returns how many were written.
pub(crate) fn write_stderr(bytes: &[u8]) -> Result<usize, Errno> {
    // SAFETY: fd 2 is borrowed only for this write. If the process closed it, the write
    // fails (EBADF) or goes to whatever took its number, as with std's `eprintln!`.
    let stderr = unsafe { BorrowedFd::borrow_raw(2) };
    rustix::io::write(stderr, bytes)
}
