//! `proc`: a fresh procfs whose system knobs are read-only, as root and as uid 65534.
//! Nothing is mounted in this process, and no knob of the host is ever changed: a
//! write that the test expects to fail writes back the value it read.

mod common;

use mountns::namespace;

use common::*;

namespace! {
    static PROC = {
        include common::BASE;
        proc "/proc/";
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
