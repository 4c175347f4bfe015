//! `landlock;`: the program reaches files only as the mount table allows, whatever it
//! does to its mounts and through whatever path it finds. Each attack runs in a table
//! with Landlock and in the same table without (the control, where it works), as root
//! and as uid 65534, through `CommandExt`.

use std::fmt::Write as _;
use std::fs;
use std::os::linux::net::SocketAddrExt as _;
use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::net::{SocketAddr, UnixListener};
use std::process::Command;

use mountns::{CommandExt as _, Namespace, namespace};
use mountns_support::{BASE, USERS, User, as_user, fixed_fixtures, host_sleeper, inherit};

/// The host's files of these tests: `host/secret` outside every mount, `data/file`
/// bound read-only, `noexec/true` bound `noexec`.
const ROOT: &str = "/tmp/mountns-landlock";

namespace! {
    /// Without Landlock: the control. The program keeps `CAP_SYS_ADMIN`, which root
    /// (and uid 65534, of its user namespace) could otherwise change its mounts with.
    static OPEN = {
        include BASE;
        include mountns::MINIMAL;
        caps [sys_admin];
        bind ro "/data/" "/tmp/mountns-landlock/data/";
        bind ro noexec "/noexec/" "/tmp/mountns-landlock/noexec/";
        bind "/tmp/" tmpfs;
    };

    static LOCKED = {
        include OPEN;
        landlock;
    };

    /// No pid namespace, the host's /proc: host processes are there to signal.
    static HOST_PIDS = {
        include BASE;
        bind "/proc/";
    };

    static HOST_PIDS_LOCKED = {
        include HOST_PIDS;
        landlock;
    };

    /// A network namespace of the sandbox's own, with Landlock but no port rule; the
    /// program may listen on ports below 1024 (of the network namespace's user
    /// namespace, for uid 65534).
    static NET = {
        include BASE;
        unshare [net];
        caps [net_bind_service];
        landlock;
    };

    static CONNECT_443 = {
        include NET;
        connect [443];
    };

    static BIND_443 = {
        include NET;
        bind_ports [443];
    };

    /// The host's root, read-only, as the new root: a mount on `/` brings its own rule.
    static HOST_ROOT = {
        bind ro "/";
        bind "/tmp/" tmpfs;
        landlock;
    };

    /// What python3, make and gcc need, besides MINIMAL.
    static TOOLS = {
        include mountns::MINIMAL;
        bind ro ["/usr/", "/bin/", "/lib/", "/lib64/"];
        bind "/tmp/" tmpfs;
        landlock;
    };
}

/// The fixtures: `host/secret`, `data/file` (writable by anyone on the host, so that
/// the control can write it as uid 65534 too) and `noexec/true`. Made once: the tests
/// run side by side, and copying `noexec/true` while another test runs it fails
/// (`ETXTBSY`).
fn fixtures() {
    static MADE: std::sync::Once = std::sync::Once::new();
    MADE.call_once(make_fixtures);
}

fn make_fixtures() {
    fixed_fixtures(ROOT, "host", "host/secret");
    fixed_fixtures(ROOT, "data", "data/file");
    fixed_fixtures(ROOT, "noexec", "noexec/placeholder");
    fs::set_permissions(
        format!("{ROOT}/data/file"),
        fs::Permissions::from_mode(0o666),
    )
    .unwrap();
    let program = format!("{ROOT}/noexec/true");
    fs::copy("/usr/bin/true", &program).unwrap();
    fs::set_permissions(&program, fs::Permissions::from_mode(0o755)).unwrap();
}

/// Python run in the namespace: each attempt prints `NAME ok`, or `NAME` and the errno's
/// name.
const ATTEMPTS: &str = r#"
import ctypes, errno, os, sys
libc = ctypes.CDLL(None, use_errno=True)
def attempt(name, call):
    try:
        result = call()
        if result is not None and result < 0:
            raise OSError(ctypes.get_errno(), name)
        print(name, "ok")
    except OSError as error:
        print(name, errno.errorcode[error.errno])
def execute(path):
    pid = os.fork()
    if pid == 0:
        try:
            os.execv(path, [path])
        except OSError as error:
            os._exit(100 + error.errno)
    status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    if status >= 100:
        raise OSError(status - 100, path)
MS_REMOUNT, MS_BIND, MS_RDONLY = 32, 4096, 1
for name in sys.argv[1:]:
    if name == "read-inherited":
        attempt(name, lambda: open("/proc/self/fd/7/secret").read() and None)
    elif name == "write-inherited":
        attempt(name, lambda: open("/proc/self/fd/8/file", "w").write("x") and None)
    elif name == "exec-inherited":
        attempt(name, lambda: execute("/proc/self/fd/9/true"))
    elif name == "write-bind":
        attempt(name, lambda: open("/data/file", "w").write("x") and None)
    elif name == "remount-bind":
        attempt(name, lambda: libc.mount(None, b"/data", None, MS_REMOUNT | MS_BIND, None))
    elif name == "umount-proc-sys":
        attempt(name, lambda: libc.umount2(b"/proc/sys", 0))
    elif name == "exec-noexec":
        attempt(name, lambda: execute("/noexec/true"))
    elif name == "read-bind":
        attempt(name, lambda: open("/data/file").read() and None)
    elif name == "write-tmp":
        attempt(name, lambda: open("/tmp/new", "w").write("x") and os.rename("/tmp/new", "/tmp/renamed"))
    elif name == "read-file-bind":
        attempt(name, lambda: open("/etc/localtime", "rb").read() and None)
    elif name == "list-root":
        attempt(name, lambda: os.listdir("/") and None)
    elif name == "read-proc":
        attempt(name, lambda: open("/proc/self/status").read() and None)
    elif name == "write-proc":
        attempt(name, lambda: open("/proc/self/oom_score_adj", "w").write("0"))
    elif name == "null":
        attempt(name, lambda: open("/dev/null", "w").write("x") and None)
    elif name == "shm":
        attempt(name, lambda: open("/dev/shm/x", "w").write("x") and os.unlink("/dev/shm/x"))
    elif name.startswith("kill:"):
        attempt(name, lambda: os.kill(int(name[5:]), 0))
    elif name.startswith("abstract:"):
        import socket
        attempt(name, lambda: socket.socket(socket.AF_UNIX).connect("\0" + name[9:]))
"#;

/// Runs the attempts `names` in `ns` as `user`, with the host's `host`, `data` and
/// `noexec` directories as the inherited descriptors 7, 8 and 9: what each gave.
fn attempts(ns: &'static Namespace, user: User, names: &[&str]) -> String {
    let mut command = Command::new("/usr/bin/python3");
    command.arg("-c").arg(ATTEMPTS).args(names);
    as_user(&mut command, user);
    let dirs = ["host", "data", "noexec"].map(|dir| format!("{ROOT}/{dir}"));
    let dirs = inherit(&mut command, &dirs.each_ref().map(String::as_str));
    let output = command.output_in(ns).unwrap();
    assert!(output.status.success(), "{user:?} in {ns}: {output:?}");
    drop(dirs);
    String::from_utf8(output.stdout).unwrap()
}

/// Each line of `got` is `NAME RESULT` as `expected` says.
#[track_caller]
fn assert_results(got: &str, expected: &[(&str, &str)], context: &str) {
    let mut lines = String::new();
    for (name, result) in expected {
        let _ = writeln!(lines, "{name} {result}");
    }
    let expected = lines;
    assert_eq!(got, expected, "{context}");
}

#[test]
fn what_the_table_allows_still_works() {
    fixtures();
    for user in USERS {
        let got = attempts(
            &LOCKED,
            user,
            &[
                "read-bind",
                "read-file-bind",
                "write-tmp",
                "list-root",
                "read-proc",
                "null",
                "shm",
            ],
        );
        let ok = [
            ("read-bind", "ok"),
            ("read-file-bind", "ok"),
            ("write-tmp", "ok"),
            ("list-root", "ok"),
            ("read-proc", "ok"),
            ("null", "ok"),
            ("shm", "ok"),
        ];
        assert_results(&got, &ok, &format!("{user:?}"));
        // `proc` is readable only: not even the program's own files take writes.
        let got = attempts(&OPEN, user, &["write-proc"]);
        assert_results(&got, &[("write-proc", "ok")], &format!("{user:?}"));
        let got = attempts(&LOCKED, user, &["write-proc"]);
        assert_results(&got, &[("write-proc", "EACCES")], &format!("{user:?}"));
    }
}

#[test]
fn a_host_file_reached_through_an_inherited_descriptor_is_out_of_reach() {
    fixtures();
    for user in USERS {
        let names = ["read-inherited", "write-inherited", "exec-inherited"];
        // The host's directories, reached through descriptors the caller left open,
        // are the host's: readable, writable (the read-only bind's source too) and
        // executable (the noexec bind's).
        let got = attempts(&OPEN, user, &names);
        let control = [
            ("read-inherited", "ok"),
            ("write-inherited", "ok"),
            ("exec-inherited", "ok"),
        ];
        assert_results(&got, &control, &format!("{user:?} without Landlock"));
        let got = attempts(&LOCKED, user, &names);
        let locked = [
            ("read-inherited", "EACCES"),
            ("write-inherited", "EACCES"),
            ("exec-inherited", "EACCES"),
        ];
        assert_results(&got, &locked, &format!("{user:?} with Landlock"));
    }
    assert_eq!(
        fs::read_to_string(format!("{ROOT}/data/file")).unwrap(),
        "x"
    );
}

#[test]
fn root_inside_cannot_change_the_mounts() {
    fixtures();
    let names = [
        "remount-bind",
        "write-bind",
        "umount-proc-sys",
        "exec-noexec",
    ];
    // Keeping CAP_SYS_ADMIN, the program makes the read-only bind writable again and
    // writes it, and unmounts the read-only cover of /proc/sys: root, and uid 65534 in
    // its user namespace, which made these mounts.
    let control = [
        ("remount-bind", "ok"),
        ("write-bind", "ok"),
        ("umount-proc-sys", "ok"),
        ("exec-noexec", "EACCES"),
    ];
    // Once Landlock holds, the kernel refuses mount and umount even with the
    // capability; the mounts stay as the table made them.
    let locked = [
        ("remount-bind", "EPERM"),
        ("write-bind", "EROFS"),
        ("umount-proc-sys", "EPERM"),
        ("exec-noexec", "EACCES"),
    ];
    for user in USERS {
        let got = attempts(&OPEN, user, &names);
        assert_results(&got, &control, &format!("{user:?} without Landlock"));
        let got = attempts(&LOCKED, user, &names);
        assert_results(&got, &locked, &format!("{user:?} with Landlock"));
    }
}

#[test]
fn host_processes_and_abstract_sockets_are_out_of_scope() {
    fixtures();
    let name = format!("mountns-landlock-{}", std::process::id());
    let address = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
    let _host = UnixListener::bind_addr(&address).unwrap();
    for user in USERS {
        let mut host = host_sleeper(user);
        let kill = format!("kill:{}", host.id());
        let abstract_ = format!("abstract:{name}");
        let names = [kill.as_str(), abstract_.as_str()];
        let got = attempts(&HOST_PIDS, user, &names);
        assert_results(
            &got,
            &[(&kill, "ok"), (&abstract_, "ok")],
            &format!("{user:?}"),
        );
        // Landlock's scopes (ABI 6): a process or socket outside the sandbox's domain.
        let got = attempts(&HOST_PIDS_LOCKED, user, &names);
        assert_results(
            &got,
            &[(&kill, "EPERM"), (&abstract_, "EPERM")],
            &format!("{user:?} with Landlock"),
        );
        host.kill().unwrap();
        host.wait().unwrap();
    }
}

#[test]
fn python_make_and_gcc_run_under_landlock() {
    let script = r#"
set -e
cd /tmp
printf 'int main(void) { return 42; }\n' > answer.c
printf 'answer: answer.c\n\tgcc -o answer answer.c\n' > Makefile
make -s
status=0; ./answer || status=$?
echo "answer $status"
python3 -c 'import json, ssl; print(json.dumps({"python": 3}))'
"#;
    for user in USERS {
        let mut command = Command::new("/bin/sh");
        command.arg("-c").arg(script);
        let output = as_user(&mut command, user).output_in(&TOOLS).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "answer 42\n{\"python\": 3}\n",
            "{user:?}: {output:?}"
        );
        assert!(output.status.success(), "{user:?}: {output:?}");
    }
}

/// Python that listens on 127.0.0.1 port 443 and 8443, then connects to each: `bind
/// PORT` and the errno's name if it could not listen, `connect PORT` and `ok` or the
/// errno's name.
const PORTS: &str = r#"
import errno, socket, sys
listeners = []
for port in (443, 8443):
    try:
        listener = socket.socket()
        listener.bind(("127.0.0.1", port))
        listener.listen()
        listeners.append(listener)
    except OSError as error:
        print("bind", port, errno.errorcode[error.errno])
    try:
        socket.create_connection(("127.0.0.1", port)).close()
        print("connect", port, "ok")
    except OSError as error:
        print("connect", port, errno.errorcode[error.errno])
"#;

#[test]
fn tcp_ports_are_restricted_only_when_listed() {
    for user in USERS {
        let run = |ns: &'static Namespace| {
            let mut command = Command::new("/usr/bin/python3");
            command.args(["-c", PORTS]);
            let output = as_user(&mut command, user).output_in(ns).unwrap();
            assert!(output.status.success(), "{user:?} in {ns}: {output:?}");
            String::from_utf8(output.stdout).unwrap()
        };
        // Port 443 takes CAP_NET_BIND_SERVICE to listen on, which the table keeps.
        let on_443 = "connect 443 ok\n";
        // Without a port rule, TCP is not restricted.
        assert_eq!(run(&NET), format!("{on_443}connect 8443 ok\n"), "{user:?}");
        assert_eq!(
            run(&CONNECT_443),
            format!("{on_443}connect 8443 EACCES\n"),
            "{user:?}"
        );
        assert_eq!(
            run(&BIND_443),
            format!("{on_443}bind 8443 EACCES\nconnect 8443 ECONNREFUSED\n"),
            "{user:?}"
        );
    }
}

#[test]
fn a_mount_on_the_root_is_the_roots_rule() {
    // The host's /dev is there, read-only and nodev: nothing of it opens for writing.
    let script = "cat /etc/hostname > /tmp/h && ls / > /tmp/l && echo x > /tmp/x && \
                  cat /tmp/x && if echo y > /etc/mountns-landlock 2> /tmp/e; then echo wrote; fi";
    for user in USERS {
        let mut command = Command::new("/bin/sh");
        command.arg("-c").arg(script);
        let output = as_user(&mut command, user).output_in(&HOST_ROOT).unwrap();
        assert_eq!(output.stdout, b"x\n", "{user:?}: {output:?}");
        assert!(output.status.success(), "{user:?}: {output:?}");
    }
}
