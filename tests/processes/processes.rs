//! Tables with a pid namespace and other namespaces, entered for real in children, as
//! root and as uid 65534: exit codes and signals come through every route unchanged,
//! the parent's signals reach the program, the program and its children die with the
//! process that launched them, and from inside, host processes and the host's network
//! are out of reach.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, BufRead as _, BufReader};
use std::net::TcpListener;
use std::os::fd::AsRawFd as _;
use std::os::linux::net::SocketAddrExt as _;
use std::os::unix::net::{SocketAddr, UnixListener};
use std::os::unix::process::{CommandExt as _, ExitStatusExt as _};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use mountns::{CommandExt, Namespace, Step, namespace};
use mountns_support::{
    BASE, USERS, User, as_user, inherited_fds, is_root, kill, processes_marked, rerun, role,
    root_or_skip, shell, this_binary, within,
};
use rustix::process::Signal;

namespace! {
    /// A pid namespace.
    static PID = {
        include BASE;
        unshare [pid];
    };

    /// With a /dev, for a shell's background jobs (their stdin is /dev/null).
    static PID_DEV = {
        include PID;
        dev "/dev/";
    };

    /// A /dev, without a pid namespace.
    static DEV_ONLY = {
        include BASE;
        dev "/dev/";
    };

    /// A network namespace.
    static NET = {
        include BASE;
        unshare [net];
    };

    /// Every namespace but pid (which the host's /proc, read for `/proc/self/ns`, would
    /// not show), and a host name.
    static OTHERS = {
        include BASE;
        bind "/proc/" "/proc/";
        unshare [net, ipc, uts, cgroup];
        hostname "box";
    };

    static SESSION_PID = {
        include PID;
        new_session;
    };

    static SESSION_ONLY = {
        include BASE;
        new_session;
    };

    /// A new session without a pid namespace, and the host's /proc: the program can
    /// name the processes that stand in for it.
    static SESSION_HOST_PROC = {
        include BASE;
        bind "/proc/" "/proc/";
        new_session;
    };

    /// A fresh procfs, which brings a pid namespace with it.
    static FRESH_PROC = {
        include BASE;
        proc "/proc/";
    };

    /// Every entry that opens descriptors while entering, and each process of a pid
    /// namespace.
    static SANDBOX = {
        include BASE;
        proc "/proc/";
        dev "/dev/";
        file "/etc/box" "box\n";
        bind "/tmp/" tmpfs;
        unshare [net];
        new_session;
    };

    /// A network namespace and a new session, but no pid namespace: pid 1 is an
    /// ordinary process, forked into no namespace but the mount namespace.
    static NET_SESSION = {
        bind ro "/usr/";
        symlink "/bin" "usr/bin";
        symlink "/lib" "usr/lib";
        symlink "/lib64" "usr/lib64";
        bind "/proc/" "/proc/";
        unshare [net];
        new_session;
    };

    static MISSING_SOURCE = {
        include PID;
        bind "/data/" "/tmp/mountns-processes/no-such-source/";
    };
}

/// The ways to run a command in a namespace and get its status.
#[derive(Clone, Copy, Debug)]
enum Route {
    /// `CommandExt::status_in`.
    StatusIn,
    /// `CommandExt::spawn_in`, then `Child::wait`.
    SpawnIn,
    /// `CommandExt::output_in`.
    OutputIn,
    /// std's own `status` after `CommandExt::namespace`.
    Namespace,
}

const ROUTES: [Route; 4] = [
    Route::StatusIn,
    Route::SpawnIn,
    Route::OutputIn,
    Route::Namespace,
];

impl Route {
    fn status(self, command: &mut Command, ns: &'static Namespace) -> ExitStatus {
        let status = match self {
            Route::StatusIn => command.status_in(ns),
            Route::SpawnIn => command.spawn_in(ns).and_then(|mut child| child.wait()),
            Route::OutputIn => command.output_in(ns).map(|output| output.status),
            Route::Namespace => command.namespace(ns).status(),
        };
        status.unwrap_or_else(|error| panic!("{self:?}: {error}"))
    }
}

#[test]
fn exit_codes_and_signals_come_through_every_route() {
    for user in USERS {
        for route in ROUTES {
            let status = route.status(&mut shell("exit 7", user), &PID);
            assert_eq!(status.code(), Some(7), "{user:?} {route:?}: {status}");
            let status = route.status(&mut shell("kill -TERM $$", user), &PID);
            assert_eq!(status.signal(), Some(15), "{user:?} {route:?}: {status}");
            assert!(!status.core_dumped(), "{user:?} {route:?}: {status}");
            let status = route.status(&mut shell("kill -USR1 $$", user), &PID);
            assert_eq!(status.signal(), Some(10), "{user:?} {route:?}: {status}");
            // Whose action cannot be set, only taken.
            let status = route.status(&mut shell("kill -KILL $$", user), &PID);
            assert_eq!(status.signal(), Some(9), "{user:?} {route:?}: {status}");
        }
    }
}

/// Spawns `script` in `ns` with its stdout piped, and waits for its first line, which
/// it prints once ready.
fn spawn_ready(script: &str, user: User, ns: &'static Namespace) -> (Child, String) {
    let mut child = shell(script, user)
        .stdout(Stdio::piped())
        .spawn_in(ns)
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line)
}

#[test]
fn the_parents_signals_reach_the_program() {
    let signals = [
        (Signal::TERM, "TERM"),
        (Signal::INT, "INT"),
        (Signal::HUP, "HUP"),
        (Signal::QUIT, "QUIT"),
        (Signal::USR1, "USR1"),
        (Signal::USR2, "USR2"),
    ];
    for user in USERS {
        for (code, (signal, name)) in (40..).zip(signals) {
            let script =
                format!("trap 'exit {code}' {name}; echo ready; while :; do sleep 0.02; done");
            let (mut child, ready) = spawn_ready(&script, user, &PID);
            assert_eq!(ready, "ready\n", "{user:?} {name}");
            kill(&child, signal);
            let status = child.wait().unwrap();
            assert_eq!(status.code(), Some(code), "{user:?} {name}: {status}");
        }
    }
}

/// A sleep whose command line no other process has.
fn marker(user: User, case: &str) -> String {
    format!("1000.{}{}{}", std::process::id(), user as u8, case.len())
}

#[test]
fn killing_the_child_kills_the_program_and_its_children() {
    for user in USERS {
        let marker = marker(user, "kill");
        let script = format!("sleep {marker} & sleep {marker} & echo ready; wait");
        let (mut child, ready) = spawn_ready(&script, user, &PID_DEV);
        assert_eq!(ready, "ready\n");
        // sh and its two sleeps.
        assert!(
            within(Duration::from_secs(5), || processes_marked(&marker).len()
                == 3),
            "{user:?}: {:?}",
            processes_marked(&marker)
        );
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.signal(), Some(9), "{user:?}");
        assert!(
            within(Duration::from_secs(1), || processes_marked(&marker)
                .is_empty()),
            "{user:?}: still running: {:?}",
            processes_marked(&marker)
        );
    }
}

#[test]
fn leftovers_die_with_the_program_in_a_pid_namespace() {
    // A process the program leaves behind could keep the terminal and read what the
    // user types next: with a pid namespace it dies when the program ends.
    for user in USERS {
        let marker = marker(user, "leftover");
        let script = format!("(sleep {marker} &) ; exit 0");
        let status = shell(&script, user)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .status_in(&PID_DEV)
            .unwrap();
        assert!(status.success(), "{user:?}: {status}");
        assert!(
            within(Duration::from_secs(1), || processes_marked(&marker)
                .is_empty()),
            "{user:?}: left behind: {:?}",
            processes_marked(&marker)
        );
        // Without one, it outlives the program (the documented limit).
        let status = shell(&script, user)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .status_in(&DEV_ONLY)
            .unwrap();
        assert!(status.success(), "{user:?}: {status}");
        assert!(
            within(Duration::from_secs(5), || processes_marked(&marker).len()
                == 1),
            "{user:?}: {:?}",
            processes_marked(&marker)
        );
        let _ = Command::new("pkill")
            .args(["-KILL", "-f", &marker])
            .status();
    }
}

#[test]
fn output_in_returns_when_the_program_ends() {
    for user in USERS {
        let marker = marker(user, "output");
        let started = Instant::now();
        // The background sleep keeps stdout open, but ends with the namespace.
        let script = format!("sleep {marker} & sleep 0.1; kill -0 $! && echo out");
        let output = shell(&script, user).output_in(&PID_DEV).unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(output.stdout, b"out\n", "{user:?}: {output:?}");
        assert!(output.status.success(), "{user:?}: {output:?}");
        assert!(processes_marked(&marker).is_empty(), "{user:?}");
    }
}

/// Python that tries `kill(pid, 0)` and `ptrace(PTRACE_ATTACH, pid)` on a host
/// process and prints each result: 0, or the errno.
const REACH: &str = "
import ctypes, os, sys
pid = int(sys.argv[1])
try:
    os.kill(pid, 0)
    print('kill', 0)
except OSError as error:
    print('kill', error.errno)
libc = ctypes.CDLL(None, use_errno=True)
attached = libc.ptrace(16, pid, None, None)
print('ptrace', 0 if attached == 0 else ctypes.get_errno())
if attached == 0:
    os.waitpid(pid, 0)
    libc.ptrace(17, pid, None, None)
";

fn reach(ns: &'static Namespace, target: u32, user: User) -> String {
    let mut command = Command::new("/usr/bin/python3");
    command.args(["-c", REACH, &target.to_string()]);
    let output = as_user(&mut command, user).output_in(ns).unwrap();
    assert!(output.status.success(), "{user:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn host_processes_are_out_of_reach() {
    for user in USERS {
        // A host process of the same user, which the program could signal and trace
        // without a pid namespace.
        let mut target = Command::new("sleep");
        target.arg("30");
        let mut target = as_user(&mut target, user).spawn().unwrap();
        // Without one, the program may signal it, but not trace it: root inside holds
        // no capability (the kernel refuses a tracer without a superset of the
        // tracee's), uid 65534 in a user namespace of its own nothing outside it.
        assert_eq!(
            reach(&BASE, target.id(), user),
            "kill 0\nptrace 1\n",
            "{user:?}"
        );
        assert_eq!(
            reach(&PID, target.id(), user),
            "kill 3\nptrace 3\n",
            "{user:?}"
        );
        target.kill().unwrap();
        target.wait().unwrap();
    }
}

#[test]
fn the_program_is_pid_2_under_an_init_of_its_own() {
    for user in USERS {
        let output = shell("echo $$ $PPID", user).output_in(&PID).unwrap();
        assert_eq!(output.stdout, b"2 1\n", "{user:?}: {output:?}");
    }
}

#[test]
fn a_fresh_proc_shows_only_the_namespaces_processes() {
    for user in USERS {
        // sh, pid 2 under init, lists /proc without starting another process.
        let script = "echo $$; for pid in /proc/[0-9]*; do echo ${pid#/proc/}; done";
        let output = shell(script, user).output_in(&SANDBOX).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "2\n1\n2\n",
            "{user:?}: {output:?}"
        );
    }
}

#[test]
fn namespace_as_switches_ids_in_the_programs_process() {
    if !root_or_skip("namespace_as switches to uid 65534, which needs root") {
        return;
    }
    let output = Command::new("/bin/sh")
        .args(["-c", "echo $$ $(id -u) $(id -g)"])
        .output_in_as(&PID, mountns::Ids::new(65534, 65534))
        .unwrap();
    assert_eq!(output.stdout, b"2 65534 65534\n", "{output:?}");
}

#[test]
fn namespace_enter_refuses_a_pid_table_and_names_what_works() {
    // Refused before anything happens, so this test process may ask.
    let error = PID.enter().unwrap_err();
    assert_eq!(error.step(), Step::PidNamespace);
    assert_eq!(error.errno(), 22);
    let message = error.to_string();
    for route in [
        "CommandExt::namespace",
        "status_in",
        "Namespace::exec",
        "launcher!",
    ] {
        assert!(message.contains(route), "{message}");
    }
    // As root, for the same reason; without root, because switching ids needs it.
    let error = PID.enter_as(&mountns::Ids::new(65534, 65534)).unwrap_err();
    let step = if is_root() {
        Step::PidNamespace
    } else {
        Step::Ids
    };
    assert_eq!(error.step(), step);
}

/// Python that opens a TCP server on the namespace's 127.0.0.1 and connects to it,
/// then connects to `port` of 127.0.0.1, and lists the network interfaces.
const NETWORK: &str = "
import socket, sys
server = socket.socket()
server.bind(('127.0.0.1', 0))
server.listen()
socket.create_connection(server.getsockname(), timeout=5).close()
print('own', 'ok')
try:
    socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=5).close()
    print('host', 'ok')
except OSError as error:
    print('host', error.errno)
print(*[name for _, name in socket.if_nameindex()])
";

#[test]
fn a_network_namespace_has_only_lo_up_and_not_the_hosts_loopback() {
    let host = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = host.local_addr().unwrap().port().to_string();
    for user in USERS {
        let run = |ns: &'static Namespace| {
            let mut command = Command::new("/usr/bin/python3");
            command.args(["-c", NETWORK, &port]);
            let output = as_user(&mut command, user).output_in(ns).unwrap();
            assert!(output.status.success(), "{user:?}: {output:?}");
            String::from_utf8(output.stdout).unwrap()
        };
        // Without one, the host's 127.0.0.1 answers.
        assert!(run(&BASE).starts_with("own ok\nhost ok\n"), "{user:?}");
        // ECONNREFUSED: nothing listens on the namespace's own lo.
        assert_eq!(run(&NET), "own ok\nhost 111\nlo\n", "{user:?}");
    }
}

/// The child of `root_without_cap_sys_admin_makes_the_sandbox_in_a_user_namespace`:
/// without `CAP_SYS_ADMIN`, enters the sandbox and prints its uid map and interfaces.
fn sandbox_without_sys_admin() {
    let status = fs::read_to_string("/proc/self/status").unwrap();
    let effective = status
        .lines()
        .find_map(|line| line.strip_prefix("CapEff:"))
        .map(|hex| u64::from_str_radix(hex.trim(), 16).unwrap())
        .unwrap();
    assert_eq!(effective & 1 << 21, 0, "CAP_SYS_ADMIN is still effective");
    for (name, ns) in [("sandbox", &SANDBOX), ("net_session", &NET_SESSION)] {
        let mut command = Command::new("/bin/sh");
        command.args([
            "-c",
            "cat /proc/self/uid_map; tail -n +3 /proc/net/dev | cut -d: -f1",
        ]);
        let output = command.output_in(ns).unwrap();
        assert!(output.status.success(), "{name}: {output:?}");
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            println!(
                "{name}: {}",
                line.split_whitespace().collect::<Vec<_>>().join(" ")
            );
        }
    }
}

#[test]
fn root_without_cap_sys_admin_makes_the_sandbox_in_a_user_namespace() {
    const TEST: &str = "root_without_cap_sys_admin_makes_the_sandbox_in_a_user_namespace";
    if role().as_deref() == Some("sandbox") {
        return sandbox_without_sys_admin();
    }
    if !root_or_skip("it drops CAP_SYS_ADMIN from root") {
        return;
    }
    // Root in a container: a network namespace, with or without a pid namespace (with
    // one, pid 1 makes its mount namespace after the fork), is refused, and made inside
    // a user namespace instead, root mapped to root alone.
    let original = rerun(this_binary(), TEST, "sandbox");
    let mut command = Command::new("setpriv");
    command
        .arg("--bounding-set=-sys_admin")
        .arg(original.get_program())
        .args(original.get_args());
    for (key, value) in original.get_envs() {
        if let Some(value) = value {
            command.env(key, value);
        }
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    for name in ["sandbox", "net_session"] {
        for line in [format!("{name}: 0 0 1"), format!("{name}: lo")] {
            assert!(
                stdout.lines().any(|found| found == line),
                "{line} in {stdout}"
            );
        }
    }
}

#[test]
fn other_namespaces_are_new_and_the_host_name_is_the_tables() {
    let host_name = fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let kinds = ["ipc", "uts", "net", "cgroup"];
    let script = kinds
        .map(|kind| format!("readlink /proc/self/ns/{kind}; "))
        .concat();
    for user in USERS {
        let output = shell(&format!("{script} uname -n"), user)
            .output_in(&OTHERS)
            .unwrap();
        assert!(output.status.success(), "{user:?}: {output:?}");
        let stdout = String::from_utf8(output.stdout).unwrap();
        let lines: Vec<&str> = stdout.lines().collect();
        for (kind, inside) in kinds.iter().zip(&lines) {
            let host = fs::read_link(format!("/proc/self/ns/{kind}")).unwrap();
            assert!(inside.starts_with(kind), "{user:?}: {stdout}");
            assert_ne!(*inside, host.to_str().unwrap(), "{user:?}: {kind}");
        }
        assert_eq!(lines.last(), Some(&"box"), "{user:?}: {stdout}");
    }
    assert_eq!(
        fs::read_to_string("/proc/sys/kernel/hostname").unwrap(),
        host_name
    );
}

/// Python that says whether it leads a session of its own.
const SESSION: &str = "import os; print(os.getsid(0) == os.getpid())";

#[test]
fn new_session_makes_the_program_lead_a_session() {
    for user in USERS {
        for (ns, expected) in [
            (&BASE, "False\n"),
            (&PID, "False\n"),
            (&SESSION_PID, "True\n"),
            (&SESSION_ONLY, "True\n"),
        ] {
            let mut command = Command::new("/usr/bin/python3");
            command.args(["-c", SESSION]);
            let output = as_user(&mut command, user).output_in(ns).unwrap();
            assert_eq!(
                String::from_utf8_lossy(&output.stdout),
                expected,
                "{user:?}: {ns}"
            );
        }
    }
}

#[test]
fn a_program_missing_inside_is_named() {
    for user in USERS {
        let mut command = Command::new("/no/such/program");
        let error = as_user(&mut command, user).status_in(&PID).unwrap_err();
        assert_eq!(
            error.to_string(),
            "mountns: exec \"/no/such/program\": No such file or directory (os error 2)",
            "{user:?}"
        );
        let mut command = Command::new("/no/such/program");
        let error = as_user(&mut command, user)
            .namespace(&PID)
            .status()
            .unwrap_err();
        assert_eq!(error.raw_os_error(), Some(2), "{user:?}: {error}");
    }
}

#[test]
fn an_error_of_pid_1_reaches_the_caller_whole() {
    for user in USERS {
        let error = shell("true", user).status_in(&MISSING_SOURCE).unwrap_err();
        assert_eq!(
            error.to_string(),
            "mountns: bind \"/tmp/mountns-processes/no-such-source\" on \"/data\": open \
             source: No such file or directory (os error 2)",
            "{user:?}"
        );
        let inner = error
            .get_ref()
            .and_then(|e| e.downcast_ref::<mountns::Error>());
        assert_eq!(inner.map(mountns::Error::step), Some(Step::Source));
        // std's route: the errno, and the message on the child's stderr.
        let output = shell("true", user)
            .stderr(Stdio::piped())
            .namespace(&MISSING_SOURCE)
            .output();
        let error = output.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::NotFound, "{user:?}: {error}");
    }
}

/// The descriptors `pid` holds, as the host sees them.
fn fds_of(pid: u32) -> Vec<String> {
    fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect()
}

#[test]
fn nothing_of_the_caller_or_of_entering_is_left_open() {
    // What the caller passes on purpose (no O_CLOEXEC) reaches the program; nothing
    // else does, and neither the caller's process (C) nor pid 1 (I) keeps any: a reader
    // of one of the caller's pipes would wait for them.
    let passed = fs::File::open("/dev/null").unwrap();
    rustix::io::fcntl_setfd(&passed, rustix::io::FdFlags::empty()).unwrap();
    let script = "echo ready; cd /proc/self/fd && echo *; \
                  grep -E ' /(data|oldroot|newroot|stage) ' /proc/self/mountinfo; \
                  grep ' /etc/box ' /proc/self/mountinfo | cut -d' ' -f4; cat >/dev/null";
    for user in USERS {
        let mut child = shell(script, user)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn_in(&SANDBOX)
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        assert_eq!(lines.next().unwrap().unwrap(), "ready", "{user:?}");
        // What this process passes (`passed` and what its own parent passed), 0 to 2,
        // and sh's descriptor on the directory it lists.
        let inside: BTreeSet<u32> = lines
            .next()
            .unwrap()
            .unwrap()
            .split(' ')
            .map(|fd| fd.parse().unwrap())
            .collect();
        let mut expected = inherited_fds();
        assert!(expected.contains(&passed.as_raw_fd().cast_unsigned()));
        expected.extend([0, 1, 2]);
        let extra: Vec<u32> = inside.difference(&expected).copied().collect();
        assert_eq!(extra.len(), 1, "{user:?}: {inside:?}, passed {expected:?}");
        assert!(inside.is_superset(&expected), "{user:?}: {inside:?}");
        // The data tmpfs and the scratch names never show, only the one file bound.
        let file_root = lines.next().unwrap().unwrap();
        assert!(
            file_root.starts_with('/') && file_root.len() > 1,
            "{user:?}: {file_root}"
        );
        let init = fs::read_to_string(format!("/proc/{0}/task/{0}/children", child.id())).unwrap();
        let init: u32 = init.trim().parse().unwrap();
        // Neither the caller's process nor pid 1 is dumpable: only root may list their
        // descriptors.
        let pids = if root_or_skip("the descriptors of C and pid 1, which only root may list") {
            vec![child.id(), init]
        } else {
            vec![]
        };
        // The caller's process and pid 1 keep one descriptor each of their own: the
        // ends of the pipe pid 1 reports the program's end on, which nothing else holds.
        let ours = |pid: u32| {
            let mut held = fds_of(pid);
            if held.len() == 1 {
                let link = fs::read_link(format!("/proc/{pid}/fd/{}", held[0])).unwrap();
                let link = link.to_string_lossy().into_owned();
                let mine = fds_of(std::process::id())
                    .into_iter()
                    .filter_map(|fd| fs::read_link(format!("/proc/self/fd/{fd}")).ok());
                if link.starts_with("pipe:")
                    && mine
                        .into_iter()
                        .all(|other| other.to_string_lossy() != link)
                {
                    held.clear();
                }
            }
            held
        };
        for pid in pids {
            assert!(
                within(Duration::from_secs(1), || ours(pid).is_empty()),
                "{user:?}: {pid} holds {:?}",
                fds_of(pid)
            );
        }
        drop(child.stdin.take());
        assert!(child.wait().unwrap().success(), "{user:?}");
    }
}

/// Python that tries pid 1's memory, environment, directories (a fork of the
/// caller: its memory and environment are a copy of the caller's): 0 for each it can
/// read, else the errno.
const PEEK: &str = "
import os
for name, peek in [
    ('mem', lambda: open('/proc/1/mem', 'rb')),
    ('environ', lambda: open('/proc/1/environ', 'rb').read(1)),
    ('cwd', lambda: os.readlink('/proc/1/cwd')),
    ('root', lambda: os.readlink('/proc/1/root')),
]:
    try:
        peek()
        print(name, 0)
    except OSError as error:
        print(name, error.errno)
";

#[test]
fn pid_1_shows_nothing_of_the_caller() {
    let peek = || {
        let mut command = Command::new("/usr/bin/python3");
        command.args(["-c", PEEK]);
        command
    };
    let refused = "mem 13\nenviron 13\ncwd 13\nroot 13\n";
    // Pid 1 keeps no capability once the program runs, and is not dumpable: the
    // program, as the same user, cannot trace it (the kernel wants CAP_SYS_PTRACE over
    // the caller's memory).
    for user in USERS {
        let output = as_user(&mut peek(), user).output_in(&SANDBOX).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            refused,
            "{user:?}: {output:?}"
        );
    }
    // namespace_as: pid 1 takes the program's ids too.
    if !root_or_skip("namespace_as, which switches to uid 65534") {
        return;
    }
    let output = peek()
        .output_in_as(&SANDBOX, mountns::Ids::new(65534, 65534))
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        refused,
        "{output:?}"
    );
}

#[test]
fn pid_1_reaps_orphans() {
    // An orphan comes to pid 1, which reaps it once it ends: no zombie is left.
    let script = "(exec sleep 1 &); sleep 0.2; \
                  for stat in /proc/[0-9]*/stat; do read -r line < $stat; \
                  case $line in *'(sleep) S 1 '*) echo orphan;; esac; done; \
                  sleep 1.5; cat /proc/[0-9]*/stat | grep -c ') Z '";
    for user in USERS {
        let output = shell(script, user).output_in(&SANDBOX).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "orphan\n0\n",
            "{user:?}: {output:?}"
        );
    }
}

/// Python that connects to the abstract unix socket named `argv[1]`: `ok`, else the
/// errno.
const ABSTRACT: &str = "
import socket, sys
try:
    socket.socket(socket.AF_UNIX).connect('\\0' + sys.argv[1])
    print('ok')
except OSError as error:
    print(error.errno)
";

#[test]
fn the_hosts_abstract_sockets_are_out_of_reach_with_a_network_namespace() {
    let name = format!("mountns-processes-{}", std::process::id());
    let address = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
    let _host = UnixListener::bind_addr(&address).unwrap();
    for user in USERS {
        let run = |ns: &'static Namespace| {
            let mut command = Command::new("/usr/bin/python3");
            command.args(["-c", ABSTRACT, &name]);
            let output = as_user(&mut command, user).output_in(ns).unwrap();
            String::from_utf8(output.stdout).unwrap()
        };
        // Abstract names belong to the network namespace, and have no permissions.
        assert_eq!(run(&BASE), "ok\n", "{user:?}");
        // ECONNREFUSED: nothing has that name in the new one.
        assert_eq!(run(&NET), "111\n", "{user:?}");
    }
}

#[test]
fn only_a_new_session_keeps_kill_0_from_the_callers_process_group() {
    // The program stays in the caller's process group (so that a shell's job control
    // works), and `kill(0)` reaches that group whatever the pid namespace: here a host
    // process of the same user in it. A new session gives the program a group of its
    // own (SECURITY.md).
    for user in USERS {
        for (ns, survives) in [(&PID, false), (&SESSION_PID, true)] {
            let mut victim = Command::new("sleep");
            victim.arg("30").process_group(0);
            let mut victim = as_user(&mut victim, user).spawn().unwrap();
            let group = victim.id().try_into().unwrap();
            let status = shell("kill -KILL 0", user)
                .process_group(group)
                .status_in(ns)
                .unwrap();
            assert_eq!(status.signal(), Some(9), "{user:?} {ns}");
            let killed = within(Duration::from_millis(300), || {
                victim.try_wait().unwrap().is_some()
            });
            assert_eq!(killed, !survives, "{user:?} {ns}");
            let _ = victim.kill();
            victim.wait().unwrap();
        }
    }
}

#[test]
fn the_callers_process_stays_outside_and_returns_once_the_rest_is_killed() {
    for user in USERS {
        let marker = marker(user, "returns");
        let script = format!("(sleep {marker} &) ; echo ready; read line; exit 0");
        let mut child = shell(&script, user)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn_in(&PID_DEV)
            .unwrap();
        let mut ready = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut ready)
            .unwrap();
        assert_eq!(ready, "ready\n", "{user:?}");
        assert!(
            within(Duration::from_secs(5), || !processes_marked(&marker)
                .is_empty()),
            "{user:?}: no leftover"
        );
        // The caller's process is in none of the sandbox's namespaces: its end tears
        // none down. Pid 1 (its child) is in all of them.
        if root_or_skip("other processes' namespaces") {
            let init =
                fs::read_to_string(format!("/proc/{0}/task/{0}/children", child.id())).unwrap();
            let init: u32 = init.trim().parse().unwrap();
            let ns =
                |pid: &str, name: &str| fs::read_link(format!("/proc/{pid}/ns/{name}")).unwrap();
            for name in [
                "mnt",
                "pid",
                "pid_for_children",
                "user",
                "net",
                "ipc",
                "uts",
            ] {
                assert_eq!(
                    ns(&child.id().to_string(), name),
                    ns("self", name),
                    "{user:?}: {name}"
                );
            }
            for name in ["mnt", "pid"] {
                assert_ne!(
                    ns(&init.to_string(), name),
                    ns("self", name),
                    "{user:?}: {name}"
                );
            }
        }
        drop(child.stdin.take());
        assert!(child.wait().unwrap().success(), "{user:?}");
        // Once the caller has the status, what the program left is gone, and what it
        // held is free (the namespace's mounts may still be going).
        assert!(
            processes_marked(&marker).is_empty(),
            "{user:?}: left behind"
        );
    }
}

namespace! {
    /// A pid namespace whose program keeps the capabilities to switch ids.
    static PID_DEV_SETUID = {
        include PID_DEV;
        caps [setuid, setgid];
    };
}

#[test]
fn leftovers_of_another_uid_are_gone_when_the_caller_has_the_status() {
    // Holding no capability, pid 1 cannot kill a process of another uid, which a
    // program keeping `setuid` can start: the caller then waits for pid 1's end, whose
    // kernel side kills every process of the namespace, whatever its uid.
    if !root_or_skip("a process of another uid, started by root keeping setuid") {
        return;
    }
    for run in 0..10 {
        let marker = format!("{}{run}", marker(User::Root, "other uid"));
        let script = format!(
            "(setpriv --reuid 1000 --regid 1000 --clear-groups sleep {marker} &) ; \
             sleep 0.1; exit 0"
        );
        let status = shell(&script, User::Root)
            .stdin(Stdio::null())
            .status_in(&PID_DEV_SETUID)
            .unwrap();
        assert!(status.success(), "run {run}: {status}");
        assert!(
            processes_marked(&marker).is_empty(),
            "run {run}: left behind: {:?}",
            processes_marked(&marker)
        );
    }
}

/// Python that finds the caller's stand-in (the parent of its own parent, pid 1's
/// stand-in of a new session) and tries `kill(pid, 0)` and `ptrace(PTRACE_ATTACH, pid)`
/// on it, printing each result: 0, or the errno.
const REACH_STAND_IN: &str = "
import os, sys
init = os.getppid()
with open(f'/proc/{init}/stat') as stat:
    pid = int(stat.read().rsplit(')', 1)[1].split()[1])
sys.argv = [sys.argv[0], str(pid)]
";

#[test]
fn the_stand_in_outside_is_out_of_the_programs_reach() {
    // Without a pid namespace the program can name the caller's stand-in, which stays
    // in the host's namespaces: traced, it would run code with the host's view of the
    // filesystem (as root, uid 0's files). It is not dumpable, so it cannot be.
    for user in USERS {
        let mut command = Command::new("/usr/bin/python3");
        command.args(["-c", &format!("{REACH_STAND_IN}{REACH}"), "0"]);
        let output = as_user(&mut command, user)
            .output_in(&SESSION_HOST_PROC)
            .unwrap();
        assert!(output.status.success(), "{user:?}: {output:?}");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "kill 0\nptrace 1\n",
            "{user:?}"
        );
    }
}

#[test]
fn killing_the_child_kills_the_program_when_root_switches_ids() {
    // Pid 1 takes the program's ids once it runs, and the kernel clears a process's
    // parent-death signal whenever its ids change: pid 1 must still die with the
    // caller's process, and the program with pid 1.
    if !root_or_skip("namespace_as switches ids, which only root can") {
        return;
    }
    let marker = marker(User::Root, "switched");
    let mut command = Command::new("/bin/sh");
    command
        .args([
            "-c",
            &format!("sleep {marker} & sleep {marker} & echo ready; wait"),
        ])
        .stdout(Stdio::piped());
    let mut child = command
        .spawn_in_as(&PID_DEV, mountns::Ids::new(65534, 65534))
        .unwrap();
    let mut ready = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut ready)
        .unwrap();
    assert_eq!(ready, "ready\n");
    assert!(
        within(Duration::from_secs(5), || processes_marked(&marker).len()
            == 3),
        "{:?}",
        processes_marked(&marker)
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        within(Duration::from_secs(1), || processes_marked(&marker)
            .is_empty()),
        "still running: {:?}",
        processes_marked(&marker)
    );
}

namespace! {
    /// A pid namespace with a host directory the program may write.
    static PID_LOCKS = {
        include PID_DEV;
        bind "/locks/" "/tmp/mountns-runtime/locks/";
    };
}

#[test]
fn what_leftovers_held_is_free_when_the_caller_has_the_status() {
    // A process the program leaves behind holds a lock on a host file; once the
    // caller has the status, the lock is free (the leftover is gone, not only killed).
    let dir = "/tmp/mountns-runtime/locks";
    fs::create_dir_all(dir).unwrap();
    fs::set_permissions(
        dir,
        <fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o777),
    )
    .unwrap();
    for user in USERS {
        for run in 0..30 {
            let _ = fs::remove_file(format!("{dir}/held"));
            let script = "flock /locks/lock sh -c ': > /locks/held; exec sleep 100' & \
                          while [ ! -e /locks/held ]; do :; done; exit 0";
            let status = shell(script, user)
                .stdin(Stdio::null())
                .status_in(&PID_LOCKS)
                .unwrap();
            assert!(status.success(), "{user:?}: run {run}: {status}");
            let free = Command::new("flock")
                .args(["-n", &format!("{dir}/lock"), "true"])
                .status()
                .unwrap();
            assert!(
                free.success(),
                "{user:?}: run {run}: the lock is still held"
            );
        }
    }
}
