//! What `aarch64` does its own way, as [`x86_64`](super) does.
//!
//! Never compiled by this project: its machines and CI have the `x86_64` target only.
//! It is written to each ABI's documentation and kept beside the `x86_64` file, item for
//! item; `cargo check --target aarch64-unknown-linux-gnu` on a machine with that target
//! is its first test.

use linux_raw_sys::general::__NR_ioctl;
use linux_raw_sys::ptrace::{AUDIT_ARCH_AARCH64, AUDIT_ARCH_ARM};

/// `svc 0`: the kernel's raw answer (`-errno` from -4095 to -1 on failure).
///
/// # Safety
/// As for the x86_64 version.
#[inline]
pub(super) unsafe fn syscall(number: u32, args: [usize; 5]) -> isize {
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
    ret
}

/// Calls `function(argument)` with the stack pointer at `top`, then switches back.
///
/// # Safety
/// As for the x86_64 version.
#[cfg(feature = "std")]
pub(super) unsafe fn switch_stack(top: *mut u8, function: usize, argument: usize) {
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

/// The entry point: the kernel starts here with the stack pointer on argc.
#[cfg(all(feature = "launcher", not(feature = "std")))]
// SAFETY: as for the x86_64 version; the kernel starts us with sp 16-byte aligned.
#[unsafe(naked)]
#[unsafe(no_mangle)]
unsafe extern "C" fn _start() -> ! {
    core::arch::naked_asm!(
        "mov x29, #0",
        "mov x30, #0",
        "mov x0, sp",
        "bl {start}",
        "udf #0",
        start = sym super::start::start,
    )
}

/// The `seccomp_data.arch` of native calls.
pub(crate) const AUDIT_NATIVE: u32 = AUDIT_ARCH_AARCH64;
/// The `seccomp_data.arch` of 32-bit calls (arm's).
pub(crate) const AUDIT_COMPAT: u32 = AUDIT_ARCH_ARM;
/// What of a native call's number is the call: all of it.
pub(crate) const NUMBER_MASK: u32 = u32::MAX;
/// The native `ioctl`.
pub(crate) const IOCTL: u32 = __NR_ioctl;
/// aarch64 has one `ioctl`.
pub(crate) const OTHER_IOCTL: u32 = __NR_ioctl;
