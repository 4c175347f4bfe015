//! Syscall policies and the classic BPF programs that enforce them: an implementation
//! detail of `mountns`, used by its macro while a user's crate compiles.
//!
//! - [`tables`]: syscall name to number for each entry point the programs know
//!   (`x86_64`, i386, x32, `aarch64`, arm), address families and errno names, generated
//!   from linux-raw-sys (`examples/generate.rs`).
//! - [`groups`]: systemd's groups (`@mount`, `@system-service`, ...), defined once by
//!   name.
//! - [`Policy`]: what a table declares (`syscalls deny [..]`, `syscalls allow [..]`,
//!   `syscalls errno(..)`, `sockets [..]`, `no_userns`), and [`Policy::verdict`], the
//!   meaning of it for one call: the reference the programs are tested against.
//! - [`compile`]: a policy to one program per target (`x86_64` with its i386 and x32
//!   entry points, `aarch64` with arm).
//! - [`bpf`]: the instructions, and an interpreter of classic BPF for the tests.

use std::collections::BTreeSet;

#[doc(hidden)]
pub mod bpf;
mod compile;
pub mod groups;
pub mod tables;

pub use compile::{Target, compile};

/// `AUDIT_ARCH_*`: what `seccomp_data.arch` says of each entry point.
pub const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
pub const AUDIT_ARCH_I386: u32 = 0x4000_0003;
pub const AUDIT_ARCH_AARCH64: u32 = 0xc000_00b7;
pub const AUDIT_ARCH_ARM: u32 = 0x4000_0028;

/// x32 calls come as `AUDIT_ARCH_X86_64` with this bit in the number.
pub const X32_SYSCALL_BIT: u32 = 0x4000_0000;

/// `SECCOMP_RET_*` values.
pub const RET_KILL_PROCESS: u32 = 0x8000_0000;
pub const RET_ERRNO: u32 = 0x0005_0000;
pub const RET_ALLOW: u32 = 0x7fff_0000;

/// The errnos the policy answers with besides the declared one.
pub const EPERM: u16 = 1;
pub const ENOSYS: u16 = 38;
pub const EAFNOSUPPORT: u16 = 97;

/// `CLONE_NEWUSER`, in the flags of `clone` and `unshare`.
pub const CLONE_NEWUSER: u32 = 0x1000_0000;

/// The terminal requests every table refuses (`EPERM`), compared on the request's low
/// 32 bits as the tty code reads it: `TIOCSTI` (push input into the terminal),
/// `TIOCLINUX` (paste the console's selection, among others), `TIOCSETD` (change the
/// line discipline, which can kill the caller's terminal). Alike on every architecture
/// here (asm-generic's numbers).
pub const TERMINAL_REQUESTS: [(&str, u32); 3] = [
    ("TIOCSTI", 0x5412),
    ("TIOCLINUX", 0x541c),
    ("TIOCSETD", 0x5423),
];

/// An entry point of the kernel: an architecture's numbering of the syscalls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Arch {
    X86_64,
    I386,
    /// `x86_64`'s x32 ABI: its numbers carry [`X32_SYSCALL_BIT`].
    X32,
    Aarch64,
    Arm,
}

impl Arch {
    pub const ALL: [Arch; 5] = [
        Arch::X86_64,
        Arch::I386,
        Arch::X32,
        Arch::Aarch64,
        Arch::Arm,
    ];

    /// What `seccomp_data.arch` holds for a call through this entry point.
    pub fn audit(self) -> u32 {
        match self {
            Arch::X86_64 | Arch::X32 => AUDIT_ARCH_X86_64,
            Arch::I386 => AUDIT_ARCH_I386,
            Arch::Aarch64 => AUDIT_ARCH_AARCH64,
            Arch::Arm => AUDIT_ARCH_ARM,
        }
    }

    /// Its calls by name, sorted by number.
    pub fn table(self) -> &'static [(&'static str, u32)] {
        match self {
            Arch::X86_64 => tables::X86_64,
            Arch::I386 => tables::I386,
            Arch::X32 => tables::X32,
            Arch::Aarch64 => tables::AARCH64,
            Arch::Arm => tables::ARM,
        }
    }

    /// The name of call `nr` on this entry point, if the table knows it (the first,
    /// for a number with two names).
    pub fn name(self, nr: u32) -> Option<&'static str> {
        self.names(nr).first().copied()
    }

    /// Every name of call `nr` on this entry point: none for a number the table does
    /// not know, two for arm's 341 (`arm_sync_file_range`, `sync_file_range2`).
    pub fn names(self, nr: u32) -> Vec<&'static str> {
        self.table()
            .iter()
            .filter(|&&(_, number)| number == nr)
            .map(|&(name, _)| name)
            .collect()
    }

    /// The number of the call named `name` on this entry point, if it has one.
    pub fn number(self, name: &str) -> Option<u32> {
        self.table()
            .iter()
            .find(|(call, _)| *call == name)
            .map(|&(_, number)| number)
    }
}

/// Whether some entry point knows a call of that name.
pub fn is_syscall(name: &str) -> bool {
    Arch::ALL.iter().any(|arch| arch.number(name).is_some())
}

/// The number of the address family named `name` (`unix`, `inet6`, `netlink`).
pub fn family(name: &str) -> Option<u32> {
    lookup(tables::FAMILIES, name)
}

/// The value of the errno named `name` (`EPERM`).
pub fn errno(name: &str) -> Option<u16> {
    lookup(tables::ERRNOS, name).and_then(|value| u16::try_from(value).ok())
}

fn lookup(table: &[(&str, u32)], name: &str) -> Option<u32> {
    table
        .iter()
        .find(|(known, _)| *known == name)
        .map(|&(_, value)| value)
}

/// A table's syscall policy, its groups expanded: the declaration's statements, and
/// its includes', composed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    /// `syscalls allow [..]`: only these calls; `None` for every call.
    pub allow: Option<BTreeSet<String>>,
    /// `syscalls deny [..]`: these calls are refused (and win over `allow`).
    pub deny: BTreeSet<String>,
    /// `syscalls errno(..)`: the errno of a refused call; `None` for `EPERM`.
    pub errno: Option<u16>,
    /// `sockets [..]`: the address families `socket` and `socketpair` may use; `None`
    /// for every family.
    pub sockets: Option<BTreeSet<u32>>,
    /// `no_userns`: no new user namespace (`clone` and `unshare` with
    /// `CLONE_NEWUSER` refused, `clone3` failing `ENOSYS`).
    pub no_userns: bool,
}

/// What a program answers for one call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    Allow,
    Errno(u16),
    Kill,
}

impl Verdict {
    /// The verdict a `SECCOMP_RET_*` value stands for (`Kill` for any action other
    /// than allow and errno, which the programs never return).
    pub fn of(ret: u32) -> Verdict {
        match ret & 0xffff_0000 {
            RET_ALLOW => Verdict::Allow,
            RET_ERRNO => Verdict::Errno((ret & 0xffff) as u16),
            _ => Verdict::Kill,
        }
    }

    /// The `SECCOMP_RET_*` value.
    pub fn ret(self) -> u32 {
        match self {
            Verdict::Allow => RET_ALLOW,
            Verdict::Errno(errno) => RET_ERRNO | u32::from(errno),
            Verdict::Kill => RET_KILL_PROCESS,
        }
    }
}

/// i386's `socketcall(call, args)`: each `call` and the direct calls that do the
/// same (a sub-call is refused when one of them is). The family of `socket` lies
/// behind the `args` pointer, which a filter cannot read.
pub const SOCKETCALL: &[(u32, &[&str])] = &[
    (1, &["socket"]),
    (2, &["bind"]),
    (3, &["connect"]),
    (4, &["listen"]),
    (5, &["accept"]),
    (6, &["getsockname"]),
    (7, &["getpeername"]),
    (8, &["socketpair"]),
    (9, &["send", "sendto"]),
    (10, &["recv", "recvfrom"]),
    (11, &["sendto"]),
    (12, &["recvfrom"]),
    (13, &["shutdown"]),
    (14, &["setsockopt"]),
    (15, &["getsockopt"]),
    (16, &["sendmsg"]),
    (17, &["recvmsg"]),
    (18, &["accept4"]),
    (19, &["recvmmsg"]),
    (20, &["sendmmsg"]),
];

/// i386's `ipc(call, ..)`: each `call` (its low 16 bits; the kernel reads the high
/// ones as a version) and the direct call that does the same.
pub const IPC: &[(u32, &[&str])] = &[
    (1, &["semop"]),
    (2, &["semget"]),
    (3, &["semctl"]),
    (4, &["semtimedop"]),
    (11, &["msgsnd"]),
    (12, &["msgrcv"]),
    (13, &["msgget"]),
    (14, &["msgctl"]),
    (21, &["shmat"]),
    (22, &["shmdt"]),
    (23, &["shmget"]),
    (24, &["shmctl"]),
];

impl Policy {
    /// The errno of a call refused by name or by `no_userns`.
    pub fn refusal(&self) -> u16 {
        self.errno.unwrap_or(EPERM)
    }

    /// Whether the call named `name` is refused by the lists (deny wins).
    pub fn refuses(&self, name: &str) -> bool {
        self.refuses_call(&[name])
    }

    /// Whether a call known by `names` (one number) is refused by the lists: when one
    /// of its names is denied, or none is allowed.
    pub fn refuses_call(&self, names: &[&str]) -> bool {
        names.iter().any(|name| self.deny.contains(*name))
            || self
                .allow
                .as_ref()
                .is_some_and(|allow| !names.iter().any(|name| allow.contains(*name)))
    }

    /// Whether the policy makes the program no different from one without it: nothing
    /// but the terminal rule.
    pub fn is_empty(&self) -> bool {
        *self == Policy::default()
    }

    /// What the policy answers for call `nr` through `arch` with `args`: the meaning
    /// of the declaration, written as plainly as possible, against which the compiled
    /// programs are checked.
    ///
    /// - A number the tables do not know: `ENOSYS` under an allow list (libcs then
    ///   fall back to an older call), allowed otherwise (the kernel answers `ENOSYS`
    ///   itself, or runs a call newer than the tables).
    /// - A call refused by the lists: the declared errno (`EPERM` by default), but
    ///   `clone3` always `ENOSYS`, so that libcs fall back to `clone`.
    /// - `no_userns`: `clone3` fails `ENOSYS`; `clone` and `unshare` with
    ///   `CLONE_NEWUSER` in their flags (the first argument) the declared errno.
    /// - `sockets [..]`: `socket` and `socketpair` of another family (the first
    ///   argument) fail `EAFNOSUPPORT`.
    /// - Always: `ioctl` with `TIOCSTI`, `TIOCLINUX` or `TIOCSETD` (the second
    ///   argument's low 32 bits) fails `EPERM`.
    /// - i386's `socketcall` and `ipc`: each sub-call as its direct call, except that a
    ///   socket's family cannot be read: with `sockets [..]`, `socket` and
    ///   `socketpair` through `socketcall` fail `EAFNOSUPPORT`.
    pub fn verdict(&self, arch: Arch, nr: u32, args: [u64; 6]) -> Verdict {
        let names = arch.names(nr);
        let Some(&name) = names.first() else {
            return if self.allow.is_some() {
                Verdict::Errno(ENOSYS)
            } else {
                Verdict::Allow
            };
        };
        if self.refuses_call(&names) {
            return Verdict::Errno(if name == "clone3" {
                ENOSYS
            } else {
                self.refusal()
            });
        }
        let low = |i: usize| (args[i] & 0xffff_ffff) as u32;
        let called = self.call(name, Some(low(0)), low(1));
        if called != Verdict::Allow {
            return called;
        }
        let (multiplexed, call) = match name {
            "socketcall" if arch == Arch::I386 => (SOCKETCALL, low(0)),
            "ipc" if arch == Arch::I386 => (IPC, low(0) & 0xffff),
            _ => return Verdict::Allow,
        };
        match multiplexed.iter().find(|&&(number, _)| number == call) {
            Some((_, names)) => names
                .iter()
                .map(|name| {
                    if self.refuses(name) {
                        Verdict::Errno(self.refusal())
                    } else {
                        self.call(name, None, 0)
                    }
                })
                .find(|verdict| *verdict != Verdict::Allow)
                .unwrap_or(Verdict::Allow),
            // The kernel answers EINVAL.
            None => Verdict::Allow,
        }
    }

    /// The verdict for the call named `name`, not refused by the lists, whose first argument (its flags or
    /// family) is `first`, `None` when it cannot be read, and whose second is `second`.
    fn call(&self, name: &str, first: Option<u32>, second: u32) -> Verdict {
        match name {
            "clone3" if self.no_userns => Verdict::Errno(ENOSYS),
            "clone" | "unshare"
                if self.no_userns && first.is_none_or(|f| f & CLONE_NEWUSER != 0) =>
            {
                Verdict::Errno(self.refusal())
            }
            "socket" | "socketpair" => match (&self.sockets, first) {
                (Some(families), Some(family)) if !families.contains(&family) => {
                    Verdict::Errno(EAFNOSUPPORT)
                }
                (Some(_), None) => Verdict::Errno(EAFNOSUPPORT),
                _ => Verdict::Allow,
            },
            "ioctl"
                if TERMINAL_REQUESTS
                    .iter()
                    .any(|&(_, request)| request == second) =>
            {
                Verdict::Errno(EPERM)
            }
            _ => Verdict::Allow,
        }
    }
}
