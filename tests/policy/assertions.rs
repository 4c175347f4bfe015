//! `assert hidden [..]` and `assert no_dev` when entering: a source that the host
//! resolves to a hidden path, under one or above one (a `param(NAME)` value, directly,
//! through a link or through `..`; a literal source through a link) fails before
//! anything is mounted, as root and as uid 65534. The compile-time side is in
//! `tests/compile/tests/ui/assert-*.rs`.

use std::os::unix::fs::{PermissionsExt, symlink};
use std::process::Command;
use std::{fs, io};

use mountns::{CommandExt as _, Params, Step, namespace};
use mountns_support::{Fixture, USERS, User, as_user, root_or_skip};

namespace! {
    static BUILD = {
        include mountns_support::profiles::SYSTEM;
        bind "/src/" [param(PROJECT), tmpfs("size=1M")];
        bind ro "/key" param(KEY);
        assert hidden ["/tmp/mountns-hidden/secret/"];
    };

    /// A first mount that would fail: the check comes before it.
    static ORDER = {
        bind ro "/a/" "/tmp/mountns-hidden/no-such/";
        bind "/src/" param(PROJECT);
        assert hidden ["/tmp/mountns-hidden/secret/"];
    };
}

/// `/tmp/mountns-hidden`: `secret/` (hidden), `project/` beside it, and links into
/// the secret. One test uses it: another would remake it under its feet.
fn fixture() -> Fixture {
    let fixture = Fixture::at("/tmp/mountns-hidden");
    fixture.file("secret/inner/notes", "secret\n");
    fixture.file("secret/key", "secret key\n");
    fixture.file("project/Makefile", "all:\n");
    fixture.file("key", "public key\n");
    symlink("secret/inner", fixture.path("to-inner")).unwrap();
    symlink("/tmp/mountns-hidden/secret", fixture.path("to-secret")).unwrap();
    symlink("secret/key", fixture.path("to-key")).unwrap();
    // A chain: a link to a link into the secret.
    symlink("to-inner", fixture.path("to-to-inner")).unwrap();
    fixture
}

/// Enters `ns` with `params` as `user` to run `script`: its stdout, or the error.
fn run(
    ns: &'static mountns::Namespace,
    params: &Params,
    user: User,
    script: &str,
) -> Result<String, io::Error> {
    let mut command = Command::new("/bin/sh");
    command.args(["-c", script]);
    let output = as_user(&mut command, user).output_in(ns.with(params.clone()))?;
    assert!(output.status.success(), "{user:?}: {output:?}");
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The `mountns::Error` of a failed entering: its step and message.
fn error_of(error: &io::Error) -> (Step, i32, String) {
    let inner = error
        .get_ref()
        .and_then(|e| e.downcast_ref::<mountns::Error>())
        .unwrap_or_else(|| panic!("not a mountns error: {error}"));
    (inner.step(), inner.errno(), inner.to_string())
}

const PROCFS: &str = "is in a procfs, whose /proc/PID/root links reach";

const HIDDEN: &str = "\"/tmp/mountns-hidden/secret/\", which the table asserts the program never \
                      sees (assertion \"hidden /tmp/mountns-hidden/secret/\")";

#[test]
fn a_value_at_under_or_above_a_hidden_path_fails_before_anything_is_mounted() {
    let fixture = fixture();
    let key = fixture.path("key");
    // Beside the hidden path: bound.
    let params = Params::new()
        .set("PROJECT", fixture.path("project"))
        .set("KEY", &key);
    for user in USERS {
        let seen = run(&BUILD, &params, user, "cat /src/Makefile /key").unwrap();
        assert_eq!(seen, "all:\npublic key\n", "{user:?}");
    }
    let cases = [
        // Directly, through a relative link, an absolute one, a chain, and `..`.
        (fixture.path("secret/inner"), "is or lies under"),
        (fixture.path("to-inner"), "is or lies under"),
        (fixture.path("to-secret"), "is or lies under"),
        (fixture.path("to-to-inner"), "is or lies under"),
        (fixture.path("project/../secret/inner"), "is or lies under"),
        (format!("{}/", fixture.path("secret")), "is or lies under"),
        // Above: the value holds the hidden path.
        (fixture.path(""), "holds"),
        ("/tmp".to_owned(), "holds"),
        ("/".to_owned(), "holds"),
        // A procfs: /proc/1/root reaches it.
        ("/proc".to_owned(), PROCFS),
        ("/proc/sys".to_owned(), PROCFS),
    ];
    for (value, relation) in cases {
        let params = Params::new().set("PROJECT", &value).set("KEY", &key);
        for user in USERS {
            let error = run(&BUILD, &params, user, "true").expect_err(&value);
            let (step, errno, message) = error_of(&error);
            assert_eq!(
                (step, errno),
                (Step::Hidden, 1),
                "{user:?} {value}: {message}"
            );
            assert_eq!(
                message,
                format!(
                    "mountns: union param(PROJECT) = {value:?} on \"/src\": check the hidden \
                     paths: its value, as the host resolves it, {relation} {HIDDEN}"
                ),
                "{user:?}"
            );
            // The first mount of ORDER would fail (its source is missing): the check
            // comes first.
            let error = run(&ORDER, &params, user, "true").expect_err(&value);
            assert_eq!(
                error_of(&error).0,
                Step::Hidden,
                "{user:?} {value}: {error}"
            );
        }
    }
    // A file, through a link.
    let params = Params::new()
        .set("PROJECT", fixture.path("project"))
        .set("KEY", fixture.path("to-key"));
    for user in USERS {
        let error = run(&BUILD, &params, user, "true").unwrap_err();
        assert_eq!(
            error_of(&error).2,
            format!(
                "mountns: bind param(KEY) = {:?} on \"/key\": check the hidden paths: its \
                 value, as the host resolves it, is or lies under {HIDDEN}",
                fixture.path("to-key")
            ),
            "{user:?}"
        );
    }
}

namespace! {
    /// A literal source that is a link on the host, into the secret.
    static LINKED = {
        include mountns_support::profiles::SYSTEM;
        bind ro "/data/" "/tmp/mountns-hidden-link/data/";
        assert hidden ["/tmp/mountns-hidden-link/secret/"];
    };

    /// Hidden paths missing on the host hide nothing that is there.
    static MISSING = {
        include mountns_support::profiles::SYSTEM;
        bind ro "/data/" "/tmp/mountns-hidden-link/public/";
        assert hidden [
            "/tmp/mountns-hidden-link/none/",
            "/tmp/mountns-hidden-link/absent",
            "/tmp/mountns-hidden-link/dangling/",
        ];
    };
}

#[test]
fn a_literal_source_is_checked_as_the_host_resolves_it() {
    let fixture = Fixture::at("/tmp/mountns-hidden-link");
    fixture.file("secret/sub/notes", "secret\n");
    fixture.file("public/notes", "public\n");
    symlink("secret/sub", fixture.path("data")).unwrap();
    symlink("no-such-target", fixture.path("dangling")).unwrap();
    for user in USERS {
        let mut command = Command::new("/bin/true");
        let error = as_user(&mut command, user).status_in(&LINKED).unwrap_err();
        assert_eq!(
            error_of(&error).2,
            "mountns: bind \"/tmp/mountns-hidden-link/data\" on \"/data\": check the hidden \
             paths: the source, as the host resolves it, is or lies under \
             \"/tmp/mountns-hidden-link/secret/\", which the table asserts the program never \
             sees (assertion \"hidden /tmp/mountns-hidden-link/secret/\")",
            "{user:?}"
        );
        let mut command = Command::new("/bin/cat");
        command.arg("/data/notes");
        let output = as_user(&mut command, user).output_in(&MISSING).unwrap();
        assert_eq!(output.stdout, b"public\n", "{user:?}: {output:?}");
    }
}

namespace! {
    /// A hidden directory that only root may search.
    static PRIVATE = {
        bind "/src/" param(PROJECT);
        assert hidden ["/tmp/mountns-hidden-private/secret/"];
    };
}

#[test]
fn a_hidden_path_the_caller_cannot_look_up_is_left_to_the_kernel() {
    if !root_or_skip("the hidden directory must be another user's than the one entering") {
        return;
    }
    let fixture = Fixture::at("/tmp/mountns-hidden-private");
    let inner = fixture.dir("secret/inner");
    fs::set_permissions(fixture.path("secret"), fs::Permissions::from_mode(0o700)).unwrap();
    let params = Params::new().set("PROJECT", &inner);
    // Root finds the value under the hidden path; uid 65534 can look up neither, and
    // the kernel refuses it the source as it refuses the hidden path.
    let error = run(&PRIVATE, &params, User::Root, "true").unwrap_err();
    assert_eq!(error_of(&error).0, Step::Hidden, "{error}");
    let error = run(&PRIVATE, &params, User::Nobody, "true").unwrap_err();
    let (step, errno, _) = error_of(&error);
    assert_eq!((step, errno), (Step::Source, 13), "{error}");
}

namespace! {
    /// `no_dev`: a fresh /dev, and no host /dev, even through a link.
    static NO_DEV = {
        include mountns_support::profiles::SYSTEM;
        bind ro "/data/" param(DATA);
        assert no_dev;
    };
}

#[test]
fn no_dev_refuses_the_hosts_dev_when_entering() {
    let fixture = Fixture::at("/tmp/mountns-hidden-dev");
    fixture.file("public/notes", "public\n");
    symlink("/dev/shm", fixture.path("shm")).unwrap();
    for user in USERS {
        let params = Params::new().set("DATA", fixture.path("public"));
        let seen = run(&NO_DEV, &params, user, "cat /data/notes; test -c /dev/null").unwrap();
        assert_eq!(seen, "public\n", "{user:?}");
        for (value, relation) in [
            (fixture.path("shm"), "is or lies under"),
            ("/dev".to_owned(), "is or lies under"),
            ("/".to_owned(), "holds"),
            ("/proc".to_owned(), PROCFS),
        ] {
            let params = Params::new().set("DATA", &value);
            let error = run(&NO_DEV, &params, user, "true").unwrap_err();
            assert_eq!(
                error_of(&error).2,
                format!(
                    "mountns: bind param(DATA) = {value:?} on \"/data\": check the hidden \
                     paths: its value, as the host resolves it, {relation} \"/dev/\", which the \
                     table asserts the program never sees (assertion \"no_dev\")"
                ),
                "{user:?}"
            );
        }
    }
}

namespace! {
    static KEEPS = { include mountns_support::profiles::assertions::GUARDED; bind "/tmp/" tmpfs; };
}

#[test]
fn the_table_carries_its_hidden_paths() {
    let hidden: Vec<(&str, &str)> = MISSING
        .hidden()
        .iter()
        .map(|h| (h.path().to_str().unwrap(), h.assertion().to_str().unwrap()))
        .collect();
    assert_eq!(
        hidden,
        [
            (
                "/tmp/mountns-hidden-link/none/",
                "hidden /tmp/mountns-hidden-link/none/"
            ),
            (
                "/tmp/mountns-hidden-link/absent",
                "hidden /tmp/mountns-hidden-link/absent"
            ),
            (
                "/tmp/mountns-hidden-link/dangling/",
                "hidden /tmp/mountns-hidden-link/dangling/"
            ),
        ]
    );
    assert_eq!(NO_DEV.hidden().len(), 1);
    assert_eq!(NO_DEV.hidden()[0].path(), c"/dev/");
    // Included from another crate, with its own statements.
    let paths: Vec<&std::ffi::CStr> = KEEPS.hidden().iter().map(mountns::Hidden::path).collect();
    assert_eq!(paths, [c"/home/", c"/root/", c"/dev/"]);
}

namespace! {
    /// More hidden paths than one pass compares (32): the check takes several.
    static MANY = {
        include mountns_support::profiles::SYSTEM;
        bind "/src/" param(PROJECT);
        assert hidden [
            "/tmp/mountns-hidden-many/h0/",
            "/tmp/mountns-hidden-many/h1/",
            "/tmp/mountns-hidden-many/h2/",
            "/tmp/mountns-hidden-many/h3/",
            "/tmp/mountns-hidden-many/h4/",
            "/tmp/mountns-hidden-many/h5/",
            "/tmp/mountns-hidden-many/h6/",
            "/tmp/mountns-hidden-many/h7/",
            "/tmp/mountns-hidden-many/h8/",
            "/tmp/mountns-hidden-many/h9/",
            "/tmp/mountns-hidden-many/h10/",
            "/tmp/mountns-hidden-many/h11/",
            "/tmp/mountns-hidden-many/h12/",
            "/tmp/mountns-hidden-many/h13/",
            "/tmp/mountns-hidden-many/h14/",
            "/tmp/mountns-hidden-many/h15/",
            "/tmp/mountns-hidden-many/h16/",
            "/tmp/mountns-hidden-many/h17/",
            "/tmp/mountns-hidden-many/h18/",
            "/tmp/mountns-hidden-many/h19/",
            "/tmp/mountns-hidden-many/h20/",
            "/tmp/mountns-hidden-many/h21/",
            "/tmp/mountns-hidden-many/h22/",
            "/tmp/mountns-hidden-many/h23/",
            "/tmp/mountns-hidden-many/h24/",
            "/tmp/mountns-hidden-many/h25/",
            "/tmp/mountns-hidden-many/h26/",
            "/tmp/mountns-hidden-many/h27/",
            "/tmp/mountns-hidden-many/h28/",
            "/tmp/mountns-hidden-many/h29/",
            "/tmp/mountns-hidden-many/h30/",
            "/tmp/mountns-hidden-many/h31/",
            "/tmp/mountns-hidden-many/h32/",
            "/tmp/mountns-hidden-many/h33/",
            "/tmp/mountns-hidden-many/h34/",
            "/tmp/mountns-hidden-many/h35/",
            "/tmp/mountns-hidden-many/h36/",
            "/tmp/mountns-hidden-many/h37/",
            "/tmp/mountns-hidden-many/h38/",
            "/tmp/mountns-hidden-many/h39/"
        ];
    };

    /// A hidden path deeper than the directories one pass holds above its paths (128).
    static DEEP = {
        bind "/src/" param(PROJECT);
        assert hidden ["/tmp/mountns-hidden-deep/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/"];
    };
}

#[test]
fn many_hidden_paths_take_several_passes_and_a_too_deep_one_is_refused() {
    let fixture = Fixture::at("/tmp/mountns-hidden-many");
    for i in 0..40 {
        fixture.dir(&format!("h{i}/x"));
    }
    let beside = fixture.dir("beside");
    for user in USERS {
        let params = Params::new().set("PROJECT", &beside);
        run(&MANY, &params, user, "true").unwrap();
        for i in [0, 31, 32, 39] {
            let value = fixture.path(&format!("h{i}/x"));
            let params = Params::new().set("PROJECT", &value);
            let error = run(&MANY, &params, user, "true").unwrap_err();
            assert!(
                error_of(&error).2.ends_with(&format!(
                    "(assertion \"hidden /tmp/mountns-hidden-many/h{i}/\")"
                )),
                "{user:?}: {error}"
            );
        }
    }
    let deep = Fixture::at("/tmp/mountns-hidden-deep");
    deep.dir("d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d");
    for user in USERS {
        let params = Params::new().set("PROJECT", &beside);
        let error = run(&DEEP, &params, user, "true").unwrap_err();
        let (step, errno, message) = error_of(&error);
        assert_eq!((step, errno), (Step::Hidden, 36), "{user:?}: {error}");
        assert!(
            message.contains("more than 128 directories deep"),
            "{user:?}: {message}"
        );
    }
}
