//! Whole tables entered for real in a child process, as root and as uid/gid 65534:
//! `MINIMAL`, the README's sandbox, includes across crates, the new root's flags, and
//! what entering leaves alone (the host's mounts, other threads' umask). What a
//! process inside sees.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use mountns::{CommandExt, Namespace, namespace};
use mountns_support::{
    Run, USERS, User, as_user, nobody, rerun, role, root_or_skip, sh, spawn_error, this_binary,
};

/// Host files the declarations below name; each test writes its own subdirectory.
const FIXTURES: &str = "/tmp/mountns-it";

namespace! {
    /// The README's example, on fixture directories.
    static SANDBOX = {
        include mountns_support::profiles::SYSTEM;
        bind "/tmp/" tmpfs("size=10M");
        bind "/etc/" ["/etc/", tmpfs("size=1M")];
        bind "/opt/" ["/tmp/mountns-it/sandbox/a/", "/tmp/mountns-it/sandbox/b/"];
    };

    /// An include chain across crates: TOOLS includes BASE includes MINIMAL.
    static CHAIN = {
        include mountns_support::profiles::TOOLS;
        bind ro ["/bin/", "/lib/", "/lib64/"];
    };
}

/// Creates `FIXTURES/rel` with `contents`, readable by uid 65534.
fn fixture(rel: &str, contents: &str) {
    let path = std::path::Path::new(FIXTURES).join(rel);
    let mut dir = path.parent().unwrap().to_path_buf();
    fs::create_dir_all(&dir).unwrap();
    while dir.as_os_str() != "/tmp" {
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        dir.pop();
    }
    fs::write(&path, contents).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
}

/// The host directories of SANDBOX's union on /opt.
fn sandbox_fixtures() {
    fixture("sandbox/a/both", "from a\n");
    fixture("sandbox/a/only-a", "a\n");
    fixture("sandbox/b/both", "from b\n");
    fixture("sandbox/b/only-b", "b\n");
}

/// Runs `script` as each user and checks it succeeded, printing what it saw.
fn each_user(ns: &'static Namespace, script: &str) -> Vec<Run> {
    USERS
        .into_iter()
        .map(|user| {
            let run = sh(ns, script, user);
            assert_eq!(run.code, Some(0), "as {user:?}: {run:?}");
            run
        })
        .collect()
}

#[test]
fn minimal_gives_devices_proc_time_zones_and_certificates() {
    for run in each_user(
        &mountns_support::profiles::SYSTEM,
        "echo x > /dev/null && test -r /proc/self/status && test -f /usr/share/zoneinfo/Etc/UTC \
         && test -r /etc/localtime && ls /etc/ssl/certs | grep -q . && ls / | tr '\\n' ' '",
    ) {
        assert_eq!(run.stdout, "bin dev etc lib lib64 proc usr ");
    }
}

#[test]
fn the_readme_sandbox_behaves_as_declared() {
    sandbox_fixtures();
    let host_etc: Vec<_> = fs::read_dir("/etc")
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    for user in USERS {
        let run = sh(
            &SANDBOX,
            // /opt: both layers, /srv/a's file on top, read-only. /tmp: a fresh tmpfs of
            // 10M. /etc: the host's files, writable through the tmpfs (the union's root
            // takes its owner from the upper, so uid 65534 may add entries too); /usr
            // read-only.
            "cat /opt/both /opt/only-a /opt/only-b; \
             touch /opt/new 2>/dev/null && echo opt-writable; \
             test -z \"$(ls /tmp)\" && df -k /tmp | tail -1 | awk '{print \"tmp\", $2}'; \
             test -f /etc/passwd && echo etc-has-passwd; \
             mkdir /etc/mountns-new-dir && echo etc-dir-made; \
             touch /usr/x 2>&1 | grep -q 'Read-only' && echo usr-read-only",
            user,
        );
        assert_eq!(run.code, Some(0), "{run:?}");
        assert_eq!(
            run.stdout, "from a\na\nb\ntmp 10240\netc-has-passwd\netc-dir-made\nusr-read-only\n",
            "as {user:?}: {run:?}"
        );
    }
    // The union's writes stayed in its tmpfs.
    assert!(!fs::exists("/etc/mountns-new-dir").unwrap());
    let after: Vec<_> = fs::read_dir("/etc")
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(host_etc, after);
}

#[test]
fn writes_to_a_writable_union_stay_inside() {
    // A file the unprivileged user owns, writable by all: root inside holds no capability
    // (CAP_DAC_OVERRIDE neither), so it writes only what any user may.
    fixture("union/owned", "host\n");
    for user in USERS {
        static UNION: &Namespace = namespace! {
            include mountns_support::profiles::SYSTEM;
            bind "/work/" ["/tmp/mountns-it/union/", tmpfs("size=1M")];
        };
        let owner = Some(nobody());
        std::os::unix::fs::chown(format!("{FIXTURES}/union/owned"), owner, owner).unwrap();
        fs::set_permissions(
            format!("{FIXTURES}/union/owned"),
            fs::Permissions::from_mode(0o666),
        )
        .unwrap();
        fs::set_permissions(
            format!("{FIXTURES}/union"),
            fs::Permissions::from_mode(0o777),
        )
        .unwrap();
        let run = sh(
            UNION,
            "echo inside > /work/owned && echo new > /work/new && cat /work/owned /work/new",
            user,
        );
        assert_eq!(run.code, Some(0), "as {user:?}: {run:?}");
        assert_eq!(run.stdout, "inside\nnew\n");
        assert_eq!(
            fs::read_to_string(format!("{FIXTURES}/union/owned")).unwrap(),
            "host\n"
        );
        assert!(!fs::exists(format!("{FIXTURES}/union/new")).unwrap());
    }
}

#[test]
fn an_include_chain_across_crates_is_entered_whole() {
    for run in each_user(
        &CHAIN,
        // /tools is the profile's constant source (/usr/bin); /scratch its tmpfs;
        // /etc read-only from BASE; /dev from MINIMAL.
        "/tools/sh -c 'echo ok' && echo s > /scratch/f && cat /scratch/f && \
         { touch /etc/x 2>/dev/null || echo etc-read-only; } && test -c /dev/null && echo dev",
    ) {
        assert_eq!(run.stdout, "ok\ns\netc-read-only\ndev\n");
    }
}

#[test]
fn current_dir_is_kept_inside() {
    for user in USERS {
        let mut command = Command::new("/bin/pwd");
        command.current_dir("/usr/share");
        as_user(&mut command, user).namespace(&mountns_support::profiles::SYSTEM);
        let output = command.output().unwrap();
        assert!(output.status.success(), "{output:?}");
        assert_eq!(String::from_utf8_lossy(&output.stdout), "/usr/share\n");
    }
}

#[test]
fn a_missing_source_names_itself() {
    static MISSING: &Namespace = namespace! {
        include mountns_support::profiles::SYSTEM;
        bind "/data/" "/tmp/mountns-it/no-such-source";
    };
    let fixture = mountns_support::Fixture::new();
    for user in USERS {
        let (error, stderr) = spawn_error(MISSING, user, &fixture);
        // std hands the parent only the errno; the child says the rest on its stderr.
        assert_eq!(error.raw_os_error(), Some(2), "{error}");
        assert!(
            stderr.contains("\"/tmp/mountns-it/no-such-source\"")
                && stderr.contains("\"/data\"")
                && stderr.contains("No such file or directory"),
            "as {user:?}: {stderr}"
        );
    }
}

#[test]
fn the_host_mount_table_is_unchanged() {
    sandbox_fixtures();
    let before = fs::read_to_string("/proc/self/mountinfo").unwrap();
    for user in USERS {
        sh(&SANDBOX, "true", user);
        sh(&CHAIN, "true", user);
    }
    assert_eq!(fs::read_to_string("/proc/self/mountinfo").unwrap(), before);
}

#[test]
fn a_union_layer_reached_through_an_absolute_symlink_is_the_hosts() {
    // Layers go to overlayfs as descriptors opened under the host's root: an absolute
    // link in a layer's path means what it means on the host (by path, it would be
    // resolved against the scratch root and not be found).
    fixture("abs/real/file", "real\n");
    let link = format!("{FIXTURES}/abs/link");
    let _ = fs::remove_file(&link);
    std::os::unix::fs::symlink(format!("{FIXTURES}/abs/real"), &link).unwrap();
    static LINKED: &Namespace = namespace! {
        include mountns_support::profiles::SYSTEM;
        bind "/layers/" ["/tmp/mountns-it/abs/link/", "/usr/share/zoneinfo/"];
    };
    for run in each_user(
        LINKED,
        "cat /layers/file && test -d /layers/Etc && echo both",
    ) {
        assert_eq!(run.stdout, "real\nboth\n");
    }
}

#[test]
fn entering_leaves_the_umask_of_other_threads_alone() {
    if role().as_deref() == Some("umask") {
        // A child of the test, root and multithreaded: only this thread enters.
        use rustix::fs::Mode;
        use rustix::process::umask;
        umask(Mode::from_raw_mode(0o027));
        let (go, wait) = std::sync::mpsc::channel::<()>();
        let other = std::thread::spawn(move || {
            wait.recv().unwrap();
            umask(Mode::from_raw_mode(0o027)).as_raw_mode()
        });
        // `enter` keeps this process: a table without a pid namespace (no `proc`).
        let files = mountns::namespace! { bind ro ["/usr/", "/bin/", "/lib/", "/lib64/"]; };
        files.enter().unwrap();
        go.send(()).unwrap();
        let other = other.join().unwrap();
        let own = umask(Mode::from_raw_mode(0o027)).as_raw_mode();
        println!("umask other={other:o} own={own:o}");
        return;
    }
    if !root_or_skip("without root, entering in a process of several threads is refused") {
        return;
    }
    let output = rerun(
        this_binary(),
        "entering_leaves_the_umask_of_other_threads_alone",
        "umask",
    )
    .output()
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    assert!(stdout.contains("umask other=27 own=27\n"), "{output:?}");
}

#[test]
fn the_new_root_is_read_only_and_declared_places_stay_writable() {
    sandbox_fixtures();
    for run in each_user(
        &SANDBOX,
        "for make in touch mkdir; do \
           $make /new 2>&1 | grep -q 'Read-only file system' && echo $make-refused; \
         done; ls /new 2>/dev/null; \
         touch /tmp/ok && echo tmp-writable; touch /etc/ok && echo etc-writable; \
         awk '$5 == \"/\" { split($6, o, \",\"); print o[1] }' /proc/self/mountinfo",
    ) {
        assert_eq!(
            run.stdout,
            "touch-refused\nmkdir-refused\ntmp-writable\netc-writable\nro\n"
        );
    }
}

#[test]
fn a_thread_with_a_32_kib_stack_can_spawn_into_a_namespace() {
    static MISSING: &Namespace = namespace! {
        include mountns_support::profiles::SYSTEM;
        bind "/data/" "/tmp/mountns-it/no-such-source";
    };
    sandbox_fixtures();
    for user in USERS {
        let spawned = std::thread::Builder::new()
            .stack_size(32 * 1024)
            .spawn(move || {
                let mut command = Command::new("/bin/sh");
                command.args(["-c", "cat /opt/both"]);
                let run = as_user(&mut command, user).namespace(&SANDBOX).output();
                let mut command = Command::new("/bin/true");
                let missing = as_user(&mut command, user)
                    .namespace(MISSING)
                    .stderr(std::process::Stdio::null())
                    .status();
                (
                    run.map(|o| (o.status.code(), o.stdout)),
                    missing.map_err(|e| e.raw_os_error()),
                )
            })
            .unwrap()
            .join()
            .unwrap();
        let (run, missing) = spawned;
        assert_eq!(run.unwrap(), (Some(0), b"from a\n".to_vec()), "{user:?}");
        // An error, never a signal.
        assert_eq!(missing.unwrap_err(), Some(2), "{user:?}");
    }
}

/// What a user without root may write in a writable union: what is theirs. Each write,
/// and what it ends with.
const UNION_WRITES: &[(&str, &str)] = &[
    ("touch /w/new", "ok"),
    ("touch /w/own/new", "ok"),
    ("echo more >> /w/own/mine", "ok"),
    ("mkdir /w/own/dir", "ok"),
    ("rm /w/own/mine", "ok"),
    // Root's, which the user namespace does not map: its permissions refuse, or else
    // overlayfs cannot copy it up under an owner it cannot write.
    ("touch /w/root/new", "Permission denied"),
    ("echo more >> /w/root/file", "Permission denied"),
    ("rm /w/root/file", "Permission denied"),
    (
        "echo more >> /w/root/shared",
        "Value too large for defined data type",
    ),
    (
        "touch /w/sticky/new",
        "Value too large for defined data type",
    ),
    (
        "echo more >> /w/root/yours",
        "Value too large for defined data type",
    ),
];

#[test]
fn without_root_a_writable_union_takes_writes_to_what_is_the_users() {
    static WRITABLE: &Namespace = namespace! {
        include mountns_support::profiles::SYSTEM;
        bind "/w/" ["/tmp/mountns-it/writes/", tmpfs("size=1M")];
    };
    let fixture = mountns_support::Fixture::at(&format!("{FIXTURES}/writes"));
    fixture.file("own/mine", "mine\n");
    for path in ["own", "own/mine"] {
        fixture.share(path);
    }
    fs::set_permissions(fixture.path("own"), fs::Permissions::from_mode(0o755)).unwrap();
    let writes = if root_or_skip("the writes to root's files, which only root makes") {
        fixture.file("root/file", "root's\n");
        fixture.file("root/shared", "root's, writable by all\n");
        fs::set_permissions(
            fixture.path("root/shared"),
            fs::Permissions::from_mode(0o666),
        )
        .unwrap();
        fixture.file("root/yours", "yours, in root's directory\n");
        let owner = Some(nobody());
        std::os::unix::fs::chown(fixture.path("root/yours"), owner, owner).unwrap();
        fixture.dir("sticky");
        fs::set_permissions(fixture.path("sticky"), fs::Permissions::from_mode(0o1777)).unwrap();
        UNION_WRITES
    } else {
        &UNION_WRITES[..5]
    };
    let script = writes
        .iter()
        .map(|(write, _)| format!("({write}) 2>&1 && echo ok"))
        .collect::<Vec<_>>()
        .join("; ");
    let run = sh(WRITABLE, &script, User::Nobody);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), writes.len(), "{run:#?}");
    for ((write, ends), line) in writes.iter().zip(lines) {
        assert!(line.ends_with(ends), "{write}: {line}");
    }
    // Nothing reached the host.
    assert_eq!(
        fs::read_to_string(fixture.path("own/mine")).unwrap(),
        "mine\n"
    );
}
