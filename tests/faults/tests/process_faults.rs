//! The steps of a table's other namespaces and of its pid namespace's three processes
//! made to fail by injection: in the caller, in pid 1 and in the program's process,
//! each failure reaches the caller whole (through `status_in`) or as its errno with
//! the message on the child's stderr (through std's `status`), the command never runs,
//! and no process is left behind. One test, since the armed fault is process-wide.

use std::fs;
use std::process::Command;

use mountns::{CommandExt as _, Step, namespace};
use mountns_runtime::fault;
use mountns_support::{USERS, User, as_user, processes_marked};

namespace! {
    /// Every process-wide setting: three processes, and each step of theirs.
    static SANDBOX = {
        bind ro ["/usr/", "/bin/", "/lib/", "/lib64/"];
        proc "/proc/";
        unshare [net, ipc];
        hostname "box";
        new_session;
    };
}

/// An errno no step returns by itself here.
const INJECTED: i32 = 131; // ENOTRECOVERABLE

/// Each step, the occurrence to fail, and which process fails it.
const CASES: [(Step, u16, &str); 11] = [
    (Step::Hostname, 1, "caller"),
    (Step::Loopback, 1, "caller"),
    // Blocking signals, SIGCHLD's default, the page and pipes, the fork.
    (Step::Fork, 1, "caller"),
    (Step::Fork, 2, "caller"),
    (Step::Fork, 3, "caller"),
    (Step::Fork, 4, "caller"),
    (Step::DeathSignal, 1, "caller"),
    (Step::DeathSignal, 2, "pid 1"),
    // Forking the program.
    (Step::Fork, 5, "pid 1"),
    (Step::Session, 1, "program"),
    // The syscall filter, the last step, in the program's process.
    (Step::Seccomp, 1, "program"),
];

/// A `sleep` that would leave its mark on the host's process list if it ran.
fn command(user: User, marker: &str) -> Command {
    let mut command = Command::new("/bin/sleep");
    command.arg(marker);
    as_user(&mut command, user);
    command
}

#[test]
fn every_step_of_the_processes_fails_cleanly() {
    let marker = format!("1000.{}", std::process::id());
    // What the processes of entering write to stderr: nothing on this route.
    let log = std::env::temp_dir().join(format!("mountns-faults-{}", std::process::id()));
    for (step, occurrence, process) in CASES {
        for user in USERS {
            let what = format!("{step:?} #{occurrence} in the {process} as {user:?}");
            fault::inject(step, occurrence, INJECTED);
            let reported = command(user, &marker)
                .stderr(fs::File::create(&log).unwrap())
                .status_in(&SANDBOX);
            fault::inject(step, occurrence, INJECTED);
            let plain = command(user, &marker)
                .stderr(std::process::Stdio::piped())
                .namespace(&SANDBOX)
                .status();
            fault::clear();
            let reported = reported.expect_err(&what);
            let inner = reported
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<mountns::Error>())
                .unwrap_or_else(|| panic!("{what}: not a mountns::Error: {reported:?}"));
            assert_eq!((inner.step(), inner.errno()), (step, INJECTED), "{what}");
            assert!(
                reported.to_string().contains(&format!(": {step}: ")),
                "{what}: {reported}"
            );
            // Each step fails once, in one process, before its call: a fork that fails
            // leaves no second process to fail again (and write to std's pipe after
            // the parent stopped reading it).
            let said = fs::read_to_string(&log).unwrap();
            assert_eq!(said, "", "{what}");
            let plain = plain.expect_err(&what);
            assert_eq!(plain.raw_os_error(), Some(INJECTED), "{what}: {plain}");
            assert!(
                processes_marked(&marker).is_empty(),
                "{what}: the command ran"
            );
        }
    }
    let _ = fs::remove_file(&log);
    // Unarmed, the same command runs: the cases above are meaningful.
    let mut child = command(User::Nobody, &marker).spawn_in(&SANDBOX).unwrap();
    let seen = (0..500).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(10));
        !processes_marked(&marker).is_empty()
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(seen, "the command never ran");
}
