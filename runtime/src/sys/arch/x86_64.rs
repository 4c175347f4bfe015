//! What `x86_64` does its own way: the system call instruction, switching stacks, the
//! program start of a launcher, and the architectures a seccomp filter tells apart.

use linux_raw_sys::general::{__NR_ioctl, __X32_SYSCALL_BIT};
use linux_raw_sys::ptrace::{AUDIT_ARCH_I386, AUDIT_ARCH_X86_64};

/// `syscall`: the kernel's raw answer (`-errno` from -4095 to -1 on failure).
///
/// # Safety
/// The arguments must be valid for the call `number`: pointers live and large enough
/// for what the kernel reads or writes through them.
#[inline]
pub(super) unsafe fn syscall(number: u32, args: [usize; 5]) -> isize {
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
    ret
}

/// Calls `function(argument)` with the stack pointer at `top`, then switches back.
///
/// # Safety
/// `top` must be the 16-byte aligned end of writable memory large enough for the call,
/// and `function` an `extern "C" fn(usize)` that returns normally.
#[cfg(feature = "std")]
pub(super) unsafe fn switch_stack(top: *mut u8, function: usize, argument: usize) {
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

/// The entry point: the kernel starts here with the stack pointer on argc.
#[cfg(all(feature = "launcher", not(feature = "std")))]
// SAFETY: `_start` is the one entry point of a binary without libc (whose crt would
// define it); it clears the frame pointer (the outermost frame), passes the kernel's
// stack pointer to `start`, and keeps the stack 16-byte aligned at the call, as the ABI
// wants. `start` never returns.
#[unsafe(naked)]
#[unsafe(no_mangle)]
unsafe extern "C" fn _start() -> ! {
    core::arch::naked_asm!(
        "xor ebp, ebp",
        "mov rdi, rsp",
        "and rsp, -16",
        "call {start}",
        "ud2",
        start = sym super::start::start,
    )
}

/// The `seccomp_data.arch` of native calls.
pub(crate) const AUDIT_NATIVE: u32 = AUDIT_ARCH_X86_64;
/// The `seccomp_data.arch` of 32-bit calls (i386's, `int 0x80`).
pub(crate) const AUDIT_COMPAT: u32 = AUDIT_ARCH_I386;
/// What of a native call's number is the call: x32 calls come as `x86_64` with
/// `__X32_SYSCALL_BIT` in the number.
pub(crate) const NUMBER_MASK: u32 = !__X32_SYSCALL_BIT;
/// The native `ioctl`.
pub(crate) const IOCTL: u32 = __NR_ioctl;
/// x32's own `ioctl` (its number without the x32 bit).
pub(crate) const OTHER_IOCTL: u32 = 514;
