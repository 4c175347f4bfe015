//! A value in a shared anonymous mapping of its own: what a forked child writes there,
//! its parent reads.

use core::cell::UnsafeCell;
use core::mem::MaybeUninit;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicU32, Ordering};

use rustix::io::Errno;
use rustix::mm::{MapFlags, ProtFlags, mmap_anonymous, munmap};

/// A type for which all-zero bytes are a valid value, as a fresh mapping holds.
///
/// # Safety
/// Every field must be valid when all its bytes are zero (integers, atomics,
/// `MaybeUninit`).
pub(crate) unsafe trait Zeroed {}

// SAFETY: an integer in a cell.
unsafe impl Zeroed for AtomicU32 {}

// SAFETY: each field is valid as zeros, so the pair is, whatever its layout.
unsafe impl<A: Zeroed, B: Zeroed> Zeroed for (A, B) {}

/// A value that a forked process hands to the one it was forked from by writing its
/// bytes to a [`Report`]: `Copy` (nothing to drop, nothing owned), and every reference
/// in it to memory that both processes have at the same address, mapped before the
/// fork (a static, or memory leaked for good before it). Its implementations say why
/// they are such values; [`Report::read`] relies on it.
pub(crate) trait Handed: Copy + 'static {}

/// A `T` in an anonymous `MAP_SHARED` mapping, zero-filled, unmapped on drop. Mapped
/// before a fork, it is the same memory in the parent and the child.
pub(crate) struct SharedPage<T: Zeroed>(NonNull<T>);

impl<T: Zeroed> SharedPage<T> {
    pub(crate) fn new() -> Result<SharedPage<T>, Errno> {
        // SAFETY: a fresh anonymous mapping at an address of the kernel's choosing: no
        // existing memory is affected. The kernel fills it with zeros, a valid `T`
        // (`Zeroed`), page-aligned, so aligned for `T`.
        let page = unsafe {
            mmap_anonymous(
                core::ptr::null_mut(),
                size_of::<T>(),
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::SHARED,
            )
        }?;
        NonNull::new(page.cast::<T>())
            .map(SharedPage)
            .ok_or(Errno::NOMEM)
    }

    pub(crate) fn get(&self) -> &T {
        // SAFETY: the mapping lives until `self` drops and holds a valid `T`; other
        // processes reach it only through `T`'s own shared-access types (atomics,
        // cells written before a Release store).
        unsafe { self.0.as_ref() }
    }

    /// Its address, the same in every fork of this process.
    #[cfg(feature = "std")]
    pub(crate) fn as_ptr(&self) -> *mut T {
        self.0.as_ptr()
    }
}

impl<T: Zeroed> Drop for SharedPage<T> {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `new`, in this process's copy of the address
        // space; nothing here refers to it after `self`.
        let _ = unsafe { munmap(self.0.as_ptr().cast(), size_of::<T>()) };
    }
}

/// How a forked process's work ended, for the process that reads the page: an error
/// `E`, or a state of the user's (0 until set).
#[repr(C)]
pub(crate) struct Report<E> {
    /// 0 as mapped, then [`FAILED`] (stored after `error`) or the user's state.
    state: AtomicU32,
    error: UnsafeCell<MaybeUninit<E>>,
}

// SAFETY: an atomic and a `MaybeUninit`, each valid as zeros.
unsafe impl<E> Zeroed for Report<E> {}

/// The state of a [`Report`] that holds an error; no user's state.
const FAILED: u32 = u32::MAX;

/// The state of a [`Report`] whose error is being written; no user's state.
const WRITING: u32 = u32::MAX - 1;

impl<E: Handed> Report<E> {
    /// Writes the error, unless another process's error was written (or is being
    /// written) first: two processes may fail at once (pid 1 giving up, the program's
    /// process confining itself), and the first one's error is the one told. Read only
    /// after the writer wrote it (then exited or executed).
    pub(crate) fn fail(&self, error: E) {
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            if state == FAILED || state == WRITING {
                return;
            }
            match self.state.compare_exchange_weak(
                state,
                WRITING,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(now) => state = now,
            }
        }
        // SAFETY: this process alone moved the state to WRITING, so no other writes
        // `error`, and the reader reads it only after seeing FAILED, stored below with
        // Release.
        unsafe { (*self.error.get()).write(error) };
        self.state.store(FAILED, Ordering::Release);
    }

    /// Sets `state` (not 0, [`FAILED`] nor [`WRITING`]), unless an error or a state
    /// was set first.
    pub(crate) fn settle(&self, state: u32) {
        let _ = self
            .state
            .compare_exchange(0, state, Ordering::Release, Ordering::Relaxed);
    }

    /// The error written, or else the state (0 if none was set).
    pub(crate) fn read(&self) -> Result<u32, E> {
        match self.state.load(Ordering::Acquire) {
            // SAFETY: FAILED is stored (Release, read with Acquire above) only by `fail`,
            // after it wrote a whole `E`. Copying its bytes back is sound: `E` is
            // `Handed`: `Copy` (no drop, no ownership), written as a valid value, its
            // references to memory of this process that the writer, a process forked
            // (once or twice) from this one, had at the same addresses.
            FAILED => Err(unsafe { (*self.error.get()).assume_init_read() }),
            state => Ok(state),
        }
    }
}
