//! Root inside is not root outside. The program of every table holds no capability
//! (bounding, inheritable, permitted, effective and ambient sets empty, securebits
//! locked) on every route, as root and as uid 65534, unless the table keeps some with
//! `caps [..]`; pid 1 of a pid table holds none either. The attacks of a root program
//! (make a disk's node and mount it, unmount `/proc`'s covers, load a module, set the
//! host name, chown, kill pid 1, set-user-id programs) all fail. The table chooses the
//! ids inside (`uid`, `gid`, `groups`); the program gets a session keyring of its own;
//! it dies with the process that launched it, pid namespace or not; a launcher that is
//! set-id refuses to run. `Namespace::exec` and `Namespace::enter`, which need a
//! single-threaded process, are checked in `tests/processes/in_place.rs`.

use std::fs;
use std::io::Read as _;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use mountns::{CommandExt as _, Ids, Step, namespace};
use mountns_support::{
    BASE, Fixture, ROLE, USERS, User, alone, as_user, described, is_root, launcher, nobody, rerun,
    role, root_or_skip, sh, spawn_copy, within,
};

use mountns_support::profiles::readme::BOX;

const FIXTURES: &str = "/tmp/mountns-caps";

namespace! {
    /// Without a pid namespace: `Namespace::enter` takes it, and the program is the
    /// process that entered. The fixtures' directory is bound, writable.
    static PLAIN = {
        include BASE;
        bind "/proc/";
        bind "/out/" "/tmp/mountns-caps/out/";
    };

    /// The sandbox, keeping the capability to bind ports below 1024.
    static KEEP_BIND = {
        include BOX;
        caps [net_bind_service];
    };

    /// Every capability kept.
    static KEEP_ALL = {
        include PLAIN;
        caps [all];
    };

    /// Root inside: without root, the caller is mapped to uid and gid 0.
    static ROOT_INSIDE = {
        include PLAIN;
        uid 0;
        gid 0;
    };

    /// Another user inside, with groups: as root only.
    static USER_1000 = {
        include PLAIN;
        uid 1000;
        gid 1000;
        groups [100, 27];
    };

    /// Another user inside, without groups: root switches, others are mapped.
    static UID_1000 = {
        include PLAIN;
        uid 1000;
        gid 1000;
    };
}

/// Python that prints the process's capability sets and securebits, then pid 1's sets
/// if `/proc/1` is of its pid namespace.
const SETS: &str = "
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
print('securebits', libc.prctl(27, 0, 0, 0, 0))
def sets(pid):
    for line in open(f'/proc/{pid}/status'):
        if line.startswith('Cap'):
            name, value = line.split()
            print(pid, name, value)
sets('self')
import sys
if len(sys.argv) > 1:
    sets(1)
";

/// Each set empty, and every securebit of ours set and locked: `NO_ROOT`,
/// `NO_SETUID_FIXUP` and `NO_CAP_AMBIENT_RAISE`, each with its lock (0xcf).
const NONE: &str = "securebits 207\nself CapInh: 0000000000000000\n\
    self CapPrm: 0000000000000000\nself CapEff: 0000000000000000\n\
    self CapBnd: 0000000000000000\nself CapAmb: 0000000000000000\n";

/// pid 1's sets, empty: the kernel shows no bounding set of another process as ours.
const PID_1_NONE: &str = "1 CapInh: 0000000000000000\n1 CapPrm: 0000000000000000\n\
    1 CapEff: 0000000000000000\n1 CapBnd: 0000000000000000\n1 CapAmb: 0000000000000000\n";

fn python(script: &str, user: User) -> Command {
    let mut command = Command::new("/usr/bin/python3");
    command.args(["-c", script]);
    as_user(&mut command, user);
    command
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "{}", described(output));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn out_dir() -> String {
    let out = format!("{FIXTURES}/out");
    fs::create_dir_all(&out).unwrap();
    for dir in [FIXTURES, &out] {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o777)).unwrap();
    }
    out
}

#[test]
fn no_capability_is_left_on_any_route() {
    out_dir();
    for user in USERS {
        let with_pid_1 = format!("{NONE}{PID_1_NONE}");
        let sets = || {
            let mut command = python(SETS, user);
            command.arg("pid");
            command
        };
        let spawned = sets().stdout(Stdio::piped()).spawn_in(&BOX).unwrap();
        let routes = [
            ("spawn_in", spawned.wait_with_output().unwrap()),
            ("output_in", sets().output_in(&BOX).unwrap()),
            ("namespace", sets().namespace(&BOX).output().unwrap()),
        ];
        for (route, output) in routes {
            assert_eq!(stdout(&output), with_pid_1, "{route} as {user:?}");
        }
        // Without a pid namespace the program is the process that entered.
        let output = python(SETS, user).output_in(&PLAIN).unwrap();
        assert_eq!(stdout(&output), NONE, "no pid namespace, as {user:?}");
    }
    // namespace_as: the program and pid 1 under another uid, nothing kept.
    if !root_or_skip("namespace_as, which switches to uid 65534") {
        return;
    }
    let mut command = python(SETS, User::Root);
    command.arg("pid");
    let output = command.output_in_as(&BOX, Ids::new(65534, 65534)).unwrap();
    assert_eq!(stdout(&output), format!("{NONE}{PID_1_NONE}"));
}

/// Python that tries what root outside may do and root inside must not: each attempt
/// and its errno (0: it worked).
const ATTACKS: &str = r"
import ctypes, os, shutil, stat
libc = ctypes.CDLL(None, use_errno=True)
def tried(name, result):
    print(name, 0 if result == 0 else ctypes.get_errno())
def errno_of(call):
    try:
        call()
        return 0
    except OSError as error:
        return error.errno
tried('mknod', libc.mknod(b'/tmp/sda', stat.S_IFBLK | 0o600, os.makedev(8, 0)))
os.mkdir('/tmp/mnt')
tried('mount', libc.mount(b'none', b'/tmp/mnt', b'tmpfs', 0, None))
tried('umount', libc.umount2(b'/proc/sys', 0))
tried('sethostname', libc.sethostname(b'escaped', 7))
open('/tmp/file', 'w').close()
print('chown', errno_of(lambda: os.chown('/tmp/file', 1000, 1000)))
print('core_pattern', errno_of(lambda: open('/proc/sys/kernel/core_pattern', 'w').write('|/tmp/x')))
tried('finit_module', libc.syscall(313, -1, b'', 0))
tried('clock_settime', libc.clock_settime(0, ctypes.byref((ctypes.c_long * 2)(0, 0))))
tried('setuid', libc.setuid(1000))
# A set-user-id root program, made here: it gains nothing.
shutil.copy('/usr/bin/cat', '/tmp/cat')
os.chmod('/tmp/cat', 0o4755)
line = [l for l in os.popen('/tmp/cat /proc/self/status') if l.startswith('CapEff')][0]
print('setuid-program', line.split()[1])
os.kill(1, 9)
print('pid 1', 'alive' if os.path.exists('/proc/1') else 'gone')
";

#[test]
fn roots_attacks_fail_inside() {
    // A kernel built without modules has no call to load one (ENOSYS).
    let modules = if fs::exists("/proc/modules").unwrap() {
        1
    } else {
        38
    };
    for user in USERS {
        let output = python(ATTACKS, user).output_in(&BOX).unwrap();
        // uid 1000 does not exist in uid 65534's user namespace (EINVAL).
        let other_user = if user == User::Root { 1 } else { 22 };
        assert_eq!(
            stdout(&output),
            // EPERM everywhere but the read-only cover of /proc/sys (EROFS), and pid 1,
            // which the kernel shields from SIGKILL sent from inside its namespace.
            format!(
                "mknod 1\nmount 1\numount 1\nsethostname 1\nchown {other_user}\n\
                 core_pattern 30\nfinit_module {modules}\nclock_settime 1\n\
                 setuid {other_user}\nsetuid-program 0000000000000000\npid 1 alive\n"
            ),
            "{user:?}"
        );
    }
}

/// Python that binds port 80 of the sandbox's own network and tries a mount.
const BIND_80: &str = "
import ctypes, os, socket
libc = ctypes.CDLL(None, use_errno=True)
server = socket.socket()
server.bind(('127.0.0.1', 80))
print('bound', server.getsockname()[1])
os.mkdir('/tmp/mnt')
print('mount', 0 if libc.mount(b'none', b'/tmp/mnt', b'tmpfs', 0, None) == 0 else ctypes.get_errno())
for line in open('/proc/self/status'):
    if line.startswith(('CapEff', 'CapBnd', 'CapAmb')):
        print(*line.split())
";

#[test]
fn kept_capabilities_work_and_only_they() {
    // KEEP_ALL binds the fixtures' directory: made here, not left to another test.
    out_dir();
    for user in USERS {
        let output = python(BIND_80, user).output_in(&KEEP_BIND).unwrap();
        assert_eq!(
            stdout(&output),
            "bound 80\nmount 1\nCapEff: 0000000000000400\nCapBnd: 0000000000000400\n\
             CapAmb: 0000000000000400\n",
            "{user:?}"
        );
        let output = python(BIND_80, user).output_in(&BOX).unwrap();
        assert!(!output.status.success(), "{user:?}: {}", described(&output));
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("PermissionError"),
            "{user:?}: {}",
            described(&output)
        );
    }
    // `all`: every capability root holds (this test's, which may lack some), or the
    // sandbox's user namespace gives (all the kernel has).
    let held = |status: &str, set: &str| {
        let line = status.lines().find(|l| l.starts_with(set)).unwrap();
        u64::from_str_radix(line.split_whitespace().last().unwrap(), 16).unwrap()
    };
    let ours = held(&fs::read_to_string("/proc/self/status").unwrap(), "CapPrm:");
    let last = fs::read_to_string("/proc/sys/kernel/cap_last_cap").unwrap();
    let every = (1u64 << (last.trim().parse::<u32>().unwrap() + 1)) - 1;
    for user in USERS {
        let output = python(SETS, user).output_in(&KEEP_ALL).unwrap();
        let sets = stdout(&output);
        let all = if user == User::Root { ours } else { every };
        for set in ["CapPrm", "CapEff", "CapAmb"] {
            let kept = held(&sets.replace("self ", ""), &format!("{set}:"));
            assert_eq!(kept, all, "{set} as {user:?}: {sets}");
        }
    }
    assert_eq!(KEEP_BIND.caps().to_string(), "net_bind_service");
    assert!(KEEP_ALL.caps().is_all());
    assert!(format!("{KEEP_BIND}").contains("\ncaps net_bind_service\n"));
}

#[test]
fn the_table_chooses_the_ids_inside() {
    let out = out_dir();
    let script = "id -u; id -g; touch /out/made-$(id -u) && echo made; \
                  grep -E '^CapEff' /proc/self/status";
    // uid 65534 mapped to root inside: root to a build that insists, its files the
    // caller's outside; no capability of the host's.
    let made = format!("{out}/made-0");
    let _ = fs::remove_file(&made);
    let run = sh(&ROOT_INSIDE, script, User::Nobody);
    assert_eq!(
        run.stdout, "0\n0\nmade\nCapEff:\t0000000000000000\n",
        "{run:?}"
    );
    let owner = fs::metadata(&made).unwrap();
    assert_eq!((owner.uid(), owner.gid()), (nobody(), nobody()));
    // Root stays uid 0, without capabilities.
    if !root_or_skip("root's cases: uid 0 and the ids root switches to") {
        return;
    }
    fs::remove_file(&made).unwrap();
    let run = sh(&ROOT_INSIDE, script, User::Root);
    assert_eq!(run.stdout, "0\n0\nmade\nCapEff:\t0000000000000000\n");
    // Another user: root switches to it (groups as chosen), uid 65534 is mapped to it.
    let script = "id -u; id -g; id -G; grep -E '^CapEff' /proc/self/status";
    let run = sh(&USER_1000, script, User::Root);
    assert_eq!(
        run.stdout, "1000\n1000\n1000 27 100\nCapEff:\t0000000000000000\n",
        "{run:?}"
    );
    let run = sh(&UID_1000, "id -u; id -g; id -G", User::Root);
    assert_eq!(run.stdout, "1000\n1000\n1000\n", "no groups: {run:?}");
    let run = sh(&UID_1000, "id -u; id -g", User::Nobody);
    assert_eq!(run.stdout, "1000\n1000\n", "{run:?}");
    // Supplementary groups need root: a user namespace keeps the caller's own.
    let mut command = Command::new("/bin/true");
    let error = as_user(&mut command, User::Nobody)
        .status_in(&USER_1000)
        .unwrap_err();
    let error = error
        .get_ref()
        .and_then(|e| e.downcast_ref::<mountns::Error>())
        .copied()
        .unwrap();
    assert_eq!(error.step(), Step::Ids);
    assert!(error.to_string().contains("only root can set"), "{error}");
    // Chosen in the table and by namespace_as: refused, both named.
    let error = Command::new("/bin/true")
        .status_in_as(&UID_1000, Ids::new(2000, 2000))
        .unwrap_err();
    assert!(
        error.to_string().contains("so does namespace_as"),
        "{error}"
    );
}

#[test]
fn enter_as_refuses_a_multithreaded_process() {
    // This test process has the harness's threads: refused before anything happens
    // (without root, refused sooner: switching ids needs root).
    let error = PLAIN.enter_as(&Ids::new(65534, 65534)).unwrap_err();
    assert_eq!(error.step(), Step::Ids);
    let message = error.to_string();
    let why = if is_root() {
        "threads"
    } else {
        "switching to other ids needs root"
    };
    assert!(
        message.contains(why) && message.contains("CommandExt::namespace_as"),
        "{message}"
    );
}

/// Whether the lock on `path` is free now.
fn lock_is_free(path: &str) -> bool {
    Command::new("flock")
        .args(["--nonblock", path, "true"])
        .status()
        .unwrap()
        .success()
}

#[test]
fn the_program_dies_with_its_launcher_without_a_pid_namespace() {
    if role().as_deref() == Some("launcher") {
        // The program holds the lock until it dies; its launcher (this process) is
        // killed first.
        let _ = Command::new("/usr/bin/python3")
            .args([
                "-c",
                "import fcntl, time; lock = open('/out/lock', 'w'); \
                 fcntl.flock(lock, fcntl.LOCK_EX); time.sleep(100)",
            ])
            .status_in(&PLAIN);
        return;
    }
    let out = out_dir();
    let lock = format!("{out}/lock");
    let fixture = Fixture::new();
    for user in USERS {
        fs::write(&lock, "").unwrap();
        fs::set_permissions(&lock, fs::Permissions::from_mode(0o666)).unwrap();
        let mut command = rerun(
            launcher(&fixture),
            "the_program_dies_with_its_launcher_without_a_pid_namespace",
            "launcher",
        );
        let mut launcher = spawn_copy(as_user(&mut command, user).stdout(Stdio::null()));
        assert!(
            within(Duration::from_secs(10), || !lock_is_free(&lock)),
            "{user:?}: the program did not take the lock"
        );
        launcher.kill().unwrap();
        launcher.wait().unwrap();
        assert!(
            within(Duration::from_secs(1), || lock_is_free(&lock)),
            "{user:?}: the program outlived its launcher"
        );
    }
}

/// Python that plants a key in a new session keyring of its own, then executes the
/// rest of its arguments (the session keyring survives exec).
const PLANT: &str = "
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
assert libc.syscall(250, 1, None) > 0
serial = libc.syscall(248, b'user', b'mountns-planted', b'secret', 6, -3)
assert serial > 0, ctypes.get_errno()
os.environ['MOUNTNS_KEY'] = str(serial)
import errno, time
while True:
    try:
        os.execv(sys.argv[1], sys.argv[1:])
    except OSError as error:
        # A fresh copy, maybe still open for writing in a child of another thread.
        if error.errno != errno.ETXTBSY:
            raise
        time.sleep(0.01)
";

/// Python that reads the key `MOUNTNS_KEY`: its text, or the errno.
const READ_KEY: &str = "
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
buffer = ctypes.create_string_buffer(64)
read = libc.syscall(250, 11, int(os.environ['MOUNTNS_KEY']), buffer, 64)
print(buffer.raw[:read].decode() if read >= 0 else ctypes.get_errno())
";

#[test]
fn the_program_gets_a_session_keyring_of_its_own() {
    if role().as_deref() == Some("keyring") {
        // A root launcher whose session keyring holds a key (a systemd service's, a
        // pam_keyinit login's).
        let read = |command: &mut Command| {
            command.args(["-c", READ_KEY]);
            stdout(&command.output().unwrap())
        };
        // Outside any sandbox, a child switched to 65534 possesses the key.
        let mut outside = Command::new("/usr/bin/python3");
        std::os::unix::process::CommandExt::uid(&mut outside, 65534);
        println!("outside {}", read(&mut outside).trim());
        let mut command = Command::new("/usr/bin/python3");
        command.args(["-c", READ_KEY]);
        let output = command.output_in_as(&BOX, Ids::new(65534, 65534)).unwrap();
        println!("namespace_as {}", stdout(&output).trim());
        let output = command.output_in(&BOX).unwrap();
        println!("root {}", stdout(&output).trim());
        return;
    }
    if !root_or_skip("a root launcher switches its program to uid 65534") {
        return;
    }
    let fixture = Fixture::new();
    let mut plant = Command::new("/usr/bin/python3");
    plant.args(["-c", PLANT, &launcher(&fixture)]);
    plant.args(alone("the_program_gets_a_session_keyring_of_its_own"));
    let output = plant.env(ROLE, "keyring").output().unwrap();
    let stdout = stdout(&output);
    // EACCES: the key is no longer possessed, and its owner (root) grants others
    // nothing, itself only to view.
    for line in ["outside secret\n", "namespace_as 13\n", "root 13\n"] {
        assert!(stdout.contains(line), "{line}: {stdout}");
    }
}

#[test]
fn a_set_id_launcher_refuses_to_run() {
    if role().as_deref() == Some("exec") {
        let error = PLAIN.exec(&["/bin/true"]);
        println!("{error}");
        std::process::exit(127);
    }
    if !root_or_skip("only root makes a set-user-id root copy of this test") {
        return;
    }
    let fixture = Fixture::new();
    // A set-user-id root copy of this test binary, which calls Namespace::exec, run by
    // uid 65534.
    let launcher = launcher(&fixture);
    fs::set_permissions(&launcher, fs::Permissions::from_mode(0o4755)).unwrap();
    let mut command = rerun(&launcher, "a_set_id_launcher_refuses_to_run", "exec");
    std::os::unix::process::CommandExt::uid(&mut command, 65534);
    let mut output = String::new();
    let mut child = spawn_copy(command.stdout(Stdio::piped()));
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut output)
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(127), "{output}");
    assert!(
        output.lines().any(|line| line
            .starts_with("mountns: check the launcher's ids: the launcher runs set-user-id")),
        "{output}"
    );
}
