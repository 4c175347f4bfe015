//! The network namespace of a table entered through pid 1 (`enter/pid.rs`): making
//! one takes the kernel longer than anything else of entering (every network
//! subsystem sets itself up in it), so a helper makes it, and brings up `lo`, while
//! pid 1 mounts the table on another processor. Pid 1 then joins it, before forking
//! the program.
//!
//! The helper shares pid 1's descriptor table: it leaves the namespace's descriptor in
//! a slot that pid 1 opened for it, and its error, if any, on a page of its own.

use rustix::fd::{AsFd as _, OwnedFd};
use rustix::fs::{self, Mode, OFlags};
use rustix::io::{DupFlags, Errno};
use rustix::process::{self, Pid, WaitOptions};
use rustix::thread::{self, CpuSet, LinkNameSpaceType, UnshareFlags};

use crate::error::{Context, Error, Step};
use crate::sys;
use crate::sys::process as raw;
use crate::sys::shared::{Report, SharedPage};

/// The helper, at work.
pub(super) struct Helper {
    pid: i32,
    /// Where the helper puts the namespace's descriptor (in the table both share).
    slot: OwnedFd,
    report: SharedPage<Report<Error>>,
}

impl Helper {
    /// Forks the helper, on another processor than this one when this process may
    /// run on one.
    pub(super) fn start() -> Result<Helper, Error> {
        let (slot, report) = Context::NONE.step(Step::Fork, || {
            let slot = fs::open(c"/", OFlags::PATH | OFlags::CLOEXEC, Mode::empty())?;
            Ok((slot, SharedPage::<Report<Error>>::new()?))
        })?;
        match Context::NONE.step(Step::Fork, raw::fork_sharing_fds)? {
            None => {
                // The helper: its copies of `slot` and `report` are never dropped (it
                // ends with `exit`), so nothing of pid 1's is closed.
                let mut slot = slot;
                match make(&mut slot) {
                    Ok(()) => raw::exit(0),
                    Err(error) => {
                        report.get().fail(error);
                        raw::exit(1)
                    }
                }
            }
            Some(pid) => {
                elsewhere(pid);
                Ok(Helper { pid, slot, report })
            }
        }
    }

    /// Waits for the helper to end, then moves this process into the namespace it
    /// made: its children, the program's process among them, are made in it.
    pub(super) fn join(self) -> Result<(), Error> {
        let status = Context::NONE.step(Step::Fork, || {
            process::waitpid(
                Some(Pid::from_raw(self.pid).ok_or(Errno::SRCH)?),
                WaitOptions::empty(),
            )
        })?;
        self.report.get().read()?;
        if status.is_none_or(|(_, status)| status.exit_status() != Some(0)) {
            // Killed before it could say anything.
            return Err(Error::new(Step::Unshare, Errno::CHILD));
        }
        Context::NONE.step(Step::Unshare, || {
            thread::move_into_link_name_space(self.slot.as_fd(), Some(LinkNameSpaceType::Network))
        })
    }
}

/// In the helper: a new network namespace, `lo` up in it, and its descriptor in `slot`.
fn make(slot: &mut OwnedFd) -> Result<(), Error> {
    Context::NONE.step(Step::Unshare, || sys::unshare(UnshareFlags::NEWNET))?;
    Context::NONE.step(Step::Loopback, || {
        let namespace = sys::loopback_up_namespace()?;
        rustix::io::dup3(&namespace, slot, DupFlags::CLOEXEC)
    })
}

/// Moves the process `pid` to a processor other than the current one, if it may run on
/// one: left where it was forked, it would wait for this process to sleep.
fn elsewhere(pid: i32) {
    let Ok(allowed) = thread::sched_getaffinity(None) else {
        return;
    };
    let Ok(here) = raw::current_cpu() else {
        return;
    };
    let Some(other) = (0..CpuSet::MAX_CPU).find(|&cpu| cpu != here && allowed.is_set(cpu)) else {
        return;
    };
    let mut there = CpuSet::new();
    there.set(other);
    let _ = thread::sched_setaffinity(Pid::from_raw(pid), &there);
}
