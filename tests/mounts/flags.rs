//! Mount flags: every mount nosuid, binds nodev unless `dev`, `noexec` where declared;
//! as root and as uid 65534. Nothing is mounted in this process.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use mountns::namespace;

use mountns_support::*;

/// `fixture/name`, a copy of the host's `program` with `mode`.
fn copy(fixture: &Fixture, program: &str, name: &str, mode: u32) {
    let copy = fixture.path(name);
    fs::copy(program, &copy).unwrap();
    fs::set_permissions(&copy, fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_device_node_in_a_bound_directory_opens_only_with_dev() {
    if !root_or_skip("only root makes a device node") {
        return;
    }
    let fixture = Fixture::at("/tmp/mountns-runtime/flags-dev");
    // A copy of /dev/null.
    let null = fixture.path("null");
    let made = Command::new("mknod").args([&null, "c", "1", "3"]).status();
    assert!(made.unwrap().success());
    fs::set_permissions(&null, fs::Permissions::from_mode(0o666)).unwrap();
    let ns = namespace! {
        include BASE;
        bind "/plain/" "/tmp/mountns-runtime/flags-dev/";
        bind ro "/read-only/" "/tmp/mountns-runtime/flags-dev/";
        bind dev "/dev-ok/" "/tmp/mountns-runtime/flags-dev/";
    };
    let script = "for d in plain read-only dev-ok; do \
                  if echo x > /$d/null; then echo $d-opens; else echo $d-refused; fi; done 2>&1";
    for (user, run) in each_user(ns, script, 0, "") {
        let lines: Vec<&str> = run.stdout.lines().collect();
        assert_eq!(lines.len(), 5, "{user:?}: {run:#?}");
        assert!(
            lines[0].ends_with("/plain/null: Permission denied"),
            "{user:?}: {run:#?}"
        );
        assert_eq!(lines[1], "plain-refused", "{user:?}");
        assert!(
            lines[2].ends_with("/read-only/null: Permission denied"),
            "{user:?}: {run:#?}"
        );
        assert_eq!(
            lines[3..],
            ["read-only-refused", "dev-ok-opens"],
            "{user:?}"
        );
    }
}

#[test]
fn a_setuid_program_in_a_bound_directory_gains_nothing() {
    let fixture = Fixture::at("/tmp/mountns-runtime/flags-setuid");
    // Owned by root, set-uid.
    copy(&fixture, "/usr/bin/id", "id", 0o4755);
    let ns = namespace! {
        include BASE;
        bind "/s/" "/tmp/mountns-runtime/flags-setuid/";
        bind "/proc/";
    };
    for user in USERS {
        let run = sh(ns, "/s/id -u; grep ' /s ' /proc/self/mountinfo", user);
        assert_eq!(run.code, Some(0), "{user:?}: {run:#?}");
        let uid = if user == User::Root { 0 } else { nobody() };
        assert!(
            run.stdout.starts_with(&format!("{uid}\n")),
            "{user:?}: {run:#?}"
        );
        let (options, _) = mount_of(&run.stdout, "/s").unwrap();
        assert!(options.contains(&"nosuid"), "{user:?}: {options:?}");
    }
}

#[test]
fn noexec_makes_executing_fail() {
    let fixture = Fixture::at("/tmp/mountns-runtime/flags-noexec");
    copy(&fixture, "/usr/bin/true", "prog", 0o755);
    let ns = namespace! {
        include BASE;
        bind "/y/" "/tmp/mountns-runtime/flags-noexec/";
        bind noexec "/x/" "/tmp/mountns-runtime/flags-noexec/";
        bind noexec "/t/" tmpfs;
    };
    let script = "/y/prog && echo ran; /x/prog; echo x=$?; cp /y/prog /t/p && /t/p; echo t=$?";
    for (user, run) in each_user(ns, script, 0, "ran\nx=126\nt=126\n") {
        assert_eq!(run.stdout, "", "{user:?}: {run:#?}");
        assert_eq!(
            run.stderr.matches("Permission denied").count(),
            2,
            "{user:?}: {run:#?}"
        );
    }
}

#[test]
fn every_mount_is_nosuid_and_nodev_unless_declared() {
    let _layers = Layers::at("/tmp/mountns-runtime/flags-every");
    let ns = namespace! {
        include BASE;
        bind "/b/" "/tmp/mountns-runtime/flags-every/a/";
        bind ro "/r/" "/tmp/mountns-runtime/flags-every/a/";
        bind "/t/" tmpfs;
        bind "/u/" ["/tmp/mountns-runtime/flags-every/a/", "/tmp/mountns-runtime/flags-every/b/"];
        bind "/w/" ["/tmp/mountns-runtime/flags-every/a/", tmpfs];
        bind dev "/d/" "/tmp/mountns-runtime/flags-every/c/";
        file "/f" "f\n";
        dev "/dev/";
        bind "/proc/";
    };
    for user in USERS {
        let run = sh(ns, "cat /proc/self/mountinfo", user);
        assert_eq!(run.code, Some(0), "{user:?}: {run:#?}");
        let mut seen = 0;
        for line in run.stdout.lines() {
            let fields: Vec<&str> = line.split(' ').collect();
            let (mountpoint, options) = (fields[4], fields[5]);
            let options: Vec<&str> = options.split(',').collect();
            assert!(options.contains(&"nosuid"), "{user:?}: {line}");
            // The declared `dev`, and the nodes of the fresh /dev (the host's and devpts).
            let dev =
                mountpoint == "/d" || mountpoint.starts_with("/dev/") && mountpoint != "/dev/shm";
            assert_eq!(!options.contains(&"nodev"), dev, "{user:?}: {line}");
            seen += 1;
        }
        // /, the four of BASE, /b, /d, /dev and its eight, /f, /proc and its own, /r, /t,
        // /u, /w.
        assert!(seen >= 22, "{user:?}: {run:#?}");
    }
}

#[test]
fn display_prints_the_flags_each_mount_gets() {
    let _layers = Layers::at("/tmp/mountns-runtime/flags-display");
    static SHOWN: &mountns::Namespace = namespace! {
        include BASE;
        bind "/b/" "/tmp/mountns-runtime/flags-display/a/";
        bind ro noexec "/r/" "/tmp/mountns-runtime/flags-display/a/";
        bind dev "/d/" "/tmp/mountns-runtime/flags-display/c/";
        bind "/t/" tmpfs("size=1M");
        bind noexec "/x/" tmpfs;
        bind "/u/" ["/tmp/mountns-runtime/flags-display/a/", "/tmp/mountns-runtime/flags-display/b/"];
        bind "/w/" ["/tmp/mountns-runtime/flags-display/a/", tmpfs];
        file "/f" "f\n";
        dev "/dev/";
        proc "/proc/";
    };
    /// The flags among `options` (comma-separated) that tell a mount's behaviour.
    fn flags<'a>(options: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
        let mut flags: Vec<&str> = options
            .filter(|option| ["ro", "nosuid", "nodev", "noexec"].contains(option))
            .collect();
        flags.sort_unstable();
        flags
    }
    let table = SHOWN.to_string();
    for user in USERS {
        let mountinfo = sh(SHOWN, "cat /proc/self/mountinfo", user);
        assert_eq!(mountinfo.code, Some(0), "{user:?}: {mountinfo:#?}");
        // Each mount's line (the settings' lines have fewer fields).
        for line in table.lines() {
            let fields: Vec<&str> = line.split(' ').collect();
            let [_, target, _, options] = fields[..] else {
                continue;
            };
            let target = target.trim_end_matches('/');
            let (seen, _) = mount_of(&mountinfo.stdout, target)
                .unwrap_or_else(|| panic!("{user:?}: no mount on {target}: {mountinfo:#?}"));
            assert_eq!(
                flags(options.split(',')),
                flags(seen.iter().copied()),
                "{user:?}: {line}"
            );
        }
    }
}
