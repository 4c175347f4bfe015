//! The caller's terminal inside a namespace: a program cannot push keystrokes into it
//! (`TIOCSTI`, `TIOCLINUX`), and an interactive shell keeps its job control there. Each
//! case in a pseudo-terminal of the test's own, made the child's controlling terminal
//! as a shell's is, as root and as uid 65534.

#[path = "../runtime/tests/common/mod.rs"]
mod common;

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt as _;
use std::os::unix::process::CommandExt as _;
use std::process::{Command, Output, Stdio};

use common::{BASE, USERS, User, as_user};
use mountns::{CommandExt, Namespace, Unshare, namespace};
use rustix::fd::{BorrowedFd, OwnedFd};
use rustix::fs::OFlags;
use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};

namespace! {
    static PID = {
        include BASE;
        unshare [pid];
    };

    static SESSION = {
        include BASE;
        new_session;
    };
}

/// A new pseudo-terminal: its master, and its slave, which no process has as its
/// controlling terminal yet.
fn pty() -> (OwnedFd, File) {
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC).unwrap();
    grantpt(&master).unwrap();
    unlockpt(&master).unwrap();
    let name = ptsname(&master, Vec::new()).unwrap();
    let slave = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(OFlags::NOCTTY.bits().cast_signed())
        .open(name.to_str().unwrap())
        .unwrap();
    (master, slave)
}

/// `program args` as `user`, with the slave of a new pty as its stdin and controlling
/// terminal (a session of its own, as a shell's job would have in its terminal), in
/// `ns` if given.
fn in_terminal(program: &str, args: &[&str], user: User, ns: Option<&'static Namespace>) -> Output {
    let (_master, slave) = pty();
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(slave)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    as_user(&mut command, user);
    // SAFETY: setsid and one ioctl on fd 0 (open: std made it the slave): no
    // allocation, no lock.
    unsafe {
        command.pre_exec(|| {
            rustix::process::setsid()?;
            let stdin = BorrowedFd::borrow_raw(0);
            rustix::process::ioctl_tiocsctty(stdin).map_err(io::Error::from)
        });
    }
    match ns {
        Some(ns) => command.output_in(ns).unwrap(),
        None => command.output().unwrap(),
    }
}

/// Python that pushes a byte into its terminal with `TIOCSTI` (also with bit 32 of the
/// request set, which the kernel ignores) and asks `TIOCLINUX` for something: 0 for
/// each that worked, else the errno.
const INJECT: &str = "
import ctypes, termios
libc = ctypes.CDLL(None, use_errno=True)
for request in (termios.TIOCSTI, termios.TIOCSTI | 1 << 32, 0x541C):
    byte = ctypes.c_char(b'#')
    done = libc.ioctl(0, ctypes.c_ulong(request), ctypes.byref(byte))
    print(0 if done == 0 else ctypes.get_errno())
";

#[test]
fn keystrokes_cannot_be_injected_into_the_terminal() {
    for user in USERS {
        let python = "/usr/bin/python3";
        // The attack works outside: both TIOCSTI requests push the byte.
        let output = in_terminal(python, &["-c", INJECT], user, None);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.starts_with("0\n0\n"), "{user:?}: {output:?}");
        assert!(!stdout.ends_with("\n1\n"), "{user:?}: {output:?}");
        for ns in [&BASE, &PID] {
            let output = in_terminal(python, &["-c", INJECT], user, Some(ns));
            assert_eq!(
                String::from_utf8_lossy(&output.stdout),
                "1\n1\n1\n",
                "{user:?} in {ns}: {output:?}"
            );
        }
    }
}

/// An interactive shell's options, and a job it starts in the background.
const SHELL: &str = "set -o | grep monitor; sleep 0.5 & jobs";

#[test]
fn an_interactive_shell_keeps_job_control() {
    for user in USERS {
        for ns in [&BASE, &PID] {
            let output = in_terminal("/bin/sh", &["-i", "-c", SHELL], user, Some(ns));
            let stdout = String::from_utf8_lossy(&output.stdout);
            let mut lines = stdout.lines();
            let monitor = lines.next().unwrap_or_default();
            assert!(monitor.ends_with("on"), "{user:?} in {ns}: {output:?}");
            let job = lines.next().unwrap_or_default();
            assert!(
                job.starts_with("[1]") && job.ends_with("sleep 0.5"),
                "{user:?} in {ns}: {output:?}"
            );
            // On leaving, the shell gives the terminal back to the process group it
            // found in the foreground, which a pid namespace cannot name (tcgetpgrp
            // said 0): dash complains and exits 2. bubblewrap's --unshare-pid is alike.
            let left = if ns.unshare().contains(Unshare::PID) {
                "/bin/sh: 1: Cannot set tty process group (No such process)\n"
            } else {
                ""
            };
            assert_eq!(
                String::from_utf8_lossy(&output.stderr),
                left,
                "{user:?} in {ns}"
            );
        }
        // A new session leaves the terminal behind, and job control with it.
        let output = in_terminal("/bin/sh", &["-i", "-c", SHELL], user, Some(&SESSION));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.starts_with("monitor") && stdout.lines().next().unwrap().ends_with("off"),
            "{user:?}: {output:?}"
        );
    }
}
