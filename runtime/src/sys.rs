//! The only module with `unsafe`: what rustix lacks or marks unsafe; with it (`hook`,
//! feature `std`) the hook that runs between fork and exec, and (`start`, feature
//! `launcher`) the program start of a launcher without libc. The bottom layer: it
//! imports nothing of the crate, and what it carries for the layers above (the value
//! of a shared page, the work of a hook) is theirs to define. What each architecture
//! does its own way is in `arch/`.

#![allow(unsafe_code)]
// System call arguments and results are machine words: descriptors, numbers and
// pointers go into registers as they are, and the kernel's answer is -4095..0 or a
// value of the call's own type.
#![allow(
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    clippy::cast_possible_truncation
)]

use core::ffi::CStr;

use linux_raw_sys::general::{
    __NR_getcwd, __NR_keyctl, __NR_mount_setattr, __NR_open_tree_attr, __NR_setgroups,
    AT_EMPTY_PATH, AT_RECURSIVE, AT_SYMLINK_NOFOLLOW, OPEN_TREE_CLOEXEC, OPEN_TREE_CLONE,
    mount_attr,
};
use rustix::fd::{AsRawFd, BorrowedFd, FromRawFd as _, OwnedFd};
use rustix::io::Errno;
use rustix::mount::MountAttrFlags;
use rustix::thread::UnshareFlags;

/// A system call straight to the kernel (no libc, no errno): its return value, or
/// the errno. Only for the calls rustix does not offer without allocating.
///
/// # Safety
/// The arguments must be valid for the call `number`: pointers live and large enough
/// for what the kernel reads or writes through them.
unsafe fn raw_syscall(number: u32, args: [usize; 5]) -> Result<usize, Errno> {
    // SAFETY: the caller vouches for the arguments.
    result(unsafe { arch::syscall(number, args) })
}

// What each architecture does its own way. Only `x86_64` is built and tested by this
// project (its machines have no other target); `aarch64` is written to its ABI and
// never compiled here.
#[cfg_attr(target_arch = "x86_64", path = "sys/arch/x86_64.rs")]
#[cfg_attr(target_arch = "aarch64", path = "sys/arch/aarch64.rs")]
pub(crate) mod arch;

#[cfg(all(feature = "launcher", not(feature = "std")))]
pub(crate) mod start;

pub(crate) mod landlock;
mod net;
pub(crate) mod process;
mod seccomp;
pub(crate) mod shared;

pub(crate) use net::{loopback_up, loopback_up_namespace};
pub(crate) use seccomp::install as install_seccomp;
pub use seccomp::{Instruction, instruction};

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
compile_error!("mountns: raw system calls are written for x86_64 (and, never built, aarch64) only");

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
    // different fd tables; we pass only CLONE_NEWUSER and CLONE_NEW* namespace flags.
    unsafe { rustix::thread::unshare_unsafe(flags - UnshareFlags::FILES) }
}

/// `mount_setattr(mount, "", AT_EMPTY_PATH [| AT_RECURSIVE], {attr_set: attributes})`:
/// sets `attributes` (read-only, nosuid, nodev, noexec) on the mount of `mount`, and
/// with `recursive` on every mount below it (kernel 5.12). `mount` must be the root of
/// its mount (EINVAL otherwise).
pub(crate) fn mount_setattr(
    mount: BorrowedFd<'_>,
    recursive: bool,
    attributes: MountAttrFlags,
) -> Result<(), Errno> {
    let flags = if recursive {
        AT_EMPTY_PATH | AT_RECURSIVE
    } else {
        AT_EMPTY_PATH
    };
    let attr = mount_attr {
        attr_set: attributes.bits().into(),
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

/// `open_tree_attr(dir, "", OPEN_TREE_CLONE [| AT_RECURSIVE], attributes)` (Linux 6.15):
/// a detached clone of the mount at `dir` (`recursive`: of the tree) with `attributes`
/// set on each of its mounts, in one call; ENOSYS before 6.15.
pub(crate) fn clone_tree_with(
    dir: BorrowedFd<'_>,
    recursive: bool,
    attributes: MountAttrFlags,
) -> Result<OwnedFd, Errno> {
    open_tree_attr(dir, None, recursive, attributes)
}

/// [`clone_tree_with`] of the tree at `name` under `dir`, one plain name, a link there
/// not followed (the clone is then of the link).
pub(crate) fn clone_tree_at(
    dir: BorrowedFd<'_>,
    name: &CStr,
    attributes: MountAttrFlags,
) -> Result<OwnedFd, Errno> {
    open_tree_attr(dir, Some(name), true, attributes)
}

fn open_tree_attr(
    dir: BorrowedFd<'_>,
    name: Option<&CStr>,
    recursive: bool,
    attributes: MountAttrFlags,
) -> Result<OwnedFd, Errno> {
    let (path, at) = match name {
        Some(name) => (name, AT_SYMLINK_NOFOLLOW),
        None => (c"", AT_EMPTY_PATH),
    };
    let flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | at | if recursive { AT_RECURSIVE } else { 0 };
    let attr = mount_attr {
        attr_set: attributes.bits().into(),
        attr_clr: 0,
        propagation: 0,
        userns_fd: 0,
    };
    // SAFETY: the path is a NUL-terminated string and `attr` a live `mount_attr` of the
    // size passed; the kernel only reads both, during the call.
    let fd = unsafe {
        raw_syscall(
            __NR_open_tree_attr,
            [
                dir.as_raw_fd() as usize,
                path.as_ptr() as usize,
                flags as usize,
                &raw const attr as usize,
                size_of::<mount_attr>(),
            ],
        )
    }?;
    // SAFETY: the call succeeded, so `fd` is a descriptor the kernel just opened for us
    // and nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// `getcwd` into `buf`: returns the length of the path, without its NUL.
pub(crate) fn getcwd(buf: &mut [u8]) -> Result<usize, Errno> {
    // SAFETY: the kernel writes at most `buf.len()` bytes into `buf`, which we borrow
    // mutably for the duration of the call.
    let len = unsafe { raw_syscall(__NR_getcwd, [buf.as_mut_ptr() as usize, buf.len(), 0, 0, 0]) }?;
    // The kernel counts the NUL.
    len.checked_sub(1).ok_or(Errno::NOENT)
}

/// `keyctl(KEYCTL_JOIN_SESSION_KEYRING, NULL)`: gives the calling process a new,
/// empty, anonymous session keyring, so that it no longer possesses the keys of the
/// one it inherited. A kernel without keyrings (ENOSYS) has nothing to hand on.
pub(crate) fn join_new_session_keyring() -> Result<(), Errno> {
    /// `KEYCTL_JOIN_SESSION_KEYRING` of `<linux/keyctl.h>`.
    const KEYCTL_JOIN_SESSION_KEYRING: usize = 1;
    // SAFETY: a null name asks for an anonymous keyring; no other pointer is passed.
    match unsafe { raw_syscall(__NR_keyctl, [KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0]) } {
        Ok(_) | Err(Errno::NOSYS) => Ok(()),
        Err(errno) => Err(errno),
    }
}

/// `setgroups(groups)`, for the calling thread only (the raw call, not libc's, which
/// would signal every thread): the supplementary groups.
pub(crate) fn set_groups(groups: &[u32]) -> Result<(), Errno> {
    // SAFETY: the kernel reads `groups.len()` ids of 32 bits (`gid_t`) from the slice,
    // during the call only.
    unsafe {
        raw_syscall(
            __NR_setgroups,
            [groups.len(), groups.as_ptr() as usize, 0, 0, 0],
        )
    }
    .map(drop)
}

#[cfg(feature = "std")]
mod hook;
#[cfg(feature = "std")]
pub(crate) use hook::{BeforeExec, before_exec, spawn_reported};

/// Writes `bytes` to fd 2; returns how many were written.
pub(crate) fn write_stderr(bytes: &[u8]) -> Result<usize, Errno> {
    // SAFETY: fd 2 is borrowed only for this write. If the process closed it, the write
    // fails (EBADF) or goes to whatever took its number, as with std's `eprintln!`.
    let stderr = unsafe { BorrowedFd::borrow_raw(2) };
    rustix::io::write(stderr, bytes)
}
