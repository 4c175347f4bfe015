//! `Namespace::exec` and entering from a multithreaded process: both need a process of
//! their own, so this test has its own `main()` (no harness, no test threads) and runs
//! itself as a child with `MOUNTNS_TEST_ROLE` set.

mod common;

use std::env;
use std::process::Command;
use std::thread;
use std::time::Duration;

use common::{BASE, Fixture, Run, USERS, User, as_user};
use mountns::namespace;
use mountns_runtime::Step;

const ROLE: &str = "MOUNTNS_TEST_ROLE";

namespace! {
    static USR_ONLY = {
        bind ro "/usr/";
    };

    static EXEC = {
        include BASE;
        bind "/opt/data/" "/tmp/mountns-runtime/exec/data/";
    };
}

fn main() {
    match env::var(ROLE).as_deref() {
        Ok("threaded") => threaded(),
        Ok("exec") => exec(false),
        Ok("exec-missing") => exec(true),
        _ => {
            common::assert_root();
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
            ];
            // Enough of libtest's command line for `cargo test -- --list` and filters.
            let args: Vec<String> = env::args().skip(1).collect();
            let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
            let list = args.iter().any(|a| a == "--list");
            let mut passed = 0;
            for (name, test) in tests {
                if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
                    continue;
                }
                if list {
                    println!("{name}: test");
                    continue;
                }
                // A failing test panics, and the process exits non-zero.
                test();
                println!("test {name} ... ok");
                passed += 1;
            }
            if !list {
                println!("\ntest result: ok. {passed} passed; 0 failed; 0 ignored");
            }
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

fn child(role: &str, user: User) -> Run {
    let mut command = Command::new(env::current_exe().unwrap());
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
        let mut command = Command::new(env::current_exe().unwrap());
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
        let mut command = Command::new(env::current_exe().unwrap());
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
