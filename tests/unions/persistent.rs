//! Unions with the host's upper and work directories (`upper(..)`), with the kernel's
//! newest API: writes persist, odd names work, and what overlayfs refuses is named.
//! As root and as uid 65534.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

use mountns::{CommandExt as _, Namespace, Params, namespace};

use mountns_support::scenarios::uppers;
use mountns_support::*;

#[test]
fn writes_persist_in_the_hosts_upper() {
    for user in USERS {
        let line = uppers::writes_persist(user);
        // As root, a second union on the same pair fails instead of sharing it.
        match user {
            User::Root => assert!(line.contains("index=on"), "{line}"),
            User::Nobody => assert!(line.contains("userxattr"), "{line}"),
        }
    }
}

#[test]
fn names_with_quotes_colons_commas_and_backslashes() {
    for user in USERS {
        uppers::escaped_names(user);
    }
}

namespace! {
    /// A union with the host's upper and work directories named in the table, per user.
    static IN_USE_ROOT = {
        include BASE;
        bind "/x/" [
            "/tmp/mountns-runtime/in-use-Root/lower/",
            upper("/tmp/mountns-runtime/in-use-Root/upper/", "/tmp/mountns-runtime/in-use-Root/work/")
        ];
    };
    static IN_USE_NOBODY = {
        include BASE;
        bind "/x/" [
            "/tmp/mountns-runtime/in-use-Nobody/lower/",
            upper("/tmp/mountns-runtime/in-use-Nobody/upper/", "/tmp/mountns-runtime/in-use-Nobody/work/")
        ];
    };

    /// A persistent union in a pid namespace.
    static IN_A_PID_NAMESPACE = {
        include BASE;
        unshare [pid];
        bind "/x/" [param(TOP), upper(param(UPPER), param(WORK))];
    };

    /// A tmpfs nested in a persistent union: its mountpoint comes from the skeleton,
    /// the lowest layer, unless the upper holds something there.
    static NESTED = {
        include BASE;
        bind "/x/" [param(TOP), upper(param(UPPER), param(WORK))];
        bind "/x/nested/" tmpfs;
    };
}

/// The layer, upper and work directories of `root`, and params naming them.
fn one_layer(root: &str, user: User) -> (Fixture, Params) {
    let fixture = uppers::fixture(root, user, &["lower", "upper", "work"], &[("lower/a", "1")]);
    let params = Params::new()
        .set("TOP", fixture.path("lower"))
        .set("UPPER", fixture.path("upper"))
        .set("WORK", fixture.path("work"));
    (fixture, params)
}

/// The error of entering `ns` with `params` as `user`.
fn refused(ns: &'static Namespace, params: &Params, user: User) -> std::io::Error {
    let mut command = Command::new("/bin/true");
    as_user(&mut command, user);
    match command.status_in(ns.with(params.clone())) {
        Ok(status) => panic!("{user:?}: entered ({status})"),
        Err(error) => error,
    }
}

#[test]
fn a_pair_in_use_by_another_union_is_refused_naming_both() {
    for user in USERS {
        let root = format!("/tmp/mountns-runtime/in-use-{user:?}");
        let (fixture, params) = one_layer(&root, user);
        let ns = if user == User::Root {
            &IN_USE_ROOT
        } else {
            &IN_USE_NOBODY
        };
        let mut first = Command::new("/bin/sh");
        first
            .args(["-c", "echo ready; exec sleep 10"])
            .stdout(Stdio::piped());
        as_user(&mut first, user);
        let mut first = first.spawn_in(ns.with(params.clone())).unwrap();
        let mut ready = String::new();
        BufReader::new(first.stdout.as_mut().unwrap())
            .read_line(&mut ready)
            .unwrap();
        assert_eq!(ready, "ready\n", "{user:?}");
        let error = refused(ns, &params, user);
        first.kill().unwrap();
        first.wait().unwrap();
        assert_eq!(error.raw_os_error(), None);
        let message = error.to_string();
        let expected = format!(
            "mountns: union \"{upper}\" on \"/x\": mount overlay: the upper directory \
             \"{upper}\" or the work directory \"{work}\" is in use by another union",
            upper = fixture.path("upper"),
            work = fixture.path("work")
        );
        assert!(message.starts_with(&expected), "{user:?}: {message}");
        // Once the first is gone (its namespace torn down, which the kernel finishes
        // after the processes end), the pair serves again.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let mut command = Command::new("/bin/true");
        as_user(&mut command, user);
        while command.status_in(ns.with(params.clone())).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "{user:?}: still in use"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

#[test]
fn an_upper_made_over_another_top_layer_is_refused_as_root() {
    // overlayfs (index=on) records the top layer in the upper; as root it refuses the
    // upper over another. In a user namespace it cannot (no file handles there), and
    // takes it.
    for user in USERS {
        let root = format!("/tmp/mountns-runtime/other-layers-{user:?}");
        let (fixture, params) = one_layer(&root, user);
        sh_stdout(uppers::ONE_LAYER.with(params.clone()), "true", user);
        fixture.dir("other");
        if user == User::Nobody {
            fixture.share("other");
        }
        let params = params.set("TOP", fixture.path("other"));
        if user == User::Nobody {
            sh_stdout(uppers::ONE_LAYER.with(params.clone()), "true", user);
            continue;
        }
        let message = refused(&uppers::ONE_LAYER, &params, user).to_string();
        assert!(
            message.contains("holds the writes of a union over another top layer"),
            "{message}"
        );
    }
}

#[test]
fn a_link_planted_in_the_upper_is_refused_not_followed() {
    // A link where a nested mountpoint is, planted in the upper between two runs (by
    // whoever can write it), would send the tmpfs elsewhere: it is refused, naming it.
    for user in USERS {
        let root = format!("/tmp/mountns-runtime/planted-{user:?}");
        let (fixture, params) = one_layer(&root, user);
        assert_eq!(
            sh_stdout(
                NESTED.with(params.clone()),
                "ls /x; touch /x/nested/t",
                user
            ),
            "a\nnested\n"
        );
        let canary = fixture.dir("canary");
        std::os::unix::fs::symlink(&canary, fixture.path("upper/nested")).unwrap();
        let message = refused(&NESTED, &params, user).to_string();
        assert!(
            message.contains("\"/x/nested\" is a symbolic link inside the new root"),
            "{user:?}: {message}"
        );
        assert_eq!(std::fs::read_dir(&canary).unwrap().count(), 0, "{user:?}");
    }
}

#[test]
fn what_overlayfs_refuses_as_an_upper_is_named() {
    if !root_or_skip("it mounts an overlay and a tmpfs under unshare -m") {
        return;
    }
    // Re-run under `unshare -m`, whose shell mounts an overlay (an upper on it is
    // refused) and a tmpfs (a work directory on it is on another mount) in that
    // namespace only.
    let root = "/tmp/mountns-runtime/refused";
    if role().as_deref() == Some("overlayfs-refuses") {
        for user in USERS {
            let base = Params::new().set("TOP", format!("{root}/lower"));
            let params = base
                .clone()
                .set("UPPER", format!("{root}/over/upper"))
                .set("WORK", format!("{root}/over/work"));
            let message = refused(&uppers::ONE_LAYER, &params, user).to_string();
            assert!(
                message.contains(
                    "overlayfs refuses the upper directory param(UPPER) (Invalid argument (os \
                     error 22)): it lies on overlayfs, which cannot be an upper itself"
                ),
                "{user:?}: {message}"
            );
            let params = base
                .set("UPPER", format!("{root}/upper"))
                .set("WORK", format!("{root}/tmpfs/work"));
            let message = refused(&uppers::ONE_LAYER, &params, user).to_string();
            assert!(
                message.contains(
                    "the upper directory param(UPPER) and the work directory param(WORK) are \
                     on different mounts"
                ),
                "{user:?}: {message}"
            );
        }
        println!("named");
        return;
    }
    let fixture = Fixture::at(root);
    for dir in [
        "lower", "upper", "work", "o/lower", "o/upper", "o/work", "over", "tmpfs",
    ] {
        fixture.dir(dir);
        fixture.share(dir);
    }
    let setup = format!(
        "mount -t overlay -o lowerdir={root}/o/lower,upperdir={root}/o/upper,workdir={root}/o/work \
         none {root}/over && mkdir -m 777 {root}/over/upper {root}/over/work \
         && mount -t tmpfs -o mode=777 none {root}/tmpfs && mkdir -m 777 {root}/tmpfs/work \
         && exec \"$@\""
    );
    let output = Command::new("unshare")
        .args([
            "--mount",
            "--propagation",
            "private",
            "--",
            "sh",
            "-c",
            &setup,
            "sh",
        ])
        .arg(this_binary())
        .args(alone("what_overlayfs_refuses_as_an_upper_is_named"))
        .env(ROLE, "overlayfs-refuses")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("named"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_table_shows_the_upper_and_work_directories_escaped() {
    let ns = namespace! {
        bind "/x/" ["/srv/lower a,b/", upper("/srv/up:per/", "/srv/wo\\rk/")];
        bind "/y/" [param(TOP), upper(param(UPPER), param(WORK))];
    };
    assert_eq!(
        ns.to_string(),
        "overlay /x/ overlay nosuid,nodev,lowerdir=/srv/lower\\040a\\054b,upperdir=/srv/up\\072per,\
         workdir=/srv/wo\\134rk\n\
         overlay /y/ overlay nosuid,nodev,lowerdir=param(TOP),upperdir=param(UPPER),workdir=param(WORK)\n"
    );
}

#[test]
fn a_pair_serves_the_next_run_at_once_after_a_pid_namespace() {
    // The caller of a table with a pid namespace returns before the namespace is
    // unmounted, unless a union writes to the host: then the next run, at once, may
    // mount the same pair (which overlayfs refuses while the last one holds it).
    for user in USERS {
        let root = format!("/tmp/mountns-runtime/next-run-{user:?}");
        let (_fixture, params) = one_layer(&root, user);
        for run in 0..20 {
            let mut command = Command::new("/bin/true");
            as_user(&mut command, user);
            let status = command.status_in(IN_A_PID_NAMESPACE.with(params.clone()));
            assert!(
                status.as_ref().is_ok_and(std::process::ExitStatus::success),
                "{user:?}: run {run}: {status:?}"
            );
        }
    }
}
