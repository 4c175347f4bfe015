//! `as_pid_1;`: the program is pid 1 of its pid namespace, with no init of mountns's
//! above it. Entered for real, as root and as uid 65534: the program sees itself as pid
//! 1 and holds no capability; its exit code comes through; the caller's stand-in
//! passes signals on, which reach it only where it handles them (the kernel's rule for
//! an init); nothing reaps its orphans; it dies with its launcher.

use std::fs;
use std::io::{BufRead as _, BufReader};
use std::os::unix::process::ExitStatusExt as _;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::Duration;

use mountns::{CommandExt as _, Ids, Namespace, Unshare, namespace};
use mountns_support::{BASE, USERS, User, kill, root_or_skip, sh_stdout, shell, within};
use rustix::process::Signal;

namespace! {
    /// The program as pid 1, under a procfs of its pid namespace (and a /dev, for a
    /// shell's background jobs, whose stdin is /dev/null).
    static PID_1 = {
        include BASE;
        proc "/proc/";
        dev "/dev/";
        as_pid_1;
    };

    /// The same under mountns's init: the control.
    static PID_2 = {
        include BASE;
        proc "/proc/";
        dev "/dev/";
    };

    /// `as_pid_1` alone: it implies the pid namespace.
    static ALONE = {
        include BASE;
        proc "/proc/";
        as_pid_1;
        new_session;
    };
}

#[test]
fn the_table_says_so_and_has_a_pid_namespace() {
    assert!(PID_1.as_pid_1() && !PID_2.as_pid_1());
    let alone: &'static Namespace = namespace! { include BASE; as_pid_1; };
    assert!(alone.unshare().contains(Unshare::PID));
    assert!(alone.to_string().ends_with("unshare pid\nas_pid_1\n"));
}

#[test]
fn the_program_is_pid_1() {
    // bubblewrap's "can run as pid 1": `bash -c 'echo $$'` says 1.
    let script = "echo $$; cut -d' ' -f4 /proc/1/stat; tr '\\0' ' ' < /proc/1/cmdline; echo";
    for user in USERS {
        assert_eq!(
            sh_stdout(&PID_1, script, user),
            format!("1\n0\n/bin/sh -c {script} \n"),
            "{user:?}"
        );
        assert_eq!(sh_stdout(&PID_2, "echo $$", user), "2\n", "{user:?}");
        // A new session led by pid 1 (its session id, field 6).
        let script = "echo $$; cut -d' ' -f6 /proc/self/stat";
        assert_eq!(sh_stdout(&ALONE, script, user), "1\n1\n", "{user:?}");
    }
}

#[test]
fn pid_1_holds_no_capability() {
    // bubblewrap's "we have no caps as uid != 0", with and without --as-pid-1, and as
    // root too, where mountns drops every capability by default.
    for user in USERS {
        for ns in [&PID_1, &PID_2] {
            assert_eq!(
                sh_stdout(ns, "/usr/sbin/getpcaps 1 2>&1", user),
                "1: =\n",
                "{user:?}"
            );
        }
        let status = "grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb)' /proc/1/status | cut -f2 | sort -u";
        assert_eq!(
            sh_stdout(&PID_1, status, user),
            "0000000000000000\n",
            "{user:?}"
        );
    }
    // Root entering to run the program as another user: pid 1 is that user's.
    if !root_or_skip("its last case: namespace_as switches ids, which only root can") {
        return;
    }
    let output = Command::new("/bin/sh")
        .args(["-c", "echo $$; id -u; /usr/sbin/getpcaps 1 2>&1"])
        .output_in_as(&PID_1, Ids::new(65534, 65534))
        .unwrap();
    assert_eq!(output.stdout, b"1\n65534\n1: =\n", "{output:?}");
}

#[test]
fn exit_codes_come_through_and_pid_1_ignores_its_own_unhandled_signals() {
    for user in USERS {
        let status = shell("exit 7", user).status_in(&PID_1).unwrap();
        assert_eq!(status.code(), Some(7), "{user:?}");
        // The kernel delivers a signal to an init only if it handles it: an unhandled
        // TERM, even SIGKILL, sent from inside does nothing.
        let script = "kill -TERM $$; kill -KILL $$; echo alive";
        assert_eq!(sh_stdout(&PID_1, script, user), "alive\n", "{user:?}");
        let status = shell("trap 'exit 3' TERM; kill -TERM $$; sleep 5", user)
            .status_in(&PID_1)
            .unwrap();
        assert_eq!(status.code(), Some(3), "{user:?}");
    }
}

/// Spawns `script` in `ns` and waits for its first line, which it prints once ready.
fn spawn_ready(script: &str, user: User, ns: &'static Namespace) -> Child {
    let mut child = shell(script, user)
        .stdout(Stdio::piped())
        .spawn_in(ns)
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line, "ready\n", "{user:?}");
    child
}

#[test]
fn signals_sent_to_the_launcher_reach_a_program_that_handles_them() {
    for user in USERS {
        let child = spawn_ready(
            "trap 'exit 40' TERM; echo ready; while :; do sleep 0.02; done",
            user,
            &PID_1,
        );
        kill(&child, Signal::TERM);
        let status = child.wait_with_output().unwrap().status;
        assert_eq!(status.code(), Some(40), "{user:?}");
        // Unhandled, TERM is dropped by the kernel; the program runs on until the
        // launcher is killed, and dies with it.
        let mut child = spawn_ready("echo ready; while :; do sleep 0.02; done", user, &PID_1);
        kill(&child, Signal::TERM);
        thread::sleep(Duration::from_millis(200));
        assert!(child.try_wait().unwrap().is_none(), "{user:?}");
        child.kill().unwrap();
        assert_eq!(child.wait().unwrap().signal(), Some(9), "{user:?}");
    }
}

/// The pids of the host's processes whose parent is `parent`, with their state.
fn children_of(parent: u32) -> Vec<(u32, char)> {
    let mut found = Vec::new();
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // After the command's name, in parentheses: the state, then the parent's pid.
        let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
        if fields[1].parse() == Ok(parent) {
            found.push((pid, fields[0].chars().next().unwrap()));
        }
    }
    found
}

#[test]
fn nothing_reaps_the_orphans_of_a_program_as_pid_1() {
    // The orphan comes to pid 1: with `as_pid_1` that is the program (here `sleep`,
    // which never waits), and it stays a zombie; under mountns's init it is reaped.
    let script = "(exec sleep 0.1 &); echo ready; exec sleep 3";
    for user in USERS {
        for (ns, zombies) in [(&PID_1, 1), (&PID_2, 0)] {
            let mut child = spawn_ready(script, user, ns);
            let launcher = child.id();
            // The launcher's child: the program (as_pid_1) or mountns's init.
            let init = children_of(launcher)[0].0;
            // The orphan ends 0.1 s in; an init that reaps has done so well before 1 s.
            thread::sleep(Duration::from_secs(1));
            let zombie = || children_of(init).iter().any(|&(_, state)| state == 'Z');
            assert_eq!(zombie(), zombies == 1, "{user:?}: {:?}", children_of(init));
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }
}

#[test]
fn the_program_dies_with_its_launcher() {
    for user in USERS {
        let mut child = spawn_ready("sleep 30 & echo ready; wait", user, &PID_1);
        let program = children_of(child.id())[0].0;
        child.kill().unwrap();
        child.wait().unwrap();
        // Dead: gone, or a zombie waiting for the host's init, which adopted it.
        let dead = || {
            fs::read_to_string(format!("/proc/{program}/stat")).map_or(true, |stat| {
                stat[stat.rfind(')').unwrap()..].starts_with(") Z")
            })
        };
        assert!(within(Duration::from_secs(1), dead), "{user:?}");
    }
}
