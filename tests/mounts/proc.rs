//! `proc`: a fresh procfs whose system knobs are read-only, as root and as uid 65534.
//! Nothing is mounted in this process, and no knob of the host is ever changed: a
//! write that the test expects to fail writes back the value it read.

use mountns::namespace;

use mountns_support::*;

namespace! {
    static PROC = {
        include BASE;
        proc "/proc/";
    };

    /// The same, keeping `CAP_SYS_ADMIN`.
    static PROC_ADMIN = {
        include PROC;
        caps [sys_admin];
    };
}

#[test]
fn core_pattern_cannot_be_written_even_as_root() {
    // Were it writable, this would write the same pattern back.
    let script = "read pattern < /proc/sys/kernel/core_pattern && \
                  { echo \"$pattern\" > /proc/sys/kernel/core_pattern; } 2>&1; echo rc=$?";
    for (user, run) in each_user(&PROC, script, 0, "") {
        let refused = "/proc/sys/kernel/core_pattern: Read-only file system\nrc=2\n";
        assert!(run.stdout.ends_with(refused), "{user:?}: {run:#?}");
    }
}

#[test]
fn the_knobs_are_covered_read_only() {
    let script = "test -w /proc/sysrq-trigger && echo sysrq-writable; \
                  test -e /proc/sysrq-trigger && echo sysrq; cat /proc/self/mountinfo";
    for user in USERS {
        let run = sh(&PROC, script, user);
        assert_eq!(run.code, Some(0), "{user:?}: {run:#?}");
        assert!(!run.stdout.contains("sysrq-writable"), "{user:?}: {run:#?}");
        let (options, fstype) = mount_of(&run.stdout, "/proc").unwrap();
        assert_eq!(fstype, "proc", "{user:?}");
        for option in ["rw", "nosuid", "nodev", "noexec"] {
            assert!(options.contains(&option), "{user:?}: {options:?}");
        }
        let mut covered = vec!["/proc/sys", "/proc/irq", "/proc/bus"];
        // A kernel without magic SysRq has no sysrq-trigger.
        if run.stdout.starts_with("sysrq\n") {
            covered.push("/proc/sysrq-trigger");
        }
        for knob in covered {
            let (options, fstype) = mount_of(&run.stdout, knob).unwrap();
            assert_eq!(fstype, "proc", "{user:?}: {knob}");
            for option in ["ro", "nosuid", "nodev", "noexec"] {
                assert!(options.contains(&option), "{user:?}: {knob} {options:?}");
            }
        }
    }
}

#[test]
fn the_rest_of_proc_is_there() {
    each_user_sees(
        &PROC,
        "test -r /proc/self/status && echo status; cat /proc/sys/kernel/ostype",
        "status\nLinux\n",
    );
}

/// Python that tries to take the cover off `/proc/sys`: from a user namespace of its
/// own (where it has every capability), remount it writable, unmount it, and mount a
/// fresh procfs of a new pid namespace, which would show `sys` uncovered; then remount
/// and unmount in the sandbox itself. Prints 0 for each that worked, else the errno.
const UNCOVER: &str = "
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
MS_REMOUNT, MS_BIND, MNT_DETACH = 32, 4096, 2
NEWUSER, NEWNS, NEWPID = 0x10000000, 0x20000, 0x20000000
def tried(name, done):
    print(name, 0 if done == 0 else ctypes.get_errno(), flush=True)
def uncover(where):
    tried(where + 'remount', libc.mount(None, b'/proc/sys', None, MS_REMOUNT | MS_BIND, None))
    tried(where + 'umount', libc.umount2(b'/proc/sys', MNT_DETACH))
def in_a_fork(run):
    child = os.fork()
    if child == 0:
        run()
        os._exit(0)
    os.waitpid(child, 0)
def nested():
    if libc.unshare(NEWUSER | NEWNS | NEWPID) != 0:
        raise OSError(ctypes.get_errno(), 'unshare')
    uncover('nested-')
    in_a_fork(lambda: tried('nested-proc', libc.mount(b'proc', b'/usr', b'proc', 0, None)))
in_a_fork(nested)
uncover('')
";

#[test]
fn the_covers_hold_without_privileges() {
    for user in USERS {
        let run = sh(&PROC, &format!("python3 -c \"{UNCOVER}\""), user);
        assert_eq!(run.code, Some(0), "{user:?}: {run:#?}");
        // In a user namespace of its own, every mount it got is locked to what is
        // mounted on it (EINVAL), its read-only flag too (EPERM), and a procfs is
        // refused (EPERM): the kernel allows one only beside a fully visible one.
        let nested = "nested-remount 1\nnested-umount 22\nnested-proc 1\n";
        // Root inside holds no capability, uid 65534 none in the sandbox.
        let direct = "remount 1\numount 1\n";
        assert_eq!(
            run.stdout,
            format!("{nested}{direct}"),
            "{user:?}: {run:#?}"
        );
        // Kept, CAP_SYS_ADMIN takes the cover off like any mount (as SECURITY.md says
        // of `caps`): root's, and uid 65534's of the sandbox's user namespace, which
        // made these mounts itself (none is locked to it). Uncovered, the knobs are
        // still the host root's files: only root can then write them, which is why
        // keeping `sys_admin` as root keeps root (SECURITY.md).
        let run = sh(&PROC_ADMIN, &format!("python3 -c \"{UNCOVER}\""), user);
        assert_eq!(
            run.stdout,
            format!("{nested}remount 0\numount 0\n"),
            "{user:?}: {run:#?}"
        );
    }
}
