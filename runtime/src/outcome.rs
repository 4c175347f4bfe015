//! What the processes of a pid namespace tell the caller (`enter/pid.rs`): entering's
//! error, the program's end, or the time limit's, on a page mapped `MAP_SHARED` before
//! the first fork, so that every fork writes to the same page.

use core::sync::atomic::{AtomicU32, Ordering};

use rustix::io::Errno;

use crate::error::Error;
use crate::sys::shared::{Report, SharedPage};

/// The state of a [`Report`] whose program ended; its raw wait status is beside it.
const ENDED: u32 = 1;
/// The state of a [`Report`] whose program the time limit ended.
const TIMED_OUT: u32 = 2;

/// What an [`OutcomePage`] says.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Outcome {
    /// Nothing yet.
    Nothing,
    /// Entering failed.
    Failed(Error),
    /// The program ended with this raw wait status.
    Ended(i32),
    /// The table's time limit ended the program and everything it started.
    TimedOut,
}

impl Outcome {
    /// Whether the program ended (by itself or by the time limit).
    pub(crate) fn is_end(self) -> bool {
        matches!(self, Outcome::Ended(_) | Outcome::TimedOut)
    }
}

/// The page the processes of a pid namespace share: entering's error, `ENDED` (stored
/// after the status beside it) or `TIMED_OUT`, and the program's raw wait status.
pub(crate) struct OutcomePage(SharedPage<(Report<Error>, AtomicU32)>);

impl OutcomePage {
    pub(crate) fn new() -> Result<OutcomePage, Errno> {
        SharedPage::new().map(OutcomePage)
    }

    /// Writes entering's error. Called once, by the one process that failed (before
    /// any program process exists, or in it), and read only after that process ended.
    pub(crate) fn fail(&self, error: Error) {
        self.0.get().0.fail(error);
    }

    /// Writes the program's raw wait status, unless the program wrote an error (it
    /// failed before executing, and its end says nothing more).
    // The status is the kernel's word, stored as it is.
    #[allow(clippy::cast_sign_loss)]
    pub(crate) fn end(&self, status: i32) {
        let (report, stored) = self.0.get();
        stored.store(status as u32, Ordering::Relaxed);
        report.settle(ENDED);
    }

    /// Says that the time limit ended the program, unless it ended first.
    pub(crate) fn time_out(&self) {
        self.0.get().0.settle(TIMED_OUT);
    }

    #[allow(clippy::cast_possible_wrap)]
    pub(crate) fn read(&self) -> Outcome {
        let (report, status) = self.0.get();
        match report.read() {
            Err(error) => Outcome::Failed(error),
            Ok(ENDED) => Outcome::Ended(status.load(Ordering::Relaxed) as i32),
            Ok(TIMED_OUT) => Outcome::TimedOut,
            Ok(_) => Outcome::Nothing,
        }
    }
}
