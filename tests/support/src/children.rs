//! Children that run in a namespace, and what a test reads of them and of the host's
//! processes.

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::{self, Write as _};
use std::os::unix::process::CommandExt as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mountns::{CommandExt as _, Filled, Namespace};
use rustix::process::{Pid, Signal};

use crate::{Fixture, USERS, User, as_user, is_root};

#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// `sh -c script` as `user`, to be run.
pub fn shell(script: &str, user: User) -> Command {
    let mut command = Command::new("/bin/sh");
    command.arg("-c").arg(script);
    as_user(&mut command, user);
    command
}

/// Runs `sh -c script` in `ns` as `user` through `output_in`: its stdout, which must
/// end well.
pub fn sh_stdout(ns: impl Into<Filled>, script: &str, user: User) -> String {
    let output = shell(script, user).output_in(ns).unwrap();
    assert!(output.status.success(), "{user:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// Runs `sh -c script` in `ns` as `user`; panics if it cannot be spawned.
pub fn sh(ns: &'static Namespace, script: &str, user: User) -> Run {
    sh_in(ns, script, user, |_| {})
}

pub fn sh_in(
    ns: &'static Namespace,
    script: &str,
    user: User,
    setup: impl FnOnce(&mut Command),
) -> Run {
    let mut command = Command::new("/bin/sh");
    command.arg("-c").arg(script);
    as_user(&mut command, user).namespace(ns);
    setup(&mut command);
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("spawn as {user:?}: {error}"));
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `script` in `ns` as each user: its exit code must be `code` and its stdout
/// start with `stdout`. Each run, its stdout cut to what follows.
pub fn each_user(
    ns: &'static Namespace,
    script: &str,
    code: i32,
    stdout: &str,
) -> Vec<(User, Run)> {
    USERS
        .into_iter()
        .map(|user| {
            let mut run = sh(ns, script, user);
            assert_eq!(run.code, Some(code), "{user:?}: {run:#?}");
            let Some(rest) = run.stdout.strip_prefix(stdout) else {
                panic!("{user:?}: {run:#?}");
            };
            run.stdout = rest.to_owned();
            (user, run)
        })
        .collect()
}

/// Runs `script` in `ns` as each user: it must succeed and print `stdout`.
pub fn each_user_sees(ns: &'static Namespace, script: &str, stdout: &str) {
    for (user, run) in each_user(ns, script, 0, stdout) {
        assert_eq!(run.stdout, "", "{user:?}: more than expected: {run:#?}");
    }
}

/// Spawns `sh -c true` in `ns` as `user`, expecting entering to fail: the `io::Error` and
/// what the child wrote to its stderr.
pub fn spawn_error(ns: &'static Namespace, user: User, fixture: &Fixture) -> (io::Error, String) {
    let log = fixture.path(&format!("stderr-{user:?}"));
    let mut command = Command::new("/bin/sh");
    command
        .arg("-c")
        .arg("true")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(File::create(&log).unwrap());
    as_user(&mut command, user).namespace(ns);
    let error = match command.status() {
        Ok(status) => panic!("entering succeeded as {user:?}: {status}"),
        Err(error) => error,
    };
    (error, fs::read_to_string(&log).unwrap())
}

/// Entering `ns` fails for each user with `errno`, and the child says `stderr`.
pub fn each_user_is_refused(ns: &'static Namespace, fixture: &Fixture, errno: i32, stderr: &str) {
    for user in USERS {
        let (error, said) = spawn_error(ns, user, fixture);
        assert_eq!(error.raw_os_error(), Some(errno), "{user:?}: {error}");
        assert_eq!(said, stderr, "{user:?}");
    }
}

/// The options (field 6) and the filesystem type of the mount at `mountpoint`, the
/// topmost there, in a mountinfo text.
pub fn mount_of<'a>(mountinfo: &'a str, mountpoint: &str) -> Option<(Vec<&'a str>, &'a str)> {
    mountinfo.lines().rev().find_map(|line| {
        let fields: Vec<&str> = line.split(' ').collect();
        let separator = fields.iter().position(|&field| field == "-")?;
        (fields[4] == mountpoint).then(|| (fields[5].split(',').collect(), fields[separator + 1]))
    })
}

/// Runs the shell command line `script` in an outer user namespace where no further user
/// namespace may be made (`max_user_namespaces` 0), as its root: a system that refuses
/// unprivileged user namespaces. The outer namespace maps ids 0..65536 onto the host's,
/// written from here, outside it; the shell waits for the maps, then executes again, as
/// capabilities in a new user namespace come with an execve as a mapped root.
pub fn where_user_namespaces_are_refused(script: &str) -> std::process::Output {
    assert!(
        is_root(),
        "only root writes the maps of another user namespace"
    );
    let inner = format!("echo 0 > /proc/sys/user/max_user_namespaces && {script}");
    let mut child = Command::new("unshare")
        .args(["--user", "sh", "-c", "read go && exec sh -c \"$INNER\""])
        .env("INNER", inner)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let ours = fs::read_link("/proc/self/ns/user").unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while fs::read_link(format!("/proc/{pid}/ns/user")).unwrap() == ours {
        assert!(Instant::now() < deadline, "unshare --user did not unshare");
        std::thread::sleep(Duration::from_millis(1));
    }
    for map in ["uid_map", "gid_map"] {
        fs::write(format!("/proc/{pid}/{map}"), "0 0 65536").unwrap();
    }
    child.stdin.take().unwrap().write_all(b"go\n").unwrap();
    child.wait_with_output().unwrap()
}

/// The fds this process passes to its children: those without `O_CLOEXEC`.
pub fn inherited_fds() -> BTreeSet<u32> {
    let mut fds = BTreeSet::new();
    for entry in fs::read_dir("/proc/self/fdinfo").unwrap() {
        let entry = entry.unwrap();
        let Ok(fd) = entry.file_name().to_str().unwrap().parse::<u32>() else {
            continue;
        };
        let Ok(info) = fs::read_to_string(entry.path()) else {
            continue;
        };
        let flags = info
            .lines()
            .find_map(|line| line.strip_prefix("flags:"))
            .map(|flags| u32::from_str_radix(flags.trim(), 8).unwrap())
            .unwrap();
        if flags & 0o2_000_000 == 0 {
            fds.insert(fd);
        }
    }
    fds
}

/// Opens each directory of `dirs` and gives it to the program of `command` as the
/// inheritable descriptor 7, 8, ...: descriptors the caller left open, which reach the
/// host's tree whatever the mounts. Keep what this returns until the spawn returns.
pub fn inherit(command: &mut Command, dirs: &[&str]) -> Vec<std::os::fd::OwnedFd> {
    use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd as _, OwnedFd};
    // Numbered 10 and up, so that none is already 7, 8, ... (which dup2 would leave
    // close-on-exec).
    let opened: Vec<OwnedFd> = dirs
        .iter()
        .map(|dir| {
            let dir = File::open(dir).unwrap();
            rustix::io::fcntl_dupfd_cloexec(&dir, 10).unwrap()
        })
        .collect();
    let raw: Vec<i32> = opened.iter().map(AsRawFd::as_raw_fd).collect();
    // SAFETY: dup2 only: no allocation, no lock. The descriptors live until the spawn
    // returns.
    unsafe {
        command.pre_exec(move || {
            for (fd, target) in raw.iter().zip(7..) {
                let mut target = OwnedFd::from_raw_fd(target);
                let dup = rustix::io::dup2(BorrowedFd::borrow_raw(*fd), &mut target);
                // Open in the program, not closed here.
                std::mem::forget(target);
                dup?;
            }
            Ok(())
        });
    }
    opened
}

/// A process of `user` outside any namespace, for 30 seconds: something to signal.
pub fn host_sleeper(user: User) -> std::process::Child {
    as_user(Command::new("sleep").arg("30"), user)
        .spawn()
        .unwrap()
}

/// A child's status and output, for a failing assertion's message.
pub fn described(output: &std::process::Output) -> String {
    format!(
        "{}\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Waits up to `limit` for `done`: whether it came to hold.
pub fn within(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    done()
}

/// Sends `signal` to `child`.
pub fn kill(child: &std::process::Child, signal: Signal) {
    let pid = Pid::from_raw(child.id().try_into().unwrap()).unwrap();
    rustix::process::kill_process(pid, signal).unwrap();
}

/// The host's processes whose command line holds `marker`.
pub fn processes_marked(marker: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(cmdline) = fs::read(entry.path().join("cmdline"))
            && String::from_utf8_lossy(&cmdline).contains(marker)
        {
            found.push(String::from_utf8_lossy(&cmdline).replace('\0', " "));
        }
    }
    found
}
