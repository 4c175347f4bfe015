//! The terminal rule every table's seccomp program has, alone: the whole program of a
//! table built by hand (`__private::namespace`), where the macro compiles it with the
//! table's syscall statements (`mountns-seccomp`). `ioctl` `TIOCSTI` (push input into a
//! terminal), `TIOCLINUX` (which can paste the console's selection) and `TIOCSETD`
//! (change the line discipline, which can kill the caller's terminal) fail with EPERM,
//! the request compared on its low 32 bits as the kernel reads it (`unsigned int cmd`).
//! Each architecture a process of this machine can call the kernel with is checked by
//! `seccomp_data.arch` (`x86_64` with its i386 and x32 entry points; `aarch64` with
//! arm32); any other is killed.

// BPF fields are 16-bit codes built of 32-bit constants.
#![allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]

use linux_raw_sys::ioctl::{TIOCLINUX, TIOCSETD, TIOCSTI};
use linux_raw_sys::ptrace::{
    BPF_ABS, BPF_ALU, BPF_AND, BPF_JEQ, BPF_JMP, BPF_K, BPF_LD, BPF_RET, BPF_W, SECCOMP_RET_ALLOW,
    SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS,
};
use rustix::io::Errno;

use crate::sys::arch;
use crate::sys::{Instruction, instruction};

/// `ioctl` of i386 and of arm32.
const COMPAT_IOCTL: u32 = 54;

/// Offsets in `struct seccomp_data`: `nr`, `arch`, and the low half (little-endian) of
/// `args[1]`, the request.
const NR: u32 = 0;
const ARCH: u32 = 4;
const REQUEST: u32 = 16 + 8;

const fn load(offset: u32) -> Instruction {
    statement(BPF_LD | BPF_W | BPF_ABS, offset)
}

const fn statement(code: u32, k: u32) -> Instruction {
    instruction(code as u16, 0, 0, k)
}

/// If the accumulator equals `k`, skip `then` instructions, else `or_else`.
const fn jump_if(k: u32, then: u8, or_else: u8) -> Instruction {
    instruction((BPF_JMP | BPF_JEQ | BPF_K) as u16, then, or_else, k)
}

const fn ret(k: u32) -> Instruction {
    statement(BPF_RET | BPF_K, k)
}

/// The terminal rule alone; each jump's targets by index in the comments.
pub(crate) static TERMINAL_ONLY: [Instruction; 16] = [
    /* 0 */ load(ARCH),
    /* 1 */ jump_if(arch::AUDIT_NATIVE, 0, 4), // 2, 6
    /* 2 */ load(NR),
    /* 3 */ statement(BPF_ALU | BPF_AND | BPF_K, arch::NUMBER_MASK),
    /* 4 */ jump_if(arch::IOCTL, 4, 0), // 9, 5
    /* 5 */ jump_if(arch::OTHER_IOCTL, 3, 8), // 9, 14
    /* 6 */ jump_if(arch::AUDIT_COMPAT, 0, 8), // 7, 15
    /* 7 */ load(NR),
    /* 8 */ jump_if(COMPAT_IOCTL, 0, 5), // 9, 14
    /* 9 */ load(REQUEST),
    /* 10 */ jump_if(TIOCSTI, 2, 0), // 13, 11
    /* 11 */ jump_if(TIOCLINUX, 1, 0), // 13, 12
    /* 12 */ jump_if(TIOCSETD, 0, 1), // 13, 14
    /* 13 */ ret(SECCOMP_RET_ERRNO | Errno::PERM.raw_os_error() as u32),
    /* 14 */ ret(SECCOMP_RET_ALLOW),
    /* 15 */ ret(SECCOMP_RET_KILL_PROCESS),
];
