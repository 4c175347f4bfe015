//! Installs a table's seccomp program: a classic BPF program of [`Instruction`]s (the
//! kernel's `struct sock_filter`, so defined here), which the macro compiled from the
//! table's syscall statements (`mountns-seccomp`), or the terminal rule alone
//! (`terminal.rs`) for a table built by hand.

use linux_raw_sys::general::__NR_seccomp;
use linux_raw_sys::ptrace::{SECCOMP_SET_MODE_FILTER, sock_filter, sock_fprog};
use rustix::io::Errno;

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

/// One instruction: a constructor of the crate's hidden `__private`.
pub const fn instruction(code: u16, jt: u8, jf: u8, k: u32) -> Instruction {
    Instruction { code, jt, jf, k }
}

impl Instruction {
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
