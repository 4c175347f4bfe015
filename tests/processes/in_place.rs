//! `Namespace::exec` (with and without a pid namespace) and entering from a
//! multithreaded process: both need a process of their own, so this test has its own
//! `main()` (no harness, no test threads) and runs itself as a child in a role
//! (`ROLE`).

use std::env;
use std::fs;
use std::io::{BufRead as _, BufReader};
use std::os::unix::process::ExitStatusExt as _;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use mountns::namespace;
use mountns_runtime::Step;
use mountns_support::{
    BASE, Fixture, ROLE, Run, USERS, User, as_user, kill, processes_marked, role, run_tests,
    this_binary, within,
};

/// The script that the `exec-pid` role runs.
const SCRIPT: &str = "MOUNTNS_TEST_SCRIPT";

namespace! {
    static USR_ONLY = {
        bind ro "/usr/";
    };

    static SESSION = {
        bind ro "/usr/";
        new_session;
    };

    static EXEC = {
        include BASE;
        bind "/opt/data/" "/tmp/mountns-runtime/exec/data/";
    };

    /// A fresh /proc, and so a pid namespace.
    static CAPS_PID = {
        include BASE;
        proc "/proc/";
    };

    /// The host's /proc, without a pid namespace: `enter` takes it.
    static CAPS_HERE = {
        include BASE;
        bind "/proc/";
    };

    /// A syscall policy, with and without a pid namespace.
    static POLICY = {
        include BASE;
        syscalls deny [mount, keyctl];
        syscalls errno(ENOTRECOVERABLE);
        no_userns;
    };

    static POLICY_PID = {
        include POLICY;
        unshare [pid];
    };

    /// A pid namespace, and a /dev for a shell's background jobs (their stdin
    /// is /dev/null).
    static EXEC_PID = {
        include BASE;
        dev "/dev/";
        unshare [pid];
    };

    /// Landlock, a limit and a time limit.
    static EXEC_POLICY = {
        include BASE;
        proc "/proc/";
        landlock;
        limit [nofile(16)];
        timeout(1);
    };

    /// Where and with what the program starts.
    static EXEC_START = {
        include BASE;
        chdir "/usr/share";
        env clear;
        env "PATH" "/usr/bin:/bin";
        env "GREETING" "hello world";
    };

    /// A source that is not there.
    static EXEC_MISSING_SOURCE = {
        bind "/data/" "/tmp/mountns-runtime/exec/missing-for-exec";
    };
}

fn main() {
    match role().as_deref() {
        Some("threaded") => threaded(),
        Some("exec") => exec(false),
        Some("exec-missing") => exec(true),
        Some("exec-pid") => exec_pid(),
        Some("exec-pid-thread") => exec_pid_from_a_thread(),
        Some("exec-landlock") => exec_landlock(),
        Some("session-leader") => session_leader(),
        Some("caps-exec") => caps_exec(),
        Some("caps-enter") => caps_enter(),
        Some("exec-policy") => exec_policy(false),
        Some("exec-policy-pid") => exec_policy(true),
        Some("exec-start") => {
            let error = EXEC_START.exec(&["sh", "-c", "pwd; env | sort"]);
            println!("{error}");
            std::process::exit(3);
        }
        Some("exec-missing-source") => exec_missing_source(),
        _ => {
            let tests = [
                (
                    "exec_runs_the_program_inside",
                    exec_runs_the_program_inside as fn(),
                ),
                (
                    "exec_reports_a_missing_program",
                    exec_reports_a_missing_program,
                ),
                (
                    "multithreaded_enter_is_an_error",
                    multithreaded_enter_is_an_error,
                ),
                (
                    "a_group_leader_cannot_enter_a_new_session_in_place",
                    a_group_leader_cannot_enter_a_new_session_in_place,
                ),
                (
                    "exec_with_a_pid_namespace_ends_as_the_program",
                    exec_with_a_pid_namespace_ends_as_the_program,
                ),
                (
                    "exec_with_a_pid_namespace_passes_signals_on",
                    exec_with_a_pid_namespace_passes_signals_on,
                ),
                (
                    "exec_from_a_second_thread_ends_as_the_program",
                    exec_from_a_second_thread_ends_as_the_program,
                ),
                (
                    "killing_the_exec_process_kills_the_program_and_its_children",
                    killing_the_exec_process_kills_the_program_and_its_children,
                ),
                (
                    "exec_and_enter_leave_no_capability",
                    exec_and_enter_leave_no_capability,
                ),
                (
                    "exec_installs_the_syscall_policy",
                    exec_installs_the_syscall_policy,
                ),
                (
                    "exec_applies_landlock_the_limits_and_the_time_limit",
                    exec_applies_landlock_the_limits_and_the_time_limit,
                ),
                (
                    "exec_starts_the_program_where_and_with_what_the_table_says",
                    exec_starts_the_program_where_and_with_what_the_table_says,
                ),
                ("exec_errors_carry_the_entry", exec_errors_carry_the_entry),
            ];
            run_tests(&tests);
        }
    }
}

/// Child: enters a static table with a second thread running.
fn threaded() {
    let _sleeper = thread::spawn(|| thread::sleep(Duration::from_mins(1)));
    match USR_ONLY.enter() {
        Ok(()) => println!("entered"),
        Err(error) => {
            assert_eq!(error.step(), Step::UserNamespace);
            assert_eq!(error.target(), None);
            println!("{error}\nerrno={}", error.errno());
        }
    }
    std::process::exit(0);
}

/// Child: execs `sh` (found through PATH inside) or a missing program.
fn exec(missing: bool) {
    let error = if missing {
        EXEC.exec(&["mountns-no-such-program"])
    } else {
        EXEC.exec(&["sh", "-c", "cat /opt/data/a.txt; echo $0 $1", "zero", "one"])
    };
    println!("{error}");
    assert_eq!(error.step(), Step::Exec);
    std::process::exit(3);
}

/// `Namespace::exec` gives the program the table's directory (`chdir`) and
/// environment (`env clear;`, `env "NAME" "value";`).
fn exec_starts_the_program_where_and_with_what_the_table_says() {
    for user in USERS {
        let mut command = Command::new(this_binary());
        command.env(ROLE, "exec-start").env("FROM_THE_CALLER", "1");
        let output = as_user(&mut command, user).output().unwrap();
        assert!(output.status.success(), "{user:?}: {output:?}");
        // sh adds PWD; the rest is the table's.
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "/usr/share\nGREETING=hello world\nPATH=/usr/bin:/bin\nPWD=/usr/share\n",
            "{user:?}"
        );
    }
}

/// Child: `exec` returns the whole error, in the process that called it.
fn exec_missing_source() {
    let error = EXEC_MISSING_SOURCE.exec(&["/bin/true"]);
    println!("{error}");
    assert_eq!(error.errno(), 2);
    assert_eq!(
        error.source(),
        Some(c"/tmp/mountns-runtime/exec/missing-for-exec")
    );
    assert_eq!(error.target(), Some(c"/data"));
    std::process::exit(0);
}

fn exec_errors_carry_the_entry() {
    for user in USERS {
        let run = child("exec-missing-source", user);
        assert_eq!(run.code, Some(0), "{user:?}: {run:#?}");
        assert_eq!(
            run.stdout,
            "mountns: bind \"/tmp/mountns-runtime/exec/missing-for-exec\" on \"/data\": open \
             source: No such file or directory (os error 2)\n",
            "{user:?}"
        );
    }
}

/// What `exec_policy` runs: `mount` and `keyctl` (their errnos), then `unshare -U`.
const POLICY_SCRIPT: &str = "python3 -c 'import ctypes
libc = ctypes.CDLL(None, use_errno=True)
print(libc.mount(None, None, None, 0, None), ctypes.get_errno())
print(libc.syscall(250, 0, -3, 0, 0, 0), ctypes.get_errno())'
unshare -U true 2>&1 | grep -c 'unshare failed'";

/// Child: executes the policy's probe through `exec`, with a pid namespace or not.
fn exec_policy(pid: bool) {
    let ns = if pid { &POLICY_PID } else { &POLICY };
    let error = ns.exec(&["sh", "-c", POLICY_SCRIPT]);
    println!("{error}");
    std::process::exit(3);
}

/// `Namespace::exec` installs the table's policy: the refused calls fail with its
/// errno (131, `ENOTRECOVERABLE`), a user namespace cannot be made.
fn exec_installs_the_syscall_policy() {
    for user in USERS {
        for role in ["exec-policy", "exec-policy-pid"] {
            let mut command = Command::new(this_binary());
            command.env(ROLE, role);
            let output = as_user(&mut command, user).output().unwrap();
            assert!(output.status.success(), "{user:?} {role}: {output:?}");
            assert_eq!(
                String::from_utf8_lossy(&output.stdout),
                "-1 131\n-1 131\n1\n",
                "{user:?} {role}: {output:?}"
            );
        }
    }
}

/// Child, leading its process group: enters a table with a new session in place.
fn session_leader() {
    let error = SESSION.enter().unwrap_err();
    println!("{error}");
    assert_eq!(error.step(), Step::Session);
    std::process::exit(0);
}

/// Python that prints the process's capability sets and securebits, then pid 1's if
/// given an argument.
const SETS: &str = "
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
print('securebits', libc.prctl(27, 0, 0, 0, 0))
for pid in ['self'] + sys.argv[1:]:
    for line in open(f'/proc/{pid}/status'):
        if line.startswith('Cap'):
            print(pid, *line.split())
";

/// Child: executes the capability report in a pid namespace, through `exec`.
fn caps_exec() {
    let error = CAPS_PID.exec(&["/usr/bin/python3", "-c", SETS, "1"]);
    println!("{error}");
    std::process::exit(3);
}

/// Child: enters (no pid namespace), then runs the capability report: what this
/// process gives its children is what it holds.
fn caps_enter() {
    CAPS_HERE.enter().unwrap();
    // No /dev here: the child's stdin is this process's, not /dev/null.
    let output = Command::new("/usr/bin/python3")
        .args(["-c", SETS])
        .stdin(Stdio::inherit())
        .output()
        .unwrap();
    print!("{}", String::from_utf8_lossy(&output.stdout));
    std::process::exit(if output.status.success() { 0 } else { 3 });
}

/// `Namespace::exec` and `Namespace::enter` drop every capability, as root and as uid
/// 65534, and lock the securebits; pid 1 holds none either.
fn exec_and_enter_leave_no_capability() {
    let none = |pid: &str| {
        ["CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:"]
            .map(|set| format!("{pid} {set} 0000000000000000\n"))
            .concat()
    };
    // NO_ROOT, NO_SETUID_FIXUP and NO_CAP_AMBIENT_RAISE, each locked.
    let locked = "securebits 207\n";
    for user in USERS {
        let run = child("caps-exec", user);
        assert_eq!(run.code, Some(0), "{user:?}: {run:#?}");
        assert_eq!(
            run.stdout,
            format!("{locked}{}{}", none("self"), none("1")),
            "{user:?}"
        );
        let run = child("caps-enter", user);
        assert_eq!(run.code, Some(0), "{user:?}: {run:#?}");
        assert_eq!(run.stdout, format!("{locked}{}", none("self")), "{user:?}");
    }
}

/// Child: executes `sh -c $MOUNTNS_TEST_SCRIPT` in a pid namespace, through `exec`.
fn exec_pid() {
    let script = env::var(SCRIPT).unwrap();
    let error = EXEC_PID.exec(&["sh", "-c", &script]);
    println!("{error}");
    std::process::exit(3);
}

/// Child: [`exec_pid`] from a second thread, while the main thread sleeps on.
fn exec_pid_from_a_thread() {
    std::thread::spawn(exec_pid);
    loop {
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
}

/// Child: executes `sh -c $MOUNTNS_TEST_SCRIPT sh FD` in `EXEC_POLICY` through `exec`,
/// with a host directory (`policy/` of the fixture) open as `FD`.
fn exec_landlock() {
    let script = env::var(SCRIPT).unwrap();
    let dir = fs::File::open("/tmp/mountns-runtime/exec/policy").unwrap();
    rustix::io::fcntl_setfd(&dir, rustix::io::FdFlags::empty()).unwrap();
    let fd = std::os::fd::AsRawFd::as_raw_fd(&dir).to_string();
    let error = EXEC_POLICY.exec(&["sh", "-c", &script, "sh", &fd]);
    println!("{error}");
    std::process::exit(3);
}

/// Starts the `exec-pid` role with `script` as `user`, its stdout piped.
fn exec_pid_child(script: &str, user: User) -> std::process::Child {
    let mut command = Command::new(this_binary());
    command.env(ROLE, "exec-pid").env(SCRIPT, script);
    as_user(&mut command, user)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap()
}

fn child(role: &str, user: User) -> Run {
    let mut command = Command::new(this_binary());
    command.env(ROLE, role);
    let output = as_user(&mut command, user).output().unwrap();
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn exec_runs_the_program_inside() {
    let fixture = Fixture::at("/tmp/mountns-runtime/exec");
    fixture.file("data/a.txt", "A\n");
    for user in USERS {
        let mut command = Command::new(this_binary());
        command.env(ROLE, "exec");
        let output = as_user(&mut command, user).output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{user:?}: {output:?}");
        assert_eq!(stdout, "A\nzero one\n", "{user:?}: {output:?}");
    }
}

fn exec_reports_a_missing_program() {
    let fixture = Fixture::at("/tmp/mountns-runtime/exec");
    fixture.dir("data");
    for user in USERS {
        let mut command = Command::new(this_binary());
        command.env(ROLE, "exec-missing");
        let output = as_user(&mut command, user).output().unwrap();
        assert_eq!(output.status.code(), Some(3), "{user:?}: {output:?}");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "mountns: exec: No such file or directory (os error 2)\n",
            "{user:?}"
        );
    }
}

fn multithreaded_enter_is_an_error() {
    let run = child("threaded", User::Nobody);
    assert_eq!(run.code, Some(0), "{run:#?}");
    assert_eq!(
        run.stdout,
        "mountns: create a user and mount namespace: Invalid argument (os error 22); \
         the process has more than one thread; enter from a freshly forked child \
         (Command::namespace) instead\nerrno=22\n",
        "{run:#?}"
    );
}

fn exec_with_a_pid_namespace_ends_as_the_program() {
    for user in USERS {
        let output = exec_pid_child("echo $$; exit 7", user)
            .wait_with_output()
            .unwrap();
        assert_eq!(output.status.code(), Some(7), "{user:?}: {output:?}");
        assert_eq!(output.stdout, b"2\n", "{user:?}: {output:?}");
        let status = exec_pid_child("kill -TERM $$", user).wait().unwrap();
        assert_eq!(status.signal(), Some(15), "{user:?}: {status}");
        assert!(!status.core_dumped(), "{user:?}: {status}");
    }
}

fn exec_from_a_second_thread_ends_as_the_program() {
    // The process that stands in for the program outside is then one thread of many:
    // the signal that tells it of the program's end must reach that thread, not one
    // that does not wait for it (its default action ends the process: 157).
    for user in USERS {
        for _ in 0..5 {
            let mut command = Command::new(this_binary());
            command
                .env(ROLE, "exec-pid-thread")
                .env(SCRIPT, "exit 7")
                .stdout(Stdio::piped());
            let output = as_user(&mut command, user).output().unwrap();
            assert_eq!(output.status.code(), Some(7), "{user:?}: {output:?}");
        }
    }
}

/// Starts `script`, which prints a line once ready, through `exec` in a pid namespace.
fn exec_pid_ready(script: &str, user: User) -> std::process::Child {
    let mut child = exec_pid_child(script, user);
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line, "ready\n", "{user:?}");
    child
}

fn exec_with_a_pid_namespace_passes_signals_on() {
    for user in USERS {
        let script = "trap 'exit 42' TERM; echo ready; while :; do sleep 0.02; done";
        let mut child = exec_pid_ready(script, user);
        kill(&child, rustix::process::Signal::TERM);
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(42), "{user:?}: {status}");
    }
}

fn killing_the_exec_process_kills_the_program_and_its_children() {
    for user in USERS {
        let marker = format!("1000.{}{}", std::process::id(), user as u8);
        let script = format!("sleep {marker} & sleep {marker} & echo ready; wait");
        let mut child = exec_pid_ready(&script, user);
        // sh and its two sleeps.
        assert!(
            within(Duration::from_secs(5), || processes_marked(&marker).len()
                == 3),
            "{user:?}"
        );
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(
            within(Duration::from_secs(1), || processes_marked(&marker)
                .is_empty()),
            "{user:?}: left: {:?}",
            processes_marked(&marker)
        );
    }
}

fn a_group_leader_cannot_enter_a_new_session_in_place() {
    use std::os::unix::process::CommandExt as _;
    for user in USERS {
        let mut command = Command::new(this_binary());
        command.env(ROLE, "session-leader").process_group(0);
        let output = as_user(&mut command, user).output().unwrap();
        assert!(output.status.success(), "{user:?}: {output:?}");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "mountns: start a new session: Operation not permitted (os error 1); the process \
             leads a process group (as a job of an interactive shell does), and setsid \
             refuses a group leader; run the program with CommandExt::namespace, \
             Namespace::exec or a launcher! binary, which fork a process of its own for it\n",
            "{user:?}"
        );
    }
}

fn exec_applies_landlock_the_limits_and_the_time_limit() {
    let fixture = Fixture::at("/tmp/mountns-runtime/exec");
    fixture.file("policy/secret", "secret\n");
    let policy = |script: &str, user: User| {
        let mut command = Command::new(this_binary());
        command.env(ROLE, "exec-landlock").env(SCRIPT, script);
        as_user(&mut command, user).output().unwrap()
    };
    for user in USERS {
        // The host directory is out of Landlock's reach; the limit holds.
        let output = policy("ulimit -Sn; ulimit -Hn; cat /proc/self/fd/$1/secret", user);
        assert_eq!(output.stdout, b"16\n16\n", "{user:?}: {output:?}");
        assert!(
            String::from_utf8_lossy(&output.stderr).ends_with("Permission denied\n"),
            "{user:?}: {output:?}"
        );
        // The time limit: the process that called `exec` ends with 137, and nothing
        // of the program is left.
        let marker = format!("100.{}{}", std::process::id(), user as u8);
        let started = Instant::now();
        let output = policy(&format!("sleep {marker} & sleep {marker}"), user);
        assert_eq!(
            output.status.code(),
            Some(mountns::TIMED_OUT),
            "{user:?}: {output:?}"
        );
        assert!(EXEC_POLICY.timed_out(output.status), "{user:?}");
        assert!(started.elapsed() < Duration::from_millis(1500), "{user:?}");
        assert_eq!(processes_marked(&marker).len(), 0, "{user:?}");
    }
}
