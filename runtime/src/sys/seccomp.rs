//! Installs a table's seccomp program: a classic BPF program of [`Instruction`]s (the
//! kernel's `struct sock_filter`, so defined here) that the macro compiled
//! from the table's syscall statements (`mountns-seccomp`), with the terminal rule
//! every table has: `ioctl` `TIOCSTI` (push input into a terminal), `TIOCLINUX`
//! (which can paste the console's selection) and `TIOCSETD` (change the line
//! discipline, which can kill the caller's terminal) fail with EPERM, the request
//! compared on its low 32 bits as the kernel reads it (`unsigned int cmd`).
//!
//! [`TERMINAL_ONLY`] is that rule alone, fixed here, for tables built by hand
//! (`Namespace::__new`). Each architecture a process of this machine can call the
//! kernel with is checked by `seccomp_data.arch` (`x86_64` with its i386 and x32 entry
//! points; `aarch64` with arm32); any other is killed.

use linux_raw_sys::general::__NR_seccomp;
use linux_raw_sys::ioctl::{TIOCLINUX, TIOCSETD, TIOCSTI};
use linux_raw_sys::ptrace::{
    BPF_ABS, BPF_ALU, BPF_AND, BPF_JEQ, BPF_JMP, BPF_K, BPF_LD, BPF_RET, BPF_W, SECCOMP_RET_ALLOW,
    SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, SECCOMP_SET_MODE_FILTER, sock_filter, sock_fprog,
};
use rustix::io::Errno;

use super::arch;
use super::raw_syscall;

/// One instruction of a table's seccomp program: the kernel's `struct sock_filter`,
/// laid out alike, so the program is passed to the kernel as it is in the `static`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Instruction {
    code: u16,
    jt: u8,
    jf: u8,
    k: u32,
}

impl Instruction {
    #[doc(hidden)]
    pub const fn __new(code: u16, jt: u8, jf: u8, k: u32) -> Self {
        Instruction { code, jt, jf, k }
    }

    /// The opcode.
    pub const fn code(&self) -> u16 {
        self.code
    }

    /// How far a conditional jump goes when its condition holds.
    pub const fn jt(&self) -> u8 {
        self.jt
    }

    /// How far a conditional jump goes when its condition fails.
    pub const fn jf(&self) -> u8 {
        self.jf
    }

    /// The constant operand.
    pub const fn k(&self) -> u32 {
        self.k
    }
}

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
    Instruction::__new(code as u16, 0, 0, k)
}

/// If the accumulator equals `k`, skip `then` instructions, else `or_else`.
const fn jump_if(k: u32, then: u8, or_else: u8) -> Instruction {
    Instruction::__new((BPF_JMP | BPF_JEQ | BPF_K) as u16, then, or_else, k)
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

// `Instruction` is passed to the kernel as its `struct sock_filter`.
const _: () = assert!(size_of::<Instruction>() == size_of::<sock_filter>());
const _: () = assert!(align_of::<Instruction>() == align_of::<sock_filter>());

/// Installs `program` in the calling thread with one `seccomp(SECCOMP_SET_MODE_FILTER)`;
/// its children and the program it executes keep it. Needs `no_new_privs` (or
/// `CAP_SYS_ADMIN`). Allocates nothing: the program is a `static`.
pub(crate) fn install(program: &'static [Instruction]) -> Result<(), Errno> {
    let len = u16::try_from(program.len()).map_err(|_| Errno::INVAL)?;
    let program = sock_fprog {
        len,
        filter: program.as_ptr().cast::<sock_filter>().cast_mut(),
    };
    // SAFETY: `Instruction` is `repr(C)` with the fields of `sock_filter` in its order
    // (the sizes and alignments are asserted above), and `program` points to a static
    // program of `len` instructions; the kernel copies them during the call and never
    // writes through the pointer.
    unsafe {
        raw_syscall(
            __NR_seccomp,
            [
                SECCOMP_SET_MODE_FILTER as usize,
                0,
                &raw const program as usize,
                0,
                0,
            ],
        )
    }
    .map(drop)
}
