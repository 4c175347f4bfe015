//! The syscall policy of a table in real runs: each refused call fails with the
//! declared errno inside, natively and through i386's `int 0x80`, as root and as uid
//! 65534, on each route (`CommandExt` here, `Namespace::exec` in
//! `tests/processes/in_place.rs`, the launcher in `.ci/run`); the same calls outside (the
//! control) do not; `mountns::DEFAULT_SYSCALLS` runs a shell, Python, `make` and
//! `gcc`; and each table's program, run in the interpreter, gives the declared
//! policy's verdict.

use std::fmt::Write as _;
use std::process::{Command, Output, Stdio};

use mountns::{CommandExt as _, Namespace, namespace};
use mountns_seccomp::bpf::{self, Data, Insn};
use mountns_seccomp::{Arch, Verdict};
use mountns_support::{BASE, USERS, User, as_user};

namespace! {
    /// A deny list of the dangerous groups, with an errno no call here returns by itself.
    static DENY = {
        include BASE;
        syscalls deny [@mount, @module, @raw-io, @reboot, @swap, @debug, ptrace, keyctl];
        syscalls errno(ENOTRECOVERABLE);
        sockets [unix, inet, inet6];
        no_userns;
    };

    /// An allow list: what is not in `@system-service` fails.
    static ALLOW = {
        include BASE;
        syscalls allow [@system-service];
        syscalls errno(ENOTRECOVERABLE);
    };

    /// The default profile, with a pid namespace and a fresh /dev and /proc.
    static DEFAULT = {
        include BASE;
        include mountns::MINIMAL;
        include mountns::DEFAULT_SYSCALLS;
        bind "/tmp/" tmpfs;
    };

    static NONE = {
        include BASE;
    };
}

const ENOTRECOVERABLE: i32 = 131;
const EAFNOSUPPORT: i32 = 97;
const ENOSYS: i32 = 38;

/// The calls made, each with its arguments: a name, the native call and the i386 one.
/// Pointers are null: a filter answers before the kernel reads them.
const CALLS: &[(&str, &str, [i64; 3])] = &[
    ("mount", "mount", [0, 0, 0]),
    ("keyctl", "keyctl", [0, -3, 0]),
    ("ptrace", "ptrace", [0x4206, 1, 0]),
    ("unshare-user", "unshare", [0x1000_0000, 0, 0]),
    ("socket-packet", "socket", [17, 3, 0]),
    ("socket-netlink", "socket", [16, 3, 0]),
    ("socket-unix", "socket", [1, 1, 0]),
    ("clone3", "clone3", [0, 0, 0]),
    ("kexec", "kexec_load", [0, 0, 0]),
    ("getppid", "getppid", [0, 0, 0]),
];

/// Python that makes each call natively (`syscall(2)`) and through `int 0x80` (machine
/// code in a page of its own), printing `NAME native ERRNO` and `NAME i386 ERRNO` (0
/// for success). A call that succeeded is undone where it would matter (a socket is
/// left open, harmlessly).
fn probe() -> String {
    let mut script = String::from(
        "import ctypes, mmap, struct
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
page = mmap.mmap(-1, 4096, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS,
                 prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
base = ctypes.addressof(ctypes.c_char.from_buffer(page))
def i386(nr, a, b, c):
    # push rbx; mov eax, nr; mov ebx, a; mov ecx, b; mov edx, c; int 0x80; pop rbx;
    # movsxd rax, eax; ret
    code = (b'\\x53\\xb8' + struct.pack('<I', nr) + b'\\xbb' + struct.pack('<I', a & 0xffffffff)
            + b'\\xb9' + struct.pack('<I', b & 0xffffffff) + b'\\xba' + struct.pack('<I', c & 0xffffffff)
            + b'\\xcd\\x80\\x5b\\x48\\x63\\xc0\\xc3')
    page[0:len(code)] = code
    done = ctypes.CFUNCTYPE(ctypes.c_long)(base)()
    return -done if done < 0 else 0
def native(nr, a, b, c):
    done = libc.syscall(ctypes.c_long(nr), ctypes.c_long(a), ctypes.c_long(b), ctypes.c_long(c), 0, 0)
    return ctypes.get_errno() if done < 0 else 0
",
    );
    for (name, call, [a, b, c]) in CALLS {
        let native = Arch::X86_64.number(call).unwrap();
        let i386 = Arch::I386.number(call).unwrap();
        let _ = write!(
            script,
            "print('{name} native', native({native}, {a}, {b}, {c}))\n\
             print('{name} i386', i386({i386}, {a}, {b}, {c}))\n"
        );
    }
    // i386's multiplexed socket(AF_PACKET): the family lies behind a pointer.
    let socketcall = Arch::I386.number("socketcall").unwrap();
    let _ = write!(
        script,
        "args = (ctypes.c_uint32 * 3)(17, 3, 0)\n\
         print('socketcall-socket i386', i386({socketcall}, 1, ctypes.addressof(args), 0))\n"
    );
    script
}

/// The errnos the probe printed, as (`name entry`, errno).
fn errnos(output: &Output) -> Vec<(String, i32)> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            let (what, errno) = line.rsplit_once(' ').unwrap();
            (what.to_owned(), errno.parse().unwrap())
        })
        .collect()
}

fn run_probe(user: User, ns: Option<&'static Namespace>) -> Vec<(String, i32)> {
    let mut command = Command::new("/usr/bin/python3");
    command.args(["-c", &probe()]).stdout(Stdio::piped());
    as_user(&mut command, user);
    let output = match ns {
        Some(ns) => command.output_in(ns).unwrap(),
        None => command.output().unwrap(),
    };
    assert!(output.status.success(), "{user:?}: {output:?}");
    errnos(&output)
}

fn errno_of(results: &[(String, i32)], what: &str) -> i32 {
    results
        .iter()
        .find(|(name, _)| name == what)
        .unwrap_or_else(|| panic!("{what} in {results:?}"))
        .1
}

#[test]
fn refused_calls_fail_with_the_declared_errno_on_every_entry_point() {
    for user in USERS {
        let outside = run_probe(user, None);
        let inside = run_probe(user, Some(&DENY));
        for entry in ["native", "i386"] {
            let at = |name: &str| format!("{name} {entry}");
            for name in ["mount", "keyctl", "ptrace", "unshare-user", "kexec"] {
                assert_eq!(
                    errno_of(&inside, &at(name)),
                    ENOTRECOVERABLE,
                    "{user:?} {entry} {name}: {inside:?}"
                );
                // The control: the kernel itself never answers so.
                assert_ne!(errno_of(&outside, &at(name)), ENOTRECOVERABLE, "{user:?}");
            }
            for name in ["socket-packet", "socket-netlink"] {
                assert_eq!(
                    errno_of(&inside, &at(name)),
                    EAFNOSUPPORT,
                    "{user:?} {name}"
                );
                assert_ne!(
                    errno_of(&outside, &at(name)),
                    EAFNOSUPPORT,
                    "{user:?} {name}"
                );
            }
            assert_eq!(errno_of(&inside, &at("clone3")), ENOSYS, "{user:?}");
            assert_eq!(errno_of(&inside, &at("socket-unix")), 0, "{user:?}");
            assert_eq!(errno_of(&inside, &at("getppid")), 0, "{user:?}");
        }
        assert_eq!(errno_of(&inside, "socketcall-socket i386"), EAFNOSUPPORT);
        // Outside, the kernel reads the arguments (above 4 GiB for a 64-bit process:
        // EFAULT), so the family is not what refused it.
        assert_ne!(errno_of(&outside, "socketcall-socket i386"), EAFNOSUPPORT);
    }
}

#[test]
fn an_allow_list_refuses_everything_else() {
    for user in USERS {
        let inside = run_probe(user, Some(&ALLOW));
        for entry in ["native", "i386"] {
            let at = |name: &str| format!("{name} {entry}");
            for name in ["mount", "ptrace", "kexec"] {
                assert_eq!(
                    errno_of(&inside, &at(name)),
                    ENOTRECOVERABLE,
                    "{user:?} {name}"
                );
            }
            // In the list: keyctl (`@keyring`), sockets (`@network-io`).
            assert_ne!(
                errno_of(&inside, &at("keyctl")),
                ENOTRECOVERABLE,
                "{user:?}"
            );
            assert_eq!(errno_of(&inside, &at("socket-unix")), 0, "{user:?}");
            assert_eq!(errno_of(&inside, &at("getppid")), 0, "{user:?}");
        }
    }
}

fn sh(ns: &'static Namespace, script: &str, user: User) -> Output {
    let mut command = Command::new("/bin/sh");
    command.args(["-c", script]);
    as_user(&mut command, user);
    command.output_in(ns).unwrap()
}

#[test]
fn no_userns_makes_unshare_u_fail_as_root_and_as_65534() {
    for user in USERS {
        for ns in [&DENY, &DEFAULT] {
            let output = sh(ns, "unshare -U true; echo $?", user);
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert_ne!(stdout.trim(), "0", "{user:?}: {output:?}");
            assert!(
                String::from_utf8_lossy(&output.stderr).contains("unshare failed"),
                "{user:?}: {output:?}"
            );
        }
        // The control: the same command works in a table without the statement.
        let output = sh(&NONE, "unshare -U true; echo $?", user);
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "0\n",
            "{user:?}: {output:?}"
        );
    }
}

#[test]
fn the_default_profile_runs_a_shell_python_make_and_gcc() {
    let script = r#"
set -e
cd /tmp
python3 -c 'import ssl, sqlite3; print("python ok")'
printf 'int main(void) { return 0; }\n' > a.c
printf 'all: a\n\ta\n' | sed 's/\ta/\t.\/a/' > Makefile
printf 'a: a.c\n\tgcc -o a a.c\n' >> Makefile
make -s
echo built
"#;
    for user in USERS {
        let output = sh(&DEFAULT, script, user);
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "python ok\nbuilt\n",
            "{user:?}: {output:?}"
        );
        assert!(output.status.success(), "{user:?}: {output:?}");
    }
}

/// A table's program, as its `static` holds it.
fn program(ns: &Namespace) -> Vec<Insn> {
    mountns::__private::seccomp(ns)
        .iter()
        .map(|insn| Insn {
            code: insn.code(),
            jt: insn.jt(),
            jf: insn.jf(),
            k: insn.k(),
        })
        .collect()
}

/// The programs the macro emitted (and the runtime's fixed one, for a table built by
/// hand) pass the kernel's checks and give the verdicts their statements promise.
#[test]
fn the_emitted_programs_give_the_declared_verdicts() {
    let call = |program: &[Insn], arch: Arch, name: &str, args: [u64; 6]| {
        let data = Data {
            nr: arch.number(name).unwrap(),
            arch: arch.audit(),
            ip: 0,
            args,
        };
        Verdict::of(bpf::run(program, &data).0)
    };
    static HAND: Namespace = mountns::__private::namespace(&[], &[], &[]);
    for ns in [&DENY, &ALLOW, &DEFAULT, &NONE, &mountns::MINIMAL, &HAND] {
        let program = program(ns);
        bpf::check(&program).unwrap();
        for arch in [Arch::X86_64, Arch::I386, Arch::X32] {
            for (_, request) in mountns_seccomp::TERMINAL_REQUESTS {
                let args = [0, u64::from(request) | 1 << 32, 0, 0, 0, 0];
                assert_eq!(
                    call(&program, arch, "ioctl", args),
                    Verdict::Errno(1),
                    "{ns}"
                );
            }
            assert_eq!(call(&program, arch, "getppid", [0; 6]), Verdict::Allow);
        }
    }
    let default = program(&DEFAULT);
    assert_eq!(
        call(&default, Arch::X86_64, "mount", [0; 6]),
        Verdict::Errno(1)
    );
    assert_eq!(
        call(
            &program(&mountns::DEFAULT_SYSCALLS),
            Arch::X32,
            "ptrace",
            [0; 6]
        ),
        Verdict::Errno(1)
    );
}
