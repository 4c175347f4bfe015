//! Every setup step made to fail, by injection (feature `fault-injection`, test builds
//! only) where no real cause exists (tests/errors/failures.rs has the real causes): each
//! failure names the right step, entry and errno, the command never runs, and nothing
//! is left behind on the host. One test, since the armed fault is process-wide.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use mountns::{Namespace, Step, force_legacy_unions, namespace};
use mountns_runtime::fault;
use mountns_support::{USERS, User, as_user, rerun, role, root_or_skip, sh, this_binary};

/// Where the command leaves its mark if it runs.
const MARKS: &str = "/tmp/mountns-faults";

namespace! {
    /// A mount of every kind, so that every step is reached.
    static EVERY_STEP = {
        bind ro ["/usr/", "/bin/", "/lib/", "/lib64/"];
        bind "/tmp/" tmpfs;
        bind "/etc/" ["/etc/", tmpfs("size=1M")];
        bind "/marks/" "/tmp/mountns-faults/";
        dir "/tmp/d/";
        dev "/var/dev/";
        file "/var/file" "x";
        assert hidden ["/home/"];
        landlock;
        limit [nofile(1024)];
    };
}

/// An errno no step returns by itself here.
const INJECTED: i32 = 131; // ENOTRECOVERABLE

struct Case {
    step: Step,
    occurrence: u16,
    /// The users for whom the step happens (user namespace steps: not root).
    users: &'static [User],
    /// What the message must name besides the step.
    names: &'static str,
    legacy: bool,
}

const BOTH: &[User] = &[User::Root, User::Nobody];

fn cases() -> Vec<Case> {
    let case = |step, occurrence, users, names| Case {
        step,
        occurrence,
        users,
        names,
        legacy: false,
    };
    vec![
        case(Step::Hidden, 1, BOTH, ""),
        case(Step::Unshare, 1, &[User::Root], ""),
        case(Step::UserNamespace, 1, &[User::Nobody], ""),
        case(Step::Setgroups, 1, &[User::Nobody], ""),
        case(Step::UidMap, 1, &[User::Nobody], ""),
        case(Step::GidMap, 1, &[User::Nobody], ""),
        case(Step::Propagation, 1, BOTH, ""),
        case(Step::Scratch, 1, BOTH, ""),
        case(Step::Skeleton, 3, BOTH, "\"lib\""),
        // The mounts, in table order: /bin, /etc, /lib, /lib64, /marks, /tmp, /tmp/d,
        // /usr, /var/dev, /var/file.
        case(Step::Mountpoint, 2, BOTH, "on \"/etc\""),
        case(Step::Source, 1, BOTH, "\"/bin\" on \"/bin\""),
        case(Step::Bind, 4, BOTH, "\"/marks\""),
        case(Step::ReadOnly, 3, BOTH, "\"/lib64\""),
        case(Step::Tmpfs, 1, BOTH, "\"/tmp\""),
        case(Step::Upper, 1, BOTH, "\"/etc\""),
        case(Step::Union, 1, BOTH, "\"/etc\""),
        case(Step::Node, 1, BOTH, "dir on \"/tmp/d\""),
        case(Step::Node, 2, BOTH, "file on \"/var/file\""),
        // Building it, then sealing it.
        case(Step::Dev, 1, BOTH, "dev on \"/var/dev\""),
        case(Step::Dev, 2, BOTH, "dev on \"/var/dev\""),
        Case {
            legacy: true,
            ..case(Step::UnionLegacy, 1, BOTH, "\"/etc\"")
        },
        case(Step::PivotRoot, 1, BOTH, ""),
        case(Step::Detach, 1, BOTH, ""),
        case(Step::Chdir, 1, BOTH, ""),
        case(Step::NoNewPrivs, 1, BOTH, ""),
        case(Step::Landlock, 1, BOTH, ""),
        case(Step::Limits, 1, BOTH, "limit \"nofile\""),
    ]
}

fn tmp_listing() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir("/tmp")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with("mountns-test-") && !name.starts_with("mountns-"))
        .collect();
    names.sort();
    names
}

#[test]
fn every_step_fails_cleanly() {
    if role().as_deref() == Some("exec-fault") {
        return exec_fault_child();
    }
    let _ = fs::remove_dir_all(MARKS);
    fs::create_dir(MARKS).unwrap();
    fs::set_permissions(MARKS, fs::Permissions::from_mode(0o777)).unwrap();
    let mountinfo = fs::read_to_string("/proc/self/mountinfo").unwrap();
    let tmp = tmp_listing();

    // Unarmed, the command runs and leaves its mark: the cases below are meaningful.
    for user in USERS {
        let run = sh(&EVERY_STEP, "touch /marks/ran", user);
        assert_eq!(run.code, Some(0), "{run:?}");
        fs::remove_file(format!("{MARKS}/ran")).unwrap();
    }

    for case in cases() {
        // Without root, only the unprivileged cases.
        for &user in case
            .users
            .iter()
            .filter(|&&user| USERS.into_iter().any(|u| u == user))
        {
            force_legacy_unions(case.legacy);
            fault::inject(case.step, case.occurrence, INJECTED);
            let (error, stderr) = failing_run(&EVERY_STEP, user, false);
            // Again through `status_in`, whose caller gets the whole error.
            fault::inject(case.step, case.occurrence, INJECTED);
            let (reported, silence) = failing_run(&EVERY_STEP, user, true);
            fault::clear();
            force_legacy_unions(false);
            let what = format!("{:?} #{} as {user:?}", case.step, case.occurrence);
            assert_eq!(error.raw_os_error(), Some(INJECTED), "{what}: {error}");
            assert!(
                stderr.contains(&format!(": {}: ", case.step)),
                "{what}: the message names another step: {stderr}"
            );
            assert!(stderr.contains(case.names), "{what}: {stderr}");
            assert!(stderr.contains("(os error 131)"), "{what}: {stderr}");
            assert_eq!(reported.to_string(), stderr.trim_end(), "{what}");
            let inner = reported
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<mountns::Error>())
                .unwrap_or_else(|| panic!("{what}: not a mountns::Error: {reported:?}"));
            assert_eq!(
                (inner.step(), inner.errno()),
                (case.step, INJECTED),
                "{what}"
            );
            assert_eq!(silence, "", "{what}: status_in's child wrote to stderr");
            assert!(
                !fs::exists(format!("{MARKS}/ran")).unwrap(),
                "{what}: the command ran"
            );
        }
    }

    // Exec fails in the process that entered: the test binary, re-executed (its test
    // thread is not alone, which only root's plain mount namespace allows).
    if root_or_skip("the failing exec, in a test process of several threads") {
        let output = rerun(this_binary(), "every_step_fails_cleanly", "exec-fault")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{output:?}");
        assert!(stdout.contains("step=Exec errno=131"), "{stdout}");
        assert!(!fs::exists(format!("{MARKS}/ran")).unwrap());
    }

    // Nothing left behind: the host's mounts and /tmp are as they were.
    assert_eq!(
        fs::read_to_string("/proc/self/mountinfo").unwrap(),
        mountinfo
    );
    assert_eq!(tmp_listing(), tmp);
    fs::remove_dir_all(MARKS).unwrap();
}

/// Runs a command that would leave its mark, expecting entering to fail, through
/// `namespace` and std's `status`, or through `status_in` if `reported`: the io::Error
/// and what the child wrote to its stderr.
fn failing_run(ns: &'static Namespace, user: User, reported: bool) -> (std::io::Error, String) {
    let log = format!("{MARKS}/stderr");
    let mut command = Command::new("/bin/sh");
    command
        .args(["-c", "touch /marks/ran"])
        .stderr(fs::File::create(&log).unwrap());
    as_user(&mut command, user);
    let error = if reported {
        mountns::CommandExt::status_in(&mut command, ns)
    } else {
        mountns::CommandExt::namespace(&mut command, ns).status()
    }
    .expect_err("entering must fail");
    let stderr = fs::read_to_string(&log).unwrap();
    fs::remove_file(&log).unwrap();
    (error, stderr)
}

/// The child of `every_step_fails_cleanly`: `exec` fails after entering.
fn exec_fault_child() {
    fault::inject(Step::Exec, 1, INJECTED);
    let error = EVERY_STEP.exec(&["/bin/sh", "-c", "touch /marks/ran"]);
    println!("step={:?} errno={}", error.step(), error.errno());
}
