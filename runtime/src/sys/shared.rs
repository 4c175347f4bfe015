//! A value in a shared anonymous mapping of its own: what a forked child writes there,
//! its parent reads.

use core::ptr::NonNull;

use rustix::io::Errno;
use rustix::mm::{MapFlags, ProtFlags, mmap_anonymous, munmap};

/// A type for which all-zero bytes are a valid value, as a fresh mapping holds.
///
/// # Safety
/// Every field must be valid when all its bytes are zero (integers, atomics,
/// `MaybeUninit`).
pub(crate) unsafe trait Zeroed {}

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
