//! Nothing propagates out of a namespace, even from a root that is shared.
//!
//! This machine's `/` is private, which would hide a missing `MS_PRIVATE`. So the test
//! re-executes itself under `unshare -m --propagation private` (an outer mount
//! namespace, cut off from the host's first), makes `/` recursively shared in there,
//! and enters namespaces from that outer namespace: its mount table must not change.
//! A control shows that the check sees a mount that does propagate. Nothing is ever
//! mounted in this process or on the host.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use mountns::{CommandExt, Params, namespace};
use mountns_support::{
    ROLE, USERS, User, alone, as_user, described, rerun, role, root_or_skip, this_binary,
};

/// The mount namespace of the test process, which the outer one must not be.
const HOST_NS: &str = "MOUNTNS_PROPAGATION_HOST_NS";
const FIXTURES: &str = "/tmp/mountns-propagation";
const TEST: &str = "no_mount_propagates_out_of_a_shared_root";

namespace! {
    /// Every kind of mount, and a bind whose mountpoint the child mounts on (as root,
    /// keeping the capability to).
    static EVERY_KIND = {
        caps [sys_admin];
        include mountns::MINIMAL;
        bind ro ["/usr/", "/bin/", "/lib/", "/lib64/"];
        bind "/tmp/" tmpfs;
        bind "/box/" "/tmp/mountns-propagation/box/";
        bind "/box/nested/" "/tmp/mountns-propagation/nested/";
        bind "/u/" ["/tmp/mountns-propagation/layer/", tmpfs];
        bind "/r/" ["/tmp/mountns-propagation/layer/", "/tmp/mountns-propagation/box/"];
        // A source given as a descriptor: its tree is cloned from the outer namespace,
        // a peer of its shared mount until made private.
        bind "/fd/" param(FD);
        bind "/fd/nested/" tmpfs;
    };
}

fn mountinfo() -> String {
    fs::read_to_string("/proc/self/mountinfo").unwrap()
}

fn mount_namespace() -> String {
    fs::read_link("/proc/self/ns/mnt")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned()
}

/// Runs `command`, which runs this test again, telling it the host's mount namespace.
fn again(mut command: Command) -> Output {
    command.env(HOST_NS, mount_namespace()).output().unwrap()
}

/// The mount points (field 5) of a mountinfo text.
fn mountpoints(mountinfo: &str) -> Vec<&str> {
    mountinfo
        .lines()
        .map(|line| line.split(' ').nth(4).unwrap())
        .collect()
}

#[test]
fn no_mount_propagates_out_of_a_shared_root() {
    // Its roles: `outer` in the shared outer namespace; `launcher` for a process
    // started there that enters a namespace.
    match role().as_deref() {
        Some("outer") => return outer(),
        Some("launcher") => return launcher(),
        _ => {}
    }
    if !root_or_skip("it makes `/` shared in a mount namespace of root's") {
        return;
    }
    let host = mountinfo();
    let _ = fs::remove_dir_all(FIXTURES);
    for dir in [
        "box/mnt",
        "box/nested",
        "nested",
        "layer",
        "control",
        "fd/nested",
        "fd/mnt",
    ] {
        fs::create_dir_all(Path::new(FIXTURES).join(dir)).unwrap();
    }
    fs::write(Path::new(FIXTURES).join("layer/file"), "layer\n").unwrap();
    for dir in [
        "",
        "box",
        "box/mnt",
        "box/nested",
        "nested",
        "layer",
        "control",
        "fd",
        "fd/nested",
        "fd/mnt",
    ] {
        let path = Path::new(FIXTURES).join(dir);
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
    }
    // `--propagation private` first cuts the outer namespace off from the host's peer
    // groups (whatever the host's are), then `/` is made shared inside it only.
    let mut unshare = Command::new("unshare");
    unshare
        .args(["--mount", "--propagation", "private", "--", "sh", "-c"])
        .arg("mount --make-rshared / && exec \"$@\"")
        .arg("sh")
        .arg(this_binary())
        .args(alone(TEST))
        .env(ROLE, "outer");
    let output = again(unshare);
    let _ = fs::remove_dir_all(FIXTURES);
    assert!(output.status.success(), "{}", described(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    for line in [
        "control propagated",
        "Root: nothing propagated",
        "Nobody: nothing propagated",
    ] {
        assert!(stdout.contains(line), "{line}: {}", described(&output));
    }
    println!("{stdout}");
    assert_eq!(mountinfo(), host, "the host's mounts changed");
}

/// In the outer namespace (shared `/`): enters `EVERY_KIND` from a launcher process as
/// each user, then a control that must propagate.
fn outer() {
    assert_ne!(
        mount_namespace(),
        std::env::var(HOST_NS).unwrap(),
        "not in a namespace of its own"
    );
    let root = mountinfo()
        .lines()
        .find(|line| line.split(' ').nth(4) == Some("/"))
        .unwrap()
        .to_owned();
    assert!(root.contains(" shared:"), "/ is not shared: {root}");
    for user in USERS {
        let before = mountinfo();
        let mut launcher = rerun(this_binary(), TEST, "launcher");
        as_user(&mut launcher, user);
        let output = again(launcher);
        assert!(output.status.success(), "{user:?}: {}", described(&output));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.contains("layer\nentered\n"),
            "{user:?}: {}",
            described(&output)
        );
        if user == User::Root {
            // The child mounted a tmpfs of its own on /box/mnt, a shared mount's copy.
            assert!(stdout.contains("inner mount\n"), "{}", described(&output));
        }
        assert_eq!(mountinfo(), before, "{user:?}: a mount propagated out");
        println!("{user:?}: nothing propagated");
    }
    // The control: a namespace that keeps the shared propagation (unshare's
    // `unchanged`), mounting where the launcher's child did, shows up here.
    let before = mountinfo();
    let status = Command::new("unshare")
        .args(["--mount", "--propagation", "unchanged", "--"])
        .args(["mount", "-t", "tmpfs", "mountns-control"])
        .arg(format!("{FIXTURES}/control"))
        .status()
        .unwrap();
    assert!(status.success());
    let after = mountinfo();
    let control = format!("{FIXTURES}/control");
    assert!(
        !mountpoints(&before).contains(&control.as_str())
            && mountpoints(&after).contains(&control.as_str()),
        "the control did not propagate:\n{after}"
    );
    println!("control propagated");
}

/// A process of the outer namespace (as root or uid 65534): enters `EVERY_KIND` for a
/// shell that uses each mount; as root it also mounts on a bound directory itself.
fn launcher() {
    let script = "cat /u/file && echo x > /u/new && echo y > /tmp/new && cat /r/file >/dev/null \
                  && test -d /box/nested && echo entered && \
                  if [ \"$(id -u)\" = 0 ]; then \
                    mount -t tmpfs mountns-inner /box/mnt && grep -q mountns-inner /proc/self/mountinfo \
                    && mount -t tmpfs mountns-inner-fd /fd/mnt \
                    && grep -q mountns-inner-fd /proc/self/mountinfo && echo inner mount; \
                  fi";
    let fd = fs::File::open(format!("{FIXTURES}/fd")).unwrap();
    // stderr is inherited: it carries mountns's message if entering fails.
    let output = Command::new("/bin/sh")
        .args(["-c", script])
        .stderr(std::process::Stdio::inherit())
        .namespace(EVERY_KIND.with(Params::new().set_fd("FD", fd)))
        .output()
        .unwrap();
    print!("{}", String::from_utf8_lossy(&output.stdout));
    assert!(output.status.success());
}
