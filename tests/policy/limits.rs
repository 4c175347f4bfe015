//! `limit [..];` and `timeout(N);`, for real in children, as root and as uid 65534:
//! each limit holds in the program (soft and hard), the caller keeps its own, and a
//! time limit ends the program and everything it started with a status of its own.

use std::fs;
use std::os::unix::process::{CommandExt as _, ExitStatusExt as _};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use mountns::{CommandExt as _, Ids, Namespace, namespace};
use mountns_support::{BASE, USERS, User, as_user, root_or_skip, shell};

namespace! {
    static FILES = {
        include BASE;
        limit [nofile(16)];
    };

    /// Includes compose: the tighter limit wins (16), whichever statement gives it.
    static FILES_INCLUDED = {
        include FILES;
        unshare [pid];
        limit [nofile(64), fsize("1M")];
    };

    static MEMORY = {
        include BASE;
        limit [as("64M")];
    };

    static CPU = {
        include BASE;
        unshare [pid];
        limit [cpu(1), core(0)];
    };

    static PROCESSES = {
        include BASE;
        unshare [pid];
        limit [nproc(8)];
    };

    static TIMEOUT = {
        include BASE;
        timeout(1);
    };

    static LONG_TIMEOUT = {
        include BASE;
        timeout(30);
    };
}

/// Runs `python3 -c script` in `ns` as `user`: its stdout, and its status.
fn python(ns: &'static Namespace, script: &str, user: User) -> (String, ExitStatus) {
    let mut command = Command::new("/usr/bin/python3");
    command.arg("-c").arg(script).stderr(Stdio::inherit());
    let output = as_user(&mut command, user).output_in(ns).unwrap();
    (String::from_utf8(output.stdout).unwrap(), output.status)
}

/// Python that prints the soft and hard limit `argv[1]` (`RLIMIT_NOFILE`...), then
/// opens `/` until it fails: the highest descriptor it got, and the errno's name.
const OPEN_ALL: &str = r#"
import errno, os, resource
print(*resource.getrlimit(resource.RLIMIT_NOFILE))
fds = []
try:
    while True:
        fds.append(os.open("/", os.O_RDONLY))
except OSError as error:
    print(max(fds), errno.errorcode[error.errno])
"#;

#[test]
fn nofile_makes_the_17th_descriptor_fail() {
    let before = rustix::process::getrlimit(rustix::process::Resource::Nofile);
    for user in USERS {
        for ns in [&FILES, &FILES_INCLUDED] {
            let (stdout, status) = python(ns, OPEN_ALL, user);
            // 0 to 15 open: the 17th fails.
            assert_eq!(stdout, "16 16\n15 EMFILE\n", "{user:?} in {ns}");
            assert!(status.success(), "{user:?} in {ns}: {status}");
        }
    }
    // The caller's own limit is untouched.
    let after = rustix::process::getrlimit(rustix::process::Resource::Nofile);
    assert_eq!(
        (before.current, before.maximum),
        (after.current, after.maximum)
    );
}

#[test]
fn as_makes_a_large_allocation_fail() {
    let script = r#"
import resource
print(*resource.getrlimit(resource.RLIMIT_AS))
try:
    block = bytearray(256 << 20)
    print("allocated")
except MemoryError:
    print("MemoryError")
"#;
    for user in USERS {
        let (stdout, status) = python(&MEMORY, script, user);
        assert_eq!(stdout, "67108864 67108864\nMemoryError\n", "{user:?}");
        assert!(status.success(), "{user:?}: {status}");
        // The control: without the limit, the same allocation works.
        let (stdout, _) = python(&BASE, script, user);
        assert!(stdout.ends_with("allocated\n"), "{user:?}: {stdout}");
    }
}

/// Held by the tests that measure time, and by the one that keeps a processor busy.
static TIMING: Mutex<()> = Mutex::new(());

#[test]
fn cpu_ends_a_busy_loop() {
    let _timing = TIMING.lock().unwrap_or_else(PoisonError::into_inner);
    for user in USERS {
        let started = Instant::now();
        let status = shell("while :; do :; done", user).status_in(&CPU).unwrap();
        // At the limit (soft and hard alike) the kernel sends SIGXCPU, or SIGKILL.
        assert!(
            matches!(status.signal(), Some(24 | 9)),
            "{user:?}: {status}"
        );
        assert!(!status.core_dumped(), "{user:?}: {status}");
        assert!(started.elapsed() < Duration::from_secs(10), "{user:?}");
    }
}

/// Python that forks children (each waits for a signal) until a fork fails: how many
/// it made and the errno's name; then ends them.
const FORK_ALL: &str = r#"
import errno, os, resource, signal
children = []
try:
    while len(children) < 100:
        pid = os.fork()
        if pid == 0:
            signal.pause()
            os._exit(0)
        children.append(pid)
    print(len(children), "none")
except OSError as error:
    print(len(children), errno.errorcode[error.errno])
for pid in children:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
"#;

#[test]
fn nproc_stops_a_fork_loop_and_leaves_the_callers_processes_alone() {
    if !root_or_skip("it runs processes as uid 65533, which only root can") {
        return;
    }
    // Three processes of a uid that no other test uses (the count is the uid's across
    // the host), outside the sandbox, one a shell that forks once told to.
    const UID: u32 = 65533;
    let mut outside: Vec<_> = (0..2)
        .map(|_| {
            Command::new("sleep")
                .arg("30")
                .uid(UID)
                .gid(UID)
                .spawn()
                .unwrap()
        })
        .collect();
    let mut shell = Command::new("/bin/sh");
    let mut shell = shell
        .args(["-c", "read line && sleep 0 && echo forked"])
        .uid(UID)
        .gid(UID)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    for user in USERS {
        let mut command = Command::new("/usr/bin/python3");
        command.arg("-c").arg(FORK_ALL);
        let (output, expected) = match user {
            // A root launcher that runs the program as another uid: RLIMIT_NPROC
            // counts every process of that uid on the host, the three outside
            // included, and the caller's stand-in and pid 1, which take the program's
            // uid once it runs: the program (the 6th) makes 2 more.
            User::Root => (
                command.output_in_as(&PROCESSES, Ids::new(UID, UID)),
                "2 EAGAIN\n",
            ),
            // Through a user namespace, the uid's processes in that namespace: pid 1,
            // the program, and 6 more (the caller's stand-in stays outside it).
            User::Nobody => (
                as_user(&mut command, user).output_in(&PROCESSES),
                "6 EAGAIN\n",
            ),
        };
        let output = output.unwrap();
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            expected,
            "{user:?}: {output:?}"
        );
        assert!(output.status.success(), "{user:?}: {output:?}");
    }
    // Root's own ids ignore RLIMIT_NPROC: the loop stops at its own bound.
    let mut command = Command::new("/usr/bin/python3");
    let output = command
        .arg("-c")
        .arg(FORK_ALL)
        .output_in(&PROCESSES)
        .unwrap();
    assert_eq!(output.stdout, b"100 none\n", "{output:?}");
    // The processes outside were not touched, and fork as they did.
    for sleeper in &mut outside {
        assert!(sleeper.try_wait().unwrap().is_none());
    }
    use std::io::Write as _;
    shell.stdin.take().unwrap().write_all(b"go\n").unwrap();
    let output = shell.wait_with_output().unwrap();
    assert_eq!(output.stdout, b"forked\n", "{output:?}");
    for mut sleeper in outside {
        sleeper.kill().unwrap();
        sleeper.wait().unwrap();
    }
}

/// Whether a process runs `sleep ARG`.
fn sleeping(arg: &str) -> bool {
    fs::read_dir("/proc").unwrap().flatten().any(|entry| {
        fs::read(entry.path().join("cmdline"))
            .is_ok_and(|cmdline| cmdline == format!("sleep\0{arg}\0").as_bytes())
    })
}

/// The ways to run a command in a namespace and get its status.
const ROUTES: [&str; 4] = ["status_in", "spawn_in", "output_in", "namespace"];

fn run(route: &str, command: &mut Command, ns: &'static Namespace) -> ExitStatus {
    match route {
        "status_in" => command.status_in(ns),
        "spawn_in" => command.spawn_in(ns).and_then(|mut child| child.wait()),
        "output_in" => command.output_in(ns).map(|output| output.status),
        _ => command.namespace(ns).status(),
    }
    .unwrap_or_else(|error| panic!("{route}: {error}"))
}

#[test]
fn a_timeout_ends_the_program_and_everything_it_started() {
    let _timing = TIMING.lock().unwrap_or_else(PoisonError::into_inner);
    for user in USERS {
        for (n, route) in ROUTES.into_iter().enumerate() {
            let marker = format!("100.{}{n}{}", std::process::id(), user as u8);
            let script = format!("sleep {marker} & sleep {marker}");
            let started = Instant::now();
            let status = run(route, &mut shell(&script, user), &TIMEOUT);
            let took = started.elapsed();
            assert_eq!(
                status.code(),
                Some(mountns::TIMED_OUT),
                "{user:?} {route}: {status}"
            );
            assert!(TIMEOUT.timed_out(status), "{user:?} {route}: {status}");
            assert!(took >= Duration::from_secs(1), "{user:?} {route}: {took:?}");
            assert!(
                took < Duration::from_millis(1500),
                "{user:?} {route}: {took:?}"
            );
            assert!(!sleeping(&marker), "{user:?} {route}: a sleep is left");
        }
    }
}

#[test]
fn a_program_that_ends_in_time_or_is_killed_did_not_time_out() {
    for user in USERS {
        for route in ROUTES {
            let status = run(route, &mut shell("exit 7", user), &LONG_TIMEOUT);
            assert_eq!(status.code(), Some(7), "{user:?} {route}: {status}");
            assert!(!LONG_TIMEOUT.timed_out(status), "{user:?} {route}");
            // SIGKILL from elsewhere is the signal's status, not the time limit's.
            let status = run(route, &mut shell("kill -KILL $$", user), &LONG_TIMEOUT);
            assert_eq!(status.signal(), Some(9), "{user:?} {route}: {status}");
            assert!(!LONG_TIMEOUT.timed_out(status), "{user:?} {route}");
        }
    }
}
