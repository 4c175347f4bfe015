//! The raw process calls that entering a pid namespace needs and rustix offers only as
//! unsafe or not at all: fork, the signal mask and dispositions, waiting for a signal,
//! closing every descriptor, exiting.

use core::mem::MaybeUninit;

use linux_raw_sys::general::{
    __NR_clock_gettime, __NR_clone, __NR_clone3, __NR_close_range, __NR_exit_group, __NR_fcntl,
    __NR_getcpu, __NR_kill, __NR_rt_sigaction, __NR_rt_sigprocmask, __NR_rt_sigtimedwait,
    __kernel_timespec, CLOCK_MONOTONIC, CLONE_FILES, F_GETFL, F_OWNER_TID, F_SETFL, F_SETOWN_EX,
    FASYNC, SIG_BLOCK, SIG_SETMASK, SIG_UNBLOCK, SIGCHLD, clone_args, f_owner_ex, kernel_sigaction,
};
use rustix::fd::{AsRawFd as _, BorrowedFd};
use rustix::io::Errno;
use rustix::thread::UnshareFlags;

use super::raw_syscall;

/// `fork()`: `clone(SIGCHLD)` with no other flag, straight to the kernel (no libc
/// fork handlers, no locks). Returns the child's pid in the parent, `None` in the child.
///
/// The child is a copy of this process with one thread: locks other threads held stay
/// held there, so it must stay off them (entering takes none and allocates nothing)
/// until it executes or exits.
pub(crate) fn fork() -> Result<Option<i32>, Errno> {
    fork_into(UnshareFlags::empty())
}

/// [`fork`] into new `namespaces` (`CLONE_NEW*` flags only, as `unshare` takes them):
/// the child is made in them, this process stays where it is.
pub(crate) fn fork_into(namespaces: UnshareFlags) -> Result<Option<i32>, Errno> {
    const NAMESPACES: UnshareFlags = UnshareFlags::NEWNS
        .union(UnshareFlags::NEWUSER)
        .union(UnshareFlags::NEWPID)
        .union(UnshareFlags::NEWNET)
        .union(UnshareFlags::NEWIPC)
        .union(UnshareFlags::NEWUTS)
        .union(UnshareFlags::NEWCGROUP)
        .union(UnshareFlags::NEWTIME);
    let flags = (namespaces & NAMESPACES).bits() as usize | SIGCHLD as usize;
    // SAFETY: no pointer is passed; with a null stack the child runs on a copy of this
    // stack, as after fork(2). Memory is copied, not shared, so nothing of this process
    // is aliased by the child; the namespace flags only choose where the child lives.
    let pid = unsafe { raw_syscall(__NR_clone, [flags, 0, 0, 0, 0]) }?;
    Ok(if pid == 0 { None } else { Some(pid as i32) })
}

/// [`fork`] with the child's pid chosen: `clone3` with `set_tid` = `[pid]`, in this
/// process's pid namespace (kernel 5.5; `CAP_SYS_ADMIN` over the namespace, and `pid`
/// free, else an error).
pub(crate) fn fork_as(pid: i32) -> Result<Option<i32>, Errno> {
    let chosen = [pid];
    let args = clone_args {
        flags: 0,
        pidfd: 0,
        child_tid: 0,
        parent_tid: 0,
        exit_signal: u64::from(SIGCHLD),
        stack: 0,
        stack_size: 0,
        tls: 0,
        set_tid: chosen.as_ptr() as u64,
        set_tid_size: 1,
        cgroup: 0,
    };
    // SAFETY: `args` and the `chosen` array it points to live on this stack during the
    // call, which only reads them. No stack is given: the child runs on a copy of this
    // one, as after fork(2); memory is copied, not shared.
    let child = unsafe {
        raw_syscall(
            __NR_clone3,
            [&raw const args as usize, size_of::<clone_args>(), 0, 0, 0],
        )
    }?;
    Ok(if child == 0 { None } else { Some(child as i32) })
}

/// `clone(CLONE_FILES | SIGCHLD)`: a fork that shares this process's descriptor table,
/// so that what the child opens is the parent's too. Returns the child's pid in the
/// parent, `None` in the child.
///
/// The child has a copy of this process's memory, one thread, and the same table: it
/// must not close a descriptor the parent still uses (an `OwnedFd` dropped in the
/// child closes the parent's), so it ends with [`exit`], which drops nothing. The same
/// caution as [`fork`] holds for locks.
pub(crate) fn fork_sharing_fds() -> Result<Option<i32>, Errno> {
    // SAFETY: no pointer is passed; with a null stack the child runs on a copy of this
    // stack. Memory is copied, not shared; the descriptor table is shared, which the
    // caller's child code respects (see above).
    let flags = (CLONE_FILES | SIGCHLD) as usize;
    let pid = unsafe { raw_syscall(__NR_clone, [flags, 0, 0, 0, 0]) }?;
    Ok(if pid == 0 { None } else { Some(pid as i32) })
}

/// `exit_group(code)`: ends the process at once, without running anything of the
/// caller's (no atexit handlers, no flush), as a forked child must.
pub(crate) fn exit(code: u8) -> ! {
    // SAFETY: no pointer is passed; the call does not return.
    let _ = unsafe { raw_syscall(__NR_exit_group, [usize::from(code), 0, 0, 0, 0]) };
    // The kernel never returns from exit_group; should it, stop here.
    loop {
        core::hint::spin_loop();
    }
}

/// `close_range` around `keep`: closes every descriptor of the process but `keep`.
pub(crate) fn close_every_fd_but(keep: BorrowedFd<'_>) {
    let keep = keep.as_raw_fd() as usize;
    // SAFETY: closes descriptors only, as `close_every_fd`; `keep` stays open, and
    // ranges that are empty (`keep` 0, or the last) close nothing.
    unsafe {
        if keep > 0 {
            let _ = raw_syscall(__NR_close_range, [0, keep - 1, 0, 0, 0]);
        }
        let _ = raw_syscall(__NR_close_range, [keep + 1, u32::MAX as usize, 0, 0, 0]);
    }
}

/// Makes the kernel send `SIGIO` to the calling thread whenever input arrives on `fd`
/// (or its write end closes): `F_SETOWN_EX` to this thread (`F_OWNER_TID`: a process
/// owner would let any thread take it, and in a multithreaded caller one that does not
/// block it would die of it), then `O_ASYNC` added to its status flags.
pub(crate) fn signal_on_input(fd: BorrowedFd<'_>) -> Result<(), Errno> {
    let fd = fd.as_raw_fd() as usize;
    let owner = f_owner_ex {
        type_: F_OWNER_TID as _,
        pid: rustix::thread::gettid().as_raw_nonzero().get(),
    };
    // SAFETY: `owner` is a live `struct f_owner_ex` on this stack, which F_SETOWN_EX
    // only reads during the call; the other calls take integers only.
    unsafe {
        raw_syscall(
            __NR_fcntl,
            [fd, F_SETOWN_EX as usize, &raw const owner as usize, 0, 0],
        )?;
        let flags = raw_syscall(__NR_fcntl, [fd, F_GETFL as usize, 0, 0, 0])?;
        raw_syscall(
            __NR_fcntl,
            [fd, F_SETFL as usize, flags | FASYNC as usize, 0, 0],
        )?;
    }
    Ok(())
}

/// `getcpu`: the processor this thread runs on (straight to the kernel: rustix asks the
/// vDSO, whose parser would weigh on a launcher).
pub(crate) fn current_cpu() -> Result<usize, Errno> {
    let mut cpu = 0u32;
    // SAFETY: `cpu` is a live `u32` the kernel writes during the call; the other two
    // pointers are null, which the call accepts.
    unsafe { raw_syscall(__NR_getcpu, [(&raw mut cpu) as usize, 0, 0, 0, 0]) }?;
    Ok(cpu as usize)
}

/// `kill(pid, signal)`, for any signal number (a program may die of a real-time one).
pub(crate) fn kill(pid: i32, signal: i32) -> Result<(), Errno> {
    // SAFETY: no pointer is passed.
    unsafe { raw_syscall(__NR_kill, [pid as usize, signal as usize, 0, 0, 0]) }.map(drop)
}

/// A kernel signal set (64 signals on `x86_64` and `aarch64`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SignalSet(u64);

impl SignalSet {
    /// The set of these signal numbers (1 to 64; others are left out).
    pub(crate) const fn of(signals: &[i32]) -> SignalSet {
        let mut bits = 0u64;
        let mut i = 0;
        while i < signals.len() {
            if signals[i] >= 1 && signals[i] <= 64 {
                bits |= 1 << (signals[i] - 1);
            }
            i += 1;
        }
        SignalSet(bits)
    }

    /// The signals of both sets.
    pub(crate) const fn union(self, other: SignalSet) -> SignalSet {
        SignalSet(self.0 | other.0)
    }

    /// `rt_sigprocmask(how, self, &old)`: returns the mask before.
    fn apply(self, how: u32) -> Result<SignalSet, Errno> {
        let mut old = 0u64;
        // SAFETY: both pointers are to live `u64`s, the kernel's sigset size on these
        // architectures, which is the size passed; it reads one and writes the other
        // during the call only.
        unsafe {
            raw_syscall(
                __NR_rt_sigprocmask,
                [
                    how as usize,
                    &raw const self.0 as usize,
                    &raw mut old as usize,
                    size_of::<u64>(),
                    0,
                ],
            )
        }?;
        Ok(SignalSet(old))
    }

    /// Blocks these signals (in addition): returns the mask before.
    pub(crate) fn block(self) -> Result<SignalSet, Errno> {
        self.apply(SIG_BLOCK)
    }

    /// Unblocks these signals.
    pub(crate) fn unblock(self) -> Result<(), Errno> {
        self.apply(SIG_UNBLOCK).map(drop)
    }

    /// Makes this set the signal mask.
    pub(crate) fn set_mask(self) -> Result<(), Errno> {
        self.apply(SIG_SETMASK).map(drop)
    }

    /// `rt_sigtimedwait(self, &info, NULL)`: waits for one of these signals, which must
    /// be blocked, and takes it. Retries on EINTR (a stop and continue).
    pub(crate) fn wait(self) -> Received {
        loop {
            if let Ok(received) = self.take(None) {
                return received;
            }
        }
    }

    /// [`SignalSet::wait`] until `deadline` at the latest: `None` once it has passed
    /// without a signal.
    pub(crate) fn wait_until(self, deadline: Instant) -> Option<Received> {
        loop {
            let left = deadline
                .0
                .checked_sub(Instant::now().0)
                .filter(|&left| left > 0)?;
            let timeout = __kernel_timespec {
                tv_sec: (left / NANOS) as i64,
                tv_nsec: (left % NANOS) as i64,
            };
            // EAGAIN: the time is up (checked again above); EINTR: a stop and continue.
            if let Ok(received) = self.take(Some(&timeout)) {
                return Some(received);
            }
        }
    }

    /// One `rt_sigtimedwait(self, &info, timeout)`.
    fn take(self, timeout: Option<&__kernel_timespec>) -> Result<Received, Errno> {
        // Room for a `siginfo_t` (128 bytes); `si_signo` is its first int, `si_code` its
        // third.
        let mut info = [0i32; 32];
        let timeout = timeout.map_or(0, |timeout| core::ptr::from_ref(timeout) as usize);
        // SAFETY: the set is a live `u64` of the size passed; the kernel writes at most a
        // `siginfo_t` (128 bytes) into `info`, which has that size, and reads the
        // timeout, a live `__kernel_timespec` (or none, null).
        let signal = unsafe {
            raw_syscall(
                __NR_rt_sigtimedwait,
                [
                    &raw const self.0 as usize,
                    info.as_mut_ptr() as usize,
                    timeout,
                    size_of::<u64>(),
                    0,
                ],
            )
        }?;
        Ok(Received {
            signal: signal as i32,
            code: info[2],
        })
    }
}

const NANOS: u64 = 1_000_000_000;

/// A point in time on the monotonic clock (which no one can set), in nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Instant(u64);

impl Instant {
    /// `clock_gettime(CLOCK_MONOTONIC)`, straight to the kernel (no vDSO, which a
    /// launcher without libc has not located).
    pub(crate) fn now() -> Instant {
        let mut now = __kernel_timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: the kernel writes one `__kernel_timespec` into `now`, live and of that
        // type, during the call.
        let read = unsafe {
            raw_syscall(
                __NR_clock_gettime,
                [CLOCK_MONOTONIC as usize, &raw mut now as usize, 0, 0, 0],
            )
        };
        // The monotonic clock always exists; should reading it fail, time stands still.
        match read {
            Ok(_) => Instant(now.tv_sec as u64 * NANOS + now.tv_nsec as u64),
            Err(_) => Instant(0),
        }
    }

    /// This point plus `seconds`.
    pub(crate) fn after(self, seconds: u32) -> Instant {
        Instant(self.0.saturating_add(u64::from(seconds) * NANOS))
    }
}

/// A signal taken by [`SignalSet::wait`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Received {
    pub(crate) signal: i32,
    /// `si_code`: who sent it.
    code: i32,
}

impl Received {
    /// Whether a process sent it (`kill`, `sigqueue`, `tkill`), rather than the kernel
    /// (a terminal's ^C, a child's end).
    pub(crate) fn sent_by_a_process(self) -> bool {
        const SI_USER: i32 = linux_raw_sys::general::SI_USER as i32;
        matches!(
            self.code,
            SI_USER | linux_raw_sys::general::SI_QUEUE | linux_raw_sys::general::SI_TKILL
        )
    }
}

/// What a signal did before [`Disposition::set_default`]: its handler word (`SIG_DFL`
/// 0, `SIG_IGN` 1, or a handler, which an exec resets), to put back.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Disposition {
    signal: i32,
    old: kernel_sigaction,
}

impl Disposition {
    /// `rt_sigaction(signal, {SIG_DFL}, &old)`.
    pub(crate) fn set_default(signal: i32) -> Result<Disposition, Errno> {
        let default = kernel_sigaction {
            sa_handler_kernel: None,
            sa_flags: 0,
            sa_restorer: None,
            sa_mask: linux_raw_sys::general::kernel_sigset_t { sig: [0] },
        };
        let mut old = MaybeUninit::<kernel_sigaction>::zeroed();
        // SAFETY: `default` is a live `kernel_sigaction` with no handler (SIG_DFL needs
        // no restorer), `old` room for one, and the sigset size is the kernel's; it reads
        // and writes them during the call only.
        unsafe {
            raw_syscall(
                __NR_rt_sigaction,
                [
                    signal as usize,
                    &raw const default as usize,
                    old.as_mut_ptr() as usize,
                    size_of::<u64>(),
                    0,
                ],
            )
        }?;
        // SAFETY: the kernel filled it (or it is all zeros, a valid SIG_DFL).
        let old = unsafe { old.assume_init() };
        Ok(Disposition { signal, old })
    }

    /// Puts the signal's disposition back as it was.
    pub(crate) fn restore(&self) -> Result<(), Errno> {
        // SAFETY: `old` is what the kernel gave for this signal: a handler of this
        // process (with its restorer and flags) or SIG_DFL/SIG_IGN; the memory is
        // copied, so whatever handler it names is at the same address here.
        unsafe {
            raw_syscall(
                __NR_rt_sigaction,
                [
                    self.signal as usize,
                    &raw const self.old as usize,
                    0,
                    size_of::<u64>(),
                    0,
                ],
            )
        }
        .map(drop)
    }
}
