//! Where and with what the program starts: `chdir "/src";` (or `Filled::current_dir`)
//! chooses its working directory inside, `env clear;` and `env "NAME" "value";` its
//! environment, on each route that executes a program (the `CommandExt` methods here,
//! `Namespace::exec` in `tests/processes/in_place.rs`, the launcher in `.ci/run`). As root
//! and without.

use std::io;
use std::process::{Command, Output};

use mountns::{CommandExt as _, Filled, Step, namespace};
use mountns_support::{USERS, User, as_user};

namespace! {
    /// Starts in /usr/share, with a clean environment of three variables.
    static CLEAN = {
        include mountns_support::profiles::SYSTEM;
        chdir "/usr/share";
        env clear;
        env "PATH" "/usr/bin:/bin";
        env "GREETING" "hello world";
        env "EMPTY" "";
    };

    /// Starts where the caller is, with the caller's environment and one more.
    static INHERITED = {
        include mountns_support::profiles::SYSTEM;
        env "GREETING" "hello";
    };

    /// Starts in a directory that is not there.
    static NOWHERE = {
        include mountns_support::profiles::SYSTEM;
        chdir "/no/such/dir";
    };
}

/// Runs `script` in `ns` as `user`, by each route that returns the output.
fn outputs(ns: impl Into<Filled> + Clone, script: &str, user: User) -> Vec<(&'static str, Output)> {
    let command = || {
        let mut command = Command::new("/bin/sh");
        command
            .args(["-c", script])
            .env("FROM_THE_CALLER", "1")
            .env("GREETING", "overridden");
        as_user(&mut command, user);
        command
    };
    let reported = command().output_in(ns.clone()).unwrap();
    let plain = command().namespace(ns).output().unwrap();
    vec![("output_in", reported), ("namespace", plain)]
}

#[test]
fn chdir_and_env_set_where_and_with_what_the_program_starts() {
    for user in USERS {
        for (route, output) in outputs(&CLEAN, "pwd; env | sort", user) {
            assert!(output.status.success(), "{user:?} {route}: {output:?}");
            assert_eq!(
                String::from_utf8_lossy(&output.stdout),
                // sh adds PWD (and SHLVL and `_` where it likes): the rest is the table's.
                "/usr/share\nEMPTY=\nGREETING=hello world\nPATH=/usr/bin:/bin\nPWD=/usr/share\n",
                "{user:?} {route}"
            );
        }
        for (route, output) in outputs(&INHERITED, "echo $GREETING $FROM_THE_CALLER", user) {
            assert!(output.status.success(), "{user:?} {route}: {output:?}");
            assert_eq!(
                String::from_utf8_lossy(&output.stdout),
                "hello 1\n",
                "{user:?} {route}"
            );
        }
    }
}

#[test]
fn a_directory_chosen_at_run_time_overrides_the_tables() {
    for user in USERS {
        let filled = Filled::from(&CLEAN).current_dir("/usr/lib");
        for (route, output) in outputs(filled, "pwd", user) {
            assert_eq!(
                String::from_utf8_lossy(&output.stdout),
                "/usr/lib\n",
                "{user:?} {route}: {output:?}"
            );
        }
        // `Command::current_dir` is looked up on the host first: the table's wins.
        let mut command = Command::new("/bin/pwd");
        command.current_dir("/");
        let output = as_user(&mut command, user).output_in(&CLEAN).unwrap();
        assert_eq!(String::from_utf8_lossy(&output.stdout), "/usr/share\n");
    }
}

#[test]
fn a_directory_that_is_not_there_is_named() {
    let expected = "mountns: change directory to \"/no/such/dir\": No such file or directory \
                    (os error 2); the directory to start in (chdir, or Filled::current_dir) must \
                    exist inside the new root: a directory target of the table, or a directory \
                    under one";
    for user in USERS {
        let mut command = Command::new("/bin/true");
        let error = as_user(&mut command, user)
            .status_in(&NOWHERE)
            .expect_err("no such directory");
        assert_eq!(error.to_string(), expected, "{user:?}");
        assert_eq!(error.kind(), io::ErrorKind::NotFound);
        let inner = error
            .get_ref()
            .and_then(|e| e.downcast_ref::<mountns::Error>());
        assert_eq!(inner.map(mountns::Error::step), Some(Step::Chdir));
        let mut command = Command::new("/bin/true");
        let run_time = as_user(&mut command, user)
            .status_in(Filled::from(&CLEAN).current_dir("/no/such/dir"))
            .expect_err("no such directory");
        assert_eq!(run_time.to_string(), expected, "{user:?}");
    }
}

#[test]
fn the_table_shows_where_and_with_what() {
    let table = CLEAN.to_string();
    assert!(
        table.ends_with(
            "chdir /usr/share\nenv clear\nenv PATH=/usr/bin:/bin\nenv GREETING=hello\\040world\n\
             env EMPTY=\n"
        ),
        "{table}"
    );
    assert_eq!(CLEAN.chdir(), Some(c"/usr/share"));
    assert!(CLEAN.clears_env() && !INHERITED.clears_env());
    assert_eq!(INHERITED.env(), [c"GREETING=hello"]);
}

#[test]
fn an_include_brings_the_directory_and_the_environment_along() {
    static WITH: &mountns::Namespace = namespace! {
        include mountns_support::profiles::SYSTEM;
        include mountns_support::profiles::starts::IN_USR;
        env "HERE" "2";
    };
    assert_eq!(WITH.chdir(), Some(c"/usr"));
    assert_eq!(WITH.env(), [c"FROM_HELPER=1", c"HERE=2"]);
    assert!(!WITH.clears_env());
}
