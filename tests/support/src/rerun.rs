//! A test binary run again: a test that needs a process of its own (one thread, a
//! namespace prepared around it, another uid) runs itself in a child, which plays a
//! role; and a binary without the harness runs its tests itself.

use std::ffi::OsStr;
use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use crate::Fixture;

/// The variable that tells a test binary run again the role it plays.
pub const ROLE: &str = "MOUNTNS_TEST_ROLE";

/// The role this process plays, if a test ran it again (see [`rerun`]).
pub fn role() -> Option<String> {
    std::env::var(ROLE).ok()
}

/// This test binary.
pub fn this_binary() -> PathBuf {
    std::env::current_exe().unwrap()
}

/// The arguments that run the test `test` of a test binary alone: on one thread, its
/// output not captured, one character of progress.
pub fn alone(test: &str) -> [&str; 5] {
    ["--exact", test, "--nocapture", "--test-threads=1", "-q"]
}

/// `program` (this test binary, or a [`launcher`] copy of it) running the test `test`
/// [`alone`], in the role `role`.
pub fn rerun(program: impl AsRef<OsStr>, test: &str, role: &str) -> Command {
    let mut command = Command::new(program);
    command.args(alone(test)).env(ROLE, role);
    command
}

/// [`rerun`] as a command line, for a shell that prepares the process first.
pub fn rerun_line(program: &str, test: &str, role: &str) -> String {
    format!("env {ROLE}={role} {program} {}", alone(test).join(" "))
}

/// A copy of this test binary that uid 65534 may execute, in `fixture`. Copied by `cp`,
/// not by this process: a child that another thread forks while the copy is open for
/// writing would hold it open until it executes, and the kernel refuses to execute a
/// file open for writing (ETXTBSY). A new copy each call: a namespace entered through
/// the last one may still have its pid 1, a fork of that copy, which outlives the
/// caller's stand-in by a moment, and the kernel refuses to write a file being executed
/// (ETXTBSY again).
pub fn launcher(fixture: &Fixture) -> String {
    static COPIES: AtomicUsize = AtomicUsize::new(0);
    let copy = COPIES.fetch_add(1, Ordering::Relaxed);
    let launcher = fixture.path(&format!("launcher-{copy}"));
    let copied = Command::new("cp")
        .arg(std::env::current_exe().unwrap())
        .arg(&launcher)
        .status()
        .unwrap();
    assert!(copied.success(), "cp of the test binary: {copied}");
    fs::set_permissions(&launcher, fs::Permissions::from_mode(0o755)).unwrap();
    launcher
}

/// Spawns `command`, which runs a fresh [`launcher`] copy: a thread of this process may
/// have forked while the copy was open for writing, and the kernel refuses to execute
/// it (ETXTBSY) until that child executes in turn.
pub fn spawn_copy(command: &mut Command) -> Child {
    loop {
        match command.spawn() {
            Err(error) if error.kind() == io::ErrorKind::ExecutableFileBusy => {
                thread::sleep(Duration::from_millis(10));
            }
            spawned => return spawned.unwrap(),
        }
    }
}

/// Runs `tests` in order, for a test binary without the harness (`harness = false`),
/// with enough of libtest's command line for `cargo test -- --list` and filters. A
/// failing test panics, and the process exits non-zero.
pub fn run_tests(tests: &[(&str, fn())]) {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let list = args.iter().any(|a| a == "--list");
    let mut passed = 0;
    for &(name, test) in tests {
        if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        if list {
            println!("{name}: test");
            continue;
        }
        test();
        println!("test {name} ... ok");
        passed += 1;
    }
    if !list {
        println!("\ntest result: ok. {passed} passed; 0 failed; 0 ignored");
    }
}
