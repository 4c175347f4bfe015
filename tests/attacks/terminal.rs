//! The caller's terminal inside a namespace: a program cannot push keystrokes into it
//! (`TIOCSTI`, `TIOCLINUX`) nor change its line discipline (`TIOCSETD`), and an interactive shell keeps its job control there. Each
//! case in a pseudo-terminal of the test's own, made the child's controlling terminal
//! as a shell's is, as root and as uid 65534.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead as _, BufReader};
use std::os::unix::fs::OpenOptionsExt as _;
use std::os::unix::process::CommandExt as _;
use std::process::{Command, Output, Stdio};

use mountns::{CommandExt, Namespace, Unshare, namespace};
use mountns_support::{BASE, USERS, User, as_user};
use rustix::fd::{BorrowedFd, OwnedFd};
use rustix::fs::OFlags;
use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
use rustix::termios::Winsize;

namespace! {
    static PID = {
        include BASE;
        unshare [pid];
    };

    static SESSION = {
        include BASE;
        new_session;
    };

    /// Landlock, with a `/dev` whose `tty` the shell opens (the device ioctls of job
    /// control need Landlock's `IOCTL_DEV` there).
    static LANDLOCK = {
        include BASE;
        dev "/dev/";
        landlock;
    };

    static LANDLOCK_PID = {
        include LANDLOCK;
        unshare [pid];
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

/// `program args` as `user`, with `slave` as its stdin and controlling terminal (a
/// session of its own, as a shell's job would have in its terminal), its stdout piped.
fn controlled_by(slave: File, program: &str, args: &[&str], user: User) -> Command {
    let mut command = Command::new(program);
    command.args(args).stdin(slave).stdout(Stdio::piped());
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
    command
}

/// `program args` as `user` in a new pty (see [`controlled_by`]), in `ns` if given.
fn in_terminal(program: &str, args: &[&str], user: User, ns: Option<&'static Namespace>) -> Output {
    let (_master, slave) = pty();
    let mut command = controlled_by(slave, program, args, user);
    command.stderr(Stdio::piped());
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

/// Python that sets its terminal's line discipline with `TIOCSETD` (to `N_TTY`, the one
/// it has: harmless where it works), also with bit 32 of the request set: 0 for each
/// that worked, else the errno. `N_NULL` there would kill the caller's terminal.
const LINE_DISCIPLINE: &str = "
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
for request in (0x5423, 0x5423 | 1 << 32):
    discipline = ctypes.c_int(0)
    done = libc.ioctl(0, ctypes.c_ulong(request), ctypes.byref(discipline))
    print(0 if done == 0 else ctypes.get_errno())
";

#[test]
fn the_line_discipline_cannot_be_changed() {
    for user in USERS {
        let python = "/usr/bin/python3";
        // Outside, both requests work.
        let output = in_terminal(python, &["-c", LINE_DISCIPLINE], user, None);
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "0\n0\n",
            "{user:?}: {output:?}"
        );
        for ns in [&BASE, &PID, &SESSION] {
            let output = in_terminal(python, &["-c", LINE_DISCIPLINE], user, Some(ns));
            assert_eq!(
                String::from_utf8_lossy(&output.stdout),
                "1\n1\n",
                "{user:?} in {ns}: {output:?}"
            );
        }
    }
}

/// Python that pushes a byte into its terminal through the other entry points of
/// `ioctl` on `x86_64`: i386's (`int 0x80`, number 54) and x32's (number 514 with the
/// x32 bit), from machine code in a page below 2 GiB, where i386 pointers reach. For
/// each, 0 if it worked, else the errno.
#[cfg(target_arch = "x86_64")]
const INJECT_COMPAT: &str = "
import ctypes, mmap, struct, termios
page = mmap.mmap(-1, 4096, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | 0x40,
                 prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
base = ctypes.addressof(ctypes.c_char.from_buffer(page))
byte = struct.pack('<I', base + 256)
page[256:257] = b'#'
request = struct.pack('<I', termios.TIOCSTI)
# push rbx; mov eax, 54; xor ebx, ebx; mov ecx, TIOCSTI; mov edx, &byte; int 0x80;
# pop rbx; movsxd rax, eax; ret
i386 = (b'\\x53\\xb8\\x36\\0\\0\\0\\x31\\xdb\\xb9' + request + b'\\xba' + byte
        + b'\\xcd\\x80\\x5b\\x48\\x63\\xc0\\xc3')
# mov eax, 0x40000000 | 514; xor edi, edi; mov esi, TIOCSTI; mov edx, &byte; syscall; ret
x32 = b'\\xb8\\x02\\x02\\0\\x40\\x31\\xff\\xbe' + request + b'\\xba' + byte + b'\\x0f\\x05\\xc3'
page[0:len(i386)] = i386
page[128:128 + len(x32)] = x32
for offset in (0, 128):
    print(-ctypes.CFUNCTYPE(ctypes.c_long)(base + offset)())
";

#[cfg(target_arch = "x86_64")]
#[test]
fn keystrokes_cannot_be_injected_through_the_compat_entry_points() {
    for user in USERS {
        let python = "/usr/bin/python3";
        // Outside, i386's ioctl pushes the byte; x32's too where the kernel has x32,
        // else ENOSYS.
        let output = in_terminal(python, &["-c", INJECT_COMPAT], user, None);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout == "0\n0\n" || stdout == "0\n38\n",
            "{user:?}: {output:?}"
        );
        for ns in [&BASE, &PID] {
            let output = in_terminal(python, &["-c", INJECT_COMPAT], user, Some(ns));
            assert_eq!(
                String::from_utf8_lossy(&output.stdout),
                "1\n1\n",
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
        for ns in [&BASE, &PID, &LANDLOCK, &LANDLOCK_PID] {
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

#[test]
fn a_terminals_resize_reaches_the_program_in_a_pid_namespace() {
    // The kernel sends SIGWINCH to the terminal's foreground process group, where the
    // program is (no new session): nothing passes it on, as with bubblewrap.
    let script = "trap 'echo winch; exit' WINCH; echo ready; while :; do sleep 0.05; done";
    for user in USERS {
        let (master, slave) = pty();
        let mut command = controlled_by(slave, "/bin/sh", &["-c", script], user);
        let mut child = command.spawn_in(&PID).unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        assert_eq!(lines.next().unwrap().unwrap(), "ready", "{user:?}");
        let size = Winsize {
            ws_row: 40,
            ws_col: 100,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        rustix::termios::tcsetwinsize(&master, size).unwrap();
        assert_eq!(lines.next().unwrap().unwrap(), "winch", "{user:?}");
        assert!(child.wait().unwrap().success(), "{user:?}");
    }
}
