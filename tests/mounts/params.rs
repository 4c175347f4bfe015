//! Sources chosen at run time: `param(NAME)` in a declaration, its host path given when
//! entering (`Namespace::with`). Entered for real, as root and as uid 65534.

use std::fs;
use std::process::Command;

use mountns::{CommandExt as _, Params, Step, namespace};
use mountns_support::{Fixture, USERS, User, as_user};

namespace! {
    static BUILD = {
        include mountns_support::profiles::SYSTEM;
        include mountns_support::profiles::slots::WORKSPACE;
        bind "/src/" [param(PROJECT), tmpfs("size=1M")];
        bind ro "/data/" param(DATA);
        bind "/src/out/" tmpfs("size=1M");
    };
}

/// A project and a data directory, in a directory of this process's own.
struct Dirs {
    fixture: Fixture,
    project: String,
    data: String,
    work: String,
}

fn dirs() -> Dirs {
    let fixture = Fixture::new();
    fixture.file("project/Makefile", "all:\n");
    fixture.file("data/input", "data\n");
    fixture.file("work/notes", "notes\n");
    Dirs {
        project: fixture.path("project"),
        data: fixture.path("data"),
        work: fixture.path("work"),
        fixture,
    }
}

namespace! {
    /// A slot among packages: the packages expand at compile time, the slot stays.
    static MIXED = {
        bind "/mix/" [param(TOP), mountns_support::profiles::packages::CERTS];
    };
}

#[test]
fn a_slot_stays_among_expanded_packages() {
    assert_eq!(
        MIXED.to_string(),
        "overlay /mix/ overlay ro,nosuid,nodev,lowerdir=param(TOP):/srv/store/certs:\
         /srv/store/openssl:/srv/store/libc\n"
    );
}

#[test]
fn the_table_shows_its_slots() {
    let table = BUILD.to_string();
    for line in [
        "param(DATA) /data/ none rbind,ro,nosuid,nodev\n",
        "overlay /src/ overlay nosuid,nodev,lowerdir=param(PROJECT),upper=tmpfs(size=1M)\n",
        "overlay /work/ overlay nosuid,nodev,lowerdir=param(WORK),upper=tmpfs(size=1M)\n",
    ] {
        assert!(table.contains(line), "{line}in\n{table}");
    }
}

#[test]
fn run_time_sources_bind_what_the_caller_chose() {
    let dirs = dirs();
    let params = Params::new()
        .set("PROJECT", &dirs.project)
        .set("DATA", &dirs.data)
        .set("WORK", &dirs.work);
    for user in USERS {
        let mut command = Command::new("/bin/sh");
        command.args([
            "-c",
            "ls /src; cat /data/input /work/notes; echo built > /src/out/bin && cat /src/out/bin; \
             echo new > /src/new && cat /src/new; touch /data/x 2>/dev/null || echo data-read-only",
        ]);
        let output = as_user(&mut command, user)
            .output_in(BUILD.with(params.clone()))
            .unwrap();
        assert!(output.status.success(), "{user:?}: {output:?}");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "Makefile\nout\ndata\nnotes\nbuilt\nnew\ndata-read-only\n",
            "{user:?}"
        );
        // Writes stayed in the union's tmpfs.
        assert!(!fs::exists(dirs.fixture.path("project/new")).unwrap());
        assert!(!fs::exists(dirs.fixture.path("project/out")).unwrap());
    }
}

#[test]
fn an_unfilled_or_relative_source_fails_before_anything_happens() {
    let dirs = dirs();
    let cases = [
        (
            Params::new()
                .set("DATA", &dirs.data)
                .set("WORK", &dirs.work),
            "mountns: union param(PROJECT) on \"/src\": fill the sources chosen at run time: \
             no value for this source; give one with Namespace::with(Params::new()\
             .set(\"PROJECT\", PATH))",
        ),
        (
            Params::new()
                .set("PROJECT", "relative/project")
                .set("DATA", &dirs.data)
                .set("WORK", &dirs.work),
            "mountns: union param(PROJECT) = \"relative/project\" on \"/src\": fill the sources \
             chosen at run time: its value is not an absolute path (or holds a NUL byte)",
        ),
    ];
    for (params, message) in cases {
        for user in USERS {
            let mut command = Command::new("/bin/true");
            let error = as_user(&mut command, user)
                .status_in(BUILD.with(params.clone()))
                .expect_err("an unfilled slot must fail");
            assert_eq!(error.to_string(), message, "{user:?}");
            let inner = error
                .get_ref()
                .and_then(|e| e.downcast_ref::<mountns::Error>())
                .unwrap();
            assert_eq!((inner.step(), inner.errno()), (Step::Params, 22));
        }
    }
    // A plain namespace has no values at all: the first slot of the table is named.
    for user in USERS {
        let mut command = Command::new("/bin/true");
        let error = as_user(&mut command, user).status_in(&BUILD).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("mountns: bind param(DATA) on \"/data\": fill the sources"),
            "{user:?}: {error}"
        );
    }
}

/// The message of entering `BUILD` with `params` as `user`, which must fail.
fn refused(params: &Params, user: User) -> String {
    let mut command = Command::new("/bin/true");
    as_user(&mut command, user)
        .status_in(BUILD.with(params.clone()))
        .expect_err("entering must fail")
        .to_string()
}

#[test]
fn a_misspelt_name_is_named_with_the_slots_the_table_has() {
    let dirs = dirs();
    let params = Params::new()
        .set("PROJCT", &dirs.project)
        .set("DATA", &dirs.data)
        .set("WORK", &dirs.work);
    for user in USERS {
        assert_eq!(
            refused(&params, user),
            "mountns: union param(PROJECT) on \"/src\": fill the sources chosen at run time: no \
             value for this source; give one with Namespace::with(Params::new()\
             .set(\"PROJECT\", PATH)); the values given are for PROJCT, which this table has no \
             slot of (its slots: DATA, PROJECT, WORK)",
            "{user:?}"
        );
    }
}

#[test]
fn a_value_that_fails_is_shown_and_a_file_for_a_directory_says_what_to_give() {
    let dirs = dirs();
    let missing = dirs.fixture.path("no-such-project");
    let file = dirs.fixture.path("project/Makefile");
    for (project, message) in [
        (
            &missing,
            format!(
                "mountns: union param(PROJECT) = \"{missing}\" on \"/src\": open source: No such \
                 file or directory (os error 2)"
            ),
        ),
        (
            &file,
            format!(
                "mountns: union param(PROJECT) = \"{file}\" on \"/src\": open source: Not a \
                 directory (os error 20)"
            ),
        ),
    ] {
        let params = Params::new()
            .set("PROJECT", project)
            .set("DATA", &dirs.data)
            .set("WORK", &dirs.work);
        for user in USERS {
            assert_eq!(refused(&params, user), message, "{user:?}");
        }
    }
    // A file for the directory of a bind: the value is the caller's to change.
    let params = Params::new()
        .set("PROJECT", &dirs.project)
        .set("DATA", &file)
        .set("WORK", &dirs.work);
    for user in USERS {
        assert_eq!(
            refused(&params, user),
            format!(
                "mountns: bind param(DATA) = \"{file}\" on \"/data\": compare source and \
                 mountpoint: Is a directory (os error 21); the value given for this source is a \
                 file, and its target a directory: give it the path of a directory"
            ),
            "{user:?}"
        );
    }
}
