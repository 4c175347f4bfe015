//! Helpers shared by the test binaries: fixtures, children, and the base of the
//! runtime tests' declarations. Their tables come from `namespace!`, with host
//! fixtures at fixed paths under /tmp (a declaration names its sources at compile
//! time); each test has a directory of its own. Nothing here mounts: every namespace
//! is entered in a child.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::{self, Write as _};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use mountns::{CommandExt as _, Namespace, namespace};

namespace! {
    /// What every child needs to run /bin/sh: read-only binds of the host's system
    /// directories.
    pub static BASE = {
        bind ro ["/bin/", "/lib/", "/lib64/", "/usr/"];
    };
}

/// Two layers that clash on `both.txt`, a third directory and a file, in a fixture:
/// `ROOT/a`, `ROOT/b`, `ROOT/c/c.txt` and `ROOT/file.txt`.
pub struct Layers {
    pub fixture: Fixture,
    pub a: String,
    pub b: String,
    pub c: String,
    pub file: String,
}

impl Layers {
    pub fn at(root: &str) -> Layers {
        Layers::named(root, "a", "b")
    }

    /// The same, the two layers under other names.
    pub fn named(root: &str, a: &str, b: &str) -> Layers {
        let fixture = Fixture::at(root);
        fixture.file(&format!("{a}/a.txt"), "A\n");
        fixture.file(&format!("{a}/both.txt"), "from a\n");
        fixture.file(&format!("{b}/b.txt"), "B\n");
        fixture.file(&format!("{b}/both.txt"), "from b\n");
        let (a, b) = (fixture.path(a), fixture.path(b));
        let c = fixture.dir("c");
        fixture.file("c/c.txt", "C\n");
        let file = fixture.file("file.txt", "file\n");
        Layers {
            fixture,
            a,
            b,
            c,
            file,
        }
    }
}

/// Whether this process runs as root.
pub fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt as _;
    // /proc/self belongs to the process's effective uid.
    fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// Whether the test may go on: as root, yes; otherwise it says on the terminal (past
/// the harness's capture) that it is skipped and `why` it needs root, and the caller
/// returns. Run as root, as CI does, to run it: `sudo -E cargo test --workspace`.
pub fn root_or_skip(why: &str) -> bool {
    if is_root() {
        return true;
    }
    let thread = std::thread::current();
    let name = thread.name().unwrap_or("this test");
    let _ = writeln!(io::stderr(), "{name}: skipped, needs root: {why}");
    false
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum User {
    Root,
    /// Unprivileged: uid and gid 65534 when the tests run as root, else the caller
    /// itself. The hook runs unprivileged and makes a user namespace.
    Nobody,
}

/// The users each test enters as: root and uid 65534 when the tests run as root, the
/// caller alone (unprivileged) otherwise.
#[derive(Clone, Copy)]
pub struct Users;

pub const USERS: Users = Users;

impl IntoIterator for Users {
    type Item = User;
    type IntoIter = std::vec::IntoIter<User>;

    fn into_iter(self) -> Self::IntoIter {
        if is_root() {
            vec![User::Root, User::Nobody].into_iter()
        } else {
            vec![User::Nobody].into_iter()
        }
    }
}

/// The uid (and gid) of [`User::Nobody`]: 65534, or the caller's own without root.
pub fn nobody() -> u32 {
    if is_root() {
        65534
    } else {
        rustix::process::geteuid().as_raw()
    }
}

/// Makes `command` run as `user`. For `Nobody`, the child switches to uid and gid 65534
/// and then stands in for a program *started* as 65534 (an unprivileged launcher): it
/// makes itself dumpable again, as exec would have left it, so that the namespace hook
/// that follows takes the unprivileged route, a user namespace mapping 65534. mountns
/// itself refuses to do this (`Command::uid` with `namespace` fails; see
/// `tests/privileges.rs`): a dumpable child exposes the parent's memory and
/// descriptors to uid 65534 until exec. This test process holds nothing secret and no
/// other uid-65534 process watches it.
pub fn as_user(command: &mut Command, user: User) -> &mut Command {
    assert!(
        is_root() || user == User::Nobody,
        "only root runs commands as root"
    );
    if user == User::Nobody && is_root() {
        command.uid(65534).gid(65534);
        // SAFETY: the hook makes one prctl system call; it allocates nothing and takes
        // no lock.
        unsafe {
            command.pre_exec(|| {
                rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::Dumpable)
                    .map_err(io::Error::from)
            });
        }
    }
    command
}

#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
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

static FIXTURES: AtomicUsize = AtomicUsize::new(0);

/// A directory of host files, /tmp/mountns-test-<pid>-<n>, readable by uid 65534;
/// removed on drop.
pub struct Fixture {
    root: PathBuf,
}

impl Fixture {
    /// The directory `root`, under /tmp, made afresh and readable by uid 65534 from
    /// /tmp down: for the sources a declaration names.
    pub fn at(root: &str) -> Fixture {
        let root = PathBuf::from(root);
        assert!(root.starts_with("/tmp/"), "{}", root.display());
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).unwrap();
        let mut dir = root.as_path();
        while dir != Path::new("/tmp") {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).unwrap();
            dir = dir.parent().unwrap();
        }
        Fixture { root }
    }

    pub fn new() -> Fixture {
        let n = FIXTURES.fetch_add(1, Ordering::Relaxed);
        let root = PathBuf::from(format!("/tmp/mountns-test-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir(&root).unwrap();
        fs::set_permissions(&root, fs::Permissions::from_mode(0o755)).unwrap();
        Fixture { root }
    }

    pub fn path(&self, rel: &str) -> String {
        self.root.join(rel).to_str().unwrap().to_owned()
    }

    /// Creates the directory `rel` (and its parents), 0755.
    pub fn dir(&self, rel: &str) -> String {
        let path = self.root.join(rel);
        fs::create_dir_all(&path).unwrap();
        let mut dir = path.as_path();
        while dir != self.root {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).unwrap();
            dir = dir.parent().unwrap();
        }
        path.to_str().unwrap().to_owned()
    }

    /// Gives `rel` (a file 0666, a directory 0777) to [`User::Nobody`], writable by
    /// all: what both users may change through a writable union. That user must own it
    /// (copy-up in a user namespace fails with EOVERFLOW for a file whose owner is not
    /// mapped, root's), and root inside holds no capability (`CAP_DAC_OVERRIDE`
    /// neither).
    pub fn share(&self, rel: &str) {
        let path = self.root.join(rel);
        std::os::unix::fs::chown(&path, Some(nobody()), Some(nobody())).unwrap();
        let mode = if path.is_dir() { 0o777 } else { 0o666 };
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
    }

    /// Creates the file `rel` with `contents`, 0644, and its directory.
    pub fn file(&self, rel: &str, contents: &str) -> String {
        if let Some(parent) = Path::new(rel).parent()
            && !parent.as_os_str().is_empty()
        {
            self.dir(parent.to_str().unwrap());
        }
        let path = self.root.join(rel);
        fs::write(&path, contents).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        path.to_str().unwrap().to_owned()
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
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

/// A copy of this test binary that uid 65534 may execute, in `fixture`. Copied by `cp`,
/// not by this process: a child that another thread forks while the copy is open for
/// writing would hold it open until it executes, and the kernel refuses to execute a
/// file open for writing (ETXTBSY).
pub fn launcher(fixture: &Fixture) -> String {
    let launcher = fixture.path("launcher");
    let copied = Command::new("cp")
        .arg(std::env::current_exe().unwrap())
        .arg(&launcher)
        .status()
        .unwrap();
    assert!(copied.success(), "cp of the test binary: {copied}");
    fs::set_permissions(&launcher, fs::Permissions::from_mode(0o755)).unwrap();
    launcher
}

/// Creates the fixed directory `root` (a path that `namespace!` declarations name, so
/// not per process, and left in place) with the directory `dir` and the file `file` in
/// it, all readable by uid 65534.
pub fn fixed_fixtures(root: &str, dir: &str, file: &str) {
    let dir = format!("{root}/{dir}");
    fs::create_dir_all(&dir).unwrap();
    let file = format!("{root}/{file}");
    fs::write(&file, "a file\n").unwrap();
    for (path, mode) in [(root, 0o755), (&dir, 0o755), (&file, 0o644)] {
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }
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

/// A child's status and output, for a failing assertion's message.
pub fn described(output: &std::process::Output) -> String {
    format!(
        "{}\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
