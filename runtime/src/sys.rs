//! The only module with `unsafe`: what rustix lacks or marks unsafe.

#![allow(unsafe_code)]

use std::io;
use std::process::Command;

use linux_raw_sys::general::{
    __NR_getcwd, __NR_mount_setattr, AT_EMPTY_PATH, AT_RECURSIVE, MOUNT_ATTR_RDONLY, mount_attr,
};
#[cfg(not(any(target_arch = "x86", target_arch = "arm")))]
use linux_raw_sys::general::{__NR_getresgid, __NR_getresuid};
#[cfg(any(target_arch = "x86", target_arch = "arm"))]
use linux_raw_sys::general::{
    __NR_getresgid32 as __NR_getresgid, __NR_getresuid32 as __NR_getresuid,
};
use rustix::fd::{AsRawFd, BorrowedFd};
use rustix::io::Errno;
use rustix::thread::UnshareFlags;

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

/// `mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, {attr_set: MOUNT_ATTR_RDONLY})`:
/// makes every mount of a detached tree read-only (kernel 5.12).
pub(crate) fn mount_setattr_read_only(tree: BorrowedFd<'_>) -> Result<(), Errno> {
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
                tree.as_raw_fd() as usize,
                c"".as_ptr() as usize,
                (AT_EMPTY_PATH | AT_RECURSIVE) as usize,
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

/// Whether the real, effective and saved user ids are one, and the group ids too: the
/// process holds no set-id privilege it could still return to.
pub(crate) fn ids_are_one() -> Result<bool, Errno> {
    let mut ids = [[0u32; 3]; 2];
    for (number, [real, effective, saved]) in
        [__NR_getresuid, __NR_getresgid].into_iter().zip(&mut ids)
    {
        // SAFETY: the three pointers are to distinct live `u32`s (`uid_t` and `gid_t`
        // on Linux), which the kernel writes during the call.
        unsafe {
            raw_syscall(
                number,
                [
                    &raw mut *real as usize,
                    &raw mut *effective as usize,
                    &raw mut *saved as usize,
                    0,
                    0,
                ],
            )
        }?;
    }
    Ok(ids
        .iter()
        .all(|[real, effective, saved]| real == effective && effective == saved))
}

/// Installs `hook` to run in the child between fork and exec.
pub(crate) fn pre_exec<F>(command: &mut Command, hook: F)
where
    F: FnMut() -> io::Result<()> + Send + Sync + 'static,
{
    // SAFETY: the hooks we install (`Namespace::enter`, then `Error::report` on failure)
    // allocate nothing, take no lock and do not panic: they only make syscalls with
    // paths from the static table or from stack buffers.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(command, hook);
    }
}
