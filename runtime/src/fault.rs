//! Fault injection, for tests only (feature `fault-injection`): makes the nth
//! occurrence of a step fail with a chosen errno, before its syscall, to test the steps
//! no real cause can make fail. Without the feature every check is `Ok(())` and
//! compiles to nothing.

use rustix::io::Errno;

use crate::error::{Context, Error, Step};

#[cfg(feature = "fault-injection")]
// The armed fault is packed into one atomic word: the casts cut and join its fields.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    clippy::cast_lossless
)]
mod armed {
    use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};

    use rustix::io::Errno;

    use crate::error::Step;

    /// The armed fault: step + 1 (0: none), occurrence and errno, packed.
    static FAULT: AtomicU64 = AtomicU64::new(0);
    /// How many times the armed step was reached in this process.
    static SEEN: AtomicU32 = AtomicU32::new(0);

    pub fn inject(step: Step, occurrence: u16, errno: i32) {
        let packed = (step as u64 + 1) << 48 | (occurrence as u64) << 32 | errno as u32 as u64;
        SEEN.store(0, Ordering::Relaxed);
        FAULT.store(packed, Ordering::Relaxed);
    }

    pub fn clear() {
        FAULT.store(0, Ordering::Relaxed);
    }

    pub fn check(step: Step) -> Result<(), Errno> {
        let packed = FAULT.load(Ordering::Relaxed);
        if packed >> 48 != step as u64 + 1 {
            return Ok(());
        }
        let seen = SEEN.fetch_add(1, Ordering::Relaxed) + 1;
        if seen == (packed >> 32) as u16 as u32 {
            Err(Errno::from_raw_os_error(packed as u32 as i32))
        } else {
            Ok(())
        }
    }
}

/// Makes the `occurrence`th time (from 1) that `enter` reaches `step` fail with
/// `errno`, in this process and in the children it forks from now on.
#[cfg(feature = "fault-injection")]
pub fn inject(step: Step, occurrence: u16, errno: i32) {
    armed::inject(step, occurrence, errno);
}

/// Disarms [`inject`].
#[cfg(feature = "fault-injection")]
pub fn clear() {
    armed::clear();
}

/// Fails if a fault is armed for this occurrence of `step`.
// A `Result` in every build: it fails only with the feature.
#[allow(clippy::unnecessary_wraps)]
#[inline]
pub(crate) fn check(step: Step) -> Result<(), Errno> {
    #[cfg(feature = "fault-injection")]
    return armed::check(step);
    #[cfg(not(feature = "fault-injection"))]
    {
        let _ = step;
        Ok(())
    }
}

impl Context {
    /// Runs `step` of this entry: fails if a fault is injected there (tests only), else
    /// calls `call`; its errno becomes an [`Error`] naming the step and the entry. Each
    /// step is named once, so the fault and the error cannot disagree.
    pub(crate) fn step<T>(
        self,
        step: Step,
        call: impl FnOnce() -> Result<T, Errno>,
    ) -> Result<T, Error> {
        // The fault first: an injected failure must stop the call (a fork, say)
        // before it happens, not after.
        let fail = self.begin(step)?;
        call().map_err(fail)
    }

    /// Starts `step` of this entry, for a step of several calls: fails if a fault is
    /// injected there (tests only), else gives the function that turns the step's
    /// errnos into [`Error`]s.
    pub(crate) fn begin(self, step: Step) -> Result<impl Fn(Errno) -> Error + Copy, Error> {
        self.begin_if(step, true)
    }

    /// [`Context::begin`], checking for a fault only if `check` (not when the step is
    /// taken again after a faster way that checked it already failed).
    pub(crate) fn begin_if(
        self,
        step: Step,
        check: bool,
    ) -> Result<impl Fn(Errno) -> Error + Copy, Error> {
        if check {
            self::check(step).map_err(self.fail(step))?;
        }
        Ok(self.fail(step))
    }
}
