//! Every generated program, evaluated by the interpreter for every entry point of its
//! target and every call number the tables know and beyond (x32's bit, i386's numbers,
//! the numbers past the last call, the extremes), with arguments that reach each
//! argument check: the verdict is the declared policy's, without one mismatch.

use std::collections::BTreeSet;

use mountns_seccomp::bpf::{self, Data};
use mountns_seccomp::{
    Arch, CLONE_NEWUSER, EAFNOSUPPORT, ENOSYS, EPERM, Policy, TERMINAL_REQUESTS, Target, Verdict,
    X32_SYSCALL_BIT, compile, family, groups, tables,
};

fn names(list: &[&str]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for item in list {
        if let Some(members) = groups::expand(item) {
            names.extend(members.into_iter().map(String::from));
        } else {
            assert!(mountns_seccomp::is_syscall(item), "{item}");
            names.insert((*item).to_owned());
        }
    }
    names
}

fn families(list: &[&str]) -> BTreeSet<u32> {
    list.iter().map(|name| family(name).unwrap()).collect()
}

/// The README's example deny list, and the default profile's.
const DENY: &[&str] = &[
    "@mount", "@module", "@raw-io", "@reboot", "@swap", "@debug", "ptrace", "keyctl",
];
const DEFAULT: &[&str] = &[
    "@clock",
    "@cpu-emulation",
    "@debug",
    "@keyring",
    "@module",
    "@mount",
    "@obsolete",
    "@raw-io",
    "@reboot",
    "@swap",
    "acct",
    "bpf",
    "fanotify_init",
    "io_uring_enter",
    "io_uring_register",
    "io_uring_setup",
    "migrate_pages",
    "move_pages",
    "name_to_handle_at",
    "nfsservctl",
    "open_by_handle_at",
    "process_vm_readv",
    "process_vm_writev",
    "quotactl",
    "quotactl_fd",
    "setns",
    "syslog",
    "userfaultfd",
    "vhangup",
];

/// Three hundred calls of `x86_64`, from its table: the benchmark's allow list.
fn three_hundred() -> BTreeSet<String> {
    tables::X86_64
        .iter()
        .take(300)
        .map(|(name, _)| (*name).to_owned())
        .collect()
}

fn policies() -> Vec<(&'static str, Policy)> {
    vec![
        ("none", Policy::default()),
        (
            "deny",
            Policy {
                deny: names(DENY),
                sockets: Some(families(&["unix", "inet", "inet6"])),
                ..Policy::default()
            },
        ),
        (
            "default",
            Policy {
                deny: names(DEFAULT),
                sockets: Some(families(&["unix", "inet", "inet6", "netlink"])),
                no_userns: true,
                ..Policy::default()
            },
        ),
        (
            "allow",
            Policy {
                allow: Some(names(&["@system-service"])),
                errno: Some(EPERM),
                ..Policy::default()
            },
        ),
        (
            "300",
            Policy {
                allow: Some(three_hundred()),
                ..Policy::default()
            },
        ),
        (
            "composed",
            Policy {
                allow: Some(names(&["@system-service", "@mount"])),
                deny: names(&["@mount", "@ipc", "socket", "clone3"]),
                errno: Some(13),
                sockets: Some(BTreeSet::new()),
                no_userns: true,
            },
        ),
        (
            "sockets",
            Policy {
                sockets: Some(families(&["unix"])),
                ..Policy::default()
            },
        ),
        (
            "no_userns",
            Policy {
                no_userns: true,
                errno: Some(1000),
                ..Policy::default()
            },
        ),
        (
            // Every other call: hundreds of ranges, a program long enough that its
            // jumps need copies of returns and `ja` trampolines.
            "alternate",
            Policy {
                allow: Some(
                    tables::X86_64
                        .iter()
                        .step_by(2)
                        .map(|(name, _)| (*name).to_owned())
                        .collect(),
                ),
                ..Policy::default()
            },
        ),
        (
            "allow one",
            Policy {
                allow: Some(names(&["execve"])),
                ..Policy::default()
            },
        ),
    ]
}

/// Arguments that reach every check: families and flags in the first argument (and
/// socketcall's and ipc's sub-calls, with a version in ipc's high bits), terminal
/// requests (also with bit 32 set, which the kernel ignores) in the second.
fn argument_sets() -> Vec<[u64; 6]> {
    let mut sets = vec![[0; 6], [u64::MAX; 6]];
    for first in (0..48).chain([0x1_0000 | 0x2, 0x1_0000 | 0x15]) {
        sets.push([first, 0, 0, 0, 0, 0]);
    }
    for flags in [
        u64::from(CLONE_NEWUSER),
        u64::from(CLONE_NEWUSER) | 0x11,
        0x1_0000_0000,
        u64::from(!CLONE_NEWUSER),
    ] {
        sets.push([flags, 0, 0, 0, 0, 0]);
    }
    for (_, request) in TERMINAL_REQUESTS {
        let request = u64::from(request);
        sets.push([0, request, 0, 0, 0, 0]);
        sets.push([0, request | 1 << 32, 0, 0, 0, 0]);
        sets.push([0, request + 1, 0, 0, 0, 0]);
    }
    sets
}

/// Every number worth asking each entry point: all up to past its last call, the
/// other numbering's range (x32's with its bit for `x86_64`, and the reverse), and
/// the extremes.
fn numbers(arch: Arch) -> Vec<u32> {
    let table = arch.table();
    let last = table.iter().map(|&(_, nr)| nr).max().unwrap();
    let mut numbers: Vec<u32> = if arch == Arch::Arm {
        // arm's private calls sit at 0xf0000 and up.
        (0..=600).chain(0xf_0000..=0xf_0010).collect()
    } else if arch == Arch::X32 {
        (X32_SYSCALL_BIT..=last + 64).collect()
    } else {
        (0..=last + 64).collect()
    };
    if matches!(arch, Arch::X86_64 | Arch::I386) {
        numbers.extend(X32_SYSCALL_BIT..X32_SYSCALL_BIT + 600);
    }
    numbers.extend([
        u32::MAX,
        u32::MAX - 1,
        0x7fff_ffff,
        0x8000_0000,
        X32_SYSCALL_BIT - 1,
        0xc000_0000 | 16,
        0x0100_0000,
    ]);
    numbers
}

#[test]
fn every_program_gives_the_declared_verdict_for_every_call() {
    let sets = argument_sets();
    for (name, policy) in policies() {
        for target in Target::ALL {
            let program = compile(&policy, target).unwrap();
            bpf::check(&program).unwrap_or_else(|error| panic!("{name} {target:?}: {error}"));
            let mut checked = 0usize;
            for &arch in target.entries().iter().copied().flatten() {
                for nr in numbers(arch) {
                    // The x32 range of the x86_64 entry point is x32's.
                    let as_arch = if arch == Arch::X86_64 && nr & X32_SYSCALL_BIT != 0 {
                        Arch::X32
                    } else {
                        arch
                    };
                    let args_needed = as_arch.name(nr).is_some_and(|call| {
                        matches!(
                            call,
                            "ioctl"
                                | "socket"
                                | "socketpair"
                                | "clone"
                                | "unshare"
                                | "socketcall"
                                | "ipc"
                        )
                    });
                    let args = if args_needed { &sets[..] } else { &sets[..2] };
                    for args in args {
                        let data = Data {
                            nr,
                            arch: arch.audit(),
                            ip: 0,
                            args: *args,
                        };
                        let (ret, _) = bpf::run(&program, &data);
                        let expected = policy.verdict(as_arch, nr, *args);
                        // A number only the other numbering of the entry point has
                        // (`x86_64` 512 and up, x32 with the number of a call only
                        // `x86_64` has) is no call: the kernel answers ENOSYS whatever
                        // the program says, which may then be the other's verdict.
                        let other = sibling(as_arch, nr)
                            .filter(|&(other, number)| {
                                as_arch.name(nr).is_none() && other.name(number).is_some()
                            })
                            .map(|(other, number)| policy.verdict(other, number, *args));
                        assert!(
                            Verdict::of(ret) == expected || Some(Verdict::of(ret)) == other,
                            "{name} on {target:?}: {as_arch:?} call {nr} ({:?}) with {args:x?}: \
                             {:?}, expected {expected:?} (or {other:?})",
                            as_arch.name(nr),
                            Verdict::of(ret),
                        );
                        checked += 1;
                    }
                }
            }
            assert!(checked > 1000, "{name} {target:?}: {checked}");
        }
    }
}

/// The same number in the other numbering that shares an entry point with `arch`.
fn sibling(arch: Arch, nr: u32) -> Option<(Arch, u32)> {
    match arch {
        Arch::X86_64 => Some((Arch::X32, nr | X32_SYSCALL_BIT)),
        Arch::X32 => Some((Arch::X86_64, nr & !X32_SYSCALL_BIT)),
        _ => None,
    }
}

#[test]
fn another_architecture_is_killed() {
    for (name, policy) in policies() {
        for target in Target::ALL {
            let program = compile(&policy, target).unwrap();
            let ours: Vec<u32> = target
                .entries()
                .iter()
                .map(|entries| entries[0].audit())
                .collect();
            for arch in [0, 3, 0x4000_003e, 0xc000_0003, 0x8000_00b7, u32::MAX]
                .into_iter()
                .chain(Arch::ALL.map(Arch::audit))
                .filter(|arch| !ours.contains(arch))
            {
                let data = Data {
                    nr: 0,
                    arch,
                    ip: 0,
                    args: [0; 6],
                };
                assert_eq!(
                    Verdict::of(bpf::run(&program, &data).0),
                    Verdict::Kill,
                    "{name} {target:?} {arch:x}"
                );
            }
        }
    }
}

/// The verdicts the statements promise, named: the reference itself checked on the
/// calls the real-run tests make.
#[test]
fn the_reference_says_what_the_statements_promise() {
    let policies = policies();
    let default = &policies
        .iter()
        .find(|(name, _)| *name == "default")
        .unwrap()
        .1;
    let x86 = |name: &str| Arch::X86_64.number(name).unwrap();
    let i386 = |name: &str| Arch::I386.number(name).unwrap();
    let call = |policy: &Policy, arch: Arch, nr: u32, first: u64, second: u64| {
        policy.verdict(arch, nr, [first, second, 0, 0, 0, 0])
    };
    let refused = Verdict::Errno(EPERM);
    for (arch, number) in [
        (Arch::X86_64, &x86 as &dyn Fn(&str) -> u32),
        (Arch::I386, &i386),
    ] {
        for name in ["mount", "keyctl", "ptrace", "setns", "bpf", "kexec_load"] {
            assert_eq!(call(default, arch, number(name), 0, 0), refused, "{name}");
        }
        assert_eq!(
            call(default, arch, number("clone3"), 0, 0),
            Verdict::Errno(ENOSYS)
        );
        let newuser = u64::from(CLONE_NEWUSER);
        assert_eq!(call(default, arch, number("unshare"), newuser, 0), refused);
        assert_eq!(
            call(default, arch, number("clone"), newuser | 0x11, 0),
            refused
        );
        assert_eq!(call(default, arch, number("clone"), 17, 0), Verdict::Allow);
        let packet = u64::from(family("packet").unwrap());
        let afnosupport = Verdict::Errno(EAFNOSUPPORT);
        assert_eq!(
            call(default, arch, number("socket"), packet, 0),
            afnosupport
        );
        assert_eq!(call(default, arch, number("socket"), 1, 0), Verdict::Allow);
        for name in ["read", "execve", "getppid", "wait4"] {
            assert_eq!(
                call(default, arch, number(name), 0, 0),
                Verdict::Allow,
                "{name}"
            );
        }
        for (_, request) in TERMINAL_REQUESTS {
            let request = u64::from(request) | 1 << 32;
            let none = &Policy::default();
            assert_eq!(call(none, arch, number("ioctl"), 0, request), refused);
        }
    }
    // i386's socketcall: socket has no readable family, so it is refused.
    let socketcall = i386("socketcall");
    assert_eq!(
        call(default, Arch::I386, socketcall, 1, 0),
        Verdict::Errno(EAFNOSUPPORT)
    );
    assert_eq!(call(default, Arch::I386, socketcall, 3, 0), Verdict::Allow);
}

/// Long lists stay short programs, and a call costs a few instructions: the
/// number of instructions run for `getppid`, the benchmark's call.
#[test]
fn programs_are_short_and_searches_shallow() {
    for (name, policy) in policies() {
        for target in Target::ALL {
            let program = compile(&policy, target).unwrap();
            if name == "alternate" {
                let far = program.iter().any(|insn| insn.code == bpf::JMP | bpf::JA);
                assert!(far || target != Target::X86_64, "{target:?}");
                assert!(program.len() > 512, "{target:?}: {}", program.len());
                continue;
            }
            assert!(program.len() < 700, "{name} {target:?}: {}", program.len());
            let arch = target.entries()[0][0];
            let data = Data {
                nr: arch.number("getppid").unwrap(),
                arch: arch.audit(),
                ip: 0,
                args: [0; 6],
            };
            let (_, steps) = bpf::run(&program, &data);
            assert!(steps <= 16, "{name} {target:?}: {steps} steps");
        }
    }
}

/// Every member of every group is a call some architecture has, or one of the few
/// of other architectures that systemd's groups name too.
#[test]
fn every_group_member_is_a_call_or_a_group() {
    const ELSEWHERE: &[&str] = &[
        "rtas",
        "sys_debug_setcontext",
        "subpage_prot",
        "switch_endian",
        "swapcontext",
        "epoll_ctl_old",
        "epoll_wait_old",
    ];
    for group in groups::GROUPS {
        for member in group.members {
            assert!(
                groups::group(member).is_some()
                    || mountns_seccomp::is_syscall(member)
                    || ELSEWHERE.contains(member),
                "{} has {member}",
                group.name
            );
        }
    }
}
