//! Errors where the errno alone would mislead say why: a missing component of a
//! mountpoint's path, a union layer with mounts below it in a user namespace, and every
//! `EINVAL` that a real cause can produce. As root and as uid 65534 where both apply,
//! in child processes.

use std::fs;
use std::io;
use std::os::unix::process::CommandExt as _;
use std::process::{Command, Stdio};

use mountns::{CommandExt, Ids, Namespace, Reason, Step, force_legacy_unions, namespace};
use mountns_support::{
    USERS, User, as_user, fixed_fixtures, launcher, rerun_line, role, root_or_skip,
};

/// Host files the declarations below name.
const FIXTURES: &str = "/tmp/mountns-hints";

namespace! {
    /// A tmpfs wanted two levels below a bound directory that is empty.
    static DEEP = {
        bind "/w/" "/tmp/mountns-hints/empty/";
        bind "/w/a/b/" tmpfs;
    };

    /// A file wanted right in it.
    static SHALLOW = {
        bind "/w/" "/tmp/mountns-hints/empty/";
        bind "/w/f" "/tmp/mountns-hints/file";
    };

    /// The host's / has mounts below it (/proc, /dev, ...). (/dev, which has too, is
    /// refused as a layer at compile time.)
    static DEV_UNION = {
        include mountns_support::profiles::SYSTEM;
        bind "/u/" ["/", tmpfs];
    };

    /// uid 0 is not mapped in the user namespace of uid 65534.
    static ROOT_OWNED_TMPFS = {
        include mountns_support::profiles::SYSTEM;
        bind "/t/" tmpfs("uid=0");
    };

    static PLAIN = {
        include mountns_support::profiles::SYSTEM;
    };

    /// Made an unbindable mount by `an_unbindable_source_is_bound`, in a namespace of
    /// its own.
    static UNBINDABLE = {
        include mountns_support::profiles::SYSTEM;
        bind "/data/" "/tmp/mountns-hints/empty/";
    };
}

fn fixtures() {
    fixed_fixtures(FIXTURES, "empty", "file");
}

/// Runs `script` in `ns` as `user` through `output_in`.
fn run(ns: &'static Namespace, script: &str, user: User) -> io::Result<std::process::Output> {
    shell(script, user).output_in(ns)
}

fn shell(script: &str, user: User) -> Command {
    let mut command = Command::new("/bin/sh");
    command.args(["-c", script]).stdin(Stdio::null());
    as_user(&mut command, user);
    command
}

/// The `mountns::Error` and the message of a run that must fail to enter.
fn failure(result: io::Result<std::process::Output>, what: &str) -> (mountns::Error, String) {
    let error = match result {
        Ok(output) => panic!("{what}: entered: {output:?}"),
        Err(error) => error,
    };
    let inner = *error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<mountns::Error>())
        .unwrap_or_else(|| panic!("{what}: not a mountns::Error: {error:?}"));
    (inner, error.to_string())
}

/// Checks the step and errno of a failure, and the end of its message.
fn ends_with_hint(error: &mountns::Error, message: &str, step: Step, errno: i32, hint: &str) {
    assert_eq!((error.step(), error.errno()), (step, errno), "{message}");
    assert!(message.ends_with(hint), "{message}");
}

#[test]
fn a_missing_component_of_a_mountpoint_is_named() {
    fixtures();
    for user in USERS {
        let (error, message) = failure(run(&DEEP, "true", user), "deep");
        assert_eq!(
            (error.step(), error.errno()),
            (Step::Mountpoint, 2),
            "{message}"
        );
        assert_eq!(error.reason(), Some(Reason::Missing(b"/w/a")), "{message}");
        assert_eq!(
            message,
            "mountns: tmpfs on \"/w/a/b\": open mountpoint: \"/w/a\" does not exist \
             (No such file or directory (os error 2)); mountns creates mountpoints only in \
             the new root and in tmpfs, never in a host directory: create it in the directory \
             bound above it, or declare a tmpfs there",
            "as {user:?}"
        );
        let (error, message) = failure(run(&SHALLOW, "true", user), "shallow");
        assert_eq!(
            error.reason(),
            Some(Reason::Missing(b"/w/f")),
            "as {user:?}: {message}"
        );
    }
}

#[test]
fn a_union_layer_with_mounts_below_it_is_named_without_root() {
    let mountinfo = fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(
        mountinfo
            .lines()
            .any(|line| line.split(' ').nth(4).is_some_and(|point| point != "/")),
        "this test needs mounts below /: {mountinfo}"
    );
    let root = root_or_skip("root's case, where the union works");
    for legacy in [false, true] {
        force_legacy_unions(legacy);
        // As root, overlayfs clones the layer whole: the union works.
        if root {
            let output = run(&DEV_UNION, "test -d /u/usr/bin", User::Root).unwrap();
            assert!(output.status.success(), "legacy {legacy}: {output:?}");
        }
        let (error, message) = failure(run(&DEV_UNION, "true", User::Nobody), "unprivileged");
        force_legacy_unions(false);
        let step = if legacy {
            Step::UnionLegacy
        } else {
            Step::Union
        };
        assert_eq!((error.step(), error.errno()), (step, 22), "{message}");
        assert_eq!(error.source(), Some(c"/"), "{message}");
        assert!(
            message.starts_with("mountns: union \"/\" on \"/u\": ")
                && message.ends_with(
                    ": Invalid argument (os error 22); a layer with mounts below it (as / or \
                     /dev have) cannot be an overlay layer in a user namespace: the kernel \
                     refuses to clone it without them; bind the directories you need instead, \
                     or enter as root"
                ),
            "legacy {legacy}: {message}"
        );
    }
}

#[test]
fn a_tmpfs_owned_by_an_unmapped_uid_says_so() {
    if root_or_skip("root's case, where the tmpfs is root's") {
        let output = run(&ROOT_OWNED_TMPFS, "stat -c %u /t", User::Root).unwrap();
        assert_eq!(String::from_utf8_lossy(&output.stdout), "0\n", "{output:?}");
    }
    let (error, message) = failure(run(&ROOT_OWNED_TMPFS, "true", User::Nobody), "unprivileged");
    ends_with_hint(
        &error,
        &message,
        Step::Tmpfs,
        22,
        "mount tmpfs: Invalid argument (os error 22); the kernel refused an option of \
             this tmpfs: one it does not know, or, without root, a uid= or gid= other than \
             the caller's own, the only ids its user namespace maps",
    );
}

/// Only root can chroot; uid 65534 in a chroot is refused a user namespace (EPERM)
/// before this step.
#[test]
fn a_root_that_is_not_a_mount_point_says_so() {
    if !root_or_skip("only root can chroot") {
        return;
    }
    fixtures();
    let mut command = shell("true", User::Root);
    // SAFETY: the hook makes one chroot system call; it allocates nothing.
    unsafe {
        command.pre_exec(|| {
            rustix::process::chroot(c"/tmp/mountns-hints/empty").map_err(io::Error::from)
        });
    }
    let (error, message) = failure(command.output_in(&PLAIN), "chroot");
    ends_with_hint(
        &error,
        &message,
        Step::Propagation,
        22,
        "the root directory of this process is not a mount point (it is in a chroot); \
             enter from a process whose root is a mount",
    );
}

#[test]
fn ids_the_kernel_refuses_say_why() {
    if !root_or_skip("only root switches ids (output_in_as)") {
        return;
    }
    let too_many: Vec<u32> = (0..70_000).collect();
    for ids in [
        Ids::new(u32::MAX, u32::MAX),
        Ids::new(65534, u32::MAX),
        Ids::new(65534, 65534).groups(&[u32::MAX]),
        Ids::new(65534, 65534).groups(&too_many),
    ] {
        let what = format!("{}:{}", ids.uid(), ids.gid());
        let result = Command::new("/bin/sh")
            .args(["-c", "id -u; echo ran"])
            .stdin(Stdio::null())
            .output_in_as(&PLAIN, ids);
        let (error, message) = failure(result, &what);
        ends_with_hint(
            &error,
            &message,
            Step::Ids,
            22,
            "an id is -1 (4294967295), which means none, or there are more supplementary \
                 groups than the kernel takes (65536)",
        );
    }
}

#[test]
fn exec_without_a_program_says_so() {
    // Returns before entering anything.
    let error = PLAIN.exec(&[] as &[&str]);
    assert_eq!((error.step(), error.errno()), (Step::Exec, 22));
    assert_eq!(
        error.to_string(),
        "mountns: exec: no program given (argv is empty)"
    );
}

/// The child of `an_unbindable_source_is_bound`, in a mount namespace where the source
/// is an unbindable mount: enters as each user.
fn bind_the_unbindable() {
    for user in USERS {
        match run(&UNBINDABLE, "ls -a /data | tr '\\n' ' '", user) {
            Ok(output) => println!("{user:?}: {}", String::from_utf8_lossy(&output.stdout)),
            Err(error) => println!("{user:?}: {error}"),
        }
    }
}

/// The clone of a bind fails with EINVAL on an unbindable source, but never here:
/// entering first makes every mount private, which makes it bindable again.
#[test]
fn an_unbindable_source_is_bound() {
    if role().as_deref() == Some("unbindable") {
        return bind_the_unbindable();
    }
    if !root_or_skip("it makes a mount unbindable, in a mount namespace of root's") {
        return;
    }
    fixtures();
    let fixture = mountns_support::Fixture::new();
    let again = rerun_line(
        &launcher(&fixture),
        "an_unbindable_source_is_bound",
        "unbindable",
    );
    let source = format!("{FIXTURES}/empty");
    let output = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c"])
        .arg(format!(
            "mount --bind {source} {source} && mount --make-unbindable {source} && \
             grep -q ' {source} .*unbindable' /proc/self/mountinfo && \
             exec {again}"
        ))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    for user in USERS {
        assert!(stdout.contains(&format!("{user:?}: . .. \n")), "{stdout}");
    }
}
