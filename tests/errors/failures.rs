//! Setup steps that fail for real causes (`tests/faults/` injects the others): the
//! error names the step, the entry and the errno, and the command never runs.

use std::process::Command;

use mountns::{CommandExt, Namespace, namespace};
use mountns_support::{
    Fixture, USERS, launcher, rerun_line, role, root_or_skip, spawn_error,
    where_user_namespaces_are_refused,
};

namespace! {
    /// Three mountpoints to create in a tmpfs with room for two inodes (its root and
    /// one directory).
    static TINY = {
        bind "/t/" tmpfs("nr_inodes=2");
        bind "/t/a/" tmpfs;
        bind "/t/b/" tmpfs;
    };

    static NEEDS_USERNS = {
        bind ro "/usr/";
    };
}

#[test]
fn a_full_tmpfs_stops_at_the_mountpoint_it_cannot_create() {
    let fixture = Fixture::new();
    for user in USERS {
        let (error, stderr) = spawn_error(&TINY, user, &fixture);
        assert_eq!(error.raw_os_error(), Some(28), "as {user:?}: {error}"); // ENOSPC
        assert!(
            stderr.contains("tmpfs on \"/t/b\": open mountpoint: No space left on device"),
            "as {user:?}: {stderr}"
        );
    }
}

/// The child of `refused_user_namespaces_are_reported`, run as uid 65534 in a user
/// namespace whose `max_user_namespaces` is 0.
fn launch() {
    let error = Command::new("/bin/true")
        .namespace(&NEEDS_USERNS)
        .status()
        .expect_err("entering must fail");
    println!("errno={}", error.raw_os_error().unwrap_or(0));
}

#[test]
fn refused_user_namespaces_are_reported() {
    if role().as_deref() == Some("launch") {
        return launch();
    }
    if !root_or_skip("it makes a user namespace that refuses others, as root") {
        return;
    }
    let fixture = Fixture::new();
    let run = rerun_line(
        &launcher(&fixture),
        "refused_user_namespaces_are_reported",
        "launch",
    );
    let output = where_user_namespaces_are_refused(&format!(
        "exec setpriv --reuid=65534 --regid=65534 --clear-groups {run}"
    ));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{output:?}");
    assert!(stdout.contains("errno=28"), "{stdout}"); // ENOSPC: the limit is 0
    assert!(
        stderr.contains("create a user and mount namespace")
            && stderr.contains("refuses unprivileged user namespaces"),
        "{stderr}"
    );
}

#[test]
fn a_file_among_union_layers_is_named() {
    static FILE_LAYER: &Namespace = namespace! {
        bind "/u/" ["/usr/", "/etc/passwd"];
    };
    let fixture = Fixture::new();
    for user in USERS {
        let (error, stderr) = spawn_error(FILE_LAYER, user, &fixture);
        assert_eq!(error.raw_os_error(), Some(20), "as {user:?}: {error}"); // ENOTDIR
        assert!(stderr.contains("\"/etc/passwd\""), "as {user:?}: {stderr}");
    }
}
